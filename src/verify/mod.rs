//! `verify`: builds and starts each Capsule of the migration branch as Code Capsules
//! would, on this machine, before the branch is pushed.
//!
//! The Capsules come from the plan of the commit the branch was made on, with the
//! options the user gives (as for `apply`). The branch's tree is written through gix to
//! a temporary folder outside the repository; each Backend and Frontend Capsule is then
//! installed, built and started there with the Node its `engines.node` asks for. This
//! runs the repository's own scripts, which is why it happens only when the user runs
//! `verify`. Nothing in the repository changes: not the work tree, the index, HEAD, a
//! ref or the object database.

mod baseline;
mod env;
mod install;
mod node;
mod probe;
mod report;
mod run;
mod steps;
mod tree;

use std::io::Write;
use std::path::Path;
use std::time::Duration;

use anyhow::{Context as _, bail};

use crate::app;
use crate::capsules::{Capsule, EnvSource};
use crate::migration::Outcome;
use crate::settings::Settings;
use crate::source::GitRepo;

/// The default `--timeout`: per step, and how long a web process gets to answer.
pub const DEFAULT_TIMEOUT_SECONDS: u64 = 300;

/// The exit code after Ctrl-C, as shells report a process ended by SIGINT.
const INTERRUPTED_CODE: i32 = 130;

/// Paths named in the warning about a branch that differs from its plan.
const DIFFERENCES_SHOWN: usize = 5;

/// What `verify` is asked to do, besides the planning options of [`Settings`].
#[derive(Debug, Clone)]
pub struct Options {
    /// The migration branch (short name).
    pub branch: String,
    /// Only these Capsules (names from the plan); all when empty.
    pub capsules: Vec<String>,
    /// Keep the logs and the written tree even when every step passed.
    pub keep: bool,
    /// The limit of each step; a web process must answer within it.
    pub timeout: Duration,
    /// Also run the failing Capsules' steps on the base commit, to tell new failures from
    /// existing ones.
    pub baseline: bool,
}

/// Failures before any step runs. The variants with a `source` say what failed; the
/// chain (`{:#}` through anyhow) adds the cause, as gitoxide's errors do.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Bad input: no such branch, no such Capsule, not a git repository.
    #[error("{0}")]
    Input(String),
    /// A file or folder of the temporary copy could not be written.
    #[error("{}", path.display())]
    Io {
        path: std::path::PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// The branch's objects could not be read.
    #[error("{what}")]
    Git {
        what: String,
        #[source]
        source: gix::Error,
    },
}

/// Runs `verify`: progress goes to `progress` (or a spinner on a terminal), the table and
/// the failures to `out`. Exit code 0 when every step passed, 1 when any failed, 130
/// after Ctrl-C; bad input is an error (exit code 2).
pub fn verify(
    settings: &Settings,
    options: &Options,
    out: &mut dyn Write,
    progress: &mut dyn Write,
) -> anyhow::Result<Outcome> {
    let planned = Planned::read(settings, options)?;
    let repo = planned.git.repo();
    let chosen = choose(planned.capsules(), &options.capsules, &settings.repo)?;
    let mut warnings = planned.warnings.clone();

    run::catch_interrupts();
    let scratch = tempfile::Builder::new()
        .prefix("capsule-migrate-verify-")
        .tempdir()
        .context("cannot create a temporary folder")?;
    let logs = tempfile::Builder::new()
        .prefix("capsule-migrate-verify-logs-")
        .tempdir()
        .context("cannot create a folder for the logs")?;
    let branch_dir = scratch.path().join("branch");
    let skipped = write(repo, planned.branch.tip_tree, &branch_dir)?;
    warnings.extend(skipped.iter().map(|s| format!("the written branch leaves out {s}")));

    let terminal = {
        use std::io::IsTerminal as _;
        std::io::stderr().is_terminal()
    };
    let mut shown = report::Progress::new(progress, terminal);
    for warning in &warnings {
        shown.line(&format!("warning: {warning}"));
    }
    shown.line(&format!(
        "Verifying branch `{}` ({}) in {}",
        options.branch,
        planned.branch.tip.to_hex_with_len(12),
        branch_dir.display()
    ));
    let mut steps = Steps {
        runner: run::Runner { timeout: options.timeout },
        nodes: node::Resolver::new(),
        logs: logs.path(),
        shown: &mut shown,
    };
    let Some(mut rows) = steps.branch(&chosen, &branch_dir) else {
        return Ok(interrupted(shown, out));
    };
    if options.baseline && rows.iter().any(|r| r.outcome.first_failure().is_some()) {
        let base_dir = scratch.path().join("base");
        write(repo, planned.branch.base_tree, &base_dir)?;
        steps.shown.line(&format!(
            "Baseline: what Heroku ran for the failing Capsules, on the base commit {} in {}",
            planned.branch.base.to_hex_with_len(12),
            base_dir.display()
        ));
        let apps = &planned.migration.inventory.apps;
        if steps.baseline(&chosen, apps, &base_dir, &mut rows).is_none() {
            return Ok(interrupted(shown, out));
        }
    }
    shown.finish();
    drop(shown);

    let failed = rows.iter().any(|r| r.outcome.first_failure().is_some());
    writeln!(out, "Branch `{}` ({}):", options.branch, planned.branch.tip.to_hex_with_len(12))?;
    report::write_table(&rows, out)?;
    report::write_failures(&rows, out)?;
    let data: Vec<&Capsule> = chosen.iter().copied().filter(|c| c.kind.is_data()).collect();
    let guide = planned.migration.rules.guide_file();
    report::write_data_capsules(&data, planned.capsules(), guide, out)?;
    writeln!(out)?;
    if options.keep || failed {
        let why = if options.keep { "--keep" } else { "a step failed" };
        writeln!(out, "Logs: {} (kept: {why})", logs.keep().display())?;
    } else {
        writeln!(out, "Logs removed (every step passed; --keep keeps them).")?;
    }
    if options.keep {
        writeln!(out, "The branch's files: {} (kept: --keep)", scratch.keep().display())?;
    }
    let summary = match (failed, rows.is_empty()) {
        (true, _) => "verify: a Capsule failed; fix the branch before pushing it.",
        (false, true) => "verify: no Backend or Frontend Capsule to build or start.",
        (false, false) => "verify: every Capsule built and started.",
    };
    writeln!(out, "{summary}")?;
    // The warnings were shown before the steps, where they explain what follows.
    Ok(Outcome { code: i32::from(failed), stderr: Vec::new() })
}

/// The branch, and the plan of the commit it was made on.
struct Planned {
    git: GitRepo,
    branch: tree::Branch,
    migration: crate::migration::Migration,
    /// Said before any step runs: the branch differs from the plan.
    warnings: Vec<String>,
}

impl Planned {
    fn read(settings: &Settings, options: &Options) -> anyhow::Result<Planned> {
        let path = &settings.repo;
        let open = || -> anyhow::Result<GitRepo> {
            match GitRepo::open(path)? {
                Some(git) => Ok(git),
                None => bail!(
                    "{}: not a git repository; `verify` checks the branch `apply` made in one",
                    path.display()
                ),
            }
        };
        let git = open()?;
        let branch = tree::find_branch(git.repo(), path, &options.branch)?;
        let base = branch.base.to_hex_with_len(12);
        let migration = app::prepare_at(settings, open()?.at_commit(branch.base)?)
            .with_context(|| format!("planning the branch's base commit {base}"))?;
        if migration.plan.capsules.capsules.is_empty() {
            bail!(
                "{}: the commit `{}` is based on ({base}) plans no Capsule with these options; \
                 pass verify the options you gave apply (--jobs, --app, ...)",
                path.display(),
                options.branch,
            );
        }
        let differences = tree::differences_from_plan(git.repo(), &branch, &migration.plan.changes)
            .map_err(|source| Error::Git {
                what: format!("{}: cannot compare the branch with its plan", path.display()),
                source,
            })?;
        let mut warnings = Vec::new();
        if !differences.is_empty() {
            warnings.push(differs_warning(&options.branch, &branch, &differences));
        }
        Ok(Planned { git, branch, migration, warnings })
    }

    fn capsules(&self) -> &[Capsule] {
        &self.migration.plan.capsules.capsules
    }
}

/// What runs the steps of one `verify`.
struct Steps<'a, 'w> {
    runner: run::Runner,
    nodes: node::Resolver,
    logs: &'a Path,
    shown: &'a mut report::Progress<'w>,
}

impl Steps<'_, '_> {
    /// Every Backend and Frontend Capsule of `chosen` on the tree at `root`; `None` after
    /// Ctrl-C.
    fn branch(&mut self, chosen: &[&Capsule], root: &Path) -> Option<Vec<report::Row>> {
        let place = steps::Place { root, logs: self.logs, suffix: "" };
        let mut rows = Vec::new();
        for capsule in chosen.iter().filter(|c| !c.kind.is_data()) {
            let outcome = self.capsule(capsule, &place);
            let data_vars = capsule
                .env
                .iter()
                .filter(|v| matches!(v.source, EnvSource::DataCapsule { .. }))
                .map(|v| v.name.clone())
                .collect();
            rows.push(report::Row { outcome, baseline: None, data_vars });
            if run::interrupted() {
                return None;
            }
        }
        Some(rows)
    }

    /// What Heroku ran for the Capsules of the failing `rows`, on the base commit's tree
    /// at `root` (see [`baseline`]); `None` after Ctrl-C.
    fn baseline(
        &mut self,
        chosen: &[&Capsule],
        apps: &[crate::inventory::App],
        root: &Path,
        rows: &mut [report::Row],
    ) -> Option<()> {
        let place = steps::Place { root, logs: self.logs, suffix: "-baseline" };
        for row in rows.iter_mut() {
            let Some((until, _)) = row.outcome.first_failure() else { continue };
            let Some(capsule) = chosen.iter().find(|c| c.name == row.outcome.capsule) else {
                continue;
            };
            let Some(app) = apps.iter().find(|a| Some(a.display_dir()) == capsule.app.as_deref())
            else {
                continue;
            };
            row.baseline = Some(baseline::verify_base(
                capsule,
                app,
                &place,
                until,
                &self.runner,
                &mut self.nodes,
                self.shown,
            ));
            if run::interrupted() {
                return None;
            }
        }
        Some(())
    }

    fn capsule(&mut self, capsule: &Capsule, place: &steps::Place) -> steps::Outcome {
        steps::verify_capsule(capsule, place, &self.runner, &mut self.nodes, self.shown)
    }
}

/// The Capsules named by `--capsule`, in plan order; all of them when none is named.
fn choose<'a>(
    capsules: &'a [Capsule],
    names: &[String],
    repo: &Path,
) -> Result<Vec<&'a Capsule>, Error> {
    if let Some(unknown) = names.iter().find(|n| !capsules.iter().any(|c| &c.name == *n)) {
        let known: Vec<&str> = capsules.iter().map(|c| c.name.as_str()).collect();
        return Err(Error::Input(format!(
            "{}: the plan has no Capsule `{unknown}`; its Capsules are {}",
            repo.display(),
            known.join(", ")
        )));
    }
    Ok(capsules.iter().filter(|c| names.is_empty() || names.contains(&c.name)).collect())
}

fn write(repo: &gix::Repository, tree: gix::ObjectId, dir: &Path) -> Result<Vec<String>, Error> {
    std::fs::create_dir(dir).map_err(|source| Error::Io { path: dir.to_owned(), source })?;
    tree::write_tree(repo, tree, dir)
}

fn differs_warning(name: &str, branch: &tree::Branch, paths: &[String]) -> String {
    let mut shown: Vec<&str> = paths.iter().take(DIFFERENCES_SHOWN).map(String::as_str).collect();
    let more = paths.len().saturating_sub(DIFFERENCES_SHOWN);
    let more = if more > 0 { format!(" and {more} more") } else { String::new() };
    let on_top = match branch.commits_on_top {
        0 => String::new(),
        n => format!(" ({n} commit(s) follow the migration commit)"),
    };
    shown.dedup();
    format!(
        "branch `{name}`{on_top} differs from what these options plan for its base commit {} \
         in {} file(s): {}{more}. verify runs the branch's files as they are, with the \
         Capsules of that plan; if you did not change these files yourself, pass verify the \
         options you gave apply (--jobs, --app, --node, --backend-url-env, --rules)",
        branch.base.to_hex_with_len(12),
        paths.len(),
        shown.join(", ")
    )
}

/// After Ctrl-C: every child is stopped by now; the temporary folders go when their
/// handles drop on return.
fn interrupted(mut shown: report::Progress, out: &mut dyn Write) -> Outcome {
    shown.finish();
    drop(shown);
    let _ = writeln!(
        out,
        "verify: interrupted; every process it started is stopped and its temporary folders are removed."
    );
    Outcome { code: INTERRUPTED_CODE, stderr: Vec::new() }
}
