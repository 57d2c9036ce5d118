//! Calls that start other code from a file: `child_process` (`fork`, `spawn`, `exec`,
//! `execFile` and their `Sync` forms), `execa`, `cross-spawn`, `new Worker(...)` from
//! `worker_threads`, and `cluster.setupPrimary({ exec })` (`setupMaster` before Node 16).
//! A Capsule narrowed to the code its command runs must also get what that code starts.

use tree_sitter::Node;

use super::ast::{each_node, field, line, literal_value, lossy, text};
use crate::lang::Lang;

/// The npm and built-in modules whose calls start other code. A file that loads none of
/// them starts nothing, and is not parsed again.
pub const SPAWN_MODULES: &[&str] =
    &["child_process", "worker_threads", "cluster", "execa", "cross-spawn"];

/// A path or word as far as it can be read without running the code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value {
    /// A literal word, or a path relative to the process's folder (`'./jobs/x.js'`,
    /// `path.join(process.cwd(), 'x.js')`).
    Cwd(String),
    /// A path relative to the calling file's folder (`path.join(__dirname, 'x.js')`,
    /// `` `${__dirname}/x.js` ``, `require.resolve('./x')`,
    /// `new URL('./x.js', import.meta.url)`).
    File(String),
}

/// What one call starts; `None` parts are computed when the code runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Started {
    /// A JavaScript file run by Node: `fork(path)`, `new Worker(path)`,
    /// `cluster.setupPrimary({ exec: path })`, `execaNode(path)`.
    Module(Option<Value>),
    /// A program and its argument words: `spawn(program, [args])`, `execFile`, `execa`,
    /// `cross-spawn`.
    Program(Option<Vec<Value>>),
    /// A shell command line: `exec(line)`, `execSync(line)`, `execaCommand(line)`.
    Shell(Option<String>),
}

/// One call that starts code, with its 1-based line and the name it was called by.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Spawn {
    pub line: usize,
    pub call: String,
    pub started: Started,
    /// The `cwd` option of the call, the child's working folder (against which its path,
    /// program and shell line resolve): `None` without one, `Some(None)` when computed.
    pub cwd: Option<Option<Value>>,
}

/// The calls of `source` that start other code. Calls are known by their name (`fork`,
/// `spawn`, `cp.exec`, ...), so the caller asks only for files that load one of
/// [`SPAWN_MODULES`]; a same-named method of another object (`regex.exec(s)`) there is
/// read as computed, which only costs a narrower list.
pub fn spawns(lang: Lang, source: &[u8]) -> Vec<Spawn> {
    let Some(tree) = lang.parse(source) else { return Vec::new() };
    let mut out = Vec::new();
    // Local names of the spawning functions, with the name they stand for: the names a
    // file gives `execa` and `cross-spawn`, which export the function itself
    // (`const run = require('cross-spawn')`, `import run from 'execa'`), and renamed
    // imports (`const { fork: start } = require('child_process')`,
    // `import { Worker as Thread } from 'worker_threads'`).
    let mut functions: Vec<(Vec<u8>, String)> = Vec::new();
    each_node(tree.root_node(), |node| {
        let renamed = match node.kind() {
            "pair_pattern" => field(node, "key").zip(field(node, "value")),
            "import_specifier" => field(node, "name").zip(field(node, "alias")),
            _ => None,
        };
        if let Some((imported, local)) = renamed
            && local.kind() == "identifier"
            && NAMES.contains(&text(imported, source))
        {
            functions.push((text(local, source).to_vec(), lossy(text(imported, source))));
            return;
        }
        let (name, module) = match node.kind() {
            "variable_declarator" => (field(node, "name"), field(node, "value")),
            "import_statement" => {
                let clause = node.named_child(0).filter(|c| c.kind() == "import_clause");
                (clause.and_then(|c| c.named_child(0)), field(node, "source"))
            }
            _ => return,
        };
        if let (Some(name), Some(module)) = (name, module)
            && name.kind() == "identifier"
            && (is_function_module(module, source)
                || literal_value(module, source).is_some_and(|m| FUNCTION_MODULES.contains(&m)))
        {
            functions.push((text(name, source).to_vec(), "execa".into()));
        }
    });
    each_node(tree.root_node(), |node| {
        if let Some(spawn) = call(node, source, &functions) {
            out.push(spawn);
        }
    });
    out
}

/// The names of the calls and constructors that start code.
const NAMES: &[&[u8]] = &[
    b"fork",
    b"spawn",
    b"spawnSync",
    b"exec",
    b"execSync",
    b"execFile",
    b"execFileSync",
    b"execa",
    b"execaSync",
    b"execaNode",
    b"execaCommand",
    b"execaCommandSync",
    b"setupPrimary",
    b"setupMaster",
    b"Worker",
    b"$",
];

/// The modules whose default export is the function that spawns.
const FUNCTION_MODULES: &[&[u8]] = &[b"execa", b"cross-spawn"];

/// `require('execa')` or `require('cross-spawn')`.
fn is_function_module(node: Node<'_>, source: &[u8]) -> bool {
    node.kind() == "call_expression"
        && field(node, "function").is_some_and(|f| text(f, source) == b"require")
        && field(node, "arguments")
            .and_then(|a| a.named_child(0))
            .and_then(|a| literal_value(a, source))
            .is_some_and(|m| FUNCTION_MODULES.contains(&m))
}

fn call(node: Node<'_>, source: &[u8], functions: &[(Vec<u8>, String)]) -> Option<Spawn> {
    let (callee, is_new) = match node.kind() {
        "call_expression" => (field(node, "function")?, false),
        "new_expression" => (field(node, "constructor")?, true),
        _ => return None,
    };
    let name = match callee.kind() {
        "identifier"
            if let Some((_, name)) =
                functions.iter().find(|(local, _)| local == text(callee, source)) =>
        {
            name.clone()
        }
        "call_expression" if is_function_module(callee, source) => "execa".into(),
        "identifier" => lossy(text(callee, source)),
        "member_expression" => lossy(text(field(callee, "property")?, source)),
        _ => return None,
    };
    let args: Vec<Node<'_>> = field(node, "arguments")
        .map(|a| {
            let mut c = a.walk();
            a.named_children(&mut c).filter(|n| n.kind() != "comment").collect()
        })
        .unwrap_or_default();
    let first = args.first().copied();
    let started = match (name.as_str(), is_new) {
        ("Worker", true) => Started::Module(first.and_then(|a| value(a, source))),
        (_, true) => return None,
        ("fork" | "execaNode", _) => Started::Module(first.and_then(|a| value(a, source))),
        ("setupPrimary" | "setupMaster", _) => {
            // Without `exec`, the workers run the same file as the primary.
            let options = first.filter(|a| a.kind() == "object")?;
            let exec = property(options, "exec", source)?;
            Started::Module(value(exec, source))
        }
        // execa's `` $`node jobs/x.js` ``: a template of words, not a shell line.
        ("$", _) => {
            let template = field(node, "arguments").filter(|a| a.kind() == "template_string");
            let Some(template) = template else {
                // `$(options)` returns another `$`; `$.sync` is a member call.
                return None;
            };
            Started::Shell(literal_value(template, source).map(lossy))
        }
        ("exec" | "execSync" | "execaCommand" | "execaCommandSync", _) => {
            let line = first.and_then(|a| literal_value(a, source)).map(lossy);
            Started::Shell(line)
        }
        (
            "spawn" | "spawnSync" | "execFile" | "execFileSync" | "execa" | "execaSync"
            | "crossSpawn" | "sync",
            _,
        ) => {
            if name == "sync" && callee.kind() != "member_expression" {
                return None;
            }
            let mut words = first.and_then(|a| value(a, source)).map(|w| vec![w]);
            match args.get(1) {
                Some(list) if list.kind() == "array" => {
                    let mut c = list.walk();
                    for item in list.named_children(&mut c) {
                        let word = value(item, source);
                        words = words.zip(word).map(|(mut w, x)| {
                            w.push(x);
                            w
                        });
                    }
                }
                // The options object, or nothing.
                Some(other) if other.kind() == "object" => {}
                None => {}
                Some(_) => words = None,
            }
            Started::Program(words)
        }
        _ => return None,
    };
    // The options object: the last argument, when it is an object literal
    // (`fork(path, args, { cwd })`, `spawn(program, { cwd })`, `exec(line, { cwd })`).
    let cwd = args
        .last()
        .filter(|a| a.kind() == "object" && args.len() > 1)
        .and_then(|options| property(*options, "cwd", source))
        .map(|value_node| value(value_node, source));
    Some(Spawn { line: line(node), call: name, started, cwd })
}

/// The value of the property `key` of an object literal.
fn property<'t>(object: Node<'t>, key: &str, source: &[u8]) -> Option<Node<'t>> {
    let mut c = object.walk();
    object.named_children(&mut c).find_map(|pair| match pair.kind() {
        "pair" => {
            let k = field(pair, "key")?;
            let name = literal_value(k, source).unwrap_or_else(|| text(k, source));
            (name == key.as_bytes()).then(|| field(pair, "value")).flatten()
        }
        "shorthand_property_identifier" if text(pair, source) == key.as_bytes() => Some(pair),
        _ => None,
    })
}

/// A path or word read from `node`, when it is written without runtime values other
/// than `__dirname`, `process.cwd()`, `import.meta.url` and `process.execPath`.
fn value(node: Node<'_>, source: &[u8]) -> Option<Value> {
    if let Some(literal) = literal_value(node, source) {
        return Some(Value::Cwd(lossy(literal)));
    }
    match node.kind() {
        "parenthesized_expression" => value(node.named_child(0)?, source),
        "identifier" if text(node, source) == b"__dirname" => Some(Value::File(String::new())),
        "member_expression" if text(node, source) == b"process.execPath" => {
            Some(Value::Cwd("node".into()))
        }
        "call_expression" => {
            let function = text(field(node, "function")?, source);
            let args = field(node, "arguments")?;
            let mut c = args.walk();
            let args: Vec<Node<'_>> = args.named_children(&mut c).collect();
            match function {
                b"process.cwd" if args.is_empty() => Some(Value::Cwd(String::new())),
                b"require.resolve" => {
                    let name = lossy(literal_value(*args.first()?, source)?);
                    name.starts_with('.').then_some(Value::File(name))
                }
                b"path.join" | b"path.resolve" | b"join" | b"resolve" | b"path.posix.join" => {
                    let mut parts = args.iter().map(|a| value(*a, source));
                    let mut out = parts.next()??;
                    for part in parts {
                        match part? {
                            Value::Cwd(p) => out = append(out, &p),
                            // `path.resolve(x, __dirname)`: an absolute path wins.
                            absolute @ Value::File(_) => out = absolute,
                        }
                    }
                    Some(out)
                }
                _ => None,
            }
        }
        "new_expression" if text(field(node, "constructor")?, source) == b"URL" => {
            let args = field(node, "arguments")?;
            let mut c = args.walk();
            let args: Vec<Node<'_>> = args.named_children(&mut c).collect();
            let base = text(*args.get(1)?, source);
            let relative = lossy(literal_value(*args.first()?, source)?);
            (base == b"import.meta.url").then_some(Value::File(relative))
        }
        "binary_expression" if field(node, "operator").is_some_and(|o| text(o, source) == b"+") => {
            let left = value(field(node, "left")?, source)?;
            let Value::Cwd(right) = value(field(node, "right")?, source)? else { return None };
            Some(match left {
                Value::Cwd(l) => Value::Cwd(l + &right),
                Value::File(l) => Value::File(l + &right),
            })
        }
        "template_string" => {
            // `${__dirname}/x.js` or `${process.cwd()}/x.js`: one substitution, first.
            let mut c = node.walk();
            let parts: Vec<Node<'_>> = node.named_children(&mut c).collect();
            let (head, rest) = parts.split_first()?;
            if head.kind() != "template_substitution" || head.start_byte() != node.start_byte() + 1
            {
                return None;
            }
            let base = value(head.named_child(0)?, source)?;
            let mut tail = String::new();
            for part in rest {
                if part.kind() != "string_fragment" {
                    return None;
                }
                tail.push_str(&lossy(text(*part, source)));
            }
            let end = parts.last().map_or(0, |p| p.end_byte());
            if end + 1 != node.end_byte() && !rest.is_empty() {
                return None;
            }
            Some(match base {
                Value::Cwd(b) => Value::Cwd(b + &tail),
                Value::File(b) => Value::File(b + &tail),
            })
        }
        _ => None,
    }
}

/// The folder the literal start of a computed path names: `` `./commands/${file}` ``,
/// `'./commands/' + file`, `path.join(__dirname, '..', 'commands', file)`,
/// `` `${__dirname}/commands/${group}/${file}` ``. The part after the last `/` of the
/// literal start is the computed name; `None` when nothing literal comes first.
pub fn folder_of(node: Node<'_>, source: &[u8]) -> Option<Value> {
    match node.kind() {
        "parenthesized_expression" => folder_of(node.named_child(0)?, source),
        "template_string" => {
            let mut c = node.walk();
            let parts: Vec<Node<'_>> = node.named_children(&mut c).collect();
            let mut start = match parts.first() {
                Some(head)
                    if head.kind() == "template_substitution"
                        && head.start_byte() == node.start_byte() + 1 =>
                {
                    value(head.named_child(0)?, source)?
                }
                _ => Value::Cwd(String::new()),
            };
            let skip = usize::from(!matches!(start, Value::Cwd(ref s) if s.is_empty()));
            for part in parts.iter().skip(skip) {
                if part.kind() != "string_fragment" {
                    break;
                }
                let fragment = lossy(text(*part, source));
                start = match start {
                    Value::Cwd(s) => Value::Cwd(s + &fragment),
                    Value::File(s) => Value::File(s + &fragment),
                };
            }
            cut_at_slash(start)
        }
        "binary_expression" if field(node, "operator").is_some_and(|o| text(o, source) == b"+") => {
            let left = field(node, "left")?;
            let start = value(left, source).or_else(|| folder_of(left, source).map(with_slash))?;
            cut_at_slash(start)
        }
        "call_expression" => {
            let function = text(field(node, "function")?, source);
            if !matches!(function, b"path.join" | b"path.resolve" | b"join" | b"resolve") {
                return None;
            }
            let args = field(node, "arguments")?;
            let mut c = args.walk();
            let mut parts = args.named_children(&mut c).map(|a| value(a, source));
            let mut out = parts.next()??;
            // The literal parts up to the first computed one: the rest names the file.
            for part in parts {
                match part {
                    Some(Value::Cwd(p)) => out = append(out, &p),
                    Some(absolute @ Value::File(_)) => out = absolute,
                    None => return Some(out),
                }
            }
            None
        }
        _ => None,
    }
}

/// A folder given without its trailing `/`, for [`cut_at_slash`].
fn with_slash(folder: Value) -> Value {
    match folder {
        Value::Cwd(s) => Value::Cwd(s + "/"),
        Value::File(s) => Value::File(s + "/"),
    }
}

/// The folder part of a literal path start: up to its last `/`.
fn cut_at_slash(start: Value) -> Option<Value> {
    let cut = |s: String| -> Option<String> {
        let (folder, _) = s.rsplit_once('/')?;
        Some(folder.to_owned())
    };
    match start {
        Value::Cwd(s) => cut(s).map(Value::Cwd),
        Value::File(s) if s.is_empty() => Some(Value::File(s)),
        Value::File(s) => Some(Value::File(cut(s).unwrap_or_default())),
    }
}

/// `base` joined with the literal segment `part` as `path.join` does.
fn append(base: Value, part: &str) -> Value {
    let join = |b: String| {
        if b.is_empty() {
            part.to_owned()
        } else {
            format!("{}/{}", b.trim_end_matches('/'), part.trim_start_matches('/'))
        }
    };
    match base {
        Value::Cwd(b) => Value::Cwd(join(b)),
        Value::File(b) => Value::File(join(b)),
    }
}
