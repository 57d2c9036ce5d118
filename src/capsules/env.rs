//! The environment variables each Capsule needs, and where each value comes from.
//!
//! Sources, strongest first: a data Capsule's connection string, another Capsule's URL,
//! a `VAR=value` Procfile prefix, app.json's `env`, a Heroku add-on, Heroku itself, Code
//! Capsules itself, and plain reads in the code. Names and descriptions only: a value is
//! kept when the repository already shows it and it does not look like a credential.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use super::addons::{DataPlan, Replacement, env_prefix, replacement};
use super::secret;
use super::{Capsule, CapsuleKind, Deployment};
use crate::inventory::config::{self, ConfigKind};
use crate::inventory::reach::Reach;
use crate::inventory::{App, Inventory, code, parent};

/// One variable to set on a Capsule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CapsuleEnv {
    pub name: String,
    pub source: EnvSource,
    /// app.json's description, when it has one.
    pub description: Option<String>,
    /// app.json's `required` (Heroku's default is true); `None` when app.json does not
    /// declare the variable, so nobody said.
    pub required: Option<bool>,
    /// A value safe to show: a non-secret app.json default or a Procfile prefix.
    pub value: Option<String>,
    /// The repository holds a value that looks like a credential ([`looks_secret`]): it
    /// is not shown, and must come from Heroku's config vars (and be rotated) instead.
    pub hidden: bool,
    /// Where the code reads it: `path:line`, the first read of each file, in path order.
    pub read_by: Vec<String>,
    /// A frontend build setting (`REACT_APP_*`, `VITE_*`, ...): the bundler copies its
    /// value into the built files, so it counts when `npm run build` runs.
    pub build_time: bool,
}

/// Which of the app's variables a Capsule lists.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum EnvScope {
    /// The whole app's: the web process (which may run any of the app's code), a static
    /// site, a data Capsule.
    #[default]
    App,
    /// Those read by the files its commands run (a Scheduler job's, a worker's: see
    /// [`crate::inventory::reach`]), and those the app declares (app.json, `.env.example`,
    /// a linked database) that no code of the app reads, since a library may read them.
    Code {
        /// The files its commands run, repo-relative, in path order.
        files: Vec<String>,
        /// The app's variables left out: only code it does not run reads them, or the app
        /// declares them, no code reads them and what it runs loads no library.
        left_out: Vec<String>,
    },
    /// The whole app's, because what its commands run could not be followed to the end.
    Fallback {
        /// Why, one sentence naming the command.
        reason: String,
    },
}

/// Where a variable's value comes from on Code Capsules.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum EnvSource {
    /// The connection string of a data Capsule, linked from its details.
    DataCapsule { capsule: String },
    /// The URL of another Capsule; `None` when it is unclear which one.
    CapsuleUrl { capsule: Option<String> },
    /// A `VAR=value` prefix of the process's Procfile command.
    Procfile { process: String },
    /// Declared in app.json's `env`; `secret` for `"generator": "secret"`.
    AppJson { secret: bool },
    /// Set by a Heroku add-on that has no Capsule equivalent.
    Addon { service: String },
    /// Set by Heroku's dynos at run time, not a config var: [`HEROKU_RUNTIME`] (dyno
    /// metadata, `DYNO`, `WEB_CONCURRENCY`, ...). Code Capsules does not set it.
    Heroku,
    /// Committed in a `.env` file that dotenv loads at run time: the value is in git,
    /// where it does not belong.
    DotEnv { file: String },
    /// A Heroku buildpack setting (`APP_BASE`, `NPM_CONFIG_PRODUCTION`): not needed.
    HerokuBuild,
    /// Set by Code Capsules on every Capsule (`APP_URL`, without `https://`).
    CodeCapsules,
    /// Only read by the app (its code, config files, scripts): its value is in Heroku's
    /// config vars.
    Code,
}

/// What Heroku's dyno manager and Node buildpack set at run time, and its dyno metadata
/// (Dev Center "dyno-metadata", heroku-buildpack-nodejs `profile/`): not config vars.
/// `PORT` is set by both platforms and never listed. Other `HEROKU_*` names are config
/// vars like any other.
pub const HEROKU_RUNTIME: &[&str] = &[
    "DYNO",
    "WEB_CONCURRENCY",
    "WEB_MEMORY",
    "MEMORY_AVAILABLE",
    "NODE_HOME",
    "HEROKU_APP_ID",
    "HEROKU_APP_NAME",
    "HEROKU_DYNO_ID",
    "HEROKU_RELEASE_CREATED_AT",
    "HEROKU_RELEASE_VERSION",
    "HEROKU_SLUG_COMMIT",
    "HEROKU_SLUG_DESCRIPTION",
];

/// Prefixes (and `PUBLIC_URL`) of the variables frontend bundlers copy into the build:
/// Create React App, Vite, Vue CLI, Next.js.
const BUILD_TIME_PREFIXES: &[&str] = &["REACT_APP_", "VITE_", "VUE_APP_", "NEXT_PUBLIC_"];

/// True for a variable a frontend bundler bakes into the build.
pub fn is_build_time(name: &str) -> bool {
    name == "PUBLIC_URL" || BUILD_TIME_PREFIXES.iter().any(|p| name.starts_with(p))
}

/// True for a build-time variable that carries a backend's address into a frontend's
/// build (`REACT_APP_GRAPHQL_URI`, `VITE_API_URL`): its Heroku value likely names a
/// `*.herokuapp.com` address that goes away with the migration.
pub fn is_build_time_backend_address(name: &str) -> bool {
    BUILD_TIME_PREFIXES
        .iter()
        .any(|p| name.strip_prefix(p).is_some_and(crate::inventory::hosts::names_a_backend_address))
}

/// Set by Code Capsules on every Capsule: not listed at all.
const SET_BY_PLATFORM: &[&str] = &["PORT", "NODE_ENV"];

/// Heroku buildpack settings that mean nothing on Code Capsules.
const HEROKU_BUILD: &[&str] = &[
    "APP_BASE",
    "PROCFILE",
    "NODE_MODULES_CACHE",
    "NPM_CONFIG_PRODUCTION",
    "YARN_PRODUCTION",
    "USE_NPM_INSTALL",
    "NODE_VERBOSE",
];

/// The variables every Capsule of `app` shares, in order: data links, app.json's
/// declarations, a committed `.env`, then the other reads by name; and the notes about
/// them, each with the committed `.env` it is about (a Capsule given none of that file's
/// variables does not need it).
pub(super) fn app_env(
    inv: &Inventory,
    app: &App,
    data: &DataPlan,
) -> (Vec<CapsuleEnv>, Vec<(String, Option<String>)>) {
    let mut vars: Vec<CapsuleEnv> = Vec::new();
    for (name, capsule) in data.links_of(app.display_dir()) {
        let source = EnvSource::DataCapsule { capsule: capsule.to_owned() };
        vars.push(blank(name, source));
    }
    if let Some(app_json) = &app.app_json {
        for var in &app_json.value.env {
            // A default that names a Heroku app's address becomes a Capsule's URL, picked
            // once every Capsule exists (`link_heroku_defaults`).
            let heroku_default =
                var.value.as_deref().and_then(crate::herokuapp::first_url).is_some();
            let source = if HEROKU_BUILD.contains(&var.name.as_str()) {
                EnvSource::HerokuBuild
            } else if heroku_default {
                EnvSource::CapsuleUrl { capsule: None }
            } else {
                EnvSource::AppJson { secret: var.secret }
            };
            let hidden = var.value.as_deref().is_some_and(|v| looks_secret(&var.name, v));
            let value = var.value.clone().filter(|_| !heroku_default && !var.secret && !hidden);
            let entry = match vars.iter_mut().find(|v| v.name == var.name) {
                Some(entry) => entry,
                None => {
                    vars.push(blank(&var.name, source));
                    vars.last_mut().expect("just pushed")
                }
            };
            // A description holding a credential (a connection string with a password, a
            // token pasted as an example) is not copied either.
            entry.description = var.description.clone().filter(|d| !looks_secret("", d));
            entry.required = Some(var.required);
            entry.value = entry.value.take().or(value);
            entry.hidden |= hidden && !var.secret;
        }
    }
    let prefixes: Vec<(String, String)> =
        data_less_addons(app).map(|service| (env_prefix(service), service.to_owned())).collect();
    let app_reads = app_reads(inv, app);
    let mut notes: Vec<(String, Option<String>)> = Vec::new();
    for (name, script) in &app_reads.derived {
        let note = format!(
            "`{name}` is set by `{script}` when it starts the app (from other variables): \
             there is nothing to set for it"
        );
        notes.push((note, None));
    }
    if let Some((file, names)) = &app_reads.dotenv {
        let note = format!(
            "`{file}` is committed and dotenv loads it at run time: it holds {} variable{}, \
             listed below (values not shown). Set them in the Config tab, rotate the secrets \
             among them (their values are in the repository's history), and delete `{file}` \
             from the repository (and add it to `.gitignore`)",
            names.len(),
            if names.len() == 1 { "" } else { "s" }
        );
        notes.push((note, Some(file.clone())));
        for name in names.iter().filter(|n| !SET_BY_PLATFORM.contains(&n.as_str())) {
            if !vars.iter().any(|v| &v.name == name) {
                vars.push(blank(name, EnvSource::DotEnv { file: file.clone() }));
            }
        }
    }
    for (name, read_by) in app_reads.reads {
        let entry = match vars.iter_mut().find(|v| v.name == name) {
            Some(entry) => entry,
            None => {
                vars.push(blank(&name, code_source(&name, &prefixes)));
                vars.last_mut().expect("just pushed")
            }
        };
        entry.read_by = read_by;
    }
    (vars, notes)
}

fn blank(name: &str, source: EnvSource) -> CapsuleEnv {
    CapsuleEnv {
        name: name.to_owned(),
        source,
        description: None,
        required: None,
        value: None,
        hidden: false,
        read_by: Vec::new(),
        build_time: is_build_time(name),
    }
}

/// The services of the app's add-ons that have no Capsule, whose variables the code may read.
fn data_less_addons(app: &App) -> impl Iterator<Item = &str> {
    app.app_json
        .iter()
        .flat_map(|a| &a.value.addons)
        .map(|a| a.service.as_str())
        .filter(|s| replacement(s) == Replacement::NoEquivalent)
}

fn code_source(name: &str, addon_prefixes: &[(String, String)]) -> EnvSource {
    if HEROKU_RUNTIME.contains(&name) {
        return EnvSource::Heroku;
    }
    if name == "APP_URL" {
        return EnvSource::CodeCapsules;
    }
    if HEROKU_BUILD.contains(&name) {
        return EnvSource::HerokuBuild;
    }
    match addon_prefixes.iter().find(|(prefix, _)| name.starts_with(prefix.as_str())) {
        Some((_, service)) => EnvSource::Addon { service: service.clone() },
        None => EnvSource::Code,
    }
}

/// What an app reads at run time, beyond app.json.
#[derive(Debug, Default)]
pub(super) struct AppReads {
    /// Variable -> where it is read (`path:line`, the first read per file, in path
    /// order). Without the variables Code Capsules sets, those only tests and tooling
    /// read, and those a wrapper script derives.
    pub reads: BTreeMap<String, Vec<String>>,
    /// (variable, script) for the variables the app reads that a wrapper script sets.
    pub derived: Vec<(String, String)>,
    /// A committed `.env` that dotenv loads, with the names it holds.
    pub dotenv: Option<(String, Vec<String>)>,
}

/// Everything the app reads: its run-time code (not tests, fixtures or tooling
/// configs), `.env.example` and its siblings, node-config's mapping, Prisma's `env()`,
/// and shell reads in its run commands and wrapper scripts.
pub(super) fn app_reads(inv: &Inventory, app: &App) -> AppReads {
    let mut found: Vec<(String, String, usize)> = Vec::new();
    let jobs: Vec<&str> = inv.jobs_of(&app.dir).map(|j| j.command.as_str()).collect();
    // A file a job or a worker reaches runs, wherever it sits (`scripts/lib/x.js`).
    let reached: BTreeSet<&str> = inv.reached_by_commands(app).collect();
    let runs = |path: &str| code::is_runtime_path(app, &jobs, path) || reached.contains(path);
    for file in inv.code_of(&app.dir).filter(|f| runs(&f.path)) {
        for read in &file.facts.env_reads {
            found.push((read.name.clone(), file.path.clone(), read.line));
        }
    }
    let mut derived: Vec<(String, String)> = Vec::new();
    let mut dotenv = None;
    for file in inv.config_of(app) {
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
        for var in &file.vars {
            found.push((var.name.clone(), file.path.clone(), var.line));
        }
    }
    // A Procfile line is one process's: its reads go to that process's Capsule alone
    // (`add_shell_reads` in capsules.rs), not to every Capsule of the app.
    let procfile = app.procfile.as_ref().map(|p| p.path.as_str());
    for (path, line, command) in
        run_commands(app).into_iter().filter(|(p, ..)| Some(p.as_str()) != procfile)
    {
        for read in config::shell_env(command).reads {
            found.push((read.name, path.clone(), line + read.line - 1));
        }
    }
    found.sort_by(|a, b| (&a.1, a.2).cmp(&(&b.1, b.2)));
    let mut reads: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut derived_read: Vec<(String, String)> = Vec::new();
    for (name, path, line) in found {
        if SET_BY_PLATFORM.contains(&name.as_str()) || is_test_variant(&name) {
            continue;
        }
        if let Some(script) = derived.iter().find(|(n, _)| *n == name) {
            if !derived_read.contains(script) {
                derived_read.push(script.clone());
            }
            continue;
        }
        let places = reads.entry(name).or_default();
        if !places.iter().any(|p| p.rsplit_once(':').is_some_and(|(p, _)| p == path)) {
            places.push(format!("{path}:{line}"));
        }
    }
    AppReads { reads, derived: derived_read, dotenv }
}

/// `X_TEST`, `X_DEV`, `TEST_X`: the test and development variants of a setting, which
/// no deployed Capsule reads.
fn is_test_variant(name: &str) -> bool {
    ["_TEST", "_TESTING", "_DEV", "_DEVELOPMENT"].iter().any(|s| name.ends_with(s))
        || name.starts_with("TEST_")
}

/// The app loads a `.env` at run time: dotenv (or a variant) is a dependency, or a run
/// command preloads it.
fn loads_dotenv(inv: &Inventory, app: &App) -> bool {
    let package = app.package_json.as_ref();
    let dependency = ["dotenv", "dotenv-safe", "dotenv-flow", "dotenv-extended"]
        .iter()
        .any(|d| package.is_some_and(|p| p.dependency(d).is_some()));
    let in_commands = run_commands(app).iter().any(|(_, _, c)| c.contains("dotenv"));
    let imported = inv.code_of(&app.dir).any(|f| f.facts.loads_dotenv);
    dependency || in_commands || imported
}

/// The commands the platform runs for the app, each with its file and first line: the
/// Procfile's, then package.json's run-time scripts.
fn run_commands(app: &App) -> Vec<(String, usize, &str)> {
    let mut out = Vec::new();
    if let Some(procfile) = &app.procfile {
        for process in &procfile.value.processes {
            out.push((procfile.path.clone(), process.line, process.command.as_str()));
        }
    }
    if let Some(pkg) = &app.package_json {
        for name in config::run_scripts(app, &[]) {
            if let Some(command) = pkg.script(name) {
                out.push((pkg.path.clone(), config::script_line(&pkg.text, name), command));
            }
        }
    }
    out
}

/// A `VAR=value` prefix of the process's command.
pub(super) fn push_procfile_env(capsule: &mut Capsule, process: &str, name: &str, value: &str) {
    if name == "PORT" {
        capsule.notes.push(format!(
            "the Procfile command set PORT={}: Code Capsules sets PORT itself, so it is left out",
            secret::redact(value)
        ));
        return;
    }
    let mut var = blank(name, EnvSource::Procfile { process: process.to_owned() });
    if looks_secret(name, value) {
        var.hidden = true;
    } else {
        var.value = Some(value.to_owned());
    }
    capsule.env.push(var);
}

/// Adds the app's shared variables to one of its Capsules. A static site cannot reach a
/// data Capsule, so it gets no connection strings.
pub(super) fn add_app_env(capsule: &mut Capsule, app_env: &[CapsuleEnv]) {
    for var in app_env {
        if capsule.kind == CapsuleKind::Frontend
            && matches!(var.source, EnvSource::DataCapsule { .. })
        {
            continue;
        }
        match capsule.env.iter_mut().find(|v| v.name == var.name) {
            Some(existing) => {
                existing.read_by.clone_from(&var.read_by);
                if existing.description.is_none() {
                    existing.description.clone_from(&var.description);
                }
                existing.required = existing.required.or(var.required);
            }
            None => capsule.env.push(var.clone()),
        }
    }
}

/// Adds to a Capsule that runs only `commands` (each with how people know it) the app's
/// variables its code reads ([`EnvScope::Code`]), or all of them when what a command runs
/// cannot be followed ([`EnvScope::Fallback`]); says which in its `env_scope` and a note.
pub(super) fn add_narrowed_env(
    capsule: &mut Capsule,
    inv: &Inventory,
    app: &App,
    app_env: &[CapsuleEnv],
    commands: &[(String, String)],
) {
    let reaches: Vec<&Reach> =
        commands.iter().filter_map(|(_, c)| inv.reach(&app.dir, c)).collect();
    let unresolved = commands.iter().zip(&reaches).find_map(|((who, command), reach)| {
        let reason = reach.unresolved.as_deref()?;
        Some(format!(
            "the code {who} (`{}`) runs cannot be followed: {reason}",
            super::redacted(command)
        ))
    });
    if reaches.len() != commands.len() || commands.is_empty() || unresolved.is_some() {
        let reason = unresolved.unwrap_or_else(|| "its commands were not followed".into());
        capsule.notes.push(format!("its variables are the whole app's, since {reason}"));
        capsule.env_scope = EnvScope::Fallback { reason };
        add_app_env(capsule, app_env);
        return;
    }
    let files: BTreeSet<&str> =
        reaches.iter().flat_map(|r| r.files.iter().map(String::as_str)).collect();
    let loads = |package: &str| reaches.iter().any(|r| r.loads(package));
    let pkg = app.package_json.as_ref();
    // Shell reads (`$X`) of the package.json scripts the commands run.
    let mut script_reads: Vec<(String, usize)> = Vec::new();
    for reach in &reaches {
        for script in &reach.scripts {
            let Some((pkg, text)) = pkg.and_then(|p| Some((p, p.script(script)?))) else {
                continue;
            };
            let line = config::script_line(&pkg.text, script);
            for read in config::shell_env(text).reads {
                if !script_reads.iter().any(|(n, _)| *n == read.name) {
                    script_reads.push((read.name, line + read.line - 1));
                }
            }
        }
    }
    let package_json = pkg.map(|p| p.path.as_str());
    // What a place (`path:line`) is: read by the code it runs, read by other code, or a
    // declaration (`.env.example`) that says nothing about who reads it.
    let place_kind = |name: &str, place: &str| -> Place {
        let path = place.rsplit_once(':').map_or(place, |(p, _)| p);
        if files.contains(path) {
            return Place::Reached;
        }
        if Some(path) == package_json {
            return if script_reads.iter().any(|(n, _)| n == name) {
                Place::Reached
            } else {
                Place::Other
            };
        }
        match inv.config.iter().find(|c| c.path == path).map(|c| &c.kind) {
            Some(ConfigKind::EnvTemplate | ConfigKind::DotEnv) => Place::Declared,
            Some(ConfigKind::NodeConfig) if loads("config") => Place::Reached,
            Some(ConfigKind::Prisma { .. }) if loads("@prisma/client") || loads("prisma") => {
                Place::Reached
            }
            _ => Place::Other,
        }
    };
    // A variable the app declares but no code reads is read by a library, if by anything:
    // code that loads no package needs none of them.
    let loads_a_package = reaches.iter().any(|r| !r.packages.is_empty());
    let mut kept: Vec<CapsuleEnv> = Vec::new();
    let mut left_out: Vec<String> = Vec::new();
    // Declared, read by no code, and nothing it runs loads a library.
    let mut unread: Vec<String> = Vec::new();
    for var in app_env {
        let kinds: Vec<Place> = var.read_by.iter().map(|p| place_kind(&var.name, p)).collect();
        let reached = kinds.contains(&Place::Reached);
        if !reached && kinds.contains(&Place::Other) {
            left_out.push(var.name.clone());
            continue;
        }
        if !reached && !loads_a_package {
            unread.push(var.name.clone());
            continue;
        }
        let mut var = var.clone();
        let places = var.read_by.iter().zip(&kinds);
        var.read_by = places.filter(|(_, k)| **k != Place::Other).map(|(p, _)| p.clone()).collect();
        kept.push(var);
    }
    // Reads in reached files the app's list does not hold: a workspace package's, which
    // belongs to no app or another one.
    for file in inv.code.iter().filter(|f| files.contains(f.path.as_str())) {
        for read in &file.facts.env_reads {
            let name = &read.name;
            if SET_BY_PLATFORM.contains(&name.as_str())
                || is_test_variant(name)
                || kept.iter().any(|v| &v.name == name)
                || left_out.contains(name)
                || unread.contains(name)
            {
                continue;
            }
            let mut var = blank(name, code_source(name, &[]));
            var.read_by = vec![format!("{}:{}", file.path, read.line)];
            kept.push(var);
        }
    }
    if let Some(pkg) = pkg {
        for (name, line) in &script_reads {
            if SET_BY_PLATFORM.contains(&name.as_str()) || kept.iter().any(|v| &v.name == name) {
                continue;
            }
            let mut var = blank(name, EnvSource::Code);
            var.read_by = vec![format!("{}:{line}", pkg.path)];
            kept.push(var);
        }
    }
    let code =
        |names: &[&str]| names.iter().map(|n| format!("`{n}`")).collect::<Vec<_>>().join(", ");
    let shown: Vec<&str> = files.iter().take(4).copied().collect();
    let more = files.len() - shown.len();
    let read_by = match (shown.is_empty(), more) {
        (true, _) => "its variables are those its command reads: it runs no code of the \
                      repository"
            .to_owned(),
        (false, 0) => {
            format!("its variables are those read by the code it runs ({})", code(&shown))
        }
        (false, n) => {
            format!(
                "its variables are those read by the code it runs ({} and {n} more)",
                code(&shown)
            )
        }
    };
    let declared: Vec<&str> = kept
        .iter()
        .filter(|v| v.read_by.iter().all(|p| place_kind(&v.name, p) != Place::Reached))
        .map(|v| v.name.as_str())
        .collect();
    let declared = if declared.is_empty() {
        String::new()
    } else {
        format!(
            ", and {}, which the app declares and no code reads (a library may)",
            code(&declared)
        )
    };
    let left: Vec<&str> = left_out.iter().map(String::as_str).collect();
    let without = if left.is_empty() {
        String::new()
    } else {
        let them = if left.len() == 1 { "it" } else { "them" };
        format!("; not {}: only code it does not run reads {them}", code(&left))
    };
    let unread_names: Vec<&str> = unread.iter().map(String::as_str).collect();
    let without = if unread_names.is_empty() {
        without
    } else {
        format!(
            "{without}; not {}, which the app declares: no code reads {}, and what it runs \
             loads no library that could",
            code(&unread_names),
            if unread_names.len() == 1 { "it" } else { "them" }
        )
    };
    capsule.notes.push(format!("{read_by}{declared}{without}"));
    left_out.extend(unread);
    capsule.env_scope =
        EnvScope::Code { files: files.iter().map(|f| (*f).to_owned()).collect(), left_out };
    add_app_env(capsule, &kept);
}

/// What one place a variable is named at says about a narrowed Capsule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Place {
    /// Code (or a config file, a script) the Capsule's commands run.
    Reached,
    /// Code the Capsule does not run.
    Other,
    /// A declaration of the app's variables: `.env.example`, a committed `.env`.
    Declared,
}

/// Links Capsules to each other: each frontend gets, for each backend its code calls, that
/// backend's URL in the variable its build reads, and each backend that names a frontend
/// origin (CORS) gets the frontend's.
pub(super) fn link_capsules(out: &mut Deployment, inv: &Inventory, backend_url_env: &str) {
    let mut frontend_links: Vec<(String, Option<String>)> = Vec::new();
    let mut variables: Vec<(String, String, Option<String>, Vec<String>)> = Vec::new();
    for capsule in out.capsules.iter().filter(|c| c.kind == CapsuleKind::Frontend) {
        let dir = capsule.app.as_deref().map(app_dir).unwrap_or_default();
        let bindings = inv.bindings(dir, backend_url_env);
        if bindings.is_empty() {
            let backend = pick_backend(out);
            frontend_links.push((capsule.name.clone(), backend.clone()));
            // A frontend that neither calls a backend nor reads the variable would be
            // asked for a value no code uses.
            if inv.needs_backend_url(dir, backend_url_env) {
                let env = inv.backend_env(dir, backend_url_env).to_owned();
                variables.push((capsule.name.clone(), env, backend, Vec::new()));
            }
        }
        for binding in bindings {
            let backend = match &binding.backend {
                Some(app) => web_capsule_of(out, app),
                None => None,
            };
            frontend_links.push((capsule.name.clone(), backend.clone()));
            variables.push((capsule.name.clone(), binding.var, backend, binding.hosts));
        }
    }
    link_backends(out, inv, &variables);
    link_origins(out, &frontend_links);
    link_heroku_defaults(out, inv);
}

/// An app.json default that named a `*.herokuapp.com` address: the URL of the Capsule
/// that replaces that Heroku app, else that of the app's own web Capsule (Parse's
/// `SERVER_URL` = `https://yourappname.herokuapp.com/parse` names the app itself).
fn link_heroku_defaults(out: &mut Deployment, inv: &Inventory) {
    let mut targets: Vec<(usize, usize, Option<String>)> = Vec::new();
    for (i, capsule) in out.capsules.iter().enumerate() {
        let Some(dir) = capsule.app.as_deref() else { continue };
        for (j, var) in capsule.env.iter().enumerate() {
            if var.source != (EnvSource::CapsuleUrl { capsule: None }) {
                continue;
            }
            let Some(url) = herokuapp_default(inv, dir, &var.name) else { continue };
            let host = crate::herokuapp::app_name(url).unwrap_or_default();
            let own_web = out.capsules.iter().find(|c| {
                c.app.as_deref() == Some(dir) && c.heroku_process.as_deref() == Some("web")
            });
            let target =
                capsule_for_heroku_app(out, inv, &host).or_else(|| own_web.map(|c| c.name.clone()));
            targets.push((i, j, target));
        }
    }
    for (i, j, target) in targets {
        out.capsules[i].env[j].source = EnvSource::CapsuleUrl { capsule: target };
    }
}

/// The `*.herokuapp.com` URL app.json gives as the default of `name` in the app `dir`
/// (as displayed).
pub fn herokuapp_default<'a>(inv: &'a Inventory, dir: &str, name: &str) -> Option<&'a str> {
    let app = inv.app(app_dir(dir))?;
    let var = app.app_json.as_ref()?.value.env.iter().find(|v| v.name == name)?;
    var.value.as_deref().and_then(crate::herokuapp::first_url)
}

/// The path after the host of a URL, without a final `/`: `/parse` for
/// `https://x.herokuapp.com/parse`, empty for none.
pub fn url_path(url: &str) -> &str {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    rest.find('/').map_or("", |i| rest[i..].trim_end_matches('/'))
}

/// The web Capsule that replaces the Heroku app `host` (`shop-api-1a2b` of
/// `shop-api-1a2b.herokuapp.com`): the one whose name or app.json name it starts with.
pub fn capsule_for_heroku_app(out: &Deployment, inv: &Inventory, host: &str) -> Option<String> {
    let matching: Vec<&Capsule> = out
        .capsules
        .iter()
        .filter(|c| c.heroku_process.as_deref() == Some("web"))
        .filter(|c| {
            heroku_names(inv, c).iter().any(|n| host == n || host.starts_with(&format!("{n}-")))
        })
        .collect();
    match matching.as_slice() {
        [one] => Some(one.name.clone()),
        _ => None,
    }
}

/// Each frontend's build variables get the URL of the backend each replaces: (frontend
/// Capsule, variable before the bundler prefix, backend Capsule, Heroku app names).
fn link_backends(
    out: &mut Deployment,
    inv: &Inventory,
    variables: &[(String, String, Option<String>, Vec<String>)],
) {
    for (frontend, base, backend, hosts) in variables.iter().rev() {
        let Some(capsule) = out.capsules.iter_mut().find(|c| &c.name == frontend) else {
            continue;
        };
        let app = capsule.app.as_deref().and_then(|d| inv.app(app_dir(d)));
        let frontend = app.and_then(|a| a.frontend.as_ref());
        let name = frontend.map_or_else(|| base.clone(), |f| f.backend_url_var(base));
        let source = EnvSource::CapsuleUrl { capsule: backend.clone() };
        // Which Heroku backend the frontend called tells the user which Capsule replaces it.
        let description = (!hosts.is_empty()).then(|| {
            let hosts: Vec<String> = hosts.iter().map(|h| format!("`{h}.herokuapp.com`")).collect();
            format!("on Heroku the frontend called {}", hosts.join(" and "))
        });
        match capsule.env.iter_mut().find(|v| v.name == name) {
            Some(existing) => {
                existing.source = source;
                existing.description = existing.description.take().or(description);
            }
            None => {
                let mut var = blank(&name, source);
                // A bundler inlines it, whatever its prefix (vite.config's envPrefix).
                var.build_time |= frontend.is_some_and(|f| !f.kind.loads_config_script());
                var.required = Some(true);
                var.description = description;
                capsule.env.insert(0, var);
            }
        }
    }
}

/// Each backend's CORS-like variables get the URL of the frontend that calls it.
fn link_origins(out: &mut Deployment, frontend_links: &[(String, Option<String>)]) {
    if frontend_links.is_empty() {
        return;
    }
    for capsule in out.capsules.iter_mut().filter(|c| c.kind == CapsuleKind::Backend) {
        let calling: Vec<&str> = frontend_links
            .iter()
            .filter(|(_, b)| b.as_deref() == Some(capsule.name.as_str()))
            .map(|(f, _)| f.as_str())
            .collect();
        let target = match (calling.as_slice(), frontend_links) {
            ([one], _) => Some((*one).to_owned()),
            ([], [(only, _)]) => Some(only.clone()),
            _ => None,
        };
        for var in capsule.env.iter_mut().filter(|v| names_frontend_origin(&v.name)) {
            if matches!(var.source, EnvSource::AppJson { .. } | EnvSource::Code) {
                var.source = EnvSource::CapsuleUrl { capsule: target.clone() };
            }
        }
    }
}

/// The folder of an app from its displayed form.
pub(super) fn app_dir(display: &str) -> &str {
    if display == "." { "" } else { display }
}

/// Variables that usually hold the frontend's origin, for CORS.
fn names_frontend_origin(name: &str) -> bool {
    name.contains("FRONTEND")
        || name.contains("CORS")
        || name.contains("ORIGIN")
        || matches!(name, "CLIENT_URL" | "WEB_URL")
}

/// The backend of a frontend whose code names no backend host: the only web backend.
fn pick_backend(out: &Deployment) -> Option<String> {
    let mut web = out
        .capsules
        .iter()
        .filter(|c| c.kind == CapsuleKind::Backend && c.heroku_process.as_deref() == Some("web"));
    match (web.next(), web.next()) {
        (Some(only), None) => Some(only.name.clone()),
        _ => None,
    }
}

/// The names a backend's Heroku app may have had: app.json's name and the Capsule's.
fn heroku_names(inv: &Inventory, capsule: &Capsule) -> Vec<String> {
    let mut names = vec![capsule.name.clone()];
    let app = capsule.app.as_deref().and_then(|d| inv.app(app_dir(d)));
    if let Some(name) = app.and_then(|a| a.app_json.as_ref()).and_then(|j| j.value.name.clone()) {
        names.push(super::kebab(&name));
    }
    names
}

/// The Capsule that runs the web process of the app in `dir`.
fn web_capsule_of(out: &Deployment, dir: &str) -> Option<String> {
    let display = if dir.is_empty() { "." } else { dir };
    out.capsules
        .iter()
        .find(|c| {
            c.kind == CapsuleKind::Backend
                && c.app.as_deref() == Some(display)
                && c.heroku_process.as_deref() == Some("web")
        })
        .map(|c| c.name.clone())
}

/// Whether the variable `name` with `value` holds a credential, by its name (`*PASS*`,
/// `*SECRET*`, `*TOKEN*`, `*KEY*`, ...) or by the value's shape (known token formats,
/// JWTs, webhook URLs, private keys, URL passwords, long random strings): see
/// [`secret`]. Such values are never shown or committed.
pub(crate) fn looks_secret(name: &str, value: &str) -> bool {
    // `API_KEY=$OTHER` names where the value comes from; it holds none.
    let named = secret::name_looks_secret(name) && !secret::is_reference(value);
    named || secret::value_looks_secret(value)
}
