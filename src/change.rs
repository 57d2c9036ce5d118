//! A plan's output: the file changes and notes that the sinks and the guide renderer
//! read. Made by `plan`; kept here so the guide (in `generate`) can read them without
//! depending on the planner.

use crate::source::EntryKind;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Action {
    Create,
    Modify,
    Delete,
}

/// One file's change. `old` is `None` for a created file, `new` is `None` for a deleted one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    pub path: String,
    pub action: Action,
    pub old: Option<Vec<u8>>,
    pub new: Option<Vec<u8>>,
    /// Kept from the old entry; new files are `File`.
    pub kind: EntryKind,
    /// The ids of the rules that touched this file, in the order they ran.
    pub rules: Vec<String>,
}

/// A note for the report: something the migration did or the user must do by hand.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Note {
    pub rule: String,
    pub message: String,
}

/// The verb for `action` in the report and the guide's file list.
pub fn action_word(action: Action) -> &'static str {
    match action {
        Action::Create => "create",
        Action::Modify => "modify",
        Action::Delete => "delete",
    }
}
