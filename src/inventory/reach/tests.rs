use super::modules::{is_builtin, normalize, package_name};
use super::*;
use crate::inventory::reach::Listening;
use crate::inventory::{Hints, Inventory, discover};
use crate::testing::TestRepo;

/// The inventory of a repository made of `files`, with `jobs` as the jobs file.
fn inventory(files: &[(&str, &str)], jobs: &str) -> Inventory {
    let repo = TestRepo::with_files(files);
    let source = Source::Git(repo.open());
    let hints = Hints { jobs: Some(("jobs.toml", jobs)), ..Hints::default() };
    discover(&source, &hints).unwrap()
}

fn job(app: &str, command: &str) -> String {
    format!("[[job]]\napp = \"{app}\"\ncommand = '{command}'\nschedule = \"every 10 minutes\"\n")
}

/// What `command` reaches; a web command's is [`Inventory::web_reach`], read until it
/// listens.
fn reach<'a>(inv: &'a Inventory, app: &str, command: &str) -> &'a Reach {
    inv.reach(app, command)
        .or_else(|| inv.web_reach(app, command))
        .unwrap_or_else(|| panic!("no reach for {command}: {:?}", inv.reaches))
}

const PACKAGE: &str = r#"{ "name": "shop", "scripts": { "start": "node server.js",
  "prereport": "node jobs/prepare.js", "report": "ts-node --transpile-only -P tsconfig.json src/report.ts",
  "sync": "cd jobs && node sync.js" },
  "dependencies": { "pg": "8", "dotenv": "16", "config": "3", "express": "4" } }"#;

#[test]
fn each_command_reaches_its_entry_and_every_relative_load() {
    let files = [
        ("Procfile", "web: node server.js\nworker: node -r dotenv/config ./workers/queue\n"),
        ("package.json", PACKAGE),
        ("server.js", "require('./lib/db');\nrequire('express');\n"),
        ("lib/db.js", "const { Pool } = require('pg');\nmodule.exports = new Pool();\n"),
        ("lib/mail/index.js", "module.exports = process.env.SMTP_URL;\n"),
        ("lib/rates/package.json", r#"{ "main": "./src/main.js" }"#),
        ("lib/rates/src/main.js", "export const url = process.env.RATES_URL;\n"),
        ("workers/queue.mjs", "import '../lib/db.js';\nimport { url } from '../lib/rates';\n"),
        ("jobs/prepare.js", "const fs = require('node:fs');\nrequire('path');\n"),
        ("jobs/sync.js", "const mail = require('../lib/mail');\nimport('./sync-helpers.cjs');\n"),
        ("jobs/sync-helpers.cjs", "module.exports = {};\n"),
        ("src/report.ts", "import { pool } from './db.js';\nexport * from './types';\n"),
        ("src/db.ts", "import config from 'config';\nexport const pool = config;\n"),
        ("src/types.d.ts", "export type A = string;\n"),
        ("src/types.ts", "export type B = number;\n"),
        ("tsconfig.json", "{}"),
    ];
    let jobs = [job(".", "npm run report"), job(".", "DEBUG=1 npm run sync -- --dry")].concat();
    let inv = inventory(&files, &jobs);

    let worker = reach(&inv, "", "node -r dotenv/config ./workers/queue");
    assert_eq!(worker.files, ["lib/db.js", "lib/rates/src/main.js", "workers/queue.mjs"]);
    assert_eq!(worker.packages, ["dotenv", "pg"]);
    assert_eq!(worker.unresolved, None);

    let report = reach(&inv, "", "npm run report");
    assert_eq!(report.files, ["jobs/prepare.js", "src/db.ts", "src/report.ts", "src/types.ts"]);
    assert_eq!(report.scripts, ["prereport", "report"]);
    assert_eq!(report.packages, ["config"]);
    assert_eq!(report.unresolved, None);

    let sync = reach(&inv, "", "DEBUG=1 npm run sync -- --dry");
    assert_eq!(sync.files, ["jobs/sync-helpers.cjs", "jobs/sync.js", "lib/mail/index.js"]);
    assert_eq!(sync.unresolved, None);

    // The web process is followed apart, to judge whether it listens (its Capsule keeps
    // the app's variables); `server.js` calls no listen here, but loads express.
    assert!(inv.reach("", "node server.js").is_none());
    let web = Listening::Yes("`server.js:2` loads `express`, which serves HTTP".into());
    assert_eq!(reach(&inv, "", "node server.js").listening(), web);
    assert_eq!(worker.listening(), Listening::No);
}

#[test]
fn runners_prefixes_shell_scripts_and_workspace_packages_are_followed() {
    let files = [
        (
            "package.json",
            r#"{ "name": "root", "private": true, "workspaces": ["packages/*", "api"] }"#,
        ),
        ("packages/db/package.json", r#"{ "name": "@acme/db", "main": "index.js" }"#),
        ("packages/db/index.js", "module.exports = process.env.DATABASE_URL;\n"),
        (
            "api/package.json",
            r#"{ "name": "api", "scripts": { "start": "node index.js" },
               "dependencies": { "@acme/db": "*", "tsx": "4" } }"#,
        ),
        (
            "api/Procfile",
            "web: npm start\nclock: ./bin/clock\nmailer: env MODE=mail bash bin/mailer.sh\n",
        ),
        ("api/index.js", "require('@acme/db');\n"),
        ("api/bin/clock", "#!/usr/bin/env node\nrequire('../clock/schedule');\n"),
        ("api/clock/schedule.ts", "import '@acme/db';\n"),
        ("api/bin/mailer.sh", "#!/bin/sh\nset -e\nexec npx tsx watch ./mail/send.tsx \"$@\"\n"),
        ("api/mail/send.tsx", "export const x = <b>{process.env.FROM}</b>;\n"),
    ];
    let inv = inventory(&files, "");
    let clock = reach(&inv, "api", "./bin/clock");
    assert_eq!(clock.files, ["api/bin/clock", "api/clock/schedule.ts", "packages/db/index.js"]);
    assert_eq!(clock.unresolved, None);
    let mailer = reach(&inv, "api", "env MODE=mail bash bin/mailer.sh");
    assert_eq!(mailer.files, ["api/bin/mailer.sh", "api/mail/send.tsx"]);
    assert_eq!(mailer.unresolved, None);
}

/// Each way a command can run code the reach cannot see gives a reason, and the files
/// found before it are still listed.
#[test]
fn what_cannot_be_followed_says_why() {
    let files = [
        (
            "package.json",
            r#"{ "name": "app", "scripts": { "migrate": "knex migrate:latest" },
               "dependencies": { "knex": "3" } }"#,
        ),
        ("Procfile", "web: node server.js\n"),
        ("server.js", ""),
        ("jobs/plugins.js", "for (const name of names) require(`./plugins/${name}`);\n"),
        ("jobs/alias.ts", "import { db } from '@/lib/db';\n"),
        ("jobs/generated.js", "require('./generated/client');\n"),
        ("jobs/ok.js", "require('./plugins');\n"),
    ];
    let cases = [
        ("npm run migrate", "it runs `knex`, which is not a file of the repository"),
        ("npm run seed", "it runs the script `seed`, which `package.json` does not have"),
        ("node jobs/plugins.js", "`jobs/plugins.js:1` loads a module whose name is computed"),
        (
            "node jobs/alias.ts",
            "`jobs/alias.ts:1` loads `@/lib/db`, which is neither a file nor a dependency of the \
             app (a path alias?)",
        ),
        (
            "node jobs/generated.js",
            "`jobs/generated.js:1` loads `./generated/client`, which is not in the repository \
             (built or generated?)",
        ),
        (
            "node dist/job.js",
            "it runs `dist/job.js`, which is not in the repository (the build makes it?)",
        ),
        ("node -e \"require(1)\"", "it runs code given inline (`node -e`)"),
        ("python jobs/x.py", "it runs `python`, which is not a file of the repository"),
        ("node $SCRIPT", "the file `node` runs is only known when it runs"),
    ];
    let jobs: String = cases.iter().map(|(command, _)| job(".", command)).collect();
    let inv = inventory(&files, &jobs);
    for (command, reason) in cases {
        let found = reach(&inv, "", command);
        assert_eq!(found.unresolved.as_deref(), Some(reason), "{command}");
    }
    assert_eq!(reach(&inv, "", "node jobs/plugins.js").files, ["jobs/plugins.js"]);
}

#[test]
fn specifiers_name_their_package() {
    assert_eq!(package_name("pg"), ("pg", ""));
    assert_eq!(package_name("dotenv/config"), ("dotenv", "config"));
    assert_eq!(package_name("@prisma/client"), ("@prisma/client", ""));
    assert_eq!(package_name("@acme/db/src/x"), ("@acme/db", "src/x"));
    assert_eq!(normalize("a/./b/../c"), Some("a/c".into()));
    assert_eq!(normalize("../x"), None);
    assert!(is_builtin("fs/promises") && !is_builtin("fsevents"));
}

/// A package only the lockfile holds (another dependency's, hoisted by npm) is a
/// package, not an alias; `cd server && yarn x` runs the scripts of `server/package.json`.
#[test]
fn lockfile_packages_and_scripts_of_another_folder_are_followed() {
    let files = [
        (
            "package.json",
            r#"{ "name": "root", "scripts": { "start": "cd server && node index.js" } }"#,
        ),
        (
            "server/package.json",
            r#"{ "name": "server", "scripts": { "export": "node scripts/export.js" },
            "dependencies": { "fluent-ffmpeg-wrapper": "1" } }"#,
        ),
        ("server/package-lock.json", "{ \"packages\": { \"node_modules/fluent-ffmpeg\": {} } }"),
        ("server/index.js", ""),
        ("server/scripts/export.js", "require('fluent-ffmpeg');\nrequire('../models');\n"),
        ("server/models/index.js", "module.exports = process.env.DATABASE_URL;\n"),
    ];
    let jobs =
        [job(".", "cd server && yarn export"), job(".", "cd server && yarn missing")].concat();
    let inv = inventory(&files, &jobs);
    let export = reach(&inv, "", "cd server && yarn export");
    assert_eq!(export.files, ["server/models/index.js", "server/scripts/export.js"]);
    assert_eq!(export.scripts, ["server/package.json#export"]);
    assert_eq!(export.unresolved, None);
    let missing = reach(&inv, "", "cd server && yarn missing");
    assert_eq!(
        missing.unresolved.as_deref(),
        Some("it runs `yarn missing`, neither a script of `server/package.json` nor a file")
    );
}

/// Wrappers that run the rest of their line, and build tools that run no code.
#[test]
fn wrappers_run_the_rest_of_their_line() {
    let files = [
        (
            "package.json",
            r#"{ "name": "w", "scripts": { "a": "node a.js", "b": "tsc && cross-env TZ=UTC node b.js" } }"#,
        ),
        ("a.js", "process.env.A;\n"),
        ("b.js", "process.env.B;\n"),
        ("c.js", "process.env.C;\n"),
    ];
    let cases: [(&str, &[&str]); 4] = [
        ("npm run b", &["b.js"]),
        ("env-cmd -f .env.prod node c.js", &["c.js"]),
        ("dotenv -e .env -- node c.js", &["c.js"]),
        ("concurrently -n a,b \"npm:a\" \"node c.js\"", &["a.js", "c.js"]),
    ];
    let jobs: String = cases.iter().map(|(command, _)| job(".", command)).collect();
    let inv = inventory(&files, &jobs);
    for (command, expected) in cases {
        let found = reach(&inv, "", command);
        assert_eq!(
            (found.files.as_slice(), found.unresolved.as_deref()),
            (expected.iter().map(|f| f.to_string()).collect::<Vec<_>>().as_slice(), None),
            "{command}"
        );
    }
    assert!(reach(&inv, "", "dotenv -e .env -- node c.js").loads("dotenv"));
}

/// With a tsconfig.json, a file the build makes stands for its source: `dist/job.js` for
/// `src/job.ts`, and `./built/src/bot` (loaded from committed JavaScript) for the folder
/// `src/bot`.
#[test]
fn built_files_stand_for_their_typescript_sources() {
    let files = [
        ("package.json", r#"{ "name": "t", "scripts": { "cron": "node dist/job.js" } }"#),
        ("tsconfig.json", "{ \"compilerOptions\": { \"outDir\": \"dist\" } }"),
        ("src/job.ts", "import './db';\n"),
        ("src/db.ts", "export const url = process.env.DATABASE_URL;\n"),
        ("index.js", "require('./built/src/bot');\n"),
        ("src/bot/index.ts", "export const token = process.env.TOKEN;\n"),
    ];
    let jobs = [job(".", "npm run cron"), job(".", "node index.js")].concat();
    let inv = inventory(&files, &jobs);
    let cron = reach(&inv, "", "npm run cron");
    assert_eq!(
        (cron.files.as_slice(), cron.unresolved.as_deref()),
        (&["src/db.ts".to_owned(), "src/job.ts".to_owned()][..], None)
    );
    let index = reach(&inv, "", "node index.js");
    assert_eq!(
        (index.files.as_slice(), index.unresolved.as_deref()),
        (&["index.js".to_owned(), "src/bot/index.ts".to_owned()][..], None)
    );
}

/// Code that starts other code (`child_process`, `execa`, `cross-spawn`, worker threads,
/// `cluster`) reaches what it starts when the path is written out, in each way real code
/// names it: from the working folder, from `__dirname`, `require.resolve`,
/// `import.meta.url`, through `node` or a shell line.
#[test]
fn code_started_by_a_reached_file_is_followed() {
    let files = [
        ("Procfile", "web: node server.js\nworker: node worker.js\nclock: node clock.mjs\n"),
        (
            "package.json",
            r#"{ "name": "q", "scripts": { "report": "node jobs/report.js" },
                 "dependencies": { "execa": "5", "cross-spawn": "7" } }"#,
        ),
        ("server.js", ""),
        ("jobs/regex.js", "const re = /x/;\nre.exec(process.argv[2]);\n"),
        (
            "worker.js",
            "const cp = require('child_process');\nconst path = require('path');\n\
             const { Worker } = require('node:worker_threads');\nconst cluster = require('cluster');\n\
             cp.fork('./jobs/fork-cwd.js');\n\
             new Worker(path.join(__dirname, 'lib', 'thread.js'));\n\
             cluster.setupPrimary({ exec: `${__dirname}/lib/cluster-child.js`, silent: true });\n\
             cp.spawn(process.execPath, [require.resolve('./lib/spawned.js')], { stdio: 'inherit' });\n\
             cp.execSync('npm run report');\n\
             const spawn = require('cross-spawn');\nspawn.sync('node', ['lib/cross.js']);\n\
             require('execa')('node', [path.join(process.cwd(), 'lib/execa.js')]);\n\
             const { fork: start } = require('child_process');\nstart('lib/renamed.js');\n",
        ),
        (
            "clock.mjs",
            "import { Worker } from 'worker_threads';\nimport { fork } from 'node:child_process';\n\
             new Worker(new URL('./lib/esm-thread.mjs', import.meta.url));\n\
             fork(__dirname + '/lib/fork-file.js');\n\
             import { $ } from 'execa';\nawait $`node lib/dollar.js`;\n",
        ),
        ("jobs/fork-cwd.js", "process.env.FORK_CWD;\n"),
        ("jobs/report.js", "process.env.REPORT_TO;\n"),
        ("lib/thread.js", "require('./thread-helper');\n"),
        ("lib/thread-helper.js", "process.env.THREAD;\n"),
        ("lib/cluster-child.js", ""),
        ("lib/spawned.js", ""),
        ("lib/cross.js", ""),
        ("lib/execa.js", ""),
        ("lib/esm-thread.mjs", ""),
        ("lib/fork-file.js", ""),
        ("lib/renamed.js", ""),
        ("lib/dollar.js", ""),
    ];
    let inv = inventory(&files, &job(".", "node jobs/regex.js"));
    let worker = reach(&inv, "", "node worker.js");
    assert_eq!(worker.unresolved, None);
    assert_eq!(
        worker.files,
        [
            "jobs/fork-cwd.js",
            "jobs/report.js",
            "lib/cluster-child.js",
            "lib/cross.js",
            "lib/execa.js",
            "lib/renamed.js",
            "lib/spawned.js",
            "lib/thread-helper.js",
            "lib/thread.js",
            "worker.js",
        ]
    );
    assert_eq!(worker.scripts, ["report"]);
    let clock = reach(&inv, "", "node clock.mjs");
    assert_eq!(clock.unresolved, None);
    assert_eq!(
        clock.files,
        ["clock.mjs", "lib/dollar.js", "lib/esm-thread.mjs", "lib/fork-file.js"]
    );
    // A file that loads none of the modules calls no `exec` of theirs.
    assert_eq!(reach(&inv, "", "node jobs/regex.js").unresolved, None);
}

/// A path or command computed when the code runs cannot be followed: the Capsule keeps
/// the whole app's variables, with the call named.
#[test]
fn code_started_from_a_computed_path_says_why() {
    let files = [
        ("Procfile", "web: node server.js\n"),
        ("package.json", r#"{ "name": "q", "dependencies": { "execa": "5" } }"#),
        ("server.js", ""),
        ("jobs/a.js", "const { fork } = require('child_process');\nfork(process.argv[2]);\n"),
        (
            "jobs/b.js",
            "const cp = require('child_process');\nconst f = 'x';\ncp.spawn('node', [f]);\n",
        ),
        ("jobs/c.mjs", "import { exec } from 'node:child_process';\nexec(`node ${job}.js`);\n"),
        ("jobs/d.js", "const { Worker } = require('worker_threads');\nnew Worker('./gone.js');\n"),
        ("jobs/e.js", "require('child_process').execFile('ffmpeg', ['-i', 'x']);\n"),
        ("jobs/f.js", "require('child_process').fork('./f.js', [], { cwd: process.env.DIR });\n"),
    ];
    let cases = [
        ("node jobs/a.js", "`jobs/a.js:2` starts code whose path or command is computed (`fork`)"),
        ("node jobs/b.js", "`jobs/b.js:3` starts code whose path or command is computed (`spawn`)"),
        (
            "node jobs/c.mjs",
            "`jobs/c.mjs:2` starts code whose path or command is computed (`exec`)",
        ),
        (
            "node jobs/d.js",
            "`jobs/d.js:2` starts `./gone.js` (`Worker`), which is not in the repository",
        ),
        ("node jobs/e.js", "it runs `ffmpeg`, which is not a file of the repository"),
        (
            "node jobs/f.js",
            "`jobs/f.js:1` starts code in a folder only known when it runs (`fork`)",
        ),
    ];
    let jobs: String = cases.iter().map(|(command, _)| job(".", command)).collect();
    let inv = inventory(&files, &jobs);
    for (command, reason) in cases {
        let found = reach(&inv, "", command);
        assert_eq!(found.unresolved.as_deref(), Some(reason), "{command}");
    }
}

#[test]
fn code_started_by_a_file_resolves_against_the_working_folder_the_command_set() {
    // `fork('./x')`, `spawn('node', ['x'])` and `exec('node x')` resolve against the
    // process's working folder (`cd jobs`), inherited by the child; `__dirname` against
    // the file. The decoys at the app's root are what a walk that forgot the `cd` finds.
    let starter = "const cp = require('child_process');\nconst path = require('path');\n\
                   cp.fork('./tasks/send.js');\ncp.spawn('node', ['tasks/spawned.js']);\n\
                   cp.exec('node tasks/shelled.js');\ncp.fork(path.join(__dirname, 'near.js'));\n\
                   cp.fork('./opt.js', [], { cwd: path.join(__dirname, '..', 'tasks') });\n\
                   cp.exec('node cwd.js', { cwd: 'tasks', env: process.env });\n";
    let files = [
        ("Procfile", "web: node server.js\nworker: cd jobs && node bin/run.js\n"),
        (
            "package.json",
            r#"{ "name": "w", "scripts": { "sync": "cd jobs; node bin/run.js", "start": "node server.js" } }"#,
        ),
        ("server.js", ""),
        ("jobs/bin/run.js", starter),
        ("jobs/bin/near.js", ""),
        ("jobs/tasks/send.js", ""),
        ("jobs/tasks/spawned.js", ""),
        ("jobs/tasks/shelled.js", ""),
        // Started with a `cwd` option: resolved from that folder.
        ("jobs/tasks/opt.js", ""),
        ("jobs/tasks/cwd.js", ""),
        ("tasks/send.js", "process.env.DECOY;\n"),
        ("tasks/spawned.js", "process.env.DECOY;\n"),
        ("tasks/shelled.js", "process.env.DECOY;\n"),
    ];
    let jobs =
        [job(".", "npm run sync"), job(".", "cd ./jobs/bin/.. && node ./bin/run.js")].concat();
    let inv = inventory(&files, &jobs);
    let expected = [
        "jobs/bin/near.js",
        "jobs/bin/run.js",
        "jobs/tasks/cwd.js",
        "jobs/tasks/opt.js",
        "jobs/tasks/send.js",
        "jobs/tasks/shelled.js",
        "jobs/tasks/spawned.js",
    ];
    for command in
        ["cd jobs && node bin/run.js", "npm run sync", "cd ./jobs/bin/.. && node ./bin/run.js"]
    {
        let reach = reach(&inv, "", command);
        assert_eq!(reach.files, expected, "{command}");
        assert_eq!(reach.unresolved, None, "{command}");
    }
}

#[test]
fn path_aliases_subpath_imports_and_module_aliases_are_followed() {
    let files = [
        (
            "Procfile",
            "web: node server.js\ntsworker: tsx api/src/worker.ts\njsworker: node bot/index.js\n\
             noimports: node broken/run.js\ngen: node gen/run.js\n",
        ),
        ("package.json", r#"{ "name": "root", "dependencies": { "pg": "8", "tsx": "4" } }"#),
        ("server.js", ""),
        // TypeScript: `extends` without `.json`, comments and trailing commas; the base sets
        // `baseUrl` and `paths` relative to itself.
        (
            "tsconfig.base.json",
            "{\n  // shared by every package\n  \"compilerOptions\": {\n    \"baseUrl\": \"./api/src\",\n    \
             \"paths\": { \"@lib/*\": [\"lib/*\"], \"@/*\": [\"*\"], },\n  },\n}\n",
        ),
        (
            "api/tsconfig.json",
            "/* api */ { \"extends\": \"../tsconfig.base\", \"compilerOptions\": { \"strict\": true, }, }",
        ),
        (
            "api/src/worker.ts",
            "import { db } from '@/lib/db';\nimport mail from '@lib/mail';\n\
             import { fmt } from 'services/format';\nimport pg from 'pg';\n",
        ),
        ("api/src/lib/db.ts", "export const db = process.env.DB_URL;\n"),
        ("api/src/lib/mail.ts", "export default process.env.SMTP_URL;\n"),
        ("api/src/services/format.ts", "export const fmt = 1;\n"),
        // JavaScript: jsconfig `paths` without `baseUrl` (relative to the file), package.json
        // `imports` (a pattern, conditions in order, a package) and module-alias.
        ("bot/jsconfig.json", r#"{ "compilerOptions": { "paths": { "~/*": ["./src/*"] } } }"#),
        (
            "bot/package.json",
            r##"{ "name": "bot", "imports": { "#app/*": "./src/app/*.js",
              "#db": { "types": "./src/db.d.ts", "node": "./src/db.js", "default": "./src/db-browser.js" },
              "#pg": "pg" }, "_moduleAliases": { "@models": "src/models" }, "dependencies": { "pg": "8" } }"##,
        ),
        (
            "bot/index.js",
            "require('~/start');\nrequire('#app/handlers');\nrequire('#db');\nrequire('#pg');\n\
             require('@models/user');\n",
        ),
        ("bot/src/start.js", ""),
        ("bot/src/app/handlers.js", ""),
        ("bot/src/db.js", ""),
        ("bot/src/db-browser.js", ""),
        ("bot/src/models/user.js", ""),
        ("broken/run.js", "require('#nothing');\n"),
        ("gen/jsconfig.json", r#"{ "compilerOptions": { "paths": { "@gen/*": ["out/*"] } } }"#),
        ("gen/run.js", "require('@gen/client');\n"),
    ];
    let inv = inventory(&files, "");

    let ts = reach(&inv, "", "tsx api/src/worker.ts");
    let expected = [
        "api/src/lib/db.ts",
        "api/src/lib/mail.ts",
        "api/src/services/format.ts",
        "api/src/worker.ts",
    ];
    assert_eq!(ts.files, expected);
    assert_eq!(ts.packages, ["pg"]);
    assert_eq!(ts.unresolved, None);

    let js = reach(&inv, "", "node bot/index.js");
    let expected = [
        "bot/index.js",
        "bot/src/app/handlers.js",
        "bot/src/db.js",
        "bot/src/models/user.js",
        "bot/src/start.js",
    ];
    assert_eq!(js.files, expected);
    assert_eq!(js.packages, ["pg"]);
    assert_eq!(js.unresolved, None);

    // What the settings do not map keeps the fallback, with the reason.
    let none = reach(&inv, "", "node broken/run.js");
    assert_eq!(
        none.unresolved.as_deref(),
        Some(
            "`broken/run.js:1` loads `#nothing`, which is not followed: `package.json` has no `imports`"
        )
    );
    let gen_ = reach(&inv, "", "node gen/run.js");
    assert_eq!(
        gen_.unresolved.as_deref(),
        Some(
            "`gen/run.js:1` loads `@gen/client`, an alias for `gen/out/client`, which is not in \
             the repository (built or generated?)"
        )
    );
}

#[test]
fn whether_a_command_listens_is_judged_from_every_file_and_script_it_runs() {
    let files = [
        (
            "Procfile",
            "web: node web.js\nbot: node bot/index.js\nnext: npx next start -p $PORT\n\
             deep: node deep.js\nport: PORT=4000 node quiet.js --port $PORT\nhalf: node half.js\n\
             nx: npx next start\nvite: vite build\nprobot: node probot.js\n",
        ),
        (
            "package.json",
            r#"{ "name": "b", "dependencies": { "express": "4", "discord.js": "14", "probot": "13" } }"#,
        ),
        // The server is two loads away from the entry.
        ("web.js", "require('./app/start');\n"),
        (
            "app/start.js",
            "const app = require('express')();\nmodule.exports = app.listen(process.env.WEB_PORT);\n",
        ),
        // A Discord bot with a command loader: every command is read, none listens.
        (
            "bot/index.js",
            "const fs = require('fs');\nconst path = require('path');\n\
             const { Client } = require('discord.js');\n\
             for (const f of fs.readdirSync(path.join(__dirname, 'commands'))) {\n\
             require(path.join(__dirname, 'commands', f));\n}\n\
             new Client({}).login(process.env.TOKEN);\n",
        ),
        ("bot/commands/ping.js", "module.exports = { name: 'ping' };\n"),
        ("bot/commands/admin/ban.js", "module.exports = { name: 'ban' };\n"),
        ("deep.js", "require(`./handlers/${process.argv[2]}`);\n"),
        ("handlers/serve.js", "require('http').createServer(() => {}).listen(8080);\n"),
        ("quiet.js", ""),
        ("half.js", "require(process.env.PLUGIN);\n"),
        // A framework that listens inside its own code.
        ("app.js", "module.exports = (app) => app.on('issues.opened', () => {});\n"),
        ("probot.js", "const { run } = require('probot');\nrun(require('./app'));\n"),
    ];
    let inv = inventory(&files, "");
    let listens = |command: &str| reach(&inv, "", command).listening();
    assert_eq!(
        listens("node web.js"),
        Listening::Yes("`app/start.js:2` calls `app.listen`".into())
    );
    let bot = reach(&inv, "", "node bot/index.js");
    assert_eq!(bot.files, ["bot/commands/admin/ban.js", "bot/commands/ping.js", "bot/index.js"]);
    assert_eq!(bot.listening(), Listening::No);
    assert_eq!(
        listens("npx next start -p $PORT"),
        Listening::Yes("`npx next start -p $PORT` reads `$PORT`".into())
    );
    assert_eq!(
        listens("node deep.js"),
        Listening::Yes("`handlers/serve.js:1` calls `….listen`".into())
    );
    assert_eq!(
        listens("PORT=4000 node quiet.js --port $PORT"),
        Listening::Yes("`PORT=4000 node quiet.js --port $PORT` reads `$PORT`".into())
    );
    // A framework's server, and a build with the same program that serves nothing.
    let next = Listening::Yes("it runs `next start`, which serves HTTP".into());
    assert_eq!(listens("npx next start"), next);
    assert_eq!(listens("vite build"), Listening::Unknown);
    let probot = Listening::Yes("`probot.js:1` loads `probot`, which serves HTTP".into());
    assert_eq!(listens("node probot.js"), probot);
    // Code it cannot read might listen: no verdict.
    assert_eq!(listens("node half.js"), Listening::Unknown);
}
