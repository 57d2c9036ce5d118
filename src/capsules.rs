//! The Capsules to create on Code Capsules, derived from the inventory.
//!
//! Heroku kept half of a deployment outside the code: dynos per process type, add-ons,
//! config vars and Scheduler jobs. Removing the Procfile and app.json must not lose what
//! they said, so this module turns them into the Capsules a user creates by hand, each
//! with its folder, commands, replicas and environment variables. Every sink (the guide,
//! the text plan, JSON) renders the same [`Deployment`].
//!
//! Nothing here reads a secret: values are shown only when the repository already holds
//! them (a non-secret app.json default, a `VAR=value` Procfile prefix) and the name does
//! not look like a credential.

mod addons;
mod build;
mod databases;
mod env;
mod launch;
mod links;
pub mod secret;

#[cfg(test)]
mod tests;

use serde::Serialize;

use crate::diag::Warning;
use crate::inventory::App;

pub use addons::{AddonUse, Replacement};
pub use build::derive;
pub use env::{
    CapsuleEnv, DevDefault, EnvScope, EnvSource, HEROKU_RUNTIME, is_build_time_backend_address,
    shown_default, url_path,
};
pub use launch::{Launch, launch, redacted, shell_quote};
pub use links::{capsule_for_heroku_app, herokuapp_default};

/// The kinds of Capsule a Heroku deployment maps to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum CapsuleKind {
    /// Data Capsules come first: the others link to them.
    #[serde(rename = "postgresql")]
    PostgreSql,
    #[serde(rename = "mysql")]
    MySql,
    #[serde(rename = "mongodb")]
    MongoDb,
    Redis,
    Backend,
    /// A static site: built once, served without a Node process.
    Frontend,
}

impl CapsuleKind {
    /// The type as Code Capsules names it in its "New Capsule" dialog.
    pub fn label(self) -> &'static str {
        match self {
            CapsuleKind::PostgreSql => "PostgreSQL",
            CapsuleKind::MySql => "MySQL",
            CapsuleKind::MongoDb => "MongoDB",
            CapsuleKind::Redis => "Redis",
            CapsuleKind::Backend => "Backend",
            CapsuleKind::Frontend => "Frontend (static site)",
        }
    }

    pub fn is_data(self) -> bool {
        matches!(
            self,
            CapsuleKind::PostgreSql
                | CapsuleKind::MySql
                | CapsuleKind::MongoDb
                | CapsuleKind::Redis
        )
    }
}

/// One Capsule to create.
#[derive(Debug, Clone, Serialize)]
pub struct Capsule {
    /// A suggested name, unique in the deployment; other Capsules refer to it.
    pub name: String,
    pub kind: CapsuleKind,
    /// The app folder it deploys (`.` for the root); `None` for data Capsules.
    pub app: Option<String>,
    /// What it replaces on Heroku, for people: `web: node server.js`, an add-on, jobs.
    pub replaces: String,
    /// The project path Code Capsules builds from, like `/` or `/backend`.
    pub folder: Option<String>,
    pub build_command: Option<String>,
    /// What Code Capsules runs, with credential-looking parts as `***` ([`redacted`]).
    pub run_command: Option<String>,
    /// Where a static site's files are after the build, relative to `folder`.
    pub output_folder: Option<String>,
    /// `None` for data Capsules and static sites, which have no processes to scale.
    pub replicas: Option<u64>,
    /// The Heroku process type it runs (`web`, `worker`, ...); `None` for data Capsules
    /// and the scheduler, which replace add-ons.
    pub heroku_process: Option<String>,
    /// The dyno size Heroku's formation gave the process, to pick a similar Capsule size.
    pub heroku_size: Option<String>,
    /// Whether its process serves on a port, as far as the code it runs shows (see
    /// [`crate::inventory::reach::Listening`]): `Some(false)` when every file its command
    /// runs was read and none listens or reads `PORT` (a bot that polls, a queue
    /// consumer); `None` when unknown or not a process (data Capsules, static sites).
    pub serves_http: Option<bool>,
    /// Whose variables `env` lists: the app's, or only those its commands' code reads.
    pub env_scope: EnvScope,
    pub env: Vec<CapsuleEnv>,
    /// What to know or do when creating it, one sentence each.
    pub notes: Vec<String>,
}

/// What became of one Procfile process: a Capsule, or a note saying where it went.
#[derive(Debug, Clone, Serialize)]
pub struct ProcessUse {
    /// The app folder, `.` for the root.
    pub app: String,
    pub name: String,
    pub command: String,
    /// The Capsule that runs it, when one does.
    pub capsule: Option<String>,
    /// Where it went, one sentence.
    pub note: String,
}

/// Everything a user creates on Code Capsules, in the order to create it.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Deployment {
    /// Data Capsules, then backends, then frontends; apps in folder order within each.
    pub capsules: Vec<Capsule>,
    /// Every Procfile process of every app, in app and Procfile order.
    pub processes: Vec<ProcessUse>,
    /// Every app.json add-on of every app, in app and declaration order.
    pub addons: Vec<AddonUse>,
    /// What the plan must warn about the Capsules (the same command run by two of them).
    #[serde(skip)]
    pub warnings: Vec<Warning>,
}

impl Capsule {
    /// Whether it runs the generated node-cron scheduler that replaces Heroku Scheduler.
    pub fn runs_scheduler(&self) -> bool {
        self.replaces.starts_with(SCHEDULER_REPLACES)
    }
}

impl Deployment {
    pub fn capsule(&self, name: &str) -> Option<&Capsule> {
        self.capsules.iter().find(|c| c.name == name)
    }

    /// The Capsules that deploy the app in `dir` (`.` for the root).
    pub fn capsules_of<'a>(&'a self, dir: &str) -> impl Iterator<Item = &'a Capsule> + 'a {
        let dir = dir.to_owned();
        self.capsules.iter().filter(move |c| c.app.as_deref() == Some(dir.as_str()))
    }
}

/// How a scheduler Capsule's `replaces` starts (`job` or `jobs`, then their names).
pub const SCHEDULER_REPLACES: &str = "Heroku Scheduler job";

/// True when the release command becomes (part of) the `prestart` script: the web process
/// is `npm start` (which ran `prestart` on Heroku too), or `npm start` will run the web
/// command and there is no `prestart` whose meaning would change. An app without a web
/// process keeps the `prestart` route (the guide says when to run it by hand).
pub fn release_in_prestart(app: &App) -> bool {
    let Some(pkg) = &app.package_json else { return false };
    // A manager that would skip `prestart` would skip the release too.
    if app.process("release").is_none() || app.skips_pre_scripts.is_some() {
        return false;
    }
    let Some(web) = app.process("web") else { return true };
    let web = launch(app, web).command;
    let start = pkg.script("start");
    is_npm_start(&web)
        || (pkg.script("prestart").is_none() && (start.is_none() || start == Some(web.as_str())))
}

/// The web command the release rule makes the `start` script, when there is none: without
/// it `npm start` (and so `prestart`) would not run the web process.
pub fn start_script_to_add(app: &App) -> Option<String> {
    let pkg = app.package_json.as_ref()?;
    if pkg.script("start").is_some() || !release_in_prestart(app) {
        return None;
    }
    let web = app.process("web")?;
    let launch = launch(app, web);
    (!is_npm_start(&launch.command)).then_some(launch.command)
}

/// `npm start` and its spellings, read with the shell grammar (`npm  start`, `"npm" start`).
pub fn is_npm_start(command: &str) -> bool {
    let steps = crate::shell::simple_commands(command);
    let [step] = steps.as_slice() else { return false };
    if !step.assignments.is_empty() {
        return false;
    }
    let words: Vec<&str> = step.words.iter().map(String::as_str).collect();
    matches!(
        words.as_slice(),
        ["npm", "start"]
            | ["npm", "run", "start"]
            | ["npm", "run-script", "start"]
            | ["yarn", "start"]
            | ["yarn", "run", "start"]
            | ["pnpm", "start"]
            | ["pnpm", "run", "start"]
    )
}

/// The project path for an app folder.
pub fn folder(dir: &str) -> String {
    format!("/{dir}")
}

/// The name people know the app by: app.json's name, package.json's name (without an npm
/// scope), the folder's name, or `app`.
fn base_name(app: &App) -> String {
    let from_app_json = app.app_json.as_ref().and_then(|a| a.value.name.clone());
    let from_package = app.package_json.as_ref().and_then(|p| {
        let name = p.value.get("name")?.as_str()?;
        Some(name.rsplit('/').next().unwrap_or(name).to_owned())
    });
    let from_dir = app.dir.rsplit('/').next().filter(|d| !d.is_empty()).map(str::to_owned);
    let base = [from_app_json, from_package, from_dir.clone()]
        .into_iter()
        .flatten()
        .map(|n| kebab(&n))
        .find(|n| !n.is_empty())
        .unwrap_or_else(|| "app".into());
    // A name from files shared with other apps (the app.json APP_BASE / PROCFILE sits in,
    // the package.json it runs from) names the repository: add the app's folder.
    let shared = app.run_dir.is_some()
        || app.app_json.as_ref().is_some_and(|a| crate::inventory::parent(&a.path) != app.dir);
    match from_dir {
        Some(folder) if shared && !base.ends_with(&kebab(&folder)) => {
            format!("{base}-{}", kebab(&folder))
        }
        _ => base,
    }
}

/// Lowercase letters, digits and single dashes, as Capsule names take them.
pub(crate) fn kebab(text: &str) -> String {
    let mut out = String::new();
    for c in text.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    out.trim_end_matches('-').to_owned()
}
