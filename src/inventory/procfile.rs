//! The Procfile: an app's process types and their commands.
//!
//! The rules are those of Heroku's current parser (heroku/buildpacks-procfile SPEC.md), so
//! a Procfile that deploys on Heroku today reads the same here, and one Heroku would
//! refuse is refused with the same reason. Leading spaces are ignored with a [`Warning`];
//! process names keep their spelling, as on Heroku's classic stacks.

use crate::diag::{FileError, Warning};

/// The longest process type Heroku accepts.
const MAX_TYPE_LEN: usize = 63;

/// A parsed Procfile: its processes in order of first appearance.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Procfile {
    pub processes: Vec<Process>,
    pub warnings: Vec<Warning>,
}

impl Procfile {
    /// The process of type `name`, as written in the Procfile.
    pub fn process(&self, name: &str) -> Option<&Process> {
        self.processes.iter().find(|p| p.name == name)
    }
}

/// One `type: command` line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Process {
    /// The type as written (`order_maker` stays `order_maker`); `web` and `release` are
    /// special only spelled so.
    pub name: String,
    /// The command, without surrounding spaces; a `#` in it is part of the command.
    pub command: String,
    /// The 1-based line the command comes from (the last one when a type repeats).
    pub line: usize,
}

/// Parses the Procfile `file` (named in errors and warnings) from its bytes.
pub fn parse(file: &str, bytes: &[u8]) -> Result<Procfile, FileError> {
    let mut warnings = Vec::new();
    let text = decode(file, bytes, &mut warnings)?;
    let mut parser = Parser { file, text, processes: Vec::new(), warnings };
    let mut start = 0;
    for (index, raw) in text.split('\n').enumerate() {
        // A CR is a line ending only as part of CRLF: not at the end of the file.
        let ends_in_lf = start + raw.len() < text.len();
        let line = if ends_in_lf { raw.strip_suffix('\r').unwrap_or(raw) } else { raw };
        parser.line(index + 1, start, line)?;
        start += raw.len() + 1;
    }
    // One that defines no processes is not an error: Heroku then runs the buildpack's
    // default process types (the inventory says what that means for the app).
    Ok(Procfile { processes: parser.processes, warnings: parser.warnings })
}

/// The text of `bytes`: UTF-8 without its byte order mark (accepted with a warning, and left
/// out of positions since editors do not count it as a column); other bytes are an error
/// at their position. Shared with the app.json reader.
pub(crate) fn decode<'a>(
    file: &str,
    bytes: &'a [u8],
    warnings: &mut Vec<Warning>,
) -> Result<&'a str, FileError> {
    let bytes = match bytes.strip_prefix(b"\xEF\xBB\xBF") {
        Some(rest) => {
            let message = "starts with a UTF-8 byte order mark (ignored)";
            warnings.push(Warning::at_line(file, 1, message));
            rest
        }
        None => bytes,
    };
    std::str::from_utf8(bytes).map_err(|e| {
        let offset = e.valid_up_to();
        let message = format!("not UTF-8 text: byte 0x{:02X} cannot be read", bytes[offset]);
        FileError::at_offset(file, bytes, offset, message)
    })
}

struct Parser<'a> {
    file: &'a str,
    text: &'a str,
    processes: Vec<Process>,
    warnings: Vec<Warning>,
}

impl Parser<'_> {
    fn error(&self, offset: usize, message: impl Into<String>) -> FileError {
        FileError::at_offset(self.file, self.text.as_bytes(), offset, message)
    }

    /// Reads line `number`, which starts at byte `start` and has no line ending.
    fn line(&mut self, number: usize, start: usize, line: &str) -> Result<(), FileError> {
        if let Some(cr) = line.find('\r') {
            return Err(self.error(
                start + cr,
                "carriage return (CR) without a line feed; save the file with LF or CRLF line endings",
            ));
        }
        let content = line.trim_start_matches([' ', '\t']);
        if content.is_empty() || content.starts_with('#') {
            return Ok(());
        }
        let indent = line.len() - content.len();
        let Some(colon) = content.find(':') else {
            return Err(
                self.error(start + indent, "expected `type: command`, found no `:` on this line")
            );
        };
        let raw_type = &content[..colon];
        let name = self.process_type(number, start + indent, raw_type)?;
        if indent > 0 {
            let message = format!("leading spaces before process type `{name}` ignored");
            self.warnings.push(Warning::at_line(self.file, number, message));
        }
        let command = content[colon + 1..].trim_matches([' ', '\t']);
        // Only spaces and tabs are trimmed (Heroku's rule), but a command of other
        // whitespace alone (a vertical tab, U+3000) names no program either.
        if command.trim().is_empty() {
            let message = format!("process type `{name}` has no command after `:`");
            return Err(self.error(start + indent + colon + 1, message));
        }
        self.add(Process { name, command: command.to_string(), line: number });
        Ok(())
    }

    /// Checks a process type that starts at byte `start`. The name is kept as written:
    /// Heroku's classic stacks, where apps leaving Heroku ran, keep `order_maker` and
    /// `Web` as they are (only the newer Fir parser lowercases and turns `_` into `-`).
    fn process_type(&mut self, line: usize, start: usize, raw: &str) -> Result<String, FileError> {
        if raw.is_empty() {
            return Err(self.error(start, "missing process type before `:`"));
        }
        let folded: String =
            raw.chars().map(|c| if c == '_' { '-' } else { c.to_ascii_lowercase() }).collect();
        if let Some((offset, problem)) = type_problem(&folded) {
            return Err(
                self.error(start + offset, format!("invalid process type `{raw}`: {problem}"))
            );
        }
        if raw != folded && matches!(folded.as_str(), "web" | "release") {
            let message = format!(
                "process type `{raw}` is not `{folded}`: Heroku's classic stacks run it as a \
                 process type of its own, not as the {folded} process"
            );
            self.warnings.push(Warning::at_line(self.file, line, message));
        }
        Ok(raw.to_owned())
    }

    /// Adds a process; a repeated type keeps its first place and takes the new command,
    /// as Heroku's parser does.
    fn add(&mut self, process: Process) {
        match self.processes.iter_mut().find(|p| p.name == process.name) {
            Some(earlier) => {
                let message = format!(
                    "process type `{}` is defined on lines {} and {}; the command on line {} is used",
                    process.name, earlier.line, process.line, process.line
                );
                self.warnings.push(Warning::at_line(self.file, process.line, message));
                *earlier = process;
            }
            None => self.processes.push(process),
        }
    }
}

/// Checks a normalised type against `^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$`; on failure
/// returns the byte offset of the first offending character and why it is wrong.
fn type_problem(name: &str) -> Option<(usize, String)> {
    let allowed = |c: char| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-';
    if let Some((offset, c)) = name.char_indices().find(|&(_, c)| !allowed(c)) {
        let why = if c == ' ' || c == '\t' {
            "no spaces are allowed in a process type or before its `:`".to_string()
        } else {
            format!("`{c}` is not allowed; use letters a-z, digits and `-`")
        };
        return Some((offset, why));
    }
    if name.starts_with('-') {
        return Some((0, "it must start with a letter or digit".to_string()));
    }
    if name.ends_with('-') {
        return Some((name.len() - 1, "it must end with a letter or digit".to_string()));
    }
    if name.len() > MAX_TYPE_LEN {
        return Some((MAX_TYPE_LEN, format!("it is longer than {MAX_TYPE_LEN} characters")));
    }
    None
}

/// The shell grammar reads Procfile commands; these are re-exported for the readers of
/// processes.
pub use crate::shell::{CommandParts, command_parts};

#[cfg(test)]
mod proptests;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diag::Position;

    fn ok(text: &str) -> Procfile {
        parse("api/Procfile", text.as_bytes()).expect("valid Procfile")
    }

    fn err(bytes: &[u8]) -> FileError {
        parse("api/Procfile", bytes).expect_err("invalid Procfile")
    }

    fn at(line: usize, column: usize) -> Option<Position> {
        Some(Position { line, column })
    }

    fn pairs(p: &Procfile) -> Vec<(&str, &str, usize)> {
        p.processes.iter().map(|p| (p.name.as_str(), p.command.as_str(), p.line)).collect()
    }

    #[test]
    fn reads_types_commands_and_lines_skipping_comments_and_blanks() {
        let p = ok(
            "# processes\n\nweb: node server.js\n  # indented comment\nworker:\tnode worker.js\n",
        );
        assert_eq!(pairs(&p), [("web", "node server.js", 3), ("worker", "node worker.js", 5)]);
        assert!(p.warnings.is_empty(), "{:?}", p.warnings);
        assert_eq!(p.process("worker").map(|w| w.line), Some(5));
    }

    #[test]
    fn a_hash_or_colon_after_the_type_belongs_to_the_command() {
        let p = ok("web: node a.js --tag #1 --url http://x:80   \n");
        assert_eq!(p.processes[0].command, "node a.js --tag #1 --url http://x:80");
    }

    #[test]
    fn crlf_is_accepted_and_no_final_newline_is_fine() {
        let p = ok("web: npm start\r\nclock: node clock.js");
        assert_eq!(pairs(&p), [("web", "npm start", 1), ("clock", "node clock.js", 2)]);
    }

    #[test]
    fn a_lone_carriage_return_is_an_error_at_its_position() {
        let e = err(b"web: npm start\nworker: a\rb\n");
        assert_eq!(e.position, at(2, 10));
        assert!(e.message.contains("carriage return"), "{}", e.message);
        assert_eq!(err(b"web: npm start\r").position, at(1, 15));
    }

    #[test]
    fn names_keep_their_spelling_and_a_web_spelled_otherwise_is_warned() {
        let p = ok("  Web: npm start\nMY_worker: node w.js\norder_maker: node o.js\n");
        let expected = [("Web", "npm start", 1), ("MY_worker", "node w.js", 2)];
        assert_eq!(pairs(&p)[..2], expected);
        assert_eq!(p.process("order_maker").map(|o| o.line), Some(3));
        assert_eq!(p.process("web"), None);
        let lines: Vec<_> = p.warnings.iter().map(|w| (w.line, w.message.as_str())).collect();
        assert_eq!(lines.len(), 2, "{lines:?}");
        assert!(lines[0].1.contains("`Web` is not `web`") && lines[0].0 == Some(1));
        assert!(lines[1].1.contains("leading spaces") && lines[1].0 == Some(1));
        assert!(p.warnings.iter().all(|w| w.file.as_deref() == Some("api/Procfile")));
    }

    #[test]
    fn an_empty_command_is_an_error_after_the_colon() {
        let e = err(b"web: npm start\nworker:   \n");
        assert_eq!(e.file, "api/Procfile");
        assert_eq!(e.position, at(2, 8));
        assert!(e.message.contains("`worker` has no command"), "{}", e.message);
    }

    #[test]
    fn a_line_without_colon_is_an_error() {
        let e = err(b"web: a\n\n   node server.js\n");
        assert_eq!(e.position, at(3, 4));
        assert!(e.message.contains("no `:`"), "{}", e.message);
    }

    #[test]
    fn invalid_types_point_at_the_offending_character() {
        let cases: [(&[u8], usize, &str); 7] = [
            (b"w.eb: x", 2, "`.`"),
            (b"web : x", 4, "no spaces"),
            (b"-web: x", 1, "start"),
            (b"web-: x", 4, "end"),
            (b"web_: x", 4, "end"),
            (b": x", 1, "missing process type"),
            ("caf\u{e9}: x".as_bytes(), 4, "`\u{e9}`"),
        ];
        for (text, column, needle) in cases {
            let e = err(text);
            assert_eq!(e.position, at(1, column), "{:?}", String::from_utf8_lossy(text));
            assert!(e.message.contains(needle), "{}", e.message);
        }
    }

    #[test]
    fn types_may_be_one_to_sixty_three_characters() {
        assert_eq!(ok("a: x").processes[0].name, "a");
        assert_eq!(ok("1-2: x").processes[0].name, "1-2");
        let longest = format!("{}: x", "a".repeat(63));
        assert_eq!(ok(&longest).processes[0].name.len(), 63);
        let e = err(format!("{}: x", "a".repeat(64)).as_bytes());
        assert_eq!(e.position, at(1, 64));
        assert!(e.message.contains("63"), "{}", e.message);
    }

    #[test]
    fn a_repeated_type_keeps_its_place_takes_the_last_command_and_warns() {
        let p = ok("web: one\nworker: w\nweb: two\n");
        assert_eq!(pairs(&p), [("web", "two", 3), ("worker", "w", 2)]);
        assert_eq!(p.warnings.len(), 1);
        let w = &p.warnings[0];
        assert_eq!(w.line, Some(3));
        assert!(w.message.contains("lines 1 and 3"), "{}", w.message);
    }

    #[test]
    fn non_utf8_is_an_error_at_the_byte() {
        let e = err(b"web: a\nworker: caf\xE9\n");
        assert_eq!(e.position, at(2, 12));
        assert!(e.message.contains("0xE9"), "{}", e.message);
    }

    #[test]
    fn a_bom_is_accepted_with_a_warning_and_columns_ignore_it() {
        let p = ok("\u{feff}web: npm start\n");
        assert_eq!(pairs(&p), [("web", "npm start", 1)]);
        assert!(p.warnings[0].message.contains("byte order mark"));
        assert_eq!(err("\u{feff}web".as_bytes()).position, at(1, 1));
    }

    /// Not an error, and no warning here: the inventory says what Heroku then ran.
    #[test]
    fn an_empty_procfile_has_no_processes() {
        for text in ["", "# nothing\n\n", "\r\n  \r\n"] {
            let p = ok(text);
            assert!(p.processes.is_empty(), "{text:?}");
            assert!(p.warnings.is_empty(), "{text:?}");
        }
    }
}
