//! Property tests: generated objects written in random styles, edited at random paths.
//! The oracle is serde_json; the renderer here is independent of the editor's.

use proptest::prelude::*;
use serde_json::{Map, Value};

use super::super::{EditError, parse, remove, set};

/// How a generated document is written.
#[derive(Debug, Clone)]
struct Format {
    unit: &'static str,
    newline: &'static str,
    colon: &'static str,
    /// Objects at this depth and deeper are written on one line (0: the whole document).
    inline_from: usize,
    inline_pad: bool,
    inline_comma: &'static str,
    inline_arrays: bool,
    escape_slash: bool,
    escape_non_ascii: bool,
    bom: bool,
    final_newline: bool,
}

fn format() -> impl Strategy<Value = Format> {
    let layout = (
        prop::sample::select(vec!["  ", "    ", "\t"]),
        prop::sample::select(vec!["\n", "\r\n"]),
        prop::sample::select(vec![": ", ":", " : "]),
        0..4usize,
        any::<bool>(),
        prop::sample::select(vec![", ", ","]),
    );
    let flags = any::<(bool, bool, bool, bool, bool)>();
    (layout, flags).prop_map(
        |((unit, newline, colon, inline_from, inline_pad, inline_comma), f)| Format {
            unit,
            newline,
            colon,
            inline_from,
            inline_pad,
            inline_comma,
            inline_arrays: f.0,
            escape_slash: f.1,
            escape_non_ascii: f.2,
            bom: f.3,
            final_newline: f.4,
        },
    )
}

fn key() -> impl Strategy<Value = String> {
    prop::sample::select(vec!["a", "b", "engines", "node", "é", "x\"y", "s/t"])
        .prop_map(String::from)
}

fn scalar() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        (-1000i64..1000).prop_map(Value::from),
        prop::sample::select(vec![0.5, -1.25, 3e-7]).prop_map(Value::from),
        "[a-zé/\"\\\\\n\u{1F600}]{0,4}".prop_map(Value::from),
    ]
}

fn value() -> impl Strategy<Value = Value> {
    scalar().prop_recursive(3, 24, 4, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::btree_map(key(), inner, 0..4)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

fn document() -> impl Strategy<Value = Value> {
    prop::collection::btree_map(key(), value(), 0..5)
        .prop_map(|m| Value::Object(m.into_iter().collect::<Map<_, _>>()))
}

fn path() -> impl Strategy<Value = Vec<String>> {
    prop::collection::vec(key(), 1..4)
}

fn write_string(s: &str, f: &Format, out: &mut String) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '/' if f.escape_slash => out.push_str("\\/"),
            c if (c as u32) < 0x20 || (f.escape_non_ascii && !c.is_ascii()) => {
                let mut units = [0u16; 2];
                for unit in c.encode_utf16(&mut units) {
                    out.push_str(&format!("\\u{unit:04x}"));
                }
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

fn write(v: &Value, f: &Format, depth: usize, out: &mut String) {
    let indent = f.unit.repeat(depth);
    let inner = f.unit.repeat(depth + 1);
    match v {
        Value::Object(m) if !m.is_empty() && depth >= f.inline_from => {
            out.push_str(if f.inline_pad { "{ " } else { "{" });
            for (i, (k, child)) in m.iter().enumerate() {
                out.push_str(if i == 0 { "" } else { f.inline_comma });
                write_string(k, f, out);
                out.push_str(f.colon);
                write(child, f, depth + 1, out);
            }
            out.push_str(if f.inline_pad { " }" } else { "}" });
        }
        Value::Object(m) if !m.is_empty() => {
            out.push('{');
            for (i, (k, child)) in m.iter().enumerate() {
                out.push_str(if i == 0 { "" } else { "," });
                out.push_str(&format!("{}{inner}", f.newline));
                write_string(k, f, out);
                out.push_str(f.colon);
                write(child, f, depth + 1, out);
            }
            out.push_str(&format!("{}{indent}}}", f.newline));
        }
        Value::Array(items) if !items.is_empty() => {
            let block = !f.inline_arrays && depth < f.inline_from;
            out.push('[');
            for (i, child) in items.iter().enumerate() {
                out.push_str(if i == 0 { "" } else { "," });
                match block {
                    true => out.push_str(&format!("{}{inner}", f.newline)),
                    false if i > 0 => out.push(' '),
                    false => {}
                }
                write(child, f, depth + 1, out);
            }
            if block {
                out.push_str(&format!("{}{indent}", f.newline));
            }
            out.push(']');
        }
        Value::String(s) => write_string(s, f, out),
        other => out.push_str(&other.to_string()),
    }
}

fn render(doc: &Value, f: &Format) -> String {
    let mut out = String::from(if f.bom { "\u{feff}" } else { "" });
    write(doc, f, 0, &mut out);
    out.push_str(if f.final_newline { f.newline } else { "" });
    out
}

fn meaning(text: &str) -> Value {
    serde_json::from_str(text.trim_start_matches('\u{feff}')).expect("valid JSON")
}

/// Lengths of the common prefix and (non-overlapping) common suffix of two texts.
fn common_ends(a: &str, b: &str) -> (usize, usize) {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    let prefix = a.iter().zip(b).take_while(|(x, y)| x == y).count();
    let room = a.len().min(b.len()) - prefix;
    let suffix = a.iter().rev().zip(b.iter().rev()).take(room).take_while(|(x, y)| x == y).count();
    (prefix, suffix)
}

/// What setting `path` should mean, or `None` when a non-object is in the way.
fn intended_set(doc: &Value, path: &[&str], value: &Value) -> Option<Value> {
    let mut out = doc.clone();
    let mut current = &mut out;
    for key in path {
        let map = current.as_object_mut()?;
        current = map.entry(key.to_string()).or_insert_with(|| Value::Object(Map::new()));
    }
    *current = value.clone();
    Some(out)
}

fn edit_value() -> impl Strategy<Value = Value> {
    prop_oneof![scalar(), Just(serde_json::json!({"node": "24.x"})), value()]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]

    #[test]
    fn parsing_agrees_with_serde_json(doc in document(), f in format()) {
        let text = render(&doc, &f);
        prop_assert_eq!(parse(&text).unwrap().to_value(), doc);
    }

    #[test]
    fn set_changes_one_region_to_the_intended_value(
        doc in document(), f in format(), path in path(), value in edit_value(),
    ) {
        let text = render(&doc, &f);
        let path: Vec<&str> = path.iter().map(String::as_str).collect();
        let Some(intended) = intended_set(&doc, &path, &value) else {
            let refused = matches!(set(&text, &path, &value), Err(EditError::NotAnObject { .. }));
            prop_assert!(refused, "a non-object on the path must be refused");
            return Ok(());
        };
        let result = set(&text, &path, &value).unwrap();
        prop_assert_eq!(meaning(&result), intended);
        prop_assert_eq!(result.starts_with('\u{feff}'), f.bom);
        let (prefix, suffix) = common_ends(&text, &result);
        match parse(&text).unwrap().lookup(&path) {
            // Replaced: the old bytes that differ all lie inside the old value.
            Some(old) if result != text => {
                prop_assert!(prefix >= old.span.start && text.len() - suffix <= old.span.end);
            }
            // Inserted: the original is exactly the result minus one contiguous region.
            Some(_) => {}
            None => prop_assert_eq!(prefix + suffix, text.len()),
        }
    }

    #[test]
    fn remove_cuts_one_region_and_the_key(doc in document(), f in format(), path in path()) {
        let text = render(&doc, &f);
        let path: Vec<&str> = path.iter().map(String::as_str).collect();
        let result = remove(&text, &path).unwrap();
        let (last, parents) = path.split_last().unwrap();
        let mut intended = doc.clone();
        let parent = parents.iter().try_fold(&mut intended, |v, k| v.get_mut(*k));
        if let Some(Value::Object(map)) = parent {
            map.remove(*last);
        }
        prop_assert_eq!(meaning(&result), intended);
        let (prefix, suffix) = common_ends(&text, &result);
        prop_assert_eq!(prefix + suffix, result.len(), "the result is the original minus one region");
    }
}
