//! The plan for programs: `plan --format json`. The schema is documented in the README.

use std::io::{self, Write};

use serde::Serialize;

use crate::app::Migration;
use crate::diag::Warning;
use crate::plan::{Action, Note};

/// Bumped when a field changes meaning or goes away; new fields do not bump it.
pub const SCHEMA_VERSION: u32 = 1;

#[derive(Serialize)]
struct Document<'a> {
    schema_version: u32,
    apps: Vec<App<'a>>,
    jobs: Vec<Job<'a>>,
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
}

#[derive(Serialize)]
struct Process<'a> {
    name: &'a str,
    command: &'a str,
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
                    .map(|p| Process { name: &p.name, command: &p.command })
                    .collect(),
            })
            .collect(),
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
