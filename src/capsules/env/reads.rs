//! What an app's code, config files and scripts read, with when each read runs (with
//! the app, while it builds, or only in Heroku's dropped hooks) and what it falls back to.

use std::collections::{BTreeMap, BTreeSet};

use super::dev::{self, DevDefault};
use super::{CapsuleEnv, SET_BY_PLATFORM, secret};
use crate::inventory::config::{self, ConfigKind};
use crate::inventory::js::Fallback;
use crate::inventory::phases::Phase;
use crate::inventory::{App, Inventory, code, parent};

/// What an app reads at run time, beyond app.json.
#[derive(Debug, Default)]
pub(in crate::capsules) struct AppReads {
    /// Variable -> where it is read (`path:line`, the first read per file, in path
    /// order), by the running app or its build. Without the variables Code Capsules
    /// sets, those only tests and tooling read, and those a wrapper script derives.
    pub reads: BTreeMap<String, Vec<String>>,
    /// Variable -> what its reads say beyond where they are.
    pub info: BTreeMap<String, ReadInfo>,
    /// Variables read only by Heroku's `heroku-prebuild` / `heroku-cleanup` hooks (or what
    /// they run), which nothing runs on Code Capsules: not in `reads`.
    pub dropped: BTreeMap<String, Vec<String>>,
    /// (variable, script) for the variables the app reads that a wrapper script sets.
    pub derived: Vec<(String, String)>,
    /// A committed `.env` that dotenv loads, with the names it holds.
    pub dotenv: Option<(String, Vec<String>)>,
}

/// What the reads of one variable say: when they run, and what they fall back to.
#[derive(Debug, Default)]
pub(in crate::capsules) struct ReadInfo {
    /// Some read runs with the app.
    pub run_time: bool,
    /// Where build steps read it.
    pub build_places: Vec<String>,
    /// Some read is copied into the build by the bundler.
    pub inlined: bool,
    /// Reads in code or config that give no fallback (a Prisma `env()`, `$X` in a script,
    /// `process.env.X` alone).
    pub plain: usize,
    /// The fallbacks of the reads that give one, in path order.
    pub fallbacks: Vec<Fallback>,
    /// Where the first literal fallback is (`path:line`).
    pub default_place: Option<String>,
}

impl ReadInfo {
    pub(super) fn apply(&self, var: &mut CapsuleEnv) {
        var.run_time = self.run_time;
        var.build_time |= self.inlined || !self.build_places.is_empty();
        var.build_reads.clone_from(&self.build_places);
        // An empty string in place of a token or key (`process.env.TOKEN || ""`) keeps
        // the code from crashing where it reads it, not the feature working: a secret
        // whose only fallbacks are empty stays one to set.
        let empty = |f: &Fallback| matches!(f, Fallback::Value(v) if v.trim().is_empty());
        let empty_secret = secret::name_looks_secret(&var.name) && self.fallbacks.iter().all(empty);
        var.optional = self.plain == 0 && !self.fallbacks.is_empty() && !empty_secret;
        let literal = self.fallbacks.iter().find_map(|f| match f {
            Fallback::Value(value) if !empty_secret => Some(value),
            _ => None,
        });
        if let Some(value) = literal {
            // An empty default keeps nothing secret: the app runs without one.
            let secret = secret::name_looks_secret(&var.name) || secret::value_looks_secret(value);
            if secret && !value.trim().is_empty() {
                var.default_hidden = true;
                var.default_secret =
                    secret::name_is_a_secret(&var.name) || secret::value_looks_secret(value);
            } else {
                var.default = Some(value.clone());
            }
        }
        // Any literal default that only serves development (`localhost`, `'changeme'`),
        // whichever read gives it: the deployed app needs the real value.
        var.dev_default = self
            .fallbacks
            .iter()
            .filter_map(|f| match f {
                Fallback::Value(value) => dev::dev_default(&var.name, value),
                _ => None,
            })
            .min_by_key(|kind| *kind != DevDefault::Local);
        // A secret written in the repository is no default to run with either.
        if var.dev_default.is_some() || var.default_secret {
            var.optional = false;
        }
    }
}

/// Everything the app reads: its run-time code (not tests, fixtures or tooling
/// configs), `.env.example` and its siblings, node-config's mapping, Prisma's `env()`,
/// and shell reads in its run commands and wrapper scripts.
pub(in crate::capsules) fn app_reads(inv: &Inventory, app: &App) -> AppReads {
    let mut found: Vec<Found> = Vec::new();
    let jobs: Vec<&str> = inv.jobs_of(&app.dir).map(|j| j.command.as_str()).collect();
    // A frontend package the app never builds deploys elsewhere: its reads are not ours.
    let elsewhere: Vec<String> = config::unbuilt_frontends(inv.config_of(app), app, &jobs)
        .into_iter()
        .map(|folder| format!("{folder}/"))
        .collect();
    let own = |path: &str| !elsewhere.iter().any(|f| path.starts_with(f.as_str()));
    // A file a job or a worker reaches runs, wherever it sits (`scripts/lib/x.js`).
    let reached: BTreeSet<&str> = inv.reached_by_commands(app).collect();
    let runs = |path: &str| {
        own(path) && (code::is_runtime_path(app, &jobs, path) || reached.contains(path))
    };
    let phases = inv.phases_of(&app.dir);
    let file_phase = |path: &str| phases.map_or(Phase::Run, |p| p.of_file(path));
    let packages = inv.workspace_packages_of(app);
    let in_package = |path: &str| {
        packages.iter().any(|dir| {
            path.strip_prefix(dir.as_str()).is_some_and(|rest| rest.starts_with('/'))
                && code::is_package_runtime_path(dir, path)
        })
    };
    let package_code = inv
        .code
        .iter()
        .filter(|f| f.app.as_deref() != Some(app.dir.as_str()) && in_package(&f.path));
    for file in inv.code_of(&app.dir).filter(|f| runs(&f.path)).chain(package_code) {
        let phase = file_phase(&file.path);
        for read in &file.facts.env_reads {
            found.push(Found {
                name: read.name.clone(),
                path: file.path.clone(),
                line: read.line,
                phase,
                fallback: Some(read.fallback.clone()),
                inlined: read.inlined,
            });
        }
    }
    let mut derived: Vec<(String, String)> = Vec::new();
    let mut dotenv = None;
    let package_config = inv
        .config
        .iter()
        .filter(|c| c.app.as_deref() != Some(app.dir.as_str()) && in_package(&c.path));
    for file in inv.config_of(app).filter(|f| own(&f.path)).chain(package_config) {
        if let ConfigKind::Shell { assigned } = &file.kind {
            derived.extend(assigned.iter().map(|n| (n.clone(), file.path.clone())));
        }
        if file.kind == ConfigKind::DotEnv {
            if parent(&file.path) == app.dir && loads_dotenv(inv, app) {
                let names = file.vars.iter().map(|v| v.name.clone()).collect();
                dotenv = Some((file.path.clone(), names));
            }
            continue;
        }
        // A template declares names; it says nothing about whether the code needs them.
        let declares = file.kind == ConfigKind::EnvTemplate;
        let phase = file_phase(&file.path);
        for var in &file.vars {
            found.push(Found {
                name: var.name.clone(),
                path: file.path.clone(),
                line: var.line,
                phase,
                fallback: (!declares).then_some(None),
                inlined: false,
            });
        }
    }
    // A Procfile line is one process's: its reads go to that process's Capsule alone
    // (`add_shell_reads` in capsules.rs), not to every Capsule of the app.
    let procfile = app.procfile.as_ref().map(|p| p.path.as_str());
    for (path, line, command, script) in
        run_commands(app).into_iter().filter(|(p, ..)| Some(p.as_str()) != procfile)
    {
        let phase = match (phases, script) {
            (Some(phases), Some(script)) => phases.of_script(script),
            _ => Phase::Run,
        };
        for read in config::shell_env(command).reads {
            found.push(Found {
                name: read.name,
                path: path.clone(),
                line: line + read.line - 1,
                phase,
                fallback: Some(None),
                inlined: false,
            });
        }
    }
    found.sort_by(|a, b| (&a.path, a.line).cmp(&(&b.path, b.line)));
    let mut reads: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut info: BTreeMap<String, ReadInfo> = BTreeMap::new();
    let mut dropped: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut derived_read: Vec<(String, String)> = Vec::new();
    for read in &found {
        let name = &read.name;
        if SET_BY_PLATFORM.contains(&name.as_str()) || is_test_variant(name) {
            continue;
        }
        if let Some(script) = derived.iter().find(|(n, _)| n == name) {
            if !derived_read.contains(script) {
                derived_read.push(script.clone());
            }
            continue;
        }
        let place = format!("{}:{}", read.path, read.line);
        let first_in_file = |places: &Vec<String>| {
            !places.iter().any(|p| p.rsplit_once(':').is_some_and(|(p, _)| p == read.path))
        };
        if read.phase == Phase::Dropped {
            let places = dropped.entry(name.clone()).or_default();
            if first_in_file(places) {
                places.push(place);
            }
            continue;
        }
        let places = reads.entry(name.clone()).or_default();
        if first_in_file(places) {
            places.push(place.clone());
        }
        let entry = info.entry(name.clone()).or_default();
        match read.phase {
            Phase::Build if first_in_file(&entry.build_places) => entry.build_places.push(place),
            Phase::Build => {}
            _ => entry.run_time = true,
        }
        entry.inlined |= read.inlined;
        match &read.fallback {
            Some(Some(fallback)) => {
                if matches!(fallback, Fallback::Value(_)) && entry.default_place.is_none() {
                    entry.default_place = Some(format!("{}:{}", read.path, read.line));
                }
                entry.fallbacks.push(fallback.clone());
            }
            Some(None) => entry.plain += 1,
            None => {}
        }
    }
    // A name the running app or its build reads is not "dropped", wherever else it is.
    dropped.retain(|name, _| !reads.contains_key(name));
    AppReads { reads, info, dropped, derived: derived_read, dotenv }
}

/// One read found for [`app_reads`].
struct Found {
    name: String,
    path: String,
    line: usize,
    phase: Phase,
    /// `None` for a declaration (`.env.example`); else the read's fallback, if any.
    fallback: Option<Option<Fallback>>,
    inlined: bool,
}

/// `X_TEST`, `X_DEV`, `TEST_X`: the test and development variants of a setting, which
/// no deployed Capsule reads.
pub(super) fn is_test_variant(name: &str) -> bool {
    ["_TEST", "_TESTING", "_DEV", "_DEVELOPMENT"].iter().any(|s| name.ends_with(s))
        || name.starts_with("TEST_")
}

/// The app loads a `.env` at run time: dotenv (or a variant) is a dependency, or a run
/// command preloads it.
pub(super) fn loads_dotenv(inv: &Inventory, app: &App) -> bool {
    let package = app.package_json.as_ref();
    let dependency = ["dotenv", "dotenv-safe", "dotenv-flow", "dotenv-extended"]
        .iter()
        .any(|d| package.is_some_and(|p| p.dependency(d).is_some()));
    let in_commands = run_commands(app).iter().any(|(_, _, c, _)| c.contains("dotenv"));
    let imported = inv.code_of(&app.dir).any(|f| f.facts.loads_dotenv);
    dependency || in_commands || imported
}

/// The commands the platform runs for the app, each with its file, first line and, for
/// a package.json script, its name: the Procfile's, then package.json's run-time scripts.
fn run_commands(app: &App) -> Vec<(String, usize, &str, Option<&str>)> {
    let mut out = Vec::new();
    if let Some(procfile) = &app.procfile {
        for process in &procfile.value.processes {
            out.push((procfile.path.clone(), process.line, process.command.as_str(), None));
        }
    }
    if let Some(pkg) = &app.package_json {
        for name in config::run_scripts(app, &[]) {
            if let Some(command) = pkg.script(name) {
                let line = config::script_line(&pkg.text, name);
                out.push((pkg.path.clone(), line, command, Some(name)));
            }
        }
    }
    out
}
