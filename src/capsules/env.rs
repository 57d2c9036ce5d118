//! The environment variables each Capsule needs, and where each value comes from.
//!
//! Sources, strongest first: a data Capsule's connection string, another Capsule's URL,
//! a `VAR=value` Procfile prefix, app.json's `env`, a Heroku add-on, Heroku itself, Code
//! Capsules itself, and plain reads in the code. Names and descriptions only: a value is
//! kept when the repository already shows it and it does not look like a credential.

use std::collections::BTreeMap;

use serde::Serialize;

use super::addons::{DataPlan, Replacement, env_prefix, replacement};
use super::secret;
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
    /// The repository holds a value that looks like a credential ([`looks_secret`]): it
    /// is not shown, and must come from Heroku's config vars (and be rotated) instead.
    pub hidden: bool,
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
            let hidden = var.value.as_deref().is_some_and(|v| looks_secret(&var.name, v));
            let value = var.value.clone().filter(|_| !var.secret && !hidden);
            let entry = match vars.iter_mut().find(|v| v.name == var.name) {
                Some(entry) => entry,
                None => {
                    vars.push(blank(&var.name, source));
                    vars.last_mut().expect("just pushed")
                }
            };
            entry.description = var.description.as_deref().map(secret::redact);
            entry.required = Some(var.required);
            entry.value = entry.value.take().or(value);
            entry.hidden |= hidden && !var.secret;
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
        hidden: false,
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

/// Links Capsules to each other: each frontend gets its backend's URL in the variable its
/// build reads, and each backend that names a frontend origin (CORS) gets the frontend's.
pub(super) fn link_capsules(out: &mut Deployment, inv: &Inventory, backend_url_env: &str) {
    let mut frontend_links: Vec<(String, Option<String>)> = Vec::new();
    for capsule in out.capsules.iter().filter(|c| c.kind == CapsuleKind::Frontend) {
        frontend_links.push((capsule.name.clone(), pick_backend(out, inv, capsule)));
    }
    link_backends(out, inv, backend_url_env, &frontend_links);
    link_origins(out, &frontend_links);
}

/// Each frontend's build variable gets the URL of the backend it calls.
fn link_backends(
    out: &mut Deployment,
    inv: &Inventory,
    backend_url_env: &str,
    frontend_links: &[(String, Option<String>)],
) {
    for (frontend, backend) in frontend_links {
        let Some(capsule) = out.capsules.iter_mut().find(|c| &c.name == frontend) else {
            continue;
        };
        let hosts = herokuapp_hosts(inv, capsule);
        let app = capsule.app.as_deref().and_then(|d| inv.app(app_dir(d)));
        let kind = app.and_then(|a| a.frontend.as_ref()).map(|f| &f.kind);
        let name =
            kind.map_or_else(|| backend_url_env.to_owned(), |k| k.backend_url_var(backend_url_env));
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

/// The backend a frontend calls: the web backend whose Heroku app name matches a
/// `*.herokuapp.com` address in the frontend's code, else the only web backend there is.
fn pick_backend(out: &Deployment, inv: &Inventory, frontend: &Capsule) -> Option<String> {
    let web: Vec<&Capsule> = out
        .capsules
        .iter()
        .filter(|c| c.kind == CapsuleKind::Backend && c.heroku_process.as_deref() == Some("web"))
        .collect();
    let hosts = herokuapp_hosts(inv, frontend);
    let matching: Vec<&&Capsule> = web
        .iter()
        .filter(|capsule| {
            let names = heroku_names(inv, capsule);
            hosts.iter().any(|h| names.iter().any(|n| h == n || h.starts_with(&format!("{n}-"))))
        })
        .collect();
    match (matching.as_slice(), web.as_slice()) {
        ([one], _) => Some(one.name.clone()),
        (_, [only]) => Some(only.name.clone()),
        _ => None,
    }
}

/// The Heroku app names in `*.herokuapp.com` addresses of the Capsule's app code, each once.
fn herokuapp_hosts(inv: &Inventory, capsule: &Capsule) -> Vec<String> {
    let Some(dir) = capsule.app.as_deref() else { return Vec::new() };
    let mut hosts: Vec<String> = Vec::new();
    let urls = inv.code_of(app_dir(dir)).flat_map(|c| &c.facts.herokuapp_urls);
    for host in urls.filter_map(|u| herokuapp_name(&u.url)) {
        if !hosts.contains(&host) {
            hosts.push(host);
        }
    }
    hosts
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

/// `https://shop-api-1a2b.herokuapp.com/x` -> `shop-api-1a2b`.
fn herokuapp_name(url: &str) -> Option<String> {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let host = rest.split(['/', ':', '?', '#']).next()?.to_ascii_lowercase();
    let name = host.strip_suffix(".herokuapp.com")?;
    Some(name.rsplit('.').next().unwrap_or(name).to_owned())
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
