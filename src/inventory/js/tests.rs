//! Scans of small sources in each language. Each test states the facts it expects in
//! full, so an extra or missing match fails it.

use super::*;

const LANGS: [Lang; 3] = [Lang::JavaScript, Lang::TypeScript, Lang::Tsx];

fn run(lang: Lang, source: &str) -> JsFacts {
    scan("app/src/file", lang, source.as_bytes())
}

fn env(uses: &[EnvUse]) -> Vec<(&str, usize)> {
    uses.iter().map(|u| (u.name.as_str(), u.line)).collect()
}

fn urls(facts: &JsFacts) -> Vec<(&str, usize)> {
    facts.herokuapp_urls.iter().map(|u| (u.url.as_str(), u.line)).collect()
}

#[test]
fn env_reads_in_every_form_and_language() {
    let source = r#"const port = process.env.PORT || 3000;
const db = process.env["DATABASE_URL"];
const key = process.env['API_KEY'] ?? `${process.env[`SECRET`]}`;
const dynamic = process.env[name] + process.env[`X_${suffix}`];
if (process.env?.DEBUG === "1") console.log(process.env.NODE_ENV.trim());
"#;
    for lang in LANGS {
        let facts = run(lang, source);
        let expected = [
            ("PORT", 1),
            ("DATABASE_URL", 2),
            ("API_KEY", 3),
            ("SECRET", 3),
            ("DEBUG", 5),
            ("NODE_ENV", 5),
        ];
        assert_eq!(env(&facts.env_reads), expected, "{lang:?}");
        assert!(facts.env_writes.is_empty(), "{lang:?}");
        assert_eq!(facts.syntax_error, None, "{lang:?}");
    }
}

#[test]
fn assignments_are_writes_not_reads() {
    let source = r#"process.env.TZ = "UTC";
process.env["NODE_ENV"] = process.env.NODE_ENV || "production";
process.env.RETRIES ||= "3";
delete process.env.TOKEN;
process.env.COUNT++;
if (process.env.hasOwnProperty("HIDDEN")) {}
"#;
    for lang in LANGS {
        let facts = run(lang, source);
        let writes = [("TZ", 1), ("NODE_ENV", 2), ("RETRIES", 3), ("TOKEN", 4), ("COUNT", 5)];
        assert_eq!(env(&facts.env_writes), writes, "{lang:?}");
        let reads = [("NODE_ENV", 2), ("RETRIES", 3), ("COUNT", 5)];
        assert_eq!(env(&facts.env_reads), reads, "{lang:?}");
    }
}

#[test]
fn destructuring_with_alias_default_and_rest() {
    let source = r#"const { PORT, DATABASE_URL: dbUrl, LOG_LEVEL = "info" } = process.env;
let {
  REDIS_URL: redis = "redis://localhost",
  "QUOTED": quoted,
  [computed]: c,
  ...others
} = process.env;
var { HEROKU_APP_NAME } = process.env;
({ LATE } = process.env);
const { NOT_ENV } = config;
"#;
    for lang in LANGS {
        let facts = run(lang, source);
        let expected = [
            ("PORT", 1),
            ("DATABASE_URL", 1),
            ("LOG_LEVEL", 1),
            ("REDIS_URL", 3),
            ("QUOTED", 4),
            ("HEROKU_APP_NAME", 8),
            ("LATE", 9),
        ];
        assert_eq!(env(&facts.env_reads), expected, "{lang:?}");
        let heroku: Vec<_> = facts.heroku_env_reads().map(|u| u.name.as_str()).collect();
        assert_eq!(heroku, ["HEROKU_APP_NAME"], "{lang:?}");
    }
}

#[test]
fn typescript_annotations_and_tsx_markup_do_not_hide_uses() {
    let ts = r#"const port: number = Number(process.env.PORT!);
const { SECRET }: NodeJS.ProcessEnv = process.env;
const api = <string>process.env.API_URL;
"#;
    let facts = run(Lang::TypeScript, ts);
    assert_eq!(env(&facts.env_reads), [("PORT", 1), ("SECRET", 2), ("API_URL", 3)]);

    let tsx = r#"export const Link = ({ id }: { id: string }) => (
  <a href="https://shop-api.herokuapp.com/items" data-env={process.env.REACT_APP_MODE}>
    {id}
  </a>
);
"#;
    let facts = run(Lang::Tsx, tsx);
    assert_eq!(env(&facts.env_reads), [("REACT_APP_MODE", 2)]);
    assert_eq!(urls(&facts), [("https://shop-api.herokuapp.com/items", 2)]);
    assert_eq!(facts.module_syntax, ModuleSyntax::Esm);
    assert_eq!(facts.syntax_error, None);
}

#[test]
fn herokuapp_urls_in_literals_only() {
    let source = r#"const a = "https://my-api.herokuapp.com/v1/items?x=1";
const b = 'my-api.herokuapp.com';
const c = `wss://live.herokuapp.com/socket/${room}/join`;
// https://in-a-comment.herokuapp.com is not code
const d = "*.herokuapp.com, .herokuapp.com, https://herokuapp.com";
const e = "https://x.herokuapp.community and //cdn-app.herokuapp.com/a.js, see https://docs.herokuapp.com.";
const f = `
  first line
  http://multi.herokuapp.com:8080/path
`;
const g = `${host}.herokuapp.com`;
const h = /api\.herokuapp\.com/;
"#;
    for lang in LANGS {
        let facts = run(lang, source);
        let expected = [
            ("https://my-api.herokuapp.com/v1/items?x=1", 1),
            ("my-api.herokuapp.com", 2),
            ("wss://live.herokuapp.com/socket/", 3),
            ("//cdn-app.herokuapp.com/a.js", 6),
            ("https://docs.herokuapp.com", 6),
            ("http://multi.herokuapp.com:8080/path", 9),
        ];
        assert_eq!(urls(&facts), expected, "{lang:?}");
    }
}

#[test]
fn module_syntax_from_imports_exports_and_require() {
    let cases = [
        ("import express from 'express';", ModuleSyntax::Esm),
        ("export default function main() {}", ModuleSyntax::Esm),
        ("export { a } from './a';", ModuleSyntax::Esm),
        ("const express = require('express');", ModuleSyntax::CommonJs),
        ("module.exports = { run };", ModuleSyntax::CommonJs),
        ("exports.handler = async () => {};", ModuleSyntax::CommonJs),
        // ES modules can still get `require` from `createRequire`.
        ("import { createRequire } from 'module';\nconst x = require('x');", ModuleSyntax::Esm),
        // CommonJS may load ES modules with `import()`.
        ("import('./esm.mjs').then(m => m.run());", ModuleSyntax::Unknown),
        ("console.log(require);\nconst required = 1;", ModuleSyntax::Unknown),
        ("console.log('hi');", ModuleSyntax::Unknown),
    ];
    for lang in LANGS {
        for (source, expected) in cases {
            assert_eq!(run(lang, source).module_syntax, expected, "{lang:?}: {source}");
        }
    }
    let ts_require = "import fs = require('fs');\nfs.readFileSync('x');";
    assert_eq!(run(Lang::TypeScript, ts_require).module_syntax, ModuleSyntax::CommonJs);
}

#[test]
fn scheduler_libraries_are_recognised_by_module_name() {
    let check = |source: &str, lang: Lang| {
        let f = run(lang, source);
        (f.uses_node_cron, f.uses_node_schedule, f.uses_cron)
    };
    for lang in LANGS {
        assert_eq!(check("import cron from 'node-cron';", lang), (true, false, false));
        assert_eq!(check("const c = require(\"node-cron\");", lang), (true, false, false));
        assert_eq!(check("const s = await import('node-schedule');", lang), (false, true, false));
        assert_eq!(check("const { CronJob } = require('cron');", lang), (false, false, true));
        assert_eq!(check("export { CronJob } from 'cron';", lang), (false, false, true));
        assert_eq!(check("import v from 'node-cron/src/validate';", lang), (true, false, false));
        let near = "import p from 'cron-parser'; const n = require('node-cron-x'); x('cron');";
        assert_eq!(check(near, lang), (false, false, false));
    }
}

#[test]
fn reject_unauthorized_false_only() {
    let source = r#"const pool = new Pool({ ssl: { rejectUnauthorized: false } });
const a = { "rejectUnauthorized": false, other: false };
const b = { rejectUnauthorized: true };
const c = { rejectUnauthorized: process.env.NODE_ENV === "production" };
const d = {
  'rejectUnauthorized': false,
};
"#;
    for lang in LANGS {
        assert_eq!(run(lang, source).ssl_reject_unauthorized_false, [1, 2, 6], "{lang:?}");
    }
}

/// `header`, then on line 2 a node-cron 3 call passing both removed options.
fn cron_file(header: &str, call: &str) -> String {
    format!(
        "{header}\n{call}('0 * * * *', job, {{ scheduled: false, runOnInit: true, timezone: 'UTC' }});\n"
    )
}

fn cron_options(lang: Lang, source: &str) -> Vec<(String, usize)> {
    run(lang, source).cron_v3_options
}

#[test]
fn cron_v3_options_through_any_local_name() {
    let both = vec![("scheduled".to_owned(), 2), ("runOnInit".to_owned(), 2)];
    let bound = [
        ("import cron from 'node-cron';", "cron.schedule"),
        ("import * as nc from 'node-cron';", "nc.schedule"),
        ("import { schedule as every } from 'node-cron';", "every"),
        ("import { default as jobs } from 'node-cron';", "jobs.schedule"),
        ("const tasks = require('node-cron');", "tasks.schedule"),
        ("const { schedule } = require(\"node-cron\");", "schedule"),
        ("const { schedule: run } = require('node-cron');", "run"),
        ("let c; c = require('node-cron');", "c.schedule"),
        ("const m = await import('node-cron');", "m.default.schedule"),
        ("", "require('node-cron').schedule"),
    ];
    for lang in LANGS {
        for (header, call) in bound {
            let source = cron_file(header, call);
            assert_eq!(cron_options(lang, &source), both, "{lang:?}: {source}");
        }
    }
    let ts = cron_file("import cron = require('node-cron');", "cron.schedule");
    assert_eq!(cron_options(Lang::TypeScript, &ts), both);
}

#[test]
fn cron_v3_options_need_node_cron() {
    let unbound = [
        // No node-cron at all: another library's `schedule`.
        ("import agenda from './agenda';", "agenda.schedule"),
        ("const schedule = require('node-schedule');", "schedule.schedule"),
        // node-cron is imported, but under another name than the callee's.
        ("import cron from 'node-cron';", "queue.schedule"),
        ("import cron from 'node-cron';", "schedule"),
        ("import { validate } from 'node-cron';", "validate"),
    ];
    for lang in LANGS {
        for (header, call) in unbound {
            let source = cron_file(header, call);
            assert_eq!(cron_options(lang, &source), [], "{lang:?}: {source}");
        }
    }
}

#[test]
fn cron_v3_options_keys_in_any_spelling_and_object() {
    let source = r#"const cron = require('node-cron');
cron.schedule('* * * * *', () => {}, {
  "scheduled": false,
  name: 'job',
});
const runOnInit = true;
cron.schedule('* * * * *', job, { runOnInit });
cron.schedule('* * * * *', job, options);
cron.schedule('* * * * *', job, { timezone: 'Etc/UTC', noOverlap: true });
"#;
    for lang in LANGS {
        let expected = vec![("scheduled".to_owned(), 3), ("runOnInit".to_owned(), 7)];
        assert_eq!(cron_options(lang, source), expected, "{lang:?}");
    }
}

#[test]
fn syntax_errors_keep_the_matches_elsewhere() {
    let source = r#"const port = process.env.PORT;
function broken( {{{ ]]] ;
const url = "https://still-found.herokuapp.com";
process.exit(process.env.EXIT_CODE);
"#;
    for lang in LANGS {
        let facts = run(lang, source);
        let names: Vec<_> = facts.env_reads.iter().map(|u| u.name.as_str()).collect();
        assert!(names.contains(&"PORT") && names.contains(&"EXIT_CODE"), "{lang:?}: {names:?}");
        assert_eq!(urls(&facts), [("https://still-found.herokuapp.com", 3)], "{lang:?}");
        let error = facts.syntax_error.expect("the broken line is reported");
        assert_eq!(error.line, 2, "{lang:?}");
    }
}

#[test]
fn invalid_utf8_is_read_as_bytes() {
    let mut source = b"// \xff\xfe latin-1 comment: caf\xe9\n".to_vec();
    source.extend_from_slice(b"const s = '\xe9t\xe9';\nconst port = process.env.PORT;\n");
    for lang in LANGS {
        let facts = scan("legacy.js", lang, &source);
        assert_eq!(env(&facts.env_reads), [("PORT", 3)], "{lang:?}");
        assert_eq!(facts.path, "legacy.js");
    }
}

#[test]
fn scanning_twice_gives_the_same_facts() {
    let source = cron_file("const cron = require('node-cron');", "cron.schedule")
        + "const { A, B } = process.env; process.env.C = process.env.D;\n";
    for lang in LANGS {
        assert_eq!(run(lang, &source), run(lang, &source), "{lang:?}");
    }
}

#[test]
fn files_that_fail_the_prefilter_have_no_findings() {
    // The promise worth_parsing makes: skipping such a file loses nothing but the
    // module syntax and the modules it loads (the reach of a command parses every file
    // it follows itself).
    let source = "import x from 'y';\nexport const f = () => env.PORT + processEnv.X;\n";
    assert!(!worth_parsing(source.as_bytes()));
    let facts = run(Lang::TypeScript, source);
    let expected = JsFacts {
        path: facts.path.clone(),
        module_syntax: ModuleSyntax::Esm,
        loads: vec![ModuleLoad { specifier: Some("y".into()), line: 1, folder: None }],
        ..JsFacts::default()
    };
    assert_eq!(facts, expected);
}

/// Fragments that steer random input into every pattern, its near misses and the
/// grammar's interesting corners: the proptests here and the query oracle's share them.
pub(super) const TOKENS: &[&str] = &[
    "process",
    ".env",
    "env",
    ".exit",
    "exit",
    ".",
    "?.",
    "!",
    "[",
    "]",
    "'X'",
    "\"",
    "`",
    "${",
    "}",
    "{",
    "(",
    ")",
    "=",
    "||=",
    "+=",
    "++",
    "delete ",
    "typeof ",
    "const ",
    "let ",
    "import ",
    "export ",
    "from ",
    "require",
    "import(",
    "'node-cron'",
    "'cron'",
    ".schedule",
    "schedule",
    "scheduled",
    "runOnInit",
    "rejectUnauthorized",
    ": false",
    "false",
    ":",
    ",",
    ";",
    "\n",
    " ",
    "module",
    ".exports",
    "exports",
    "@",
    "<a>",
    "</a>",
    "<T>",
    "as ",
    "type ",
    "= require(",
    "...",
    "=>",
    "/*",
    "*/",
    "//",
    "\\",
    "\u{e9}",
    "x",
    "1",
    "https://a.herokuapp.com",
    ".herokuapp.com",
    "<a href=",
    ">",
];

mod never_panics {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn random_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
            for lang in LANGS {
                let _ = worth_parsing(&bytes);
                let facts = scan("random.js", lang, &bytes);
                for url in &facts.herokuapp_urls {
                    prop_assert!(url.url.contains(".herokuapp.com"));
                }
            }
        }

        #[test]
        fn random_token_soup(picks in proptest::collection::vec(0..TOKENS.len(), 0..80)) {
            let source: String = picks.iter().map(|&i| TOKENS[i]).collect();
            for lang in LANGS {
                let facts = run(lang, &source);
                let lines = source.lines().count().max(1);
                for use_ in facts.env_reads.iter().chain(&facts.env_writes) {
                    prop_assert!(use_.line >= 1 && use_.line <= lines);
                }
                for url in &facts.herokuapp_urls {
                    prop_assert!(url.line >= 1 && url.line <= lines);
                }
            }
        }
    }
}

#[test]
fn a_typeof_type_names_the_variable_not_env() {
    // In a type, `process.env.FOO` is a hidden rule aliased to a member expression; its
    // `property` field must come from the node itself, not from the `process.env` inside.
    for lang in [Lang::TypeScript, Lang::Tsx] {
        let facts = run(lang, "type T = typeof process.env.FOO;\nlet y: typeof process.env.A.B;\n");
        assert_eq!(env(&facts.env_reads), [("FOO", 1), ("A", 2)], "{lang:?}");
    }
}

#[test]
fn indirect_reads_through_aliases_constants_getters_and_schemas() {
    let source = r#"const pe = process.env;
const { env } = process;
const { env: e2 } = process;
const KEY_NAME = "SIGNING_KEY";
const a = pe.REDIS_URL + env.API_KEY + e2["MAIL_FROM"];
const b = process.env[KEY_NAME];
const c = _.get(process.env, 'LOG_LEVEL');
const { SENTRY_DSN, S3_BUCKET: bucket = "x" } = pe;
const cfg = cleanEnv(process.env, { JWT_SECRET: str(), 'SMTP_HOST': host() });
const schema = z.object({ MONGODB_URI: z.string() }).strict();
schema.parse(process.env);
Object.assign(process.env, { NOT_READ: "1" });
pe.WRITTEN = "1";
const v = import.meta.env.VITE_API_URL;
if (import.meta.env.PROD || import.meta.env.MODE === "x") {}
"#;
    for lang in LANGS {
        let facts = run(lang, source);
        let expected = [
            ("REDIS_URL", 5),
            ("API_KEY", 5),
            ("MAIL_FROM", 5),
            ("SIGNING_KEY", 6),
            ("LOG_LEVEL", 7),
            ("SENTRY_DSN", 8),
            ("S3_BUCKET", 8),
            ("JWT_SECRET", 9),
            ("SMTP_HOST", 9),
            ("MONGODB_URI", 10),
            ("VITE_API_URL", 14),
        ];
        assert_eq!(env(&facts.env_reads), expected, "{lang:?}");
        assert_eq!(env(&facts.env_writes), [("WRITTEN", 13)], "{lang:?}");
    }
}

#[test]
fn env_imported_or_required_from_the_process_module() {
    let source = r#"import { env } from "node:process";
import { env as environment, argv } from 'process';
const { env: e3 } = require("node:process");
const a = env.SMTP_URL + environment.API_BASE + e3["CACHE_TTL"];
"#;
    for lang in LANGS {
        let facts = run(lang, source);
        let expected = [("SMTP_URL", 4), ("API_BASE", 4), ("CACHE_TTL", 4)];
        assert_eq!(env(&facts.env_reads), expected, "{lang:?}");
        assert!(worth_parsing(source.as_bytes()));
    }
}

#[test]
fn indirect_pass_runs_only_when_the_bytes_show_a_use() {
    use super::indirect::needed;
    assert!(needed(b"const env = process.env;"));
    assert!(needed(b"cleanEnv(process.env, {})"));
    assert!(needed(b"process.env[NAME]"));
    assert!(needed(b"const { env } = process;"));
    assert!(needed(b"import.meta.env.VITE_X"));
    assert!(!needed(b"process.env.PORT + process.env['X'] + process.env[\"Y\"]"));
    assert!(!needed(b"process.envelope"));
    // A plain `process.env[name]` with no constant reads nothing.
    let facts = run(Lang::JavaScript, "const x = process.env[name];\n");
    assert!(facts.env_reads.is_empty(), "{facts:?}");
}

/// What follows a command through the app's files needs every load, and must know when
/// a name is computed (`require(name)`), since it then cannot see where the code goes.
#[test]
fn every_module_load_is_listed_and_computed_names_are_none() {
    let source = "import a from './a';\nimport './side.js';\nexport { b } from \"../b\";\n\
                  export * from './c';\nconst d = require('./d');\nconst e = require(name);\n\
                  import('./f').then(() => {});\nimport(`./jobs/${x}`);\n\
                  const g = require(`./g`);\nrequire();\nconst h = other('./not-a-load');\n";
    let expected: Vec<(Option<&str>, usize)> = vec![
        (Some("./a"), 1),
        (Some("./side.js"), 2),
        (Some("../b"), 3),
        (Some("./c"), 4),
        (Some("./d"), 5),
        (None, 6),
        (Some("./f"), 7),
        (None, 8),
        (Some("./g"), 9),
    ];
    for lang in LANGS {
        let facts = run(lang, source);
        let loads: Vec<(Option<&str>, usize)> =
            facts.loads.iter().map(|l| (l.specifier.as_deref(), l.line)).collect();
        assert_eq!(loads, expected, "{lang:?}");
    }
    let facts = run(Lang::TypeScript, "import db = require(\"./db\");\n");
    assert_eq!(facts.loads, [ModuleLoad { specifier: Some("./db".into()), line: 1, folder: None }]);
}

#[test]
fn a_computed_load_names_the_folder_its_literal_start_names() {
    use spawns::Value;
    let cases: [(&str, Option<Value>); 8] = [
        ("require(`./commands/${file}`);", Some(Value::Cwd("./commands".into()))),
        ("require('./handlers/' + name);", Some(Value::Cwd("./handlers".into()))),
        (
            "import(join(__dirname, '..', 'commands', file));",
            Some(Value::File("../commands".into())),
        ),
        ("require(path.resolve(__dirname, 'models', f));", Some(Value::File("models".into()))),
        ("require(`${__dirname}/events/${group}/${file}`);", Some(Value::File("/events".into()))),
        ("require(path.join(__dirname, file));", Some(Value::File(String::new()))),
        // Nothing literal first: no folder.
        ("require(name);", None),
        ("require(`${base}/x`);", None),
    ];
    for (source, expected) in cases {
        let facts = run(Lang::JavaScript, source);
        let folders: Vec<Option<Value>> = facts.loads.iter().map(|l| l.folder.clone()).collect();
        assert_eq!(folders, [expected], "{source}");
    }
}

fn fallbacks(facts: &JsFacts) -> Vec<(&str, Option<Fallback>)> {
    facts.env_reads.iter().map(|u| (u.name.as_str(), u.fallback.clone())).collect()
}

fn value(text: &str) -> Option<Fallback> {
    Some(Fallback::Value(text.into()))
}

#[test]
fn defaults_in_code_in_every_spelling() {
    let source = r#"const port = process.env.PORT || 3000;
const host = process.env.HOST ?? 'localhost';
const { WORKERS = 4, LOG: level = "info", PLAIN } = process.env;
const pool = Number(process.env.POOL) || 5;
const max = parseInt(process.env.MAX, 10) || -1;
const region = (process.env.REGION as string) || "eu";
const name = process.env.NAME?.trim() || `app`;
const a = process.env.A ?? process.env.B ?? "b";
const url = process.env.URL || buildUrl();
const off = process.env.OFF || undefined;
const logout = process.env.LOGOUT_URL || null;
const on = process.env.ON === "1" || false;
const env = process.env; const t = env.TIMEOUT || '30s';
get(process.env, "LODASH", "x");
"#;
    for lang in LANGS {
        let facts = run(lang, source);
        let expected = [
            ("PORT", value("3000")),
            ("HOST", value("localhost")),
            ("WORKERS", value("4")),
            ("LOG", value("info")),
            ("PLAIN", None),
            ("POOL", value("5")),
            ("MAX", value("-1")),
            ("REGION", value("eu")),
            ("NAME", value("app")),
            ("A", value("b")),
            ("B", value("b")),
            ("URL", Some(Fallback::Computed)),
            ("OFF", Some(Fallback::Optional)),
            ("LOGOUT_URL", Some(Fallback::Optional)),
            ("ON", None),
            ("TIMEOUT", value("30s")),
            ("LODASH", value("x")),
        ];
        assert_eq!(fallbacks(&facts), expected, "{lang:?}");
    }
}

/// A conditional that tests the variable falls back to the branch taken when it is
/// unset: every spelling of the test (truthiness, `!`, `!== undefined`, `!= null`,
/// `typeof`), on either side, and both reads of the variable in it get that fallback.
#[test]
fn defaults_of_conditionals_that_test_the_variable() {
    let source = r#"const a = process.env.A ? process.env.A : 'a';
const b = process.env.B !== undefined ? Number(process.env.B) : 3000;
const c = typeof process.env.C === 'string' ? process.env.C.trim() : "c";
const d = !process.env.D ? 'd' : process.env.D;
const e = process.env.E == null ? 5 : parseInt(process.env.E, 10);
const f = undefined !== process.env.F ? process.env.F : 'f';
const g = process.env.DEBUG ? 'debug' : 'info';
const h = process.env.H ?? (isProd ? 'x' : 'x');
const i = process.env.I ?? (isProd ? 'x' : 'y');
const j = process.env.J ? process.env.OTHER : 'j';
const k = typeof process.env.K !== 'undefined' ? process.env.K : (undefined);
const l = process.env.L !== undefined && process.env.L !== '' ? process.env.L : 'l';
const m = !process.env.M || isTest ? 'm' : process.env.M;
const n = process.env.N1 && process.env.N2 ? process.env.N2 : 'n';
"#;
    for lang in LANGS {
        let facts = run(lang, source);
        let expected = [
            ("A", value("a")),
            ("A", value("a")),
            ("B", value("3000")),
            ("B", value("3000")),
            ("C", value("c")),
            ("C", value("c")),
            ("D", value("d")),
            ("D", value("d")),
            ("E", value("5")),
            ("E", value("5")),
            ("F", value("f")),
            ("F", value("f")),
            ("DEBUG", Some(Fallback::Optional)),
            ("H", value("x")),
            ("I", Some(Fallback::Computed)),
            // Only a switch for J; the read of another variable in a branch is plain.
            ("J", Some(Fallback::Optional)),
            ("OTHER", None),
            ("K", Some(Fallback::Optional)),
            ("K", Some(Fallback::Optional)),
            ("L", value("l")),
            ("L", value("l")),
            ("L", value("l")),
            ("M", value("m")),
            ("M", value("m")),
            // Each read of a joint test is judged for its own variable: N1 only switches.
            ("N1", Some(Fallback::Optional)),
            ("N2", value("n")),
            ("N2", value("n")),
        ];
        assert_eq!(fallbacks(&facts), expected, "{lang:?}");
    }
}

#[test]
fn defaults_of_envalid_zod_and_joi_schemas() {
    let source = r#"const env = cleanEnv(process.env, {
  PORT: port({ default: 8080 }),
  API_URL: url(),
  SENTRY_DSN: str({ default: undefined }),
  JWT_SECRET: str({ devDefault: 'dev-only' }),
  SESSION_SECRET: str({ default: 'keyboard cat' }),
});
const schema = z.object({
  REDIS_URL: z.string().url().default("redis://localhost:6379"),
  FEATURE: z.coerce.boolean().optional(),
  LEVEL: z.enum(["a", "b"]).optional().default("a"),
  DATABASE_URL: z.string(),
});
schema.parse(process.env);
const joi = Joi.object({ MAIL: Joi.string().optional(), CACHE: Joi.number().default(60), KEY: Joi.string().required() });
joi.validate(process.env);
"#;
    for lang in LANGS {
        let facts = run(lang, source);
        let expected = [
            ("PORT", value("8080")),
            ("API_URL", None),
            ("SENTRY_DSN", Some(Fallback::Optional)),
            ("JWT_SECRET", None),
            ("SESSION_SECRET", value("keyboard cat")),
            ("REDIS_URL", value("redis://localhost:6379")),
            ("FEATURE", Some(Fallback::Optional)),
            ("LEVEL", value("a")),
            ("DATABASE_URL", None),
            ("MAIL", Some(Fallback::Optional)),
            ("CACHE", value("60")),
            ("KEY", None),
        ];
        assert_eq!(fallbacks(&facts), expected, "{lang:?}");
    }
}

#[test]
fn sveltekit_env_modules_and_public_import_meta_env() {
    let source = r#"import { PUBLIC_API_URL } from '$env/static/public';
import { STRIPE_KEY as stripe, DB_NAME } from "$env/static/private";
import { env } from '$env/dynamic/private';
import { env as pub } from '$env/dynamic/public';
const token = env.AUTH_TOKEN ?? 'none';
const site = pub.PUBLIC_SITE;
const astro = import.meta.env.PUBLIC_ANALYTICS_ID;
const secret = import.meta.env.SECRET_THING;
"#;
    for lang in LANGS {
        let facts = run(lang, source);
        let reads: Vec<(&str, usize, bool)> =
            facts.env_reads.iter().map(|u| (u.name.as_str(), u.line, u.inlined)).collect();
        assert_eq!(
            reads,
            [
                ("PUBLIC_API_URL", 1, true),
                ("STRIPE_KEY", 2, true),
                ("DB_NAME", 2, true),
                ("AUTH_TOKEN", 5, false),
                ("PUBLIC_SITE", 6, false),
                ("PUBLIC_ANALYTICS_ID", 7, true),
                ("SECRET_THING", 8, false),
            ],
            "{lang:?}"
        );
        assert_eq!(facts.env_reads[3].fallback, value("none"));
    }
    assert!(worth_parsing(b"import { X } from '$env/static/public';"));
}
