//! The declarative rule set: TOML files under `rules/`, embedded in the binary and
//! replaceable with `--rules DIR`.
//!
//! A rule file is read twice: first into `RawRule` (serde, unknown keys refused), then
//! validated into a [`Rule`] whose [`RuleKind`] carries exactly the parameters that kind
//! needs. Only validated rules reach the planner.

mod load;

pub use load::{check_env_name, check_node_major, embedded, load_dir};

use crate::diag::FileError;

/// The rule files shipped in the binary, in the order they run (file name order).
/// A test checks this list against the `rules/` folder so a new file cannot be forgotten.
pub(crate) const EMBEDDED: &[(&str, &str)] = &[
    ("10-remove-heroku-files.toml", include_str!("../../rules/10-remove-heroku-files.toml")),
    ("20-pin-node-engine.toml", include_str!("../../rules/20-pin-node-engine.toml")),
    ("30-frontend-build.toml", include_str!("../../rules/30-frontend-build.toml")),
    ("40-rewrite-herokuapp-urls.toml", include_str!("../../rules/40-rewrite-herokuapp-urls.toml")),
    ("50-scheduler.toml", include_str!("../../rules/50-scheduler.toml")),
    ("60-release-phase.toml", include_str!("../../rules/60-release-phase.toml")),
    ("90-guide.toml", include_str!("../../rules/90-guide.toml")),
];

/// A validated rule.
#[derive(Debug, Clone, PartialEq)]
pub struct Rule {
    /// Kebab-case and unique in the set; recorded on every change the rule makes.
    pub id: String,
    /// One line, shown next to each change.
    pub description: String,
    /// What breaks on Code Capsules without this rule.
    pub reason: String,
    pub kind: RuleKind,
}

/// What a rule does, with its parameters. The code implements each kind once.
#[derive(Debug, Clone, PartialEq)]
pub enum RuleKind {
    /// Delete every file with one of these names, in any app folder.
    RemoveFiles { files: Vec<String> },
    /// Keep a valid `engines.node` in each app's package.json, or pin `<major>.x` where
    /// it is missing, admits none of `platform_majors` (the Node majors Code Capsules
    /// runs), reaches past them, or cannot run the app; package-manager pins follow.
    PinNode { major: u32, platform_majors: Vec<u32> },
    /// Give each static frontend a build step that writes the backend URL, read from the
    /// environment variable `env`, into `output` in its public folder, using the
    /// generated script `script`.
    FrontendBuild { env: String, script: String, output: String },
    /// Replace `*.herokuapp.com` origins in frontend code with the injected value.
    RewriteUrls,
    /// Generate `file`, a node-cron scheduler for the app's Heroku Scheduler jobs, and
    /// depend on node-cron `node_cron`; `lock` is the release lockfiles record for it.
    Scheduler { file: String, node_cron: String, lock: Option<crate::edit::lockfile::Release> },
    /// Move what Heroku ran around the build and the release into npm scripts: the
    /// `release:` process becomes `prestart`, `heroku-postbuild` becomes `build`; report
    /// the rest (`heroku-prebuild`, `heroku-cleanup`, app.json `postdeploy`).
    ReleasePhase,
    /// Write the migration guide, `file` at the repository root, while the repository
    /// still has a Procfile or app.json. It runs after every other rule, wherever it is
    /// listed, since it describes what they did.
    Guide { file: String },
}

impl RuleKind {
    pub fn name(&self) -> &'static str {
        match self {
            RuleKind::RemoveFiles { .. } => "remove-files",
            RuleKind::PinNode { .. } => "pin-node",
            RuleKind::FrontendBuild { .. } => "frontend-build",
            RuleKind::RewriteUrls => "rewrite-urls",
            RuleKind::Scheduler { .. } => "scheduler",
            RuleKind::ReleasePhase => "release-phase",
            RuleKind::Guide { .. } => "guide",
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Invalid(#[from] FileError),
    #[error("{dir}: cannot read the rules folder: {message}")]
    Dir { dir: String, message: String },
}

/// The rule set after the command-line settings that override parameters were applied.
#[derive(Debug, Clone)]
pub struct RuleSet {
    pub rules: Vec<Rule>,
}

impl RuleSet {
    /// `--node MAJOR` replaces the major of every `pin-node` rule.
    pub fn override_node_major(&mut self, major: u32) {
        for rule in &mut self.rules {
            if let RuleKind::PinNode { major: m, .. } = &mut rule.kind {
                *m = major;
            }
        }
    }

    /// `--backend-url-env NAME` replaces the variable of every `frontend-build` rule.
    pub fn override_backend_url_env(&mut self, name: &str) {
        for rule in &mut self.rules {
            if let RuleKind::FrontendBuild { env, .. } = &mut rule.kind {
                name.clone_into(env);
            }
        }
    }

    /// The variable that carries the backend URL, as the frontend rule will use it.
    pub fn backend_url_env(&self) -> Option<&str> {
        self.rules.iter().find_map(|r| match &r.kind {
            RuleKind::FrontendBuild { env, .. } => Some(env.as_str()),
            _ => None,
        })
    }

    /// The releases that rules know lockfile entries for (node-cron's, from the
    /// scheduler rule's `node_cron_lock`), each with the rule that carries it.
    pub fn locked_releases(&self) -> Vec<(&Rule, &crate::edit::lockfile::Release)> {
        self.rules
            .iter()
            .filter_map(|r| match &r.kind {
                RuleKind::Scheduler { lock: Some(lock), .. } => Some((r, lock)),
                _ => None,
            })
            .collect()
    }

    /// The file the guide rule writes, when the set has one.
    pub fn guide_file(&self) -> Option<&str> {
        self.rules.iter().find_map(|r| match &r.kind {
            RuleKind::Guide { file } => Some(file.as_str()),
            _ => None,
        })
    }

    pub fn get(&self, id: &str) -> Option<&Rule> {
        self.rules.iter().find(|r| r.id == id)
    }
}
