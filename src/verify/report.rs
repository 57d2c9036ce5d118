//! What `verify` shows: progress while it works (a spinner on a terminal, plain lines
//! otherwise), then a table of Capsules and steps, the failures with the end of their
//! logs, and the Capsules it cannot check.

use std::io::{self, Write};
use std::path::Path;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressStyle};

use super::env::PLACEHOLDER_HOST;
use super::steps::{Outcome, Status, Step};
use crate::capsules::{Capsule, EnvSource};

/// Lines of a failed step's log shown under the table.
const LOG_TAIL_LINES: usize = 20;

/// Lines shown from a log's first error, when it comes before the tail.
const ERROR_LINES: usize = 6;

/// Progress of the steps.
pub(crate) struct Progress<'w> {
    spinner: Option<ProgressBar>,
    plain: &'w mut dyn Write,
}

impl<'w> Progress<'w> {
    /// A spinner on stderr when `terminal`, else plain lines to `plain`.
    pub fn new(plain: &'w mut dyn Write, terminal: bool) -> Progress<'w> {
        let spinner = terminal.then(|| {
            let bar = ProgressBar::new_spinner();
            if let Ok(style) = ProgressStyle::with_template("{spinner} {elapsed:>4} {msg}") {
                bar.set_style(style);
            }
            bar.enable_steady_tick(Duration::from_millis(120));
            bar
        });
        Progress { spinner, plain }
    }

    /// A step or part of one begins.
    pub fn begin(&mut self, capsule: &str, what: &str) {
        match &self.spinner {
            Some(bar) => {
                bar.reset_elapsed();
                bar.set_message(format!("{capsule}: {what}"));
            }
            None => {
                let _ = writeln!(self.plain, "{capsule}: {what}");
            }
        }
    }

    /// A step ended.
    pub fn end(&mut self, capsule: &str, step: Step, status: &Status) {
        let line = match status {
            Status::Passed(detail) if detail.is_empty() => format!("{capsule}: {} ok", step.name()),
            Status::Passed(detail) => format!("{capsule}: {} ok: {detail}", step.name()),
            Status::Failed(why) => format!("{capsule}: {} FAILED: {why}", step.name()),
            Status::NotRun => return,
            Status::None(why) => format!("{capsule}: {}: nothing to do ({why})", step.name()),
        };
        self.line(&line);
    }

    /// A line of its own, above the spinner.
    pub fn line(&mut self, line: &str) {
        match &self.spinner {
            Some(bar) => bar.println(line),
            None => {
                let _ = writeln!(self.plain, "{line}");
            }
        }
    }

    pub fn finish(&mut self) {
        if let Some(bar) = self.spinner.take() {
            bar.finish_and_clear();
        }
    }
}

impl Drop for Progress<'_> {
    fn drop(&mut self) {
        self.finish();
    }
}

/// Whether a failure was there before the migration (from `--baseline`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Origin {
    /// The base commit fails the same step.
    Existing,
    /// The base commit passes that step (or fails only a later one).
    New,
    /// The base commit fails an earlier step, so this one never ran there.
    Unknown(Step),
}

impl Origin {
    /// A branch failure at `step` compared with the base commit's outcome.
    pub fn of(step: Step, baseline: &Outcome) -> Origin {
        match baseline.first_failure() {
            Some((base_step, _)) if base_step == step => Origin::Existing,
            Some((base_step, _)) if base_step < step => Origin::Unknown(base_step),
            _ => Origin::New,
        }
    }

    fn word(self) -> &'static str {
        match self {
            Origin::Existing => "existing",
            Origin::New => "new",
            Origin::Unknown(_) => "unknown",
        }
    }

    /// Why, after the step's name: " (existing: ...)".
    fn explained(self) -> String {
        match self {
            Origin::Existing => {
                " (existing: what Heroku ran on the commit the branch is based on fails this \
                 step too)"
                    .into()
            }
            Origin::New => {
                " (new: what Heroku ran on the commit the branch is based on passes this step)"
                    .into()
            }
            Origin::Unknown(earlier) => format!(
                " (unknown: what Heroku ran on the commit the branch is based on fails \
                 earlier, at {}, so this step never ran there)",
                earlier.name()
            ),
        }
    }
}

/// One Capsule's row: its outcome and, with `--baseline`, that of the base commit.
pub(crate) struct Row {
    pub outcome: Outcome,
    pub baseline: Option<Outcome>,
    /// The Capsule's variables that link a data Capsule: they held placeholders.
    pub data_vars: Vec<String>,
}

impl Row {
    fn origin(&self) -> Option<Origin> {
        let (step, _) = self.outcome.first_failure()?;
        Some(Origin::of(step, self.baseline.as_ref()?))
    }

    /// The placeholders the failed step's log names (by name or value): the likely
    /// cause of the failure.
    fn suspects(&self) -> Vec<&(String, String)> {
        let Some((step, why)) = self.outcome.first_failure() else { return Vec::new() };
        // A failure of one of the Capsule's commands is described starting with that
        // command in backticks; verify's own checks (a static site's page, finding Node)
        // are not, and a placeholder does not cause them.
        if !why.starts_with('`') {
            return Vec::new();
        }
        let log = self.outcome.logs[step as usize]
            .as_ref()
            .and_then(|p| std::fs::read(p).ok())
            .map(|b| String::from_utf8_lossy(&b).into_owned())
            .unwrap_or_default();
        let said = |text: &str| mentions(&log, text);
        self.outcome
            .placeholders
            .iter()
            .filter(|(name, value)| said(name) || clues(value).iter().any(|c| said(c)))
            .collect()
    }

    fn cell(&self, step: Step) -> String {
        match self.outcome.status(step) {
            Status::Passed(_) => "ok".into(),
            Status::Failed(_) => {
                let mut marks: Vec<&str> = self.origin().map(Origin::word).into_iter().collect();
                if !self.suspects().is_empty() {
                    marks.push("placeholder?");
                }
                match marks.is_empty() {
                    true => "FAILED".into(),
                    false => format!("FAILED ({})", marks.join(", ")),
                }
            }
            Status::NotRun => "not run".into(),
            Status::None(_) => "-".into(),
        }
    }
}

/// What in a log points at a made-up `value`: the value itself unless it is short ("info",
/// "10", "false" are in many logs for other reasons), and a URL's `host:port`, which a
/// client's connection error names (`ECONNREFUSED 127.0.0.1:9`).
fn clues(value: &str) -> Vec<&str> {
    let mut clues = Vec::new();
    if value.len() >= 8 || value.contains(PLACEHOLDER_HOST) {
        clues.push(value);
    }
    if let Some((_, rest)) = value.split_once("://") {
        let authority = rest.split(['/', '?', '#']).next().unwrap_or(rest);
        let host = authority.rsplit_once('@').map_or(authority, |(_, host)| host);
        if !host.is_empty() && host != value {
            clues.push(host);
        }
    }
    clues
}

/// True when `text` holds `clue` not followed by a digit (`127.0.0.1:9` is not in
/// `127.0.0.1:9229`).
fn mentions(text: &str, clue: &str) -> bool {
    text.match_indices(clue)
        .any(|(at, _)| !text[at + clue.len()..].starts_with(|c: char| c.is_ascii_digit()))
}

/// The table, one row per Capsule.
pub(crate) fn write_table(rows: &[Row], out: &mut dyn Write) -> io::Result<()> {
    let mut cells: Vec<[String; 6]> = vec![[
        "Capsule".into(),
        "Node".into(),
        "install".into(),
        "build".into(),
        "start".into(),
        "seconds".into(),
    ]];
    for row in rows {
        let o = &row.outcome;
        cells.push([
            o.capsule.clone(),
            o.node.clone().unwrap_or_else(|| "-".into()),
            row.cell(Step::Install),
            row.cell(Step::Build),
            row.cell(Step::Start),
            format!("{:.1}", o.seconds),
        ]);
    }
    let mut widths = [0usize; 6];
    for line in &cells {
        for (width, cell) in widths.iter_mut().zip(line) {
            *width = (*width).max(cell.chars().count());
        }
    }
    for line in &cells {
        let mut text = String::new();
        for (i, (cell, width)) in line.iter().zip(widths).enumerate() {
            if i == 5 {
                text.push_str(&format!("{cell:>width$}"));
            } else {
                text.push_str(&format!("{cell:<width$}  "));
            }
        }
        writeln!(out, "  {}", text.trim_end())?;
    }
    Ok(())
}

/// Each failure: the Capsule, the step, why, and the end of the step's log.
pub(crate) fn write_failures(rows: &[Row], out: &mut dyn Write) -> io::Result<()> {
    for row in rows {
        let Some((step, why)) = row.outcome.first_failure() else { continue };
        let origin = row.origin().map(Origin::explained).unwrap_or_default();
        writeln!(out)?;
        writeln!(out, "{} failed at {}{origin}: {why}", row.outcome.capsule, step.name())?;
        if let Some(baseline) = &row.baseline
            && let Some((base_step, base_why)) = baseline.first_failure()
        {
            writeln!(out, "  on the base commit it failed at {}: {base_why}", base_step.name())?;
            if let Some(log) = &baseline.logs[base_step as usize] {
                writeln!(out, "  (log: {})", log.display())?;
            }
        }
        if let Some(log) = &row.outcome.logs[step as usize] {
            write_tail(log, out)?;
        }
        let suspects = row.suspects();
        if !suspects.is_empty() {
            let shown: Vec<String> = suspects.iter().map(|(n, v)| format!("{n}={v}")).collect();
            writeln!(
                out,
                "  placeholder?: the log points at {}, which verify made up (the repository gives \
                 no value): the failure may come from it, and not happen with the Capsule's real \
                 value",
                shown.join(", ")
            )?;
        } else if !row.outcome.placeholders.is_empty() && step != Step::Install {
            let names: Vec<&str> =
                row.outcome.placeholders.iter().map(|(n, _)| n.as_str()).collect();
            writeln!(out, "  placeholders verify made up for this run: {}", names.join(", "))?;
        }
        if step == Step::Start && !row.data_vars.is_empty() {
            writeln!(
                out,
                "  note: {} held a placeholder (a closed port on 127.0.0.1): a start that needs \
                 the database fails here; it is checked once the data Capsule is linked",
                row.data_vars.join(", ")
            )?;
        }
    }
    Ok(())
}

/// The end of a step's log; before it, the first lines that say "error" when they come
/// earlier (`npm ci` names the cause, then prints its whole usage).
fn write_tail(log: &Path, out: &mut dyn Write) -> io::Result<()> {
    let Ok(bytes) = std::fs::read(log) else { return Ok(()) };
    let text = String::from_utf8_lossy(&bytes);
    let lines: Vec<&str> = text.lines().collect();
    let tail_start = lines.len().saturating_sub(LOG_TAIL_LINES);
    let first_error = lines.iter().position(|l| l.to_ascii_lowercase().contains("error"));
    if let Some(first) = first_error.filter(|&i| i < tail_start) {
        let head = &lines[first..(first + ERROR_LINES).min(tail_start)];
        writeln!(out, "  first error line(s) of {}:", log.display())?;
        for line in head {
            writeln!(out, "    {line}")?;
        }
    }
    let tail = &lines[tail_start..];
    writeln!(out, "  last {} line(s) of {}:", tail.len(), log.display())?;
    for line in tail {
        writeln!(out, "    {line}")?;
    }
    Ok(())
}

/// The data Capsules, which `verify` cannot build or start, with what to check by hand.
pub(crate) fn write_data_capsules(
    data: &[&Capsule],
    all: &[Capsule],
    guide: Option<&str>,
    out: &mut dyn Write,
) -> io::Result<()> {
    if data.is_empty() {
        return Ok(());
    }
    writeln!(out)?;
    writeln!(out, "Not verified (data Capsules: nothing to build or start here):")?;
    for capsule in data {
        let users: Vec<String> = all
            .iter()
            .filter_map(|c| {
                let vars: Vec<&str> = c
                    .env
                    .iter()
                    .filter(|v| matches!(&v.source, EnvSource::DataCapsule { capsule: d } if *d == capsule.name))
                    .map(|v| v.name.as_str())
                    .collect();
                (!vars.is_empty()).then(|| format!("{} ({})", c.name, vars.join(", ")))
            })
            .collect();
        let moving = match guide {
            Some(file) => {
                format!("restore Heroku's data into it ({file}, \"Moving the database\")")
            }
            None => "restore Heroku's data into it".into(),
        };
        write!(out, "  {} [{}]: create it, {moving}", capsule.name, capsule.kind.label())?;
        if users.is_empty() {
            writeln!(out, ".")?;
        } else {
            writeln!(
                out,
                ", and link it to {}; here those variables held placeholders, so nothing \
                 reached a database.",
                users.join(", ")
            )?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn outcome(failed_at: Option<Step>) -> Outcome {
        let mut steps =
            [Status::Passed(String::new()), Status::Passed(String::new()), Status::NotRun];
        if let Some(step) = failed_at {
            steps[step as usize] = Status::Failed("`node server.js` exited with status 1".into());
            for later in &mut steps[step as usize + 1..] {
                *later = Status::NotRun;
            }
        }
        Outcome { steps, seconds: 1.0, ..Outcome::new("api") }
    }

    #[test]
    fn a_failure_is_existing_only_when_the_base_fails_the_same_step() {
        let base = |step| outcome(Some(step));
        assert_eq!(Origin::of(Step::Build, &base(Step::Build)), Origin::Existing);
        assert_eq!(Origin::of(Step::Build, &outcome(None)), Origin::New);
        assert_eq!(Origin::of(Step::Build, &base(Step::Start)), Origin::New);
        assert_eq!(Origin::of(Step::Start, &base(Step::Install)), Origin::Unknown(Step::Install));
    }

    #[test]
    fn the_table_aligns_its_columns_and_marks_baseline_failures() {
        let rows = [
            Row { outcome: outcome(None), baseline: None, data_vars: Vec::new() },
            Row {
                outcome: Outcome { capsule: "api-worker".into(), ..outcome(Some(Step::Build)) },
                baseline: Some(outcome(Some(Step::Build))),
                data_vars: Vec::new(),
            },
        ];
        let mut out = Vec::new();
        write_table(&rows, &mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert_eq!(
            text,
            "  Capsule     Node  install  build              start    seconds\n\
             \x20 api         -     ok       ok                 not run      1.0\n\
             \x20 api-worker  -     ok       FAILED (existing)  not run      1.0\n"
        );
    }

    /// A failure whose log names a made-up value is labelled as possibly caused by it;
    /// one whose log does not is not, and a common short value is no evidence.
    #[test]
    fn a_failure_naming_a_placeholder_is_labelled() {
        let tmp = tempfile::tempdir().unwrap();
        let log = tmp.path().join("api-start.log");
        std::fs::write(&log, "Error: unknown level capsule-migrate-verify-placeholder\n").unwrap();
        let mut failed = outcome(Some(Step::Start));
        failed.logs[2] = Some(log.clone());
        failed.placeholders = vec![
            ("LOG_LEVEL".into(), "capsule-migrate-verify-placeholder".into()),
            ("FEATURE_ENABLED".into(), "false".into()),
        ];
        let row = Row { outcome: failed.clone(), baseline: None, data_vars: Vec::new() };
        assert_eq!(row.cell(Step::Start), "FAILED (placeholder?)");
        let mut out = Vec::new();
        write_failures(std::slice::from_ref(&row), &mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(
            text.contains(
                "placeholder?: the log points at LOG_LEVEL=capsule-migrate-verify-placeholder,"
            ),
            "{text}"
        );
        assert!(!text.contains("FEATURE_ENABLED=false"), "{text}");

        std::fs::write(&log, "Error: listen EADDRINUSE; debug=false\n").unwrap();
        let row =
            Row { outcome: failed.clone(), baseline: Some(outcome(None)), data_vars: Vec::new() };
        assert_eq!(row.cell(Step::Start), "FAILED (new)");
        let mut out = Vec::new();
        write_failures(std::slice::from_ref(&row), &mut out).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(
            text.contains("placeholders verify made up for this run: LOG_LEVEL, FEATURE_ENABLED"),
            "{text}"
        );
        std::fs::write(&log, "Error: LOG_LEVEL must be one of fatal, error, info\n").unwrap();
        let row = Row { outcome: failed, baseline: Some(outcome(None)), data_vars: Vec::new() };
        assert_eq!(row.cell(Step::Start), "FAILED (new, placeholder?)");

        // A client's connection error names the placeholder URL's host and port only.
        let mut redis = outcome(Some(Step::Start));
        redis.logs[2] = Some(log.clone());
        redis.placeholders = vec![(
            "REDIS_URL".into(),
            "redis://capsule-migrate-verify-placeholder@127.0.0.1:9/capsule-migrate-verify-placeholder"
                .into(),
        )];
        std::fs::write(&log, "Error: connect ECONNREFUSED 127.0.0.1:9\n").unwrap();
        let row = Row { outcome: redis.clone(), baseline: None, data_vars: Vec::new() };
        assert_eq!(row.cell(Step::Start), "FAILED (placeholder?)");
        std::fs::write(&log, "Debugger listening on ws://127.0.0.1:9229\n").unwrap();
        let row = Row { outcome: redis, baseline: None, data_vars: Vec::new() };
        assert_eq!(row.cell(Step::Start), "FAILED");

        // verify's own check of a static site's page is no command the placeholder broke,
        // though the build's log prints the placeholder URL it injected.
        let mut site = outcome(Some(Step::Build));
        site.steps[1] = Status::Failed(
            "the build wrote BACKEND_URL into public/config.js, but \
            public/index.html does not load it with a <script src>"
                .into(),
        );
        std::fs::write(&log, "wrote public/config.js: https://capsule-migrate-verify.invalid\n")
            .unwrap();
        site.logs[1] = Some(log.clone());
        site.placeholders = vec![("BACKEND_URL".into(), PLACEHOLDER_HOST.into())];
        let row = Row { outcome: site, baseline: None, data_vars: Vec::new() };
        assert_eq!(row.cell(Step::Build), "FAILED");
    }
}
