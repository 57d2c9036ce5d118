//! Text for a terminal: control characters from the repository shown, never obeyed.
//!
//! Folder names, Procfile commands, app.json keys and values and add-on names reach the
//! plan, warnings and errors. Written raw, an escape sequence in them could hide or
//! rewrite what the user reads (`node evil.js\e[2K\e[1Gnode api.js` shows as
//! `node api.js`). Git meets the same problem in diff headers and quotes names C-style
//! (`core.quotePath`); human output here does the same for every control character:
//! C0 (except the line breaks the tool itself writes), DEL, C1 (`\u{9b}` is a CSI on some
//! terminals) and the bidirectional overrides that reorder text ("Trojan Source",
//! CVE-2021-42574).

use std::borrow::Cow;
use std::io::{self, Write};

/// Whether `c` must be escaped before it reaches a terminal.
pub fn is_control(c: char) -> bool {
    c.is_control() || matches!(c, '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}')
}

/// `c` as git writes it in a quoted name: `\t`, `\n`, `\r`, ... or each UTF-8 byte in
/// octal (`\033` for ESC).
fn push_escaped(out: &mut String, c: char) {
    match c {
        '\u{7}' => out.push_str("\\a"),
        '\u{8}' => out.push_str("\\b"),
        '\t' => out.push_str("\\t"),
        '\n' => out.push_str("\\n"),
        '\u{b}' => out.push_str("\\v"),
        '\u{c}' => out.push_str("\\f"),
        '\r' => out.push_str("\\r"),
        _ => {
            let mut buf = [0u8; 4];
            for byte in c.encode_utf8(&mut buf).bytes() {
                out.push_str(&format!("\\{byte:03o}"));
            }
        }
    }
}

/// `text` with every control character escaped, line breaks included: for a value
/// shown inside a line.
pub fn escape(text: &str) -> Cow<'_, str> {
    if !text.chars().any(is_control) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if is_control(c) { push_escaped(&mut out, c) } else { out.push(c) }
    }
    Cow::Owned(out)
}

/// A repository path as git shows it in a diff header: as it is, or in double quotes
/// with `"`, `\` and control characters escaped when it holds any of them.
pub fn quote_path(path: &str) -> Cow<'_, str> {
    if !path.chars().any(|c| is_control(c) || c == '"' || c == '\\') {
        return Cow::Borrowed(path);
    }
    let mut out = String::from("\"");
    for c in path.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if is_control(c) => push_escaped(&mut out, c),
            c => out.push(c),
        }
    }
    out.push('"');
    Cow::Owned(out)
}

/// A writer for human output: every control character but the line break and the tab is escaped
/// ([`escape`]), and bytes that are not UTF-8 are shown in octal. Output is held back
/// to the end of each line, so a character split between two writes is seen whole.
pub struct Escaping<W: Write> {
    inner: W,
    pending: Vec<u8>,
}

impl<W: Write> Escaping<W> {
    pub fn new(inner: W) -> Escaping<W> {
        Escaping { inner, pending: Vec::new() }
    }

    fn emit(&mut self, upto: usize) -> io::Result<()> {
        let mut out = String::new();
        for chunk in self.pending[..upto].utf8_chunks() {
            for c in chunk.valid().chars() {
                // Line breaks and tabs are layout (git's own hints indent with a tab).
                if !matches!(c, '\n' | '\t') && is_control(c) {
                    push_escaped(&mut out, c);
                } else {
                    out.push(c);
                }
            }
            for byte in chunk.invalid() {
                out.push_str(&format!("\\{byte:03o}"));
            }
        }
        self.pending.drain(..upto);
        self.inner.write_all(out.as_bytes())
    }
}

impl<W: Write> Write for Escaping<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.pending.extend_from_slice(buf);
        if let Some(last) = self.pending.iter().rposition(|&b| b == b'\n') {
            self.emit(last + 1)?;
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.emit(self.pending.len())?;
        self.inner.flush()
    }
}

impl<W: Write> Drop for Escaping<W> {
    fn drop(&mut self) {
        let _ = self.flush();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escape_sequences_are_shown_not_obeyed() {
        let mut out = Vec::new();
        {
            let mut w = Escaping::new(&mut out);
            w.write_all(b"web: curl x|sh \x1b[2K\x1b[1Gnode api.js\n").unwrap();
            w.write_all("a\u{202e}b\u{9b}c\r\tz ".as_bytes()).unwrap();
            w.write_all(b"\xff").unwrap();
            w.write_all(b"\xc2").unwrap();
            w.write_all(b"\x9b!\n").unwrap();
        }
        assert_eq!(
            String::from_utf8(out).unwrap(),
            "web: curl x|sh \\033[2K\\033[1Gnode api.js\n\
             a\\342\\200\\256b\\302\\233c\\r\tz \\377\\302\\233!\n"
        );
    }

    proptest::proptest! {
        /// Whatever the bytes and however they are split between writes, no control
        /// character but a line break or tab comes out, and the split does not matter.
        #[test]
        fn nothing_raw_gets_through(bytes: Vec<u8>, split in 0usize..64) {
            let run = |parts: &[&[u8]]| {
                let mut out = Vec::new();
                {
                    let mut w = Escaping::new(&mut out);
                    for part in parts {
                        w.write_all(part).unwrap();
                    }
                }
                String::from_utf8(out).expect("the output is UTF-8")
            };
            let at = split.min(bytes.len());
            let whole = run(&[&bytes]);
            proptest::prop_assert_eq!(&whole, &run(&[&bytes[..at], &bytes[at..]]));
            proptest::prop_assert!(!whole.chars().any(|c| is_control(c) && c != '\n' && c != '\t'));
            let text = String::from_utf8_lossy(&bytes);
            proptest::prop_assert!(!escape(&text).chars().any(is_control));
        }
    }

    #[test]
    fn paths_are_quoted_like_git() {
        assert_eq!(quote_path("api/Procfile"), "api/Procfile");
        assert_eq!(quote_path("caf\u{e9}/x"), "caf\u{e9}/x");
        assert_eq!(quote_path("a\nb/\x1b[31m\"q\\"), "\"a\\nb/\\033[31m\\\"q\\\\\"");
    }
}
