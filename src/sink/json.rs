//! The plan for programs: `plan --format json`. The schema is documented field by field
//! in `docs/plan-json.md`; a test checks the two agree in both directions.

use std::io::{self, Write};

use serde::Serialize;

use crate::app::Migration;
use crate::capsules::{AddonUse, Capsule, CapsuleEnv, ProcessUse, redacted};
use crate::diag::Warning;
use crate::plan::{Action, Note};

/// Bumped when a field changes meaning or goes away; new fields do not bump it.
pub const SCHEMA_VERSION: u32 = 1;

#[derive(Serialize)]
struct Document<'a> {
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
    command: &'a str,
    schedule: String,
    cron: String,
}

#[derive(Serialize)]
struct Change<'a> {
    path: &'a str,
    action: Action,
    rules: &'a [String],
}

pub fn write_json(m: &Migration, out: &mut dyn Write) -> io::Result<()> {
    let deployment = &m.plan.capsules;
    let guide = m.rules.guide_file().filter(|f| m.plan.changes.iter().any(|c| c.path == *f));
    let doc = Document {
        schema_version: SCHEMA_VERSION,
        apps: m
            .inventory
            .apps
            .iter()
            .map(|a| App {
                dir: a.display_dir(),
                evidence: &a.evidence,
                engines_node: a.package_json.as_ref().and_then(|p| p.engines_node()),
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
                command: &j.command,
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
    };
    serde_json::to_writer_pretty(&mut *out, &doc)?;
    writeln!(out)
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
