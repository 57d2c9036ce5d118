//! How a document is written (newlines, indentation, spacing), and writing new values in
//! that same style so an inserted member looks like its neighbours.

use serde_json::Value;

use super::parse::{Member, Node, NodeKind};

/// The conventions of the whole document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DocStyle {
    /// `"\r\n"` when the file's first line break is CRLF.
    pub newline: &'static str,
    /// One level of indentation: a tab or some spaces.
    pub unit: String,
    /// What separates a key from its value, e.g. `": "`.
    pub colon: String,
}

/// Spacing of an object written on one line, e.g. `{ "a": 1, "b": 2 }`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InlineStyle {
    /// Whether `{` and `}` are padded with a space.
    pub pad: bool,
    /// What follows a comma.
    pub after_comma: String,
    pub colon: String,
}

/// Where a rendered value goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Layout {
    /// One member or element per line; `indent` is that of the line the value starts on.
    Block {
        indent: String,
    },
    Inline(InlineStyle),
}

impl DocStyle {
    pub fn detect(text: &str, root: &Node) -> DocStyle {
        let newline = match text.find('\n') {
            Some(i) if i > 0 && text.as_bytes()[i - 1] == b'\r' => "\r\n",
            _ => "\n",
        };
        let colon = first_colon(text, root).unwrap_or(": ").to_string();
        DocStyle { newline, unit: indent_unit(text), colon }
    }

    /// The spacing to use on one line when no neighbour shows it: compact if the
    /// document's colons are compact, spaced otherwise.
    pub fn default_inline(&self) -> InlineStyle {
        let spaced = self.colon.ends_with(' ');
        InlineStyle {
            pad: spaced,
            after_comma: if spaced { " " } else { "" }.to_string(),
            colon: self.colon.clone(),
        }
    }
}

/// The indentation unit: a tab if the first indented line starts with one, otherwise the
/// smallest run of leading spaces on any line (2 when nothing is indented).
fn indent_unit(text: &str) -> String {
    let mut smallest: Option<usize> = None;
    for line in text.lines() {
        let rest = line.trim_start_matches([' ', '\t']);
        if rest.is_empty() || rest.len() == line.len() {
            continue;
        }
        let lead = &line[..line.len() - rest.len()];
        if lead.starts_with('\t') && smallest.is_none() {
            return "\t".to_string();
        }
        let spaces = lead.len() - lead.trim_start_matches(' ').len();
        if spaces > 0 {
            smallest = Some(smallest.map_or(spaces, |s| s.min(spaces)));
        }
    }
    " ".repeat(smallest.unwrap_or(2))
}

/// The key/value separator of the first member found, depth first, that has one on a
/// single line.
fn first_colon<'t>(text: &'t str, node: &Node) -> Option<&'t str> {
    match &node.kind {
        NodeKind::Object(members) => members
            .iter()
            .find_map(|m| member_colon(text, m).or_else(|| first_colon(text, &m.value))),
        NodeKind::Array(items) => items.iter().find_map(|item| first_colon(text, item)),
        _ => None,
    }
}

/// The text between a member's key and its value, unless it spans lines.
pub fn member_colon<'t>(text: &'t str, member: &Member) -> Option<&'t str> {
    let between = &text[member.key_span.end..member.value.span.start];
    (!between.contains('\n')).then_some(between)
}

/// The leading spaces and tabs of the line that contains byte `offset`.
pub fn line_indent(text: &str, offset: usize) -> &str {
    let line_start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
    let line = &text[line_start..];
    let rest = line.trim_start_matches([' ', '\t']);
    &line[..line.len() - rest.len()]
}

/// Whether an object is written one member per line. An empty object has no members to
/// show it, so it follows the line breaks inside it, else its parent.
pub fn is_block(text: &str, object: &Node, parent_is_block: bool) -> bool {
    let inner = object.span.start + 1..object.span.end - 1;
    match &object.kind {
        NodeKind::Object(members) if !members.is_empty() => {
            text[inner.start..members[0].key_span.start].contains('\n')
        }
        _ => text[inner].contains('\n') || parent_is_block,
    }
}

/// The spacing of a one-line object, read from its own members where it has them.
pub fn inline_style(text: &str, object: &Node, doc: &DocStyle) -> InlineStyle {
    let mut style = doc.default_inline();
    let NodeKind::Object(members) = &object.kind else {
        return style;
    };
    let (Some(first), Some(last)) = (members.first(), members.last()) else {
        return style;
    };
    style.pad = first.key_span.start > object.span.start + 1;
    if let Some(colon) = member_colon(text, last) {
        style.colon = colon.to_string();
    }
    if let Some(second) = members.get(1) {
        let gap = &text[first.value.span.end..second.key_span.start];
        style.after_comma = gap.split_once(',').map_or("", |(_, after)| after).to_string();
    }
    style
}

/// A JSON string literal as serde_json writes it (non-ASCII kept as is).
pub fn quote(s: &str) -> String {
    Value::from(s).to_string()
}

/// Appends `value` written in `layout`, with `doc`'s newline, unit and colon.
pub fn render(value: &Value, layout: &Layout, doc: &DocStyle, out: &mut String) {
    match layout {
        Layout::Block { indent } => render_block(value, indent, doc, out),
        Layout::Inline(style) => render_inline(value, style, out),
    }
}

fn render_block(value: &Value, indent: &str, doc: &DocStyle, out: &mut String) {
    let inner = format!("{indent}{}", doc.unit);
    let (open, close) = match value {
        Value::Object(map) if !map.is_empty() => ('{', '}'),
        Value::Array(items) if !items.is_empty() => ('[', ']'),
        _ => return out.push_str(&value.to_string()),
    };
    out.push(open);
    let mut first = true;
    let mut line = |out: &mut String| {
        out.push_str(if first { "" } else { "," });
        out.push_str(doc.newline);
        out.push_str(&inner);
        first = false;
    };
    if let Value::Object(map) = value {
        for (key, child) in map {
            line(out);
            out.push_str(&quote(key));
            out.push_str(&doc.colon);
            render_block(child, &inner, doc, out);
        }
    } else if let Value::Array(items) = value {
        for child in items {
            line(out);
            render_block(child, &inner, doc, out);
        }
    }
    out.push_str(doc.newline);
    out.push_str(indent);
    out.push(close);
}

fn render_inline(value: &Value, style: &InlineStyle, out: &mut String) {
    let comma = format!(",{}", style.after_comma);
    match value {
        Value::Object(map) if !map.is_empty() => {
            out.push_str(if style.pad { "{ " } else { "{" });
            for (i, (key, child)) in map.iter().enumerate() {
                out.push_str(if i == 0 { "" } else { &comma });
                out.push_str(&quote(key));
                out.push_str(&style.colon);
                render_inline(child, style, out);
            }
            out.push_str(if style.pad { " }" } else { "}" });
        }
        Value::Array(items) if !items.is_empty() => {
            out.push('[');
            for (i, child) in items.iter().enumerate() {
                out.push_str(if i == 0 { "" } else { &comma });
                render_inline(child, style, out);
            }
            out.push(']');
        }
        _ => out.push_str(&value.to_string()),
    }
}
