//! The tool against real repositories: what it refuses, and what it never touches.

use std::path::Path;

use crate::support::repo::{TempRepo, dir_files, run_tool};

fn monorepo() -> TempRepo {
    TempRepo::with_tree(&Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/monorepo/in"))
}

fn path(repo: &TempRepo) -> String {
    repo.path.display().to_string()
}

#[test]
fn an_existing_branch_is_refused_without_force_and_replaced_with_it() {
    let repo = monorepo();
    let (code, out, _) = run_tool(&["apply", &path(&repo)]);
    assert_eq!(code, 0);
    assert!(out.contains("Created commit"), "{out}");
    let first = repo.rev_parse("code-capsules-migration");

    let (code, out, err) = run_tool(&["apply", &path(&repo)]);
    assert_eq!(code, 2, "{out}");
    assert!(err.contains("code-capsules-migration") && err.contains("--force"), "{err}");
    assert_eq!(repo.rev_parse("code-capsules-migration"), first);

    let (code, out, err) = run_tool(&["apply", &path(&repo), "--force", "--node", "22"]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains(&format!("was at {first}")), "{out}");
    let pinned = repo.git(&["show", "code-capsules-migration:backend/package.json"]);
    assert!(pinned.contains("\"node\": \"22.x\""), "{pinned}");
    repo.git(&["fsck", "--strict", "--no-progress"]);
}

#[test]
fn uncommitted_work_is_reported_and_left_exactly_as_it_was() {
    let repo = monorepo();
    repo.write("backend/package.json", "{ \"name\": \"edited but not committed\" }\n");
    repo.write("notes.txt", "untracked\n");
    let before = dir_files(&repo.path);
    let status = repo.git(&["status", "--porcelain=v1"]);

    let (code, _, err) = run_tool(&["apply", &path(&repo)]);
    assert_eq!(code, 0, "{err}");
    assert!(err.contains("1 uncommitted change is not part of the migration"), "{err}");
    assert!(err.contains("backend/package.json: has uncommitted changes"), "{err}");

    assert!(dir_files(&repo.path) == before, "the working tree changed");
    assert_eq!(repo.git(&["status", "--porcelain=v1"]), status);
    // The branch edits the committed package.json, not the uncommitted one.
    let migrated = repo.git(&["show", "code-capsules-migration:backend/package.json"]);
    assert!(migrated.contains("\"name\": \"shop-backend\""), "{migrated}");
}

#[test]
fn a_plain_folder_can_be_planned_and_diffed_but_not_applied() {
    // A copy outside any repository: the fixture itself sits inside this project's.
    let plain = tempfile::tempdir().unwrap();
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/root-app/in");
    crate::support::repo::copy_tree(&fixture, plain.path());
    let dir = plain.path().display().to_string();
    let (code, out, _) = run_tool(&["plan", &dir]);
    assert_eq!(code, 0);
    assert!(out.starts_with("Plain folder (not a git repository)"), "{out}");
    let (code, patch, _) = run_tool(&["diff", &dir]);
    assert_eq!(code, 0);
    assert!(patch.contains("diff --git a/Procfile b/Procfile"), "{patch}");
    let (code, out, err) = run_tool(&["apply", &dir]);
    assert_eq!((code, out.as_str()), (2, ""));
    assert!(err.contains("not a git repository") && err.contains("`apply`"), "{err}");
}

#[test]
fn diff_exit_code_tells_whether_there_are_changes() {
    let repo = monorepo();
    let (code, patch, _) = run_tool(&["diff", &path(&repo), "--exit-code"]);
    assert_eq!(code, 1);
    assert!(!patch.is_empty());
    assert!(!patch.contains('\x1b'), "no colour when not on a terminal");

    let empty = TempRepo::new();
    empty.write("package.json", "{ \"name\": \"not heroku\" }\n");
    empty.commit_all("Plain node app");
    let (code, patch, err) = run_tool(&["diff", &path(&empty), "--exit-code"]);
    assert_eq!((code, patch.as_str()), (0, ""));
    assert!(err.contains("No Heroku app found"), "{err}");
}

#[test]
fn colour_is_used_only_when_asked_for() {
    let repo = monorepo();
    let (_, patch, _) = run_tool(&["diff", &path(&repo), "--color", "always"]);
    assert!(patch.contains("\x1b[31m"), "{patch}");
}

/// The colour choice follows the terminal conventions (through anstream) in the real
/// binary, whose stdout here is a pipe: `auto` never colours it, `always` does unless
/// NO_COLOR is set to something (an empty NO_COLOR counts as unset).
#[test]
fn no_color_wins_over_always_and_auto_does_not_colour_a_pipe() {
    let repo = monorepo();
    let diff = |color: &str, no_color: Option<&str>| {
        let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_capsule-migrate"));
        cmd.args(["diff", &path(&repo), "--color", color]);
        crate::support::repo::isolate(&mut cmd);
        for var in ["NO_COLOR", "CLICOLOR", "CLICOLOR_FORCE"] {
            cmd.env_remove(var);
        }
        if let Some(value) = no_color {
            cmd.env("NO_COLOR", value);
        }
        let out = cmd.output().expect("the binary runs");
        assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8(out.stdout).expect("UTF-8 patch")
    };
    let plain = diff("never", None);
    assert!(plain.starts_with("diff --git") && !plain.contains('\x1b'), "{plain}");
    assert_eq!(diff("auto", None), plain);
    assert_eq!(diff("always", Some("1")), plain);
    let coloured = diff("always", Some(""));
    assert!(coloured.contains("\x1b[31m-"), "{coloured}");
    assert_eq!(anstream::adapter::strip_str(&coloured).to_string(), plain);
}

#[test]
fn quiet_is_accepted_before_or_after_the_command_and_changes_no_output() {
    let repo = monorepo();
    let plain = run_tool(&["diff", &path(&repo)]);
    assert_eq!(plain.0, 0, "{}", plain.2);
    for args in [["diff", "--quiet"], ["--quiet", "diff"], ["diff", "-q"]] {
        let quiet = run_tool(&[args[0], args[1], &path(&repo)]);
        assert_eq!(quiet, plain, "{args:?}");
    }
    let (code, _, err) = run_tool(&["plan", "-q", &path(&repo)]);
    assert_eq!(code, 0, "{err}");
}

#[test]
fn a_repository_without_commits_is_refused_with_a_clear_message() {
    let repo = TempRepo::new();
    repo.write("Procfile", "web: node index.js\n");
    let (code, _, err) = run_tool(&["plan", &path(&repo)]);
    assert_eq!(code, 2);
    assert!(err.contains("no commits yet"), "{err}");
}

#[test]
fn bad_options_are_usage_errors() {
    let repo = monorepo();
    for args in [
        vec!["plan", "--node", "16"],
        vec!["plan", "--node", "99"],
        vec!["plan", "--node", "23"],
        vec!["plan", "--backend-url-env", "backend-url"],
        vec!["diff", "--color", "sometimes"],
        vec!["plan", "--app", "no/such/folder"],
        vec!["plan", "--jobs", "/no/such/jobs.toml"],
    ] {
        let mut args = args;
        let p = path(&repo);
        args.insert(1, &p);
        let (code, out, err) = run_tool(&args);
        assert_eq!(code, 2, "{args:?}: {out}");
        assert!(!err.is_empty() && out.is_empty(), "{args:?}");
        if args[2] == "--node" {
            assert!(err.contains("use one of 20, 22, 24, 26"), "{err}");
        }
    }
}

#[test]
fn apply_on_a_folder_inside_a_repository_points_at_its_root() {
    let repo = monorepo();
    let sub = repo.path.join("backend");
    let (code, out, err) = run_tool(&["apply", &sub.display().to_string()]);
    assert_eq!((code, out.as_str()), (2, ""));
    assert!(err.contains("is a folder inside the git repository at"), "{err}");
    assert!(repo.git(&["branch", "--list"]).trim() == "* main");
}

/// Regression: `plan` and `diff` on a folder inside a repository read the working tree of
/// that folder alone, as a plain folder, with Capsule folders relative to it.
#[test]
fn plan_and_diff_on_a_folder_inside_a_repository_read_heads_commit_from_its_root() {
    let outer = TempRepo::new();
    let fixture = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/monorepo/in");
    crate::support::repo::copy_tree(&fixture, &outer.path.join("apps/shop"));
    outer.commit_all("A shop inside a larger repository");
    // Uncommitted work is not part of the migration.
    outer.write("apps/shop/backend/Procfile", "web: node changed-but-not-committed.js\n");
    let sub = outer.path.join("apps/shop").display().to_string();

    let (code, out, err) = run_tool(&["plan", &sub]);
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains("of the git repository at") && out.contains("the folder apps/shop"),
        "{out}"
    );
    assert!(out.contains("folder /apps/shop/backend"), "{out}");
    assert!(!out.contains("changed-but-not-committed"), "{out}");
    assert!(out.contains("1 uncommitted change is not part of the migration"), "{out}");
    assert!(out.contains("backend/Procfile: has uncommitted changes"), "{out}");

    let (code, patch, _) = run_tool(&["diff", &sub]);
    assert_eq!(code, 0);
    assert!(patch.contains("diff --git a/apps/shop/backend/Procfile b/apps/shop/backend/Procfile"));
    outer.git(&["stash", "-q"]);
    let patch_file = outer.path.join("../shop.patch");
    std::fs::write(&patch_file, &patch).unwrap();
    outer.git(&["apply", "--check", &patch_file.display().to_string()]);
}

/// The Scheduler add-on's jobs live only in Heroku's dashboard, and the migration deletes
/// the app.json that names the add-on: without `--jobs` that is a warning everywhere.
#[test]
fn a_scheduler_add_on_without_jobs_is_a_warning_in_text_json_and_guide() {
    let repo = TempRepo::new();
    repo.write("Procfile", "web: node server.js\n");
    repo.write("app.json", r#"{ "addons": ["scheduler:standard"] }"#);
    repo.write("package.json", "{ \"name\": \"tasks\" }\n");
    repo.commit_all("An app with Scheduler jobs");
    let needle = "declares the Heroku Scheduler add-on `scheduler:standard`, but no jobs were \
                  given for `.`";
    for format in ["text", "markdown"] {
        let (code, out, err) = run_tool(&["plan", &path(&repo), "--format", format]);
        assert_eq!(code, 0, "{err}");
        assert!(out.contains(needle) && out.contains("--jobs FILE"), "{format}: {out}");
        assert!(out.contains("app.json: declares") || out.contains("`app.json`: declares"));
    }
    let (_, out, _) = run_tool(&["plan", &path(&repo), "--format", "json"]);
    let doc: serde_json::Value = serde_json::from_str(&out).unwrap();
    let warnings = doc["warnings"].to_string();
    assert!(warnings.contains("declares the Heroku Scheduler add-on"), "{warnings}");
    assert!(warnings.contains("app.json"), "{warnings}");
}

#[test]
fn nothing_to_do_lists_no_capsules_to_create() {
    let repo = monorepo();
    let jobs = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/monorepo/jobs.toml");
    let jobs = jobs.display().to_string();
    let (code, _, err) = run_tool(&["apply", &path(&repo), "--jobs", &jobs]);
    assert_eq!(code, 0, "{err}");
    repo.git(&["checkout", "-q", "code-capsules-migration"]);
    let (code, out, _) = run_tool(&["plan", &path(&repo), "--jobs", &jobs]);
    assert_eq!(code, 0);
    assert!(out.contains("Nothing to do"), "{out}");
    assert!(!out.contains("Capsules to create"), "{out}");
}

/// With fixed dates the same inputs give the same commit id: `--force` then replaces the
/// branch with the commit it already had, and says so instead of naming it as the old one.
#[test]
fn force_onto_the_same_commit_says_nothing_changed() {
    let repo = monorepo();
    // The binary, with git's fixed dates (which gix honours) in its environment.
    let apply = |extra: &[&str]| {
        let mut cmd = std::process::Command::new(env!("CARGO_BIN_EXE_capsule-migrate"));
        cmd.arg("apply").arg(&repo.path).args(extra);
        crate::support::repo::isolate(&mut cmd);
        let output = cmd.output().expect("the binary runs");
        assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
        String::from_utf8_lossy(&output.stdout).into_owned()
    };
    apply(&[]);
    let first = repo.rev_parse("code-capsules-migration");
    let out = apply(&["--force", "--rescan"]);
    assert_eq!(repo.rev_parse("code-capsules-migration"), first, "fixed dates: the same commit");
    assert!(out.contains("already pointed at this commit"), "{out}");
    assert!(!out.contains("was at"), "{out}");
}
