//! A command split into what can move out of it onto a Capsule: leading `cd DIR &&`
//! steps and leading `NAME=value` assignments.

use tree_sitter::Node;

use super::{assignment, is_name, literal, parse, simple_command, text};

/// A command split into what can move out of it onto a Capsule: the folder of leading
/// `cd DIR &&` steps and the variables of leading plain `NAME=value` assignments.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CommandParts {
    /// The folder from leading `cd DIR && ...` (several `cd`s joined with `/`), without
    /// `./` or a trailing `/`, quotes removed.
    pub cd: Option<String>,
    /// Leading `NAME=value` assignments (also after `env`), values unquoted. Only plain
    /// ones, directly before the one simple command the line runs: `A=1 x && y` sets `A`
    /// for `x` alone, and `A=$B x` takes Heroku's value of `B`, so both stay in `program`.
    pub env: Vec<(String, String)>,
    /// The rest of the command, as written.
    pub program: String,
}

/// Splits `command` into its leading `cd DIR &&` steps, then the leading assignments of
/// the simple command that follows, then the rest (as written). A line that does not
/// parse, or any other shape, is left whole in `program`.
pub fn command_parts(command: &str) -> CommandParts {
    let whole = || CommandParts { program: command.trim().to_owned(), ..CommandParts::default() };
    let tree = parse(command);
    let root = tree.root_node();
    if root.has_error() {
        return whole();
    }
    let mut cursor = root.walk();
    let statements: Vec<Node> =
        root.named_children(&mut cursor).filter(|n| n.kind() != "comment").collect();
    let [statement] = statements.as_slice() else { return whole() };
    let steps = and_steps(*statement);

    let mut dirs = Vec::new();
    let mut first = 0;
    while first + 1 < steps.len()
        && let Some(dir) = cd_target(steps[first], command)
    {
        dirs.push(dir);
        first += 1;
    }
    let rest_start = steps[first].start_byte();
    let rest_end = command.trim_end().len().max(rest_start);
    let program = &command[rest_start..rest_end];
    let dirs: Vec<String> = dirs.into_iter().filter(|d| !d.is_empty()).collect();
    let cd = (!dirs.is_empty()).then(|| dirs.join("/"));

    let mut parts = CommandParts { cd, env: Vec::new(), program: program.to_owned() };
    if first + 1 == steps.len()
        && let Some((env, run_start)) = leading_env(steps[first], command)
    {
        parts.env = env;
        parts.program = command[run_start..rest_end].to_owned();
    }
    parts
}

/// The steps of `a && b && c` (the grammar nests them to the left); any other statement,
/// `||` and `;` lists included, is one step.
fn and_steps(node: Node) -> Vec<Node> {
    if node.kind() == "list" && node.named_child_count() == 2 {
        let operator = node.child(1).map(|n| n.kind());
        if operator == Some("&&")
            && let (Some(left), Some(right)) = (node.named_child(0), node.named_child(1))
        {
            let mut steps = and_steps(left);
            steps.push(right);
            return steps;
        }
    }
    vec![node]
}

/// `cd DIR` with one literal argument: DIR without `./` or a trailing `/` (`""` for `.`).
fn cd_target(node: Node, src: &str) -> Option<String> {
    let command = (node.kind() == "command").then(|| simple_command(node, src))?;
    match (command.assignments.is_empty(), command.words.as_slice()) {
        (true, [cd, dir]) if cd == "cd" && !is_raw_expansion(dir) => {
            let dir = dir.trim_start_matches("./").trim_end_matches('/');
            Some(if dir == "." { String::new() } else { dir.to_owned() })
        }
        _ => None,
    }
}

/// True for a word kept as written because it expands (`$DIR`, `~/x`).
fn is_raw_expansion(word: &str) -> bool {
    word.contains('$') || word.starts_with('~') || word.contains('`')
}

/// The plain leading assignments of a simple command (`A=1 B='x y' node a.js`, or after
/// `env`) and the byte where the program starts; `None` when there are none, when one is
/// not plain, or when nothing runs after them.
fn leading_env(node: Node, src: &str) -> Option<(Vec<(String, String)>, usize)> {
    if node.kind() != "command" {
        return None;
    }
    let mut env = Vec::new();
    let mut cursor = node.walk();
    let children: Vec<Node> = node.named_children(&mut cursor).collect();
    let mut index = 0;
    while let Some(child) = children.get(index).filter(|c| c.kind() == "variable_assignment") {
        let assignment = assignment(*child, src);
        env.push((assignment.name, assignment.literal?));
        index += 1;
    }
    // `env A=1 B=2 program`: the grammar reads the pairs as plain words.
    let name = children.get(index).filter(|c| c.kind() == "command_name")?;
    if env.is_empty() && text(*name, src) == "env" {
        index += 1;
        while let Some(word) = children.get(index).filter(|c| c.kind() == "word") {
            let raw = text(*word, src);
            let Some((name, _)) = raw.split_once('=').filter(|(n, _)| is_name(n)) else { break };
            env.push((name.to_owned(), literal(*word, src)?[name.len() + 1..].to_owned()));
            index += 1;
        }
    }
    let program = children.get(index)?;
    (!env.is_empty()).then_some((env, program.start_byte()))
}
