//! How a Procfile command runs in a Capsule: a leading `cd DIR &&` becomes the Capsule's
//! folder, leading `VAR=value` words become environment variables, the rest is the command.

use crate::inventory::procfile::{Process, command_parts};
use crate::inventory::{App, join, parent};
use crate::shell;

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
        let mut words: Vec<String> = self
            .env
            .iter()
            .map(|(name, value)| format!("{name}={}", shell::quote(value)))
            .collect();
        words.push(self.command.clone());
        words.join(" ")
    }
}

/// `command` as it may be shown to people: every part that looks like a credential (the
/// value of a `NAME=value` word whose name says so, a token-shaped word, a URL's
/// password) is replaced with `***` ([`super::secret::redact`]).
pub fn redacted(command: &str) -> String {
    super::secret::redact(command)
}

/// `value` as one shell word: as is when it has only safe characters, else single-quoted.
pub fn shell_quote(value: &str) -> String {
    shell::quote(value)
}

/// `./a/../b/` -> `b`; `..` past the root stays, so it never equals an app folder.
fn normalize(path: &str) -> String {
    crate::inventory::path_steps(path).join("/")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redaction_hides_credential_values_only() {
        assert_eq!(
            redacted("cd api && API_KEY='a b' MODE=fast node s.js"),
            "cd api && API_KEY=*** MODE=fast node s.js"
        );
        assert_eq!(
            redacted("DB=postgres://u:p@h/d node s.js"),
            "DB=postgres://u:***@h/d node s.js"
        );
        assert_eq!(redacted("node s.js --token=abc"), "node s.js --token=abc");
        assert_eq!(
            redacted("API_KEY=abc123 node a.js && SECRET=\"x y\" node b.js"),
            "API_KEY=*** node a.js && SECRET=*** node b.js"
        );
    }

    #[test]
    fn normalize_resolves_dots() {
        assert_eq!(normalize("./api/"), "api");
        assert_eq!(normalize("a/../b"), "b");
        assert_eq!(normalize("../x"), "../x");
        assert_eq!(normalize("."), "");
    }
}
