//! Running the rules, in order, over the inventory.

use super::{Note, Plan, Workspace, frontend, guide, pin_node, release, remove_files, scheduler};
use crate::capsules;
use crate::diag::{FileError, Warning};
use crate::edit::package_json::PackageJsonEditor;
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
    /// What `pin-node` decided for each app.
    pub node_engines: Vec<super::NodeEngine>,
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

    /// The package.json at `path` as it stands after the rules so far, opened for
    /// editing; `None` when it is absent or not UTF-8 (with a warning).
    pub fn package_json(&mut self, path: &str) -> Result<Option<PackageJsonEditor>, Error> {
        Ok(self.read_text(path)?.map(|text| PackageJsonEditor::new(path, text)))
    }

    /// Records the edited package.json on behalf of `rule`, when it changed.
    pub fn save(&mut self, editor: PackageJsonEditor, rule: &Rule) -> Result<(), Error> {
        let path = editor.path().to_owned();
        let current = self.files.read(&path)?;
        if current.as_deref() != Some(editor.text().as_bytes()) {
            self.files.write(&path, editor.into_text().into_bytes(), &rule.id);
        }
        Ok(())
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
        node_engines: Vec::new(),
    };
    if inventory.heroku_markers.is_empty() && inventory.apps.is_empty() {
        return Ok(Plan { warnings: cx.warnings, ..Plan::default() });
    }
    let mut guides: Vec<(&Rule, &str)> = Vec::new();
    for rule in &rules.rules {
        match &rule.kind {
            RuleKind::RemoveFiles { files } => remove_files::run(&mut cx, rule, files),
            RuleKind::PinNode { major, platform_majors } => {
                pin_node::run(&mut cx, rule, *major, platform_majors)?;
            }
            RuleKind::FrontendBuild { env, script, output } => {
                frontend::build_step(&mut cx, rule, env, script, output)?;
            }
            RuleKind::RewriteUrls => {
                let env = rules.backend_url_env().unwrap_or("BACKEND_URL");
                frontend::rewrite_urls(&mut cx, rule, env)?;
            }
            RuleKind::Scheduler { file, node_cron } => {
                scheduler::run(&mut cx, rule, file, node_cron)?;
            }
            RuleKind::ReleasePhase => release::run(&mut cx, rule)?,
            RuleKind::Guide { file } => guides.push((rule, file)),
        }
    }
    let mut deployment = capsules::derive(inventory, rules);
    // A folder inside a repository is deployed from that repository: Code Capsules'
    // project path starts at the repository's root.
    if let Some(scope) = source.git().and_then(|git| git.scope()) {
        for folder in deployment.capsules.iter_mut().filter_map(|c| c.folder.as_mut()) {
            *folder = format!("/{scope}{}", folder.trim_end_matches('/'));
        }
    }
    cx.warnings.extend(scheduler_without_jobs(inventory, &deployment));
    let mut plan = Plan {
        changes: cx.files.into_changes()?,
        notes: cx.notes,
        warnings: cx.warnings,
        node_engines: cx.node_engines,
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

/// A Scheduler add-on whose jobs were not given: the jobs live only in Heroku's dashboard,
/// and the migration removes the app.json that named the add-on, so nothing else would
/// remind anyone of them.
fn scheduler_without_jobs(
    inventory: &Inventory,
    deployment: &capsules::Deployment,
) -> Vec<Warning> {
    let unscheduled = deployment
        .addons
        .iter()
        .filter(|a| a.replacement == capsules::Replacement::Scheduler && a.capsule.is_none());
    unscheduled
        .filter_map(|addon| {
            let app = inventory.apps.iter().find(|app| app.display_dir() == addon.app)?;
            let file = app.app_json.as_ref()?;
            Some(Warning::in_file(
                &file.path,
                format!(
                    "declares the Heroku Scheduler add-on `{}`, but no jobs were given for `{}`: \
                     its jobs stop running after the move. Copy them from the dashboard \
                     (`heroku addons:open scheduler -a <heroku-app>`) into a jobs file and run \
                     again with `--jobs FILE`",
                    addon.spec(),
                    addon.app
                ),
            ))
        })
        .collect()
}
