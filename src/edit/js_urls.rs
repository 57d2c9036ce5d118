//! Hard-coded `https://<app>.herokuapp.com` URLs in JS/TS source, pointed at a value the
//! frontend's build step provides.
//!
//! On Heroku the backend's URL was a fixed `*.herokuapp.com` name, so frontends wrote it
//! into the code. On Code Capsules the backend gets a new URL, which the build step injects
//! (for example as `window.BACKEND_URL`). Only the origin is replaced: the path, query and
//! quote style stay as written, and every byte outside a rewritten literal is kept.

use tree_sitter::{Node, Tree};

use crate::lang::Lang;

/// The result of [`rewrite_herokuapp_urls`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rewrite {
    /// The new source; equal to the input when nothing was rewritten.
    pub text: String,
    /// The literals rewritten, in source order.
    pub rewrites: Vec<UrlRewrite>,
    /// Literals holding a herokuapp URL that were left alone, with the reason: the user
    /// should look at them.
    pub skipped: Vec<SkippedUrl>,
}

/// One rewritten literal: its 1-based line and its text as written (without delimiters).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UrlRewrite {
    pub line: usize,
    pub url: String,
}

/// A herokuapp URL that was not rewritten, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SkippedUrl {
    pub line: usize,
    pub url: String,
    pub reason: String,
}

/// Every string or template literal that starts with a herokuapp origin, as (1-based line,
/// literal text), including those [`rewrite_herokuapp_urls`] would leave alone. Meant for
/// warnings about backend code, where nothing is rewritten.
pub fn find_herokuapp_urls(source: &str, lang: Lang) -> Vec<(usize, String)> {
    if !crate::herokuapp::mentioned(source.as_bytes()) {
        return Vec::new();
    }
    let tree = parse(source, lang);
    let mut found = Vec::new();
    collect(tree.root_node(), source, &mut found);
    found.into_iter().map(|f| (f.line, f.url)).collect()
}

/// Replaces the herokuapp origin of string, template and JSX attribute literals with
/// `replacement`, a JS expression such as `window.BACKEND_URL`:
/// `"https://x.herokuapp.com/api"` becomes `window.BACKEND_URL + "/api"` and
/// `` `https://x.herokuapp.com/${p}` `` becomes `` `${window.BACKEND_URL}/${p}` ``.
///
/// Import and require specifiers, object keys, type literals, enum members and tagged
/// templates are left alone and listed in `skipped`. If the rewritten text would parse
/// with more errors than the input (a bad `replacement`), nothing is rewritten and every
/// candidate is listed in `skipped`.
pub fn rewrite_herokuapp_urls(source: &str, lang: Lang, replacement: &str) -> Rewrite {
    rewrite_herokuapp_urls_by(source, lang, |_| Ok(replacement.to_owned()))
}

/// [`rewrite_herokuapp_urls`] with the replacement chosen per literal: `choose` gets the
/// literal's URL as written and returns the expression for its origin, or the reason to
/// leave it alone (it is listed in `skipped` with that reason).
pub fn rewrite_herokuapp_urls_by(
    source: &str,
    lang: Lang,
    choose: impl Fn(&str) -> Result<String, String>,
) -> Rewrite {
    let mut result =
        Rewrite { text: source.to_string(), rewrites: Vec::new(), skipped: Vec::new() };
    if !crate::herokuapp::mentioned(source.as_bytes()) {
        return result;
    }
    let tree = parse(source, lang);
    let mut found = Vec::new();
    collect(tree.root_node(), source, &mut found);

    let mut edits = Vec::new();
    for literal in found {
        let edit = choose(&literal.url).and_then(|replacement| {
            literal.plan.edit(source, &as_operand(&replacement)).map_err(str::to_string)
        });
        match edit {
            Ok(edit) => {
                edits.push(edit);
                result.rewrites.push(UrlRewrite { line: literal.line, url: literal.url });
            }
            Err(reason) => {
                result.skipped.push(SkippedUrl { line: literal.line, url: literal.url, reason })
            }
        }
    }
    let text = splice(source, &edits);
    if !edits.is_empty()
        && error_count(&reparse(source, tree.clone(), &edits, &text, lang)) > error_count(&tree)
    {
        let reason = "rewriting it made the file unparsable".to_string();
        for r in result.rewrites.drain(..) {
            result.skipped.push(SkippedUrl { line: r.line, url: r.url, reason: reason.clone() });
        }
        result.skipped.sort_by_key(|s| s.line);
        return result;
    }
    result.text = text;
    result
}

/// A literal that starts with a herokuapp origin.
struct Found {
    line: usize,
    url: String,
    plan: Plan,
}

/// What to do with a found literal.
enum Plan {
    /// Replace the whole `"..."` literal at `start..end`; `origin` is the origin's length.
    Str {
        start: usize,
        end: usize,
        origin: usize,
        parens: bool,
    },
    /// Replace the whole JSX attribute value `"..."` with `{...}`.
    JsxAttr {
        start: usize,
        end: usize,
        origin: usize,
    },
    /// Replace the origin bytes at `start..start + origin` with `${...}`.
    Template {
        start: usize,
        origin: usize,
    },
    Skip(&'static str),
}

struct Edit {
    start: usize,
    end: usize,
    text: String,
}

impl Plan {
    fn edit(&self, source: &str, expr: &str) -> Result<Edit, &'static str> {
        match *self {
            Plan::Str { start, end, origin, parens } => {
                let quote = &source[start..start + 1];
                let rest = &source[start + 1 + origin..end - 1];
                let text = match (rest.is_empty(), parens) {
                    (true, _) => expr.to_string(),
                    (false, false) => format!("{expr} + {quote}{rest}{quote}"),
                    (false, true) => format!("({expr} + {quote}{rest}{quote})"),
                };
                Ok(Edit { start, end, text })
            }
            Plan::JsxAttr { start, end, origin } => {
                let quote = &source[start..start + 1];
                let rest = &source[start + 1 + origin..end - 1];
                // JSX strings decode HTML entities and have no backslash escapes; JS
                // strings are the other way round, so entities cannot be carried over.
                if rest.contains('&') {
                    return Err("a JSX attribute with an HTML entity after the origin");
                }
                let text = if rest.is_empty() {
                    format!("{{{expr}}}")
                } else {
                    // The attribute's text as a JS string literal with the same quote.
                    let quote = quote.chars().next().unwrap_or('"');
                    format!("{{{expr} + {}}}", crate::lang::js_string_in(rest, quote))
                };
                Ok(Edit { start, end, text })
            }
            Plan::Template { start, origin } => {
                Ok(Edit { start, end: start + origin, text: format!("${{{expr}}}") })
            }
            Plan::Skip(reason) => Err(reason),
        }
    }
}

/// Walks the tree, recording every string and template literal with a herokuapp origin.
fn collect(root: Node, source: &str, found: &mut Vec<Found>) {
    let mut cursor = root.walk();
    loop {
        let node = cursor.node();
        let descend = match node.kind() {
            "string" => {
                found.extend(string_literal(node, source));
                false
            }
            "template_string" => {
                found.extend(template_literal(node, source));
                // Substitutions may hold more literals.
                true
            }
            _ => true,
        };
        if descend && cursor.goto_first_child() {
            continue;
        }
        while !cursor.goto_next_sibling() {
            if !cursor.goto_parent() {
                return;
            }
        }
    }
}

fn string_literal(node: Node, source: &str) -> Option<Found> {
    let (start, end) = (node.start_byte(), node.end_byte());
    // A node recovered from a syntax error may lack its closing quote.
    if end < start + 2 || node.has_error() {
        return None;
    }
    let content = &source[start + 1..end - 1];
    let origin = crate::herokuapp::origin_len(content)?;
    let plan = match node.parent() {
        Some(parent) if parent.kind() == "jsx_attribute" => Plan::JsxAttr { start, end, origin },
        _ => match skip_reason(node, source) {
            Some(reason) => Plan::Skip(reason),
            None => Plan::Str { start, end, origin, parens: needs_parens(node) },
        },
    };
    Some(Found { line: node.start_position().row + 1, url: content.to_string(), plan })
}

fn template_literal(node: Node, source: &str) -> Option<Found> {
    let (start, end) = (node.start_byte(), node.end_byte());
    if end < start + 2 {
        return None;
    }
    let mut cursor = node.walk();
    let first_chunk_end = node
        .children(&mut cursor)
        .find(|c| c.kind() == "template_substitution")
        .map_or(end - 1, |c| c.start_byte());
    let origin = crate::herokuapp::origin_len(&source[start + 1..first_chunk_end])?;
    let tagged = node
        .parent()
        .is_some_and(|p| p.kind() == "call_expression" && is_field(p, "arguments", node));
    let plan = if tagged {
        // The tag function receives the literal's chunks: changing them changes its input.
        Plan::Skip("a tagged template")
    } else {
        Plan::Template { start: start + 1, origin }
    };
    let url = source[start + 1..end - 1].to_string();
    Some(Found { line: node.start_position().row + 1, url, plan })
}

/// Why a string literal in this position cannot become an expression, if it cannot.
fn skip_reason(node: Node, source: &str) -> Option<&'static str> {
    let parent = node.parent()?;
    if is_field(parent, "source", node) {
        return Some("an import or export specifier");
    }
    if is_field(parent, "key", node) || is_field(parent, "name", node) {
        return Some("a property, method or module name");
    }
    match parent.kind() {
        "literal_type" => return Some("a type"),
        "enum_assignment" => return Some("an enum member, which must be a constant"),
        _ => {}
    }
    // `require("...")` and `import("...")`: the module specifier, not a URL to fetch.
    let call = parent.parent().filter(|_| parent.kind() == "arguments")?;
    let callee = call.child_by_field_name("function")?;
    let loads_module = callee.kind() == "import"
        || (callee.kind() == "identifier" && &source[callee.byte_range()] == "require");
    loads_module.then_some("an import or require specifier")
}

/// Whether `child` is the node in `parent`'s field `field`.
fn is_field(parent: Node, field: &str, child: Node) -> bool {
    parent.child_by_field_name(field).is_some_and(|n| n.id() == child.id())
}

/// Whether `expr + "rest"` must be parenthesised where this literal stands: anywhere that
/// binds tighter than `+` (member access, unary operators, `*`...) or is not known to be
/// an ordinary expression position.
fn needs_parens(node: Node) -> bool {
    let Some(parent) = node.parent() else {
        return true;
    };
    match parent.kind() {
        "binary_expression" => {
            let op = parent.child_by_field_name("operator").map(|o| o.kind());
            matches!(op, Some("*" | "/" | "%" | "**" | "-"))
        }
        "variable_declarator"
        | "arguments"
        | "array"
        | "pair"
        | "assignment_expression"
        | "augmented_assignment_expression"
        | "assignment_pattern"
        | "parenthesized_expression"
        | "return_statement"
        | "throw_statement"
        | "expression_statement"
        | "template_substitution"
        | "jsx_expression"
        | "spread_element"
        | "ternary_expression"
        | "sequence_expression"
        | "public_field_definition"
        | "arrow_function"
        | "switch_case"
        | "as_expression"
        | "satisfies_expression" => false,
        _ => true,
    }
}

/// `replacement` as an operand of `+`: a dotted name as is, anything else in parentheses.
fn as_operand(replacement: &str) -> String {
    let is_name_part = |s: &str| {
        let mut chars = s.chars();
        chars.next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_' || c == '$')
            && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '$')
    };
    // `(window as any).X`: a parenthesised head without parentheses inside, then names.
    let member_of_group = replacement
        .strip_prefix('(')
        .and_then(|r| r.split_once(')'))
        .is_some_and(|(head, tail)| {
            !head.contains('(')
                && tail.strip_prefix('.').is_some_and(|t| t.split('.').all(is_name_part))
        });
    if replacement.split('.').all(is_name_part) || member_of_group {
        replacement.to_string()
    } else {
        format!("({replacement})")
    }
}

fn splice(source: &str, edits: &[Edit]) -> String {
    let mut edits: Vec<&Edit> = edits.iter().collect();
    edits.sort_by_key(|e| e.start);
    let mut out = String::with_capacity(source.len() + edits.len() * 16);
    let mut at = 0;
    for edit in edits {
        out.push_str(&source[at..edit.start]);
        out.push_str(&edit.text);
        at = edit.end;
    }
    out.push_str(&source[at..]);
    out
}

fn parse(source: &str, lang: Lang) -> Tree {
    // Parsing only fails on cancellation or a missing language, neither of which applies.
    lang.parse(source).expect("parser has a language and no timeout")
}

/// The tree of `text`, which is `source` with `edits` (non-overlapping) spliced in, from
/// `tree`, the tree of `source`: each edit is told to the tree, last first so that the
/// offsets of the ones before it still hold, and only what they touched is parsed again.
fn reparse(source: &str, mut tree: Tree, edits: &[Edit], text: &str, lang: Lang) -> Tree {
    let mut edits: Vec<&Edit> = edits.iter().collect();
    edits.sort_by_key(|e| std::cmp::Reverse(e.start));
    for edit in edits {
        let start_position = point_at(source, edit.start);
        tree.edit(&tree_sitter::InputEdit {
            start_byte: edit.start,
            old_end_byte: edit.end,
            new_end_byte: edit.start + edit.text.len(),
            start_position,
            old_end_position: point_at(source, edit.end),
            new_end_position: point_after(start_position, &edit.text),
        });
    }
    lang.parse_after(text, Some(&tree)).expect("parser has a language and no timeout")
}

/// The row and byte column of `offset` in `text`.
fn point_at(text: &str, offset: usize) -> tree_sitter::Point {
    point_after(tree_sitter::Point { row: 0, column: 0 }, &text[..offset])
}

/// Where `text` ends when it starts at `start`.
fn point_after(start: tree_sitter::Point, text: &str) -> tree_sitter::Point {
    match text.rfind('\n') {
        Some(last) => tree_sitter::Point {
            row: start.row + text.matches('\n').count(),
            column: text.len() - last - 1,
        },
        None => tree_sitter::Point { row: start.row, column: start.column + text.len() },
    }
}

fn error_count(tree: &Tree) -> usize {
    let mut count = 0;
    let mut cursor = tree.walk();
    loop {
        let node = cursor.node();
        if node.is_error() || node.is_missing() {
            count += 1;
        }
        if node.has_error() && cursor.goto_first_child() {
            continue;
        }
        while !cursor.goto_next_sibling() {
            if !cursor.goto_parent() {
                return count;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const BACKEND: &str = "window.BACKEND_URL";

    fn rewrite(source: &str, lang: Lang) -> Rewrite {
        let out = rewrite_herokuapp_urls(source, lang, BACKEND);
        let tree = parse(&out.text, lang);
        assert_eq!(error_count(&tree), 0, "rewritten text does not parse:\n{}", out.text);
        out
    }

    fn js(source: &str) -> String {
        rewrite(source, Lang::JavaScript).text
    }

    /// Pieces of code that edits below join and replace: strings, templates, JSX,
    /// comments, several lines, CRLF, text outside the ASCII range, broken code.
    const PIECES: &[&str] = &[
        "const a = \"https://x.herokuapp.com/v1\";\n",
        "fetch(`https://y.herokuapp.com/${id}`)\r\n",
        "<a href=\"https://z.herokuapp.com\">é</a>;\n",
        "/* a\n   comment */ let b = 1;\n",
        "function f(x) {\n  return x + 'ü';\n}\n",
        "if (a) { b(\n",
        "",
        "window.API",
        "(window.API + \"/v1\")",
        "}\n)\n",
        "g(`one\ntwo ${x}`, 'ä')",
    ];

    /// Every node of `tree` with its kind and where it starts and ends, in bytes and in
    /// rows and columns.
    fn shape(tree: &Tree) -> Vec<String> {
        let mut nodes = Vec::new();
        let mut cursor = tree.walk();
        loop {
            let n = cursor.node();
            nodes.push(format!(
                "{} {:?} {:?} {:?}",
                n.kind(),
                n.byte_range(),
                n.start_position(),
                n.end_position()
            ));
            if cursor.goto_first_child() {
                continue;
            }
            while !cursor.goto_next_sibling() {
                if !cursor.goto_parent() {
                    return nodes;
                }
            }
        }
    }

    proptest::proptest! {
        /// The incremental parse after telling the tree of the edits is the tree a new
        /// parse gives, errors included: the check after a rewrite may rely on it.
        #[test]
        fn reparse_gives_the_tree_of_a_new_parse(
            parts in proptest::collection::vec(0..PIECES.len(), 1..8),
            cuts in proptest::collection::vec((0..8usize, 0..PIECES.len()), 0..4),
            lang in proptest::sample::select(vec![Lang::JavaScript, Lang::TypeScript, Lang::Tsx]),
        ) {
            let source: String = parts.iter().map(|&i| PIECES[i]).collect();
            // Each cut replaces a whole piece, so edits never overlap and keep UTF-8.
            let mut starts = vec![0];
            for &i in &parts {
                starts.push(starts.last().unwrap() + PIECES[i].len());
            }
            let mut edits: Vec<Edit> = Vec::new();
            for (piece, with) in cuts {
                let piece = piece % parts.len();
                if edits.iter().any(|e| e.start == starts[piece]) {
                    continue;
                }
                edits.push(Edit {
                    start: starts[piece],
                    end: starts[piece + 1],
                    text: PIECES[with].to_owned(),
                });
            }
            let text = splice(&source, &edits);
            let old = parse(&source, lang);
            let incremental = reparse(&source, old, &edits, &text, lang);
            let fresh = parse(&text, lang);
            proptest::prop_assert_eq!(shape(&incremental), shape(&fresh));
            proptest::prop_assert_eq!(error_count(&incremental), error_count(&fresh));
        }
    }

    #[test]
    fn a_bare_origin_becomes_the_expression() {
        assert_eq!(
            js("const API = \"https://my-api.herokuapp.com\";\n"),
            "const API = window.BACKEND_URL;\n"
        );
    }

    #[test]
    fn a_path_stays_as_a_string_with_the_same_quote() {
        assert_eq!(
            js("fetch('https://my-api.herokuapp.com/api/items?x=1', opts);"),
            "fetch(window.BACKEND_URL + '/api/items?x=1', opts);"
        );
        assert_eq!(
            js("const u = \"http://My-Api.HerokuApp.com:8080/v1\";"),
            "const u = window.BACKEND_URL + \"/v1\";"
        );
    }

    #[test]
    fn escapes_after_the_origin_are_kept_byte_for_byte() {
        assert_eq!(
            js(r#"x = "https://a.herokuapp.com/p\"q\u00e9";"#),
            r#"x = window.BACKEND_URL + "/p\"q\u00e9";"#
        );
    }

    #[test]
    fn templates_replace_only_the_origin() {
        assert_eq!(
            js("const u = `https://a.herokuapp.com/api/${id}?q=${q}`;"),
            "const u = `${window.BACKEND_URL}/api/${id}?q=${q}`;"
        );
        assert_eq!(js("u = `https://a.herokuapp.com`;"), "u = `${window.BACKEND_URL}`;");
        assert_eq!(
            js("u = `https://a.herokuapp.com${path}`;"),
            "u = `${window.BACKEND_URL}${path}`;"
        );
    }

    #[test]
    fn templates_with_the_origin_later_are_left_alone() {
        let source = "u = `${proto}://a.herokuapp.com/x`; v = `see https://a.herokuapp.com`;";
        let out = rewrite(source, Lang::JavaScript);
        assert_eq!(out.text, source);
        assert!(out.rewrites.is_empty() && out.skipped.is_empty());
    }

    #[test]
    fn other_hosts_and_lookalikes_are_left_alone() {
        for source in [
            "u = 'https://a.herokuapp.com.evil.com/x';",
            "u = 'https://a.herokuapp.community';",
            "u = 'https://herokuapp.com/x';",
            "u = 'ftp://a.herokuapp.com/x';",
            "u = 'https://a.herokuapp.com:/x';",
            "u = ' https://a.herokuapp.com';",
            "// see https://a.herokuapp.com/docs\nu = 1;",
        ] {
            let out = rewrite(source, Lang::JavaScript);
            assert_eq!(out.text, source);
            assert!(out.rewrites.is_empty(), "{source}");
        }
    }

    #[test]
    fn strings_inside_substitutions_are_rewritten_too() {
        assert_eq!(
            js("u = `https://a.herokuapp.com/${f('https://b.herokuapp.com/x')}`;"),
            "u = `${window.BACKEND_URL}/${f(window.BACKEND_URL + '/x')}`;"
        );
    }

    #[test]
    fn tight_binding_positions_get_parentheses() {
        assert_eq!(
            js("n = 'https://a.herokuapp.com/api'.length;"),
            "n = (window.BACKEND_URL + '/api').length;"
        );
        assert_eq!(
            js("t = typeof 'https://a.herokuapp.com/api';"),
            "t = typeof (window.BACKEND_URL + '/api');"
        );
        assert_eq!(
            js("ok = u === 'https://a.herokuapp.com/api' ? 1 : 2;"),
            "ok = u === window.BACKEND_URL + '/api' ? 1 : 2;"
        );
        // A bare origin is a member expression: no parentheses needed anywhere.
        assert_eq!(js("n = 'https://a.herokuapp.com'.length;"), "n = window.BACKEND_URL.length;");
    }

    #[test]
    fn module_specifiers_keys_and_types_are_skipped_and_reported() {
        let source = "import x from 'https://a.herokuapp.com/m.js';\n\
                      const y = require('https://a.herokuapp.com/r.js');\n\
                      const z = await import('https://a.herokuapp.com/d.js');\n\
                      const o = { 'https://a.herokuapp.com/k': 1 };\n\
                      const t = html`https://a.herokuapp.com/t`;\n";
        let out = rewrite(source, Lang::JavaScript);
        assert_eq!(out.text, source);
        assert!(out.rewrites.is_empty());
        let lines: Vec<usize> = out.skipped.iter().map(|s| s.line).collect();
        assert_eq!(lines, [1, 2, 3, 4, 5]);
        assert_eq!(out.skipped[0].reason, "an import or export specifier");
        assert_eq!(out.skipped[1].reason, "an import or require specifier");
        assert_eq!(out.skipped[4].reason, "a tagged template");
        assert_eq!(find_herokuapp_urls(source, Lang::JavaScript).len(), 5);
    }

    #[test]
    fn only_the_literal_bytes_change_and_lines_are_reported() {
        let source =
            "// keep\r\nconst a = 1;\r\n\tconst API = \"https://x.herokuapp.com/api\";\r\n";
        let out = rewrite(source, Lang::JavaScript);
        assert_eq!(
            out.text,
            "// keep\r\nconst a = 1;\r\n\tconst API = window.BACKEND_URL + \"/api\";\r\n"
        );
        assert_eq!(
            out.rewrites,
            [UrlRewrite { line: 3, url: "https://x.herokuapp.com/api".into() }]
        );
    }

    #[test]
    fn a_rewritten_file_has_nothing_left_to_rewrite() {
        let source = "const a = 'https://x.herokuapp.com/api';\n\
                      const b = `https://x.herokuapp.com/u/${id}`;\n\
                      const c = <a href=\"https://x.herokuapp.com/h\">h</a>;\n";
        let once = rewrite(source, Lang::JavaScript);
        assert_eq!(once.rewrites.len(), 3);
        let twice = rewrite(&once.text, Lang::JavaScript);
        assert_eq!(twice.text, once.text);
        assert!(twice.rewrites.is_empty() && twice.skipped.is_empty());
        assert!(find_herokuapp_urls(&once.text, Lang::JavaScript).is_empty());
    }

    #[test]
    fn typescript_rewrites_and_skips_types_and_enums() {
        let source = "type Api = 'https://x.herokuapp.com';\n\
                      enum Hosts { Main = 'https://x.herokuapp.com' }\n\
                      const base: string = 'https://x.herokuapp.com/api' as string;\n\
                      import y = require('https://x.herokuapp.com/m');\n";
        let out = rewrite(source, Lang::TypeScript);
        assert!(out.text.contains("const base: string = window.BACKEND_URL + '/api' as string;"));
        assert!(out.text.starts_with("type Api = 'https://x.herokuapp.com';\nenum Hosts"));
        let reasons: Vec<&str> = out.skipped.iter().map(|s| s.reason.as_str()).collect();
        assert_eq!(
            reasons,
            ["a type", "an enum member, which must be a constant", "an import or export specifier"]
        );
    }

    #[test]
    fn jsx_attributes_become_expressions_in_tsx_and_jsx() {
        let source = "export const L = () => <a href=\"https://x.herokuapp.com/docs\" \
                      title='https://x.herokuapp.com'>docs</a>;\n";
        let expected = "export const L = () => <a href={window.BACKEND_URL + \"/docs\"} \
                        title={window.BACKEND_URL}>docs</a>;\n";
        assert_eq!(rewrite(source, Lang::Tsx).text, expected);
        assert_eq!(rewrite(source, Lang::JavaScript).text, expected);
    }

    #[test]
    fn jsx_attributes_with_entities_are_skipped() {
        let source = "const l = <a href=\"https://x.herokuapp.com/?a=1&amp;b=2\">x</a>;";
        let out = rewrite(source, Lang::JavaScript);
        assert_eq!(out.text, source);
        assert_eq!(out.skipped.len(), 1);
    }

    #[test]
    fn jsx_backslashes_are_escaped_for_js() {
        assert_eq!(
            js(r#"const l = <a href="https://x.herokuapp.com/a\b">x</a>;"#),
            r#"const l = <a href={window.BACKEND_URL + "/a\\b"}>x</a>;"#
        );
    }

    #[test]
    fn other_replacements_are_used_as_given() {
        let out = rewrite_herokuapp_urls(
            "fetch(`https://x.herokuapp.com/a`); f('https://x.herokuapp.com/b');",
            Lang::JavaScript,
            "import.meta.env.VITE_BACKEND_URL",
        );
        assert_eq!(
            out.text,
            "fetch(`${import.meta.env.VITE_BACKEND_URL}/a`); \
             f(import.meta.env.VITE_BACKEND_URL + '/b');"
        );
        let out =
            rewrite_herokuapp_urls("f('https://x.herokuapp.com/b');", Lang::JavaScript, "a || b");
        assert_eq!(out.text, "f((a || b) + '/b');");
    }

    #[test]
    fn a_replacement_that_breaks_the_file_rewrites_nothing() {
        let source = "const a = 'https://x.herokuapp.com/api';\n";
        let out = rewrite_herokuapp_urls(source, Lang::JavaScript, "window.)");
        assert_eq!(out.text, source);
        assert!(out.rewrites.is_empty());
        assert_eq!(out.skipped.len(), 1);
        assert!(out.skipped[0].reason.contains("unparsable"), "{:?}", out.skipped);
    }

    #[test]
    fn origins_are_recognised_exactly() {
        assert_eq!(crate::herokuapp::origin_len("https://a-1.herokuapp.com"), Some(25));
        assert_eq!(crate::herokuapp::origin_len("http://a.herokuapp.com:3000/x"), Some(27));
        assert_eq!(crate::herokuapp::origin_len("https://a.herokuapp.com#top"), Some(23));
        assert_eq!(crate::herokuapp::origin_len("https://a.herokuapp.comx"), None);
        assert_eq!(crate::herokuapp::origin_len("https://a_b.herokuapp.com"), None);
        assert_eq!(crate::herokuapp::origin_len("https://.herokuapp.com"), None);
    }

    #[test]
    fn a_typescript_cast_is_an_operand_as_it_is() {
        let source = "const a: string = 'https://x.herokuapp.com/api';\n";
        let out = rewrite_herokuapp_urls(source, Lang::TypeScript, "(window as any).BACKEND_URL");
        assert_eq!(out.text, "const a: string = (window as any).BACKEND_URL + '/api';\n");
        assert_eq!(as_operand("(a(b)).c"), "((a(b)).c)");
        assert_eq!(as_operand("(a) + (b).c"), "((a) + (b).c)");
    }

    #[test]
    fn only_the_chosen_hosts_are_rewritten() {
        let source = "f('https://api-1.herokuapp.com/a', \"https://rates.herokuapp.com/b\");\n";
        let out = rewrite_herokuapp_urls_by(source, Lang::JavaScript, |url| {
            if url.contains("api-1") { Ok("window.API".into()) } else { Err("third party".into()) }
        });
        assert_eq!(out.text, "f(window.API + '/a', \"https://rates.herokuapp.com/b\");\n");
        assert_eq!(out.skipped.len(), 1);
        assert_eq!(out.skipped[0].reason, "third party");
    }
}
