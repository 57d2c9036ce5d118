//! Following what a reached file starts (`fork`, `spawn`, `exec`, `new Worker`,
//! `cluster.setupPrimary`, found by [`crate::inventory::js::spawns`]) as further entries
//! and commands.

use super::Walk;
use super::modules::normalize;
use crate::inventory::js::spawns::{Spawn, Started, Value};
use crate::inventory::{join, parent};

impl Walk<'_, '_> {
    /// What a call in `path` starts (see [`crate::inventory::js::spawns`]): a Node file is
    /// another entry, a program or a shell line is read as a command run from `cwd`, the
    /// working folder of the process that runs `path` (the command's `cd DIR &&`, else the
    /// app's folder), which the child inherits. What is computed makes the reach
    /// incomplete.
    pub(super) fn spawn(&mut self, path: &str, cwd: &str, spawn: Spawn) {
        let by = format!("`{path}:{}` starts", spawn.line);
        let call = &spawn.call;
        let dir = parent(path).to_owned();
        // The child runs in the folder its `cwd` option names, else in its parent's.
        let cwd = match &spawn.cwd {
            None => Some(cwd.to_owned()),
            Some(Some(Value::File(p))) => normalize(&join(&dir, p)),
            Some(Some(Value::Cwd(p))) if !p.starts_with('/') => normalize(&join(cwd, p)),
            Some(_) => None,
        };
        let Some(cwd) = cwd else {
            self.fail(format!("{by} code in a folder only known when it runs (`{call}`)"));
            return;
        };
        match spawn.started {
            Started::Module(Some(value)) => {
                // Node resolves a relative path against the working folder; code written
                // for another folder names it from its own file. Follow whichever exists.
                let candidates = match &value {
                    Value::File(p) => vec![normalize(&join(&dir, p))],
                    Value::Cwd(p) if p.starts_with('/') => vec![None],
                    Value::Cwd(p) => vec![normalize(&join(&cwd, p)), normalize(&join(&dir, p))],
                };
                let found: Vec<String> = candidates
                    .into_iter()
                    .flatten()
                    .filter_map(|p| self.resolve(&p).or_else(|| self.built_from(&p)))
                    .collect();
                if found.is_empty() {
                    let (Value::File(p) | Value::Cwd(p)) = &value;
                    self.fail(format!("{by} `{p}` (`{call}`), which is not in the repository"));
                }
                for file in found {
                    self.found(file, &cwd);
                }
            }
            Started::Shell(Some(line)) => self.line(&line, &cwd, 1),
            Started::Program(Some(values)) => {
                let mut words = Vec::new();
                for value in values {
                    let word = match value {
                        Value::Cwd(word) => Some(word),
                        // A path from the file's folder, as the working folder names it.
                        Value::File(p) => normalize(&join(&dir, &p)).and_then(|abs| {
                            if cwd.is_empty() {
                                Some(abs)
                            } else {
                                abs.strip_prefix(&format!("{cwd}/")).map(str::to_owned)
                            }
                        }),
                    };
                    let Some(word) = word else {
                        self.fail(format!("{by} a file outside the app's folder (`{call}`)"));
                        return;
                    };
                    words.push(word);
                }
                let words: Vec<Option<&str>> = words.iter().map(|w| Some(w.as_str())).collect();
                self.command(&words, &mut cwd.clone(), 1);
            }
            Started::Module(None) | Started::Shell(None) | Started::Program(None) => {
                self.fail(format!("{by} code whose path or command is computed (`{call}`)"));
            }
        }
    }
}
