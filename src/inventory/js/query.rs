//! The tree-sitter query scans ran before [`super::walk`] replaced it, kept for the tests
//! as the oracle the walk must agree with: same captures, so the same facts.
//!
//! Each pattern names one node for the collector (a capture without `_`); `_` captures
//! only feed the `#eq?` predicates.

use std::sync::OnceLock;

use tree_sitter::{Node, Query, QueryCursor, StreamingIterator};

use super::walk::Capture;
use crate::lang::Lang;

fn capture_of_name(name: &str) -> Option<Capture> {
    Some(match name {
        "env.member" => Capture::EnvMember,
        "env.subscript" => Capture::EnvSubscript,
        "env.pattern" => Capture::EnvPattern,
        "false.pair" => Capture::FalsePair,
        "import" => Capture::Import,
        "export" => Capture::Export,
        "name.call" => Capture::NameCall,
        "dynamic.import" => Capture::DynamicImport,
        "schedule.call" => Capture::ScheduleMethodCall,
        "cjs.export" => Capture::CommonJsExport,
        _ => return None,
    })
}

/// Node kinds and fields used here exist with the same names in the JavaScript,
/// TypeScript and TSX grammars, so one text serves all three.
const SOURCE: &str = r#"
((member_expression
   object: (member_expression object: (identifier) @_process property: (property_identifier) @_env)
   property: (property_identifier)) @env.member
 (#eq? @_process "process") (#eq? @_env "env"))

((subscript_expression
   object: (member_expression object: (identifier) @_process property: (property_identifier) @_env)) @env.subscript
 (#eq? @_process "process") (#eq? @_env "env"))

((variable_declarator
   name: (object_pattern) @env.pattern
   value: (member_expression object: (identifier) @_process property: (property_identifier) @_env))
 (#eq? @_process "process") (#eq? @_env "env"))

((assignment_expression
   left: (object_pattern) @env.pattern
   right: (member_expression object: (identifier) @_process property: (property_identifier) @_env))
 (#eq? @_process "process") (#eq? @_env "env"))

(pair value: (false)) @false.pair

(import_statement) @import
(export_statement) @export

(call_expression function: (identifier) arguments: (arguments)) @name.call
(call_expression function: (import) arguments: (arguments)) @dynamic.import

((call_expression
   function: (member_expression property: (property_identifier) @_schedule)
   arguments: (arguments)) @schedule.call
 (#eq? @_schedule "schedule"))

((member_expression object: (identifier) @_module property: (property_identifier) @_exports) @cjs.export
 (#eq? @_module "module") (#eq? @_exports "exports"))
((member_expression object: (identifier) @_exports) @cjs.export
 (#eq? @_exports "exports"))
"#;

/// The compiled query and, per capture index, what that capture is.
struct Compiled {
    query: Query,
    captures: Vec<Option<Capture>>,
}

impl Compiled {
    fn new(lang: Lang) -> Compiled {
        // The text is a constant checked by the tests for every language, so failing
        // here is a bug in this file, not something a user's input can cause.
        let query = Query::new(&lang.grammar(), SOURCE)
            .unwrap_or_else(|e| panic!("built-in {lang:?} query does not compile: {e}"));
        let captures = query.capture_names().iter().map(|name| capture_of_name(name)).collect();
        Compiled { query, captures }
    }

    fn capture(&self, index: u32) -> Option<Capture> {
        self.captures.get(index as usize).copied().flatten()
    }
}

/// Calls `found` for each capture of the query over the tree under `root`, in the
/// order the query engine gives them: what [`super::walk::walk`] does by hand.
pub fn captures<'t>(
    lang: Lang,
    root: Node<'t>,
    source: &[u8],
    mut found: impl FnMut(Capture, Node<'t>),
) {
    let compiled = compiled(lang);
    let mut cursor = QueryCursor::new();
    let mut matches = cursor.matches(&compiled.query, root, source);
    while let Some(found_match) = matches.next() {
        for capture in found_match.captures() {
            if let Some(kind) = compiled.capture(capture.index) {
                found(kind, capture.node);
            }
        }
    }
}

/// The query for `lang`, compiled on first use.
fn compiled(lang: Lang) -> &'static Compiled {
    static JAVASCRIPT: OnceLock<Compiled> = OnceLock::new();
    static TYPESCRIPT: OnceLock<Compiled> = OnceLock::new();
    static TSX: OnceLock<Compiled> = OnceLock::new();
    let cell = match lang {
        Lang::JavaScript => &JAVASCRIPT,
        Lang::TypeScript => &TYPESCRIPT,
        Lang::Tsx => &TSX,
    };
    cell.get_or_init(|| Compiled::new(lang))
}

mod tests {
    use super::*;
    use crate::inventory::js::{scan, scan_with, walk};

    const LANGS: [Lang; 3] = [Lang::JavaScript, Lang::TypeScript, Lang::Tsx];

    #[test]
    fn query_compiles_for_every_language_and_names_every_capture_kind() {
        for lang in LANGS {
            let compiled = compiled(lang);
            let named = compiled.captures.iter().flatten().count();
            // Ten kinds, `cjs.export` used by two patterns but one capture name.
            assert_eq!(named, 10, "{lang:?}");
            assert!(std::ptr::eq(compiled, super::compiled(lang)), "compiled once");
        }
    }

    /// A found node: what it is, and which node (kind and span identify it).
    type Found = (Capture, u16, std::ops::Range<usize>);

    fn found_by(
        lang: Lang,
        source: &[u8],
        pass: impl for<'t> Fn(Lang, Node<'t>, &[u8], &mut dyn FnMut(Capture, Node<'t>)),
    ) -> Vec<Found> {
        let tree = lang.parse(source).expect("parsed");
        let mut found = Vec::new();
        pass(lang, tree.root_node(), source, &mut |kind, node| {
            found.push((kind, node.kind_id(), node.byte_range()));
        });
        found.sort_by_key(|(kind, node_kind, range)| {
            (range.start, range.end, *node_kind, *kind as u8)
        });
        found
    }

    /// The walk finds the same nodes as the query, and the scan the same facts, in the
    /// same order.
    fn assert_agree(lang: Lang, source: &[u8]) {
        let text = String::from_utf8_lossy(source);
        let by_walk = found_by(lang, source, |lang, root, source, found| {
            walk::walk_everything(lang, root, source, found)
        });
        let by_query =
            found_by(lang, source, |lang, root, source, found| captures(lang, root, source, found));
        assert_eq!(by_walk, by_query, "{lang:?}: {text}");
        let facts = scan("f", lang, source);
        let by_query =
            scan_with("f", lang, source, |collector, root| collector.run_query(lang, root), |_| ())
                .0;
        assert_eq!(facts, by_query, "{lang:?}: {text}");
    }

    /// Snippets for every pattern, near misses of each, and broken code.
    const SNIPPETS: &[&str] = &[
        // Environment reads and writes.
        "const port = process.env.PORT || 3000;",
        "const db = process.env[\"DATABASE_URL\"]; const k = process.env['K'] ?? `${process.env[`S`]}`;",
        "const d = process.env[name] + process.env[`X_${suffix}`] + process.env[1];",
        "if (process.env?.DEBUG === '1') console.log(process.env.NODE_ENV.trim());",
        "process?.env?.A; process.env?.['B']; process?.env.C; (process).env.D; process['env'].E;",
        "process /* c */ . env // c\n . F; process\n.env\n.G;",
        "process.env.TZ = 'UTC'; process.env['NODE_ENV'] = process.env.NODE_ENV || 'production';",
        "process.env.RETRIES ||= '3'; process.env.X ??= 1; process.env.Y += 1; process.env.Z &&= 0;",
        "delete process.env.TOKEN; delete process.env['T2']; process.env.COUNT++; --process.env.C2;",
        "if (process.env.hasOwnProperty('HIDDEN')) {} process.env.toString(); process.env.A.b();",
        "new process.env.Ctor(); process.env.#p; process.env.A.B.C; a.process.env.X; env.X;",
        "const { PORT, DATABASE_URL: dbUrl, LOG_LEVEL = 'info' } = process.env;",
        "let { REDIS_URL: r = 'x', 'QUOTED': q, [computed]: c, ...others } = process.env;",
        "({ LATE } = process.env); ({ A: { B } } = process.env); [a, b] = process.env;",
        "const { A: a = process.env.B, C } = process.env; const { D } = process.env.E;",
        "for (const { A } of process.env) {} for ({ B } of process.env) {} function f({ C } = process.env) {}",
        "var { HEROKU_APP_NAME } = process.env, { X } = config, y = process.env.Y;",
        "const { NOT_ENV } = config; const { Q } = process; const { R } = env;",
        // Exits.
        "main().catch(() => process.exit(1)); process.exitCode = 2; const exit = process.exit;",
        "process.exit(); process.exit`1`; process?.exit(0); process.exit?.(0); (process).exit(1);",
        "process['exit'](1); proc.exit(1); process.exit.call(null, 1); process.exit(1)(2);",
        // TLS.
        "const pool = new Pool({ ssl: { rejectUnauthorized: false } });",
        "const a = { 'rejectUnauthorized': false, other: false, x: !1, y: false || 1 };",
        "const b = { rejectUnauthorized: true, [rejectUnauthorized]: false, 'a b': false };",
        "f({ rejectUnauthorized: false, ...rest }); ({ rejectUnauthorized = false } = opts);",
        // Module syntax.
        "import express from 'express'; export default function main() {}",
        "export { a } from './a'; export * from 'cron'; export * as ns from 'node-schedule';",
        "export const x = 1; export { y as z }; export default class {}",
        "const express = require('express'); require(`node-cron`); require(name); require();",
        "module.exports = { run }; module.exports.x = 1; module.exports['y'] = 2; module['exports'] = 3;",
        "exports.handler = async () => {}; exports['a'] = 1; exports = 1; exports.exports.x = 2;",
        "import('./esm.mjs').then(m => m.run()); import.meta.url; await import(`node-cron`);",
        "console.log(require); const required = 1; require.resolve('x'); new require('x');",
        "import { createRequire } from 'module';\nconst x = require('x');",
        "import 'side-effect'; import * as fs from 'fs'; import d, { a as b } from 'node-cron';",
        // node-cron.
        "import { schedule as every } from 'node-cron';\nfunction jobs() { every('* * * * *', run, { runOnInit: true }); }",
        "import cron from 'node-cron';\ncron.schedule('0 * * * *', job, { scheduled: false, runOnInit: true, timezone: 'UTC' });",
        "const { schedule: run } = require('node-cron');\nrun('*', job, { scheduled: false });",
        "let c; c = require('node-cron');\nc.schedule('*', job, { 'runOnInit': true });",
        "const m = await import('node-cron');\nm.default.schedule('*', job, { scheduled: false });",
        "require('node-cron').schedule('*', job, { runOnInit }); x.schedule`*`; x.schedule?.('*', {scheduled: false});",
        "import { schedule as every } from 'node-cron';\nevery('*', j, { scheduled: false }); schedule('*', {runOnInit: 1});",
        "const cron = require('node-cron');\ncron.schedule('*', () => {}, {\n  \"scheduled\": false,\n  name: 'job',\n});",
        "const cron = require('node-cron');\ncron.schedule('a', cron.schedule('b', j, { runOnInit: true }), { scheduled: false });",
        "import agenda from './agenda';\nagenda.schedule('*', j, { scheduled: false });",
        // Broken code.
        "const port = process.env.PORT;\nfunction broken( {{{ ]]] ;\nprocess.exit(process.env.EXIT_CODE);",
        "process.env.",
        "process.env[",
        "process.env.X = ",
        "const { A = } = process.env;",
        "const { A, B: } = process.env",
        "({ A } = process.env",
        "process.exit(",
        "process.exit(1",
        "import from 'node-cron'",
        "import cron from 'node-cron'\ncron.schedule('*', {scheduled: false",
        "exports.",
        "module.exports.",
        "{ rejectUnauthorized: false",
        "const x = { rejectUnauthorized: false, } }} ))",
        "require('node-cron'",
        "import('node-cron'",
        "process process.env.A env.B .env.C",
        "const a = process.env.A +;\nconst b = process.env.B;\n)))\nprocess.exit(2)",
        "if (process.env.X { process.exit(1) }",
        "`${process.env.A`",
        "<div a={process.env.A}>{process.env.B}</div>",
        "const el = <a href=\"https://x.herokuapp.com\" onClick={() => process.exit(1)}>{exports.x}</a>;",
        "function f(): void { process.exit(1) } const x = <T,>(a: T) => process.env.A;",
    ];

    /// TypeScript only: types, aliased nodes, decorators and `import x = require(...)`.
    const TS_SNIPPETS: &[&str] = &[
        "import fs = require('fs');\nfs.readFileSync('x');",
        "import cron = require('node-cron');\ncron.schedule('*', job, { scheduled: false, runOnInit: true });",
        "export import x = require('node-cron'); export = cron; export as namespace N;",
        "type T = typeof process.env.FOO; let x: typeof process.env; let y: typeof process.env.A.B;",
        "let z: typeof process.exit; type E = typeof exports.x; type M = typeof module.exports;",
        "type C = typeof cron.schedule<string>; type I = typeof import('node-cron');",
        // `Node::child_by_field_id` reads the wrong `property` in these.
        "type S = typeof a.b.schedule(x); type X = typeof process.env.A.exit(1);",
        "import cron from 'node-cron';\nlet t: typeof cron.x.schedule('*', { scheduled: false });",
        "type E = typeof process.env.FOO; type F = typeof a.process.env.B;",
        "@process.env.X class A {} @process.exit(1) class B {} @cron.schedule('*', { scheduled: false }) class C {}",
        "@exports.x class D {} @module.exports class E {} @require('node-cron') class F {}",
        "const port: number = Number(process.env.PORT!); const api = <string>process.env.API_URL;",
        "const { SECRET }: NodeJS.ProcessEnv = process.env; const v = process.env.V as string;",
        "process.exit<number>(1); require<typeof x>('node-cron'); f<T>`x`; x.schedule<T>('*', { runOnInit: 1 });",
        "import type { X } from 'node-cron'; export type { Y } from 'cron'; import type Z = require('cron');",
        "declare module 'x' { export const a: typeof process.env.A; } namespace N { process.exit(1); }",
        "abstract class A { x = process.env.X; static { process.exit(1); } constructor(private p = process.env.P) {} }",
        "enum E { A = process.env.A } interface I { rejectUnauthorized: false }",
        "let o: { rejectUnauthorized: false } = { rejectUnauthorized: false };",
        "type T = typeof process.env.",
        "@process.env. class A {}",
        "const x = process.env!.A; const y = process!.env.B; const z = (process.env as any).C;",
    ];

    #[test]
    fn the_walk_finds_what_the_query_found() {
        for lang in LANGS {
            for snippet in SNIPPETS {
                assert_agree(lang, snippet.as_bytes());
            }
        }
        for lang in [Lang::TypeScript, Lang::Tsx] {
            for snippet in TS_SNIPPETS {
                assert_agree(lang, snippet.as_bytes());
            }
        }
    }

    #[test]
    fn the_walk_finds_what_the_query_found_in_the_test_fixtures() {
        let fixtures = concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures");
        let mut count = 0;
        for entry in walkdir::WalkDir::new(fixtures) {
            let entry = entry.expect("fixtures are readable");
            let path = entry.path().to_string_lossy();
            if let Some(lang) = Lang::of_path(&path) {
                assert_agree(lang, &std::fs::read(entry.path()).expect("fixture is readable"));
                count += 1;
            }
        }
        // An empty folder must not pass.
        assert!(count >= 20, "only {count} JS/TS fixtures found");
    }

    /// Every JS/TS file of the committed fuzz corpora (inputs that found bugs among them),
    /// and of `$CAPSULE_MIGRATE_JS_CORPUS` when it is set, e.g. the benchmark's repository
    /// or a `node_modules`: `CAPSULE_MIGRATE_JS_CORPUS=<dir> cargo test --release corpus`.
    #[test]
    fn the_walk_finds_what_the_query_found_in_the_fuzz_corpora_and_a_given_corpus() {
        let fuzz = concat!(env!("CARGO_MANIFEST_DIR"), "/fuzz/corpus");
        let mut folders = vec![format!("{fuzz}/js_scan"), format!("{fuzz}/js_urls")];
        folders.extend(std::env::var("CAPSULE_MIGRATE_JS_CORPUS").ok());
        let mut count = 0;
        for entry in folders.iter().flat_map(walkdir::WalkDir::new) {
            let entry = entry.expect("corpus is readable");
            let path = entry.path().to_string_lossy();
            if entry.file_type().is_file()
                && let Some(lang) = Lang::of_path(&path)
            {
                let source = std::fs::read(entry.path()).expect("corpus file is readable");
                let found = std::panic::catch_unwind(|| assert_agree(lang, &source));
                assert!(found.is_ok(), "{path}");
                count += 1;
            }
        }
        // The committed corpora alone hold eleven files: an empty folder must not pass.
        assert!(count >= 10, "only {count} JS/TS files");
        eprintln!("{count} files agree");
    }

    mod random {
        use super::*;
        use proptest::prelude::*;

        use super::super::super::tests::TOKENS;

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(512))]

            #[test]
            fn token_soup(picks in proptest::collection::vec(0..TOKENS.len(), 0..60)) {
                let source: String = picks.iter().map(|&i| TOKENS[i]).collect();
                for lang in LANGS {
                    assert_agree(lang, source.as_bytes());
                }
            }

            #[test]
            fn snippets_cut_and_joined(
                picks in proptest::collection::vec((0..SNIPPETS.len(), any::<prop::sample::Index>()), 1..4)
            ) {
                // Prefixes of valid code: broken in every way a half-typed file is.
                let mut source = String::new();
                for (i, cut) in picks {
                    let snippet = SNIPPETS[i];
                    let mut end = cut.index(snippet.len() + 1);
                    while !snippet.is_char_boundary(end) {
                        end -= 1;
                    }
                    source.push_str(&snippet[..end]);
                }
                for lang in LANGS {
                    assert_agree(lang, source.as_bytes());
                }
            }
        }
    }
}
