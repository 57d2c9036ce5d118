//! Several `REPO` arguments: each repository is handled as if it were the only one (one
//! that fails does not stop the others), then a table sums the run up.

use std::io::Write;
use std::path::Path;

use crate::migration::Outcome;
use crate::sink::summary::{Row, write_table};

/// Where the run's output goes and how it is laid out.
pub struct Layout {
    /// A `==> REPO <==` line before each repository's output (not for JSON lines, which
    /// carry a `repo` field instead).
    pub headers: bool,
    /// The summary table on stdout; else on stderr, where it cannot spoil a patch or
    /// JSON lines that a program reads.
    pub summary_on_stdout: bool,
}

/// Runs `one` on each of `repos` in order, printing each one's warnings and errors as it
/// ends, then the summary table. The exit code is 2 when any repository failed, else the
/// highest code of the runs (1 from `diff --exit-code` when any has changes).
pub fn run_each<F>(
    repos: &[&Path],
    layout: &Layout,
    stdout: &mut dyn Write,
    stderr: &mut dyn Write,
    mut one: F,
) -> i32
where
    F: FnMut(&Path, &mut dyn Write) -> anyhow::Result<(Outcome, Row)>,
{
    let mut rows = Vec::new();
    let mut code = 0;
    for (i, repo) in repos.iter().enumerate() {
        if layout.headers {
            let gap = if i == 0 { "" } else { "\n" };
            let _ = writeln!(stdout, "{gap}==> {} <==", repo.display());
        }
        match one(repo, stdout) {
            Ok((outcome, row)) => {
                let _ = stdout.flush();
                // Among several, a warning must say which repository it is about.
                let name = repo.display().to_string();
                for line in &outcome.stderr {
                    match line.split_once(": ") {
                        Some((kind @ ("warning" | "error"), rest)) if !rest.starts_with(&name) => {
                            _ = writeln!(stderr, "{kind}: {name}: {rest}")
                        }
                        _ => _ = writeln!(stderr, "{line}"),
                    }
                }
                code = code.max(outcome.code);
                rows.push(row);
            }
            // The reader has gone (`| head`): the rest would go nowhere.
            Err(e) if crate::diag::is_broken_pipe(&e) => return 0,
            Err(e) => {
                let _ = stdout.flush();
                // Among several, an error must say which repository it is about.
                let name = repo.display().to_string();
                let message = format!("{e:#}");
                match message.starts_with(&name) {
                    true => _ = writeln!(stderr, "error: {message}"),
                    false => _ = writeln!(stderr, "error: {name}: {message}"),
                }
                rows.push(Row::failed(&repo.display().to_string(), &format!("{e:#}")));
            }
        }
    }
    let out: &mut dyn Write = if layout.summary_on_stdout { stdout } else { stderr };
    let _ = write_table(&rows, out);
    if rows.iter().any(|row| row.failed) { 2 } else { code }
}
