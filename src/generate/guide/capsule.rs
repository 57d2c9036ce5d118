//! One section per Capsule: its settings, what to know, and its environment variables.

use super::md::{self, Md, code, list};
use super::{Guide, build_cell, opt_code, replaces};
use crate::capsules::{
    Capsule, CapsuleEnv, CapsuleKind, DevDefault, EnvScope, EnvSource, herokuapp_default, url_path,
};
use crate::inventory::config::{manager_of, package_manager};
use crate::inventory::parent;

/// Read-in locations shown per variable before the rest is counted.
const MAX_READS: usize = 3;

pub(super) fn all(md: &mut Md, g: &Guide) {
    let capsules = &g.deployment.capsules;
    if capsules.is_empty() {
        return;
    }
    md.heading("Creating each Capsule");
    // Each build runs with the app's package manager: name the ones these Capsules use.
    let mut builds: Vec<String> = Vec::new();
    for app in g
        .inventory
        .apps
        .iter()
        .filter(|a| capsules.iter().any(|c| c.app.as_deref() == Some(a.display_dir())))
    {
        let build = code(&manager_of(&g.inventory.lockfiles, app).run("build"));
        if !builds.contains(&build) {
            builds.push(build);
        }
    }
    if builds.is_empty() {
        builds.push(code("npm run build"));
    }
    md.line(&format!(
        "- **Backend and Frontend Capsules**: connect this repository, choose the branch you \
         deploy (this one, once merged) and set the folder (project path) shown. Code Capsules \
         installs the dependencies itself, runs {} when package.json has a `build` script, and \
         takes the Node version from `engines.node`.",
        builds.join(" or ")
    ));
    md.line(
        "- **Variables**: set them in the Capsule's Config tab, save, then restart the Capsule. \
         `PORT` and `NODE_ENV` are set by Code Capsules and not listed.",
    );
    let sources = || capsules.iter().flat_map(|c| &c.env).map(|v| &v.source);
    if capsules.iter().any(|c| c.kind.is_data()) {
        md.line(
            "- **Linking a data Capsule**: in the Config tab of the Capsule that needs it, open \
             the data Capsule in the data Capsules section and click `+` next to its connection \
             string. Code Capsules calls the variable `DATABASE_URL`: rename it when the table \
             gives another name.",
        );
    }
    if sources().any(|s| matches!(s, EnvSource::CapsuleUrl { .. } | EnvSource::CodeCapsules)) {
        md.line(
            "- **URLs**: Code Capsules shows a Capsule's URL without `https://` (in its details \
             and in its `APP_URL` variable): add `https://` where the table says so, and no `/` \
             at the end.",
        );
    }
    for (i, capsule) in capsules.iter().enumerate() {
        one(md, g, i + 1, capsule);
    }
}

fn one(md: &mut Md, g: &Guide, number: usize, c: &Capsule) {
    md.subheading(&format!("{number}. {}: {}", code(&c.name), c.kind.label()));
    md.line(&format!("Replaces {}.", replaces(c)));
    md.blank();
    if c.kind.is_data() {
        let users = users_of(g, &c.name);
        if !users.is_empty() {
            md.line(&format!("Link it {}.", users.join("; and ")));
            md.blank();
        }
    } else {
        settings(md, g, c);
    }
    for note in &c.notes {
        md.line(&format!("- {}.", md::prose(&capitalized(note))));
    }
    if c.env.is_empty() {
        if !c.kind.is_data() {
            if !c.notes.is_empty() {
                md.blank();
            }
            md.line("No environment variables found to set.");
        }
        return;
    }
    if !c.notes.is_empty() {
        md.blank();
    }
    // Capsules of one app run the same code: say "as on X" rather than repeat its table.
    let earlier = g.deployment.capsules[..number - 1].iter().find(|p| {
        p.app == c.app && p.kind == CapsuleKind::Backend && c.kind == CapsuleKind::Backend
    });
    let (same, rest): (Vec<&CapsuleEnv>, Vec<&CapsuleEnv>) = c.env.iter().partition(|v| {
        earlier.is_some_and(|p| p.env.iter().any(|e| e.name == v.name && e.source == v.source))
    });
    if let (Some(earlier), false) = (earlier, same.is_empty()) {
        let names: Vec<String> = same.iter().map(|v| code(&v.name)).collect();
        // A narrowed Capsule runs part of the code: only the values are shared, and the
        // list is its own.
        let why = match c.env_scope {
            EnvScope::Code { .. } => {
                "the Heroku app's values; only the variables the code it runs reads are listed"
            }
            EnvScope::App | EnvScope::Fallback { .. } => "same code, same values",
        };
        md.line(&format!(
            "Environment variables of {}: set {} as on {} ({why}).",
            code(&c.name),
            list(&names),
            code(&earlier.name)
        ));
        if rest.is_empty() {
            return;
        }
        md.blank();
        md.line("And also:");
    } else {
        md.line(&format!("Environment variables of {}:", code(&c.name)));
    }
    md.blank();
    md.row(&["Variable", "Set it to", "About it", "Read in"]);
    md.row(&["---"; 4]);
    for var in rest {
        md.row(&[
            &code(&var.name),
            &value_cell(g, c, var),
            &about_cell(g, c, var),
            &reads_cell(var),
        ]);
    }
}

fn settings(md: &mut Md, g: &Guide, c: &Capsule) {
    md.row(&["Setting", "Value"]);
    md.row(&["---", "---"]);
    md.row(&["Folder (project path)", &opt_code(c.folder.as_deref())]);
    if let Some(app) = &c.app {
        md.row(&["Install (automatic)", &install_cell(g, app)]);
    }
    md.row(&["Build command", &build_cell(c)]);
    match c.kind {
        CapsuleKind::Frontend => {
            md.row(&["Build output folder", &opt_code(c.output_folder.as_deref())]);
            md.row(&["Run command", "none: Code Capsules serves the output folder"]);
        }
        _ => md.row(&["Run command", &opt_code(c.run_command.as_deref())]),
    }
    if c.serves_http == Some(false) && c.heroku_process.as_deref() == Some("web") {
        md.row(&[
            "Network port",
            "leave the default: its code never listens on a port (see the notes below)",
        ]);
    }
    if let Some(replicas) = c.replicas {
        md.row(&["Replicas", &replicas_cell(c, replicas)]);
    }
    md.blank();
}

/// The package manager the build uses, from the lockfile in the Capsule's folder (the
/// app's, or the one above it that it runs from).
fn install_cell(g: &Guide, app: &str) -> String {
    let dir = if app == "." { "" } else { app };
    let dir = g.inventory.app(dir).map_or(dir, |a| a.build_dir());
    let lockfiles = &g.inventory.lockfiles;
    if let Some((manager, lockfile)) = package_manager(lockfiles, dir) {
        let mut cell = format!("{} (from {})", code(manager.install()), code(lockfile));
        if let Some(pin) = yarn_berry_pin(g, dir) {
            // Measured: yarn 4.18 rewrites a yarn 4.11 lockfile's `__metadata` version, and
            // yarn 1 cannot read a yarn 2+ lockfile at all.
            cell.push_str(&format!(
                "; `packageManager` pins {}: check that the build log shows that Yarn (a \
                 yarn 1 cannot read this lockfile, and a later one rewrites it, which an \
                 immutable install refuses)",
                code(&pin)
            ));
        }
        return cell;
    }
    let above: Vec<&String> = lockfiles
        .iter()
        .filter(|l| {
            let folder = parent(l);
            folder.len() < dir.len()
                && (folder.is_empty() || dir.starts_with(&format!("{folder}/")))
        })
        .collect();
    match above.first() {
        Some(lockfile) => format!(
            "`npm install`: the lockfile {} is outside the folder Code Capsules builds, so \
             versions are resolved afresh",
            code(lockfile)
        ),
        None => "`npm install`: no lockfile, so versions are resolved afresh; commit one to \
                 build what Heroku built"
            .into(),
    }
}

/// The `packageManager` of the app in `dir` when it pins yarn 2 or later (`yarn@4.11.0`,
/// without a `+sha...` hash).
fn yarn_berry_pin(g: &Guide, dir: &str) -> Option<String> {
    let app = g.inventory.app(dir)?;
    let spec = app.package_json.as_ref()?.value.get("packageManager")?.as_str()?;
    let version = spec.strip_prefix("yarn@")?;
    let version = version.split('+').next().unwrap_or(version);
    let major: u32 = version.split('.').next()?.parse().ok()?;
    (major >= 2).then(|| format!("yarn@{version}"))
}

fn replicas_cell(c: &Capsule, replicas: u64) -> String {
    match (&c.heroku_size, &c.heroku_process) {
        (Some(size), Some(process)) => {
            let memory = dyno_memory(size).map(|m| format!(", {m} of memory")).unwrap_or_default();
            format!(
                "{replicas} (Heroku ran {} on {} dynos{memory}: choose a Capsule size \
                 with as much)",
                code(process),
                code(size)
            )
        }
        _ => replicas.to_string(),
    }
}

/// The memory of a Heroku dyno size (Dev Center "dyno-types").
pub(super) fn dyno_memory(size: &str) -> Option<&'static str> {
    let size = size.to_ascii_lowercase();
    let size = size.strip_prefix("private-").or(size.strip_prefix("shield-")).unwrap_or(&size);
    match size {
        "free" | "hobby" | "eco" | "basic" | "standard-1x" => Some("512 MB"),
        "standard-2x" | "s" => Some("1 GB"),
        "performance-m" | "m" => Some("2.5 GB"),
        "performance-l" | "l" => Some("14 GB"),
        "performance-l-ram" | "l-ram" => Some("30 GB"),
        "performance-xl" | "xl" => Some("62 GB"),
        "performance-2xl" | "2xl" => Some("126 GB"),
        _ => None,
    }
}

/// The Capsules that link this data Capsule, grouped by the variable name they use:
/// "as `DATABASE_URL` to `a` and `b`".
fn users_of(g: &Guide, data: &str) -> Vec<String> {
    let mut by_name: Vec<(&str, Vec<String>)> = Vec::new();
    for capsule in &g.deployment.capsules {
        for var in &capsule.env {
            if !matches!(&var.source, EnvSource::DataCapsule { capsule } if capsule == data) {
                continue;
            }
            match by_name.iter_mut().find(|(name, _)| *name == var.name) {
                Some((_, users)) => users.push(code(&capsule.name)),
                None => by_name.push((&var.name, vec![code(&capsule.name)])),
            }
        }
    }
    by_name
        .into_iter()
        .map(|(name, users)| format!("as {} to {}", code(name), list(&users)))
        .collect()
}

/// What to put in the variable: the source, never a secret.
fn value_cell(g: &Guide, c: &Capsule, var: &CapsuleEnv) -> String {
    let name = &var.name;
    match &var.source {
        EnvSource::DataCapsule { capsule } => {
            format!("the connection string of {}, linked (see above)", code(capsule))
        }
        EnvSource::CapsuleUrl { capsule } => url_value(g, c, var, capsule.as_deref()),
        EnvSource::Procfile { process } => match &var.value {
            Some(value) => {
                format!("{} (from the `{process}` command in the Procfile)", code(value))
            }
            None => format!(
                "the value the `{process}` command set in the Procfile (not shown: it looks like \
                 a credential): copy it from the Procfile on Heroku's branch or from its issuer, \
                 and rotate it, since it is in the repository's history"
            ),
        },
        EnvSource::AppJson { secret: true } => format!(
            "a random secret: keep Heroku's (`heroku config:get {name}`) so existing sessions \
             and signatures stay valid, or generate one (`openssl rand -hex 32`)"
        ),
        EnvSource::AppJson { secret: false } if var.hidden => format!(
            "Heroku's value: `heroku config:get {name}` (app.json's default looks like a \
             credential, so it is not shown; it is in the repository's history: rotate it)"
        ),
        EnvSource::AppJson { secret: false } => match (&var.value, var.dev_value) {
            (Some(value), _) => {
                format!("{} (app.json's default), or Heroku's current value", code(value))
            }
            (None, Some(dev)) => {
                let what = match dev {
                    DevDefault::Local => {
                        "an address on a developer's machine, which nothing \
                                          answers on Code Capsules"
                    }
                    DevDefault::Placeholder => "a placeholder, not a value to run with",
                };
                format!("Heroku's value: `heroku config:get {name}` (app.json's default is {what})")
            }
            (None, None) => format!("Heroku's value: `heroku config:get {name}`"),
        },
        EnvSource::Addon { service } => {
            format!("the value from your own {} account (Heroku's add-on set it)", code(service))
        }
        EnvSource::Heroku => heroku_runtime_value(name).into(),
        EnvSource::DotEnv { file } => format!(
            "the value in the committed {} (not shown): set it here, then rotate it, since it \
             is in the repository's history",
            code(file)
        ),
        EnvSource::HerokuBuild => {
            "nothing: it configured Heroku's buildpack; the Capsule's settings replace it".into()
        }
        EnvSource::CodeCapsules => {
            "nothing: Code Capsules sets it to the Capsule's URL, without `https://`".into()
        }
        EnvSource::Code => code_value(name),
    }
}

/// What a variable Heroku's dynos set becomes on Code Capsules (HEROKU.md, "What Heroku
/// sets at run time").
fn heroku_runtime_value(name: &str) -> &'static str {
    match name {
        "DYNO" => {
            "nothing: Code Capsules has no dynos and leaves it unset; code that checks it to \
             tell it runs on Heroku now takes the other branch"
        }
        "WEB_CONCURRENCY" => {
            "the number of processes per replica: Heroku's Node buildpack set it from the dyno's \
             memory (1 on a 512 MB dyno); Code Capsules leaves it unset, and code that then \
             forks one process per CPU may run out of memory: set it (`1` for a small Capsule)"
        }
        "WEB_MEMORY" => {
            "the memory per process in MB that Heroku's buildpack assumed (512 by default): set \
             it only if the code needs it"
        }
        "MEMORY_AVAILABLE" => {
            "the replica's memory in MB, which Heroku's dyno manager set: set it to the \
             Capsule's memory if the code needs it"
        }
        "NODE_HOME" => "nothing: it was Heroku's Node install folder; the code should not need it",
        _ => {
            "nothing Code Capsules sets: give it a value by hand or change the code (see \
             Heroku-only settings)"
        }
    }
}

/// A variable only the code names. Those Heroku's database add-ons set usually come from
/// an add-on attached in the dashboard, which app.json does not show.
fn code_value(name: &str) -> String {
    let from_heroku = format!("Heroku's value: `heroku config:get {name}`");
    if crate::capsules::is_build_time_backend_address(name) {
        return format!(
            "{from_heroku}, with a `*.herokuapp.com` address in it replaced by the URL (with \
             `https://`) of the Capsule that now serves it: that Heroku app goes away"
        );
    }
    if names_an_address(name) {
        return format!(
            "{from_heroku}; a `*.herokuapp.com` address in it goes away with that app: use \
             the URL of the Capsule that replaces it (same path), also where it is registered \
             (an OAuth provider's allowed callbacks)"
        );
    }
    let kind = if name == "DATABASE_URL" || name.starts_with("HEROKU_POSTGRESQL_") {
        "PostgreSQL"
    } else if matches!(name, "REDIS_URL" | "REDIS_TLS_URL" | "REDISCLOUD_URL" | "REDISTOGO_URL") {
        "Redis"
    } else {
        return from_heroku;
    };
    format!(
        "if a Heroku add-on set it (`heroku addons -a <heroku-app>` lists those attached in the \
         dashboard), the connection string of a {kind} Capsule you create and link; otherwise \
         {from_heroku}"
    )
}

/// Whether a variable the code reads may hold the address of a web app, perhaps a Heroku
/// one: a name ending in `_URL`, `_URI`, `_ORIGIN(S)` or `_HOST`, or containing
/// `CALLBACK`/`REDIRECT`, and not a database's, a message broker's or another service's
/// endpoint (those come from add-ons or accounts).
fn names_an_address(name: &str) -> bool {
    let upper = name.to_ascii_uppercase();
    let suffixed =
        ["_URL", "_URI", "_ORIGIN", "_ORIGINS", "_HOST"].iter().any(|s| upper.ends_with(s))
            || matches!(upper.as_str(), "URL" | "ORIGIN" | "HOST" | "BASE_URL")
            || upper.contains("CALLBACK")
            || upper.contains("REDIRECT");
    let service = [
        "DATABASE",
        "POSTGRES",
        "PG",
        "MYSQL",
        "MONGO",
        "REDIS",
        "AMQP",
        "RABBIT",
        "KAFKA",
        "ELASTIC",
        "SEARCH",
        "MEMCACHE",
        "WEBHOOK",
        "SENTRY",
        "S3",
        "BUCKET",
        "SMTP",
        "MAIL",
        "CLOUDINARY",
        "DB",
        "QUEUE",
        "SQS",
    ]
    .iter()
    .any(|word| {
        // `CLOUDAMQP`, `ELASTICSEARCH`: long words anywhere in a part, short ones (`PG`,
        // `DB`, `S3`) only at its start.
        upper
            .split('_')
            .any(|part| part.starts_with(word) || (word.len() >= 4 && part.contains(word)))
    });
    suffixed && !service
}

fn url_value(g: &Guide, c: &Capsule, var: &CapsuleEnv, target: Option<&str>) -> String {
    // The static-site build script adds the scheme itself; everything else gets the value
    // as it is set.
    let app = c.app.as_deref().map(|d| if d == "." { "" } else { d });
    let frontend = app.and_then(|d| g.inventory.app(d)).and_then(|a| a.frontend.as_ref());
    let build_adds_scheme = match frontend {
        // The generated build step reads every backend URL variable of the frontend.
        Some(f) => {
            f.kind.loads_config_script() && matches!(var.source, EnvSource::CapsuleUrl { .. })
        }
        None => {
            c.kind == CapsuleKind::Frontend
                && var.name == g.rules.backend_url_env().unwrap_or("BACKEND_URL")
        }
    };
    let whose = match target {
        Some(name) => format!("the URL of {}", code(name)),
        None if c.kind == CapsuleKind::Frontend => "the URL of the backend Capsule it calls".into(),
        None => "the URL of the frontend Capsule that calls it".into(),
    };
    // An app.json default that named a Heroku address keeps its path.
    let app = c.app.as_deref().unwrap_or(".");
    let path = herokuapp_default(g.inventory, app, &var.name).map(url_path).unwrap_or_default();
    let then = if path.is_empty() { String::new() } else { format!(", then {}", code(path)) };
    if build_adds_scheme {
        format!("{whose}, as Code Capsules shows it (the build adds `https://`){then}")
    } else {
        format!("`https://` followed by {whose}{then}")
    }
}

fn about_cell(g: &Guide, c: &Capsule, var: &CapsuleEnv) -> String {
    let mut parts: Vec<String> = Vec::new();
    if let Some(description) = &var.description {
        parts.push(md::prose(description.trim_end_matches('.')));
    }
    let build = c.build_command.as_deref().unwrap_or("npm run build");
    if !var.build_reads.is_empty() {
        let places: Vec<String> = var.build_reads.iter().take(MAX_READS).map(|r| code(r)).collect();
        let (only, also) = if var.run_time {
            ("", ", and by the running app")
        } else {
            (" only", ", not by the running app")
        };
        parts.push(format!(
            "read{only} while the Capsule builds (`{build}` or the install hooks: {}){also}: \
             set it before the build",
            places.join(", ")
        ));
    } else if var.build_time {
        parts.push(format!(
            "build-time setting: the bundler copies it into the built files when `{build}` \
             runs, so set it before the build and rebuild after changing it"
        ));
    }
    let linked = matches!(var.source, EnvSource::DataCapsule { .. });
    // What the code falls back to, as the guide may show it.
    let fallback = |var: &CapsuleEnv| match &var.default {
        Some(value) => code(&crate::capsules::shown_default(value)),
        None => "a value written in the repository (not shown)".into(),
    };
    let mut said_required = false;
    if linked {
        // The link sets it: the code's fallback never applies, and is only worth a word
        // when it could mislead (a database on the developer's machine).
        if var.dev_default == Some(DevDefault::Local) {
            parts.push(format!(
                "set by the link; the code's fallback {} is a database on a developer's \
                 machine, for local development only",
                fallback(var)
            ));
        }
    } else if var.default_secret {
        parts.push(
            "the code falls back to a value written in the repository (not shown), and the \
             name says it is a secret: set it, or the app runs with a public secret"
                .into(),
        );
    } else if let Some(dev) = var.dev_default {
        // A local address is wrong wherever the app uses the variable (an app that
        // connects through a linked connection string may never read its `DB_HOST`); a
        // placeholder credential or identifier is wrong, full stop.
        parts.push(match dev {
            DevDefault::Local => {
                // app.json's `required` says it in one word; else the address says why.
                said_required = var.required == Some(true);
                format!(
                    "{}: the code falls back to {}, an address on a developer's machine, for \
                     local development only: nothing answers there on Code Capsules, so set it \
                     wherever the app uses it",
                    if said_required { "required" } else { "not optional" },
                    fallback(var)
                )
            }
            DevDefault::Placeholder => {
                said_required = true;
                format!(
                    "required: the code falls back to {}, a development placeholder, not a \
                     value to run with",
                    fallback(var)
                )
            }
        });
    } else if var.default_hidden {
        parts.push(
            "optional: the code falls back to a value written in the repository (not shown: \
             the name looks like a credential's)"
                .into(),
        );
    } else if var.optional {
        parts.push(match &var.default {
            Some(value) => format!(
                "optional: the code falls back to {}",
                code(&crate::capsules::shown_default(value))
            ),
            None => "optional: the code falls back to a computed value or runs without it".into(),
        });
    } else if let Some(value) = &var.default {
        parts.push(format!(
            "some reads fall back to {}, others need it",
            code(&crate::capsules::shown_default(value))
        ));
    }
    match &var.source {
        EnvSource::Heroku if var.name.starts_with("HEROKU_") => {
            parts.push("Heroku dyno metadata".into());
        }
        EnvSource::Heroku => parts.push("set by Heroku at run time, not a config var".into()),
        EnvSource::DotEnv { .. } => parts.push("committed in the repository".into()),
        EnvSource::HerokuBuild => parts.push("Heroku buildpack setting".into()),
        EnvSource::CapsuleUrl { .. } => {
            let app = c.app.as_deref().unwrap_or(".");
            match herokuapp_default(g.inventory, app, &var.name) {
                Some(url) => {
                    parts.push(format!("app.json's default {} was a Heroku address", code(url)))
                }
                None if var.description.is_none() => parts.push("links the Capsules".into()),
                None => {}
            }
        }
        _ => {}
    }
    match var.required {
        // app.json's `required` (true unless it says otherwise) is what Heroku asked
        // for; the code's own fallback says more about what the app needs.
        Some(_) if var.optional => {}
        Some(true) if said_required => {}
        Some(true) => parts.push("required".into()),
        Some(false) => parts.push("optional".into()),
        None => {}
    }
    if parts.is_empty() { "—".into() } else { parts.join("; ") }
}

fn reads_cell(var: &CapsuleEnv) -> String {
    if var.read_by.is_empty() {
        return "—".into();
    }
    let mut shown: Vec<String> = var.read_by.iter().take(MAX_READS).map(|r| code(r)).collect();
    if var.read_by.len() > MAX_READS {
        shown.push(format!("{} more", var.read_by.len() - MAX_READS));
    }
    shown.join(", ")
}

fn capitalized(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().collect::<String>() + chars.as_str(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A frontend's build-time backend address held a Heroku address on Heroku: copying it
    /// as is points the new site at an app that goes away.
    #[test]
    fn a_build_time_backend_address_is_not_copied_as_is() {
        for name in ["REACT_APP_GRAPHQL_URI", "VITE_API_URL", "VUE_APP_SERVER_HOST"] {
            let value = code_value(name);
            assert!(value.contains(&format!("heroku config:get {name}")), "{value}");
            assert!(value.contains("replaced by the URL"), "{value}");
        }
        for name in ["REACT_APP_VAPID_PUBLIC_KEY", "VITE_TITLE", "AUTH0_DOMAIN"] {
            assert_eq!(code_value(name), format!("Heroku's value: `heroku config:get {name}`"));
        }
    }

    /// A backend's own address, an OAuth callback or another app's origin held a Heroku
    /// address on Heroku too: the guide says to replace it, not only to copy it.
    #[test]
    fn addresses_of_web_apps_are_not_copied_as_is() {
        for name in [
            "AUTH0_CALLBACK_URL",
            "GOOGLE_REDIRECT_URI",
            "OAUTH_CALLBACK",
            "CORS_ORIGIN",
            "ALLOWED_ORIGINS",
            "FRONTEND_URL",
            "API_URL",
            "BASE_URL",
            "SERVER_HOST",
        ] {
            let value = code_value(name);
            assert!(value.starts_with(&format!("Heroku's value: `heroku config:get {name}`")));
            assert!(value.contains("`*.herokuapp.com` address"), "{name}: {value}");
        }
        for name in [
            "DATABASE_URL",
            "MONGODB_URI",
            "REDIS_URL",
            "CLOUDAMQP_URL",
            "SENTRY_DSN",
            "SLACK_WEBHOOK_URL",
            "SMTP_HOST",
            "S3_BUCKET_URL",
            "ELASTICSEARCH_URL",
            "QUEUE_URL",
            "DB_HOST",
            "SESSION_SECRET",
        ] {
            assert!(!code_value(name).contains("herokuapp"), "{name}");
        }
    }
}
