//! The facts about the Heroku deployment, found by reading the repository.
//!
//! Apps are found from evidence (a Procfile, an app.json, Heroku's monorepo settings,
//! `--app`), never from every package.json: big repos hold dozens of package.json files
//! in examples and test fixtures that are no app.

pub mod app_json;
mod apps;
pub mod code;
pub mod docs;
pub mod hosts;
pub mod jobs;
pub mod js;
pub mod package_json;
pub mod procfile;

pub use apps::{Hints, discover};

use crate::diag::{FileError, Warning};

/// A file of the repository together with what was parsed from it.
#[derive(Debug, Clone)]
pub struct Located<T> {
    /// Repo-relative path.
    pub path: String,
    pub value: T,
}

/// One Heroku app: a folder that becomes one or more Capsules.
#[derive(Debug, Clone)]
pub struct App {
    /// Repo-relative folder, `""` for the repository root.
    pub dir: String,
    /// Why this folder is an app, for the report.
    pub evidence: Vec<String>,
    pub procfile: Option<Located<procfile::Procfile>>,
    pub app_json: Option<Located<app_json::AppJson>>,
    pub package_json: Option<package_json::PackageJson>,
    /// `.nvmrc` or `.node-version`, trimmed.
    pub node_version_file: Option<Located<String>>,
    /// Set when the app only serves static files (or is built by a bundler).
    pub frontend: Option<Frontend>,
}

/// A frontend app: how it is built and where its pages are.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Frontend {
    pub kind: crate::generate::frontend::FrontendKind,
    /// The folder served (or the build output), relative to the app, `""` for the app's own.
    pub public_dir: String,
    /// The page a bundler copies into its output, relative to the app (Angular's
    /// `src/index.html`): where `config.js` is loaded when the output is not committed.
    pub page_template: Option<String>,
    /// heroku-buildpack-static's `static.json` forwarded paths (`/api/`) to the origin in
    /// this variable (`API_URL` for `${API_URL}`): it carries the backend URL into the
    /// build instead of the default variable, so the value keeps its name.
    pub proxy_env: Option<String>,
    /// `static.json` has `routes` (a single-page app served at every path): `config.js`
    /// is loaded from the site's root (`/config.js`), not relative to the page.
    pub rooted_routes: bool,
}

impl App {
    /// The folder as shown to people: `.` for the root.
    pub fn display_dir(&self) -> &str {
        if self.dir.is_empty() { "." } else { &self.dir }
    }

    /// The path of `name` inside this app's folder.
    pub fn path_of(&self, name: &str) -> String {
        join(&self.dir, name)
    }

    pub fn processes(&self) -> &[procfile::Process] {
        self.procfile.as_ref().map_or(&[], |p| &p.value.processes)
    }

    pub fn process(&self, name: &str) -> Option<&procfile::Process> {
        self.processes().iter().find(|p| p.name == name)
    }
}

/// Everything the rules need to know.
#[derive(Debug, Default)]
pub struct Inventory {
    /// Sorted by folder.
    pub apps: Vec<App>,
    pub jobs: Vec<jobs::Job>,
    pub warnings: Vec<Warning>,
    /// The files that show the repository deploys on Heroku; empty means nothing to do.
    pub heroku_markers: Vec<String>,
    /// Source files with facts, in path order.
    pub code: Vec<code::CodeFile>,
    /// The herokuapp hosts the code and text files name, with what each is, by name.
    pub hosts: Vec<hosts::HerokuHost>,
}

impl Inventory {
    pub fn app(&self, dir: &str) -> Option<&App> {
        self.apps.iter().find(|a| a.dir == dir)
    }

    /// The source files of the app in `dir` (not those of apps nested inside it).
    pub fn code_of<'a>(&'a self, dir: &'a str) -> impl Iterator<Item = &'a code::CodeFile> + 'a {
        self.code.iter().filter(move |c| c.app.as_deref() == Some(dir))
    }

    /// True when the app has a web process, or a long-running process that is not one of
    /// its Scheduler jobs (a `worker: node job.ts` that a job also runs is that job).
    pub fn runs_a_service(&self, app: &App) -> bool {
        let job_commands: Vec<&str> = self.jobs_of(&app.dir).map(|j| j.command.as_str()).collect();
        app.processes().iter().any(|p| {
            p.name == "web" || (p.name != "release" && !job_commands.contains(&p.command.trim()))
        })
    }

    pub fn jobs_of<'a>(&'a self, dir: &'a str) -> impl Iterator<Item = &'a jobs::Job> + 'a {
        self.jobs.iter().filter(move |j| j.app == dir)
    }
}

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    File(#[from] FileError),
    #[error(transparent)]
    Source(#[from] crate::source::Error),
}

/// `dir/name`, or `name` at the root.
pub fn join(dir: &str, name: &str) -> String {
    if dir.is_empty() { name.to_owned() } else { format!("{dir}/{name}") }
}

/// The folder of a repo-relative path, `""` at the root.
pub fn parent(path: &str) -> &str {
    path.rsplit_once('/').map_or("", |(dir, _)| dir)
}

/// True when any folder on the path is `node_modules`: never an app, never edited.
pub fn in_node_modules(path: &str) -> bool {
    path.split('/').any(|part| part == "node_modules")
}
