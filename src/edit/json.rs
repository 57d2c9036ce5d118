//! Format-preserving edits of JSON files (package.json) by byte span.
//!
//! Every edit is one splice: the bytes of one value are replaced, or one member is
//! inserted after the last member of its object, or one member is cut out. Everything
//! else (indentation, key order, CRLF, a missing final newline, a BOM, inline arrays,
//! escapes, number spellings) stays byte for byte. New text follows the file's own style.
//! Each result is parsed again and compared with the intended value before it is returned.

mod parse;
mod style;
#[cfg(test)]
mod tests;

use std::ops::Range;

use serde_json::{Map, Value};

use crate::diag::{FileError, Position};
use style::{DocStyle, Layout};

pub use parse::{JsonError, MAX_DEPTH, Member, Node, NodeKind, parse, parse_error};

/// Why an edit was not made. Offsets are bytes of the text that was passed in.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EditError {
    #[error("invalid JSON: {0}")]
    Parse(#[from] JsonError),
    #[error("the path to edit is empty")]
    EmptyPath,
    #[error("cannot set `{path}`: {at} is {found}, not an object")]
    NotAnObject { path: String, at: String, found: &'static str, offset: usize },
    /// The guard fired: the edit would have produced text that does not mean what was
    /// intended. This is a bug in the editor; nothing is written.
    #[error("editing `{path}` would not give the intended JSON ({reason}); the file is left as is")]
    Unverified { path: String, reason: String, offset: usize },
}

impl EditError {
    /// The error as the user sees it: `file`, and the line and column in `text` (the
    /// text the edit was given). Every JSON edit error reaches the user through here.
    pub fn to_file_error(&self, file: &str, text: &str) -> FileError {
        match self {
            EditError::Parse(err) => parse_error(file, text, err),
            _ => FileError {
                file: file.to_owned(),
                position: self.position(text),
                message: self.to_string(),
            },
        }
    }

    /// Where in `text` (the text the edit was given) the error is, when it has a place.
    pub fn position(&self, text: &str) -> Option<Position> {
        match self {
            EditError::Parse(JsonError { offset, .. })
            | EditError::NotAnObject { offset, .. }
            | EditError::Unverified { offset, .. } => {
                Some(Position::of_offset(text.as_bytes(), *offset))
            }
            EditError::EmptyPath => None,
        }
    }
}

/// The value at a path of object keys, or `None` when some key is missing.
pub fn get(text: &str, path: &[&str]) -> Result<Option<Value>, JsonError> {
    Ok(parse(text)?.lookup(path).map(Node::to_value))
}

/// Sets the value at `path`, creating missing objects along it. An existing value is
/// replaced in place (unchanged text if it already equals `value`); a missing member is
/// added after the last member of its object, in the object's style.
pub fn set(text: &str, path: &[&str], value: &Value) -> Result<String, EditError> {
    set_placed(text, path, value, None)
}

/// Like [`set`], but a missing member is inserted before the first member of its object
/// whose key sorts after it by `order` (after the last member when none does), so a file
/// whose keys a tool keeps sorted (npm's lockfiles) stays sorted.
pub fn set_sorted(
    text: &str,
    path: &[&str],
    value: &Value,
    order: fn(&str, &str) -> std::cmp::Ordering,
) -> Result<String, EditError> {
    set_placed(text, path, value, Some(order))
}

fn set_placed(
    text: &str,
    path: &[&str],
    value: &Value,
    order: Option<fn(&str, &str) -> std::cmp::Ordering>,
) -> Result<String, EditError> {
    if path.is_empty() {
        return Err(EditError::EmptyPath);
    }
    let root = parse(text)?;
    let Some(splice) = plan_set(text, &root, path, value, order)? else {
        return Ok(text.to_string());
    };
    let mut intended = root.to_value();
    set_value(&mut intended, path, value.clone());
    let result = splice.apply(text);
    verify(&result, &intended, path, splice.range.start)?;
    Ok(result)
}

/// Removes the member at `path` with its comma, and its whole line(s) when it sits on
/// lines of its own. Duplicates of the key are removed too, so the key is really gone.
/// A missing member (or a path through a non-object) leaves the text unchanged.
pub fn remove(text: &str, path: &[&str]) -> Result<String, EditError> {
    let Some((key, parent_path)) = path.split_last() else {
        return Err(EditError::EmptyPath);
    };
    let root = parse(text)?;
    let Some((_, members)) = object_at(&root, parent_path) else {
        return Ok(text.to_string());
    };
    let occurrences = members.iter().filter(|m| m.key == *key).count();
    let mut result = text.to_string();
    let mut edit_offset = None;
    // One occurrence per pass: each pass re-parses, so spans never go stale.
    for _ in 0..occurrences {
        let node = parse(&result).map_err(|e| unverified(path, e.to_string(), e.offset))?;
        let Some((object, members)) = object_at(&node, parent_path) else {
            return Err(unverified(path, "the parent object vanished".into(), 0));
        };
        let Some(splice) = plan_remove(object, members, key) else {
            break;
        };
        edit_offset = Some(splice.range.start);
        result = splice.apply(&result);
    }
    let Some(offset) = edit_offset else {
        return Ok(result);
    };
    let mut intended = root.to_value();
    if let Some(Value::Object(map)) =
        parent_path.iter().try_fold(&mut intended, |v, k| v.get_mut(*k))
    {
        map.remove(*key);
    }
    verify(&result, &intended, path, offset)?;
    Ok(result)
}

/// Replace `range` of the text with `with`.
struct Splice {
    range: Range<usize>,
    with: String,
}

impl Splice {
    fn apply(&self, text: &str) -> String {
        let mut out = String::with_capacity(text.len() + self.with.len());
        out.push_str(&text[..self.range.start]);
        out.push_str(&self.with);
        out.push_str(&text[self.range.end..]);
        out
    }
}

fn plan_set(
    text: &str,
    root: &Node,
    path: &[&str],
    value: &Value,
    order: Option<fn(&str, &str) -> std::cmp::Ordering>,
) -> Result<Option<Splice>, EditError> {
    let doc = DocStyle::detect(text, root);
    let mut node = root;
    // The top level counts as block context: an empty `{}` file grows into lines.
    let mut parent_is_block = true;
    for (depth, key) in path.iter().enumerate() {
        let NodeKind::Object(members) = &node.kind else {
            return Err(not_an_object(path, depth, node));
        };
        let block = style::is_block(text, node, parent_is_block);
        let rest = &path[depth + 1..];
        let Some(member) = node.member(key) else {
            let new_value = rest.iter().rev().fold(value.clone(), |inner, k| {
                Value::Object(Map::from_iter([(k.to_string(), inner)]))
            });
            let next = order.and_then(|order| {
                members.iter().find(|m| order(&m.key, key) == std::cmp::Ordering::Greater)
            });
            if let Some(next) = next {
                return Ok(Some(insert_before(text, node, next, key, &new_value, block, &doc)));
            }
            return Ok(Some(insert_member(text, node, members, key, &new_value, block, &doc)));
        };
        if rest.is_empty() {
            return Ok(replace_value(text, node, member, value, block, &doc));
        }
        node = &member.value;
        parent_is_block = block;
    }
    // Only an empty path gets here, and there is nothing to set.
    Ok(None)
}

/// The splice that replaces the value of `member` of `object`, or `None` when the value
/// already means `value` (its spelling is kept, so a second migration changes nothing).
fn replace_value(
    text: &str,
    object: &Node,
    member: &Member,
    value: &Value,
    block: bool,
    doc: &DocStyle,
) -> Option<Splice> {
    if member.value.to_value() == *value {
        return None;
    }
    let layout = if block {
        Layout::Block { indent: style::line_indent(text, member.key_span.start).to_string() }
    } else {
        Layout::Inline(style::inline_style(text, object, doc))
    };
    let mut with = String::new();
    style::render(value, &layout, doc, &mut with);
    Some(Splice { range: member.value.span.clone(), with })
}

/// The splice that adds `"key": value` to `object`: after its last member, or as the
/// whole content of an empty object.
fn insert_member(
    text: &str,
    object: &Node,
    members: &[Member],
    key: &str,
    value: &Value,
    block: bool,
    doc: &DocStyle,
) -> Splice {
    let mut with = String::new();
    let Some(last) = members.last() else {
        return fill_empty(text, object, key, value, block, doc);
    };
    let colon = style::member_colon(text, last).unwrap_or(&doc.colon);
    let layout = if block {
        let indent = style::line_indent(text, last.key_span.start);
        with.push(',');
        with.push_str(doc.newline);
        with.push_str(indent);
        Layout::Block { indent: indent.to_string() }
    } else {
        let inline = style::inline_style(text, object, doc);
        with.push(',');
        with.push_str(&inline.after_comma);
        Layout::Inline(inline)
    };
    with.push_str(&style::quote(key));
    with.push_str(colon);
    style::render(value, &layout, doc, &mut with);
    let at = last.value.span.end;
    Splice { range: at..at, with }
}

/// The splice that adds `"key": value,` to `object` just before the member `next`, in the
/// style of `next`'s line.
fn insert_before(
    text: &str,
    object: &Node,
    next: &Member,
    key: &str,
    value: &Value,
    block: bool,
    doc: &DocStyle,
) -> Splice {
    let mut with = style::quote(key);
    with.push_str(style::member_colon(text, next).unwrap_or(&doc.colon));
    let gap = if block {
        let indent = style::line_indent(text, next.key_span.start);
        style::render(value, &Layout::Block { indent: indent.to_string() }, doc, &mut with);
        format!("{}{indent}", doc.newline)
    } else {
        let inline = style::inline_style(text, object, doc);
        let gap = inline.after_comma.clone();
        style::render(value, &Layout::Inline(inline), doc, &mut with);
        gap
    };
    with.push(',');
    with.push_str(&gap);
    let at = next.key_span.start;
    Splice { range: at..at, with }
}

/// The splice that replaces an empty object (`{}`, or with whitespace inside) with one
/// holding a single member.
fn fill_empty(
    text: &str,
    object: &Node,
    key: &str,
    value: &Value,
    block: bool,
    doc: &DocStyle,
) -> Splice {
    let mut with = String::from("{");
    let (layout, close) = if block {
        let indent = style::line_indent(text, object.span.start);
        let inner = format!("{indent}{}", doc.unit);
        with.push_str(doc.newline);
        with.push_str(&inner);
        (Layout::Block { indent: inner }, format!("{}{indent}}}", doc.newline))
    } else {
        let inline = doc.default_inline();
        let pad = if inline.pad { " " } else { "" };
        with.push_str(pad);
        (Layout::Inline(inline), format!("{pad}}}"))
    };
    with.push_str(&style::quote(key));
    with.push_str(&doc.colon);
    style::render(value, &layout, doc, &mut with);
    with.push_str(&close);
    Splice { range: object.span.clone(), with }
}

/// The object at `path` and its members.
fn object_at<'n>(root: &'n Node, path: &[&str]) -> Option<(&'n Node, &'n [Member])> {
    let node = root.lookup(path)?;
    match &node.kind {
        NodeKind::Object(members) => Some((node, members)),
        _ => None,
    }
}

/// The splice that cuts the last member named `key` out of `object` with one comma.
fn plan_remove(object: &Node, members: &[Member], key: &str) -> Option<Splice> {
    let index = members.iter().rposition(|m| m.key == key)?;
    let range = match (index.checked_sub(1), members.get(index + 1)) {
        // Up to the next key: the comma, line break and indentation go with it.
        (_, Some(next)) => members[index].key_span.start..next.key_span.start,
        // From the end of the previous value: its comma goes, its line stays.
        (Some(prev), None) => members[prev].value.span.end..members[index].value.span.end,
        // The only member: the object becomes `{}`.
        (None, None) => object.span.start + 1..object.span.end - 1,
    };
    Some(Splice { range, with: String::new() })
}

fn set_value(target: &mut Value, path: &[&str], value: Value) {
    let mut current = target;
    for key in path {
        if !current.is_object() {
            *current = Value::Object(Map::new());
        }
        let map = current.as_object_mut().expect("just made an object");
        current = map.entry(key.to_string()).or_insert(Value::Null);
    }
    *current = value;
}

/// The bug guard: the edited text must parse and mean exactly `intended`.
fn verify(result: &str, intended: &Value, path: &[&str], offset: usize) -> Result<(), EditError> {
    let reparsed =
        parse(result).map_err(|e| unverified(path, format!("it would not parse: {e}"), offset))?;
    if reparsed.to_value() != *intended {
        return Err(unverified(path, "it would parse to a different value".into(), offset));
    }
    Ok(())
}

fn unverified(path: &[&str], reason: String, offset: usize) -> EditError {
    EditError::Unverified { path: path.join("."), reason, offset }
}

fn not_an_object(path: &[&str], depth: usize, node: &Node) -> EditError {
    let at = match depth {
        0 => "the top-level value".to_string(),
        _ => format!("`{}`", path[..depth].join(".")),
    };
    EditError::NotAnObject {
        path: path.join("."),
        at,
        found: node.kind_name(),
        offset: node.span.start,
    }
}
