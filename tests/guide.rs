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
    let jobs = fixture(case).join("jobs.toml");
    let jobs = jobs.display().to_string();
    let mut args = vec!["plan", &input, "--format", format];
    if fixture(case).join("jobs.toml").is_file() {
        args.extend(["--jobs", &jobs]);
    }
    let (code, out, err) = run_tool(&args);
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
    // A worker whose code cannot be followed: its Capsule keeps the app's variables.
    repo.write("Procfile", "web: node s.js\nworker: node -e \"require('./s')\"\n");
    repo.write("app.json", r#"{ "addons": ["papertrail"] }"#);
    repo.write("package.json", "{}\n");
    repo.write("s.js", "require('dotenv').config();\nprocess.env.PAPERTRAIL_API_TOKEN;\n");
    repo.write(".env", "LOCAL_ONLY_TOKEN=not-shown\n");
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
    assert!(!odd.contains("not-shown"), "a committed .env value was printed: {odd}");
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
fn a_migration_with_only_heroku_scripts_still_commits_its_guide() {
    let repo = TempRepo::new();
    repo.write(
        "package.json",
        r#"{ "scripts": { "start": "node s.js", "heroku-postbuild": "node b.js" } }"#,
    );
    repo.commit_all("postbuild only");
    let path = repo.path.display().to_string();
    let (_, json, _) = run_tool(&["plan", &path, "--format", "json"]);
    let doc: Value = serde_json::from_str(&json).unwrap();
    // The package.json changes, so the guide that says why is committed with it.
    assert_eq!(doc["guide"], "CODE_CAPSULES.md");
    let paths: Vec<&str> =
        doc["changes"].as_array().unwrap().iter().map(|c| c["path"].as_str().unwrap()).collect();
    assert_eq!(paths, ["CODE_CAPSULES.md", "package.json"]);
    let (code, markdown, _) = run_tool(&["plan", &path, "--format", "markdown"]);
    assert_eq!(code, 0);
    assert!(
        markdown.contains("| 1 | `app` | Backend | `/` | `npm start` (no Procfile) |"),
        "{markdown}"
    );
}

#[test]
fn a_guide_file_of_the_users_stops_the_migration_and_nothing_is_written() {
    let repo = TempRepo::new();
    repo.write("Procfile", "web: node server.js\n");
    repo.write("package.json", r#"{ "scripts": { "start": "node server.js" } }"#);
    repo.write("CODE_CAPSULES.md", "# Our notes on Code Capsules\n\nWritten by us.\n");
    repo.commit_all("own guide");
    let path = repo.path.display().to_string();
    let head = repo.rev_parse("HEAD");
    for command in ["plan", "apply"] {
        let (code, out, err) = run_tool(&[command, &path]);
        assert_eq!(code, 2, "{command}: {out}");
        assert!(
            err.contains("CODE_CAPSULES.md") && err.contains("not written by capsule-migrate"),
            "{err}"
        );
    }
    assert_eq!(repo.rev_parse("HEAD"), head);
    assert!(
        repo.git_output(&["rev-parse", "--verify", "-q", "code-capsules-migration"])
            .stdout
            .is_empty()
    );
}

#[test]
fn generated_files_take_a_free_name_beside_the_users_own() {
    let repo = TempRepo::new();
    repo.write("Procfile", "web: npx http-server public -p $PORT\n");
    repo.write("package.json", r#"{ "name": "site", "scripts": {} }"#);
    repo.write("public/index.html", "<html><head><script src=\"app.js\"></script></head></html>\n");
    repo.write("public/app.js", "fetch('https://api-1a2b.herokuapp.com/x');\n");
    // The app's own files at the names the build step would use.
    repo.write("inject-backend-url.cjs", "// our own deploy helper\n");
    repo.write("public/config.js", "window.SITE = {};\n");
    repo.commit_all("static site with its own config.js");
    let path = repo.path.display().to_string();
    let (code, json, err) = run_tool(&["plan", &path, "--format", "json"]);
    assert_eq!(code, 0, "{err}");
    let doc: Value = serde_json::from_str(&json).unwrap();
    let changes: Vec<(&str, &str)> = doc["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (c["path"].as_str().unwrap(), c["action"].as_str().unwrap()))
        .collect();
    assert!(changes.contains(&("inject-backend-url.capsule.cjs", "create")), "{changes:?}");
    assert!(
        changes.iter().all(|(p, _)| *p != "inject-backend-url.cjs" && *p != "public/config.js")
    );
    let (_, patch, _) = run_tool(&["diff", &path, "--color", "never"]);
    assert!(patch.contains("config.capsule.js"), "{patch}");
    assert!(patch.contains("\"build\": \"node inject-backend-url.capsule.cjs\""), "{patch}");
}

/// Each Capsule of a fixture with its variables and their source kinds, from the JSON plan.
fn capsule_vars(case: &str) -> Vec<(String, Vec<String>)> {
    let doc: Value = serde_json::from_str(&plan(case, "json")).unwrap();
    doc["capsules"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            let vars = c["env"]
                .as_array()
                .unwrap()
                .iter()
                .map(|v| format!("{} {}", v["name"].as_str().unwrap(), v["source"]["kind"]))
                .collect();
            (c["name"].as_str().unwrap().to_owned(), vars)
        })
        .collect()
}

fn expected(capsules: &[(&str, &[&str])]) -> Vec<(String, Vec<String>)> {
    capsules
        .iter()
        .map(|(name, vars)| {
            let vars = vars
                .iter()
                .map(|v| {
                    let (name, kind) = v.split_once(' ').unwrap();
                    format!("{name} \"{kind}\"")
                })
                .collect();
            ((*name).to_owned(), vars)
        })
        .collect()
}

/// node-config's mapping, `.env.example`, an alias of `process.env`, an mLab add-on
/// attached as MONGO, a herokuapp default, and reads only in tests, a release config
/// and an unreferenced script, which are no Capsule's config.
#[test]
fn node_config_mongoose_lists_exactly_the_runtime_configuration() {
    let app: &[&str] = &[
        "MONGO_URI data-capsule",
        "SERVER_URL capsule-url",
        "SESSION_SECRET app-json",
        "FEATURE_FLAGS code",
        "HEROKU_RELEASE_VERSION heroku",
        "LOG_LEVEL code",
        "MAILGUN_API_KEY code",
        "MAIL_FROM code",
        "SENTRY_DSN code",
        "WEB_CONCURRENCY heroku",
    ];
    // `lib/mailer.js` loads node-config, whose mapping names the app.json variables; only
    // the web code reads `LOG_LEVEL` and `WEB_CONCURRENCY`.
    let worker: &[&str] = &[
        "MONGO_URI data-capsule",
        "SERVER_URL capsule-url",
        "SESSION_SECRET app-json",
        "FEATURE_FLAGS code",
        "HEROKU_RELEASE_VERSION heroku",
        "MAILGUN_API_KEY code",
        "MAIL_FROM code",
        "SENTRY_DSN code",
    ];
    assert_eq!(
        capsule_vars("node-config-mongoose"),
        expected(&[
            ("recipe-box-mongo", &[]),
            ("recipe-box", app),
            ("recipe-box-worker", worker),
            // Its one job is a `curl` to the app: no code of the repository runs.
            ("recipe-box-scheduler", &[])
        ])
    );
    let guide = plan("node-config-mongoose", "markdown");
    for needle in [
        "| `SERVER_URL` | `https://` followed by the URL of `recipe-box`, then `/api` |",
        "| 1 | `recipe-box-mongo` | MongoDB | — | the add-on `mongolab:sandbox` |",
        "Link it as `MONGO_URI` to `recipe-box` and `recipe-box-worker`.",
        "`worker` ran only if someone scaled it",
        "`heroku ps:scale web=0 worker=0 -a <heroku-app>`",
        "mongorestore",
        "change the job to call `https://` followed by the URL of `recipe-box`, then `/tasks/digest`",
        "the default of `SERVER_URL` is the Heroku address yourappname.herokuapp.com",
    ] {
        assert!(guide.contains(needle), "the guide lacks {needle:?}:\n{guide}");
    }
    for absent in
        ["GITHUB_REF_NAME", "MONGO_URI_TEST", "CI_DATABASE", "SEED_SOURCE_URI", "any order"]
    {
        assert!(!guide.contains(absent), "the guide names {absent:?}:\n{guide}");
    }
}

/// envalid and zod schemas, lodash's `get`, a committed `.env` loaded by dotenv, a Prisma
/// schema, a wrapper script that derives a variable, a test folder and a CI script.
#[test]
fn envalid_dotenv_prisma_lists_exactly_the_runtime_configuration() {
    let web: &[&str] = &[
        "DATABASE_URL data-capsule",
        "REDIS_URL data-capsule",
        "JWT_SECRET dot-env",
        "STRIPE_SECRET_KEY dot-env",
        "DB_POOL_SIZE code",
        "PUBLIC_API_URL code",
        "QUEUE_CONCURRENCY code",
        "QUEUE_NAME code",
        "RATE_LIMIT code",
    ];
    // The worker's code reads the queue's settings and Redis alone; only its Procfile
    // line reads `${WORKER_HEAP_MB:-460}`.
    let worker = [
        "REDIS_URL data-capsule",
        "QUEUE_CONCURRENCY code",
        "QUEUE_NAME code",
        "WORKER_HEAP_MB code",
    ];
    assert_eq!(
        capsule_vars("envalid-dotenv-prisma"),
        expected(&[
            ("ticketing-api-db", &[]),
            ("ticketing-api-redis", &[]),
            ("ticketing-api", web),
            ("ticketing-api-worker", &worker[..])
        ])
    );
    let guide = plan("envalid-dotenv-prisma", "markdown");
    for needle in [
        "`APP_DATABASE_URL` is set by `api/bin/web.sh`",
        "`api/.env` is committed and dotenv loads it at run time",
        "**TLS without certificate checks** for Redis",
        "`yarn install` (from `api/yarn.lock`)",
        "the `build` script uses `npm bin`, which npm 9 removed",
    ] {
        assert!(guide.contains(needle), "the guide lacks {needle:?}:\n{guide}");
    }
    assert!(guide.contains("| `WORKER_HEAP_MB` | Heroku's value: `heroku config:get WORKER_HEAP_MB` | — | `api/Procfile:2` |"), "{guide}");
    for absent in
        ["committed-by-mistake", "sk_test_example", "GITHUB_SHA", "JEST_REDIS_URL", "__tests__"]
    {
        assert!(!guide.contains(absent), "the guide names {absent:?}:\n{guide}");
    }
}

/// On a migrated tree the guide quotes the old addresses on purpose: no warning about it,
/// while a README that still names one is warned about.
#[test]
fn a_migrated_tree_does_not_warn_about_its_own_guide() {
    let guide = std::fs::read_to_string(fixture("monorepo").join("out/CODE_CAPSULES.md")).unwrap();
    assert!(guide.contains(".herokuapp.com"), "the fixture's guide quotes an address");
    let repo = TempRepo::new();
    repo.write("package.json", r#"{ "scripts": { "heroku-postbuild": "node b.js" } }"#);
    repo.write("CODE_CAPSULES.md", &guide);
    repo.write("README.md", "Live at https://shop-4f2a.herokuapp.com\n");
    repo.commit_all("migrated");
    let (code, out, err) = run_tool(&["plan", &repo.path.display().to_string()]);
    assert_eq!(code, 0, "{err}");
    let warnings = out.split("\nWarnings:\n").nth(1).expect("a warnings section");
    assert!(warnings.contains("README.md:1: mentions the Heroku address"), "{out}");
    assert!(!warnings.contains("CODE_CAPSULES.md"), "{out}");
}

#[test]
fn no_capsule_of_any_fixture_lists_a_variable_twice() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures");
    let mut cases = 0;
    for entry in std::fs::read_dir(root).unwrap() {
        let case = entry.unwrap().file_name().to_string_lossy().into_owned();
        if !fixture(&case).join("plan.txt").is_file() {
            continue;
        }
        cases += 1;
        for (capsule, vars) in capsule_vars(&case) {
            let mut names: Vec<&str> = vars.iter().map(|v| v.split(' ').next().unwrap()).collect();
            names.sort_unstable();
            let before = names.len();
            names.dedup();
            assert_eq!(names.len(), before, "{case}: {capsule} lists a variable twice: {vars:?}");
        }
    }
    assert!(cases >= 10, "only {cases} fixtures read");
}

/// Parse Server's shape: an mLab add-on whose `MONGOLAB_URI` the code never reads, a
/// herokuapp placeholder as app.json's `SERVER_URL`, specs and a release config.
#[test]
fn parse_mlab_lists_exactly_the_runtime_configuration() {
    assert_eq!(
        capsule_vars("parse-mlab"),
        expected(&[
            ("parse-example-mongo", &[]),
            (
                "parse-example",
                &[
                    "DATABASE_URI data-capsule",
                    "MONGODB_URI data-capsule",
                    "PARSE_MOUNT app-json",
                    "APP_ID app-json",
                    "MASTER_KEY app-json",
                    "SERVER_URL capsule-url",
                ]
            )
        ])
    );
    let guide = plan("parse-mlab", "markdown");
    for needle in [
        "Link it as `DATABASE_URI` to `parse-example`; and as `MONGODB_URI` to `parse-example`.",
        "| `SERVER_URL` | `https://` followed by the URL of `parse-example`, then `/parse` |",
        "set `SERVER_URL` to `https://` followed by the URL of `parse-example`, then `/parse` instead",
    ] {
        assert!(guide.contains(needle), "the guide lacks {needle:?}:\n{guide}");
    }
    for absent in
        ["myMasterKey", "GITHUB_REPOSITORY", "SPEC_DATABASE_URI", "MONGOLAB_URI", "TESTING"]
    {
        assert!(!guide.contains(absent), "the guide names {absent:?}:\n{guide}");
    }
}
