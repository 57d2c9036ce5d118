//! The checks the fuzz targets run, one public function per target.
//!
//! Each check feeds one input to a parser and panics when a promise the parser makes is
//! broken: a panic inside the parser is a crash, and so is a wrong result the check can
//! see without a second implementation (an edit that does not mean what was asked, an
//! error pointing past the end of the file, a second run that changes something).
//!
//! The same file is compiled into the integration tests (tests/regressions.rs includes it
//! by path), which run every committed corpus file through it on the stable toolchain: the
//! seed corpus and every crash found become regression tests without nightly.

use std::collections::HashSet;
use std::path::PathBuf;

use capsule_migrate::component::{Component, script_blocks};
use capsule_migrate::diag::FileError;
use capsule_migrate::edit::json::{self, EditError};
use capsule_migrate::edit::lockfile::{Format, Outcome, Release, Request};
use capsule_migrate::edit::{components as component_edit, html as html_edit, js_urls};
use capsule_migrate::inventory::jobs::{self as jobs_file, ACCEPTED, Schedule};
use capsule_migrate::inventory::scripts;
use capsule_migrate::inventory::{app_json as app_json_file, js, package_json, procfile as proc};
use capsule_migrate::lang::Lang;
use capsule_migrate::rules;
use capsule_migrate::shell;
use serde_json::Value;

/// A target's check: panics when the input breaks one of the parser's promises.
pub type Check = fn(&[u8]);

/// Every target by name, as `fuzz/run.sh` and the corpus folders name them.
pub const TARGETS: &[(&str, Check)] = &[
    ("procfile", procfile),
    ("app_json", app_json),
    ("package_json", package_json),
    ("json_edit", json_edit),
    ("jobs", jobs),
    ("schedule", schedule),
    ("rules", rules),
    ("js_scan", js_scan),
    ("js_urls", js_urls),
    ("html", html),
    ("script_calls", script_calls),
    ("lockfile", lockfile),
    ("components", components),
];

const LANGS: [Lang; 3] = [Lang::JavaScript, Lang::TypeScript, Lang::Tsx];

/// What the JSON and JS edits put in place of a value or an origin.
const NODE_RANGE: &str = "24.x";
const BACKEND_URL: &str = "window.BACKEND_URL";
const SCRIPT_SRC: &str = "backend-url.js";

/// The Procfile parser: processes are unique, named as written within Heroku's rule, and
/// non-empty; commands split without losing the program.
pub fn procfile(data: &[u8]) {
    let parsed = match proc::parse("Procfile", data) {
        Ok(parsed) => parsed,
        Err(err) => return check_error(&err, "Procfile", data),
    };
    let lines = line_count(data);
    let mut names = HashSet::new();
    for p in &parsed.processes {
        assert!(names.insert(p.name.as_str()), "process type `{}` listed twice", p.name);
        assert!(is_process_type(&p.name), "process type `{}` breaks Heroku's rule", p.name);
        assert!(!p.command.is_empty(), "process `{}` has an empty command", p.name);
        assert_eq!(p.command, p.command.trim_matches([' ', '\t']), "command not trimmed");
        assert!(!p.command.contains(['\n', '\r']), "command spans lines: {:?}", p.command);
        assert!((1..=lines).contains(&p.line), "line {} of {lines}", p.line);
        let parts = proc::command_parts(&p.command);
        assert!(!parts.program.trim().is_empty(), "`{}` lost its program", p.command);
        // The shell grammar reads every command without panicking.
        let _ = capsule_migrate::shell::simple_commands(&p.command);
        let _ = capsule_migrate::shell::variables_read(&p.command);
        if let Some(cd) = &parts.cd {
            assert!(!cd.is_empty() && !cd.starts_with("./") && !cd.ends_with('/'), "cd {cd:?}");
        }
    }
}

/// `^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$`, Heroku's rule for process types, once `_` is
/// read as `-` and uppercase as lowercase (the name itself keeps its spelling).
fn is_process_type(name: &str) -> bool {
    let inner = |b: u8| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-';
    let folded = name.to_ascii_lowercase().replace('_', "-");
    let bytes = folded.as_bytes();
    !bytes.is_empty()
        && bytes.len() <= 63
        && bytes.iter().all(|&b| inner(b))
        && bytes[0] != b'-'
        && bytes[bytes.len() - 1] != b'-'
}

/// The app.json reader: any bytes give a result or a placed error.
pub fn app_json(data: &[u8]) {
    match app_json_file::parse("app.json", data) {
        Ok(app) => {
            for warning in &app.warnings {
                assert!(warning.line.is_none_or(|l| l <= line_count(data)), "{warning:?}");
            }
        }
        Err(err) => check_error(&err, "app.json", data),
    }
}

/// The package.json reader: accepts exactly the UTF-8 texts serde_json reads as an
/// object (after an optional BOM), and its accessors never panic.
pub fn package_json(data: &[u8]) {
    let parsed = package_json::PackageJson::parse("package.json", data);
    let expected = std::str::from_utf8(data)
        .ok()
        .map(|t| t.strip_prefix('\u{feff}').unwrap_or(t))
        .and_then(|t| serde_json::from_str::<Value>(t).ok())
        .is_some_and(|v| v.is_object());
    match parsed {
        Ok(pkg) => {
            assert!(expected, "accepted a package.json serde_json does not read as an object");
            let _ = (pkg.engines_node(), pkg.is_esm(), pkg.dependency("node-cron"));
            let _ = (pkg.script("start"), pkg.scripts().count());
        }
        Err(err) => {
            assert!(!expected, "refused a valid package.json: {err}");
            check_error(&err, "package.json", data);
        }
    }
}

/// The JSON editor: `set engines.node` on any document our parser reads gives text that
/// parses to the intended value, changes only bytes inside the edited value (or the
/// object that gains a member), and is unchanged by a second identical edit; `remove`
/// takes the member out and keeps the rest.
pub fn json_edit(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let parsed = json::parse(text);
    compare_with_serde(text, &parsed);
    let Ok(root) = parsed else { return };
    check_set(text, &root);
    check_remove(text, &root);
}

/// Our parser and serde_json agree on what is JSON and what it means, except where ours
/// is documented to differ: a leading BOM and nesting between serde_json's limit (128)
/// and ours.
fn compare_with_serde(text: &str, ours: &Result<json::Node, json::JsonError>) {
    let theirs = serde_json::from_str::<Value>(text);
    match (ours, theirs) {
        (Ok(node), Ok(value)) => assert_eq!(node.to_value(), value, "parsers disagree"),
        (Ok(node), Err(e)) => {
            let explained = text.starts_with('\u{feff}') || depth(node) > 127;
            assert!(explained, "we accept what serde_json refuses ({e})");
        }
        (Err(e), Ok(_)) => panic!("we refuse what serde_json accepts: {e}"),
        (Err(e), Err(_)) => assert!(e.offset <= text.len(), "error offset past the end: {e}"),
    }
}

fn depth(node: &json::Node) -> usize {
    match &node.kind {
        json::NodeKind::Array(items) => 1 + items.iter().map(depth).max().unwrap_or(0),
        json::NodeKind::Object(members) => {
            1 + members.iter().map(|m| depth(&m.value)).max().unwrap_or(0)
        }
        _ => 0,
    }
}

fn check_set(text: &str, root: &json::Node) {
    let path = ["engines", "node"];
    let value = Value::String(NODE_RANGE.into());
    let engines = root.lookup(&path[..1]);
    let result = json::set(text, &path, &value);
    let out = match result {
        Ok(out) => out,
        Err(EditError::NotAnObject { .. }) => {
            let root_is_object = matches!(root.kind, json::NodeKind::Object(_));
            let engines_is_object =
                engines.is_none_or(|e| matches!(e.kind, json::NodeKind::Object(_)));
            assert!(!root_is_object || !engines_is_object, "NotAnObject on an object path");
            return;
        }
        Err(err) => panic!("set engines.node failed on valid JSON: {err}"),
    };
    let mut intended = root.to_value();
    intended
        .as_object_mut()
        .expect("set succeeded, so the root is an object")
        .entry("engines")
        .or_insert_with(|| Value::Object(Default::default()))
        .as_object_mut()
        .expect("set succeeded, so engines is an object")
        .insert("node".into(), value.clone());
    let reparsed = json::parse(&out).unwrap_or_else(|e| panic!("edited text invalid: {e}"));
    assert_eq!(reparsed.to_value(), intended, "edited text means something else");
    // The edit stays inside engines' value when it exists, else inside the root object.
    let allowed = engines.map_or(&root.span, |e| &e.span);
    if let Some((start, end)) = changed_range(text, &out) {
        let inside = allowed.start <= start && end <= allowed.end;
        assert!(inside, "bytes {start}..{end} changed, outside {allowed:?}");
    }
    let again = json::set(&out, &path, &value).expect("the second edit");
    assert_eq!(again, out, "a second identical edit changed the text");
}

fn check_remove(text: &str, root: &json::Node) {
    let out = json::remove(text, &["engines"])
        .unwrap_or_else(|e| panic!("remove engines failed on valid JSON: {e}"));
    let mut intended = root.to_value();
    if let Some(map) = intended.as_object_mut() {
        map.remove("engines");
    }
    let reparsed = json::parse(&out).unwrap_or_else(|e| panic!("text after remove invalid: {e}"));
    assert_eq!(reparsed.to_value(), intended, "text after remove means something else");
    if let Some((start, end)) = changed_range(text, &out) {
        let inside = root.span.start <= start && end <= root.span.end;
        assert!(inside, "bytes {start}..{end} changed, outside the root {:?}", root.span);
    }
}

/// The byte range of `before` that differs from `after`, `None` when they are equal:
/// everything outside it is the common prefix and suffix. An empty range is a pure
/// insertion at that offset.
pub fn changed_range(before: &str, after: &str) -> Option<(usize, usize)> {
    if before == after {
        return None;
    }
    let (a, b) = (before.as_bytes(), after.as_bytes());
    let prefix = a.iter().zip(b).take_while(|(x, y)| x == y).count();
    let room = a.len().min(b.len()) - prefix;
    let suffix = a.iter().rev().zip(b.iter().rev()).take(room).take_while(|(x, y)| x == y).count();
    Some((prefix, a.len() - suffix))
}

/// The jobs file: every job's app passed the existence check and is normalised, names
/// are unique per app, and every schedule reads back from its own description.
pub fn jobs(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let any: &dyn Fn(&str) -> bool = &|_| true;
    let root_only: &dyn Fn(&str) -> bool = &|app| app.is_empty();
    for app_exists in [any, root_only] {
        let list = match jobs_file::parse("jobs.toml", &text, app_exists) {
            Ok(list) => list,
            Err(err) => {
                check_error(&err, "jobs.toml", text.as_bytes());
                continue;
            }
        };
        let mut names = HashSet::new();
        for job in &list {
            assert!(app_exists(&job.app), "job in unknown app `{}`", job.app);
            let app = &job.app;
            let parts_ok = app.split('/').all(|p| !p.is_empty() && p != "." && p != "..");
            assert!(app.is_empty() || parts_ok, "app folder `{app}` is not normalised");
            assert!(names.insert((app.clone(), job.name.clone())), "name `{}` twice", job.name);
            assert!(!job.command.is_empty() && job.command == job.command.trim(), "command");
            assert!(job.line <= line_count(text.as_bytes()), "line {}", job.line);
            assert_eq!(Schedule::parse(&job.schedule.describe()).as_ref(), Ok(&job.schedule));
        }
    }
}

/// Schedules: an accepted schedule reads back from its description and its cron form;
/// a refused one says what is accepted.
pub fn schedule(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    match Schedule::parse(&text) {
        Ok(parsed) => {
            assert_eq!(Schedule::parse(&parsed.describe()), Ok(parsed.clone()), "describe");
            let cron = parsed.to_cron();
            let fields = cron.split(' ').collect::<Vec<_>>();
            assert!(matches!(fields.len(), 5 | 6), "cron `{cron}` has {} fields", fields.len());
            assert!(fields.iter().all(|f| !f.is_empty()), "cron `{cron}` has empty fields");
            let again = Schedule::parse(&cron).unwrap_or_else(|e| panic!("to_cron: {e}"));
            assert_eq!(again.to_cron(), cron, "cron form not stable");
        }
        Err(message) => assert!(message.contains(ACCEPTED), "no help in: {message}"),
    }
}

/// One rule file, read through `rules::load_dir` (the file parser is private): a rule
/// set of one validated rule, or an error that names the file.
pub fn rules(data: &[u8]) {
    let dir = RULE_DIR.with(|dir| dir.path.clone());
    let file = dir.join("rule.toml");
    std::fs::write(&file, data).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
    match rules::load_dir(&dir) {
        Ok(set) => {
            assert_eq!(set.rules.len(), 1, "one file, one rule");
            let rule = &set.rules[0];
            assert!(!rule.id.is_empty() && !rule.id.starts_with('-'), "id `{}`", rule.id);
            assert!(!rule.description.is_empty() && !rule.description.contains('\n'));
            assert!(!rule.reason.is_empty(), "empty reason");
        }
        Err(rules::Error::Invalid(err)) => check_error(&err, "rule.toml", data),
        Err(err) => panic!("the folder holds a rule file, yet: {err}"),
    }
}

/// A folder of this thread's own for `rules`, made once and removed when the thread ends
/// (tests run threads in parallel; the fuzzer reuses one folder for millions of inputs).
struct RuleDir {
    path: PathBuf,
}

impl RuleDir {
    fn new() -> RuleDir {
        static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
        let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let name = format!("capsule-migrate-fuzz-rules-{}-{n}", std::process::id());
        let path = std::env::temp_dir().join(name);
        std::fs::create_dir_all(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        RuleDir { path }
    }
}

impl Drop for RuleDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.path);
    }
}

thread_local! {
    static RULE_DIR: RuleDir = RuleDir::new();
}

/// JS facts, in all three grammars: positions stay inside the file, and a file the
/// prefilter skips would have given no facts (apart from its documented blind spots).
pub fn js_scan(data: &[u8]) {
    let lines = line_count(data);
    let skipped = !js::worth_parsing(data);
    let lower = String::from_utf8_lossy(data).to_ascii_lowercase();
    for lang in LANGS {
        let facts = js::scan("src/app.js", lang, data);
        assert_eq!(facts.path, "src/app.js");
        // The subtrees the walk skips (no landmark word starts in them) hold no facts.
        assert_eq!(facts, js::scan_every_node("src/app.js", lang, data), "{lang:?}: pruned");
        let env_lines = facts.env_reads.iter().chain(&facts.env_writes).map(|e| e.line);
        let url_lines = facts.herokuapp_urls.iter().map(|u| u.line);
        let cron_lines = facts.cron_v3_options.iter().map(|(_, l)| *l);
        let all = env_lines
            .chain(url_lines)
            .chain(cron_lines)
            .chain(facts.ssl_reject_unauthorized_false.iter().copied());
        for line in all {
            assert!((1..=lines).contains(&line), "{lang:?}: fact on line {line} of {lines}");
        }
        if let Some(p) = facts.syntax_error {
            assert!(p.line <= lines && p.column >= 1, "{lang:?}: syntax error at {p:?}");
        }
        if skipped {
            // The prefilter's blind spots: `process . env` and upper-case hostnames.
            let process_gap = lower.contains("process");
            let env = facts.env_reads.len() + facts.env_writes.len();
            assert!(env == 0 || process_gap, "{lang:?}: skipped file has env facts");
            let urls = facts.herokuapp_urls.is_empty() || lower.contains("herokuapp");
            assert!(urls, "{lang:?}: skipped file has herokuapp URLs");
            assert!(facts.ssl_reject_unauthorized_false.is_empty(), "{lang:?}: skipped ssl");
            let modules = facts.uses_node_cron || facts.uses_node_schedule || facts.uses_cron;
            assert!(!modules, "{lang:?}: skipped file uses a cron module");
        }
    }
}

/// URL rewriting, in all three grammars: nothing rewritten means nothing changed, and in
/// a file without syntax errors a second pass over the result finds nothing to rewrite.
pub fn js_urls(data: &[u8]) {
    let source = String::from_utf8_lossy(data);
    let lines = line_count(source.as_bytes());
    for lang in LANGS {
        let first = js_urls::rewrite_herokuapp_urls(&source, lang, BACKEND_URL);
        for line in
            first.rewrites.iter().map(|r| r.line).chain(first.skipped.iter().map(|s| s.line))
        {
            assert!((1..=lines).contains(&line), "{lang:?}: literal on line {line} of {lines}");
        }
        if first.rewrites.is_empty() {
            assert_eq!(first.text, source, "{lang:?}: text changed without a rewrite");
            continue;
        }
        assert_ne!(first.text, source, "{lang:?}: rewrites reported, text unchanged");
        // In a file with syntax errors, tree-sitter's recovery may read the rewritten text
        // differently and find a literal it could not see before: only clean files must
        // be finished in one pass.
        if js::scan("src/app.js", lang, source.as_bytes()).syntax_error.is_some() {
            continue;
        }
        let second = js_urls::rewrite_herokuapp_urls(&first.text, lang, BACKEND_URL);
        assert!(second.rewrites.is_empty(), "{lang:?}: second pass rewrote {:?}", second.rewrites);
        assert_eq!(second.text, first.text);
    }
}

/// Single-file components in all three formats: script blocks lie inside the file, in
/// order, without overlap; a rewrite only changes bytes inside them, reports lines of the
/// file, and changes nothing when it reports no rewrite.
pub fn components(data: &[u8]) {
    let text = String::from_utf8_lossy(data);
    let lines = line_count(text.as_bytes());
    for component in [Component::Vue, Component::Svelte, Component::Astro] {
        let blocks = script_blocks(component, &text);
        let mut end = 0;
        for block in &blocks {
            assert!(end <= block.start && block.start <= block.end, "{component:?}: {blocks:?}");
            assert!(block.end <= text.len() && text.is_char_boundary(block.start));
            assert!(text.is_char_boundary(block.end), "{component:?}: {blocks:?}");
            end = block.end;
        }
        let out = component_edit::rewrite_component(&text, component, &|_| Ok(BACKEND_URL.into()));
        for line in out.rewrites.iter().map(|r| r.line).chain(out.skipped.iter().map(|s| s.line)) {
            assert!((1..=lines).contains(&line), "{component:?}: URL on line {line} of {lines}");
        }
        if out.rewrites.is_empty() {
            assert_eq!(out.text, text, "{component:?}: text changed without a rewrite");
            continue;
        }
        let (start, end) = changed_range(&text, &out.text).expect("a rewrite changes the text");
        // The first and last changed bytes each lie in a script block.
        let in_block = |at: usize| blocks.iter().any(|b| b.start <= at && at <= b.end);
        assert!(
            in_block(start) && in_block(end),
            "{component:?}: changed {start}..{end} outside {blocks:?}"
        );
    }
}

/// The script tag insertion: the tag is added once, by insertion alone, and only when
/// the page has a place for it.
pub fn html(data: &[u8]) {
    let page = String::from_utf8_lossy(data);
    let had = html_edit::has_script(&page, SCRIPT_SRC);
    let Some(out) = html_edit::add_script(&page, SCRIPT_SRC) else {
        let lower = page.to_ascii_lowercase();
        let anchors = ["<script", "</head", "</body"].iter().any(|a| has_tag(&lower, a));
        assert!(had || !anchors || lower.contains("<!--"), "no tag added to a page with anchors");
        return;
    };
    assert!(!had, "a page that loads the script got it twice");
    assert!(html_edit::has_script(&out, SCRIPT_SRC), "added tag not recognised");
    assert_eq!(html_edit::add_script(&out, SCRIPT_SRC), None, "second run added another tag");
    let range = changed_range(&page, &out);
    assert!(range.is_some_and(|(start, end)| start == end), "page bytes changed: {range:?}");
    let tag = format!("<script src=\"{SCRIPT_SRC}\"></script>");
    assert!(out.len() - page.len() >= tag.len(), "inserted less than the tag");
}

/// Whether lowercase `page` holds `open` as a whole tag name (not `<scripts>`).
fn has_tag(page: &str, open: &str) -> bool {
    page.match_indices(open).any(|(at, _)| {
        let next = page.as_bytes().get(at + open.len());
        next.is_none_or(|b| b.is_ascii_whitespace() || b"/>".contains(b))
    })
}

/// The shell reader and the script-call finder: word spans lie on the line; renaming
/// the `build` calls at their spans (as the release rule does) gives the same calls with
/// the new name; the cycle finder sees a script that calls itself.
pub fn script_calls(data: &[u8]) {
    let Ok(line) = std::str::from_utf8(data) else { return };
    let Some(commands) = shell::commands(line) else { return };
    for word in commands.iter().flat_map(|c| &c.words) {
        assert!(line.get(word.span.clone()).is_some(), "word span {:?} off the line", word.span);
    }
    let calls = scripts::calls(line).expect("a line the shell reads has calls");
    let mut renamed = line.to_owned();
    let mut spans: Vec<_> =
        calls.iter().filter(|c| c.script == "build").filter_map(|c| c.name_span.clone()).collect();
    spans.sort_by_key(|s| s.start);
    for span in spans.iter().rev() {
        assert!(line.get(span.clone()).is_some(), "name span {span:?} off the line");
        renamed.replace_range(span.clone(), "build:app");
    }
    let expected: Vec<String> = calls
        .iter()
        .map(|c| {
            let was_renamed = c.script == "build" && c.name_span.is_some();
            if was_renamed { "build:app".to_owned() } else { c.script.clone() }
        })
        .collect();
    if let Some(after) = scripts::calls(&renamed) {
        let got: Vec<String> = after.into_iter().map(|c| c.script).collect();
        assert_eq!(got, expected, "renaming the build calls of {line:?} gave {renamed:?}");
    } else {
        panic!("renaming the build calls of {line:?} gave an unreadable {renamed:?}");
    }
    let calls_build = calls.iter().any(|c| c.script == "build");
    let found = scripts::cycle([("build", line), ("build:app", "tsc")]);
    assert_eq!(found.is_some(), calls_build, "cycle {found:?} for {line:?}");
}

/// The lockfile editors (npm, yarn 1, pnpm) adding node-cron 4.6.0 over an older range:
/// an error names the file and a place inside it; an edit, done again, changes nothing.
pub fn lockfile(data: &[u8]) {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let release = Release {
        name: "node-cron".into(),
        version: "4.6.0".into(),
        resolved: "https://registry.npmjs.org/node-cron/-/node-cron-4.6.0.tgz".into(),
        integrity: "sha512-Si/bzYiKRHOB8/a99T2+SDGN582ONDMSTlJr5oCkT6GtnqPjZ2s10eoQRYkW9ZHwjVxONL+W8Fb+qR0AHMQsdg==".into(),
        shasum: "5c854d4aeebade26cf6df79a795e8a4bae47583f".into(),
        engines_node: Some(">=20".into()),
        license: Some("ISC".into()),
    };
    let manifests = vec![("node-cron".to_owned(), "^4.6.0".to_owned())];
    for (file, format) in Format::FILE_NAMES.iter().skip(1) {
        let req = |old_range| Request {
            importer: "",
            range: "^4.6.0",
            old_range,
            release: &release,
            manifests: &manifests,
        };
        match format.add(text, &req(Some("^3.0.3"))) {
            Err(e) => check_error(&e.to_file_error(file, text), file, data),
            Ok(Outcome::Edited(edited)) => {
                let again = format.add(&edited, &req(Some("^4.6.0")));
                assert!(
                    matches!(again, Ok(Outcome::Unchanged)),
                    "{file}: a second edit gave {again:?}"
                );
            }
            Ok(Outcome::Unchanged | Outcome::Inexact(_)) => {}
        }
    }
}

/// A parser's error names the file it was given and, when placed, a line and column
/// inside it (the column may point one past the end of the line).
pub fn check_error(err: &FileError, file: &str, data: &[u8]) {
    assert!(err.file.ends_with(file), "error names {:?}, not {file}", err.file);
    assert!(!err.message.trim().is_empty(), "empty error message");
    let Some(p) = err.position else { return };
    let line = data.split(|&b| b == b'\n').nth(p.line.wrapping_sub(1));
    let Some(line) = line else {
        panic!("{err}: line {} of {}", p.line, line_count(data));
    };
    assert!(p.column >= 1 && p.column <= line.len() + 1, "{err}: column past the line");
}

/// Lines as editors count them: one more than the line feeds.
fn line_count(data: &[u8]) -> usize {
    data.iter().filter(|&&b| b == b'\n').count() + 1
}
