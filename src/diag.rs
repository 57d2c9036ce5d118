//! Positions and file-anchored errors shared by every stage.
//!
//! Every user-facing error names the file, and the line and column where known, so the
//! user can jump straight to it. Stages wrap [`FileError`] in their own error enums.

use std::fmt;

// A path holding a line break or an escape sequence is shown quoted, as git does.
use crate::terminal::quote_path;

/// A 1-based line and column (columns count characters, not bytes).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Position {
    pub line: usize,
    pub column: usize,
}

impl Position {
    /// The position of byte `offset` in `text`. Offsets past the end clamp to the end.
    pub fn of_offset(text: &[u8], offset: usize) -> Position {
        let offset = offset.min(text.len());
        let before = &text[..offset];
        let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
        let line_start = before.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
        let column = String::from_utf8_lossy(&before[line_start..]).chars().count() + 1;
        Position { line, column }
    }
}

/// An error in one input file: what is wrong, where, and (optionally) what to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileError {
    /// The file as the user knows it: repo-relative, or as given on the command line.
    pub file: String,
    pub position: Option<Position>,
    pub message: String,
}

impl FileError {
    pub fn new(file: impl Into<String>, message: impl Into<String>) -> FileError {
        FileError { file: file.into(), position: None, message: message.into() }
    }

    pub fn at(
        file: impl Into<String>,
        position: Position,
        message: impl Into<String>,
    ) -> FileError {
        FileError { file: file.into(), position: Some(position), message: message.into() }
    }

    /// An error at byte `offset` of `text`.
    pub fn at_offset(
        file: impl Into<String>,
        text: &[u8],
        offset: usize,
        message: impl Into<String>,
    ) -> FileError {
        FileError::at(file, Position::of_offset(text, offset), message)
    }
}

impl fmt::Display for FileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.position {
            Some(p) => {
                write!(f, "{}:{}:{}: {}", quote_path(&self.file), p.line, p.column, self.message)
            }
            None => write!(f, "{}: {}", quote_path(&self.file), self.message),
        }
    }
}

impl std::error::Error for FileError {}

/// A finding the user should read but that does not stop the migration.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
pub struct Warning {
    /// Repo-relative file the warning is about, when there is one.
    pub file: Option<String>,
    pub line: Option<usize>,
    pub message: String,
}

impl Warning {
    pub fn new(message: impl Into<String>) -> Warning {
        Warning { file: None, line: None, message: message.into() }
    }

    pub fn in_file(file: impl Into<String>, message: impl Into<String>) -> Warning {
        Warning { file: Some(file.into()), line: None, message: message.into() }
    }

    pub fn at_line(file: impl Into<String>, line: usize, message: impl Into<String>) -> Warning {
        Warning { file: Some(file.into()), line: Some(line), message: message.into() }
    }
}

impl fmt::Display for Warning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (&self.file, self.line) {
            (Some(file), Some(line)) => write!(f, "{}:{line}: {}", quote_path(file), self.message),
            (Some(file), None) => write!(f, "{}: {}", quote_path(file), self.message),
            _ => f.write_str(&self.message),
        }
    }
}

/// Whether `e` is a write to a closed pipe somewhere down its chain of causes.
pub(crate) fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|cause| {
        cause
            .downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_map_to_lines_and_character_columns() {
        let text = "ab\ncé d\n".as_bytes();
        assert_eq!(Position::of_offset(text, 0), Position { line: 1, column: 1 });
        assert_eq!(Position::of_offset(text, 3), Position { line: 2, column: 1 });
        // 'é' is two bytes but one column.
        assert_eq!(Position::of_offset(text, 6), Position { line: 2, column: 3 });
        assert_eq!(Position::of_offset(text, 999), Position { line: 3, column: 1 });
    }

    #[test]
    fn display_names_file_line_and_column() {
        let e = FileError::at("a/package.json", Position { line: 3, column: 7 }, "bad");
        assert_eq!(e.to_string(), "a/package.json:3:7: bad");
        assert_eq!(FileError::new("Procfile", "empty").to_string(), "Procfile: empty");
    }
}
