//! app.json: what Heroku sets up when an app is created (env, add-ons, formation, scripts).
//!
//! Every documented key is read (Dev Center "app-json-schema"). A key Heroku does not
//! document is kept going past with a [`Warning`]; a value of the wrong type is an error
//! at the value's line and column. `env` keeps its declaration order (see `tree`).

mod sections;
mod tree;

use std::collections::BTreeMap;

use tree::{Kind, Member, Node};

use crate::diag::{FileError, Position, Warning};

#[derive(Debug, Clone, PartialEq, Default)]
pub struct AppJson {
    pub name: Option<String>,
    pub description: Option<String>,
    pub keywords: Vec<String>,
    pub website: Option<String>,
    pub repository: Option<String>,
    pub logo: Option<String>,
    pub success_url: Option<String>,
    pub stack: Option<String>,
    /// Deprecated by Heroku; kept for the report.
    pub image: Option<String>,
    pub scripts: Scripts,
    /// In declaration order.
    pub env: Vec<EnvVar>,
    /// In declaration order.
    pub formation: Vec<Formation>,
    pub addons: Vec<Addon>,
    /// The buildpack URLs, in order.
    pub buildpacks: Vec<String>,
    /// `test`, `review`: overrides of the keys above, kept as written (key order lost).
    pub environments: BTreeMap<String, serde_json::Value>,
    pub warnings: Vec<Warning>,
}

impl AppJson {
    pub fn env_var(&self, name: &str) -> Option<&EnvVar> {
        self.env.iter().find(|v| v.name == name)
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Scripts {
    pub postdeploy: Option<Script>,
    pub pr_predestroy: Option<Script>,
    /// Keys Heroku does not run (`dokku`, `pr-predeploy`, ...), as written, in order: named
    /// in the guide so nothing the file declares vanishes.
    pub other: Vec<String>,
}

/// A script: `"command"` or `{"command": ..., "size": ...}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Script {
    pub command: String,
    /// The dyno size it runs on, when given.
    pub size: Option<String>,
}

/// One `env` entry: `"NAME": "value"` or `"NAME": {description, value, required, generator}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EnvVar {
    pub name: String,
    pub description: Option<String>,
    pub value: Option<String>,
    /// Heroku's default is `true`.
    pub required: bool,
    /// `"required"` is written out (either way), not Heroku's default.
    pub required_stated: bool,
    /// `"generator": "secret"`: Heroku made up a random value.
    pub secret: bool,
}

/// One `formation` entry: `"type": {quantity, size}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Formation {
    pub process: String,
    pub quantity: Option<u64>,
    pub size: Option<String>,
}

/// One add-on: `"service[:plan]"` or `{"plan": "service[:plan]", "as": ..., "options": ...}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Addon {
    /// The add-on service, e.g. `heroku-postgresql`.
    pub service: String,
    pub plan: Option<String>,
    /// The attachment name from `as` (e.g. `DATABASE` gives `DATABASE_URL`).
    pub alias: Option<String>,
    pub options: Option<serde_json::Value>,
}

impl Addon {
    /// Reads `service[:plan]`; `None` when the service or the plan after `:` is empty.
    pub fn from_spec(spec: &str) -> Option<Addon> {
        let spec = spec.trim();
        let (service, plan) = match spec.split_once(':') {
            Some((service, plan)) => (service.trim(), Some(plan.trim())),
            None => (spec, None),
        };
        if service.is_empty() || plan == Some("") {
            return None;
        }
        let plan = plan.map(str::to_string);
        Some(Addon { service: service.to_string(), plan, alias: None, options: None })
    }
}

/// Keys only Heroku's app.json has: one of them makes a file Heroku's whatever else it
/// holds.
const HEROKU_ONLY_KEYS: &[&str] = &[
    "success_url",
    "stack",
    "image",
    "scripts",
    "env",
    "formation",
    "addons",
    "buildpacks",
    "environments",
];

/// The top-level keys of an app.json that is not Heroku's, or `None` when it is (or is
/// not an object, which [`parse`] then reports). Other tools use the same file name: an
/// Expo app's `{"expo": {...}}`, a React Native app's `{"name", "displayName"}`. A file
/// is Heroku's when it has a key only Heroku uses, or only keys Heroku documents.
fn foreign_keys(value: &serde_json::Value) -> Option<Vec<String>> {
    let object = value.as_object()?;
    if object.keys().any(|k| HEROKU_ONLY_KEYS.contains(&k.as_str())) {
        return None;
    }
    let foreign: Vec<String> = object.keys().filter(|k| !is_top_key(k)).cloned().collect();
    (!foreign.is_empty()).then_some(foreign)
}

/// What a file named app.json turns out to be.
#[derive(Debug)]
pub enum Read {
    /// Heroku's app.json.
    Heroku(Box<AppJson>),
    /// Another tool's file of that name, with its keys that are not Heroku's.
    Foreign(Vec<String>),
}

/// Reads the file `file` named app.json from its bytes, decoding and parsing them once:
/// another tool's file (a file whose keys Heroku never documents) is told apart from Heroku's, which is
/// parsed as [`parse`] does. Errors: as [`parse`].
pub fn read(file: &str, bytes: &[u8]) -> Result<Read, FileError> {
    let mut warnings = Vec::new();
    let (text, value) = checked_json(file, bytes, &mut warnings)?;
    if let Some(keys) = foreign_keys(&value) {
        return Ok(Read::Foreign(keys));
    }
    from_text(file, text, warnings).map(|app| Read::Heroku(Box::new(app)))
}

/// Parses the app.json `file` (named in errors and warnings) from its bytes.
pub fn parse(file: &str, bytes: &[u8]) -> Result<AppJson, FileError> {
    let mut warnings = Vec::new();
    let (text, _) = checked_json(file, bytes, &mut warnings)?;
    from_text(file, text, warnings)
}

/// The decoded text of an app.json and its JSON value; an error for a file that is not
/// text, is empty or is not JSON (placed by line and column).
fn checked_json<'b>(
    file: &str,
    bytes: &'b [u8],
    warnings: &mut Vec<Warning>,
) -> Result<(&'b str, serde_json::Value), FileError> {
    let text = super::procfile::decode(file, bytes, warnings)?;
    if text.trim().is_empty() {
        return Err(FileError::new(file, "is empty; an app.json holds one JSON object"));
    }
    let value = serde_json::from_str::<serde_json::Value>(text)
        .map_err(|e| syntax_error(file, text, &e))?;
    Ok((text, value))
}

/// The app.json in `text`, already known to be JSON.
fn from_text(file: &str, text: &str, warnings: Vec<Warning>) -> Result<AppJson, FileError> {
    let root = tree::read(text)
        .ok_or_else(|| FileError::new(file, "could not be read as JSON (internal error)"))?;
    let mut reader = Reader { file, text, warnings };
    let mut app = reader.app(&root)?;
    app.warnings = reader.warnings;
    Ok(app)
}

/// A serde_json syntax error, placed by character column rather than serde_json's byte column.
fn syntax_error(file: &str, text: &str, error: &serde_json::Error) -> FileError {
    let message = error.to_string();
    let message = match message.rfind(" at line ") {
        Some(i) => message[..i].to_string(),
        None => message,
    };
    let line_start: usize =
        text.split_inclusive('\n').take(error.line().saturating_sub(1)).map(str::len).sum();
    let offset = line_start + error.column().saturating_sub(1);
    FileError::at_offset(file, text.as_bytes(), offset, message)
}

struct Reader<'a> {
    file: &'a str,
    text: &'a str,
    warnings: Vec<Warning>,
}

/// The top-level keys Heroku documents that other tools' app.json files use too; with
/// [`HEROKU_ONLY_KEYS`], every top-level key Heroku documents.
const SHARED_KEYS: &[&str] = &["name", "description", "keywords", "website", "repository", "logo"];

/// Whether `key` is a top-level key Heroku documents.
fn is_top_key(key: &str) -> bool {
    SHARED_KEYS.contains(&key) || HEROKU_ONLY_KEYS.contains(&key)
}

impl Reader<'_> {
    fn app(&mut self, root: &Node) -> Result<AppJson, FileError> {
        if !matches!(root.kind, Kind::Object(_)) {
            return Err(self.wrong_type(root, "app.json", "a JSON object {...}"));
        }
        let members = self.object(root, "app.json", "a JSON object {...}")?;
        let mut app = AppJson::default();
        for member in members {
            let value = &member.value;
            let key = member.key.as_str();
            match key {
                "name" => app.name = self.opt_string(value, key)?,
                "description" => app.description = self.opt_string(value, key)?,
                "website" => app.website = self.opt_string(value, key)?,
                "repository" => app.repository = self.opt_string(value, key)?,
                "logo" => app.logo = self.opt_string(value, key)?,
                "success_url" => app.success_url = self.opt_string(value, key)?,
                "stack" => app.stack = self.opt_string(value, key)?,
                "image" => app.image = self.opt_string(value, key)?,
                "keywords" => app.keywords = self.strings(value, key)?,
                "scripts" => app.scripts = self.scripts(value)?,
                "env" => app.env = self.env(value)?,
                "formation" => app.formation = self.formation(value)?,
                "addons" => app.addons = self.addons(value)?,
                "buildpacks" => app.buildpacks = self.buildpacks(value)?,
                "environments" => app.environments = self.environments(value)?,
                _ => self.unknown(member, "app.json", &[SHARED_KEYS, HEROKU_ONLY_KEYS].concat()),
            }
        }
        Ok(app)
    }

    fn error(&self, node: &Node, message: String) -> FileError {
        FileError::at_offset(self.file, self.text.as_bytes(), node.offset, message)
    }

    fn wrong_type(&self, node: &Node, what: &str, expected: &str) -> FileError {
        self.error(node, format!("`{what}` must be {expected}, found {}", node.kind_name()))
    }

    fn line(&self, offset: usize) -> usize {
        Position::of_offset(self.text.as_bytes(), offset).line
    }

    fn unknown(&mut self, member: &Member, within: &str, known: &[&str]) {
        let message = format!(
            "unknown key `{}` in {within} (ignored); known keys: {}",
            member.key,
            known.join(", ")
        );
        let line = self.line(member.key_offset);
        self.warnings.push(Warning::at_line(self.file, line, message));
    }

    /// An object's members (none for `null`); a repeated key keeps its last value, as JSON
    /// readers do.
    fn object<'n>(
        &mut self,
        node: &'n Node,
        what: &str,
        expected: &str,
    ) -> Result<Vec<&'n Member>, FileError> {
        let members = match &node.kind {
            Kind::Object(members) => members,
            Kind::Null => return Ok(Vec::new()),
            _ => return Err(self.wrong_type(node, what, expected)),
        };
        let mut kept: Vec<&Member> = Vec::with_capacity(members.len());
        for member in members {
            if let Some(i) = kept.iter().position(|m| m.key == member.key) {
                let message = format!(
                    "key `{}` in {what} appears again on line {}; the last value is used",
                    member.key,
                    self.line(member.key_offset)
                );
                let line = self.line(kept[i].key_offset);
                self.warnings.push(Warning::at_line(self.file, line, message));
                kept.remove(i);
            }
            kept.push(member);
        }
        Ok(kept)
    }

    fn array<'n>(
        &self,
        node: &'n Node,
        what: &str,
        expected: &str,
    ) -> Result<&'n [Node], FileError> {
        match &node.kind {
            Kind::Array(items) => Ok(items),
            Kind::Null => Ok(&[]),
            _ => Err(self.wrong_type(node, what, expected)),
        }
    }

    fn string(&self, node: &Node, what: &str) -> Result<String, FileError> {
        match &node.kind {
            Kind::String(s) => Ok(s.clone()),
            _ => Err(self.wrong_type(node, what, "a string")),
        }
    }

    /// A string, or nothing for `null`.
    fn opt_string(&self, node: &Node, what: &str) -> Result<Option<String>, FileError> {
        match node.kind {
            Kind::Null => Ok(None),
            _ => self.string(node, what).map(Some),
        }
    }

    fn strings(&self, node: &Node, what: &str) -> Result<Vec<String>, FileError> {
        let items = self.array(node, what, "an array of strings")?;
        items.iter().map(|item| self.string(item, &format!("{what}[]"))).collect()
    }
}

#[cfg(test)]
mod tests;
