//! Several REPO arguments: each repository as if alone, then the summary table.

use std::path::Path;

use serde_json::Value;

use crate::support::repo::{TempRepo, run_tool};

fn fixture_repo(case: &str) -> TempRepo {
    TempRepo::with_tree(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures").join(case).join("in"),
    )
}

/// A repository whose app.json is not JSON.
fn malformed() -> TempRepo {
    let repo = TempRepo::new();
    repo.write("Procfile", "web: node server.js\n");
    repo.write("app.json", "{ \"name\": \"x\",\n  oops }\n");
    repo.write("package.json", "{}\n");
    repo.commit_all("broken");
    repo
}

fn path(repo: &TempRepo) -> String {
    repo.path.display().to_string()
}

/// The summary's row for `repo`, split into cells.
fn row<'a>(text: &'a str, repo: &str) -> Vec<&'a str> {
    let line = text
        .lines()
        .find(|l| l.trim_start().starts_with(repo))
        .unwrap_or_else(|| panic!("no row for {repo} in:\n{text}"));
    line.split("  ").map(str::trim).filter(|c| !c.is_empty()).collect()
}

#[test]
fn apply_over_several_goes_on_after_a_failure_and_sums_up() {
    let (shop, broken, root) = (fixture_repo("monorepo"), malformed(), fixture_repo("root-app"));
    let (code, out, err) = run_tool(&["apply", &path(&shop), &path(&broken), &path(&root)]);
    assert_eq!(code, 2, "{out}{err}");
    // The ones after the failure ran too, each as if alone.
    for repo in [&shop, &root] {
        assert!(!repo.rev_parse("code-capsules-migration").is_empty());
        assert!(out.contains(&format!("==> {} <==", path(repo))), "{out}");
    }
    assert!(err.contains(&format!("error: {}", path(&broken))), "names the repository: {err}");
    assert!(err.contains("app.json"), "{err}");
    let warning = format!("warning: {}: backend/package.json: engines.node", path(&shop));
    assert!(err.contains(&warning), "warnings name their repository: {err}");
    assert!(out.contains("Summary (3 repositories, 1 failed):"), "{out}");
    assert!(out.contains("repository") && out.contains("files changed"), "{out}");
    // Warnings: the README's herokuapp address, three engines pins, and the Scheduler
    // add-on whose jobs were not given.
    assert_eq!(row(&out, &path(&shop))[1..], ["3", "4", "13", "5", "committed"]);
    let failed = row(&out, &path(&broken));
    assert_eq!(failed[1..5], ["-", "-", "-", "-"]);
    assert!(failed[5].starts_with("failed: app.json"), "{failed:?}");
    assert_eq!(row(&out, &path(&root))[5], "committed");
    // The summary comes last.
    assert!(out.trim_end().ends_with("committed"), "{out}");
}

#[test]
fn apply_over_several_reuses_each_ones_saved_plan_and_counts_it() {
    let (shop, root) = (fixture_repo("monorepo"), fixture_repo("root-app"));
    let (code, plan_out, err) = run_tool(&["plan", &path(&shop), &path(&root)]);
    assert_eq!(code, 0, "{err}");
    let (code, out, err) = run_tool(&["apply", &path(&shop), &path(&root)]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(out.matches("It is the change the last plan or diff showed").count(), 2, "{out}");
    // The counts read from the saved plans are the planned ones.
    for repo in [&shop, &root] {
        assert_eq!(row(&out, &path(repo))[1..4], row(&plan_out, &path(repo))[1..4]);
    }
}

#[test]
fn diff_over_several_keeps_the_exit_code_and_puts_the_summary_on_stderr() {
    let (shop, root) = (fixture_repo("monorepo"), fixture_repo("root-app"));
    let (code, out, err) = run_tool(&["diff", &path(&shop), &path(&root), "--exit-code"]);
    assert_eq!(code, 1, "{err}");
    assert!(!out.contains("Summary ("), "the patch stays clean: {out}");
    assert!(err.contains("Summary (2 repositories, 0 failed):"), "{err}");
    assert_eq!(row(&err, &path(&root))[5], "changes");
    assert_eq!(out.matches("diff --git a/Procfile b/Procfile").count(), 1, "{out}");

    let broken = malformed();
    let (code, _, err) = run_tool(&["diff", &path(&shop), &path(&broken), "--exit-code"]);
    assert_eq!(code, 2, "a failure outranks changes: {err}");
}

#[test]
fn plan_json_over_several_prints_one_object_per_line_with_its_repo() {
    let (shop, broken, root) = (fixture_repo("monorepo"), malformed(), fixture_repo("root-app"));
    let args = ["plan", &path(&shop), &path(&broken), &path(&root), "--format", "json"];
    let (code, out, err) = run_tool(&args);
    assert_eq!(code, 2, "{err}");
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(lines.len(), 2, "{out}");
    let repos: Vec<Value> = lines
        .iter()
        .map(|line| serde_json::from_str::<Value>(line).expect("each line is JSON")["repo"].clone())
        .collect();
    assert_eq!(repos, [path(&shop), path(&root)]);
    assert!(err.contains("Summary (3 repositories, 1 failed):"), "{err}");
    // One repository alone prints the indented object without `repo`, as before.
    let (_, single, _) = run_tool(&["plan", &path(&root), "--format", "json"]);
    let doc: Value = serde_json::from_str(&single).unwrap();
    assert!(doc.get("repo").is_none() && single.lines().count() > 1);
}

#[test]
fn several_repositories_with_nothing_wrong_exit_0() {
    let (shop, root) = (fixture_repo("monorepo"), fixture_repo("root-app"));
    let (code, out, err) = run_tool(&["plan", &path(&shop), &path(&root)]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(row(&out, &path(&shop))[5], "planned");
    let (code, out, _) = run_tool(&["plan", &path(&shop), "/nonexistent/repo"]);
    assert_eq!(code, 2);
    assert!(row(&out, "/nonexistent/repo")[5].starts_with("failed:"), "{out}");
}
