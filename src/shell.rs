//! The simple commands of a shell command line (an npm script, a Procfile command), read
//! with tree-sitter-bash: `&&`, `||`, `;`, pipes, subshells, quotes and `$(...)` are the
//! grammar's business, not a hand-written splitter's.

use std::cell::RefCell;
use std::ops::Range;

use tree_sitter::Node;

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
    let tree = parse(line)?;
    let root = tree.root_node();
    if root.has_error() {
        return None;
    }
    let mut out = Vec::new();
    let mut after_cd = false;
    collect(root, line, &mut after_cd, &mut out);
    Some(out)
}

fn parse(line: &str) -> Option<tree_sitter::Tree> {
    thread_local! {
        static PARSER: RefCell<Option<tree_sitter::Parser>> = const { RefCell::new(None) };
    }
    PARSER.with_borrow_mut(|parser| {
        let parser = parser.get_or_insert_with(|| {
            let mut parser = tree_sitter::Parser::new();
            let language: tree_sitter::Language = tree_sitter_bash::LANGUAGE.into();
            // The grammar is compiled into this binary against the same tree-sitter ABI.
            parser.set_language(&language).expect("bundled grammar matches tree-sitter");
            parser
        });
        parser.parse(line, None)
    })
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
            let command = simple_command(node, line, *after_cd);
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

fn simple_command(node: Node, line: &str, after_cd: bool) -> Command {
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
    Word { text: constant_text(node, line), span: node.byte_range() }
}

/// What a word means once the shell has removed its quotes, when it has no expansion.
fn constant_text(node: Node, line: &str) -> Option<String> {
    let text = &line[node.byte_range()];
    match node.kind() {
        "command_name" => constant_text(node.named_child(0)?, line),
        "word" | "number" => Some(unescape_plain(text)),
        "raw_string" => Some(text.trim_matches('\'').to_owned()),
        "string" => {
            let mut cursor = node.walk();
            let mut value = String::new();
            for child in node.named_children(&mut cursor) {
                if child.kind() != "string_content" {
                    return None;
                }
                value.push_str(&line[child.byte_range()]);
            }
            Some(value)
        }
        "concatenation" => {
            let mut cursor = node.walk();
            let parts: Option<Vec<String>> =
                node.named_children(&mut cursor).map(|c| constant_text(c, line)).collect();
            Some(parts?.concat())
        }
        _ => None,
    }
}

/// A bare word with its backslash escapes applied (`a\ b` is `a b`).
fn unescape_plain(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars();
    while let Some(c) = chars.next() {
        if c == '\\' {
            if let Some(next) = chars.next() {
                out.push(next);
            }
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn programs(line: &str) -> Vec<(Vec<String>, bool)> {
        commands(line)
            .unwrap()
            .into_iter()
            .map(|c| {
                let words = c.words.iter().map(|w| w.text.clone().unwrap_or("?".into())).collect();
                (words, c.after_cd)
            })
            .collect()
    }

    fn w(words: &[&str], after_cd: bool) -> (Vec<String>, bool) {
        (words.iter().map(|s| s.to_string()).collect(), after_cd)
    }

    #[test]
    fn lists_pipes_and_prefixes() {
        assert_eq!(
            programs(
                "NODE_ENV=production npm run build && node copy.js || echo failed; cat a | wc"
            ),
            vec![
                w(&["npm", "run", "build"], false),
                w(&["node", "copy.js"], false),
                w(&["echo", "failed"], false),
                w(&["cat", "a"], false),
                w(&["wc"], false),
            ]
        );
    }

    #[test]
    fn quotes_are_removed_and_expansions_marked() {
        assert_eq!(
            programs(r#"node "a b.js" 'c' d\ e $X "$Y" pre"fix""#),
            vec![w(&["node", "a b.js", "c", "d e", "?", "?", "prefix"], false)]
        );
    }

    #[test]
    fn cd_moves_later_commands_but_not_out_of_a_subshell() {
        assert_eq!(
            programs(
                "(cd client && npm run build) && npm run build && cd . && cd api && npm start"
            ),
            vec![
                w(&["cd", "client"], false),
                w(&["npm", "run", "build"], true),
                w(&["npm", "run", "build"], false),
                w(&["cd", "."], false),
                w(&["cd", "api"], false),
                w(&["npm", "start"], true),
            ]
        );
    }

    #[test]
    fn command_substitutions_are_commands_too() {
        let found = programs("echo $(npm run version) done");
        assert_eq!(
            found,
            vec![w(&["npm", "run", "version"], false), w(&["echo", "?", "done"], false)]
        );
    }

    #[test]
    fn spans_point_at_the_words() {
        let line = "yarn  build --prod";
        let c = &commands(line).unwrap()[0];
        assert_eq!(&line[c.words[1].span.clone()], "build");
    }

    #[test]
    fn an_unparsable_line_is_none() {
        assert_eq!(commands("echo 'unterminated"), None);
    }
}
