//! Hard-coded `<name>.herokuapp.com` addresses in string and template literals.
//!
//! The host is searched in the bytes ([`crate::herokuapp::find`]), then the tree says
//! whether each hit sits in a literal: cheaper than visiting every string of the file,
//! and comments, regex literals and code inside `${...}` are left out for free.

use tree_sitter::Node;

use super::UrlUse;
use super::ast::lossy;

/// Every `<name>.herokuapp.com` address inside a literal, in source order.
pub fn herokuapp_urls(root: Node<'_>, source: &[u8]) -> Vec<UrlUse> {
    crate::herokuapp::find(source)
        .filter_map(|found| {
            let literal = literal_around(root, found.host.start, found.host.end)?;
            // The literal's quotes bound the address, whatever the scan took.
            let start = found.url.start.max(literal.start_byte() + 1);
            let end = found.url.end.min(literal.end_byte().saturating_sub(1)).max(start);
            let newlines = source[literal.start_byte()..start].iter().filter(|&&b| b == b'\n');
            let line = literal.start_position().row + 1 + newlines.count();
            Some(UrlUse { url: lossy(&source[start..end]), line })
        })
        .collect()
}

/// The string or template literal whose text contains the host at `start..end`.
fn literal_around(root: Node<'_>, start: usize, end: usize) -> Option<Node<'_>> {
    let node = root.descendant_for_byte_range(start, end)?;
    let node = match node.kind() {
        "string_fragment" | "escape_sequence" => node.parent()?,
        _ => node,
    };
    matches!(node.kind(), "string" | "template_string").then_some(node)
}
