//! The one place where a package.json is edited: the operations the rules need (set a
//! script, chain onto a script, add a dependency, pin an engine, set or drop a field),
//! each a span-based edit through [`super::json`], so every byte outside it is kept.
//!
//! Every error is a [`FileError`] naming the file, with the line and column where the
//! problem is. Script edits refuse to leave a script that reaches itself through
//! `npm run`/`yarn`/`pnpm` calls (see [`crate::inventory::scripts`]).

use serde_json::Value;

use super::json::{self, EditError};
use crate::diag::FileError;
use crate::inventory::scripts;

/// A package.json being edited: its repo-relative path and its current text.
#[derive(Debug, Clone)]
pub struct PackageJsonEditor {
    path: String,
    text: String,
}

/// What [`PackageJsonEditor::chain_script`] did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Chained {
    /// The script already ran the command: nothing changed.
    Already,
    /// The command was appended with `&&` to the script, which was this before.
    Appended { before: String },
    /// There was no such script; it is now the command.
    Created,
}

impl PackageJsonEditor {
    pub fn new(path: impl Into<String>, text: impl Into<String>) -> PackageJsonEditor {
        PackageJsonEditor { path: path.into(), text: text.into() }
    }

    pub fn path(&self) -> &str {
        &self.path
    }

    pub fn text(&self) -> &str {
        &self.text
    }

    pub fn into_text(self) -> String {
        self.text
    }

    /// The value at a path of keys, or `None` when a key is missing.
    pub fn get(&self, key: &[&str]) -> Result<Option<Value>, FileError> {
        json::get(&self.text, key).map_err(|e| json::parse_error(&self.path, &self.text, &e))
    }

    /// The command of script `name`, when it is a string.
    pub fn script(&self, name: &str) -> Result<Option<String>, FileError> {
        Ok(self.get(&["scripts", name])?.and_then(|v| v.as_str().map(str::to_owned)))
    }

    /// Every script whose command is a string, in file order.
    pub fn scripts(&self) -> Result<Vec<(String, String)>, FileError> {
        let root =
            json::parse(&self.text).map_err(|e| json::parse_error(&self.path, &self.text, &e))?;
        let Some(json::Node { kind: json::NodeKind::Object(members), .. }) =
            root.lookup(&["scripts"])
        else {
            return Ok(Vec::new());
        };
        // The last of duplicate keys wins, as in `JSON.parse`; each name once, in file order.
        let mut out: Vec<(String, String)> = Vec::new();
        for member in members {
            out.retain(|(name, _)| *name != member.key);
            if let json::NodeKind::String(command) = &member.value.kind {
                out.push((member.key.clone(), command.clone()));
            }
        }
        Ok(out)
    }

    /// Sets script `name` to `command`.
    pub fn set_script(&mut self, name: &str, command: &str) -> Result<(), FileError> {
        let edited = self.edited(&["scripts", name], Some(&Value::String(command.into())))?;
        self.commit_scripts(edited)
    }

    /// Runs `command` after script `name` (`existing && command`), or makes it the script.
    pub fn chain_script(&mut self, name: &str, command: &str) -> Result<Chained, FileError> {
        match self.script(name)? {
            Some(existing) if existing.contains(command) => Ok(Chained::Already),
            Some(existing) => {
                self.set_script(name, &format!("{existing} && {command}"))?;
                Ok(Chained::Appended { before: existing })
            }
            None => {
                self.set_script(name, command)?;
                Ok(Chained::Created)
            }
        }
    }

    /// Removes script `name` (nothing happens when there is none).
    pub fn remove_script(&mut self, name: &str) -> Result<(), FileError> {
        let edited = self.edited(&["scripts", name], None)?;
        self.commit_scripts(edited)
    }

    /// Adds (or sets) `name` at `range` in `dependencies`. Every dependency the
    /// migration adds goes through here, so what must follow an added dependency (the
    /// lockfiles) has one place to hook in.
    pub fn add_dependency(&mut self, name: &str, range: &str) -> Result<(), FileError> {
        self.text = self.edited(&["dependencies", name], Some(&Value::String(range.into())))?;
        Ok(())
    }

    /// Sets `engines.<name>` (`node`, `npm`, `yarn`, `pnpm`). An `engines` that is not
    /// an object is replaced by one holding only this engine.
    pub fn set_engine(&mut self, name: &str, range: &str) -> Result<(), FileError> {
        let value = Value::String(range.into());
        self.text = match self.get(&["engines"])? {
            Some(Value::Object(_)) => self.edited(&["engines", name], Some(&value))?,
            _ => self.edited(&["engines"], Some(&serde_json::json!({ name: value })))?,
        };
        Ok(())
    }

    /// Removes `engines.<name>`.
    pub fn remove_engine(&mut self, name: &str) -> Result<(), FileError> {
        self.text = self.edited(&["engines", name], None)?;
        Ok(())
    }

    /// Sets a field outside the operations above (`packageManager`, `volta.node`). Only
    /// the tests set one today.
    #[cfg(test)]
    pub fn set_field(&mut self, key: &[&str], value: &str) -> Result<(), FileError> {
        self.text = self.edited(key, Some(&Value::String(value.into())))?;
        Ok(())
    }

    /// Removes a field (nothing happens when it is missing).
    pub fn remove_field(&mut self, key: &[&str]) -> Result<(), FileError> {
        self.text = self.edited(key, None)?;
        Ok(())
    }

    /// The text with `key` set to `value`, or removed when `value` is `None`.
    fn edited(&self, key: &[&str], value: Option<&Value>) -> Result<String, FileError> {
        let result = match value {
            Some(value) => json::set(&self.text, key, value),
            None => json::remove(&self.text, key),
        };
        result.map_err(|e| self.error(&e, key))
    }

    fn error(&self, err: &EditError, key: &[&str]) -> FileError {
        let mut error = err.to_file_error(&self.path, &self.text);
        if !matches!(err, EditError::Parse(_)) {
            error.message = format!("cannot edit `{}`: {}", key.join("."), error.message);
        }
        error
    }

    /// Takes `edited` as the new text unless it makes a script reach itself that did
    /// not before: npm would recurse until killed, so nothing is written.
    fn commit_scripts(&mut self, edited: String) -> Result<(), FileError> {
        let after = PackageJsonEditor::new(self.path.clone(), edited);
        let after_scripts = after.scripts()?;
        if let Some(found) = scripts::cycle(after_scripts.iter().map(|(k, v)| (&**k, &**v))) {
            let before = self.scripts()?;
            if scripts::cycle(before.iter().map(|(k, v)| (&**k, &**v))).is_none() {
                return Err(self.cycle_error(&found));
            }
        }
        self.text = after.text;
        Ok(())
    }

    fn cycle_error(&self, cycle: &[String]) -> FileError {
        let message = format!(
            "the migration would make the `{}` script run itself ({}) through npm/yarn/pnpm run \
             calls, which recurse until killed; nothing is written: rename or change the script \
             by hand and run again",
            cycle[0],
            cycle.join(" -> ")
        );
        // Point at a script of the cycle that the file has now, else at `scripts`. A file
        // that does not parse says so, at its line and column, instead.
        let scripts = match self.scripts() {
            Ok(scripts) => scripts,
            Err(error) => return error,
        };
        let existing = cycle.iter().find(|name| scripts.iter().any(|(key, _)| key == *name));
        match existing {
            Some(name) => self.error_at(&["scripts", name], message),
            None => self.error_at(&["scripts"], message),
        }
    }

    /// An error about `key`, at the line and column of its member in the text as it is
    /// now (of the nearest parent that exists; the file when none does). When the text
    /// does not parse, that is the error to fix first, and the one returned.
    pub fn error_at(&self, key: &[&str], message: impl Into<String>) -> FileError {
        let message = message.into();
        let root = match json::parse(&self.text) {
            Ok(root) => root,
            Err(e) => return json::parse_error(&self.path, &self.text, &e),
        };
        let mut offset = None;
        let mut node = &root;
        for name in key {
            let Some(member) = node.member(name) else { break };
            offset = Some(member.key_span.start);
            node = &member.value;
        }
        match offset {
            Some(offset) => FileError::at_offset(&self.path, self.text.as_bytes(), offset, message),
            None => FileError::new(&self.path, message),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn editor(text: &str) -> PackageJsonEditor {
        PackageJsonEditor::new("app/package.json", text)
    }

    #[test]
    fn scripts_are_set_chained_and_removed_in_place() {
        let mut e = editor("{\n  \"scripts\": {\n    \"build\": \"tsc\"\n  }\n}\n");
        assert_eq!(
            e.chain_script("build", "node copy.js").unwrap(),
            Chained::Appended { before: "tsc".into() }
        );
        assert_eq!(e.chain_script("build", "node copy.js").unwrap(), Chained::Already);
        assert_eq!(e.chain_script("start", "node s.js").unwrap(), Chained::Created);
        e.remove_script("build").unwrap();
        assert_eq!(e.text(), "{\n  \"scripts\": {\n    \"start\": \"node s.js\"\n  }\n}\n");
    }

    #[test]
    fn a_script_that_would_run_itself_is_refused_with_its_position() {
        let text = "{\n  \"scripts\": {\n    \"build\": \"tsc\",\n    \"x\": \"1\"\n  }\n}\n";
        let mut e = editor(text);
        for spelling in ["npm run build", "npm run-script build", "yarn build", "yarn run build"] {
            let err = e.chain_script("build", &format!("{spelling} && node copy.js")).unwrap_err();
            assert_eq!(err.to_string().split(": the").next(), Some("app/package.json:3:5"));
            assert!(err.message.contains("(build -> build)"), "{err}");
            assert_eq!(e.text(), text, "nothing changed");
        }
        // Through another script and a hook.
        e.set_script("build:app", "tsc").unwrap();
        e.set_script("build", "npm run build:app").unwrap();
        let err = e.set_script("postbuild:app", "pnpm build").unwrap_err();
        assert!(err.message.contains("(build -> build:app -> postbuild:app -> build)"), "{err}");
    }

    #[test]
    fn a_cycle_the_file_already_had_is_not_blamed_on_the_edit() {
        let mut e = editor(r#"{"scripts": {"a": "npm run a"}}"#);
        e.set_script("b", "node b.js").unwrap();
        assert_eq!(e.script("b").unwrap().as_deref(), Some("node b.js"));
    }

    #[test]
    fn engines_dependencies_and_fields() {
        let mut e = editor(r#"{"engines": "node 10", "dependencies": {}}"#);
        e.set_engine("node", "24.x").unwrap();
        e.add_dependency("node-cron", "^4.6.0").unwrap();
        e.set_field(&["volta", "node"], "24.11.1").unwrap();
        e.set_engine("npm", "11.x").unwrap();
        e.remove_engine("npm").unwrap();
        e.remove_field(&["volta"]).unwrap();
        let value: Value = serde_json::from_str(e.text()).unwrap();
        assert_eq!(
            value,
            serde_json::json!({"engines": {"node": "24.x"}, "dependencies": {"node-cron": "^4.6.0"}})
        );
    }

    #[test]
    fn errors_carry_file_line_and_column() {
        let mut e = editor("{\n  \"scripts\": [1]\n}\n");
        let err = e.set_script("build", "tsc").unwrap_err();
        assert_eq!(err.position.map(|p| (p.line, p.column)), Some((2, 14)), "{err}");
        assert!(err.to_string().starts_with("app/package.json:2:14: cannot edit `scripts.build`"));
        let mut e = editor("{\n  \"a\": 1,\n}\n");
        let err = e.set_engine("node", "24.x").unwrap_err();
        assert_eq!(err.position.map(|p| (p.line, p.column)), Some((3, 1)), "{err}");
    }

    /// Every operation, and the error placed at a key, report a package.json that does
    /// not parse the same way: `file:line:column: invalid JSON: ...`, never a byte offset.
    #[test]
    fn every_operation_on_malformed_json_reports_its_line_and_column() {
        // The trailing comma is at line 4, column 3.
        let text = "{\n  \"scripts\": {\n    \"start\": \"node a.js\",\n  }\n}\n";
        type Operation = fn(&mut PackageJsonEditor) -> Result<(), FileError>;
        let operations: [(&str, Operation); 12] = [
            ("get", |e| e.get(&["name"]).map(drop)),
            ("script", |e| e.script("start").map(drop)),
            ("scripts", |e| e.scripts().map(drop)),
            ("set_script", |e| e.set_script("build", "tsc")),
            ("chain_script", |e| e.chain_script("build", "tsc").map(drop)),
            ("remove_script", |e| e.remove_script("start")),
            ("add_dependency", |e| e.add_dependency("node-cron", "^4.6.0")),
            ("set_engine", |e| e.set_engine("node", "24.x")),
            ("remove_engine", |e| e.remove_engine("npm")),
            ("set_field", |e| e.set_field(&["type"], "module")),
            ("remove_field", |e| e.remove_field(&["volta"])),
            ("error_at", |e| Err(e.error_at(&["scripts", "start"], "a message"))),
        ];
        for (name, operation) in operations {
            let mut e = editor(text);
            let err = operation(&mut e).unwrap_err().to_string();
            assert!(err.starts_with("app/package.json:4:3: invalid JSON: "), "{name}: {err}");
            assert!(!err.contains("byte"), "{name}: {err}");
            assert_eq!(e.text(), text, "{name} changed the text");
        }
    }
}
