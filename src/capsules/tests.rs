use super::*;
use crate::app::prepare;
use crate::migration::Migration;
use crate::settings::Settings;

/// Runs the pipeline on a plain folder holding `files`, with `jobs` as the jobs file.
pub(super) fn migrate(files: &[(&str, &str)], jobs: Option<&str>) -> Migration {
    let dir = tempfile::tempdir().unwrap();
    for (path, text) in files {
        let path = dir.path().join(path);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
    let mut settings = Settings::for_repo(dir.path());
    if let Some(jobs) = jobs {
        let path = dir.path().join("jobs.toml");
        std::fs::write(&path, jobs).unwrap();
        settings.jobs = Some(path);
    }
    prepare(&settings).unwrap()
}

pub(super) fn deployment(files: &[(&str, &str)], jobs: Option<&str>) -> Deployment {
    migrate(files, jobs).plan.capsules
}

fn var<'a>(capsule: &'a Capsule, name: &str) -> &'a CapsuleEnv {
    capsule.env.iter().find(|v| v.name == name).unwrap_or_else(|| panic!("{name} in {capsule:?}"))
}

fn names(d: &Deployment) -> Vec<(&str, CapsuleKind)> {
    d.capsules.iter().map(|c| (c.name.as_str(), c.kind)).collect()
}

const PACKAGE: &str = r#"{ "name": "ledger", "scripts": { "start": "node server.js" } }"#;

#[test]
fn every_procfile_process_is_a_capsule_or_a_note() {
    let procfile = "release: npm run migrate\nweb: node server.js\nworker: node worker.js\n\
                    clock: node clock.js\nreport: node report.js\n";
    let app_json = r#"{ "formation": { "web": { "quantity": 3, "size": "standard-2x" },
                                       "clock": { "quantity": 2 } } }"#;
    let jobs =
        "[[job]]\napp = \".\"\ncommand = \"node report.js\"\nschedule = \"every 10 minutes\"\n";
    let d = deployment(
        &[("Procfile", procfile), ("app.json", app_json), ("package.json", PACKAGE)],
        Some(jobs),
    );
    assert_eq!(
        names(&d),
        [
            ("ledger", CapsuleKind::Backend),
            ("ledger-worker", CapsuleKind::Backend),
            ("ledger-clock", CapsuleKind::Backend),
            ("ledger-scheduler", CapsuleKind::Backend),
        ]
    );
    let processes: Vec<(&str, Option<&str>)> =
        d.processes.iter().map(|p| (p.name.as_str(), p.capsule.as_deref())).collect();
    assert_eq!(
        processes,
        [
            ("release", None),
            ("web", Some("ledger")),
            ("worker", Some("ledger-worker")),
            ("clock", Some("ledger-clock")),
            ("report", None),
        ]
    );
    assert!(d.processes[0].note.contains("prestart"), "{}", d.processes[0].note);
    assert!(d.processes[4].note.contains("Scheduler job"), "{}", d.processes[4].note);

    let web = &d.capsules[0];
    assert_eq!(web.run_command.as_deref(), Some("npm start"));
    assert_eq!((web.replicas, web.heroku_size.as_deref()), (Some(3), Some("standard-2x")));
    assert_eq!(d.capsules[1].run_command.as_deref(), Some("node worker.js"));
    // A clock's schedule would run once per replica: always one, with a note.
    assert_eq!(d.capsules[2].replicas, Some(1));
    assert!(d.capsules[2].notes.iter().any(|n| n.contains("one replica")), "{:?}", d.capsules[2]);
    let scheduler = &d.capsules[3];
    assert_eq!(scheduler.run_command.as_deref(), Some("npm run scheduler"));
    assert_eq!(scheduler.replicas, Some(1));
    assert!(scheduler.replaces.contains("`report: node report.js`"), "{}", scheduler.replaces);
}

#[test]
fn a_worker_that_is_the_job_leaves_the_scheduler_to_npm_start() {
    let jobs =
        "[[job]]\napp = \"mailer\"\ncommand = \"node job.js\"\nschedule = \"every hour at :00\"\n";
    let d = deployment(
        &[
            ("mailer/Procfile", "worker: node job.js\n"),
            ("mailer/package.json", r#"{ "name": "@shop/mailer" }"#),
        ],
        Some(jobs),
    );
    assert_eq!(names(&d), [("mailer", CapsuleKind::Backend)]);
    let capsule = &d.capsules[0];
    assert_eq!(capsule.folder.as_deref(), Some("/mailer"));
    assert_eq!(capsule.run_command.as_deref(), Some("npm start"));
    assert_eq!(d.processes[0].capsule, None);
}

#[test]
fn cd_and_variable_prefixes_become_the_folder_and_variables() {
    let procfile = "web: cd api && PORT=5000 LOG_LEVEL=debug node index.js\n\
                    tool: cd tools && node sync.js\n";
    let d = deployment(
        &[
            ("Procfile", procfile),
            ("api/package.json", r#"{ "name": "api", "scripts": { "start": "node index.js" } }"#),
        ],
        None,
    );
    let web = &d.capsules[0];
    assert_eq!(web.folder.as_deref(), Some("/api"));
    assert_eq!(web.run_command.as_deref(), Some("npm start"));
    let level = var(web, "LOG_LEVEL");
    assert_eq!(level.source, EnvSource::Procfile { process: "web".into() });
    assert_eq!(level.value.as_deref(), Some("debug"));
    assert!(web.env.iter().all(|v| v.name != "PORT"), "{:?}", web.env);
    assert!(web.notes.iter().any(|n| n.contains("PORT=5000")), "{:?}", web.notes);
    // A `cd` elsewhere than the app folder stays in the command.
    let tool = &d.capsules[1];
    assert_eq!(tool.run_command.as_deref(), Some("cd tools && node sync.js"));
    assert!(tool.notes.iter().any(|n| n.contains("`tools`")), "{:?}", tool.notes);
}

#[test]
fn secret_values_appear_nowhere() {
    let app_json = r#"{ "env": {
        "SESSION_SECRET": { "generator": "secret", "value": "gen-value-1" },
        "API_TOKEN": { "value": "token-value-2", "required": false },
        "UPSTREAM": "postgres://user:pw-value-3@db.example.com/x",
        "CURRENCY": { "value": "EUR", "description": "Currency" }
    } }"#;
    let procfile = "web: STRIPE_KEY=key-value-4 MODE=fast node server.js\n";
    let m =
        migrate(&[("Procfile", procfile), ("app.json", app_json), ("package.json", PACKAGE)], None);
    let web = &m.plan.capsules.capsules[0];
    assert_eq!(var(web, "SESSION_SECRET").source, EnvSource::AppJson { secret: true });
    for name in ["SESSION_SECRET", "API_TOKEN", "UPSTREAM", "STRIPE_KEY"] {
        assert_eq!(var(web, name).value, None, "{name}");
    }
    assert_eq!(var(web, "CURRENCY").value.as_deref(), Some("EUR"));
    assert_eq!(var(web, "MODE").value.as_deref(), Some("fast"));
    assert_eq!(var(web, "API_TOKEN").required, Some(false));

    let mut outputs = Vec::new();
    for format in [
        crate::settings::Format::Text,
        crate::settings::Format::Json,
        crate::settings::Format::Markdown,
    ] {
        let mut out = Vec::new();
        match format {
            crate::settings::Format::Text => crate::sink::report::write_text(&m, &mut out).unwrap(),
            crate::settings::Format::Json => crate::sink::json::write_json(&m, &mut out).unwrap(),
            crate::settings::Format::Markdown => {
                crate::sink::markdown::write_markdown(&m, &mut out).unwrap()
            }
        }
        outputs.push(String::from_utf8(out).unwrap());
    }
    for output in &outputs {
        assert!(output.contains("SESSION_SECRET"), "{output}");
        for secret in ["gen-value-1", "token-value-2", "pw-value-3", "key-value-4"] {
            assert!(!output.contains(secret), "{secret} leaked:\n{output}");
        }
    }
}

#[test]
fn an_add_on_declared_by_two_apps_is_one_capsule_linked_to_both() {
    let addon = r#"{ "addons": ["heroku-postgresql:essential-0"] }"#;
    let d = deployment(
        &[
            ("api/Procfile", "web: node api.js\n"),
            ("api/app.json", &addon.replace('{', r#"{ "name": "shop-api","#)),
            ("api/package.json", "{}"),
            ("mailer/Procfile", "worker: node mail.js\n"),
            ("mailer/app.json", &addon.replace('{', r#"{ "name": "shop-mailer","#)),
            ("mailer/package.json", "{}"),
        ],
        None,
    );
    assert_eq!(
        names(&d),
        [
            ("shop-db", CapsuleKind::PostgreSql),
            ("shop-api", CapsuleKind::Backend),
            ("shop-mailer-worker", CapsuleKind::Backend),
        ]
    );
    assert!(d.capsules[0].notes[0].contains("`api` and `mailer`"), "{:?}", d.capsules[0].notes);
    for capsule in &d.capsules[1..] {
        let source = &var(capsule, "DATABASE_URL").source;
        assert_eq!(
            *source,
            EnvSource::DataCapsule { capsule: "shop-db".into() },
            "{}",
            capsule.name
        );
    }
    let linked: Vec<Option<&str>> = d.addons.iter().map(|a| a.capsule.as_deref()).collect();
    assert_eq!(linked, [Some("shop-db"), Some("shop-db")]);
}

#[test]
fn add_ons_map_to_capsules_variables_or_advice() {
    let app_json = r#"{ "addons": [
        { "plan": "heroku-postgresql:standard-0", "as": "ANALYTICS_DB" },
        "rediscloud:30",
        "scheduler",
        "papertrail:choklad",
        "fancy-thing"
    ] }"#;
    let code =
        "const t = process.env.PAPERTRAIL_API_TOKEN;\nconst r = process.env.REDISCLOUD_URL;\n";
    let m = migrate(
        &[
            ("Procfile", "web: node s.js\n"),
            ("app.json", app_json),
            ("package.json", "{}"),
            ("s.js", code),
        ],
        None,
    );
    let d = &m.plan.capsules;
    assert_eq!(
        names(d)[..2],
        [("app-analytics-db", CapsuleKind::PostgreSql), ("app-redis", CapsuleKind::Redis)]
    );
    let envs: Vec<Option<&str>> = d.addons.iter().map(|a| a.env.as_deref()).collect();
    assert_eq!(envs, [Some("ANALYTICS_DB_URL"), Some("REDISCLOUD_URL"), None, None, None]);
    let kinds: Vec<Replacement> = d.addons.iter().map(|a| a.replacement).collect();
    use Replacement::*;
    assert_eq!(kinds, [DataCapsule, DataCapsule, Scheduler, NoEquivalent, NoEquivalent]);
    assert!(d.addons[3].advice.contains("log"), "{}", d.addons[3].advice);
    assert!(d.addons[4].advice.contains("no direct equivalent"), "{}", d.addons[4].advice);
    let web = d.capsules.iter().find(|c| c.kind == CapsuleKind::Backend).unwrap();
    let token = var(web, "PAPERTRAIL_API_TOKEN");
    assert_eq!(token.source, EnvSource::Addon { service: "papertrail".into() });
    assert_eq!(
        var(web, "REDISCLOUD_URL").source,
        EnvSource::DataCapsule { capsule: "app-redis".into() }
    );
    assert_eq!(var(web, "REDISCLOUD_URL").read_by, ["s.js:2"]);
}

#[test]
fn code_reads_skip_what_code_capsules_sets_and_name_their_files() {
    let server = "const port = process.env.PORT;\nconst env = process.env.NODE_ENV;\n\
                  const { SMTP_URL, HEROKU_SLUG_COMMIT } = process.env;\n";
    let other = "\n\nconst a = process.env[\"SMTP_URL\"];\nconst b = process.env.SMTP_URL;\nprocess.env.APP_URL;\n";
    let d = deployment(
        &[
            ("Procfile", "web: node server.js\n"),
            ("package.json", PACKAGE),
            ("server.js", server),
            ("lib/mail.js", other),
        ],
        None,
    );
    let web = &d.capsules[0];
    let names: Vec<&str> = web.env.iter().map(|v| v.name.as_str()).collect();
    assert_eq!(names, ["APP_URL", "HEROKU_SLUG_COMMIT", "SMTP_URL"]);
    assert_eq!(var(web, "SMTP_URL").read_by, ["lib/mail.js:3", "server.js:3"]);
    assert_eq!(var(web, "SMTP_URL").source, EnvSource::Code);
    assert_eq!(var(web, "HEROKU_SLUG_COMMIT").source, EnvSource::Heroku);
    assert_eq!(var(web, "APP_URL").source, EnvSource::CodeCapsules);
}

#[test]
fn a_frontend_gets_its_backends_url_and_the_backend_the_frontends() {
    let front_pkg = r#"{ "name": "front", "scripts": { "start": "http-server public" } }"#;
    let front_js = "fetch(\"https://shop-api-1a2b.herokuapp.com/orders\");\n";
    let api_json =
        r#"{ "name": "shop-api", "env": { "CORS_ORIGIN": { "description": "Origin" } } }"#;
    let d = deployment(
        &[
            ("front/Procfile", "web: npx http-server public -p $PORT\n"),
            ("front/package.json", front_pkg),
            ("front/public/index.html", "<html><head></head></html>\n"),
            ("front/public/app.js", front_js),
            ("api/Procfile", "web: node api.js\n"),
            ("api/app.json", api_json),
            ("api/package.json", "{}"),
            ("admin/Procfile", "web: node admin.js\n"),
            ("admin/package.json", r#"{ "name": "shop-admin" }"#),
        ],
        None,
    );
    assert_eq!(
        names(&d),
        [
            ("shop-admin", CapsuleKind::Backend),
            ("shop-api", CapsuleKind::Backend),
            ("front", CapsuleKind::Frontend)
        ]
    );
    let front = &d.capsules[2];
    assert_eq!(front.output_folder.as_deref(), Some("public"));
    assert_eq!(front.build_command.as_deref(), Some("npm run build"));
    assert_eq!(front.replicas, None);
    // Two web backends: the herokuapp address in the frontend's code picks one.
    assert_eq!(
        var(front, "BACKEND_URL").source,
        EnvSource::CapsuleUrl { capsule: Some("shop-api".into()) }
    );
    let origin = var(&d.capsules[1], "CORS_ORIGIN");
    assert_eq!(origin.source, EnvSource::CapsuleUrl { capsule: Some("front".into()) });
    assert_eq!(origin.description.as_deref(), Some("Origin"));
}

#[test]
fn the_web_command_runs_through_npm_start_when_it_can() {
    let release = "release: node migrate.js\nweb: node server.js --cluster\n";
    let d = deployment(&[("Procfile", release), ("package.json", PACKAGE)], None);
    // `npm start` would run something else: the release runs first, on its own.
    assert_eq!(
        d.capsules[0].run_command.as_deref(),
        Some("node migrate.js && node server.js --cluster")
    );
    // Heroku never ran this `prestart` before `node s.js`; `npm start` would.
    let own_prestart = r#"{ "scripts": { "prestart": "rimraf dist", "start": "node s.js" } }"#;
    let d = deployment(&[("Procfile", "web: node s.js\n"), ("package.json", own_prestart)], None);
    assert_eq!(d.capsules[0].run_command.as_deref(), Some("node s.js"));
    let web = "web: npm run start:prod\nrelease: npx prisma migrate deploy\n";
    let d = deployment(&[("Procfile", web), ("package.json", own_prestart)], None);
    let run = "npx prisma migrate deploy && npm run start:prod";
    assert_eq!(d.capsules[0].run_command.as_deref(), Some(run));
    let d = deployment(&[("Procfile", release), ("package.json", "{}")], None);
    // The release rule adds a start script, so `npm start` runs prestart then the web.
    assert_eq!(d.capsules[0].run_command.as_deref(), Some("npm start"));
    let d = deployment(&[("Procfile", "web: node a.js\n"), ("package.json", "{}")], None);
    assert_eq!(d.capsules[0].run_command.as_deref(), Some("node a.js"));
    assert!(is_npm_start("yarn run start") && !is_npm_start("npm run dev"));
}

#[test]
fn names_are_kebab_case_and_unique() {
    assert_eq!(kebab("My_App 2"), "my-app-2");
    assert_eq!(kebab("--x--"), "x");
    let package = r#"{ "name": "My App" }"#;
    let d = deployment(
        &[
            ("a/Procfile", "web: node a.js\nclock_2: node c.js\n"),
            ("a/package.json", package),
            ("b/Procfile", "web: node b.js\n"),
            ("b/package.json", package),
        ],
        None,
    );
    let all: Vec<&str> = d.capsules.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(all, ["my-app", "my-app-clock-2", "my-app-2"]);
}

#[test]
fn run_commands_never_carry_a_credential() {
    let d = deployment(
        &[
            (
                "Procfile",
                "web: node s.js --key ghp_R2d2C3poBb8Yoda1Luke2Leia3Han4Chewie\nworker: cd ../x && DB_PASS=hunter2 node w.js\n",
            ),
            ("package.json", "{ \"name\": \"a\" }"),
        ],
        None,
    );
    assert_eq!(d.capsules.len(), 2);
    for capsule in &d.capsules {
        let run = capsule.run_command.as_deref().unwrap_or_default();
        assert!(!run.contains("ghp_R2d2") && !run.contains("hunter2"), "{run}");
    }
}

fn env_of(capsule: &Capsule) -> Vec<(&str, &EnvSource)> {
    capsule.env.iter().map(|v| (v.name.as_str(), &v.source)).collect()
}

#[test]
fn heroku_runtime_variables_are_not_config_vars_but_user_heroku_names_are() {
    let server = "const w = process.env.WEB_CONCURRENCY;\nconst d = process.env.DYNO;\n\
                  const u = process.env.HEROKU_URL;\nconst n = process.env.HEROKU_APP_NAME;\n\
                  const m = process.env.MEMORY_AVAILABLE;\n";
    let d = deployment(
        &[("Procfile", "web: node server.js\n"), ("package.json", PACKAGE), ("server.js", server)],
        None,
    );
    let web = &d.capsules[0];
    assert_eq!(
        env_of(web),
        [
            ("DYNO", &EnvSource::Heroku),
            ("HEROKU_APP_NAME", &EnvSource::Heroku),
            ("HEROKU_URL", &EnvSource::Code),
            ("MEMORY_AVAILABLE", &EnvSource::Heroku),
            ("WEB_CONCURRENCY", &EnvSource::Heroku),
        ]
    );
}

#[test]
fn mongo_and_mysql_add_ons_and_drivers_get_their_data_capsules() {
    let app_json =
        r#"{ "addons": [ { "plan": "ormongo:5-mmap", "as": "MONGO" }, "jawsdb:kitefin" ] }"#;
    let package = r#"{ "name": "shop", "dependencies": { "mongoose": "8", "mysql2": "3", "sequelize": "6", "redis": "4" } }"#;
    let server = "const conf = process.env;\nconst cache = conf.CACHE_REDIS_URL;\n";
    let d = deployment(
        &[
            ("Procfile", "web: node server.js\n"),
            ("app.json", app_json),
            ("package.json", package),
            ("server.js", server),
        ],
        None,
    );
    assert_eq!(
        names(&d),
        [
            ("shop-mysql", CapsuleKind::MySql),
            ("shop-mongo", CapsuleKind::MongoDb),
            ("shop-redis", CapsuleKind::Redis),
            ("shop", CapsuleKind::Backend),
        ]
    );
    let link = |capsule: &str| EnvSource::DataCapsule { capsule: capsule.into() };
    assert_eq!(
        env_of(&d.capsules[3]),
        [
            ("MONGO_URI", &link("shop-mongo")),
            ("JAWSDB_URL", &link("shop-mysql")),
            ("CACHE_REDIS_URL", &link("shop-redis")),
        ]
    );
    assert!(d.addons.iter().all(|a| a.replacement == Replacement::DataCapsule), "{:?}", d.addons);
}

#[test]
fn frontend_build_variables_are_marked_build_time() {
    let d = deployment(
        &[
            ("web/Procfile", "web: npx serve -s build\n"),
            (
                "web/package.json",
                r#"{ "scripts": { "build": "react-scripts build", "start": "serve -s build" },
                     "dependencies": { "react-scripts": "5" } }"#,
            ),
            (
                "web/src/api.js",
                "export const api = process.env.REACT_APP_API_URL;\nconst p = process.env.PUBLIC_URL;\nconst a = process.env.ANALYTICS_ID;\n",
            ),
            ("web/public/index.html", "<html><head></head></html>\n"),
        ],
        None,
    );
    let frontend = d.capsules.iter().find(|c| c.kind == CapsuleKind::Frontend).expect("frontend");
    let build_time: Vec<(&str, bool)> =
        frontend.env.iter().map(|v| (v.name.as_str(), v.build_time)).collect();
    assert_eq!(
        build_time,
        // No REACT_APP_BACKEND_URL: the page's own REACT_APP_API_URL carries the backend's
        // URL. No PUBLIC_URL: Create React App sets it.
        [("ANALYTICS_ID", false), ("REACT_APP_API_URL", true)]
    );
    assert!(matches!(frontend.env[1].source, EnvSource::CapsuleUrl { .. }));
}

/// Parse Server's shape: an mLab add-on whose `MONGOLAB_URI` the code never reads; it
/// reads `DATABASE_URI || MONGODB_URI`, which the user set from it.
#[test]
fn a_data_add_on_links_the_names_the_code_reads() {
    let d = deployment(
        &[
            ("app.json", r#"{ "name": "parse", "addons": ["mongolab"] }"#),
            ("package.json", r#"{ "scripts": { "start": "node index.js" } }"#),
            ("index.js", "const uri = process.env.DATABASE_URI || process.env.MONGODB_URI;\n"),
        ],
        None,
    );
    let link = EnvSource::DataCapsule { capsule: "parse-mongo".into() };
    assert_eq!(names(&d), [("parse-mongo", CapsuleKind::MongoDb), ("parse", CapsuleKind::Backend)]);
    assert_eq!(env_of(&d.capsules[1]), [("DATABASE_URI", &link), ("MONGODB_URI", &link)]);
    assert_eq!(d.addons[0].env.as_deref(), Some("DATABASE_URI"));
}

#[test]
fn an_app_json_description_holding_a_credential_is_not_copied() {
    let app_json = r#"{ "env": {
        "DB": { "description": "e.g. postgres://admin:hunter2@db.example.com/app" },
        "MODE": { "description": "fast or safe", "value": "fast" } } }"#;
    let d = deployment(
        &[("Procfile", "web: node s.js\n"), ("app.json", app_json), ("package.json", PACKAGE)],
        None,
    );
    let web = &d.capsules[0];
    assert_eq!(var(web, "DB").description, None);
    assert_eq!(var(web, "MODE").description.as_deref(), Some("fast or safe"));
}

/// `.env.example` and Prisma schemas of examples and tests are not the app's.
#[test]
fn config_files_of_examples_and_tests_are_not_the_apps() {
    let d = deployment(
        &[
            ("Procfile", "web: node s.js\n"),
            ("package.json", PACKAGE),
            (".env.example", "API_TOKEN=\n"),
            ("examples/chat/.env.example", "CHAT_ROOM=\n"),
            (
                "test/fixtures/schema.prisma",
                "datasource db {\n provider = \"mysql\"\n url = env(\"TEST_DB\")\n}\n",
            ),
        ],
        None,
    );
    assert_eq!(names(&d), [("ledger", CapsuleKind::Backend)]);
    assert_eq!(env_of(&d.capsules[0]), [("API_TOKEN", &EnvSource::Code)]);
}

/// Prisma's early `migrate` kept a copy of the schema in each migration's folder: a
/// snapshot of the past, not what the app connects to today.
#[test]
fn prisma_migration_snapshots_are_not_the_schema() {
    let schema = |provider: &str, var: &str| {
        format!("datasource db {{\n provider = \"{provider}\"\n url = env(\"{var}\")\n}}\n")
    };
    let now = schema("postgresql", "DATABASE_URL");
    let then = schema("mysql", "OLD_DB_URL");
    let d = deployment(
        &[
            ("Procfile", "web: node s.js\n"),
            ("package.json", PACKAGE),
            ("prisma/migrations/20200101000000-init/schema.prisma", &then),
            ("prisma/schema.prisma", &now),
        ],
        None,
    );
    let kinds: Vec<CapsuleKind> = d.capsules.iter().map(|c| c.kind).collect();
    assert_eq!(kinds, [CapsuleKind::PostgreSql, CapsuleKind::Backend]);
    let web = d.capsules.iter().find(|c| c.kind == CapsuleKind::Backend).unwrap();
    let vars: Vec<&str> = web.env.iter().map(|v| v.name.as_str()).collect();
    assert_eq!(vars, ["DATABASE_URL"]);
    assert!(d.capsules[0].replaces.contains("prisma/schema.prisma"), "{}", d.capsules[0].replaces);
}

/// A worker's Capsule gets what its code reads, also through config files that code
/// loads (the Prisma schema through `@prisma/client`) and a workspace package it
/// imports by name; a variable only the web code reads is left out, and one the app
/// declares and nothing reads stays (a library may read it).
#[test]
fn a_worker_gets_the_variables_its_code_and_the_config_it_loads_read() {
    let files = [
        ("Procfile", "web: node server.js\nworker: node worker.js\n"),
        (
            "app.json",
            r#"{ "env": { "SESSION_SECRET": { "generator": "secret" }, "SENTRY_DSN": {} } }"#,
        ),
        (
            "package.json",
            r#"{ "name": "shop", "workspaces": ["packages/*"], "scripts": { "start": "node server.js" },
                "dependencies": { "@prisma/client": "5", "@shop/mail": "*" } }"#,
        ),
        ("server.js", "const s = process.env.SESSION_SECRET;\nrequire('./db');\n"),
        (
            "db.js",
            "const { PrismaClient } = require('@prisma/client');\nmodule.exports = new PrismaClient();\n",
        ),
        ("worker.js", "require('./db');\nrequire('@shop/mail');\n"),
        (
            "prisma/schema.prisma",
            "datasource db {\n  provider = \"postgresql\"\n  url = env(\"DATABASE_URL\")\n}\n",
        ),
        ("packages/mail/package.json", r#"{ "name": "@shop/mail", "main": "src/index.js" }"#),
        ("packages/mail/src/index.js", "module.exports = process.env.SMTP_URL;\n"),
    ];
    let d = deployment(&files, None);
    let worker = d.capsule("shop-worker").unwrap();
    let names: Vec<&str> = worker.env.iter().map(|v| v.name.as_str()).collect();
    assert_eq!(names, ["DATABASE_URL", "SENTRY_DSN", "SMTP_URL"]);
    assert_eq!(var(worker, "SMTP_URL").read_by, ["packages/mail/src/index.js:1"]);
    match &worker.env_scope {
        EnvScope::Code { files, left_out } => {
            assert_eq!(files, &["db.js", "packages/mail/src/index.js", "worker.js"]);
            assert_eq!(left_out, &["SESSION_SECRET"]);
        }
        other => panic!("{other:?}"),
    }
    let web = d.capsule("shop").unwrap();
    assert_eq!(web.env_scope, EnvScope::App);
    assert!(web.env.iter().any(|v| v.name == "SESSION_SECRET"));
}

/// A process whose code schedules its own tasks (node-schedule, cron, node-cron) keeps
/// doing so on its Capsule: one replica, a note that says why, and a warning when
/// Scheduler jobs for the same app would run beside it. A process named otherwise
/// (`tasks`, not `clock`) is recognised by what its code loads.
#[test]
fn a_process_that_schedules_in_its_own_code_keeps_one_replica_and_is_warned_about_jobs() {
    let procfile = "web: node server.js\ntasks: node tasks.js\nmailer: node mailer.js\n";
    let app_json =
        r#"{ "formation": { "tasks": { "quantity": 2 }, "mailer": { "quantity": 2 } } }"#;
    let tasks = "const schedule = require('node-schedule');\nrequire('./nightly');\n";
    let nightly = "const { CronJob } = require('cron');\nmodule.exports = new CronJob('0 0 * * *', () => {});\n";
    let files = [
        ("Procfile", procfile),
        ("app.json", app_json),
        ("package.json", PACKAGE),
        ("server.js", "require('http').createServer().listen(process.env.PORT);\n"),
        ("tasks.js", tasks),
        ("nightly.js", nightly),
        ("mailer.js", "setInterval(() => {}, 1000);\n"),
    ];
    let m = migrate(&files, None);
    let d = &m.plan.capsules;
    let capsule = |name: &str| d.capsules.iter().find(|c| c.name == name).unwrap();
    let tasks = capsule("ledger-tasks");
    assert_eq!(tasks.replicas, Some(1));
    let note = tasks.notes.iter().find(|n| n.starts_with("schedules its own tasks")).unwrap();
    assert!(note.contains("`cron` (`nightly.js`) and `node-schedule` (`tasks.js`)"), "{note}");
    assert!(
        tasks.notes.iter().any(|n| n.contains("Heroku ran 2 `tasks` dynos")),
        "{:?}",
        tasks.notes
    );
    let mailer = capsule("ledger-mailer");
    assert_eq!(mailer.replicas, Some(2));
    assert!(!mailer.notes.iter().any(|n| n.contains("schedules its own tasks")));
    assert!(!m.plan.warnings.iter().any(|w| w.message.contains("schedules its own tasks")));

    let jobs =
        "[[job]]\napp = \".\"\ncommand = \"node report.js\"\nschedule = \"every day at 01:00\"\n";
    let mut with_report = files.to_vec();
    with_report.push(("report.js", "console.log('report');\n"));
    let m = migrate(&with_report, Some(jobs));
    let warned: Vec<&str> = m
        .plan
        .warnings
        .iter()
        .map(|w| w.message.as_str())
        .filter(|m| m.contains("schedules its own tasks"))
        .collect();
    assert_eq!(warned.len(), 1, "{warned:?}");
    assert!(
        warned[0].starts_with("`tasks: node tasks.js` (Capsule `ledger-tasks`)"),
        "{}",
        warned[0]
    );
    assert!(warned[0].contains("a job that repeats one of its tasks now runs twice"));
}

/// `sample.env` is an env template like `.env.example`: its names are the app's.
#[test]
fn a_sample_env_declares_the_apps_variables() {
    let d = deployment(
        &[
            ("Procfile", "web: node s.js\n"),
            ("package.json", PACKAGE),
            ("sample.env", "MAIL_FROM=team@example.com\n"),
        ],
        None,
    );
    assert_eq!(env_of(&d.capsules[0]), [("MAIL_FROM", &EnvSource::Code)]);
}
