//! Calls a frontend makes to its own origin: `fetch('/api/x')`, `axios.get('/api/x')`,
//! `axios.create({ baseURL: '/api' })`, `new EventSource('/events')`, `io()`.
//!
//! On Heroku an Express server often served the built frontend, so the page called the
//! API on the origin it came from, and in development the bundler's proxy (Create React
//! App's `"proxy"`, Vite's `server.proxy`) forwarded the same paths. A Code Capsules
//! Frontend Capsule serves only files: such a call reaches the static site, not the
//! backend. This module finds the calls in a file's syntax tree; which of them are the
//! page's own files (`fetch('/data.json')`) the caller decides.

use std::collections::{HashMap, HashSet};

use tree_sitter::Node;

use super::{DevProxy, FrontendKind, dev_proxy};
use crate::component::{Component, line_of, script_blocks};
use crate::inventory::code::{is_not_app_code, is_runtime_path, owner};
use crate::inventory::js::Search;
use crate::inventory::js::ast::{each_node, line, literal_value, lossy, text};
use crate::inventory::{App, Frontend, in_node_modules, join};
use crate::lang::Lang;
use crate::source::Source;

/// One call to a path on the page's own origin.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct RelativeCall {
    /// 1-based line of the call.
    pub line: usize,
    /// What makes the request: `fetch`, `axios.get`, `axios.create`, `new EventSource`,
    /// `io`, ...
    pub call: String,
    /// The path as written up to the first substitution (`/api/users/` for
    /// `` `/api/users/${id}` ``); empty for `io()`, which connects to the page's origin.
    pub path: String,
    /// True when `path` is the whole URL (a plain literal), false when more follows.
    pub whole: bool,
}

/// What a file must hold for [`relative_calls`] to find anything in it: a callee as a
/// whole word, with what must follow `fetch` (a call, `fetch<T>(...)`), `io(`/`io.`, or
/// `socket.io` for an `io` imported under another name. Names that only start like one
/// (`fetchUsers`, `radio(`) and `fetch` in a sentence of a comment do not count:
/// otherwise most files of a frontend are parsed for nothing. The code scan asks this of
/// every file of a frontend, so the words are found in one SIMD pass and each hit is
/// checked where it stands.
const CALLEE_WORDS: [&[u8]; 11] = [
    b"fetch",
    b"io(",
    b"io (",
    b"io.",
    b"$.",
    b"axios",
    b"baseURL",
    b"EventSource",
    b"WebSocket",
    b"jQuery",
    b"socket.io",
];

static CALLEES: std::sync::LazyLock<Search> =
    std::sync::LazyLock::new(|| Search::new(&CALLEE_WORDS));

/// Whether `source` may hold a call [`relative_calls`] finds (see [`CALLEE_WORDS`]).
pub(crate) fn mentioned(source: &[u8]) -> bool {
    let is_name = |b: u8| b.is_ascii_alphanumeric() || b == b'_' || b == b'$';
    CALLEES.any(source, |found| {
        let word = CALLEE_WORDS[found.pattern().as_usize()];
        let starts_word = found.start() == 0 || !is_name(source[found.start() - 1]);
        let rest = &source[found.end()..];
        match word {
            b"socket.io" => true,
            b"fetch" => {
                let next = rest.iter().copied().find(|b| !b.is_ascii_whitespace());
                starts_word && matches!(next, Some(b'(' | b'<'))
            }
            b"io(" | b"io (" | b"io." | b"$." => starts_word,
            _ => starts_word && rest.first().is_none_or(|&b| !is_name(b)),
        }
    })
}

/// axios's request methods (also those of an instance from `axios.create`).
const AXIOS_METHODS: &[&str] =
    &["get", "post", "put", "patch", "delete", "head", "options", "request", "postForm", "putForm"];

/// Every call of `source` to a relative URL, in source order.
pub(crate) fn relative_calls(source: &str, lang: Lang) -> Vec<RelativeCall> {
    if !mentioned(source.as_bytes()) {
        return Vec::new();
    }
    let Some(tree) = lang.parse(source) else { return Vec::new() };
    let bytes = source.as_bytes();
    let mut scan = Scan {
        source: bytes,
        strings: HashMap::new(),
        instances: HashSet::new(),
        sockets: HashSet::new(),
        found: Vec::new(),
    };
    scan.sockets.insert("io".to_owned());
    // First the names: string constants, axios instances without a base URL, and the
    // names socket.io-client's `io` is imported under.
    each_node(tree.root_node(), |node| scan.learn(node));
    each_node(tree.root_node(), |node| scan.check(node));
    scan.found.sort_by_key(|c| c.line);
    scan.found
}

struct Scan<'s> {
    source: &'s [u8],
    /// `const API = '/api'`: names bound once to a string.
    strings: HashMap<String, String>,
    /// Names of `axios.create(...)` results whose base URL is the page's origin.
    instances: HashSet<String>,
    /// Names that call socket.io-client's `io`.
    sockets: HashSet<String>,
    found: Vec<RelativeCall>,
}

impl Scan<'_> {
    fn text(&self, node: Node) -> String {
        lossy(text(node, self.source))
    }

    fn learn(&mut self, node: Node) {
        match node.kind() {
            "variable_declarator" => {
                let (Some(name), Some(value)) =
                    (node.child_by_field_name("name"), node.child_by_field_name("value"))
                else {
                    return;
                };
                let name = self.text(name);
                if let Some(value) = literal_value(value, self.source) {
                    self.strings.insert(name, lossy(value));
                } else if value.kind() == "call_expression"
                    && callee(value, self.source).as_deref() == Some("axios.create")
                    && first_argument(value)
                        .is_none_or(|options| property(options, "baseURL", self.source).is_none())
                {
                    self.instances.insert(name);
                }
            }
            "import_statement" => {
                let from =
                    node.child_by_field_name("source").and_then(|s| literal_value(s, self.source));
                if from != Some(b"socket.io-client".as_slice()) {
                    return;
                }
                // `import io from`, `import { io as connect } from`, `import * as sio from`.
                let mut names = Vec::new();
                each_node(node, |n| {
                    if n.kind() == "identifier"
                        && n.parent().is_some_and(|p| p.kind() != "namespace_import")
                    {
                        names.push(lossy(text(n, self.source)));
                    }
                });
                self.sockets.extend(names);
            }
            _ => {}
        }
    }

    fn check(&mut self, node: Node) {
        match node.kind() {
            "call_expression" => self.check_call(node),
            "new_expression" => {
                let Some(constructor) = node.child_by_field_name("constructor") else { return };
                let name = name_of(constructor, self.source);
                if matches!(
                    name.as_str(),
                    "EventSource" | "WebSocket" | "window.EventSource" | "window.WebSocket"
                ) {
                    let url = node.child_by_field_name("arguments").and_then(|a| a.named_child(0));
                    self.record(&format!("new {name}"), url);
                }
            }
            "assignment_expression" => {
                let Some(left) = node.child_by_field_name("left") else { return };
                let target = name_of(left, self.source);
                if target == "axios.defaults.baseURL" || target.ends_with(".defaults.baseURL") {
                    self.record(&target, node.child_by_field_name("right"));
                }
            }
            _ => {}
        }
    }

    fn check_call(&mut self, node: Node) {
        let Some(name) = callee(node, self.source) else { return };
        let first = first_argument(node);
        let (object, method) = match name.rsplit_once('.') {
            Some((object, method)) => (object, method),
            None => ("", name.as_str()),
        };
        match (object, method) {
            ("" | "window" | "self" | "globalThis", "fetch") => self.record(&name, first),
            ("", "axios") | ("axios", "request") => match first.filter(|a| a.kind() == "object") {
                Some(options) => self.record(&name, property(options, "url", self.source)),
                None => self.record(&name, first),
            },
            ("axios", "create") => {
                let base = first.and_then(|o| property(o, "baseURL", self.source));
                if base.is_some() {
                    self.record("axios.create", base);
                }
            }
            ("axios", m) if AXIOS_METHODS.contains(&m) => self.record(&name, first),
            (instance, m) if self.instances.contains(instance) && AXIOS_METHODS.contains(&m) => {
                self.record(&name, first)
            }
            ("$" | "jQuery", "ajax") => {
                let url = match first.filter(|a| a.kind() == "object") {
                    Some(options) => property(options, "url", self.source),
                    None => first,
                };
                self.record(&name, url);
            }
            ("$" | "jQuery", "get" | "post" | "getJSON") => self.record(&name, first),
            _ if self.sockets.contains(&name)
                || (self.sockets.contains(object) && method == "connect") =>
            {
                // `io()` and `io({ path })` connect to the page's origin.
                match first.filter(|a| a.kind() != "object") {
                    Some(url) => self.record(&name, Some(url)),
                    None => self.found.push(RelativeCall {
                        line: line(node),
                        call: name,
                        path: String::new(),
                        whole: true,
                    }),
                }
            }
            _ => {}
        }
    }

    /// Records the call when `url` is a relative URL as far as it is written.
    fn record(&mut self, call: &str, url: Option<Node>) {
        let Some(url) = url else { return };
        let Some(path) = self.leading_text(url, 0) else { return };
        let whole = literal_value(url, self.source).is_some();
        // The URL's own line: a chain split over lines (`axios\n  .get('/x')`) starts above it.
        if is_relative(&path) {
            self.found.push(RelativeCall { line: line(url), call: call.to_owned(), path, whole });
        }
    }

    /// The text an expression's value starts with: a literal's, a template's up to its
    /// first substitution, the left side of `+`, a string constant's.
    fn leading_text(&self, node: Node, depth: usize) -> Option<String> {
        if depth > 4 {
            return None;
        }
        match node.kind() {
            "string" => literal_value(node, self.source).map(lossy),
            "template_string" => {
                let mut cursor = node.walk();
                let first = node.named_children(&mut cursor).next();
                match first {
                    None => Some(String::new()),
                    Some(f) if f.kind() == "string_fragment" => Some(self.text(f)),
                    Some(f) if f.kind() == "template_substitution" => {
                        let inner = f.named_child(0)?;
                        let head = self.leading_text(inner, depth + 1)?;
                        // Only a whole known string can stand for the substitution.
                        (inner.kind() == "identifier").then_some(head)
                    }
                    _ => None,
                }
            }
            "binary_expression" => {
                let left = node.child_by_field_name("left")?;
                self.leading_text(left, depth + 1)
            }
            "identifier" => self.strings.get(&self.text(node)).cloned(),
            // `'/api' as string`, `url!`, `(url)`.
            "parenthesized_expression"
            | "as_expression"
            | "satisfies_expression"
            | "non_null_expression" => self.leading_text(node.named_child(0)?, depth + 1),
            _ => None,
        }
    }
}

/// Files above this size are bundles, not code someone wrote (as for the code scan).
const MAX_SOURCE: u64 = 2 * 1024 * 1024;

/// Extensions of the files a page fetches from its own site (data, images, fonts...).
const ASSET_EXTENSIONS: &[&str] = &[
    "json",
    "png",
    "jpg",
    "jpeg",
    "gif",
    "svg",
    "ico",
    "webp",
    "avif",
    "css",
    "js",
    "mjs",
    "html",
    "htm",
    "txt",
    "md",
    "csv",
    "tsv",
    "xml",
    "woff",
    "woff2",
    "ttf",
    "otf",
    "mp3",
    "mp4",
    "webm",
    "wav",
    "ogg",
    "pdf",
    "wasm",
    "glb",
    "gltf",
    "yaml",
    "yml",
    "map",
    "geojson",
    "webmanifest",
];

/// The calls to its own origin of the frontend in `app` (which must have one), and its
/// dev server's proxy. `apps` are all the apps, so code of an app nested in its folder
/// is left to that app.
/// Only the files of `named` (in path order: the code scan's files that name a callee,
/// see [`mentioned`]) are read.
pub(crate) fn own_origin(
    source: &Source,
    apps: &[App],
    app: &App,
    named: &[String],
) -> (Vec<(String, RelativeCall)>, Option<DevProxy>) {
    let read = |name: &str| -> Option<String> {
        let entry = source.entry(&app.path_of(name)).filter(|e| e.kind.is_regular())?;
        String::from_utf8(source.read(&entry.path).ok()?).ok()
    };
    let proxy = dev_proxy(&read);
    let Some(frontend) = &app.frontend else { return (Vec::new(), proxy) };
    let paths = sources(source, apps, app, frontend);
    let paths: Vec<&str> = paths
        .iter()
        .map(String::as_str)
        .filter(|p| named.binary_search_by(|n| n.as_str().cmp(p)).is_ok())
        .collect();
    // On every core, as the code scan: a frontend may have thousands of files. The code
    // scan read the same blobs without failing, so a read error here finds no calls.
    let found = source
        .read_many(&paths, |index, bytes| {
            // Most files name no callee: they are searched, never decoded or parsed.
            if !mentioned(bytes) {
                return None;
            }
            let found = calls_in(paths[index], &String::from_utf8_lossy(bytes));
            (!found.is_empty()).then_some((index, found))
        })
        .unwrap_or_default();
    let own_file = |p: &str| is_own_file(source, app, frontend, proxy.as_ref(), p);
    let mut calls = Vec::new();
    for (index, found) in found {
        let path = paths[index];
        calls
            .extend(found.into_iter().filter(|c| !own_file(&c.path)).map(|c| (path.to_owned(), c)));
    }
    (calls, proxy)
}

/// The calls of the source or component file at `path` to its own origin.
fn calls_in(path: &str, text: &str) -> Vec<RelativeCall> {
    match (Lang::of_path(path), Component::of_path(path)) {
        (Some(lang), _) => relative_calls(text, lang),
        (None, Some(component)) => script_blocks(component, text)
            .iter()
            .flat_map(|block| {
                let shift = line_of(text, block.start) - 1;
                relative_calls(&text[block.start..block.end], block.lang)
                    .into_iter()
                    .map(move |c| RelativeCall { line: c.line + shift, ..c })
            })
            .collect(),
        (None, None) => Vec::new(),
    }
}

/// The app's own code files the page runs: JS/TS and components, not tests or tooling,
/// not its build output, node_modules, vendored or minified code, nor another app's.
fn sources(source: &Source, apps: &[App], app: &App, frontend: &Frontend) -> Vec<String> {
    let prefix = if app.dir.is_empty() { String::new() } else { format!("{}/", app.dir) };
    // A bundler's output is rebuilt from the sources; a static site's folder is its source.
    let bundled = !matches!(frontend.kind, FrontendKind::Static { .. });
    let output = format!("{}/", join(&app.dir, &frontend.public_dir));
    let is_output =
        |path: &str| bundled && !frontend.public_dir.is_empty() && path.starts_with(&output);
    source
        .entries()
        .iter()
        .filter(|e| e.kind.is_regular() && e.path.starts_with(&prefix))
        .filter(|e| e.size.is_none_or(|s| s <= MAX_SOURCE))
        .filter(|e| Lang::of_path(&e.path).is_some() || Component::of_path(&e.path).is_some())
        .filter(|e| !in_node_modules(&e.path) && !is_not_app_code(&e.path))
        .filter(|e| !is_output(&e.path))
        .filter(|e| owner(apps, &e.path).as_deref() == Some(app.dir.as_str()))
        .filter(|e| is_runtime_path(app, &[], &e.path))
        // The dev server's own proxy setup, and bundler configs, never run in the page.
        .filter(|e| {
            let name = e.path.rsplit('/').next().unwrap_or(&e.path);
            !name.starts_with("setupProxy.") && !name.contains(".config.")
        })
        .map(|e| e.path.clone())
        .collect()
}

/// True when `url` (relative) is one of the site's own files: it exists in the site's
/// public folder, or has a file extension (`/data.json`, `/logo.png`) and no dev proxy
/// forwarded its path.
fn is_own_file(
    source: &Source,
    app: &App,
    frontend: &Frontend,
    proxy: Option<&DevProxy>,
    url: &str,
) -> bool {
    let path = url.split(['?', '#']).next().unwrap_or(url);
    let path = path.trim_start_matches("./").trim_start_matches('/');
    let folders = ["public", "static", frontend.public_dir.as_str()];
    let in_folder = |folder: &str| {
        let base =
            if folder.is_empty() || folder == "." { app.dir.clone() } else { app.path_of(folder) };
        source.entry(&join(&base, path)).is_some()
    };
    if !path.is_empty() && folders.iter().any(|f| in_folder(f)) {
        return true;
    }
    let proxied = proxy.is_some_and(|p| {
        p.prefixes
            .iter()
            .any(|prefix| url.starts_with(prefix.trim_start_matches('^').trim_end_matches('*')))
    });
    let name = path.rsplit('/').next().unwrap_or(path);
    let extension = name.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase());
    !proxied && extension.is_some_and(|e| ASSET_EXTENSIONS.contains(&e.as_str()))
}

/// True for a URL that names no host: `/api/x`, `api/x`, `./x`. Not `//host/x`, a
/// scheme (`https:`, `ws:`, `data:`), a fragment or an empty string.
pub(crate) fn is_relative(url: &str) -> bool {
    if url.is_empty() || url.starts_with("//") || url.starts_with('#') || url.starts_with('?') {
        return false;
    }
    let scheme = url.split_once(':').map(|(s, _)| s);
    let has_scheme = scheme.is_some_and(|s| {
        let mut chars = s.chars();
        chars.next().is_some_and(|c| c.is_ascii_alphabetic())
            && chars.all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
    });
    // `${...}` at the start would have been cut; whitespace means prose, not a URL.
    !has_scheme && !url.starts_with(char::is_whitespace)
}

/// The callee of a call (`axios.get`, `fetch`), when it is a name or a chain of names,
/// without the whitespace of a chain split over lines (`axios\n  .get(...)`).
fn callee(node: Node, source: &[u8]) -> Option<String> {
    let function = node.child_by_field_name("function")?;
    // TypeScript's grammar reads `await fetch<T>(url)` as a call of `await fetch`.
    let function = match function.kind() {
        "await_expression" => function.named_child(0)?,
        _ => function,
    };
    matches!(function.kind(), "identifier" | "member_expression").then(|| name_of(function, source))
}

/// A name or chain of names as one word.
fn name_of(node: Node, source: &[u8]) -> String {
    lossy(text(node, source)).chars().filter(|c| !c.is_whitespace()).collect()
}

fn first_argument(node: Node) -> Option<Node> {
    node.child_by_field_name("arguments")?.named_child(0)
}

/// The value of property `key` of an object literal.
fn property<'t>(object: Node<'t>, key: &str, source: &[u8]) -> Option<Node<'t>> {
    if object.kind() != "object" {
        return None;
    }
    let mut cursor = object.walk();
    object.named_children(&mut cursor).find_map(|pair| {
        let name = pair.child_by_field_name("key")?;
        let name = literal_value(name, source).unwrap_or_else(|| text(name, source));
        (pair.kind() == "pair" && name == key.as_bytes())
            .then(|| pair.child_by_field_name("value"))?
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn calls(source: &str) -> Vec<(usize, String, String)> {
        relative_calls(source, Lang::JavaScript)
            .into_iter()
            .map(|c| (c.line, c.call, c.path))
            .collect()
    }

    #[test]
    fn whole_urls_are_told_from_beginnings() {
        let source =
            "const B = '/base';\nfetch('/a'); fetch(`/b/${id}`); fetch(B + '/c'); fetch(`/d`);";
        let found = relative_calls(source, Lang::JavaScript);
        let whole: Vec<(&str, bool)> = found.iter().map(|c| (c.path.as_str(), c.whole)).collect();
        assert_eq!(whole, [("/a", true), ("/b/", false), ("/base", false), ("/d", true)]);
    }

    fn one(line: usize, call: &str, path: &str) -> (usize, String, String) {
        (line, call.to_owned(), path.to_owned())
    }

    #[test]
    fn fetch_and_axios_in_every_spelling() {
        let source = "fetch('/api/items');\n\
                      window.fetch(`/api/items/${id}`, { method: 'DELETE' });\n\
                      axios.get(\"api/cookies/\");\n\
                      axios.post('/api/login', body);\n\
                      axios({ method: 'put', url: '/api/profile' });\n\
                      axios('/api/ping');\n\
                      const API = '/api/v1';\n\
                      fetch(API + '/notes');\n\
                      fetch(`${API}/notes/${id}`);\n\
                      await axios.request({ url: `/api/x` });\n";
        assert_eq!(
            calls(source),
            [
                one(1, "fetch", "/api/items"),
                one(2, "window.fetch", "/api/items/"),
                one(3, "axios.get", "api/cookies/"),
                one(4, "axios.post", "/api/login"),
                one(5, "axios", "/api/profile"),
                one(6, "axios", "/api/ping"),
                one(8, "fetch", "/api/v1"),
                one(9, "fetch", "/api/v1"),
                one(10, "axios.request", "/api/x"),
            ]
        );
    }

    #[test]
    fn base_urls_instances_streams_and_sockets() {
        let source = "import axios from 'axios';\n\
                      import socketIOClient from 'socket.io-client';\n\
                      export const api = axios.create({ baseURL: '/api' });\n\
                      const raw = axios.create({ timeout: 5000 });\n\
                      raw.get('/health');\n\
                      api.get('/users');\n\
                      axios.defaults.baseURL = '/api';\n\
                      const events = new EventSource('/events');\n\
                      const socket = socketIOClient();\n\
                      const other = io({ path: '/ws' });\n\
                      const ws = new WebSocket('/live');\n\
                      $.getJSON('/api/stats');\n\
                      axios\n  .delete(`/api/items/${id}`)\n  .then(done);\n";
        assert_eq!(
            calls(source),
            [
                one(3, "axios.create", "/api"),
                one(5, "raw.get", "/health"),
                one(7, "axios.defaults.baseURL", "/api"),
                one(8, "new EventSource", "/events"),
                one(9, "socketIOClient", ""),
                one(10, "io", ""),
                one(11, "new WebSocket", "/live"),
                one(12, "$.getJSON", "/api/stats"),
                one(14, "axios.delete", "/api/items/"),
            ]
        );
    }

    /// The prefilter lets through every spelling of a call and keeps out names that only
    /// start like one, and the word in prose.
    #[test]
    fn files_are_parsed_only_when_a_callee_is_named() {
        for text in [
            "fetch('/api/x')",
            "await window.fetch ('/api/x')",
            "const r = await fetch<User[]>(`/api/users`)",
            "fetch(\n  '/api/x')",
            "import axios from 'axios'",
            "const api = create({ baseURL: '/api' })",
            "new EventSource('/events')",
            "new WebSocket(url)",
            "const socket = io();",
            "io.connect('/chat')",
            "import connect from 'socket.io-client'",
            "$.getJSON('/api/x')",
            "jQuery.ajax({ url: '/api/x' })",
            "const s = require('socket.io-client').connect()",
            "fetch\t('/x')",
            "x = socket.io(); y = window.io('/chat')",
            "$.get('/x')",
        ] {
            assert!(mentioned(text.as_bytes()), "{text}");
        }
        for text in [
            "const fetchClient = 3; fetchUsers(); prefetch();",
            "// fetch the rows, then fetch.",
            "const ratio = radio(audio(1)); studio.x = portfolio(2);",
            "const total = `${a}.${b}`; a$.b = 1;",
            "axiosish(); baseURLs; MyWebSocketPool; jQueryUI",
            "const fetched = prefetch; refetch(1); fetch",
            "portfolio.x(); radio (1); scenario.io",
        ] {
            assert!(!mentioned(text.as_bytes()), "{text}");
        }
    }

    #[test]
    fn absolute_urls_variables_and_other_calls_are_not_relative_calls() {
        let source = "fetch('https://api.example.com/x');\n\
                      fetch(`${process.env.REACT_APP_API_URL}/x`);\n\
                      fetch(process.env.PUBLIC_URL + '/manifest.json');\n\
                      axios.get(url);\n\
                      axios.get(`${base}/x`);\n\
                      const api = axios.create({ baseURL: import.meta.env.VITE_API_URL });\n\
                      api.get('/users');\n\
                      io('https://chat.example.com');\n\
                      io(SOCKET_URL);\n\
                      new EventSource('//events.example.com/s');\n\
                      history.push('/about');\n\
                      navigate('/login');\n\
                      router.get('/api/x');\n\
                      const a = { fetch: '/x' };\n";
        assert_eq!(calls(source), []);
    }

    #[test]
    fn broken_code_finds_what_it_can_and_never_panics() {
        for source in [
            "fetch(",
            "fetch('/api",
            "axios.create(",
            "axios.create({ baseURL: ",
            "new EventSource(",
            "io(",
            "const api = axios.create(); api.get(",
            "fetch(`${`",
            "$.ajax({ url: })",
            "\u{feff}fetch('/é/ü')",
        ] {
            for lang in [Lang::JavaScript, Lang::TypeScript, Lang::Tsx] {
                let _ = relative_calls(source, lang);
            }
        }
        assert_eq!(calls("}}}\nfetch('/api/x');\n{{{"), [one(2, "fetch", "/api/x")]);
    }

    #[test]
    fn relative_urls() {
        for url in ["/api", "api/x", "./x", "../x", "/"] {
            assert!(is_relative(url), "{url}");
        }
        for url in
            ["", "https://x", "ws://x", "//x/y", "data:text/plain,x", "#top", "?q=1", "mailto:a@b"]
        {
            assert!(!is_relative(url), "{url}");
        }
    }

    #[test]
    fn typescript_and_tsx() {
        let source = "const r = await fetch<Item[]>('/api/items' as string);\n\
                      export const C = () => <button onClick={() => axios.delete(`/api/items/${id}`)} />;\n";
        let found = relative_calls(source, Lang::Tsx);
        assert_eq!(found.iter().map(|c| c.line).collect::<Vec<_>>(), [1, 2]);
        let found = relative_calls(
            "const r = await fetch<Item[]>('/api/items' as string);\n",
            Lang::TypeScript,
        );
        assert_eq!(found.iter().map(|c| c.path.as_str()).collect::<Vec<_>>(), ["/api/items"]);
    }
}
