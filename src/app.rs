//! One run of the pipeline: source -> inventory -> rules -> plan -> sink.
//!
//! The command line (`cli`) only parses flags; everything it runs is here so tests can
//! drive the same code in-process.

use std::io::Write;
use std::path::PathBuf;

use anyhow::{Context as _, bail};

use crate::diag::{FileError, Warning};
use crate::inventory::{self, Inventory};
use crate::migration::{Migration, Outcome, nothing_to_do};
use crate::plan::{self, Change, Plan};
use crate::publish::{self, forge::HostEnv};
use crate::rules::{self, RuleSet};
use crate::saved;
use crate::settings::{Format, Settings};
use crate::sink;
use crate::sink::summary::Row;
use crate::source::{GitRepo, Source};

/// The settings that are files or overrides: the rules and the jobs file's text.
struct Inputs {
    rules: RuleSet,
    jobs_text: Option<String>,
}

impl Inputs {
    fn read(settings: &Settings) -> anyhow::Result<Inputs> {
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
        let jobs_text = match &settings.jobs {
            Some(path) => Some(read_jobs_file(path)?),
            None => None,
        };
        Ok(Inputs { rules, jobs_text })
    }

    fn key(&self, settings: &Settings, git: &GitRepo) -> Option<saved::Key> {
        saved::Key::new(settings, &self.rules, self.jobs_text.as_deref(), git)
    }
}

/// Runs the pipeline up to the plan. Nothing is written.
pub fn prepare(settings: &Settings) -> anyhow::Result<Migration> {
    prepare_with(settings, Inputs::read(settings)?)
}

/// [`prepare`] with the rules and jobs file already read.
fn prepare_with(settings: &Settings, inputs: Inputs) -> anyhow::Result<Migration> {
    // Status looks at the work tree, not at HEAD's blobs: it overlaps with the scan.
    let (source, status) = Source::open_with_status(&settings.repo)?;
    let (inventory, mut plan) = scan(settings, &inputs, &source)?;
    let mut key = None;
    let mut worktree_warnings = 0;
    if let (Some(git), Some(status)) = (source.git(), status) {
        plan.warnings.extend(git.warnings().iter().cloned());
        let paths: Vec<&str> = plan.changes.iter().map(|c| c.path.as_str()).collect();
        let found = worktree_warnings_of(git, &status.wait()?, &paths);
        worktree_warnings = found.len();
        plan.warnings.extend(found);
        key = inputs.key(settings, git);
    }
    Ok(Migration { source, inventory, rules: inputs.rules, plan, key, worktree_warnings })
}

/// The inventory of `source` and the plan made from it.
fn scan(
    settings: &Settings,
    inputs: &Inputs,
    source: &Source,
) -> anyhow::Result<(Inventory, Plan)> {
    let jobs_name = settings.jobs.as_ref().map(|p| p.display().to_string());
    let hints = inventory::Hints {
        apps: &settings.apps,
        jobs: jobs_name.as_deref().zip(inputs.jobs_text.as_deref()),
        backend_hosts: &settings.backend_hosts,
        guide: inputs.rules.guide_file(),
    };
    let inventory = inventory::discover(source, &hints)?;
    let plan = plan::build(source, &inventory, &inputs.rules)?;
    Ok((inventory, plan))
}

/// The pipeline up to the plan on the tree of `git`'s commit as given (see
/// [`GitRepo::at_commit`]), without looking at the work tree: `verify` plans the commit a
/// branch was made on. Nothing is written.
pub fn prepare_at(settings: &Settings, git: GitRepo) -> anyhow::Result<Migration> {
    let inputs = Inputs::read(settings)?;
    let source = Source::Git(git.list()?);
    let (inventory, plan) = scan(settings, &inputs, &source)?;
    Ok(Migration { source, inventory, rules: inputs.rules, plan, key: None, worktree_warnings: 0 })
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

/// What the user should know about the work tree: uncommitted work that the branch will
/// not contain (`dirty`, sorted, naming those of `changed` it touches), and operations in
/// progress.
fn worktree_warnings_of(git: &GitRepo, dirty: &[String], changed: &[&str]) -> Vec<Warning> {
    let mut warnings = Vec::new();
    if let Some(state) = git.state_warning() {
        warnings.push(Warning::new(state));
    }
    if !dirty.is_empty() {
        let count = match dirty.len() {
            1 => "1 uncommitted change is".to_owned(),
            n => format!("{n} uncommitted changes are"),
        };
        warnings.push(Warning::new(format!(
            "{count} not part of the migration, which is based on HEAD"
        )));
        for &path in changed {
            if dirty.binary_search_by(|d| d.as_str().cmp(path)).is_ok() {
                warnings.push(Warning::in_file(
                    path,
                    "has uncommitted changes; the migration edits the committed version",
                ));
            }
        }
    }
    warnings
}

pub fn plan(settings: &Settings, format: Format, out: &mut dyn Write) -> anyhow::Result<Outcome> {
    plan_row(settings, format, None, out).map(|(outcome, _)| outcome)
}

/// [`plan()`], and its row of the summary of several repositories; `repo` is the name a
/// JSON plan carries in its `repo` field (then printed on one line).
pub fn plan_row(
    settings: &Settings,
    format: Format,
    repo: Option<&str>,
    out: &mut dyn Write,
) -> anyhow::Result<(Outcome, Row)> {
    let migration = prepare(settings)?;
    match (format, repo) {
        (Format::Text, _) => sink::report::write_text(&migration, out)?,
        (Format::Json, None) => sink::json::write_json(&migration, out)?,
        (Format::Json, Some(repo)) => sink::json::write_json_line(&migration, repo, out)?,
        (Format::Markdown, _) => sink::markdown::write_markdown(&migration, out)?,
    }
    save_for_apply(&migration);
    let result = if migration.plan.is_empty() { "nothing to do" } else { "planned" };
    let row = row_of(settings, &migration, result);
    free_in_background(migration);
    Ok((Outcome::default(), row))
}

/// Drops `migration` on a thread of its own. Freeing what a large monorepo's scan built
/// (the listing of every file, the facts of every file read) takes about 5 ms on the
/// benchmark's 20,000 files, which the answer already written need not wait for; the
/// process may exit before the thread ends. Without a thread, it is dropped here.
fn free_in_background(migration: Migration) {
    let _ = std::thread::Builder::new().spawn(move || drop(migration));
}

/// The summary row of a repository planned as `migration`.
fn row_of(settings: &Settings, migration: &Migration, result: &str) -> Row {
    Row {
        repo: settings.repo.display().to_string(),
        apps: Some(migration.inventory.apps.len()),
        capsules: Some(migration.plan.capsules.capsules.len()),
        files: Some(migration.plan.changes.len()),
        warnings: Some(migration.plan.warnings.len()),
        result: result.to_owned(),
        ..Row::default()
    }
}

pub fn diff(
    settings: &Settings,
    exit_code: bool,
    color: bool,
    out: &mut dyn Write,
) -> anyhow::Result<Outcome> {
    diff_row(settings, exit_code, color, out).map(|(outcome, _)| outcome)
}

/// [`diff`], and its row of the summary of several repositories.
pub fn diff_row(
    settings: &Settings,
    exit_code: bool,
    color: bool,
    out: &mut dyn Write,
) -> anyhow::Result<(Outcome, Row)> {
    let migration = prepare(settings)?;
    let hash = migration.source.git().map_or(gix::hash::Kind::Sha1, |g| g.repo().object_hash());
    match migration.source.git().filter(|git| git.scope().is_some()) {
        // `git apply` reads paths from the repository's root, as `git diff` writes them.
        Some(git) => {
            let changes: Vec<plan::Change> = migration
                .plan
                .changes
                .iter()
                .map(|c| plan::Change { path: git.repo_path(&c.path), ..c.clone() })
                .collect();
            sink::diff::write_patch(&changes, color, hash, out)?;
        }
        None => sink::diff::write_patch(&migration.plan.changes, color, hash, out)?,
    }
    out.flush()?;
    save_for_apply(&migration);
    let mut outcome = Outcome { code: 0, stderr: warning_lines(&migration.plan) };
    if migration.plan.is_empty() {
        outcome.stderr.push(nothing_to_do(&migration));
    } else if exit_code {
        outcome.code = 1;
    }
    let result = if migration.plan.is_empty() { "nothing to do" } else { "changes" };
    let row = row_of(settings, &migration, result);
    free_in_background(migration);
    Ok((outcome, row))
}

/// Keeps the plan just shown for `apply` ([`saved`]), when there is a change to commit.
fn save_for_apply(migration: &Migration) {
    let (Some(git), Some(key)) = (migration.source.git(), migration.key) else { return };
    // `apply` runs on the repository's root, never on a scope: nothing to keep for it.
    if migration.plan.is_empty() || git.scope().is_some() {
        return;
    }
    let own = migration.plan.warnings.len() - migration.worktree_warnings;
    let plan = saved::SavedPlan {
        changes: migration
            .plan
            .changes
            .iter()
            .map(|c| Change { old: None, rules: Vec::new(), ..c.clone() })
            .collect(),
        message: sink::report::commit_message(migration),
        warnings: migration.plan.warnings[..own].iter().map(ToString::to_string).collect(),
        guide: guide_in_plan(migration).map(str::to_owned),
        apps: migration.inventory.apps.len(),
        capsules: migration.plan.capsules.capsules.len(),
    };
    saved::save(git, key, &plan);
}

/// The guide's path when the plan writes it.
fn guide_in_plan(migration: &Migration) -> Option<&str> {
    let file = migration.rules.guide_file()?;
    migration.plan.changes.iter().any(|c| c.path == file).then_some(file)
}

/// How `apply` finds its plan.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reuse {
    /// The plan `plan` or `diff` saved for exactly these inputs, when there is one.
    Saved,
    /// Always read the repository again (`--rescan`).
    Rescan,
}

/// What `apply` is asked to do.
#[derive(Debug, Clone, Copy)]
pub struct ApplyRequest<'a> {
    /// The branch to create.
    pub branch: &'a str,
    pub force: bool,
    pub reuse: Reuse,
    /// `--push` and `--open-pr`; `None` leaves the branch in the local repository.
    pub publish: Option<&'a publish::Options>,
}

/// `apply`, then the push and pull request `request.publish` asks for (through what
/// `env` offers), and the run's row of the summary of several repositories.
///
/// A failed push or pull request is not an `Err`: the commit exists and the row keeps
/// its counts; the outcome's code is 2 and its stderr says what failed and what to do.
pub fn apply_row(
    settings: &Settings,
    request: &ApplyRequest,
    env: &HostEnv,
    out: &mut dyn Write,
) -> anyhow::Result<(Outcome, Row)> {
    let (branch, force, reuse) = (request.branch, request.force, request.reuse);
    let inputs = Inputs::read(settings)?;
    if reuse == Reuse::Saved
        && let Some(done) = apply_saved(settings, &inputs, request, env, out)?
    {
        return Ok(done);
    }
    let migration = prepare_with(settings, inputs)?;
    if let Some(git) = migration.source.git()
        && let (Some(_), Some(root)) = (git.scope(), git.workdir())
    {
        bail!(
            "{}: is a folder inside the git repository at {}; run `apply` on the \
             repository's root (use --app DIR to name app folders)",
            settings.repo.display(),
            root.display()
        );
    }
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
        return Ok((outcome, row_of(settings, &migration, "nothing to do")));
    }
    // A plan saved for other inputs means this commit is not the change last shown.
    let unlike_saved = reuse == Reuse::Saved && saved::exists(git);
    let message = sink::report::commit_message(&migration);
    let commit_request = sink::commit::Request { branch, force, message: &message };
    let done = sink::commit::commit(git, &migration.plan.changes, &commit_request)
        .with_context(|| format!("{}: cannot create branch {branch}", settings.repo.display()))?;
    let committed = Committed {
        done,
        changes: &migration.plan.changes,
        guide: guide_in_plan(&migration),
        message: &message,
        plan: if unlike_saved {
            sink::report::PlanFrom::Afresh
        } else {
            sink::report::PlanFrom::Read
        },
        stderr: outcome.stderr,
        apps: migration.inventory.apps.len(),
        capsules: migration.plan.capsules.capsules.len(),
    };
    finish_apply(settings, git, request, env, committed, out)
}

/// `apply` from the plan [`saved`] for these inputs: `Ok(None)` when there is none (or
/// anything stops it before the commit), and the full pipeline runs instead, which also
/// reports any bad input properly.
fn apply_saved(
    settings: &Settings,
    inputs: &Inputs,
    request: &ApplyRequest,
    env: &HostEnv,
    out: &mut dyn Write,
) -> anyhow::Result<Option<(Outcome, Row)>> {
    let branch = request.branch;
    let Ok(Some(git)) = GitRepo::open(&settings.repo) else { return Ok(None) };
    if git.scope().is_some() {
        // Refused with the full plan's message; a plan saved at the root is not this one.
        return Ok(None);
    }
    let Some(key) = inputs.key(settings, &git) else { return Ok(None) };
    let Some(plan) = saved::load(&git, key) else { return Ok(None) };
    // Status looks at the work tree while the objects are written.
    let status = git.uncommitted_paths_in_background();
    let commit_request =
        sink::commit::Request { branch, force: request.force, message: &plan.message };
    let done = sink::commit::commit(&git, &plan.changes, &commit_request)
        .with_context(|| format!("{}: cannot create branch {branch}", settings.repo.display()))?;
    let paths: Vec<&str> = plan.changes.iter().map(|c| c.path.as_str()).collect();
    // The branch exists now: a status that fails costs its warnings, not the exit code.
    let worktree = match status.wait() {
        Ok(dirty) => worktree_warnings_of(&git, &dirty, &paths),
        Err(e) => {
            // The whole chain, as the top level prints errors: the cause is gix's.
            let e = anyhow::Error::new(e);
            vec![Warning::new(format!("cannot look for uncommitted changes: {e:#}"))]
        }
    };
    let stderr = plan.warnings.iter().map(ToString::to_string);
    let stderr = stderr.chain(worktree.iter().map(ToString::to_string));
    let stderr = stderr.map(|w| format!("warning: {w}")).collect();
    let committed = Committed {
        done,
        changes: &plan.changes,
        guide: plan.guide.as_deref(),
        message: &plan.message,
        plan: sink::report::PlanFrom::Saved,
        stderr,
        apps: plan.apps,
        capsules: plan.capsules,
    };
    finish_apply(settings, &git, request, env, committed, out).map(Some)
}

/// A commit `apply` made, with what its report and the pull request need.
struct Committed<'a> {
    done: sink::commit::Outcome,
    changes: &'a [Change],
    guide: Option<&'a str>,
    message: &'a str,
    plan: sink::report::PlanFrom,
    /// The warnings, as printed on stderr.
    stderr: Vec<String>,
    apps: usize,
    capsules: usize,
}

/// Reports the commit, then pushes it and opens the pull request when asked.
fn finish_apply(
    settings: &Settings,
    git: &GitRepo,
    request: &ApplyRequest,
    env: &HostEnv,
    c: Committed,
    out: &mut dyn Write,
) -> anyhow::Result<(Outcome, Row)> {
    let applied = sink::report::Applied {
        files_changed: c.changes.len(),
        guide: c.guide,
        plan: c.plan,
        publishing: request.publish.is_some(),
    };
    sink::report::write_applied(git, &applied, &c.done, out)?;
    let mut row = Row {
        repo: settings.repo.display().to_string(),
        apps: Some(c.apps),
        capsules: Some(c.capsules),
        files: Some(c.changes.len()),
        warnings: Some(c.stderr.len()),
        result: "committed".to_owned(),
        ..Row::default()
    };
    let mut outcome = Outcome { code: 0, stderr: c.stderr };
    let Some(options) = request.publish else { return Ok((outcome, row)) };
    // The guide as committed is the pull request's description; without one, the
    // commit message says what changed.
    let guide = c.changes.iter().find(|change| Some(change.path.as_str()) == c.guide);
    let body = match guide.and_then(|change| change.new.as_deref()) {
        Some(bytes) => String::from_utf8_lossy(bytes).into_owned(),
        None => c.message.to_owned(),
    };
    let branch = publish::Branch {
        name: &c.done.branch,
        force: request.force,
        title: c.message.lines().next().unwrap_or("Migrate from Heroku to Code Capsules"),
        body: &body,
    };
    match publish::publish(git, &branch, options, env, out) {
        Ok(published) => {
            let (result, pr) = match published.pr {
                Some(publish::PrOutcome::Opened(url)) => ("pull request opened", Some(url)),
                Some(publish::PrOutcome::Existing(url)) => ("pull request already open", Some(url)),
                None => ("pushed", published.compare),
            };
            row.result = result.to_owned();
            row.pr = pr;
        }
        Err(publish::Error::Write(e)) => return Err(e.into()),
        Err(e) => {
            row.result = match e {
                publish::Error::Push(_) => "committed, not pushed",
                _ => "pushed, no pull request",
            }
            .to_owned();
            row.failed = true;
            outcome.code = 2;
            outcome.stderr.push(format!("error: {e}"));
        }
    }
    Ok((outcome, row))
}

fn enclosing_work_tree(path: &std::path::Path) -> Option<PathBuf> {
    let repo = gix::discover(path).ok()?;
    repo.workdir().map(|w| w.canonicalize().unwrap_or_else(|_| w.to_owned()))
}

fn warning_lines(plan: &Plan) -> Vec<String> {
    plan.warnings.iter().map(|w| format!("warning: {w}")).collect()
}
