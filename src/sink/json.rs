//! The plan for programs: `plan --format json`. The schema is documented field by field
//! in `docs/plan-json.md`; a test checks the two agree in both directions.

use std::io::{self, Write};

use serde::Serialize;

use crate::capsules::{AddonUse, Capsule, CapsuleEnv, ProcessUse, redacted};
use crate::diag::Warning;
use crate::migration::Migration;
use crate::plan::{Action, NodeEngine, Note};

/// Bumped when a field changes meaning or goes away; new fields do not bump it.
pub const SCHEMA_VERSION: u32 = 1;

#[derive(Serialize)]
struct Document<'a> {
    /// The `REPO` argument, in a run over several repositories only.
    #[serde(skip_serializing_if = "Option::is_none")]
    repo: Option<&'a str>,
    schema_version: u32,
    apps: Vec<App<'a>>,
    heroku_hosts: Vec<HerokuHost<'a>>,
    processes: &'a [ProcessUse],
    addons: &'a [AddonUse],
    env: Vec<AppEnv<'a>>,
    jobs: Vec<Job<'a>>,
    capsules: &'a [Capsule],
    /// The migration guide's path when the plan writes it.
    guide: Option<&'a str>,
    changes: Vec<Change<'a>>,
    notes: &'a [Note],
    warnings: &'a [Warning],
}

#[derive(Serialize)]
struct App<'a> {
    dir: &'a str,
    evidence: &'a [String],
    engines_node: Option<&'a str>,
    /// What the migration decided for `engines.node`; `None` without a package.json.
    node_engine: Option<&'a NodeEngine>,
    processes: Vec<Process<'a>>,
    frontend: Option<Frontend<'a>>,
}

/// How a static frontend is built and where its files end up.
#[derive(Serialize)]
struct Frontend<'a> {
    kind: &'static str,
    label: &'static str,
    output: &'a str,
    page_template: Option<&'a str>,
}

/// A herokuapp host the repository names, and what the migration takes it for.
#[derive(Serialize)]
struct HerokuHost<'a> {
    name: &'a str,
    role: &'static str,
    app: Option<&'a str>,
    evidence: &'a str,
}

#[derive(Serialize)]
struct Process<'a> {
    name: &'a str,
    /// Credential-looking `VAR=value` values are shown as `***`.
    command: String,
}

/// One variable of one app: what any of the app's Capsules needs.
#[derive(Serialize)]
struct AppEnv<'a> {
    app: &'a str,
    #[serde(flatten)]
    var: &'a CapsuleEnv,
}

#[derive(Serialize)]
struct Job<'a> {
    app: &'a str,
    name: &'a str,
    /// Redacted like process commands.
    command: String,
    /// The Procfile process type the jobs file named, whose command `command` is.
    process: Option<&'a str>,
    schedule: String,
    cron: String,
}

#[derive(Serialize)]
struct Change<'a> {
    path: &'a str,
    action: Action,
    rules: &'a [String],
}

/// The plan as one indented JSON object.
pub fn write_json(m: &Migration, out: &mut dyn Write) -> io::Result<()> {
    let text = serde_json::to_string_pretty(&document(m, None)).map_err(io::Error::other)?;
    writeln!(out, "{}", redact_strings(&text))
}

/// The plan as one JSON object on one line, with a `repo` field naming the `REPO`
/// argument: a run over several repositories prints one such line per repository.
pub fn write_json_line(m: &Migration, repo: &str, out: &mut dyn Write) -> io::Result<()> {
    let text = serde_json::to_string(&document(m, Some(repo))).map_err(io::Error::other)?;
    writeln!(out, "{}", redact_strings(&text))
}

fn document<'a>(m: &'a Migration, repo: Option<&'a str>) -> Document<'a> {
    let deployment = &m.plan.capsules;
    let guide = m.rules.guide_file().filter(|f| m.plan.changes.iter().any(|c| c.path == *f));
    Document {
        repo,
        schema_version: SCHEMA_VERSION,
        apps: m
            .inventory
            .apps
            .iter()
            .map(|a| App {
                dir: a.display_dir(),
                evidence: &a.evidence,
                engines_node: a.package_json.as_ref().and_then(|p| p.engines_node()),
                node_engine: m.plan.node_engines.iter().find(|n| n.app == a.dir),
                processes: a
                    .processes()
                    .iter()
                    .map(|p| Process { name: &p.name, command: redacted(&p.command) })
                    .collect(),
                frontend: a.frontend.as_ref().map(|f| Frontend {
                    kind: f.kind.id(),
                    label: f.kind.label(),
                    output: if f.public_dir.is_empty() { "." } else { &f.public_dir },
                    page_template: f.page_template.as_deref(),
                }),
            })
            .collect(),
        heroku_hosts: m.inventory.hosts.iter().map(heroku_host).collect(),
        processes: &deployment.processes,
        addons: &deployment.addons,
        env: app_env(m),
        jobs: m
            .inventory
            .jobs
            .iter()
            .map(|j| Job {
                app: if j.app.is_empty() { "." } else { &j.app },
                name: &j.name,
                command: redacted(&j.command),
                process: j.process.as_deref(),
                schedule: j.schedule.describe(),
                cron: j.schedule.to_cron(),
            })
            .collect(),
        capsules: &deployment.capsules,
        guide,
        changes: m
            .plan
            .changes
            .iter()
            .map(|c| Change { path: &c.path, action: c.action, rules: &c.rules })
            .collect(),
        notes: &m.plan.notes,
        warnings: &m.plan.warnings,
    }
}

/// `json` with every string literal passed through
/// [`crate::capsules::secret::redact_known`]: the last line of defence behind the
/// redaction of each command and value. Works on the text so the field order stays.
fn redact_strings(json: &str) -> String {
    let mut out = String::with_capacity(json.len());
    let mut rest = json;
    while let Some(start) = rest.find('"') {
        out.push_str(&rest[..start]);
        let literal = &rest[start..];
        let mut end = 1;
        let bytes = literal.as_bytes();
        while end < bytes.len() && bytes[end] != b'"' {
            end += if bytes[end] == b'\\' { 2 } else { 1 };
        }
        let literal = &literal[..(end + 1).min(literal.len())];
        let redacted = serde_json::from_str::<String>(literal).ok().and_then(|s| {
            let r = crate::capsules::secret::redact_known(&s);
            (r != s).then(|| serde_json::to_string(&r).expect("a string serialises"))
        });
        out.push_str(redacted.as_deref().unwrap_or(literal));
        rest = &rest[start + literal.len()..];
    }
    out.push_str(rest);
    out
}
/// Each app's variables: the first occurrence of each name across its Capsules, in
/// Capsule order.
fn app_env(m: &Migration) -> Vec<AppEnv<'_>> {
    let mut vars: Vec<AppEnv> = Vec::new();
    for app in &m.inventory.apps {
        let dir = app.display_dir();
        for capsule in m.plan.capsules.capsules_of(dir) {
            for var in &capsule.env {
                if !vars.iter().any(|v| v.app == dir && v.var.name == var.name) {
                    vars.push(AppEnv { app: dir, var });
                }
            }
        }
    }
    vars
}

fn heroku_host(host: &crate::inventory::hosts::HerokuHost) -> HerokuHost<'_> {
    use crate::inventory::hosts::HostRole;
    let (role, app) = match &host.role {
        HostRole::Backend { app } => {
            ("backend", app.as_deref().map(|d| if d.is_empty() { "." } else { d }))
        }
        HostRole::OwnApp { app } => ("own-app", Some(app.as_str())),
        HostRole::Unknown => ("unknown", None),
    };
    HerokuHost { name: &host.name, role, app, evidence: &host.evidence }
}
