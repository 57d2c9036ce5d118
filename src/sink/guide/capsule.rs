//! One section per Capsule: its settings, what to know, and its environment variables.

use super::md::{Md, code, list};
use super::{Guide, build_cell, opt_code, replaces};
use crate::capsules::{Capsule, CapsuleEnv, CapsuleKind, EnvSource};

/// Read-in locations shown per variable before the rest is counted.
const MAX_READS: usize = 3;

pub(super) fn all(md: &mut Md, g: &Guide) {
    let capsules = &g.deployment.capsules;
    if capsules.is_empty() {
        return;
    }
    md.heading("Creating each Capsule");
    md.line(
        "- **Backend and Frontend Capsules**: connect this repository, choose the branch you \
         deploy (this one, once merged) and set the folder (project path) shown. Code Capsules \
         installs the dependencies itself, runs `npm run build` when package.json has a `build` \
         script, and takes the Node version from `engines.node`.",
    );
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
        settings(md, c);
    }
    for note in &c.notes {
        md.line(&format!("- {}.", capitalized(note)));
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
        md.line(&format!(
            "Environment variables of {}: set {} as on {} (same code, same values).",
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
        md.row(&[&code(&var.name), &value_cell(g, c, var), &about_cell(var), &reads_cell(var)]);
    }
}

fn settings(md: &mut Md, c: &Capsule) {
    md.row(&["Setting", "Value"]);
    md.row(&["---", "---"]);
    md.row(&["Folder (project path)", &opt_code(c.folder.as_deref())]);
    md.row(&["Build command", &build_cell(c)]);
    match c.kind {
        CapsuleKind::Frontend => {
            md.row(&["Build output folder", &opt_code(c.output_folder.as_deref())]);
            md.row(&["Run command", "none: Code Capsules serves the output folder"]);
        }
        _ => md.row(&["Run command", &opt_code(c.run_command.as_deref())]),
    }
    if let Some(replicas) = c.replicas {
        md.row(&["Replicas", &replicas_cell(c, replicas)]);
    }
    md.blank();
}

fn replicas_cell(c: &Capsule, replicas: u64) -> String {
    match (&c.heroku_size, &c.heroku_process) {
        (Some(size), Some(process)) => {
            let memory = dyno_memory(size).map(|m| format!(", {m} of memory")).unwrap_or_default();
            format!(
                "{replicas} (Heroku ran `{process}` on {} dynos{memory}: choose a Capsule size \
                 with as much)",
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
                 a credential)"
            ),
        },
        EnvSource::AppJson { secret: true } => format!(
            "a random secret: keep Heroku's (`heroku config:get {name}`) so existing sessions \
             and signatures stay valid, or generate one (`openssl rand -hex 32`)"
        ),
        EnvSource::AppJson { secret: false } => match &var.value {
            Some(value) => {
                format!("{} (app.json's default), or Heroku's current value", code(value))
            }
            None => format!("Heroku's value: `heroku config:get {name}`"),
        },
        EnvSource::Addon { service } => {
            format!("the value from your own {} account (Heroku's add-on set it)", code(service))
        }
        EnvSource::Heroku => {
            "nothing Code Capsules sets: give it a value by hand or change the code (see \
             Heroku-only settings)"
                .into()
        }
        EnvSource::HerokuBuild => {
            "nothing: it configured Heroku's buildpack; the Capsule's settings replace it".into()
        }
        EnvSource::CodeCapsules => {
            "nothing: Code Capsules sets it to the Capsule's URL, without `https://`".into()
        }
        EnvSource::Code => code_value(name),
    }
}

/// A variable only the code names. Those Heroku's database add-ons set usually come from
/// an add-on attached in the dashboard, which app.json does not show.
fn code_value(name: &str) -> String {
    let from_heroku = format!("Heroku's value: `heroku config:get {name}`");
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
    if build_adds_scheme {
        format!("{whose}, as Code Capsules shows it (the build adds `https://`)")
    } else {
        format!("`https://` followed by {whose}")
    }
}

fn about_cell(var: &CapsuleEnv) -> String {
    let mut parts: Vec<String> = Vec::new();
    if let Some(description) = &var.description {
        parts.push(description.trim_end_matches('.').to_owned());
    }
    match &var.source {
        EnvSource::Heroku => parts.push("Heroku dyno metadata".into()),
        EnvSource::HerokuBuild => parts.push("Heroku buildpack setting".into()),
        EnvSource::CapsuleUrl { .. } if var.description.is_none() => {
            parts.push("links the Capsules".into());
        }
        _ => {}
    }
    match var.required {
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
