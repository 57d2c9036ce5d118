//! package.json: read for what the rules need; edited elsewhere (`crate::edit::json`).

use serde_json::Value;

use crate::diag::{FileError, Position};

/// A parsed package.json, with the text it came from (edits start from the text).
#[derive(Debug, Clone)]
pub struct PackageJson {
    pub path: String,
    pub text: String,
    pub value: serde_json::Map<String, Value>,
}

impl PackageJson {
    pub fn parse(path: &str, bytes: &[u8]) -> Result<PackageJson, FileError> {
        let text = std::str::from_utf8(bytes).map_err(|e| {
            FileError::at_offset(
                path,
                bytes,
                e.valid_up_to(),
                "not valid UTF-8 (package.json must be UTF-8)",
            )
        })?;
        let body = text.strip_prefix('\u{feff}').unwrap_or(text);
        if body.trim().is_empty() {
            return Err(FileError::new(path, "empty file; package.json must hold a JSON object"));
        }
        let value: Value = serde_json::from_str(body).map_err(|e| {
            let position = Position { line: e.line().max(1), column: e.column().max(1) };
            FileError::at(path, position, format!("invalid JSON: {}", strip_serde_position(&e)))
        })?;
        let Value::Object(value) = value else {
            return Err(FileError::at(
                path,
                first_non_space(body),
                "package.json must hold a JSON object ({ ... })",
            ));
        };
        Ok(PackageJson { path: path.to_owned(), text: text.to_owned(), value })
    }

    pub fn script(&self, name: &str) -> Option<&str> {
        self.value.get("scripts")?.get(name)?.as_str()
    }

    pub fn scripts(&self) -> impl Iterator<Item = (&str, &str)> {
        self.value
            .get("scripts")
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
            .filter_map(|(k, v)| Some((k.as_str(), v.as_str()?)))
    }

    pub fn engines_node(&self) -> Option<&str> {
        self.value.get("engines")?.get("node")?.as_str()
    }

    /// `"type": "module"` makes `.js` files ES modules.
    pub fn is_esm(&self) -> bool {
        self.value.get("type").and_then(Value::as_str) == Some("module")
    }

    /// The version range of a dependency in `dependencies` or `devDependencies`.
    pub fn dependency(&self, name: &str) -> Option<&str> {
        ["dependencies", "devDependencies"]
            .iter()
            .find_map(|section| self.value.get(*section)?.get(name)?.as_str())
    }
}

/// serde_json appends " at line L column C"; the FileError carries those already.
fn strip_serde_position(e: &serde_json::Error) -> String {
    let text = e.to_string();
    match text.rfind(" at line ") {
        Some(i) => text[..i].to_owned(),
        None => text,
    }
}

fn first_non_space(text: &str) -> Position {
    let offset = text.len() - text.trim_start().len();
    Position::of_offset(text.as_bytes(), offset)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_scripts_engines_and_module_type() {
        let p = PackageJson::parse(
            "package.json",
            "\u{feff}{\"type\":\"module\",\"engines\":{\"node\":\"20.x\"},\"scripts\":{\"start\":\"node s.ts\"}}"
                .as_bytes(),
        )
        .unwrap();
        assert!(p.is_esm());
        assert_eq!(p.engines_node(), Some("20.x"));
        assert_eq!(p.script("start"), Some("node s.ts"));
        assert!(p.text.starts_with('\u{feff}'));
    }

    #[test]
    fn errors_name_line_and_column() {
        let e = PackageJson::parse("a/package.json", b"{\n  \"name\": \"x\",\n}\n").unwrap_err();
        assert_eq!(e.to_string(), "a/package.json:3:1: invalid JSON: trailing comma");
        let e = PackageJson::parse("package.json", b"\n  [1]").unwrap_err();
        assert!(e.to_string().starts_with("package.json:2:3: package.json must hold"), "{e}");
        let e = PackageJson::parse("package.json", b"").unwrap_err();
        assert!(e.to_string().contains("empty file"));
        let e = PackageJson::parse("package.json", b"{\"a\": \"\xff\"}").unwrap_err();
        assert!(e.to_string().starts_with("package.json:1:8: not valid UTF-8"), "{e}");
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_crash() {
        let text = "[".repeat(100_000);
        let e = PackageJson::parse("package.json", text.as_bytes()).unwrap_err();
        assert!(e.to_string().contains("recursion limit"), "{e}");
    }
}
