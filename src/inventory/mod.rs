//! The facts about the Heroku deployment, found by reading the repository.
//!
//! Apps are found from evidence (a Procfile, an app.json, Heroku's monorepo settings,
//! `--app`), never from every package.json: big repos hold dozens of package.json files
//! in examples and test fixtures that are no app.

pub mod app_json;
mod apps;
pub(crate) mod code;
pub(crate) mod config;
pub(crate) mod docs;
pub(crate) mod frontend;
pub(crate) mod hosts;
pub mod jobs;
pub mod js;
pub mod package_json;
pub(crate) mod phases;
pub mod procfile;
pub(crate) mod programs;
pub(crate) mod reach;
pub mod scripts;
pub(crate) mod signs;
pub(crate) mod workspace;

pub(crate) use apps::{Hints, discover};

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
    /// The Node version each of the version files developers' tools read names, in
    /// this order: `.nvmrc`, `.node-version`, `.tool-versions` (its `nodejs` line). The
    /// value is trimmed; for `.tool-versions` it is the first version on that line.
    pub node_version_files: Vec<Located<String>>,
    /// Set when the app only serves static files (or is built by a bundler).
    pub frontend: Option<Frontend>,
    /// The folder its commands run from and its Capsules build, when that is not `dir`:
    /// a nested Procfile without a package.json beside it (run from the repository by a
    /// monorepo buildpack) is an app of its own folder whose code is the enclosing one.
    pub run_dir: Option<String>,
    /// The package.json in `dir` of an app that runs from `run_dir` (a workspace member
    /// whose Procfile runs from the workspace's root): `package_json` is the root's, which
    /// installs and pins Node, while this one names what the process itself loads.
    pub member_package: Option<package_json::PackageJson>,
    /// Why it runs from `run_dir`, when its files said so rather than the lack of a
    /// package.json beside its Procfile (a workspace command, a path from the root, a
    /// multi-procfile `PROCFILE`): "runs from `.`: ...".
    pub run_reason: Option<String>,
    /// Why its package manager may not run a `prestart` script before `start`, when it
    /// may not: yarn 2+ runs none of the user's pre/post scripts, pnpm runs them only from
    /// pnpm 9 (before, with `enable-pre-post-scripts=true`). Read from the lockfile's
    /// format and the `packageManager` field.
    pub skips_pre_scripts: Option<&'static str>,
}

/// A frontend app: how it is built and where its pages are.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Frontend {
    pub kind: crate::inventory::frontend::FrontendKind,
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
    /// The prefix vite.config's `envPrefix` exposes to the page instead of `VITE_`
    /// (Vite and SvelteKit), when it does not expose `VITE_`.
    pub env_prefix: Option<String>,
    /// Its code's calls to relative URLs that are not its own files (`fetch('/api/x')`,
    /// `io()`), as (repository path, call): they reach the static site, not a backend.
    /// Filled once the apps are known.
    pub(crate) own_origin: Vec<(String, crate::inventory::frontend::calls::RelativeCall)>,
    /// The dev server's proxy that forwarded those calls in development, if any.
    pub(crate) dev_proxy: Option<crate::inventory::frontend::DevProxy>,
}

impl Frontend {
    /// The variable that carries the backend URL into this frontend's build:
    /// `FrontendKind::backend_url_var`, with the prefix
    /// vite.config's `envPrefix` sets where it replaces `VITE_`.
    pub fn backend_url_var(&self, env: &str) -> String {
        match &self.env_prefix {
            Some(prefix) if env.starts_with(prefix.as_str()) => env.to_owned(),
            Some(prefix) => format!("{prefix}{env}"),
            None => self.kind.backend_url_var(env),
        }
    }
}

#[cfg(test)]
impl App {
    /// An app in `dir` with nothing found yet, for tests to fill in.
    pub(crate) fn bare(dir: &str) -> App {
        App {
            dir: dir.into(),
            evidence: Vec::new(),
            procfile: None,
            app_json: None,
            package_json: None,
            node_version_files: Vec::new(),
            frontend: None,
            run_dir: None,
            member_package: None,
            run_reason: None,
            skips_pre_scripts: None,
        }
    }

    /// [`App::bare`] with `package` as its package.json.
    pub(crate) fn with_package(dir: &str, package: &str) -> App {
        let path = join(dir, "package.json");
        let parsed = package_json::PackageJson::parse(&path, package.as_bytes());
        App { package_json: Some(parsed.expect("a test package.json parses")), ..App::bare(dir) }
    }
}

impl App {
    /// The folder as shown to people: `.` for the root.
    pub fn display_dir(&self) -> &str {
        if self.dir.is_empty() { "." } else { &self.dir }
    }

    /// The folder its Capsules build and run from.
    pub fn build_dir(&self) -> &str {
        self.run_dir.as_deref().unwrap_or(&self.dir)
    }

    /// The path of `name` inside the folder that holds this app's code and package.json
    /// (its own folder, or the one it runs from: see `run_dir`).
    pub fn path_of(&self, name: &str) -> String {
        join(self.build_dir(), name)
    }

    pub fn processes(&self) -> &[procfile::Process] {
        self.procfile.as_ref().map_or(&[], |p| &p.value.processes)
    }

    /// True when Heroku's web process was the Node.js buildpack's default, `npm start`:
    /// without a Procfile, or with one that declares no processes (only comments or
    /// blank lines), Heroku runs the buildpack's default process types (HEROKU.md).
    pub fn default_web(&self) -> bool {
        self.processes().is_empty()
    }

    pub fn process(&self, name: &str) -> Option<&procfile::Process> {
        self.processes().iter().find(|p| p.name == name)
    }

    /// True when app.json's formation gives process type `name` at least one dyno
    /// (a quantity left out means 1).
    pub fn formation_runs(&self, name: &str) -> bool {
        let formation = self.app_json.as_ref().map_or(&[][..], |a| &a.value.formation[..]);
        formation.iter().any(|f| f.process == name && f.quantity.unwrap_or(1) > 0)
    }
}

/// Everything the rules need to know.
#[derive(Debug, Default)]
pub(crate) struct Inventory {
    /// Sorted by folder.
    pub apps: Vec<App>,
    pub jobs: Vec<jobs::Job>,
    pub warnings: Vec<Warning>,
    /// The files that show the repository deploys on Heroku; empty means nothing to do.
    pub heroku_markers: Vec<String>,
    /// Source files with facts, in path order.
    pub code: Vec<code::CodeFile>,
    /// Source files too large to parse that mention what the rules look for, in path
    /// order: named in warnings and the guide, never edited.
    pub unread_code: Vec<code::UnreadFile>,
    /// Config files outside the code (`.env.example`, node-config, Prisma, wrapper
    /// scripts), in path order.
    pub config: Vec<config::ConfigFile>,
    /// Paths of the lockfiles outside node_modules, in path order.
    pub lockfiles: Vec<String>,
    /// The herokuapp hosts the code and text files name, with what each is, by name.
    pub hosts: Vec<hosts::HerokuHost>,
    /// The lines of documentation and tests that name herokuapp hosts, in path order:
    /// summarised in one warning per folder and listed in the guide, since nothing that
    /// runs in production reads them ([`docs::Place`]).
    pub quiet_mentions: Vec<docs::Mention>,
    /// What each Scheduler job and each Procfile process other than `web` and `release`
    /// runs, in app order: the files its command reaches ([`reach`]).
    pub reaches: Vec<reach::Reach>,
    /// What each app's web process runs, read only until it shows that it listens
    /// ([`reach::Reacher::listens`]): its Capsule keeps the app's variables either way.
    pub web_reaches: Vec<reach::Reach>,
    /// For the apps whose build or Heroku-only hooks run something: which scripts and
    /// files run only then, and the database migrations the build runs, in app order.
    pub phases: Vec<phases::AppPhases>,
    /// For each app that depends on packages of the repository outside its own folder
    /// (workspace members, `file:` dependencies): their folders ([`workspace`]).
    pub workspace_packages: Vec<(String, Vec<String>)>,
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
    /// its Scheduler jobs (a `worker: node job.ts` that a job also runs is that job, unless
    /// app.json's formation says Heroku ran it too). Without a Procfile Heroku's web process
    /// is `npm start`, so a `start` script that is not a job's command is a service.
    pub fn runs_a_service(&self, app: &App) -> bool {
        let is_a_job = |command: &str| {
            self.jobs_of(&app.dir).any(|j| crate::shell::same_command(&j.command, command))
        };
        if app.default_web() {
            let start = app.package_json.as_ref().and_then(|p| p.script("start"));
            return start.is_some_and(|s| !is_a_job(s));
        }
        // A job that names the process type (`worker 42`) runs it as a job too.
        let names_it =
            |name: &str| self.jobs_of(&app.dir).any(|j| j.process.as_deref() == Some(name));
        app.processes().iter().any(|p| {
            p.name == "web"
                || (p.name != "release"
                    && ((!is_a_job(&p.command) && !names_it(&p.name))
                        || app.formation_runs(&p.name)))
        })
    }

    /// The config files of `app` that its deployed code uses: not those of tests,
    /// examples or tooling (see [`code::is_runtime_path`]).
    pub fn config_of<'a>(
        &'a self,
        app: &'a App,
    ) -> impl Iterator<Item = &'a config::ConfigFile> + 'a {
        let jobs: Vec<&str> = self.jobs_of(&app.dir).map(|j| j.command.as_str()).collect();
        self.config.iter().filter(move |c| {
            c.app.as_deref() == Some(app.dir.as_str()) && code::is_runtime_path(app, &jobs, &c.path)
        })
    }

    /// What `command`, a Scheduler job or a process other than `web` of the app in `dir`,
    /// runs; `None` for other commands.
    pub fn reach(&self, dir: &str, command: &str) -> Option<&reach::Reach> {
        self.reaches.iter().find(|r| r.app == dir && r.command == command)
    }

    /// Whether the web `command` of the app in `dir` listens ([`reach::Reacher::listens`]).
    pub fn web_reach(&self, dir: &str, command: &str) -> Option<&reach::Reach> {
        self.web_reaches.iter().find(|r| r.app == dir && r.command == command)
    }

    /// The files any job or process of `app` reaches ([`Inventory::reach`]).
    pub fn reached_by_commands<'a>(&'a self, app: &'a App) -> impl Iterator<Item = &'a str> + 'a {
        self.reaches
            .iter()
            .filter(move |r| r.app == app.dir)
            .flat_map(|r| r.files.iter().map(String::as_str))
    }

    /// The folders of the repository's packages outside its own folder that `app` loads.
    pub fn workspace_packages_of(&self, app: &App) -> &[String] {
        let found = self.workspace_packages.iter().find(|(dir, _)| *dir == app.dir);
        found.map_or(&[], |(_, folders)| folders.as_slice())
    }

    /// When the app's script `name` or file `path` runs ([`phases::Phase`]).
    pub fn phases_of(&self, dir: &str) -> Option<&phases::AppPhases> {
        self.phases.iter().find(|p| p.app == dir)
    }

    pub fn jobs_of<'a>(&'a self, dir: &'a str) -> impl Iterator<Item = &'a jobs::Job> + 'a {
        self.jobs.iter().filter(move |j| j.app == dir)
    }
}

#[derive(Debug, thiserror::Error)]
pub(crate) enum Error {
    #[error(transparent)]
    File(#[from] FileError),
    #[error(transparent)]
    Source(#[from] crate::source::Error),
}

/// The steps of the relative `/`-separated `path` with `.`, empty and `x/..` steps taken
/// out: `./a/../b/` -> `["b"]`. Leading `..` steps stay (a folder beside the start).
pub(crate) fn path_steps(path: &str) -> Vec<&str> {
    let mut steps: Vec<&str> = Vec::new();
    for step in path.split('/') {
        match step {
            "" | "." => {}
            ".." if steps.last().is_some_and(|p| *p != "..") => {
                steps.pop();
            }
            _ => steps.push(step),
        }
    }
    steps
}

/// Every package.json of the repository outside node_modules, in path order.
pub(crate) fn package_manifests(source: &crate::source::Source) -> Vec<&str> {
    source
        .entries()
        .iter()
        .filter(|e| e.kind.is_regular())
        .map(|e| e.path.as_str())
        .filter(|p| (*p == "package.json" || p.ends_with("/package.json")) && !in_node_modules(p))
        .collect()
}

/// `dir/name`, or `name` at the root.
pub(crate) fn join(dir: &str, name: &str) -> String {
    if dir.is_empty() { name.to_owned() } else { format!("{dir}/{name}") }
}

/// The folder of a repo-relative path, `""` at the root.
pub(crate) fn parent(path: &str) -> &str {
    path.rsplit_once('/').map_or("", |(dir, _)| dir)
}

/// True when any folder on the path is `node_modules`: never an app, never edited.
pub(crate) fn in_node_modules(path: &str) -> bool {
    // One substring search rules out almost every path before it is split.
    path.contains("node_modules") && path.split('/').any(|part| part == "node_modules")
}
