//! Which files of the repository a command runs, so that a Capsule running only that
//! command (a Scheduler job, a worker) is given only the variables those files read.
//!
//! The command is read with the shell grammar ([`crate::shell`]): `node x.js` and its
//! options (`-r dotenv/config`, `--import ./setup.mjs`), `ts-node`/`tsx`-style runners,
//! `npx`, `npm run x` / `yarn x` / `pnpm x` through package.json's scripts (and their
//! `pre`/`post` hooks), `VAR=value` and `env` prefixes, `cd DIR &&`, and shell scripts it
//! starts. From each entry file, every module it loads is followed as Node resolves it:
//! relative paths with the extensions `.js`, `.mjs`, `.cjs`, `.ts`, `.tsx`, `.jsx`
//! (`./x.js` written in TypeScript for `./x.ts`), a folder's `package.json` `main` or its
//! `index`, packages of the repository's own workspaces, and the path aliases of
//! tsconfig.json/jsconfig.json, package.json `imports` and `_moduleAliases` ([`aliases`]).
//! Code those files start is
//! followed too ([`super::js::spawns`]): `child_process.fork(path)`, `new Worker(path)`,
//! `cluster.setupPrimary({ exec })` as another entry (a literal path from the working
//! folder or the file's, `__dirname`, `require.resolve`, `import.meta.url`), and
//! `spawn`/`execFile`/`execa`/`cross-spawn` programs and `exec` shell lines as commands.
//! Vendored and minified files ([`super::code::is_not_app_code`]) are not read.
//!
//! What could run code this cannot see makes the reach incomplete, with the reason in
//! one sentence: a program that is not a file of the repository, a module whose name is
//! computed (`require(name)`), a name that is neither a file, a dependency nor an alias
//! the settings resolve, a file the build makes, code started from a computed path. The caller then
//! keeps the whole app's variables.

use std::collections::{BTreeMap, BTreeSet};

use super::code::CodeFile;
use super::js::JsFacts;
use super::{App, parent};
use crate::source::Source;

mod aliases;
mod commands;
mod modules;
mod spawned;

pub(crate) use modules::normalize as normalize_path;
use modules::{Installed, read_json};

/// The web process Heroku runs for an app without a Procfile (Node.js buildpack).
pub const DEFAULT_WEB: &str = "npm start";

/// Source files larger than this are bundles, not code people wrote (as in
/// [`super::code`]): a command that reaches one is not followed further.
const MAX_SOURCE: u64 = 2 * 1024 * 1024;

/// How deep scripts may call scripts (and shell scripts start others) before the reach
/// gives up: real chains are two or three deep; a cycle would never end.
const MAX_DEPTH: usize = 12;

/// What one command of an app runs.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Reach {
    /// The app folder, as [`App::dir`] has it.
    pub app: String,
    /// The command as written in the Procfile or the jobs file.
    pub command: String,
    /// The repository's files the command runs, repo-relative, in path order: JavaScript
    /// and TypeScript sources, and the shell scripts it starts.
    pub files: Vec<String>,
    /// The npm packages (not files) the reached code loads, each once, in name order:
    /// `dotenv`, `config` (node-config), `@prisma/client`, ...
    pub packages: Vec<String>,
    /// The package.json scripts the command runs, hooks included, in the order met: the
    /// app's by name, another package's as `folder/package.json#name`.
    pub scripts: Vec<String>,
    /// Why `files` may not be everything the command runs, one sentence; `None` when
    /// every step was followed.
    pub unresolved: Option<String>,
    /// The first sign that the command serves on a port, for people: a file's listen
    /// call (`\`server.js:12\` calls \`app.listen\``, see
    /// [`crate::inventory::js::listen`]), a read of `PORT`, a server program
    /// (`next start`). `None` when none was seen.
    pub serves: Option<String>,
}

/// Whether a command serves on a port, as far as its code shows.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Listening {
    /// It listens; the sign, for people.
    Yes(String),
    /// Every file it runs was read, and none listens or reads `PORT`.
    No,
    /// Part of what it runs could not be read, and what was read does not listen.
    Unknown,
}

impl Reach {
    /// True when the code loads `package` (or one of its subpaths, `dotenv/config`).
    pub fn loads(&self, package: &str) -> bool {
        self.packages.iter().any(|p| p == package)
    }

    /// Whether the command listens on a port: a sign anywhere says yes; no sign says no
    /// only when every step of the command was followed.
    pub fn listening(&self) -> Listening {
        match (&self.serves, &self.unresolved) {
            (Some(sign), _) => Listening::Yes(sign.clone()),
            (None, None) => Listening::No,
            (None, Some(_)) => Listening::Unknown,
        }
    }
}

/// Finds what commands reach; holds what every command of a repository shares.
pub struct Reacher<'a> {
    source: &'a Source,
    /// The code scan's files ([`super::Inventory::code`]), in path order: their facts are
    /// the ones a new [`super::js::scan`] would give, without parsing again.
    code: &'a [CodeFile],
    /// `name` of every package.json outside node_modules -> its folder: the packages of
    /// the repository's workspaces, which an app loads by name but are its own files.
    local_packages: BTreeMap<String, String>,
}

/// A [`Reacher`] made on first use and shared by everything that follows commands in one
/// run: making one reads every package.json of the repository.
pub struct LazyReacher<'a> {
    source: &'a Source,
    code: &'a [CodeFile],
    made: std::cell::OnceCell<Reacher<'a>>,
}

impl<'a> LazyReacher<'a> {
    pub fn new(source: &'a Source, code: &'a [CodeFile]) -> LazyReacher<'a> {
        LazyReacher { source, code, made: std::cell::OnceCell::new() }
    }

    pub fn get(&self) -> &Reacher<'a> {
        self.made.get_or_init(|| Reacher::new(self.source, self.code))
    }
}

impl<'a> Reacher<'a> {
    pub fn new(source: &'a Source, code: &'a [CodeFile]) -> Reacher<'a> {
        let mut local_packages = BTreeMap::new();
        for path in super::package_manifests(source) {
            if let Some(name) = read_json(source, path)
                .and_then(|v| v.get("name").and_then(|n| n.as_str()).map(str::to_owned))
            {
                local_packages.entry(name).or_insert_with(|| parent(path).to_owned());
            }
        }
        Reacher { source, code, local_packages }
    }

    /// The code scan's facts of the file at `path`, if it scanned it.
    fn scanned(&self, path: &str) -> Option<&JsFacts> {
        let index = self.code.binary_search_by(|f| f.path.as_str().cmp(path)).ok()?;
        Some(&self.code[index].facts)
    }

    /// What `command` runs when started in `app`'s folder (the one with its package.json).
    pub fn reach(&self, app: &App, command: &str) -> Reach {
        self.walk(app, command, false)
    }

    /// What a web `command` runs, read only until a sign that it listens is found (a web
    /// Capsule keeps the app's variables, so its files are wanted only for
    /// [`Reach::listening`]): `files` is then partial, and `serves` set.
    pub fn listens(&self, app: &App, command: &str) -> Reach {
        self.walk(app, command, true)
    }

    fn walk(&self, app: &App, command: &str, until_serving: bool) -> Reach {
        let mut walk = Walk {
            reacher: self,
            app,
            files: BTreeSet::new(),
            packages: BTreeSet::new(),
            scripts: Vec::new(),
            unresolved: None,
            serves: None,
            queue: Vec::new(),
            followed: BTreeSet::new(),
            installed: BTreeMap::new(),
            ts_configs: BTreeMap::new(),
            until_serving,
        };
        walk.line(command, app.build_dir(), 0);
        walk.follow();
        Reach {
            app: app.dir.clone(),
            command: command.to_owned(),
            files: walk.files.into_iter().collect(),
            packages: walk.packages.into_iter().collect(),
            scripts: walk.scripts,
            unresolved: walk.unresolved,
            serves: walk.serves,
        }
    }
}

struct Walk<'r, 'a> {
    reacher: &'r Reacher<'a>,
    app: &'r App,
    files: BTreeSet<String>,
    packages: BTreeSet<String>,
    scripts: Vec<String>,
    unresolved: Option<String>,
    serves: Option<String>,
    /// JavaScript files found but not yet read, each with the working folder of the
    /// process that runs it (what its relative `fork`/`spawn` paths resolve against).
    queue: Vec<(String, String)>,
    /// The (file, working folder) pairs already read.
    followed: BTreeSet<(String, String)>,
    /// What each folder's package.json and lockfiles let code load, by folder, as read.
    installed: BTreeMap<String, Installed>,
    /// The tsconfig.json/jsconfig.json settings that apply in each folder, as read.
    ts_configs: aliases::TsConfigs,
    /// Stop reading files once a sign of listening is found ([`Reacher::listens`]).
    until_serving: bool,
}

/// Programs that run no code of the repository and read none of the app's variables
/// (what their words read, `$TOKEN` in `curl -H "Authorization: $TOKEN"`, the Capsule
/// lists from the command itself).
const NO_CODE: &[&str] = &[
    "echo",
    "printf",
    "true",
    "false",
    ":",
    "sleep",
    "exit",
    "export",
    "set",
    "unset",
    "test",
    "[",
    "date",
    "mkdir",
    "rm",
    "cp",
    "mv",
    "cat",
    "touch",
    "ls",
    "wait",
    "curl",
    "wget",
    // Build, lint and file tools from npm: they compile, check or copy the code, never
    // run it.
    "eslint",
    "tslint",
    "prettier",
    "tsc",
    "rimraf",
    "mkdirp",
    "copyfiles",
    "cpx",
    "shx",
];

impl Walk<'_, '_> {
    /// Notes the first reason the reach is incomplete.
    fn fail(&mut self, reason: String) {
        self.unresolved.get_or_insert(reason);
    }

    /// Notes the first sign that the command serves on a port.
    fn serve(&mut self, sign: impl FnOnce() -> String) {
        if self.serves.is_none() {
            self.serves = Some(sign());
        }
    }

    fn source(&self) -> &Source {
        self.reacher.source
    }

    fn is_file(&self, path: &str) -> bool {
        self.source().entry(path).is_some_and(|e| e.kind.is_regular())
    }
}

#[cfg(test)]
mod tests;
