//! One run of the pipeline: source -> inventory -> rules -> plan -> sink.
//!
//! The command line (`cli`) only parses flags; everything it runs is here so tests can
//! drive the same code in-process.

use std::io::Write;
use std::path::PathBuf;

use anyhow::{Context as _, bail};

use crate::cli::Format;
use crate::diag::{FileError, Warning};
use crate::inventory::{self, Inventory};
use crate::plan::{self, Plan};
use crate::rules::{self, RuleSet};
use crate::sink;
use crate::source::Source;

/// The settings a run works with, made from the flags in one place (`cli`).
#[derive(Debug, Clone)]
pub struct Settings {
    pub repo: PathBuf,
    pub jobs: Option<PathBuf>,
    pub apps: Vec<String>,
    pub node: Option<u32>,
    pub backend_url_env: Option<String>,
    pub rules: Option<PathBuf>,
}

impl Settings {
    /// Defaults for `repo`, as the command line would give them.
    pub fn for_repo(repo: impl Into<PathBuf>) -> Settings {
        Settings {
            repo: repo.into(),
            jobs: None,
            apps: Vec::new(),
            node: None,
            backend_url_env: None,
            rules: None,
        }
    }
}

/// How a command ended when it did not fail: its exit code and lines for stderr.
#[derive(Debug, Default)]
pub struct Outcome {
    pub code: i32,
    pub stderr: Vec<String>,
}

/// Everything a sink renders: the facts and the plan made from them.
pub struct Migration {
    pub source: Source,
    pub inventory: Inventory,
    pub rules: RuleSet,
    pub plan: Plan,
}

/// Runs the pipeline up to the plan. Nothing is written.
pub fn prepare(settings: &Settings) -> anyhow::Result<Migration> {
    let mut rules = match &settings.rules {
        Some(dir) => rules::load_dir(dir)?,
        None => rules::embedded()?,
    };
    if let Some(major) = settings.node {
        rules.override_node_major(major);
    }
    if let Some(name) = &settings.backend_url_env {
        rules.override_backend_url_env(name);
    }
    let source = Source::open(&settings.repo)?;
    let jobs_text = match &settings.jobs {
        Some(path) => Some(read_jobs_file(path)?),
        None => None,
    };
    let jobs_name = settings.jobs.as_ref().map(|p| p.display().to_string());
    let hints = inventory::Hints {
        apps: &settings.apps,
        jobs: jobs_name.as_deref().zip(jobs_text.as_deref()),
    };
    let inventory = inventory::discover(&source, &hints)?;
    let mut plan = plan::build(&source, &inventory, &rules)?;
    plan.warnings.extend(repository_warnings(&source, &plan)?);
    Ok(Migration { source, inventory, rules, plan })
}

fn read_jobs_file(path: &std::path::Path) -> anyhow::Result<String> {
    let name = path.display().to_string();
    let bytes = std::fs::read(path)
        .map_err(|e| FileError::new(&name, format!("cannot read the jobs file: {e}")))?;
    String::from_utf8(bytes).map_err(|e| {
        let offset = e.utf8_error().valid_up_to();
        FileError::at_offset(&name, e.as_bytes(), offset, "not valid UTF-8").into()
    })
}

/// What the user should know about the repository itself: uncommitted work that the
/// branch will not contain, and operations in progress.
fn repository_warnings(source: &Source, plan: &Plan) -> anyhow::Result<Vec<Warning>> {
    let Some(git) = source.git() else { return Ok(Vec::new()) };
    let mut warnings: Vec<Warning> = git.warnings().to_vec();
    if let Some(state) = git.state_warning() {
        warnings.push(Warning::new(state));
    }
    let dirty = git.uncommitted_paths()?;
    if !dirty.is_empty() {
        warnings.push(Warning::new(format!(
            "{} uncommitted change(s) are not part of the migration, which is based on HEAD",
            dirty.len()
        )));
        for change in &plan.changes {
            if dirty.contains(&change.path) {
                warnings.push(Warning::in_file(
                    &change.path,
                    "has uncommitted changes; the migration edits the committed version",
                ));
            }
        }
    }
    Ok(warnings)
}

pub fn plan(settings: &Settings, format: Format, out: &mut dyn Write) -> anyhow::Result<Outcome> {
    let migration = prepare(settings)?;
    match format {
        Format::Text => sink::report::write_text(&migration, out)?,
        Format::Json => sink::json::write_json(&migration, out)?,
        Format::Markdown => sink::guide::write_markdown(&migration, out)?,
    }
    Ok(Outcome::default())
}

pub fn diff(
    settings: &Settings,
    exit_code: bool,
    color: bool,
    out: &mut dyn Write,
) -> anyhow::Result<Outcome> {
    let migration = prepare(settings)?;
    sink::diff::write_patch(&migration.plan.changes, color, out)?;
    out.flush()?;
    let mut outcome = Outcome { code: 0, stderr: warning_lines(&migration.plan) };
    if migration.plan.is_empty() {
        outcome.stderr.push(nothing_to_do(&migration));
    } else if exit_code {
        outcome.code = 1;
    }
    Ok(outcome)
}

pub fn apply(
    settings: &Settings,
    branch: &str,
    force: bool,
    out: &mut dyn Write,
) -> anyhow::Result<Outcome> {
    let migration = prepare(settings)?;
    let Some(git) = migration.source.git() else {
        // A folder inside a work tree is read as a plain folder: the branch must be made
        // from the whole repository's HEAD, so point at its root.
        if let Some(root) = enclosing_work_tree(&settings.repo) {
            bail!(
                "{}: is a folder inside the git repository at {}; run `apply` on the \
                 repository's root (use --app DIR to name app folders)",
                settings.repo.display(),
                root.display()
            );
        }
        bail!(
            "{}: not a git repository; `apply` writes a commit on a new branch and needs one \
             (`plan` and `diff` work on plain folders)",
            settings.repo.display()
        );
    };
    let outcome = Outcome { code: 0, stderr: warning_lines(&migration.plan) };
    if migration.plan.is_empty() {
        writeln!(out, "{}", nothing_to_do(&migration))?;
        writeln!(out, "No commit was made.")?;
        return Ok(outcome);
    }
    let message = sink::report::commit_message(&migration);
    let request = sink::commit::Request { branch, force, message: &message };
    let done = sink::commit::commit(git, &migration.plan.changes, &request)
        .with_context(|| format!("{}: cannot create branch {branch}", settings.repo.display()))?;
    sink::report::write_applied(&migration, &done, out)?;
    Ok(outcome)
}

fn enclosing_work_tree(path: &std::path::Path) -> Option<PathBuf> {
    let repo = gix::discover(path).ok()?;
    repo.workdir().map(|w| w.canonicalize().unwrap_or_else(|_| w.to_owned()))
}

fn warning_lines(plan: &Plan) -> Vec<String> {
    plan.warnings.iter().map(|w| format!("warning: {w}")).collect()
}

/// Why there is nothing to change, in one line.
pub fn nothing_to_do(migration: &Migration) -> String {
    let guide = migration.rules.guide_file();
    let migrated = guide.is_some_and(|file| migration.source.entry(file).is_some());
    if migrated && migration.inventory.heroku_markers.is_empty() {
        let file = guide.unwrap_or_default();
        format!("Nothing to do: the repository is already migrated to Code Capsules (see {file}).")
    } else if migration.inventory.apps.is_empty() {
        "No Heroku app found (no Procfile, app.json or heroku-* npm script): nothing to migrate."
            .into()
    } else {
        "Nothing to do: the repository is already migrated to Code Capsules.".into()
    }
}
