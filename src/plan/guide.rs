//! `guide`: the migration guide, written into the repository root with the migration.
//!
//! It is made from the finished plan (every other rule's changes, notes and warnings) and
//! the Capsules, so it runs last. It is written while the repository still has a Procfile
//! or app.json, and whenever another rule changed a file: the migrated tree has neither,
//! so migrating it again leaves the guide alone. A guide file the user wrote is never
//! replaced.

use super::build::Error;
use super::{Action, Change, Plan};
use crate::diag::{FileError, Warning};
use crate::generate::guide::{Guide, render};
use crate::inventory::Inventory;
use crate::rules::{Rule, RuleSet};
use crate::source::{EntryKind, Source};

/// What one guide rule needs besides the plan.
pub struct Written<'a> {
    pub source: &'a Source,
    pub inventory: &'a Inventory,
    pub rules: &'a RuleSet,
    pub rule: &'a Rule,
    /// The guide's file name, at the repository root.
    pub file: &'a str,
}

/// Adds the guide to `plan`'s changes (kept sorted), unless there is nothing to describe.
pub fn add_to(plan: &mut Plan, w: &Written) -> Result<(), Error> {
    // Whenever the migration changes anything, the guide says what and why; a migrated
    // tree (no Heroku files, nothing left to change, a guide there) gets no new guide. An
    // app found from its scripts or workflows alone keeps them after the migration, so
    // the guide's presence is what tells a migrated tree from one to migrate.
    let unmigrated_apps = !w.inventory.apps.is_empty() && w.source.entry(w.file).is_none();
    if !has_heroku_files(w.inventory) && plan.changes.is_empty() && !unmigrated_apps {
        return Ok(());
    }
    let old = match w.source.entry(w.file) {
        None => None,
        Some(entry) if entry.kind.is_regular() => Some(w.source.read(w.file)?),
        Some(_) => {
            plan.warnings.push(Warning::in_file(
                w.file,
                "is a symlink or submodule: the migration guide was not written; rename it, or \
                 read the guide with `plan --format markdown`",
            ));
            return Ok(());
        }
    };
    let action = if old.is_some() { Action::Modify } else { Action::Create };
    let text = render(&Guide {
        inventory: w.inventory,
        deployment: &plan.capsules,
        rules: w.rules,
        changes: &plan.changes,
        notes: &plan.notes,
        warnings: &plan.warnings,
        checklist: &super::checklist(&plan.warnings),
        own: Some((w.file, action)),
    });
    let new = text.into_bytes();
    if old.as_ref() == Some(&new) {
        return Ok(());
    }
    if old.as_deref().is_some_and(|old| !super::build::is_generated(old)) {
        // The user's own document: replacing it would lose their text.
        return Err(FileError::new(
            w.file,
            "exists and was not written by capsule-migrate: the migration guide would replace \
             it; rename or move it, or name another guide file in the `migration-guide` rule \
             (`--rules DIR`)",
        )
        .into());
    }
    let kind = w.source.entry(w.file).map_or(EntryKind::File, |e| e.kind);
    let change = Change {
        path: w.file.to_owned(),
        action,
        old,
        new: Some(new),
        kind,
        rules: vec![w.rule.id.clone()],
    };
    plan.changes.retain(|c| c.path != change.path);
    let at = plan.changes.partition_point(|c| c.path < change.path);
    plan.changes.insert(at, change);
    Ok(())
}

/// A Procfile or app.json is still there: the repository is not migrated yet.
pub fn has_heroku_files(inventory: &Inventory) -> bool {
    inventory.heroku_markers.iter().any(|path| {
        let name = path.rsplit('/').next().unwrap_or(path);
        name == "Procfile" || name == "app.json"
    })
}
