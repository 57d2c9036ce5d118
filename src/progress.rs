//! A progress bar on the terminal for the one long step of a run: reading and scanning
//! the files of a large repository (seconds on a 20,000-file monorepo).
//!
//! Drawn on stderr, only when stderr is a terminal, and never after `--quiet`: output
//! that goes to a file, a pipe or a test holds no progress.

use std::io::IsTerminal;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

/// Files below which a run is short enough (well under a second) to need no bar.
const MIN_FILES: usize = 2000;

static QUIET: AtomicBool = AtomicBool::new(false);

/// No progress for the rest of the process (the CLI's `--quiet`).
pub fn set_quiet(quiet: bool) {
    QUIET.store(quiet, Ordering::Relaxed);
}

/// Progress through `total` files, labelled `what`. Hidden (every call a no-op) unless
/// stderr is a terminal, `--quiet` was not given and `total` is large enough to take a
/// while. Cleared from the terminal when dropped.
pub struct Files(Option<ProgressBar>);

impl Files {
    pub fn new(total: usize, what: &'static str) -> Files {
        let quiet = QUIET.load(Ordering::Relaxed);
        if !shown(total, quiet, || std::io::stderr().is_terminal()) {
            return Files(None);
        }
        let bar = ProgressBar::with_draw_target(Some(total as u64), ProgressDrawTarget::stderr());
        let style = ProgressStyle::with_template("{msg} {wide_bar} {pos}/{len} files, {elapsed}")
            .unwrap_or_else(|_| ProgressStyle::default_bar());
        bar.set_style(style);
        bar.set_message(what);
        // Redrawn by a ticker thread, not by the reading threads, which only count.
        bar.enable_steady_tick(Duration::from_millis(100));
        Files(Some(bar))
    }

    /// One more file done. Safe and cheap from any thread.
    pub fn inc(&self) {
        if let Some(bar) = &self.0 {
            bar.inc(1);
        }
    }
}

/// Whether a bar over `total` files is drawn: not quiet, enough files, and stderr a
/// terminal (asked last: the cheap answers first).
fn shown(total: usize, quiet: bool, terminal: impl FnOnce() -> bool) -> bool {
    !quiet && total >= MIN_FILES && terminal()
}

impl Drop for Files {
    fn drop(&mut self) {
        if let Some(bar) = &self.0 {
            bar.finish_and_clear();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bar_only_for_long_runs_on_a_terminal_without_quiet() {
        assert!(shown(20_000, false, || true));
        assert!(!shown(20_000, false, || false), "not a terminal: a pipe, a file, a test");
        assert!(!shown(20_000, true, || true), "--quiet");
        assert!(!shown(MIN_FILES - 1, false, || true), "a short run");
    }

    #[test]
    fn a_hidden_bar_counts_without_drawing() {
        set_quiet(true);
        let files = Files::new(1_000_000, "Reading");
        assert!(files.0.is_none());
        files.inc();
    }
}
