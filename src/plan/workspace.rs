//! An overlay of edited files over the source.

use std::collections::BTreeMap;

use super::{Action, Change};
use crate::source::{EntryKind, Source};

struct Edit {
    /// `None` when the file is deleted.
    bytes: Option<Vec<u8>>,
    rules: Vec<String>,
}

/// The files as the rules see them: the source plus every edit made so far.
pub struct Workspace<'s> {
    source: &'s Source,
    edits: BTreeMap<String, Edit>,
}

impl<'s> Workspace<'s> {
    pub fn new(source: &'s Source) -> Workspace<'s> {
        Workspace { source, edits: BTreeMap::new() }
    }

    pub fn source(&self) -> &'s Source {
        self.source
    }

    /// The current bytes of a regular file, or `None` when it does not exist (or was
    /// deleted, or is not a regular file).
    pub fn read(&self, path: &str) -> Result<Option<Vec<u8>>, crate::source::Error> {
        if let Some(edit) = self.edits.get(path) {
            return Ok(edit.bytes.clone());
        }
        match self.source.entry(path) {
            Some(e) if e.kind.is_regular() => self.source.read(path).map(Some),
            _ => Ok(None),
        }
    }

    pub fn exists(&self, path: &str) -> bool {
        match self.edits.get(path) {
            Some(edit) => edit.bytes.is_some(),
            None => self.source.entry(path).is_some(),
        }
    }

    /// The paths edited so far (written or deleted), sorted.
    pub fn edited_paths(&self) -> impl Iterator<Item = &str> {
        self.edits.keys().map(String::as_str)
    }

    /// The rules that edited `path` so far, in the order they first did.
    pub fn rules_of(&self, path: &str) -> &[String] {
        self.edits.get(path).map_or(&[], |edit| edit.rules.as_slice())
    }

    /// Writes (creates or replaces) a file on behalf of `rule`.
    pub fn write(&mut self, path: &str, bytes: Vec<u8>, rule: &str) {
        self.record(path, Some(bytes), rule);
    }

    /// Deletes a file on behalf of `rule`.
    pub fn delete(&mut self, path: &str, rule: &str) {
        self.record(path, None, rule);
    }

    fn record(&mut self, path: &str, bytes: Option<Vec<u8>>, rule: &str) {
        let edit = self
            .edits
            .entry(path.to_owned())
            .or_insert_with(|| Edit { bytes: None, rules: Vec::new() });
        edit.bytes = bytes;
        if !edit.rules.iter().any(|r| r == rule) {
            edit.rules.push(rule.to_owned());
        }
    }

    /// The changes against the source, sorted by path. Edits that end up where they
    /// started (written back unchanged) are no change at all.
    pub fn into_changes(self) -> Result<Vec<Change>, crate::source::Error> {
        let mut changes = Vec::new();
        for (path, edit) in self.edits {
            let entry = self.source.entry(&path);
            let old = match entry {
                Some(e) if e.kind.is_regular() => Some(self.source.read(&path)?),
                _ => None,
            };
            let kind = entry.map_or(EntryKind::File, |e| e.kind);
            let action = match (&old, &edit.bytes) {
                (None, None) => continue,
                (Some(o), Some(n)) if o == n => continue,
                (None, Some(_)) => Action::Create,
                (Some(_), None) => Action::Delete,
                (Some(_), Some(_)) => Action::Modify,
            };
            changes.push(Change { path, action, old, new: edit.bytes, kind, rules: edit.rules });
        }
        Ok(changes)
    }
}
