//! Examples for the parser and the editor; the property tests live in `proptests`.

mod proptests;

use serde_json::{Value, json};
use similar::{ChangeTag, TextDiff};

use super::*;

fn set_str(text: &str, path: &[&str], value: &str) -> String {
    set(text, path, &Value::from(value)).unwrap()
}

// ---- parser ----

#[test]
fn spans_cover_each_value_and_key() {
    let text = "{ \"a\" : [1, true] , \"b\":\"x\" }";
    let root = parse(text).unwrap();
    assert_eq!(root.span, 0..text.len());
    let a = root.member("a").unwrap();
    assert_eq!(&text[a.key_span.clone()], "\"a\"");
    assert_eq!(&text[a.value.span.clone()], "[1, true]");
    assert_eq!(&text[root.lookup(&["b"]).unwrap().span.clone()], "\"x\"");
}

#[test]
fn values_decode_like_serde_json() {
    let text = r#"{"s": "caf\u00e9 \/ \"q\" \ud83d\ude00 \t", "n": [1.50, -0, 1e3, 12345678901234567890],
        "o": {}, "z": null, "t": false}"#;
    let ours = parse(text).unwrap().to_value();
    let theirs: Value = serde_json::from_str(text).unwrap();
    assert_eq!(ours, theirs);
    assert_eq!(ours["s"], "café / \"q\" 😀 \t");
}

#[test]
fn a_bom_is_allowed_and_counted_in_spans() {
    let text = "\u{feff}{\"a\": 1}";
    let root = parse(text).unwrap();
    assert_eq!(root.span, 3..text.len());
    assert_eq!(root.to_value(), json!({"a": 1}));
}

#[test]
fn the_last_duplicate_key_wins() {
    let text = r#"{"a": 1, "a": 2}"#;
    let root = parse(text).unwrap();
    assert_eq!(root.member("a").unwrap().value.span, 14..15);
    assert_eq!(root.to_value(), json!({"a": 2}));
    assert_eq!(get(text, &["a"]).unwrap(), Some(json!(2)));
    assert_eq!(get(text, &["b"]).unwrap(), None);
}

#[test]
fn malformed_input_is_reported_at_the_offending_byte() {
    let cases: &[(&str, usize, &str)] = &[
        ("", 0, "end of input"),
        ("{\"a\": 1,}", 8, "object key"),
        ("{\"a\" 1}", 5, "expected `:`"),
        ("{\"a\": 1 \"b\": 2}", 8, "expected `,` or `}`"),
        ("[1 2]", 3, "expected `,` or `]`"),
        ("[01]", 1, "leading zeros"),
        ("[1.]", 3, "after `.`"),
        ("[-]", 2, "expected a digit"),
        ("[1e+]", 4, "exponent"),
        ("{\"a\": tru}", 6, "value"),
        ("\"ab", 3, "unterminated"),
        ("\"a\nb\"", 2, "U+000A must be escaped"),
        ("\"\\x\"", 2, "not a valid escape"),
        ("\"\\u00zz\"", 5, "hex digit"),
        ("\"\\ud800\"", 1, "lone UTF-16 surrogate"),
        ("{} x", 3, "after the JSON value"),
        ("{'a': 1}", 1, "object key"),
        ("[1e400]", 1, "out of range"),
        ("\u{feff}\u{feff}{}", 3, "U+FEFF"),
    ];
    for &(text, offset, message) in cases {
        let err = parse(text).unwrap_err();
        assert_eq!(err.offset, offset, "offset for {text:?}: {err}");
        assert!(err.message.contains(message), "message for {text:?}: {err}");
    }
}

#[test]
fn parse_errors_name_file_line_and_column() {
    let text = "{\n  \"a\": 1,\n}\n";
    let err = parse(text).unwrap_err();
    let file_error = parse_error("web/package.json", text, &err);
    assert!(file_error.to_string().starts_with("web/package.json:3:1: invalid JSON"));
}

#[test]
fn deep_nesting_is_an_error_not_a_stack_overflow() {
    let arrays = "[".repeat(100_000);
    let err = parse(&arrays).unwrap_err();
    assert_eq!(err.offset, MAX_DEPTH, "the first `[` too deep");
    assert!(err.message.contains("nesting"));
    let objects = "{\"a\":".repeat(100_000);
    assert!(parse(&objects).unwrap_err().message.contains("nesting"));
    assert!(matches!(set(&arrays, &["a"], &json!(1)), Err(EditError::Parse(_))));

    let deepest = format!("{}{}", "[".repeat(MAX_DEPTH), "]".repeat(MAX_DEPTH));
    assert!(parse(&deepest).is_ok());
}

// ---- set: replacing ----

#[test]
fn replacing_a_value_changes_only_its_bytes() {
    let text =
        "{\n  \"name\": \"caf\\u00e9\\/x\",\n  \"price\": 1.50,\n  \"version\": \"1.0.0\"\n}";
    let out = set_str(text, &["version"], "2.0.0");
    assert_eq!(out, text.replace("\"1.0.0\"", "\"2.0.0\""));
}

#[test]
fn setting_the_value_already_there_keeps_the_text() {
    let text = "{\"engines\": {\"node\": \"\\u0032\\u0034.x\"}, \"n\": 1.50}";
    assert_eq!(set_str(text, &["engines", "node"], "24.x"), text);
    assert_eq!(set(text, &["n"], &json!(1.5)).unwrap(), text);
}

#[test]
fn new_strings_are_written_as_serde_json_writes_them() {
    let out = set_str("{\"a\": 1}", &["a"], "café \"x\"\n");
    assert_eq!(out, "{\"a\": \"café \\\"x\\\"\\n\"}");
}

#[test]
fn a_duplicate_key_is_edited_at_its_last_occurrence() {
    let out = set(r#"{"a": 1, "a": 2}"#, &["a"], &json!(3)).unwrap();
    assert_eq!(out, r#"{"a": 1, "a": 3}"#);
}

// ---- set: inserting ----

fn engines_added(indent: &str, newline: &str) -> (String, String) {
    let before = ["{", "\"name\": \"web\",", "\"files\": [\"a\", \"b\"]", "}"];
    let lines = |rows: &[(usize, &str)]| {
        let rows: Vec<String> =
            rows.iter().map(|(d, l)| format!("{}{l}", indent.repeat(*d))).collect();
        rows.join(newline)
    };
    let old = lines(&[(0, before[0]), (1, before[1]), (1, before[2]), (0, before[3])]);
    let new = lines(&[
        (0, before[0]),
        (1, before[1]),
        (1, "\"files\": [\"a\", \"b\"],"),
        (1, "\"engines\": {"),
        (2, "\"node\": \"24.x\""),
        (1, "}"),
        (0, before[3]),
    ]);
    (old, new)
}

#[test]
fn a_new_member_is_indented_like_its_siblings() {
    for indent in ["  ", "    ", "\t"] {
        for newline in ["\n", "\r\n"] {
            for end in ["", newline] {
                let (old, new) = engines_added(indent, newline);
                let out = set_str(&format!("{old}{end}"), &["engines", "node"], "24.x");
                assert_eq!(out, format!("{new}{end}"), "indent {indent:?}, newline {newline:?}");
                let bom = set_str(&format!("\u{feff}{old}{end}"), &["engines", "node"], "24.x");
                assert_eq!(bom, format!("\u{feff}{new}{end}"));
            }
        }
    }
}

#[test]
fn one_line_objects_stay_on_one_line_with_their_spacing() {
    let engines = &["engines", "node"];
    let cases = [
        (r#"{"a":1}"#, r#"{"a":1,"engines":{"node":"24.x"}}"#),
        (r#"{ "a": 1 }"#, r#"{ "a": 1, "engines": { "node": "24.x" } }"#),
        (r#"{"a": 1, "b": [1,2]}"#, r#"{"a": 1, "b": [1,2], "engines": {"node": "24.x"}}"#),
    ];
    for (text, expected) in cases {
        assert_eq!(set_str(text, engines, "24.x"), expected);
    }
    let nested = "{\n  \"engines\": {\"npm\": \"10\"},\n  \"b\": 2\n}";
    let out = set_str(nested, engines, "24.x");
    assert_eq!(out, "{\n  \"engines\": {\"npm\": \"10\", \"node\": \"24.x\"},\n  \"b\": 2\n}");
}

#[test]
fn inserting_into_an_empty_object_uses_the_files_indentation() {
    let engines = &["engines", "node"];
    let expected = "{\n  \"engines\": {\n    \"node\": \"24.x\"\n  }\n}\n";
    assert_eq!(set_str("{}\n", engines, "24.x"), expected);
    let tabs = "{\r\n\t\"name\": \"x\",\r\n\t\"engines\": {}\r\n}";
    let out = set_str(tabs, engines, "24.x");
    assert_eq!(
        out,
        "{\r\n\t\"name\": \"x\",\r\n\t\"engines\": {\r\n\t\t\"node\": \"24.x\"\r\n\t}\r\n}"
    );
    let four = "{\n    \"engines\": { }\n}";
    assert_eq!(
        set_str(four, engines, "24.x"),
        "{\n    \"engines\": {\n        \"node\": \"24.x\"\n    }\n}"
    );
    let one_line = "{\"name\": \"x\", \"engines\": {}}";
    assert_eq!(
        set_str(one_line, engines, "24.x"),
        "{\"name\": \"x\", \"engines\": { \"node\": \"24.x\" }}"
    );
}

#[test]
fn missing_objects_along_the_path_are_created() {
    let out = set(r#"{"a": 1}"#, &["x", "y", "z"], &json!([1, 2])).unwrap();
    assert_eq!(out, r#"{"a": 1, "x": {"y": {"z": [1, 2]}}}"#);
    let text = "{\n  \"x\": {\n    \"q\": true\n  }\n}";
    let out = set(text, &["x", "y", "z"], &json!({"k": [1]})).unwrap();
    let expected = "{\n  \"x\": {\n    \"q\": true,\n    \"y\": {\n      \"z\": {\n        \"k\": [\n          1\n        ]\n      }\n    }\n  }\n}";
    assert_eq!(out, expected);
}

/// A tab-indented CRLF package.json with inline arrays, as in the issue: `npm pkg set`
/// rewrites it into 11 added and 3 removed lines; we touch only the lines we must.
#[test]
fn engines_in_a_tab_crlf_package_json_touch_only_their_lines() {
    let old = "{\r\n\t\"name\": \"api\",\r\n\t\"version\": \"1.0.0\",\r\n\t\"scripts\": {\r\n\t\t\"start\": \"node server.js\"\r\n\t},\r\n\t\"keywords\": [\"heroku\", \"node\"],\r\n\t\"dependencies\": {\r\n\t\t\"express\": \"^4.19.2\"\r\n\t},\r\n\t\"files\": [\"dist\", \"src\"]\r\n}\r\n";
    let new = set_str(old, &["engines", "node"], "24.x");
    let diff = TextDiff::from_lines(old, new.as_str());
    let changed = |tag| -> Vec<String> {
        let changes = diff.iter_all_changes().filter(|c| c.tag() == tag);
        changes.map(|c| c.value().to_string()).collect()
    };
    assert_eq!(changed(ChangeTag::Delete), ["\t\"files\": [\"dist\", \"src\"]\r\n"]);
    let added = [
        "\t\"files\": [\"dist\", \"src\"],\r\n",
        "\t\"engines\": {\r\n",
        "\t\t\"node\": \"24.x\"\r\n",
        "\t}\r\n",
    ];
    assert_eq!(changed(ChangeTag::Insert), added);
}

#[test]
fn a_non_object_on_the_path_is_an_error_at_its_position() {
    let text = "{\n  \"engines\": \"14\"\n}";
    let err = set(text, &["engines", "node"], &json!("24.x")).unwrap_err();
    assert!(
        matches!(&err, EditError::NotAnObject { found: "a string", offset: 15, .. }),
        "{err:?}"
    );
    let shown = err.to_file_error("package.json", text).to_string();
    assert_eq!(
        shown,
        "package.json:2:14: cannot set `engines.node`: `engines` is a string, not an object"
    );
    let top = set("[1]", &["a"], &json!(1)).unwrap_err();
    assert!(top.to_string().contains("the top-level value is an array"), "{top}");
    assert_eq!(set("{}", &[], &json!(1)), Err(EditError::EmptyPath));
}

#[test]
fn the_guard_refuses_text_that_does_not_mean_what_was_intended() {
    let wrong = verify(r#"{"a": 1}"#, &json!({"a": 2}), &["a"], 6).unwrap_err();
    assert!(matches!(wrong, EditError::Unverified { offset: 6, .. }));
    let broken = verify(r#"{"a": 1,}"#, &json!({"a": 1}), &["a"], 0).unwrap_err();
    assert!(broken.to_string().contains("would not parse"), "{broken}");
    assert!(verify(r#"{"a": 1.0}"#, &json!({"a": 1.0}), &["a"], 0).is_ok());
}

// ---- remove ----

#[test]
fn removing_a_member_takes_its_lines_and_one_comma() {
    let text = "{\r\n\t\"a\": 1,\r\n\t\"b\": {\r\n\t\t\"c\": [1, 2]\r\n\t},\r\n\t\"d\": 4\r\n}";
    let without_b = "{\r\n\t\"a\": 1,\r\n\t\"d\": 4\r\n}";
    assert_eq!(remove(text, &["b"]).unwrap(), without_b);
    let without_d = "{\r\n\t\"a\": 1,\r\n\t\"b\": {\r\n\t\t\"c\": [1, 2]\r\n\t}\r\n}";
    assert_eq!(remove(text, &["d"]).unwrap(), without_d);
    let without_c = "{\r\n\t\"a\": 1,\r\n\t\"b\": {},\r\n\t\"d\": 4\r\n}";
    assert_eq!(remove(text, &["b", "c"]).unwrap(), without_c);
}

#[test]
fn removing_from_one_line_objects_and_duplicates() {
    assert_eq!(remove(r#"{"a": 1, "b": 2, "c": 3}"#, &["b"]).unwrap(), r#"{"a": 1, "c": 3}"#);
    assert_eq!(remove(r#"{"a": 1, "b": 2}"#, &["b"]).unwrap(), r#"{"a": 1}"#);
    assert_eq!(remove(r#"{"a": 1, "b": 2, "a": 3}"#, &["a"]).unwrap(), r#"{"b": 2}"#);
    assert_eq!(remove(r#"{"a": 1, "a": 2}"#, &["a"]).unwrap(), "{}");
}

#[test]
fn removing_what_is_not_there_changes_nothing() {
    let text = "{\"a\": \"x\"}\n";
    assert_eq!(remove(text, &["b"]).unwrap(), text);
    assert_eq!(remove(text, &["a", "b"]).unwrap(), text);
    assert_eq!(remove(text, &["z", "b"]).unwrap(), text);
    assert_eq!(remove("[]", &["a"]).unwrap(), "[]");
    assert!(matches!(remove("{", &["a"]), Err(EditError::Parse(_))));
}
