//! Hard-coded `<name>.herokuapp.com` addresses in string and template literals.
//!
//! The host is searched in the bytes, then the tree says whether each hit sits in a
//! literal: cheaper than visiting every string of the file, and comments, regex
//! literals and code inside `${...}` are left out for free.

use tree_sitter::Node;

use super::UrlUse;
use super::ast::lossy;

const HOST_SUFFIX: &[u8] = b".herokuapp.com";

/// Every `<name>.herokuapp.com` address inside a literal, in source order.
pub fn herokuapp_urls(root: Node<'_>, source: &[u8]) -> Vec<UrlUse> {
    suffix_offsets(source)
        .filter_map(|at| {
            let literal = literal_around(root, at)?;
            url_at(literal, source, at)
        })
        .collect()
}

/// Offsets of `.herokuapp.com` in `source`. Checking the rare `k` first keeps the scan
/// from comparing at every position.
fn suffix_offsets(source: &[u8]) -> impl Iterator<Item = usize> + '_ {
    source
        .windows(HOST_SUFFIX.len())
        .enumerate()
        .filter(|(_, window)| window[5] == b'k' && *window == HOST_SUFFIX)
        .map(|(at, _)| at)
}

/// The string or template literal whose text contains the host suffix at `at`.
fn literal_around(root: Node<'_>, at: usize) -> Option<Node<'_>> {
    let node = root.descendant_for_byte_range(at, at + HOST_SUFFIX.len())?;
    let node = match node.kind() {
        "string_fragment" | "escape_sequence" => node.parent()?,
        _ => node,
    };
    matches!(node.kind(), "string" | "template_string").then_some(node)
}

/// The address around the host suffix at `at`, bounded by the literal's quotes.
fn url_at(literal: Node<'_>, source: &[u8], at: usize) -> Option<UrlUse> {
    let content_start = (literal.start_byte() + 1).min(at);
    let content_end = literal.end_byte().saturating_sub(1).max(at + HOST_SUFFIX.len());
    let name_start = name_start(source, content_start, at)?;
    let start = scheme_start(source, content_start, name_start);
    let end = url_end(source, at + HOST_SUFFIX.len(), content_end)?;
    let newlines = source[literal.start_byte()..start].iter().filter(|&&b| b == b'\n').count();
    let line = literal.start_position().row + 1 + newlines;
    Some(UrlUse { url: lossy(&source[start..end]), line })
}

fn is_host_byte(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || byte == b'-'
}

/// Start of the app name before the suffix; `None` when there is no name
/// (`"*.herokuapp.com"` is a pattern, not an address).
fn name_start(source: &[u8], content_start: usize, at: usize) -> Option<usize> {
    let name_len = source[content_start..at].iter().rev().take_while(|&&b| is_host_byte(b)).count();
    (name_len > 0).then_some(at - name_len)
}

/// Start of `https://` or `//` before the host, or the host itself.
fn scheme_start(source: &[u8], content_start: usize, host_start: usize) -> usize {
    let before = &source[content_start..host_start];
    let Some(before_slashes) = before.strip_suffix(b"//") else {
        return host_start;
    };
    let Some(before_colon) = before_slashes.strip_suffix(b":") else {
        return host_start - 2;
    };
    let scheme_len = before_colon
        .iter()
        .rev()
        .take_while(|&&b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'-' | b'.'))
        .count();
    if scheme_len == 0 { host_start } else { host_start - 3 - scheme_len }
}

/// End of the address: the end of the literal, whitespace, a quote or a `${`, less
/// trailing punctuation. `None` when the suffix continues as a longer host name.
fn url_end(source: &[u8], host_end: usize, content_end: usize) -> Option<usize> {
    let rest = &source[host_end..content_end];
    if rest.first().is_some_and(|&b| is_host_byte(b) || b == b'_') {
        return None;
    }
    let mut len = rest
        .iter()
        .enumerate()
        .take_while(|&(i, &b)| {
            let substitution = b == b'$' && rest.get(i + 1) == Some(&b'{');
            !(substitution || b.is_ascii_whitespace() || b"\"'`<>\\".contains(&b))
        })
        .count();
    while len > 0 && b".,;:!?)]}".contains(&rest[len - 1]) {
        len -= 1;
    }
    Some(host_end + len)
}
