//! Reads of the environment that do not spell `process.env.X` where they read: through an
//! alias (`const env = process.env; env.X`, `const { env } = process`), a constant key
//! (`const NAME = "X"; process.env[NAME]`), a getter (`get(process.env, "X")`), a schema
//! checked against the environment (envalid's `cleanEnv(process.env, { X: str() })`, zod's
//! `z.object({ X: ... }).parse(process.env)`, Joi's `schema.validate(process.env)`), and
//! Vite's `import.meta.env.X`.
//!
//! These need names bound elsewhere in the file, so this is a second pass over the whole
//! tree, run only on the few files whose bytes show such a use ([`needed`]).

use std::collections::{HashMap, HashSet};

use gix::bstr::ByteSlice;
use tree_sitter::Node;

use super::EnvUse;
use super::ast::{self, lossy};
use super::collect::{Access, access};
use super::fallback;

/// Whether the file may hold an indirect read: `process.env` used as a value (not
/// followed by `.X` or a literal `["X"]`), `{ ... } = process`, the `process` module
/// imported or required, or `import.meta.env`.
/// A byte search, so that the second pass costs nothing on ordinary files.
pub fn needed(source: &[u8]) -> bool {
    let process_module = [b"'process'".as_ref(), b"\"process\"", b"node:process"];
    if source.find(b"import.meta.env").is_some()
        || source.find(b"$env/").is_some()
        || source.find(b"} = process").is_some()
        || source.find(b"}=process").is_some()
        || process_module.iter().any(|m| source.find(m).is_some())
    {
        return true;
    }
    source.find_iter(b"process.env").any(|at| {
        let rest = &source[at + b"process.env".len()..];
        let mut next = rest.iter().skip_while(|b| b.is_ascii_whitespace());
        match next.next() {
            Some(b'.') => false,
            Some(b'[') => !matches!(next.next(), Some(b'"' | b'\'' | b'`')),
            // `process.envFoo` is another name.
            Some(b) if b.is_ascii_alphanumeric() || *b == b'_' || *b == b'$' => false,
            _ => true,
        }
    })
}

/// What Vite itself puts in `import.meta.env`: no variable anyone sets.
const VITE_BUILT_INS: &[&[u8]] = &[b"MODE", b"BASE_URL", b"PROD", b"DEV", b"SSR"];

/// Reads and writes found through aliases, constant keys, getters and schemas, each with
/// the byte offset that orders it among the file's other uses.
#[derive(Default)]
pub struct Indirect {
    pub reads: Vec<(usize, EnvUse)>,
    pub writes: Vec<(usize, EnvUse)>,
}

/// What the first walk over the tree binds and where the candidates are.
struct Bindings<'t> {
    /// `const NAME = "X"`: identifier -> string.
    strings: HashMap<&'t [u8], &'t [u8]>,
    /// `const spec = { ... }` or `const schema = z.object({ ... })`: identifier -> value.
    values: HashMap<&'t [u8], Node<'t>>,
    /// Names that stand for `process.env`.
    aliases: HashSet<&'t [u8]>,
    candidates: Vec<Node<'t>>,
    /// Variables imported by name (SvelteKit's `$env/static/*`): reads in themselves.
    imported: Vec<(usize, EnvUse)>,
}

/// The indirect reads and writes of the tree under `root`: one walk binds names (aliases,
/// string constants, schema objects), then the candidate nodes are resolved against them,
/// so a use may come before its binding (hoisted functions, module order).
pub fn scan<'t>(root: Node<'t>, source: &'t [u8]) -> Indirect {
    let mut b = Bindings {
        strings: HashMap::new(),
        values: HashMap::new(),
        aliases: HashSet::new(),
        candidates: Vec::new(),
        imported: Vec::new(),
    };
    let mut cursor = root.walk();
    // A loop over a cursor, not recursion: a file can nest 50,000 deep.
    loop {
        let node = cursor.node();
        b.visit(node, source);
        if cursor.goto_first_child() {
            continue;
        }
        while !cursor.goto_next_sibling() {
            if !cursor.goto_parent() {
                let mut out =
                    Indirect { reads: std::mem::take(&mut b.imported), writes: Vec::new() };
                for node in std::mem::take(&mut b.candidates) {
                    b.resolve(node, source, &mut out);
                }
                return out;
            }
        }
    }
}

impl<'t> Bindings<'t> {
    fn visit(&mut self, node: Node<'t>, source: &'t [u8]) {
        match node.kind() {
            "variable_declarator" | "assignment_expression" => {
                let (target, value) = if node.kind() == "variable_declarator" {
                    ("name", "value")
                } else {
                    ("left", "right")
                };
                let (Some(target), Some(value)) =
                    (ast::field(node, target), ast::field(node, value))
                else {
                    return;
                };
                self.bind(target, value, source);
                if target.kind() == "object_pattern" {
                    self.candidates.push(node);
                }
            }
            "member_expression" | "subscript_expression" | "call_expression" => {
                self.candidates.push(node);
            }
            // `import { env } from "node:process"`, `import { env as e } from "process"`,
            // SvelteKit's `import { env } from "$env/dynamic/private"` and
            // `import { API_KEY } from "$env/static/private"`.
            "import_statement" => {
                let from = node.child_by_field_name("source");
                match from.and_then(|f| ast::literal_value(f, source)) {
                    Some(m) if is_process_module(m) || m.starts_with(b"$env/dynamic/") => {
                        self.import_env(node, source);
                    }
                    Some(b"$env/static/public" | b"$env/static/private") => {
                        self.static_imports(node, source);
                    }
                    _ => {}
                }
            }
            _ => {}
        }
    }

    fn bind(&mut self, target: Node<'t>, value: Node<'t>, source: &'t [u8]) {
        match target.kind() {
            "identifier" => {
                let name = ast::text(target, source);
                if is_process_env(value, source) {
                    self.aliases.insert(name);
                } else if let Some(text) = ast::literal_value(value, source) {
                    self.strings.insert(name, text);
                } else if matches!(value.kind(), "object" | "call_expression") {
                    self.values.insert(name, value);
                }
            }
            // `const { env } = process`, `const { env: e } = process`
            "object_pattern"
                if is_identifier(value, source, b"process")
                    || is_process_module_require(value, source) =>
            {
                let mut cursor = target.walk();
                for entry in target.named_children(&mut cursor) {
                    let alias = match entry.kind() {
                        "shorthand_property_identifier_pattern"
                            if ast::text(entry, source) == b"env" =>
                        {
                            Some(entry)
                        }
                        "pair_pattern" => {
                            let key = entry.child_by_field_name("key");
                            let value = entry.child_by_field_name("value");
                            let is_env =
                                key.and_then(|k| ast::key_name(k, source)) == Some(b"env".as_ref());
                            value.filter(|v| is_env && v.kind() == "identifier")
                        }
                        _ => None,
                    };
                    if let Some(alias) = alias {
                        self.aliases.insert(ast::text(alias, source));
                    }
                }
            }
            _ => {}
        }
    }

    /// SvelteKit's `$env/static/*` modules export each variable by name, and the build
    /// writes its value into the code: each imported name is a read the build needs.
    fn static_imports(&mut self, statement: Node<'t>, source: &'t [u8]) {
        let mut stack = vec![statement];
        while let Some(node) = stack.pop() {
            if node.kind() == "import_specifier" {
                if let Some(name) = node.child_by_field_name("name") {
                    let found = EnvUse {
                        inlined: true,
                        ..EnvUse::new(lossy(ast::text(name, source)), ast::line(name))
                    };
                    self.imported.push((name.start_byte(), found));
                }
                continue;
            }
            let mut cursor = node.walk();
            stack.extend(node.named_children(&mut cursor));
        }
    }

    /// Adds the local name of `env` in an import from the `process` module.
    fn import_env(&mut self, statement: Node<'t>, source: &'t [u8]) {
        let mut stack = vec![statement];
        while let Some(node) = stack.pop() {
            if node.kind() == "import_specifier" {
                let name = node.child_by_field_name("name").map(|n| ast::text(n, source));
                let alias = node.child_by_field_name("alias").map(|n| ast::text(n, source));
                if name == Some(b"env".as_ref()) {
                    self.aliases.insert(alias.unwrap_or(b"env"));
                }
                continue;
            }
            let mut cursor = node.walk();
            stack.extend(node.named_children(&mut cursor));
        }
    }

    /// `node` stands for the environment: `process.env`, an alias of it, or
    /// `import.meta.env`.
    fn is_env(&self, node: Node<'_>, source: &[u8]) -> bool {
        is_process_env(node, source)
            || is_import_meta_env(node, source)
            || (node.kind() == "identifier" && self.aliases.contains(ast::text(node, source)))
    }

    /// `node` is the environment itself, but not `process.env`, whose direct uses the
    /// main walk reads already.
    fn is_other_env(&self, node: Node<'_>, source: &[u8]) -> bool {
        self.is_env(node, source) && !is_process_env(node, source)
    }

    fn resolve(&self, node: Node<'t>, source: &'t [u8], out: &mut Indirect) {
        match node.kind() {
            "member_expression" => {
                let object = ast::field(node, "object");
                let property = ast::field(node, "property");
                if let (Some(object), Some(property)) = (object, property)
                    && property.kind() == "property_identifier"
                    && self.is_other_env(object, source)
                    && !(is_import_meta_env(object, source)
                        && VITE_BUILT_INS.contains(&ast::text(property, source)))
                {
                    env_use(out, node, property, ast::text(property, source), source);
                }
            }
            "subscript_expression" => {
                let object = node.child_by_field_name("object");
                let index = node.child_by_field_name("index");
                let (Some(object), Some(index)) = (object, index) else { return };
                if !self.is_env(object, source) {
                    return;
                }
                if let Some(name) = ast::literal_value(index, source) {
                    // Literal keys of `process.env` are the main walk's.
                    if !is_process_env(object, source) {
                        env_use(out, node, index, name, source);
                    }
                } else if index.kind() == "identifier"
                    && let Some(name) = self.strings.get(ast::text(index, source))
                {
                    env_use(out, node, index, name, source);
                }
            }
            "call_expression" => self.call(node, source, out),
            "variable_declarator" | "assignment_expression" => {
                let (target, value) = if node.kind() == "variable_declarator" {
                    ("name", "value")
                } else {
                    ("left", "right")
                };
                if let (Some(pattern), Some(value)) =
                    (ast::field(node, target), ast::field(node, value))
                    && self.is_other_env(value, source)
                {
                    pattern_keys(pattern, source, &mut out.reads);
                }
            }
            _ => {}
        }
    }

    /// `get(env, "X")`, `cleanEnv(env, { X: str() })`, `schema.parse(env)`.
    fn call(&self, call: Node<'t>, source: &'t [u8], out: &mut Indirect) {
        let Some(arguments) = call.child_by_field_name("arguments") else { return };
        let mut cursor = arguments.walk();
        let args: Vec<Node<'t>> =
            arguments.named_children(&mut cursor).filter(|c| c.kind() != "comment").collect();
        let Some(first) = args.first() else { return };
        if !self.is_env(*first, source) {
            return;
        }
        if let Some(second) = args.get(1) {
            // `Object.assign(process.env, {...})` and the like write, not read.
            let function = call.child_by_field_name("function").map(|f| ast::text(f, source));
            let last = function.and_then(|f| f.rsplit(|&b| b == b'.').next()).unwrap_or_default();
            if matches!(
                last,
                b"assign"
                    | b"merge"
                    | b"defaults"
                    | b"extend"
                    | b"defineProperty"
                    | b"defineProperties"
                    | b"set"
            ) {
                return;
            }
            if let Some(name) = ast::literal_value(*second, source) {
                // lodash's `get(process.env, "X", "d")`: the third argument is the default.
                let fallback = args.get(2).map(|d| fallback::of_expression(*d, source));
                let found = EnvUse { fallback, ..EnvUse::new(lossy(name), ast::line(*second)) };
                out.reads.push((second.start_byte(), found));
            } else if let Some(object) = self.schema_object(*second, source, 0) {
                object_keys(object, source, &mut out.reads);
            }
            return;
        }
        // `schema.parse(process.env)`: the keys of the schema's object.
        let function = call.child_by_field_name("function");
        if let Some(function) = function.filter(|f| f.kind() == "member_expression")
            && let Some(method) = ast::field(function, "property")
            && matches!(
                ast::text(method, source),
                b"parse" | b"safeParse" | b"parseAsync" | b"safeParseAsync" | b"validate"
            )
            && let Some(schema) = ast::field(function, "object")
            && let Some(object) = self.schema_object(schema, source, 0)
        {
            object_keys(object, source, &mut out.reads);
        }
    }

    /// The object literal that lists a schema's keys: `{ ... }` itself, `z.object({ ... })`,
    /// `Joi.object().keys({ ... })`, a chain on those (`.strict()`), or a name bound to one.
    fn schema_object(&self, node: Node<'t>, source: &'t [u8], depth: usize) -> Option<Node<'t>> {
        if depth > 8 {
            return None;
        }
        match node.kind() {
            "object" => Some(node),
            "identifier" => {
                let value = self.values.get(ast::text(node, source))?;
                self.schema_object(*value, source, depth + 1)
            }
            "call_expression" => {
                let function = node.child_by_field_name("function")?;
                let arguments = node.child_by_field_name("arguments")?;
                let mut cursor = arguments.walk();
                let first = arguments.named_children(&mut cursor).find(|c| c.kind() == "object");
                let method = (function.kind() == "member_expression")
                    .then(|| ast::field(function, "property"))
                    .flatten()
                    .map(|p| ast::text(p, source));
                match (method, first) {
                    (Some(b"object" | b"strictObject" | b"keys" | b"extend"), Some(object)) => {
                        Some(object)
                    }
                    (Some(_), _) => {
                        self.schema_object(ast::field(function, "object")?, source, depth + 1)
                    }
                    _ => None,
                }
            }
            _ => None,
        }
    }
}

fn env_use(
    out: &mut Indirect,
    expression: Node<'_>,
    name_node: Node<'_>,
    name: &[u8],
    source: &[u8],
) {
    let found = (name_node.start_byte(), EnvUse::new(lossy(name), ast::line(name_node)));
    match access(expression) {
        Access::Read => {
            let fallback = fallback::of_read(expression, source);
            // Vite (and Astro, SvelteKit) replace `import.meta.env.PUBLIC_X` with its value
            // when they build: the variable must be set before the build runs.
            let inlined = ast::field(expression, "object")
                .is_some_and(|o| is_import_meta_env(o, source))
                && name.starts_with(b"PUBLIC_");
            out.reads.push((found.0, EnvUse { fallback, inlined, ..found.1 }));
        }
        Access::Write => out.writes.push(found),
        Access::ReadWrite => {
            out.reads.push(found.clone());
            out.writes.push(found);
        }
        Access::Method => {}
    }
}

/// The keys of an object literal: each names a variable the schema reads.
fn object_keys(object: Node<'_>, source: &[u8], reads: &mut Vec<(usize, EnvUse)>) {
    let mut cursor = object.walk();
    for entry in object.named_children(&mut cursor) {
        let key = match entry.kind() {
            "pair" => entry.child_by_field_name("key"),
            "shorthand_property_identifier" => Some(entry),
            "method_definition" => entry.child_by_field_name("name"),
            _ => None,
        };
        if let Some(key) = key
            && let Some(name) = ast::key_name(key, source)
        {
            let value = (entry.kind() == "pair").then(|| entry.child_by_field_name("value"));
            let fallback = value.flatten().and_then(|v| fallback::of_schema_value(v, source));
            let found = EnvUse { fallback, ..EnvUse::new(lossy(name), ast::line(key)) };
            reads.push((key.start_byte(), found));
        }
    }
}

/// The keys of `{ A, B: b, C = "d" }` destructured from an alias.
fn pattern_keys(pattern: Node<'_>, source: &[u8], reads: &mut Vec<(usize, EnvUse)>) {
    for (key, name) in ast::destructured_keys(pattern, source) {
        let fallback = fallback::of_pattern_key(key, source);
        let found = EnvUse { fallback, ..EnvUse::new(lossy(name), ast::line(key)) };
        reads.push((key.start_byte(), found));
    }
}

/// `process` and `node:process`, the module that exports `env`.
fn is_process_module(specifier: &[u8]) -> bool {
    matches!(specifier, b"process" | b"node:process")
}

/// `require("process")` or `require("node:process")`.
fn is_process_module_require(node: Node<'_>, source: &[u8]) -> bool {
    node.kind() == "call_expression"
        && node.child_by_field_name("function").is_some_and(|f| ast::text(f, source) == b"require")
        && ast::first_string_argument(node, source).is_some_and(is_process_module)
}

fn is_identifier(node: Node<'_>, source: &[u8], name: &[u8]) -> bool {
    node.kind() == "identifier" && ast::text(node, source) == name
}

/// `process.env` or `process["env"]`.
fn is_process_env(node: Node<'_>, source: &[u8]) -> bool {
    let (object, key) = match node.kind() {
        "member_expression" => {
            let property = ast::field(node, "property");
            (ast::field(node, "object"), property.map(|p| ast::text(p, source)))
        }
        "subscript_expression" => {
            let index = node.child_by_field_name("index");
            (node.child_by_field_name("object"), index.and_then(|i| ast::literal_value(i, source)))
        }
        _ => return false,
    };
    key == Some(b"env".as_ref()) && object.is_some_and(|o| is_identifier(o, source, b"process"))
}

/// `import.meta.env`.
fn is_import_meta_env(node: Node<'_>, source: &[u8]) -> bool {
    node.kind() == "member_expression"
        && ast::field(node, "property").is_some_and(|p| ast::text(p, source) == b"env")
        && ast::field(node, "object").is_some_and(|o| ast::text(o, source) == b"import.meta")
}
