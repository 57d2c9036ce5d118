//! Small readings of syntax nodes shared by the collectors. They work on bytes, so
//! invalid UTF-8 in a file never stops a scan.

use tree_sitter::Node;

/// The bytes of `node`. Tree-sitter ranges always lie inside the parsed text.
pub fn text<'s>(node: Node<'_>, source: &'s [u8]) -> &'s [u8] {
    source.get(node.byte_range()).unwrap_or_default()
}

pub fn lossy(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// 1-based line where `node` starts.
pub fn line(node: Node<'_>) -> usize {
    node.start_position().row + 1
}

/// The first `Some` that `visit` gives for `root` and the nodes below it, in source
/// order (a cursor made on `root` never climbs above it).
pub fn find_in<'t, T>(root: Node<'t>, mut visit: impl FnMut(Node<'t>) -> Option<T>) -> Option<T> {
    let mut cursor = root.walk();
    loop {
        if let Some(found) = visit(cursor.node()) {
            return Some(found);
        }
        if cursor.goto_first_child() {
            continue;
        }
        while !cursor.goto_next_sibling() {
            if !cursor.goto_parent() {
                return None;
            }
        }
    }
}

/// Calls `visit` on `root` and every node below it, in source order.
pub fn each_node<'t>(root: Node<'t>, mut visit: impl FnMut(Node<'t>)) {
    find_in(root, |node| {
        visit(node);
        None::<()>
    });
}

/// The child of `node` in field `name`, read with a cursor over its own children.
///
/// `Node::child_by_field_name` can answer with a node from inside a hidden child that is
/// aliased to a visible kind: for TypeScript's `typeof process.env.FOO` it gives `env`
/// as the `property`. A cursor sees the fields as the tree-sitter query engine does.
pub fn field<'t>(node: Node<'t>, name: &str) -> Option<Node<'t>> {
    let mut cursor = node.walk();
    if !cursor.goto_first_child() {
        return None;
    }
    loop {
        if cursor.field_name() == Some(name) {
            return Some(cursor.node());
        }
        if !cursor.goto_next_sibling() {
            return None;
        }
    }
}

/// The child in field `field` of `parent` is `node`.
pub fn is_field(parent: Node<'_>, field: &str, node: Node<'_>) -> bool {
    parent.child_by_field_name(field) == Some(node)
}

/// The value of a string literal, or of a template literal without substitutions, as
/// written between its quotes (escapes are kept as written).
pub fn literal_value<'s>(node: Node<'_>, source: &'s [u8]) -> Option<&'s [u8]> {
    let plain = match node.kind() {
        "string" => true,
        "template_string" => {
            let mut cursor = node.walk();
            let has_substitution =
                node.named_children(&mut cursor).any(|c| c.kind() == "template_substitution");
            !has_substitution
        }
        _ => false,
    };
    let quoted = text(node, source);
    // An unterminated literal in broken code can be one byte long.
    (plain && quoted.len() >= 2).then(|| &quoted[1..quoted.len() - 1])
}

/// The name an object key or destructuring key stands for: `a`, `"a"` or `'a'`.
/// Computed keys (`[expr]`) and numbers have no static name.
pub fn key_name<'s>(key: Node<'_>, source: &'s [u8]) -> Option<&'s [u8]> {
    match key.kind() {
        "property_identifier" | "shorthand_property_identifier" => Some(text(key, source)),
        "shorthand_property_identifier_pattern" => Some(text(key, source)),
        "string" => literal_value(key, source),
        _ => None,
    }
}

/// The first argument of a call when it is a plain string: `require("x")` gives `x`.
pub fn first_string_argument<'s>(call: Node<'_>, source: &'s [u8]) -> Option<&'s [u8]> {
    let arguments = call.child_by_field_name("arguments")?;
    let mut cursor = arguments.walk();
    let first = arguments.named_children(&mut cursor).find(|c| c.kind() != "comment")?;
    literal_value(first, source)
}

/// The first node, in source order, that the parser could not read or had to invent.
pub fn first_error(root: Node<'_>) -> Option<Node<'_>> {
    if !root.has_error() {
        return None;
    }
    let mut node = root;
    'descend: loop {
        if node.is_error() || node.is_missing() {
            return Some(node);
        }
        let mut cursor = node.walk();
        for child in node.children(&mut cursor) {
            if child.has_error() {
                node = child;
                continue 'descend;
            }
        }
        return Some(node);
    }
}

/// The keys `{ A, B: b, C = "d", D: d = "e" }` destructures, with each key's name: A, B, C
/// and D. Computed keys and `...rest` name nothing in particular; a node that is not an
/// object pattern has none.
pub fn destructured_keys<'t, 's>(pattern: Node<'t>, source: &'s [u8]) -> Vec<(Node<'t>, &'s [u8])> {
    if pattern.kind() != "object_pattern" {
        return Vec::new();
    }
    let mut cursor = pattern.walk();
    let keys = pattern.named_children(&mut cursor).filter_map(|entry| match entry.kind() {
        "shorthand_property_identifier_pattern" => Some(entry),
        "object_assignment_pattern" => entry.child_by_field_name("left"),
        "pair_pattern" => entry.child_by_field_name("key"),
        _ => None,
    });
    keys.filter_map(|key| Some((key, key_name(key, source)?))).collect()
}
