//! The result of one run that every sink renders: the facts and the plan made from them.

use crate::inventory::Inventory;
use crate::plan::Plan;
use crate::rules::RuleSet;
use crate::saved;
use crate::source::Source;

/// How a command ended when it did not fail: its exit code and lines for stderr.
#[derive(Debug, Default)]
pub struct Outcome {
    pub code: i32,
    pub stderr: Vec<String>,
}

/// Everything a sink renders: the facts and the plan made from them.
pub struct Migration {
    pub source: Source,
    pub inventory: Inventory,
    pub rules: RuleSet,
    pub plan: Plan,
    /// What identifies this plan for [`saved`]; `None` outside git.
    pub key: Option<saved::Key>,
    /// How many of the plan's last warnings are about the work tree (uncommitted
    /// changes, an operation in progress) rather than the files of HEAD.
    pub worktree_warnings: usize,
}

/// Why there is nothing to change, in one line.
pub fn nothing_to_do(migration: &Migration) -> String {
    let guide = migration.rules.guide_file();
    let migrated = guide.is_some_and(|file| migration.source.entry(file).is_some());
    if migrated && migration.inventory.heroku_markers.is_empty() {
        let file = guide.unwrap_or_default();
        format!("Nothing to do: the repository is already migrated to Code Capsules (see {file}).")
    } else if migration.inventory.apps.is_empty() {
        "No Heroku app found (no Procfile, app.json, static.json, heroku-* npm script, or script \
         or GitHub workflow that deploys to Heroku or runs its CLI): nothing to migrate."
            .into()
    } else {
        "Nothing to do: the repository is already migrated to Code Capsules.".into()
    }
}
