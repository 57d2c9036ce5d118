//! `apply` after `plan` or `diff` commits the saved plan, and only when nothing it was
//! made from has changed.

use std::path::Path;

use crate::support::repo::{TempRepo, run_tool};

const REUSED: &str = "It is the change the last plan or diff showed";
const SAVED: &str = ".git/capsule-migrate-plan";

fn monorepo() -> TempRepo {
    TempRepo::with_tree(&Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/monorepo/in"))
}

fn jobs() -> String {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/monorepo/jobs.toml").display().to_string()
}

fn tool(args: &[&str]) -> (String, String) {
    let (code, out, err) = run_tool(args);
    assert_eq!(code, 0, "{args:?}: {out}{err}");
    (out, err)
}

/// The tree `apply --rescan` writes for `args` on a fresh copy of the same repository.
fn rescanned_tree(args: &[&str]) -> String {
    let fresh = monorepo();
    let path = fresh.path.display().to_string();
    let mut full = vec!["apply", path.as_str(), "--rescan"];
    full.extend_from_slice(args);
    let (out, _) = tool(&full);
    assert!(!out.contains(REUSED) && !out.contains("planned afresh"), "{out}");
    fresh.rev_parse("code-capsules-migration^{tree}")
}

#[test]
fn apply_after_diff_commits_the_saved_plan_and_it_is_the_rescanned_one() {
    let repo = monorepo();
    let path = repo.path.display().to_string();
    let jobs = jobs();
    let (patch, diff_err) = tool(&["diff", &path, "--jobs", &jobs]);
    assert!(repo.path.join(SAVED).is_file(), "diff saves the plan");

    let (out, apply_err) = tool(&["apply", &path, "--jobs", &jobs]);
    assert!(out.contains(REUSED), "{out}");
    assert_eq!(apply_err, diff_err, "the same warnings");
    let tree = repo.rev_parse("code-capsules-migration^{tree}");
    assert_eq!(tree, rescanned_tree(&["--jobs", &jobs]));

    // And it is what the diff showed: the patch on HEAD gives the same tree.
    repo.git_with_stdin(&["apply", "--cached", "-"], patch.as_bytes());
    assert_eq!(repo.git(&["write-tree"]).trim(), tree);
    let message = repo.git(&["log", "-1", "--format=%B", "code-capsules-migration"]);
    assert!(message.starts_with("Migrate from Heroku to Code Capsules"), "{message}");
    repo.git(&["fsck", "--strict", "--no-progress"]);
}

#[test]
fn a_new_commit_or_other_options_are_a_miss() {
    let repo = monorepo();
    let path = repo.path.display().to_string();
    tool(&["plan", &path, "--node", "22"]);
    assert!(repo.path.join(SAVED).is_file(), "plan saves the plan too");

    // Other options than the plan was made with.
    let (out, _) = tool(&["apply", &path, "--branch", "a"]);
    assert!(!out.contains(REUSED), "{out}");
    assert!(out.contains("planned afresh") && out.contains("git show a"), "{out}");
    let pinned = repo.git(&["show", "a:backend/package.json"]);
    assert!(pinned.contains("\"node\": \"24.x\""), "{pinned}");

    // A commit after the diff: the branch must be based on it, with its content.
    tool(&["diff", &path]);
    repo.write("backend/Procfile", "web: node server.js --port $PORT\nworker: node worker.js\n");
    repo.commit_all("Add a worker");
    let (out, _) = tool(&["apply", &path, "--branch", "b"]);
    assert!(!out.contains(REUSED), "{out}");
    assert!(out.contains("planned afresh"), "{out}");
    // Asked for, a fresh plan is no news.
    let (out, _) = tool(&["apply", &path, "--branch", "c", "--rescan"]);
    assert!(!out.contains("planned afresh") && !out.contains(REUSED), "{out}");
    assert_eq!(repo.rev_parse("b^"), repo.rev_parse("HEAD"));
    let guide = repo.git(&["show", "b:CODE_CAPSULES.md"]);
    assert!(guide.contains("node worker.js"), "the new worker is in the guide");
}

#[test]
fn a_damaged_saved_plan_is_ignored() {
    let repo = monorepo();
    let path = repo.path.display().to_string();
    tool(&["diff", &path]);
    let saved = repo.path.join(SAVED);
    let mut bytes = std::fs::read(&saved).unwrap();
    let last = bytes.len() - 2;
    bytes[last] ^= 0x20;
    std::fs::write(&saved, bytes).unwrap();
    let (out, _) = tool(&["apply", &path]);
    assert!(!out.contains(REUSED) && out.contains("planned afresh"), "{out}");
    assert_eq!(repo.rev_parse("code-capsules-migration^{tree}"), rescanned_tree(&[]));
}

#[test]
fn work_tree_warnings_are_found_at_apply_time() {
    let repo = monorepo();
    let path = repo.path.display().to_string();
    let (_, err) = tool(&["diff", &path]);
    assert!(!err.contains("uncommitted"), "{err}");
    repo.write("backend/package.json", "{ \"name\": \"edited after the diff\" }\n");
    let (out, err) = tool(&["apply", &path]);
    assert!(out.contains(REUSED), "{out}");
    assert!(err.contains("backend/package.json: has uncommitted changes"), "{err}");
    let migrated = repo.git(&["show", "code-capsules-migration:backend/package.json"]);
    assert!(migrated.contains("\"name\": \"shop-backend\""), "{migrated}");
}

#[test]
fn nothing_is_saved_for_an_empty_plan_or_bad_input() {
    let repo =
        TempRepo::with_tree(&Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/no-heroku/in"));
    let path = repo.path.display().to_string();
    tool(&["diff", &path]);
    assert!(!repo.path.join(SAVED).exists());

    let repo = monorepo();
    let path = repo.path.display().to_string();
    repo.write("backend/Procfile", "web node server.js\n");
    repo.commit_all("Break the Procfile");
    let (code, _, err) = run_tool(&["diff", &path]);
    assert_eq!(code, 2, "{err}");
    assert!(!repo.path.join(SAVED).exists());
}
