//! The environment variables each Capsule needs, and where each value comes from.
//!
//! Sources, strongest first: a data Capsule's connection string, another Capsule's URL,
//! a `VAR=value` Procfile prefix, app.json's `env`, a Heroku add-on, Heroku itself, Code
//! Capsules itself, and plain reads in the code. Names and descriptions only: a value is
//! kept when the repository already shows it and it does not look like a credential.

use serde::Serialize;

use super::addons::{DataPlan, Replacement, env_prefix, replacement};
use super::secret;
use super::{Capsule, CapsuleKind};
use crate::inventory::{App, Inventory};

mod build;
mod dev;
mod narrow;
mod reads;

pub use dev::DevDefault;

use build::build_notes;
pub(super) use reads::app_reads;
use reads::is_test_variant;

pub(super) use narrow::add_narrowed_env;

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
    /// Must be set when the build runs: a frontend build setting (`REACT_APP_*`, `VITE_*`,
    /// SvelteKit's `$env/static/*`, `import.meta.env.PUBLIC_*`, ...), whose value the
    /// bundler copies into the built files, or a variable a build step reads
    /// (`build_reads`).
    pub build_time: bool,
    /// Where build steps read it (`path:line`): files and scripts only `npm run build`
    /// and the install hooks run, and the database migrations the build runs.
    pub build_reads: Vec<String>,
    /// The running app reads it (or nothing says otherwise); false for a variable only
    /// build steps read.
    pub run_time: bool,
    /// Every read of it in the code falls back to a default or is declared optional
    /// (`process.env.X || "d"`, zod's `.optional()`): the app starts without it.
    pub optional: bool,
    /// The default the code gives it, as written in the source (escapes kept), when it
    /// is a literal and neither the name nor the value looks like a credential.
    pub default: Option<String>,
    /// The code gives it a literal default that is not shown: the name or the value
    /// looks like a credential ([`looks_secret`]).
    pub default_hidden: bool,
    /// That hidden default is a secret itself: the name says so (`*_SECRET`, `*_KEY`,
    /// `*TOKEN*`, `*PASSWORD*`, ...) or the value looks like a credential. Unset, the
    /// deployed app runs with a secret anyone with the repository can read.
    pub default_secret: bool,
    /// A literal default of the code only serves development: an address on this machine
    /// (`mongodb://localhost:27017/dev`), or a credential's or identifier's placeholder
    /// (`'changeme'`, `'myAppId'`). The variable is then not `optional`: it must be set.
    pub dev_default: Option<DevDefault>,
    /// app.json's `value` is such a default: it is not offered as the value to set
    /// (`value` is then `None`), and Heroku's value is asked for instead.
    pub dev_value: Option<DevDefault>,
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
            // A placeholder (`"myAppId"`, `"changeme"`) or an address on the developer's
            // machine is no value to deploy with; a placeholder is no secret to rotate either.
            let dev_value = var
                .value
                .as_deref()
                .filter(|_| !heroku_default)
                .and_then(|v| dev::dev_default(&var.name, v));
            // An empty `value` (`"MAIL_PASSWORD": { "value": "" }`) holds no credential and
            // is no value to copy: Heroku's is asked for.
            let given = var.value.as_deref().filter(|v| !v.trim().is_empty());
            let hidden = dev_value != Some(DevDefault::Placeholder)
                && given.is_some_and(|v| looks_secret(&var.name, v));
            let value = given
                .map(str::to_owned)
                .filter(|_| !heroku_default && !var.secret && !hidden && dev_value.is_none());
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
            entry.dev_value = entry.dev_value.or(dev_value);
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
        if let Some(info) = app_reads.info.get(&name) {
            info.apply(entry);
            // A linked data Capsule sets it: the code's fallback (a database on the
            // developer's machine, usually) never applies.
            if matches!(entry.source, EnvSource::DataCapsule { .. }) {
                entry.optional = false;
            }
            let declared =
                app.app_json.as_ref().and_then(|j| j.value.env.iter().find(|v| v.name == name));
            if declared.is_some_and(|d| heroku_required(d, entry)) {
                entry.optional = false;
                // A real default is not offered as the value to keep; a development one
                // is still worth a word (it says why the code's fallback will not do).
                if entry.dev_default.is_none() {
                    entry.default = None;
                    entry.default_hidden = false;
                }
            }
            if entry.default_secret
                && let Some(place) = &info.default_place
            {
                notes.push((
                    format!(
                        "`{name}`: the code falls back to a value written in the repository \
                         (`{place}`, not shown) when it is unset, and the name says it is a \
                         secret: set it on the Capsule (Heroku's value, or a new one), or the \
                         deployed app runs with a secret anyone with the repository can read; \
                         better, make the code fail without it"
                    ),
                    None,
                ));
            }
        }
    }
    // Bundlers copy `REACT_APP_*`, `PUBLIC_URL` and the like into what they build; an app
    // no bundler builds (a Node server: Ghost's `PUBLIC_URL`) reads them when it runs.
    if !bundled(app) {
        for var in &mut vars {
            let inlined = app_reads.info.get(&var.name).is_some_and(|info| info.inlined);
            var.build_time = inlined || !var.build_reads.is_empty();
        }
    }
    notes.extend(build_notes(inv, app, &mut vars, &app_reads.dropped));
    (vars, notes)
}

/// Whether app.json's declaration keeps `var` required whatever the code falls back to.
///
/// Heroku's app.json schema (Dev Center "app-json-schema"): `required` is "whether the
/// given value is required for the app to function", default `true`; `value` fills the
/// field in when an app is created, `generator: "secret"` generates one. So Heroku never
/// ran the app without a value unless app.json said `"required": false`:
///
/// - `"required": true`, written out: the owner's call, whatever the code does;
/// - `required` not written: `true`. With a `generator`, the app ran with that generated
///   secret; with neither `value` nor `generator`, someone had to type one in. Either
///   way it stays required. With a `value` that is a real default, Heroku ran the app
///   with it: a code fallback to the same value runs it the same, so the code's word
///   stands; one to another value (or none) does not;
/// - `"required": false`: the code's fallbacks decide.
fn heroku_required(declared: &crate::inventory::app_json::EnvVar, var: &CapsuleEnv) -> bool {
    if declared.required_stated || !declared.required {
        return declared.required;
    }
    if declared.secret || var.dev_value.is_some() {
        return true;
    }
    match &declared.value {
        Some(value) => var.default.as_deref() != Some(value.as_str()),
        None => true,
    }
}

/// A bundler builds `app`: it is a frontend, or one of
/// [`crate::inventory::config::BUNDLERS`] is among its dependencies.
fn bundled(app: &App) -> bool {
    let package = app.package_json.as_ref();
    app.frontend.is_some()
        || crate::inventory::config::BUNDLERS
            .iter()
            .any(|b| package.is_some_and(|p| p.dependency(b).is_some()))
}

pub(super) fn blank(name: &str, source: EnvSource) -> CapsuleEnv {
    CapsuleEnv::new(name, source)
}

impl CapsuleEnv {
    /// A variable with nothing known but its name and source: no description, value or
    /// reads; build-time when its name is a frontend build setting ([`is_build_time`]).
    pub fn new(name: &str, source: EnvSource) -> CapsuleEnv {
        CapsuleEnv {
            name: name.to_owned(),
            source,
            description: None,
            required: None,
            value: None,
            hidden: false,
            read_by: Vec::new(),
            build_time: is_build_time(name),
            build_reads: Vec::new(),
            run_time: true,
            optional: false,
            default: None,
            default_hidden: false,
            default_secret: false,
            dev_default: None,
            dev_value: None,
        }
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

/// The path after the host of a URL, without a final `/`: `/parse` for
/// `https://x.herokuapp.com/parse`, empty for none.
pub fn url_path(url: &str) -> &str {
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    rest.find('/').map_or("", |i| rest[i..].trim_end_matches('/'))
}

/// The folder of an app from its displayed form.
pub(super) fn app_dir(display: &str) -> &str {
    if display == "." { "" } else { display }
}

/// The longest default shown, in characters; longer ones end in `…`.
const MAX_DEFAULT: usize = 40;

/// A code default as the guide and the report show it: at most [`MAX_DEFAULT`]
/// characters, control characters (a template's newline) as spaces, `""` for the empty
/// string. Markdown escaping is the renderer's.
pub fn shown_default(value: &str) -> String {
    if value.is_empty() {
        return "\"\"".into();
    }
    let clean: String = value.chars().map(|c| if c.is_control() { ' ' } else { c }).collect();
    if clean.chars().count() <= MAX_DEFAULT {
        return clean;
    }
    let cut: String = clean.chars().take(MAX_DEFAULT - 1).collect();
    format!("{cut}…")
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

#[cfg(test)]
mod defaults_tests;

#[cfg(test)]
mod tests {
    use super::*;

    /// Defaults are shown whole up to 40 characters, cut with `…` past that (on a
    /// character boundary), the empty string as `""`, a template's newline as a space.
    #[test]
    fn code_defaults_are_shortened_for_people() {
        assert_eq!(shown_default("info"), "info");
        assert_eq!(shown_default(""), "\"\"");
        assert_eq!(shown_default("a\nb"), "a b");
        let long = "é".repeat(41);
        let shown = shown_default(&long);
        assert_eq!(shown.chars().count(), 40);
        assert!(shown.ends_with('…') && shown.starts_with("éé"));
        assert_eq!(shown_default(&"x".repeat(40)), "x".repeat(40));
    }
}
