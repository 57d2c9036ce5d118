//! The environment variables each Capsule needs, and where each value comes from.
//!
//! Sources, strongest first: a data Capsule's connection string, another Capsule's URL,
//! a `VAR=value` Procfile prefix, app.json's `env`, a Heroku add-on, Heroku itself, Code
//! Capsules itself, and plain reads in the code. Names and descriptions only: a value is
//! kept when the repository already shows it and it does not look like a credential.

use std::collections::BTreeMap;

use serde::Serialize;

use super::addons::{DataPlan, Replacement, env_prefix, replacement};
use super::{Capsule, CapsuleKind, Deployment};
use crate::inventory::{App, Inventory};

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
    /// Where the code reads it: `path:line`, the first read of each file, in path order.
    pub read_by: Vec<String>,
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
    /// Set by Heroku itself (`HEROKU_*` from dyno metadata, `DYNO`); Code Capsules does not
    /// set it.
    Heroku,
    /// A Heroku buildpack setting (`APP_BASE`, `NPM_CONFIG_PRODUCTION`): not needed.
    HerokuBuild,
    /// Set by Code Capsules on every Capsule (`APP_URL`, without `https://`).
    CodeCapsules,
    /// Only read in the code: its value is in Heroku's config vars.
    Code,
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
/// declarations, then the code's other reads by name.
pub(super) fn app_env(inv: &Inventory, app: &App, data: &DataPlan) -> Vec<CapsuleEnv> {
    let mut vars: Vec<CapsuleEnv> = Vec::new();
    for (name, capsule) in data.links_of(app.display_dir()) {
        let source = EnvSource::DataCapsule { capsule: capsule.to_owned() };
        vars.push(blank(name, source));
    }
    if let Some(app_json) = &app.app_json {
        for var in &app_json.value.env {
            let source = if HEROKU_BUILD.contains(&var.name.as_str()) {
                EnvSource::HerokuBuild
            } else {
                EnvSource::AppJson { secret: var.secret }
            };
            let value = var.value.clone().filter(|v| !var.secret && !looks_secret(&var.name, v));
            let entry = match vars.iter_mut().find(|v| v.name == var.name) {
                Some(entry) => entry,
                None => {
                    vars.push(blank(&var.name, source));
                    vars.last_mut().expect("just pushed")
                }
            };
            entry.description.clone_from(&var.description);
            entry.required = Some(var.required);
            entry.value = entry.value.take().or(value);
        }
    }
    let prefixes: Vec<(String, String)> =
        data_less_addons(app).map(|service| (env_prefix(service), service.to_owned())).collect();
    for (name, read_by) in code_reads(inv, app) {
        let entry = match vars.iter_mut().find(|v| v.name == name) {
            Some(entry) => entry,
            None => {
                vars.push(blank(&name, code_source(&name, &prefixes)));
                vars.last_mut().expect("just pushed")
            }
        };
        entry.read_by = read_by;
    }
    vars
}

fn blank(name: &str, source: EnvSource) -> CapsuleEnv {
    CapsuleEnv {
        name: name.to_owned(),
        source,
        description: None,
        required: None,
        value: None,
        read_by: Vec::new(),
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
    if name.starts_with("HEROKU_") || name == "DYNO" {
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

/// Every variable the app's code reads, except those Code Capsules sets, with the first
/// line of each file that reads it.
fn code_reads(inv: &Inventory, app: &App) -> BTreeMap<String, Vec<String>> {
    let mut reads: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for file in inv.code_of(&app.dir) {
        let mut seen: Vec<&str> = Vec::new();
        for read in &file.facts.env_reads {
            if SET_BY_PLATFORM.contains(&read.name.as_str()) || seen.contains(&read.name.as_str()) {
                continue;
            }
            seen.push(&read.name);
            reads
                .entry(read.name.clone())
                .or_default()
                .push(format!("{}:{}", file.path, read.line));
        }
    }
    reads
}

/// A `VAR=value` prefix of the process's command.
pub(super) fn push_procfile_env(capsule: &mut Capsule, process: &str, name: &str, value: &str) {
    if name == "PORT" {
        capsule.notes.push(format!(
            "the Procfile command set PORT={value}: Code Capsules sets PORT itself, so it is left out"
        ));
        return;
    }
    let mut var = blank(name, EnvSource::Procfile { process: process.to_owned() });
    if !looks_secret(name, value) {
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
            let env = inv.backend_env(dir, backend_url_env).to_owned();
            variables.push((capsule.name.clone(), env, backend, Vec::new()));
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
        let kind = app.and_then(|a| a.frontend.as_ref()).map(|f| &f.kind);
        let name = kind.map_or_else(|| base.clone(), |k| k.backend_url_var(base));
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

/// Names and values that are credentials: their values are never shown.
pub(super) fn looks_secret(name: &str, value: &str) -> bool {
    let name = name.to_ascii_uppercase();
    let secret_name = ["SECRET", "PASSWORD", "PASSWD", "TOKEN", "KEY", "CREDENTIAL", "PRIVATE"]
        .iter()
        .any(|word| name.contains(word));
    let url_with_credentials = value.contains("://") && value.contains('@');
    secret_name || url_with_credentials
}
