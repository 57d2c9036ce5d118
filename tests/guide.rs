//! The migration guide, the JSON plan's documented schema, and what `apply` says about them.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::support::repo::{TempRepo, run_tool};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures").join(name)
}

/// `plan --format FORMAT` of a fixture's input, committed to a repository of its own as
/// the fixture harness does (the fixture's folder is inside this project's repository),
/// with its jobs file.
fn plan(case: &str, format: &str) -> String {
    let repo = TempRepo::with_tree(&fixture(case).join("in"));
    let input = repo.path.display().to_string();
    let jobs = fixture(case).join("jobs.toml").display().to_string();
    let (code, out, err) = run_tool(&["plan", &input, "--jobs", &jobs, "--format", format]);
    assert_eq!(code, 0, "{case}: {err}");
    out
}

/// The field paths of the documented schema: the first cell of each table row.
fn documented_fields() -> BTreeSet<String> {
    let doc =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/plan-json.md"))
            .expect("docs/plan-json.md");
    doc.lines()
        .filter_map(|line| line.strip_prefix("| `"))
        .filter_map(|rest| rest.split_once('`'))
        .map(|(path, _)| path.to_owned())
        .collect()
}

/// Every field path in `value`: `a.b` for keys, `a[]` for the elements of a list.
fn fields(value: &Value, path: &str, out: &mut BTreeSet<String>) {
    match value {
        Value::Object(map) => {
            for (key, child) in map {
                let child_path =
                    if path.is_empty() { key.clone() } else { format!("{path}.{key}") };
                out.insert(child_path.clone());
                fields(child, &child_path, out);
            }
        }
        Value::Array(items) => {
            for item in items {
                fields(item, &format!("{path}[]"), out);
            }
        }
        _ => {}
    }
}

/// A repository whose variables come from every kind of source the root-full and monorepo
/// fixtures do not have (an add-on with no Capsule, a Capsule URL nobody can pick).
fn odd_sources() -> TempRepo {
    let repo = TempRepo::new();
    repo.write("Procfile", "web: node s.js\n");
    repo.write("app.json", r#"{ "addons": ["papertrail"] }"#);
    repo.write("package.json", "{}\n");
    repo.write("s.js", "process.env.PAPERTRAIL_API_TOKEN;\n");
    repo.write("a/Procfile", "web: node a.js\n");
    repo.write("a/package.json", "{}\n");
    repo.write("web/Procfile", "web: npx serve -s site\n");
    repo.write("web/package.json", r#"{ "scripts": { "start": "serve -s site" } }"#);
    repo.write("web/site/index.html", "<html><head></head></html>\n");
    repo.commit_all("odd sources");
    repo
}

#[test]
fn the_json_plan_has_exactly_the_documented_fields() {
    let documented = documented_fields();
    assert!(documented.len() > 60, "too few rows read from docs/plan-json.md: {documented:?}");
    let repo = odd_sources();
    let (code, odd, err) =
        run_tool(&["plan", &repo.path.display().to_string(), "--format", "json"]);
    assert_eq!(code, 0, "{err}");
    // Over several repositories, each line carries `repo` too.
    let other = TempRepo::with_tree(&fixture("root-app").join("in"));
    let (code, lines, err) = run_tool(&[
        "plan",
        &repo.path.display().to_string(),
        &other.path.display().to_string(),
        "--format",
        "json",
    ]);
    assert_eq!(code, 0, "{err}");
    let mut texts = vec![plan("root-full", "json"), plan("monorepo", "json"), odd];
    texts.extend(lines.lines().map(str::to_owned));
    let mut seen = BTreeSet::new();
    for text in texts {
        let doc: Value = serde_json::from_str(&text).expect("the JSON plan parses");
        assert_eq!(doc["schema_version"], 1);
        fields(&doc, "", &mut seen);
    }
    let undocumented: Vec<&String> = seen.difference(&documented).collect();
    let never_seen: Vec<&String> = documented.difference(&seen).collect();
    assert!(
        undocumented.is_empty() && never_seen.is_empty(),
        "not in docs/plan-json.md: {undocumented:?}; documented but never output: {never_seen:?}"
    );
}

#[test]
fn the_json_plan_refers_only_to_capsules_it_lists() {
    let doc: Value = serde_json::from_str(&plan("root-full", "json")).unwrap();
    let capsules: Vec<&str> =
        doc["capsules"].as_array().unwrap().iter().map(|c| c["name"].as_str().unwrap()).collect();
    assert_eq!(
        capsules,
        [
            "ledger-db",
            "ledger-redis",
            "ledger",
            "ledger-worker",
            "ledger-clock",
            "ledger-scheduler"
        ]
    );
    let mut references: Vec<&Value> = Vec::new();
    for capsule in doc["capsules"].as_array().unwrap() {
        references
            .extend(capsule["env"].as_array().unwrap().iter().map(|v| &v["source"]["capsule"]));
    }
    references.extend(doc["processes"].as_array().unwrap().iter().map(|p| &p["capsule"]));
    references.extend(doc["addons"].as_array().unwrap().iter().map(|a| &a["capsule"]));
    for reference in references.into_iter().filter_map(Value::as_str) {
        assert!(capsules.contains(&reference), "{reference} is not a listed Capsule");
    }
    let processes: Vec<(&str, Option<&str>)> = doc["processes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| (p["name"].as_str().unwrap(), p["capsule"].as_str()))
        .collect();
    assert_eq!(
        processes,
        [
            ("release", None),
            ("web", Some("ledger")),
            ("worker", Some("ledger-worker")),
            ("clock", Some("ledger-clock"))
        ]
    );
    assert_eq!(doc["guide"], "CODE_CAPSULES.md");
}

#[test]
fn plan_markdown_prints_the_committed_guide() {
    let committed = std::fs::read_to_string(fixture("root-full").join("out/CODE_CAPSULES.md"))
        .expect("fixtures/root-full/out/CODE_CAPSULES.md (bless the fixtures)");
    assert_eq!(plan("root-full", "markdown"), committed);
    // Same input, same bytes.
    assert_eq!(plan("monorepo", "markdown"), plan("monorepo", "markdown"));
}

#[test]
fn the_guide_covers_every_capsule_variable_and_step_of_root_full() {
    let guide = plan("root-full", "markdown");
    for needle in [
        // Every Capsule, with its settings.
        "| 3 | `ledger` | Backend | `/` | `web: NODE_OPTIONS=--max-old-space-size=900 node server.js` | `npm run build` (automatic) | `npm start` | — | 2 |",
        "| 5 | `ledger-clock` | Backend | `/` | `clock: node clock.js` |",
        "| 6 | `ledger-scheduler` | Backend | `/` | Heroku Scheduler job `send-reminders` |",
        // Variables from app.json, the Procfile, add-ons and the code.
        "| `JWT_SECRET` | a random secret",
        "| `INVOICE_CURRENCY` | `EUR` (app.json's default)",
        "| `NODE_OPTIONS` | `--max-old-space-size=900` (from the `web` command in the Procfile)",
        "| `REDIS_URL` | the connection string of `ledger-redis`",
        "| `HEROKU_APP_NAME` | nothing Code Capsules sets",
        // Add-ons, the database, Heroku-only settings and what else changes.
        "| `.` | `papertrail:choklad` | no direct equivalent |",
        "heroku pg:backups:capture -a <heroku-app>",
        "pg_dump -Fc --no-acl --no-owner",
        "codecaps proxy capsule -s <space-slug> -c <capsule-id> -P 5432",
        "pg_restore --no-acl --no-owner",
        "dual writes",
        "`rejectUnauthorized: false`) in `db.js:6`",
        "**Release phase**",
        "app.json's `postdeploy` (`npm run seed`)",
        "`web` × 2 on `standard-2x` (1 GB)",
        "**Review apps and pipelines**",
        "**Custom domains**",
        "no blue/green",
        "- [ ] Create `ledger-db` (PostgreSQL) and restore the Heroku data into it",
    ] {
        assert!(guide.contains(needle), "the guide lacks {needle:?}:\n{guide}");
    }
}

#[test]
fn apply_says_where_the_guide_is_and_commits_it() {
    let repo = TempRepo::with_tree(&fixture("root-full").join("in"));
    let jobs = fixture("root-full").join("jobs.toml").display().to_string();
    let (code, out, err) = run_tool(&["apply", &repo.path.display().to_string(), "--jobs", &jobs]);
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("git show code-capsules-migration:CODE_CAPSULES.md"), "{out}");
    assert!(out.contains("pull request"), "{out}");
    let committed = repo.git(&["show", "code-capsules-migration:CODE_CAPSULES.md"]);
    assert!(committed.starts_with("# Moving to Code Capsules\n"), "{committed}");
    let message = repo.git(&["log", "-1", "--format=%B", "code-capsules-migration"]);
    assert!(message.contains("CODE_CAPSULES.md"), "{message}");
}

#[test]
fn without_a_procfile_or_app_json_no_guide_is_written_but_markdown_still_explains() {
    let repo = TempRepo::new();
    repo.write(
        "package.json",
        r#"{ "scripts": { "start": "node s.js", "heroku-postbuild": "node b.js" } }"#,
    );
    repo.commit_all("postbuild only");
    let path = repo.path.display().to_string();
    let (_, json, _) = run_tool(&["plan", &path, "--format", "json"]);
    let doc: Value = serde_json::from_str(&json).unwrap();
    assert_eq!(doc["guide"], Value::Null);
    let paths: Vec<&str> =
        doc["changes"].as_array().unwrap().iter().map(|c| c["path"].as_str().unwrap()).collect();
    assert_eq!(paths, ["package.json"]);
    let (code, markdown, _) = run_tool(&["plan", &path, "--format", "markdown"]);
    assert_eq!(code, 0);
    assert!(
        markdown.contains("| 1 | `app` | Backend | `/` | `npm start` (no Procfile) |"),
        "{markdown}"
    );
}
