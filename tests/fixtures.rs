//! The fixture harness: every `fixtures/<case>/in` is committed to a temporary repository,
//! migrated, and compared with `out/` (the expected tree) and `plan.txt` (the expected
//! `plan` output). A case with `error.txt` must fail with exactly that message instead.
//! `jobs.toml` beside `in/` is passed as `--jobs`; `args` adds more flags.
//!
//! Each case is its own test, `fixture_<case>` (`build.rs` lists the folders), so one
//! runs alone: `cargo test --test tests fixture_monorepo`; `fixtures` runs them all.
//!
//! Set CAPSULE_MIGRATE_BLESS=1 to rewrite `out/`, `plan.txt` and `error.txt` after an
//! intended change, then review the result with `git diff fixtures/`.

use std::path::{Path, PathBuf};

use crate::support::repo::{TempRepo, dir_files, run_tool};

/// An empty glob must not pass: this many cases at least.
const MIN_CASES: usize = 8;

fn bless() -> bool {
    std::env::var_os("CAPSULE_MIGRATE_BLESS").is_some_and(|v| v == "1")
}

/// The case folders on disk now, to check the list `build.rs` made against.
fn cases() -> Vec<PathBuf> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures");
    let mut cases: Vec<PathBuf> = std::fs::read_dir(root)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.join("in").is_dir())
        .collect();
    cases.sort();
    cases
}

fn case_args(case: &Path) -> Vec<String> {
    let mut args = Vec::new();
    let jobs = case.join("jobs.toml");
    if jobs.is_file() {
        args.push("--jobs".to_owned());
        args.push(jobs.display().to_string());
    }
    if let Ok(extra) = std::fs::read_to_string(case.join("args")) {
        args.extend(extra.split_whitespace().map(str::to_owned));
    }
    args
}

fn tool(command: &str, repo: &Path, extra: &[String]) -> (i32, String, String) {
    let repo = repo.display().to_string();
    let mut args: Vec<&str> = vec![command, &repo];
    args.extend(extra.iter().map(String::as_str));
    run_tool(&args)
}

/// Commit ids depend on the fixture's bytes; the report's shape is what is compared.
fn mask_ids(text: &str, repo: &Path) -> String {
    let mut out = text.replace(&repo.display().to_string(), "<repo>");
    if let Some(i) = out.find("Based on HEAD ") {
        let start = i + "Based on HEAD ".len();
        out.replace_range(start..start + 7, "<head>");
    }
    out
}

fn check_expected(path: &Path, actual: &str, failures: &mut Vec<String>) {
    if bless() {
        // Only what changed: an untouched file keeps its mtime, and build.rs (which
        // watches fixtures/) does not run again for nothing.
        if std::fs::read_to_string(path).ok().as_deref() != Some(actual) {
            std::fs::write(path, actual).unwrap();
        }
        return;
    }
    let expected = std::fs::read_to_string(path).unwrap_or_default();
    if expected != actual {
        failures.push(format!(
            "{} differs:\n--- expected\n{expected}\n--- actual\n{actual}",
            path.display()
        ));
    }
}

fn run_error_case(case: &Path, args: &[String], failures: &mut Vec<String>) {
    let repo = TempRepo::with_tree(&case.join("in"));
    let head = repo.rev_parse("HEAD");
    let mut messages = Vec::new();
    for command in ["plan", "diff", "apply"] {
        let (code, stdout, stderr) = tool(command, &repo.path, args);
        if code != 2 || !stdout.is_empty() {
            failures.push(format!("{}: {command} exit {code}, stdout {stdout:?}", case.display()));
        }
        messages.push(mask_ids(&stderr, &repo.path));
    }
    if messages.iter().any(|m| *m != messages[0]) {
        failures.push(format!("{}: commands disagree: {messages:?}", case.display()));
    }
    check_expected(&case.join("error.txt"), &messages[0], failures);
    let branches = repo.git(&["branch", "--list"]);
    if branches.trim() != "* main" || repo.rev_parse("HEAD") != head {
        failures.push(format!("{}: a failed run changed the refs: {branches}", case.display()));
    }
}

fn run_case(case: &Path, args: &[String], failures: &mut Vec<String>) {
    let name = case.display();
    let repo = TempRepo::with_tree(&case.join("in"));
    let head = repo.rev_parse("HEAD");
    let status = repo.git(&["status", "--porcelain=v1", "--ignored"]);

    let (code, plan, stderr) = tool("plan", &repo.path, args);
    assert_eq!(code, 0, "{name}: plan failed: {stderr}");
    check_expected(&case.join("plan.txt"), &mask_ids(&plan, &repo.path), failures);

    let (code, patch, stderr) = tool("diff", &repo.path, args);
    assert_eq!(code, 0, "{name}: diff failed: {stderr}");
    let (code, _, stderr) = tool("apply", &repo.path, args);
    assert_eq!(code, 0, "{name}: apply failed: {stderr}");

    // The user's repository is as it was, and the objects are sound.
    assert_eq!(repo.rev_parse("HEAD"), head, "{name}: HEAD moved");
    assert_eq!(repo.git(&["symbolic-ref", "HEAD"]).trim(), "refs/heads/main");
    assert_eq!(repo.git(&["status", "--porcelain=v1", "--ignored"]), status, "{name}");
    repo.git(&["fsck", "--strict", "--no-progress"]);

    let branch = "code-capsules-migration";
    let migrated = if patch.is_empty() {
        assert!(repo.git_output(&["rev-parse", "--verify", "-q", branch]).stdout.is_empty());
        repo.tree_files("HEAD")
    } else {
        assert_eq!(repo.rev_parse(&format!("{branch}^")), head, "{name}: parent is not HEAD");
        repo.tree_files(branch)
    };

    let out_dir = case.join("out");
    if bless() && dir_files(&out_dir) != migrated {
        let _ = std::fs::remove_dir_all(&out_dir);
        for (path, bytes) in &migrated {
            let target = out_dir.join(path);
            std::fs::create_dir_all(target.parent().unwrap()).unwrap();
            std::fs::write(target, bytes).unwrap();
        }
    } else if !bless() {
        let expected = dir_files(&out_dir);
        if expected != migrated {
            let differing: Vec<&str> = expected
                .iter()
                .chain(&migrated)
                .filter(|f| !(expected.contains(f) && migrated.contains(f)))
                .map(|(path, _)| path.as_str())
                .collect();
            failures.push(format!("{name}: branch tree differs from out/ in {differing:?}"));
        }
    }

    // The patch, applied to a clean checkout of HEAD, gives exactly the branch's tree.
    if !patch.is_empty() {
        let applied = repo.git_with_stdin(&["apply", "--index", "-"], patch.as_bytes());
        assert!(
            applied.status.success(),
            "{name}: git apply: {}",
            String::from_utf8_lossy(&applied.stderr)
        );
        let tree = repo.git(&["write-tree"]);
        let branch_tree = repo.rev_parse(&format!("{branch}^{{tree}}"));
        assert_eq!(tree.trim(), branch_tree, "{name}: patch and commit disagree");
    }
    check_idempotent(case, &migrated, args, failures);
}

/// Migrating the migrated tree plans nothing.
fn check_idempotent(
    case: &Path,
    migrated: &[(String, Vec<u8>)],
    args: &[String],
    failures: &mut Vec<String>,
) {
    let repo = TempRepo::new();
    for (path, bytes) in migrated {
        let target = repo.path.join(path);
        std::fs::create_dir_all(target.parent().unwrap()).unwrap();
        std::fs::write(target, bytes).unwrap();
    }
    repo.commit_all("Migrated");
    check_generated_javascript(case, &repo.path, migrated, failures);
    let (code, patch, stderr) = tool("diff", &repo.path, args);
    if code != 0 || !patch.is_empty() {
        failures.push(format!(
            "{}: migrating the migrated tree is not a no-op (exit {code}): {stderr}\n{patch}",
            case.display()
        ));
    }
}

/// Every JavaScript file the migration created or changed parses with `node --check`,
/// in place, so `"type": "module"` decides how a `.js` file is read as it will on Node.
fn check_generated_javascript(
    case: &Path,
    tree: &Path,
    migrated: &[(String, Vec<u8>)],
    failures: &mut Vec<String>,
) {
    let original = dir_files(&case.join("in"));
    for (path, bytes) in migrated {
        let is_js = [".js", ".cjs", ".mjs"].iter().any(|ext| path.ends_with(ext));
        if !is_js || original.iter().any(|(p, b)| p == path && b == bytes) {
            continue;
        }
        let out = std::process::Command::new("node")
            .arg("--check")
            .arg(tree.join(path))
            .output()
            .expect("node runs");
        if !out.status.success() {
            failures.push(format!(
                "{}: {path} does not pass node --check: {}",
                case.display(),
                String::from_utf8_lossy(&out.stderr)
            ));
        }
    }
}

/// Runs the case `fixtures/<name>`; fails with every difference found.
fn run_fixture(name: &str) {
    let case = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures").join(name);
    let args = case_args(&case);
    let mut failures = Vec::new();
    if case.join("error.txt").is_file() || (bless() && case.join("expect-error").is_file()) {
        run_error_case(&case, &args, &mut failures);
    } else {
        run_case(&case, &args, &mut failures);
    }
    assert!(failures.is_empty(), "{} problem(s):\n\n{}", failures.len(), failures.join("\n\n"));
}

/// One `#[test]` per case folder, from the list `build.rs` writes, and the list itself.
macro_rules! fixture_cases {
    ($($test:ident => $name:literal,)*) => {
        $(
            #[test]
            fn $test() {
                run_fixture($name);
            }
        )*
        const LISTED: &[&str] = &[$($name),*];
    };
}

include!(concat!(env!("OUT_DIR"), "/fixture_cases.rs"));

/// An empty glob must not pass, and a case added since the last build must not be
/// skipped silently.
#[test]
fn fixtures_are_all_listed() {
    let on_disk: Vec<String> = cases()
        .iter()
        .map(|case| case.file_name().unwrap().to_string_lossy().into_owned())
        .collect();
    assert!(
        on_disk.len() >= MIN_CASES,
        "found {} fixture cases, expected at least {MIN_CASES}",
        on_disk.len()
    );
    assert_eq!(LISTED, on_disk, "build.rs listed other cases than fixtures/ holds");
}
