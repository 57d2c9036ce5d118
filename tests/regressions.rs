//! The fuzz corpus as regression tests, on the stable toolchain.
//!
//! The fuzz targets (fuzz/, run with cargo-fuzz on nightly) and these tests run the same
//! checks: `fuzz/src/lib.rs` is compiled into this binary too. Every committed file under
//! `fuzz/corpus/<target>/` (the seeds, and each crash found, once fixed) goes through its
//! target's check on every `cargo test`.

#[path = "../fuzz/src/lib.rs"]
mod checks;

use std::collections::BTreeSet;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::path::{Path, PathBuf};

fn fuzz_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz")
}

fn files_in(dir: &Path) -> Vec<PathBuf> {
    let read = std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    let mut files: Vec<PathBuf> = read.map(|entry| entry.expect("a folder entry").path()).collect();
    files.sort();
    files
}

/// Runs `check` on `input`, turning a panic into the panic's message.
fn run(check: checks::Check, input: &[u8]) -> Result<(), String> {
    catch_unwind(AssertUnwindSafe(|| check(input))).map_err(|payload| {
        payload
            .downcast_ref::<String>()
            .cloned()
            .or_else(|| payload.downcast_ref::<&str>().map(|s| s.to_string()))
            .unwrap_or_else(|| "a panic without a message".into())
    })
}

#[test]
fn every_committed_corpus_file_passes_its_check() {
    let mut failures = Vec::new();
    let mut count = 0;
    for (name, check) in checks::TARGETS {
        for file in files_in(&fuzz_dir().join("corpus").join(name)) {
            let input = std::fs::read(&file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
            count += 1;
            if let Err(message) = run(*check, &input) {
                failures.push(format!("{}: {message}", file.display()));
            }
        }
    }
    assert!(count >= 3 * checks::TARGETS.len(), "only {count} corpus files");
    assert!(failures.is_empty(), "corpus files that fail:\n{}", failures.join("\n"));
}

/// A target added to fuzz/ without a check, a seed corpus or a `[[bin]]` entry (or the
/// other way round) would silently never run.
#[test]
fn targets_checks_and_seed_corpora_match() {
    let checks: BTreeSet<String> = checks::TARGETS.iter().map(|(n, _)| n.to_string()).collect();
    let binaries: BTreeSet<String> = files_in(&fuzz_dir().join("fuzz_targets"))
        .iter()
        .filter_map(|p| p.file_stem()?.to_str().map(str::to_owned))
        .collect();
    assert_eq!(binaries, checks, "fuzz_targets/*.rs and TARGETS differ");
    let manifest = std::fs::read_to_string(fuzz_dir().join("Cargo.toml")).expect("fuzz/Cargo.toml");
    for name in &checks {
        assert!(manifest.contains(&format!("name = \"{name}\"")), "no [[bin]] for {name}");
        let seeds = files_in(&fuzz_dir().join("corpus").join(name));
        assert!(seeds.len() >= 3, "fuzz/corpus/{name} holds {} seeds", seeds.len());
    }
}

// The checks must be able to fail, or a green corpus run means nothing.

#[test]
#[should_panic(expected = "line 3 of 2")]
fn an_error_placed_past_the_last_line_is_caught() {
    use capsule_migrate::diag::{FileError, Position};
    let err = FileError::at("Procfile", Position { line: 3, column: 1 }, "bad");
    checks::check_error(&err, "Procfile", b"web: a\nworker: b");
}

#[test]
fn changed_range_spans_exactly_the_edit() {
    assert_eq!(checks::changed_range("{\"a\":1}", "{\"a\":22}"), Some((5, 6)));
    // A pure insertion changes no byte of the original.
    assert_eq!(checks::changed_range("ab", "aXb"), Some((1, 1)));
    assert_eq!(checks::changed_range("aaa", "aa"), Some((2, 3)));
    assert_eq!(checks::changed_range("same\n", "same\n"), None);
}

// Crashes the fuzzers found, each fixed in its parser; the inputs are in fuzz/corpus too.

/// procfile (src/inventory/procfile.rs): `n:\v\v` gave a process whose command was only
/// whitespace, so `command_parts` found no program in it.
#[test]
fn a_procfile_command_of_other_whitespace_is_refused() {
    use capsule_migrate::inventory::procfile;
    let err = procfile::parse("Procfile", b"n:\x0b\x0b").expect_err("no command");
    assert_eq!(err.to_string(), "Procfile:1:3: process type `n` has no command after `:`");
    let err = procfile::parse("Procfile", "web:\u{3000}\n".as_bytes()).expect_err("no command");
    assert!(err.message.contains("no command"), "{err}");
}

/// schedule (src/inventory/jobs/schedule.rs): `every hour at :60` was accepted, and its
/// cron form `60 * * * *` is refused by node-cron (and by our own cron check).
#[test]
fn hourly_at_minute_sixty_is_refused() {
    use capsule_migrate::inventory::jobs::Schedule;
    let err = Schedule::parse("every hour at :60").expect_err("60 is no minute");
    assert!(err.contains("not a Heroku Scheduler frequency"), "{err}");
    assert_eq!(Schedule::parse("every hour at :50"), Ok(Schedule::Hourly { minute: 50 }));
}

/// html (src/edit/html.rs): a `<script` tag whose quote never closes left a `>` that the
/// attribute reader never stepped over: an endless loop that grew a Vec until memory ran
/// out. Run on a thread so a regression fails here instead of hanging the suite.
#[test]
fn a_script_tag_with_an_unclosed_quote_is_read_to_its_end() {
    let page = "<html>\n  <script type;\"modul/script>\n  </body>\n</html/b";
    let (send, receive) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = send.send(capsule_migrate::edit::html::add_script(page, "backend-url.js"));
    });
    let out = receive
        .recv_timeout(std::time::Duration::from_secs(5))
        .expect("add_script did not finish in 5 s");
    let out = out.expect("the page has a <script tag to go before");
    assert!(out.contains("  <script src=\"backend-url.js\"></script>\n  <script type;"), "{out}");
}

/// js_scan (src/inventory/js/prefilter.rs): `require("cron/...")` made the scan report the
/// `cron` module, but the prefilter only knew the name followed by a quote, so a file
/// whose only cron import was a deep one (`node-cron/src/...` too) was never parsed.
#[test]
fn a_deep_import_of_a_cron_module_is_not_skipped() {
    use capsule_migrate::inventory::js;
    use capsule_migrate::lang::Lang;
    for source in ["require(\"cron/\rp'ess\");", "import t from 'node-cron/src/task.js';"] {
        assert!(js::worth_parsing(source.as_bytes()), "{source}");
        let facts = js::scan("a.js", Lang::JavaScript, source.as_bytes());
        assert!(facts.uses_cron || facts.uses_node_cron, "{source}");
    }
}

// Command lines built from the words scripts are made of, through the `script_calls`
// check (cargo-fuzz is not on every machine; this runs on every `cargo test`).
mod script_call_lines {
    use proptest::prelude::*;

    const WORDS: &[&str] = &[
        "npm",
        "run",
        "run-script",
        "yarn",
        "pnpm",
        "build",
        "lint",
        "start",
        "--silent",
        "--prefix",
        "client",
        "-C",
        "--",
        "--prod",
        "&&",
        "||",
        ";",
        "|",
        "(",
        ")",
        "cd",
        "..",
        "\"npm run build\"",
        "'build'",
        "$(yarn build)",
        "$X",
        "concurrently",
        "npm:build",
        "run-s",
        "install",
        "ci",
        "node",
        "x.js",
        "workspace",
        "-w",
    ];

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(300))]
        #[test]
        fn lines_of_script_words(words in prop::collection::vec(prop::sample::select(WORDS), 1..12)) {
            super::checks::script_calls(words.join(" ").as_bytes());
        }
    }
}
