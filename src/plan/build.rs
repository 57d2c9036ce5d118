//! Running the rules, in order, over the inventory.

use super::{
    Note, Plan, Workspace, frontend, guide, lockfiles, pin_node, release, remove_files, scheduler,
};
use crate::capsules;
use crate::diag::{FileError, Warning};
use crate::inventory::Inventory;
use crate::rules::{Rule, RuleKind, RuleSet};
use crate::source::Source;

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    File(#[from] FileError),
    #[error(transparent)]
    Source(#[from] crate::source::Error),
}

/// What every rule implementation gets: the facts, the files, and where to report.
pub struct Context<'a, 's> {
    pub inventory: &'a Inventory,
    pub files: Workspace<'s>,
    pub notes: Vec<Note>,
    pub warnings: Vec<Warning>,
}

impl Context<'_, '_> {
    /// The current text of `path`, or `None` when it is absent or not UTF-8. Editing a
    /// lossy copy would change bytes far from the edit, so a file that is not UTF-8 is
    /// left as it is, with a warning.
    pub fn read_text(&mut self, path: &str) -> Result<Option<String>, Error> {
        let Some(bytes) = self.files.read(path)? else { return Ok(None) };
        match String::from_utf8(bytes) {
            Ok(text) => Ok(Some(text)),
            Err(_) => {
                let message = "is not UTF-8 text: left as it is; make this change by hand";
                self.warnings.push(Warning::in_file(path, message));
                Ok(None)
            }
        }
    }

    pub fn note(&mut self, rule: &Rule, message: impl Into<String>) {
        self.notes.push(Note { rule: rule.id.clone(), message: message.into() });
    }
}

/// The plan for this inventory: every rule runs once, in the rule set's order, except
/// that guide rules run after all the others.
pub fn build(source: &Source, inventory: &Inventory, rules: &RuleSet) -> Result<Plan, Error> {
    let mut cx = Context {
        inventory,
        files: Workspace::new(source),
        notes: Vec::new(),
        warnings: inventory.warnings.clone(),
    };
    if inventory.heroku_markers.is_empty() && inventory.apps.is_empty() {
        return Ok(Plan { warnings: cx.warnings, ..Plan::default() });
    }
    let mut guides: Vec<(&Rule, &str)> = Vec::new();
    for rule in &rules.rules {
        match &rule.kind {
            RuleKind::RemoveFiles { files } => remove_files::run(&mut cx, rule, files),
            RuleKind::PinNode { major } => pin_node::run(&mut cx, rule, *major)?,
            RuleKind::FrontendBuild { env, script, output } => {
                frontend::build_step(&mut cx, rule, env, script, output)?;
            }
            RuleKind::RewriteUrls => {
                let env = rules.backend_url_env().unwrap_or("BACKEND_URL");
                frontend::rewrite_urls(&mut cx, rule, env)?;
            }
            RuleKind::Scheduler { file, node_cron, .. } => {
                scheduler::run(&mut cx, rule, file, node_cron)?;
            }
            RuleKind::ReleasePhase => release::run(&mut cx, rule)?,
            RuleKind::Guide { file } => guides.push((rule, file)),
        }
    }
    // After every rule, whichever added a dependency: the lockfiles follow package.json.
    lockfiles::keep_in_step(&mut cx, rules)?;
    let deployment = capsules::derive(inventory, rules);
    let mut plan = Plan {
        changes: cx.files.into_changes()?,
        notes: cx.notes,
        warnings: cx.warnings,
        capsules: deployment,
    };
    plan.warnings.sort();
    plan.warnings.dedup();
    // The guide describes every other rule's work, so it is written last.
    for (rule, file) in guides {
        let written = guide::Written { source, inventory, rules, rule, file };
        guide::add_to(&mut plan, &written)?;
    }
    Ok(plan)
}

/// `text` (the JSON file `path`) with the string `value` at `key`.
pub fn set_json_string(path: &str, text: &str, key: &[&str], value: &str) -> Result<String, Error> {
    crate::edit::json::set(text, key, &serde_json::Value::String(value.to_owned()))
        .map_err(|e| Error::File(e.to_file_error(path, text)))
}
