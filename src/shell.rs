//! The one shell grammar of the tool: Procfile lines, package.json scripts and Scheduler
//! job commands are all shell (Heroku runs each with `bash -c`, npm with `sh -c`).
//!
//! Commands are read with tree-sitter-bash, so quotes, `\` escapes, `&&`, `||`, `;`, `|`,
//! redirections, `$VAR`, `${VAR}` and `$(...)` mean here what they mean to the shell that
//! runs them. Nothing is guessed from spaces: a command the grammar cannot read without
//! error (an unclosed quote) is only ever kept whole, as written. Words the tool writes are
//! quoted with `shlex`.

use std::cell::RefCell;
use std::ops::Range;

use tree_sitter::Node;

mod parts;

pub use parts::{CommandParts, command_parts};

/// Node kinds whose value is only known when the shell runs: a word holding one of them
/// is not a literal.
const EXPANSIONS: &[&str] = &[
    "simple_expansion",
    "expansion",
    "command_substitution",
    "process_substitution",
    "arithmetic_expansion",
    "brace_expression",
];

/// Parses `command` with this thread's bash parser, made on first use.
fn parse(command: &str) -> tree_sitter::Tree {
    thread_local! {
        static PARSER: RefCell<Option<tree_sitter::Parser>> = const { RefCell::new(None) };
    }
    PARSER.with_borrow_mut(|parser| {
        let parser = parser.get_or_insert_with(|| {
            let mut parser = tree_sitter::Parser::new();
            // The grammar is compiled into this binary against the same tree-sitter ABI.
            parser
                .set_language(&tree_sitter_bash::LANGUAGE.into())
                .expect("bundled grammar matches tree-sitter");
            parser
        });
        // `None` only when cancelled or without a language, neither of which happens here.
        parser.parse(command, None).expect("the parser has a language and no timeout")
    })
}

/// A leading `NAME=value` of a simple command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Assignment {
    pub name: String,
    /// The value with quotes and escapes removed, when the shell would not expand anything
    /// in it; `None` for `NAME=$OTHER`, `NAME=$(cmd)`, `NAME=~/x` and the like.
    pub literal: Option<String>,
    /// The byte range of the value as written (quotes included) in the command.
    pub value_span: Range<usize>,
}

/// One simple command: its leading assignments and its words.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SimpleCommand {
    pub assignments: Vec<Assignment>,
    /// The program and its arguments: each word's literal value, or the word as written
    /// when it holds an expansion (`$PORT`).
    pub words: Vec<String>,
    /// The byte range of the command in the line, assignments included.
    pub span: Range<usize>,
    /// True for a command that reads another's output (`b` and `c` in `a | b | c`).
    pub piped: bool,
}

impl SimpleCommand {
    /// The program's file name (`node` for `./node_modules/.bin/node`).
    pub fn program(&self) -> Option<&str> {
        let word = self.words.first()?;
        Some(word.rsplit('/').next().unwrap_or(word))
    }
}

/// True when bash reads `command` without a syntax error (an unclosed quote, a stray `)`).
/// The tests check the grammar with it.
#[cfg(test)]
pub(crate) fn is_well_formed(command: &str) -> bool {
    !parse(command).root_node().has_error()
}

/// Every simple command of `command`, in the order they appear (those inside `$(...)`
/// excluded: they only compute a word). Empty when the line does not parse.
pub fn simple_commands(command: &str) -> Vec<SimpleCommand> {
    let tree = parse(command);
    let root = tree.root_node();
    if root.has_error() {
        return Vec::new();
    }
    let mut out = Vec::new();
    collect_commands(root, command, &mut out);
    out
}

fn collect_commands(node: Node, src: &str, out: &mut Vec<SimpleCommand>) {
    if matches!(node.kind(), "command_substitution" | "process_substitution") {
        return;
    }
    if node.kind() == "command" {
        let mut command = simple_command(node, src);
        command.piped = node.parent().is_some_and(|p| {
            p.kind() == "pipeline" && p.named_child(0).is_some_and(|first| first.id() != node.id())
        });
        out.push(command);
    }
    let mut cursor = node.walk();
    for child in node.named_children(&mut cursor) {
        collect_commands(child, src, out);
    }
}

fn simple_command(node: Node, src: &str) -> SimpleCommand {
    let mut assignments = Vec::new();
    let mut words = Vec::new();
    let mut cursor = node.walk();
    for child in node.named_children(&mut cursor) {
        match child.kind() {
            "variable_assignment" => assignments.push(assignment(child, src)),
            "command_name"
            | "word"
            | "string"
            | "raw_string"
            | "concatenation"
            | "number"
            | "simple_expansion"
            | "expansion"
            | "command_substitution"
            | "ansi_c_string" => {
                let word = child.named_child(0).filter(|_| child.kind() == "command_name");
                let word = word.unwrap_or(child);
                words.push(literal(word, src).unwrap_or_else(|| text(word, src).to_owned()));
            }
            _ => {}
        }
    }
    SimpleCommand { assignments, words, span: node.byte_range(), piped: false }
}

fn assignment(node: Node, src: &str) -> Assignment {
    let name = node.child_by_field_name("name").map_or("", |n| text(n, src)).to_owned();
    match node.child_by_field_name("value") {
        Some(value) => {
            Assignment { name, literal: literal(value, src), value_span: value.byte_range() }
        }
        None => Assignment {
            name,
            literal: Some(String::new()),
            value_span: node.end_byte()..node.end_byte(),
        },
    }
}

fn text<'a>(node: Node, src: &'a str) -> &'a str {
    &src[node.byte_range()]
}

/// The value of a word after quote removal, or `None` when the shell expands something
/// in it (a `$`, a backquote, a leading `~`).
fn literal(node: Node, src: &str) -> Option<String> {
    if has_expansion(node) {
        return None;
    }
    let raw = text(node, src);
    match node.kind() {
        "raw_string" => Some(raw.get(1..raw.len().saturating_sub(1))?.to_owned()),
        "string" => {
            let inner = raw.get(1..raw.len().saturating_sub(1))?;
            Some(unescape(inner, |c| matches!(c, '$' | '`' | '"' | '\\' | '\n')))
        }
        "word" | "number" => {
            if raw.starts_with('~') || raw.contains('`') {
                return None;
            }
            Some(unescape(raw, |_| true))
        }
        "concatenation" => {
            let mut value = String::new();
            let mut cursor = node.walk();
            for (i, part) in node.children(&mut cursor).enumerate() {
                if i == 0 && part.kind() == "word" && text(part, src).starts_with('~') {
                    return None;
                }
                value.push_str(&literal(part, src)?);
            }
            Some(value)
        }
        _ => None,
    }
}

fn has_expansion(node: Node) -> bool {
    if EXPANSIONS.contains(&node.kind()) {
        return true;
    }
    let mut cursor = node.walk();
    node.children(&mut cursor).any(has_expansion)
}

/// Removes the backslash before each character `escapes` accepts (a bare word accepts
/// all; inside double quotes only `$`, `` ` ``, `"`, `\` and a newline).
fn unescape(text: &str, escapes: impl Fn(char) -> bool) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\\'
            && let Some(&next) = chars.peek()
            && escapes(next)
        {
            chars.next();
            if next != '\n' {
                out.push(next);
            }
            continue;
        }
        out.push(c);
    }
    out
}

// The words of every command, with where they are and the folder they run in: the view
// that follows `npm run`/`yarn`/`pnpm` calls from script to script.

/// One word of a command: its meaning when it is a constant, and where it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Word {
    /// The word with quotes removed, or `None` when it holds an expansion (`$X`,
    /// `$(...)`, a glob the shell could widen is kept as text).
    pub text: Option<String>,
    /// Bytes of the command line the word occupies, quotes included.
    pub span: Range<usize>,
}

/// One simple command: `VAR=value` prefixes are left out, `words[0]` is the program.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Command {
    pub words: Vec<Word>,
    /// A `cd` to another folder ran before this command in the same shell, so the
    /// command does not run in the script's own folder.
    pub after_cd: bool,
}

impl Command {
    /// The program, when it is a constant word.
    pub fn program(&self) -> Option<&str> {
        self.words.first()?.text.as_deref()
    }

    /// The arguments after the program.
    pub fn args(&self) -> &[Word] {
        self.words.get(1..).unwrap_or(&[])
    }
}

/// The simple commands of `line` in the order the shell meets them, including those in
/// subshells and `$(...)`. `None` when the line does not parse as shell, so callers
/// can say they could not read it instead of guessing.
pub fn commands(line: &str) -> Option<Vec<Command>> {
    let tree = parse(line);
    let root = tree.root_node();
    if root.has_error() {
        return None;
    }
    let mut out = Vec::new();
    let mut after_cd = false;
    collect(root, line, &mut after_cd, &mut out);
    Some(out)
}

fn collect(node: Node, line: &str, after_cd: &mut bool, out: &mut Vec<Command>) {
    match node.kind() {
        "command" => {
            // Arguments may hold `$(...)`: those commands run first, in a subshell.
            let mut inner = *after_cd;
            let mut cursor = node.walk();
            for child in node.named_children(&mut cursor) {
                if child.kind() != "command_name" {
                    collect(child, line, &mut inner, out);
                }
            }
            let command = words_of(node, line, *after_cd);
            if command.program() == Some("cd") {
                let target = command.args().first().and_then(|w| w.text.as_deref());
                if target != Some(".") && target != Some("./") {
                    *after_cd = true;
                }
            }
            if !command.words.is_empty() {
                out.push(command);
            }
        }
        // A subshell's `cd` does not outlive it.
        "subshell" | "command_substitution" | "process_substitution" => {
            let mut inner = *after_cd;
            let mut cursor = node.walk();
            for child in node.named_children(&mut cursor) {
                collect(child, line, &mut inner, out);
            }
        }
        _ => {
            let mut cursor = node.walk();
            for child in node.named_children(&mut cursor) {
                collect(child, line, after_cd, out);
            }
        }
    }
}

fn words_of(node: Node, line: &str, after_cd: bool) -> Command {
    let mut words = Vec::new();
    if let Some(name) = node.child_by_field_name("name") {
        words.push(word(name, line));
    }
    let mut cursor = node.walk();
    for arg in node.children_by_field_name("argument", &mut cursor) {
        words.push(word(arg, line));
    }
    Command { words, after_cd }
}

fn word(node: Node, line: &str) -> Word {
    // A command name wraps the word that spells it.
    let spelled = node.named_child(0).filter(|_| node.kind() == "command_name").unwrap_or(node);
    Word { text: literal(spelled, line), span: node.byte_range() }
}

/// The names of the variables `command` reads (`$X`, `${X}`, `${X:-default}`), in order of
/// first use, without the shell's own (`$1`, `$@`, `$?`). Variables assigned earlier on
/// the same line are still listed: the line may read them before.
pub fn variables_read(command: &str) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    for read in variables(command).reads {
        if !names.contains(&read.name) {
            names.push(read.name);
        }
    }
    names
}

/// A variable `$X` or `${X...}` that shell text reads, and its line (1-based).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct VariableRead {
    pub name: String,
    pub line: usize,
}

/// The variables shell text (a command, or a whole script) reads and assigns.
#[derive(Debug, Default, PartialEq, Eq)]
pub(crate) struct Variables {
    /// Every read, in order, repeats included, without the shell's own (`$1`, `$@`,
    /// `$?`); `'$X'` in single quotes reads nothing.
    pub reads: Vec<VariableRead>,
    /// `X=...` and `export X=...`, each name once, in order.
    pub assigned: Vec<String>,
}

/// What `text` reads and assigns, as bash parses it (quotes, `$(...)`, here-documents).
pub(crate) fn variables(text: &str) -> Variables {
    let tree = parse(text);
    let mut out = Variables::default();
    collect_variables(tree.root_node(), text, &mut out);
    out
}

fn collect_variables(node: Node, src: &str, out: &mut Variables) {
    match node.kind() {
        "simple_expansion" | "expansion" => {
            let mut cursor = node.walk();
            let name = node.named_children(&mut cursor).find(|n| n.kind() == "variable_name");
            if let Some(name) = name.filter(|n| is_name(text(*n, src))) {
                let line = name.start_position().row + 1;
                out.reads.push(VariableRead { name: text(name, src).to_owned(), line });
            }
        }
        "variable_assignment" => {
            let name = node.child_by_field_name("name").map(|n| text(n, src).to_owned());
            if let Some(name) = name.filter(|n| !out.assigned.contains(n)) {
                out.assigned.push(name);
            }
        }
        _ => {}
    }
    let mut cursor = node.walk();
    for child in node.children(&mut cursor) {
        collect_variables(child, src, out);
    }
}

/// A step of a line as [`same_command`] compares it.
type StepKey = (Vec<(String, Option<String>)>, Vec<String>);

/// True when `a` and `b` run the same commands with the same words (`node  job.js` and
/// `node 'job.js'` are the same); lines the grammar cannot read compare as trimmed text.
pub(crate) fn same_command(a: &str, b: &str) -> bool {
    if a.trim() == b.trim() {
        return true;
    }
    // Each step as its assignments (name, literal value) and words: spans left out.
    let key = |c: &str| -> Option<Vec<StepKey>> {
        let steps = simple_commands(c);
        if steps.is_empty() {
            return None;
        }
        Some(
            steps
                .into_iter()
                .map(|s| {
                    let vars = s.assignments.into_iter().map(|a| (a.name, a.literal)).collect();
                    (vars, s.words)
                })
                .collect(),
        )
    };
    // Words alone would not tell `a && b` from `a || b`: the operators must match too.
    match (key(a), key(b)) {
        (Some(ka), Some(kb)) => ka == kb && operators(a) == operators(b),
        _ => false,
    }
}

/// The list and pipeline operators of a line, in order.
fn operators(command: &str) -> Vec<String> {
    let tree = parse(command);
    let mut out = Vec::new();
    let mut stack = vec![tree.root_node()];
    while let Some(node) = stack.pop() {
        if !node.is_named() && matches!(node.kind(), "&&" | "||" | ";" | "|" | "&") {
            out.push(node.kind().to_owned());
        }
        let mut cursor = node.walk();
        let children: Vec<Node> = node.children(&mut cursor).collect();
        stack.extend(children.into_iter().rev());
    }
    out
}

/// A shell variable name, and so an environment variable name as every reader of this
/// crate takes it (POSIX `name`): a letter or `_`, then letters, digits and `_`. The one
/// check for both, so a name the rules accept is one the Procfile reader sees.
pub(crate) fn is_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// `value` as one shell word: as is when the shell reads it back unchanged, else quoted
/// (by `shlex`, which never lets `$`, `` ` `` or `\` take effect). A NUL byte, which no
/// shell word can hold, is dropped.
pub(crate) fn quote(value: &str) -> String {
    let value = value.replace('\0', "");
    match shlex::try_quote(&value) {
        Ok(quoted) => quoted.into_owned(),
        Err(_) => format!("'{}'", value.replace('\'', r"'\''")),
    }
}

#[cfg(test)]
mod tests;
