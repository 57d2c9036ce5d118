//! The one pass over a file's tree: a depth-first walk that hands the collector each node
//! it has a use for, and what that node is.
//!
//! It finds exactly what the tree-sitter query it replaced found (the query is kept as a
//! test oracle in `query.rs`) for less than half the CPU: the query engine does bookkeeping
//! for every pattern at every node, where the walk compares one kind id per node and
//! looks at children only for the few kinds that can match.
//!
//! Fields are read with a tree cursor, as the query engine reads them, and not with
//! `Node::child_by_field_id`: the two disagree where a child is a hidden rule aliased
//! to a visible kind. In TypeScript's `typeof a.b.schedule(x)` the node API gives `b` as
//! the `property` of `a.b.schedule`, found inside the aliased `a.b`.

use std::num::NonZeroU16;
use std::sync::OnceLock;

use gix::bstr::ByteSlice;
use tree_sitter::{Language, Node, TreeCursor};

use super::ast;
use crate::lang::Lang;

/// tree-sitter's field id (its own alias for this is private).
type FieldId = NonZeroU16;

/// What a found node is; the collector decides what it means.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Capture {
    /// `process.env.X`: the outer member expression.
    EnvMember,
    /// `process.env[...]`: the subscript expression.
    EnvSubscript,
    /// The object pattern of `{ A, B: b } = process.env`.
    EnvPattern,
    /// `key: false`: the pair (the key is checked by the collector).
    FalsePair,
    /// Any `import` statement (TypeScript's `import x = require("y")` included).
    Import,
    /// Any `export` statement.
    Export,
    /// A call of a plain name: `require(...)`, or `schedule(...)` imported by name.
    NameCall,
    /// `import(...)`.
    DynamicImport,
    /// `x.schedule(...)`.
    ScheduleMethodCall,
    /// `module.exports` or `exports.x`.
    CommonJsExport,
}

/// Calls `found` for each node of the tree under `root` that the collector wants, in
/// depth-first order. A loop over a cursor, not recursion: a file can nest 50,000 deep.
///
/// Subtrees without any of [`WORDS`] are skipped: the nodes found there (calls of names
/// other than `require`) would give the collector nothing.
pub fn walk<'t>(lang: Lang, root: Node<'t>, source: &[u8], found: impl FnMut(Capture, Node<'t>)) {
    walk_with(lang, root, source, &Landmarks::of(source), found);
}

/// [`walk`] into every subtree: the tests compare what it finds with the query's matches,
/// and the fuzz target the facts with those of [`walk`].
pub fn walk_everything<'t>(
    lang: Lang,
    root: Node<'t>,
    source: &[u8],
    found: impl FnMut(Capture, Node<'t>),
) {
    walk_with(lang, root, source, &Landmarks(None), found);
}

fn walk_with<'t>(
    lang: Lang,
    root: Node<'t>,
    source: &[u8],
    landmarks: &Landmarks,
    found: impl FnMut(Capture, Node<'t>),
) {
    let mut walk = Walk { ids: Ids::of(lang), source, children: root.walk(), found };
    let mut cursor = root.walk();
    loop {
        let node = cursor.node();
        walk.visit(node);
        if landmarks.inside(node) && cursor.goto_first_child() {
            continue;
        }
        while !cursor.goto_next_sibling() {
            if !cursor.goto_parent() {
                return;
            }
        }
    }
}

/// Words of which every node the collector can use holds one: `process` (environment),
/// `import`, `export` (also in `exports`), `require` and `rejectUnauthorized`.
/// node-cron's calls are the exception: `cron.schedule(...)`, or `every(...)` after
/// `import { schedule as every } from "node-cron"`, need not hold any, so a file that
/// mentions `cron` at all is walked whole.
const WORDS: &[&[u8]] = &[b"process", b"import", b"export", b"require", b"rejectUnauthorized"];

/// Where [`WORDS`] start in a file. A subtree with none of them inside has nothing for
/// the collector, and is not entered: most of a file's nodes are in such subtrees.
struct Landmarks(Option<Vec<usize>>);

impl Landmarks {
    fn of(source: &[u8]) -> Landmarks {
        if source.find(b"cron").is_some() {
            return Landmarks(None);
        }
        let mut starts: Vec<usize> = WORDS.iter().flat_map(|word| source.find_iter(word)).collect();
        starts.sort_unstable();
        Landmarks(Some(starts))
    }

    /// Whether a word starts inside `node` (and so lies wholly inside it, since a node
    /// that holds part of a word's text holds all of that token).
    fn inside(&self, node: Node<'_>) -> bool {
        let Some(starts) = &self.0 else { return true };
        let first_after = starts.partition_point(|&at| at < node.start_byte());
        starts.get(first_after).is_some_and(|&at| at < node.end_byte())
    }
}

struct Walk<'t, 's, F> {
    ids: &'static Ids,
    source: &'s [u8],
    /// Reads the children of the node being looked at; reused to save allocations.
    children: TreeCursor<'t>,
    found: F,
}

impl<'t, F: FnMut(Capture, Node<'t>)> Walk<'t, '_, F> {
    /// Each kind can match one capture at most, so the first that applies is the one.
    fn visit(&mut self, node: Node<'t>) {
        let kind = node.kind_id();
        let ids = self.ids;
        let (kinds, fields) = (&ids.kind, &ids.field);
        if kind == kinds.member_expression {
            self.member_expression(node);
        } else if kind == kinds.call_expression {
            self.call_expression(node);
        } else if kind == kinds.pair {
            // `key: false`
            let [value] = self.children(node, [fields.value]);
            if value.is_some_and(|value| value.kind_id() == kinds.false_) {
                (self.found)(Capture::FalsePair, node);
            }
        } else if kind == kinds.subscript_expression {
            // `process.env[...]`
            let [object] = self.children(node, [fields.object]);
            if self.is_process_env(object) {
                (self.found)(Capture::EnvSubscript, node);
            }
        } else if kind == kinds.variable_declarator {
            // `const { A } = process.env`
            self.env_pattern(node, fields.name, fields.value);
        } else if kind == kinds.assignment_expression {
            // `({ A } = process.env)`
            self.env_pattern(node, fields.left, fields.right);
        } else if kind == kinds.import_statement {
            (self.found)(Capture::Import, node);
        } else if kind == kinds.export_statement {
            (self.found)(Capture::Export, node);
        }
    }

    /// `process.env.X`, `module.exports`, `exports.x`.
    fn member_expression(&mut self, node: Node<'t>) {
        let ids = self.ids;
        let (kinds, fields) = (&ids.kind, &ids.field);
        let [object, property] = self.children(node, [fields.object, fields.property]);
        let Some(object) = object else {
            return;
        };
        let common_js = if object.kind_id() == kinds.identifier {
            match ast::text(object, self.source) {
                b"exports" => true,
                b"module" => self.is(property, kinds.property_identifier, b"exports"),
                _ => false,
            }
        } else {
            false
        };
        if common_js {
            (self.found)(Capture::CommonJsExport, node);
        } else if property.is_some_and(|p| p.kind_id() == kinds.property_identifier)
            && self.is_process_env(Some(object))
        {
            (self.found)(Capture::EnvMember, node);
        }
    }

    /// `name(...)`, `import(...)`, `x.schedule(...)`. Each needs
    /// an argument list: TypeScript also calls with a template string (`` f`x` ``).
    fn call_expression(&mut self, node: Node<'t>) {
        let ids = self.ids;
        let (kinds, fields) = (&ids.kind, &ids.field);
        let [function, arguments] = self.children(node, [fields.function, fields.arguments]);
        let (Some(function), Some(arguments)) = (function, arguments) else {
            return;
        };
        if arguments.kind_id() != kinds.arguments {
            return;
        }
        let kind = function.kind_id();
        let capture = if kind == kinds.identifier {
            Some(Capture::NameCall)
        } else if kind == kinds.import {
            Some(Capture::DynamicImport)
        } else if kind == kinds.member_expression {
            let [property] = self.children(function, [fields.property]);
            match property.filter(|p| p.kind_id() == kinds.property_identifier) {
                Some(p) if ast::text(p, self.source) == b"schedule" => {
                    Some(Capture::ScheduleMethodCall)
                }
                _ => None,
            }
        } else {
            None
        };
        if let Some(capture) = capture {
            (self.found)(capture, node);
        }
    }

    /// The object pattern in `target` when `value` is `process.env`.
    fn env_pattern(&mut self, node: Node<'t>, target: FieldId, value: FieldId) {
        let [pattern, value] = self.children(node, [target, value]);
        if let Some(pattern) = pattern
            && pattern.kind_id() == self.ids.kind.object_pattern
            && self.is_process_env(value)
        {
            (self.found)(Capture::EnvPattern, pattern);
        }
    }

    /// `node` is the member expression `process.env`.
    fn is_process_env(&mut self, node: Option<Node<'t>>) -> bool {
        let ids = self.ids;
        let (kinds, fields) = (&ids.kind, &ids.field);
        let Some(node) = node.filter(|node| node.kind_id() == kinds.member_expression) else {
            return false;
        };
        let [object, property] = self.children(node, [fields.object, fields.property]);
        self.is(object, kinds.identifier, b"process")
            && self.is(property, kinds.property_identifier, b"env")
    }

    /// `node` is of `kind` and reads `text`.
    fn is(&self, node: Option<Node<'_>>, kind: u16, text: &[u8]) -> bool {
        node.is_some_and(|node| node.kind_id() == kind && ast::text(node, self.source) == text)
    }

    /// The first child of `node` in each of `fields`. A query's `object:` matches any
    /// child in that field, but none of the kinds looked at here has a field twice.
    fn children<const N: usize>(
        &mut self,
        node: Node<'t>,
        fields: [FieldId; N],
    ) -> [Option<Node<'t>>; N] {
        let mut found = [None; N];
        let cursor = &mut self.children;
        cursor.reset(node);
        if !cursor.goto_first_child() {
            return found;
        }
        loop {
            if let Some(field) = cursor.field_id()
                && let Some(i) = fields.iter().position(|&f| f == field)
                && found[i].is_none()
            {
                found[i] = Some(cursor.node());
            }
            if !cursor.goto_next_sibling() {
                return found;
            }
        }
    }
}

/// The node kind and field ids of one grammar, looked up once so that the walk compares
/// numbers. Every name exists in the JavaScript, TypeScript and TSX grammars.
struct Ids {
    kind: Kinds,
    field: Fields,
}

struct Kinds {
    member_expression: u16,
    subscript_expression: u16,
    call_expression: u16,
    pair: u16,
    variable_declarator: u16,
    assignment_expression: u16,
    import_statement: u16,
    export_statement: u16,
    identifier: u16,
    property_identifier: u16,
    object_pattern: u16,
    arguments: u16,
    /// The literal `false`.
    false_: u16,
    /// `import` as the callee of `import(...)`.
    import: u16,
}

struct Fields {
    object: FieldId,
    property: FieldId,
    function: FieldId,
    arguments: FieldId,
    name: FieldId,
    value: FieldId,
    left: FieldId,
    right: FieldId,
}

impl Ids {
    /// The ids for `lang`, looked up on first use and shared by every thread.
    fn of(lang: Lang) -> &'static Ids {
        static JAVASCRIPT: OnceLock<Ids> = OnceLock::new();
        static TYPESCRIPT: OnceLock<Ids> = OnceLock::new();
        static TSX: OnceLock<Ids> = OnceLock::new();
        let cell = match lang {
            Lang::JavaScript => &JAVASCRIPT,
            Lang::TypeScript => &TYPESCRIPT,
            Lang::Tsx => &TSX,
        };
        cell.get_or_init(|| Ids::new(&lang.grammar()))
    }

    fn new(language: &Language) -> Ids {
        // The names are constants checked by the tests for every language, so a
        // missing one is a bug in this file, not something a user's input can cause.
        let kind = |name: &str| {
            // Named kinds only: `import` and `false` are keywords too.
            let id = language.id_for_node_kind(name, true);
            assert_ne!(id, 0, "no node kind {name} in the grammar");
            id
        };
        let field = |name: &str| {
            language.field_id_for_name(name).unwrap_or_else(|| panic!("no field {name}"))
        };
        Ids {
            kind: Kinds {
                member_expression: kind("member_expression"),
                subscript_expression: kind("subscript_expression"),
                call_expression: kind("call_expression"),
                pair: kind("pair"),
                variable_declarator: kind("variable_declarator"),
                assignment_expression: kind("assignment_expression"),
                import_statement: kind("import_statement"),
                export_statement: kind("export_statement"),
                identifier: kind("identifier"),
                property_identifier: kind("property_identifier"),
                object_pattern: kind("object_pattern"),
                arguments: kind("arguments"),
                false_: kind("false"),
                import: kind("import"),
            },
            field: Fields {
                object: field("object"),
                property: field("property"),
                function: field("function"),
                arguments: field("arguments"),
                name: field("name"),
                value: field("value"),
                left: field("left"),
                right: field("right"),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn captures(lang: Lang, source: &str, every: bool) -> Vec<(Capture, String)> {
        let tree = lang.parse(source.as_bytes()).expect("parsed");
        let mut found = Vec::new();
        let mut keep = |kind, node: Node<'_>| {
            found.push((kind, node.utf8_text(source.as_bytes()).unwrap().to_owned()));
        };
        let root = tree.root_node();
        if every {
            walk_everything(lang, root, source.as_bytes(), &mut keep);
        } else {
            walk(lang, root, source.as_bytes(), &mut keep);
        }
        found
    }

    #[test]
    fn subtrees_without_a_landmark_are_not_entered() {
        let source = "function start() { listen(port); }\nconst port = process.env.PORT;\n";
        let everything = captures(Lang::JavaScript, source, true);
        assert_eq!(everything.len(), 2, "{everything:?}");
        assert_eq!(captures(Lang::JavaScript, source, false), [everything[1].clone()]);
        // Words inside a subtree keep it: here the whole function.
        let inside = "function start() { listen(process.env.PORT); }";
        assert_eq!(captures(Lang::JavaScript, inside, false).len(), 2);
    }

    #[test]
    fn a_file_that_mentions_cron_is_walked_whole() {
        // `every` is node-cron's schedule under another name: no landmark in the call.
        let source = "import { schedule as every } from 'node-cron';\n\
                      function jobs() { every('* * * * *', run, { runOnInit: true }); }\n";
        let found = captures(Lang::TypeScript, source, false);
        assert!(
            found
                .iter()
                .any(|(kind, text)| *kind == Capture::NameCall && text.starts_with("every(")),
            "{found:?}"
        );
        let facts = super::super::scan("jobs.ts", Lang::TypeScript, source.as_bytes());
        assert_eq!(facts.cron_v3_options, [("runOnInit".to_owned(), 2)]);
    }

    #[test]
    fn every_kind_and_field_exists_in_every_language() {
        for lang in [Lang::JavaScript, Lang::TypeScript, Lang::Tsx] {
            let ids = Ids::of(lang);
            assert!(std::ptr::eq(ids, Ids::of(lang)), "looked up once");
            let language = lang.grammar();
            assert_eq!(language.node_kind_for_id(ids.kind.false_), Some("false"));
            assert!(language.node_kind_is_named(ids.kind.import), "{lang:?}");
        }
    }
}
