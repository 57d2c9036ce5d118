//! How a Procfile command runs in a Capsule: a leading `cd DIR &&` becomes the Capsule's
//! folder, leading `VAR=value` words become environment variables, the rest is the command.

use crate::inventory::procfile::{Process, command_parts};
use crate::inventory::{App, join, parent};

/// A Procfile command taken apart for a Capsule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Launch {
    /// What to run from the app folder.
    pub command: String,
    /// `VAR=value` prefixes, to set as environment variables instead.
    pub env: Vec<(String, String)>,
    /// A `cd` into a folder that is not the app's: kept inside `command`.
    pub unresolved_cd: Option<String>,
}

/// Takes `process` of `app` apart. A `cd` into the app's own folder (how a root Procfile
/// starts an app in a subfolder) is dropped, since the Capsule's folder is the app's; a
/// `cd` elsewhere stays in the command, with its `VAR=value` words, as written.
pub fn launch(app: &App, process: &Process) -> Launch {
    let parts = command_parts(&process.command);
    let procfile_dir = app.procfile.as_ref().map_or(app.dir.as_str(), |p| parent(&p.path));
    if let Some(cd) = &parts.cd
        && normalize(&join(procfile_dir, cd)) != app.dir
    {
        return Launch {
            command: process.command.trim().to_owned(),
            env: Vec::new(),
            unresolved_cd: Some(cd.clone()),
        };
    }
    Launch { command: parts.program, env: parts.env, unresolved_cd: None }
}

impl Launch {
    /// The command with its variables in front again, for a place that has no separate
    /// environment (an npm script).
    pub fn with_env(&self) -> String {
        let mut words: Vec<String> =
            self.env.iter().map(|(name, value)| format!("{name}={}", shell_quote(value))).collect();
        words.push(self.command.clone());
        words.join(" ")
    }
}

/// `command` as it may be shown to people: the values of leading `VAR=value` words whose
/// name or value looks like a credential are replaced with `***`.
pub fn redacted(command: &str) -> String {
    let parts = command_parts(command);
    let mut text = command.to_owned();
    for (name, value) in &parts.env {
        if value.is_empty() || !super::env::looks_secret(name, value) {
            continue;
        }
        let assignment = format!("{name}=");
        let Some(start) = text
            .match_indices(&assignment)
            .map(|(i, _)| i)
            .find(|&i| i == 0 || text[..i].ends_with([' ', '\t']))
        else {
            continue;
        };
        let value_start = start + assignment.len();
        let value_end = value_start + shell_word_len(&text[value_start..]);
        text.replace_range(value_start..value_end, "***");
    }
    text
}

/// The byte length of the shell word at the start of `text`, quotes included.
fn shell_word_len(text: &str) -> usize {
    let mut quote: Option<char> = None;
    for (i, c) in text.char_indices() {
        match (quote, c) {
            (None, ' ' | '\t') => return i,
            (None, '\'' | '"') => quote = Some(c),
            (Some(q), _) if c == q => quote = None,
            _ => {}
        }
    }
    text.len()
}

/// `value` as one shell word: as is when it has only safe characters, else single-quoted.
pub fn shell_quote(value: &str) -> String {
    let safe = |c: char| c.is_ascii_alphanumeric() || "_-./:@%+=,".contains(c);
    if !value.is_empty() && value.chars().all(safe) {
        value.to_owned()
    } else {
        format!("'{}'", value.replace('\'', r"'\''"))
    }
}

/// `./a/../b/` -> `b`; `..` past the root stays, so it never equals an app folder.
fn normalize(path: &str) -> String {
    let mut parts: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." if parts.last().is_some_and(|p| *p != "..") => {
                parts.pop();
            }
            _ => parts.push(part),
        }
    }
    parts.join("/")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quoting_keeps_safe_words_and_quotes_the_rest() {
        assert_eq!(shell_quote("production"), "production");
        assert_eq!(shell_quote("a b"), "'a b'");
        assert_eq!(shell_quote("it's"), r"'it'\''s'");
        assert_eq!(shell_quote(""), "''");
    }

    #[test]
    fn redaction_hides_credential_values_only() {
        assert_eq!(
            redacted("cd api && API_KEY='a b' MODE=fast node s.js"),
            "cd api && API_KEY=*** MODE=fast node s.js"
        );
        assert_eq!(redacted("DB=postgres://u:p@h/d node s.js"), "DB=*** node s.js");
        assert_eq!(redacted("node s.js --token=abc"), "node s.js --token=abc");
    }

    #[test]
    fn normalize_resolves_dots() {
        assert_eq!(normalize("./api/"), "api");
        assert_eq!(normalize("a/../b"), "b");
        assert_eq!(normalize("../x"), "../x");
        assert_eq!(normalize("."), "");
    }
}
