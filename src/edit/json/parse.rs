//! A strict RFC 8259 parser that records where every value sits in the text.
//!
//! serde_json tells us what a document means but not where anything is; the editor needs
//! byte spans so it can replace one value and leave every other byte alone.

use std::ops::Range;

use serde_json::{Map, Number, Value};

use crate::diag::FileError;

/// Deeper documents are refused rather than risking a stack overflow in the recursive
/// parser (and in the recursive drop and comparison of the tree).
pub const MAX_DEPTH: usize = 512;

const BOM: char = '\u{feff}';

/// A syntax error at byte `offset` of the text handed to [`parse`]. It prints the message
/// alone: the user reads it through [`parse_error`], which turns the offset into a line
/// and column of the file.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct JsonError {
    pub offset: usize,
    pub message: String,
}

/// A parse error as the user sees it: file, line and column.
pub fn parse_error(file: &str, text: &str, err: &JsonError) -> FileError {
    let message = format!("invalid JSON: {}; fix the file and run again", err.message);
    FileError::at_offset(file, text.as_bytes(), err.offset, message)
}

/// One value and the bytes it occupies (from its first to its last character).
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    pub span: Range<usize>,
    pub kind: NodeKind,
}

#[derive(Debug, Clone, PartialEq)]
pub enum NodeKind {
    Null,
    Bool(bool),
    Number(Number),
    String(String),
    Array(Vec<Node>),
    /// Members in text order, duplicates included.
    Object(Vec<Member>),
}

/// An object member: the decoded key, the span of the key with its quotes, the value.
#[derive(Debug, Clone, PartialEq)]
pub struct Member {
    pub key: String,
    pub key_span: Range<usize>,
    pub value: Node,
}

impl Node {
    /// The member named `key`; with duplicates the last one, as `JSON.parse` keeps it.
    pub fn member(&self, key: &str) -> Option<&Member> {
        match &self.kind {
            NodeKind::Object(members) => members.iter().rev().find(|m| m.key == key),
            _ => None,
        }
    }

    /// The value at a path of object keys.
    pub fn lookup(&self, path: &[&str]) -> Option<&Node> {
        path.iter().try_fold(self, |node, key| node.member(key).map(|m| &m.value))
    }

    /// What the value means, as serde_json would read it (the last duplicate key wins).
    pub fn to_value(&self) -> Value {
        match &self.kind {
            NodeKind::Null => Value::Null,
            NodeKind::Bool(b) => Value::Bool(*b),
            NodeKind::Number(n) => Value::Number(n.clone()),
            NodeKind::String(s) => Value::String(s.clone()),
            NodeKind::Array(items) => Value::Array(items.iter().map(Node::to_value).collect()),
            NodeKind::Object(members) => {
                let mut map = Map::new();
                for m in members {
                    map.insert(m.key.clone(), m.value.to_value());
                }
                Value::Object(map)
            }
        }
    }

    /// A word for error messages.
    pub fn kind_name(&self) -> &'static str {
        match self.kind {
            NodeKind::Null => "null",
            NodeKind::Bool(_) => "a boolean",
            NodeKind::Number(_) => "a number",
            NodeKind::String(_) => "a string",
            NodeKind::Array(_) => "an array",
            NodeKind::Object(_) => "an object",
        }
    }
}

/// Parses one JSON text. A leading UTF-8 byte order mark is allowed; spans count it.
pub fn parse(text: &str) -> Result<Node, JsonError> {
    let start = if text.starts_with(BOM) { BOM.len_utf8() } else { 0 };
    let mut parser = Parser { text, bytes: text.as_bytes(), pos: start };
    let root = parser.value(0)?;
    parser.skip_ws();
    if parser.pos < text.len() {
        return Err(parser.unexpected("after the JSON value"));
    }
    Ok(root)
}

struct Parser<'a> {
    text: &'a str,
    bytes: &'a [u8],
    pos: usize,
}

impl Parser<'_> {
    fn peek(&self) -> Option<u8> {
        self.bytes.get(self.pos).copied()
    }

    fn skip_ws(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.pos += 1;
        }
    }

    fn error(&self, offset: usize, message: impl Into<String>) -> JsonError {
        JsonError { offset, message: message.into() }
    }

    /// "unexpected `x` \<context>" at the current position (or end of input).
    fn unexpected(&self, context: &str) -> JsonError {
        // `pos` only ever stops on ASCII bytes or at the end, so it is a char boundary.
        match self.text[self.pos..].chars().next() {
            None => self.error(self.pos, format!("unexpected end of input {context}")),
            Some(c) => self.error(self.pos, format!("unexpected {} {context}", describe(c))),
        }
    }

    fn expect(&mut self, byte: u8, context: &str) -> Result<(), JsonError> {
        if self.peek() == Some(byte) {
            self.pos += 1;
            Ok(())
        } else {
            Err(self.unexpected(context))
        }
    }

    fn value(&mut self, depth: usize) -> Result<Node, JsonError> {
        self.skip_ws();
        let start = self.pos;
        let kind = match self.peek() {
            Some(b'{') => self.object(depth + 1)?,
            Some(b'[') => self.array(depth + 1)?,
            Some(b'"') => NodeKind::String(self.string()?),
            Some(b't') => self.literal("true", NodeKind::Bool(true))?,
            Some(b'f') => self.literal("false", NodeKind::Bool(false))?,
            Some(b'n') => self.literal("null", NodeKind::Null)?,
            Some(b'-' | b'0'..=b'9') => self.number()?,
            _ => return Err(self.unexpected("where a value was expected")),
        };
        Ok(Node { span: start..self.pos, kind })
    }

    fn check_depth(&self, depth: usize) -> Result<(), JsonError> {
        if depth > MAX_DEPTH {
            return Err(self.error(self.pos, format!("nesting deeper than {MAX_DEPTH} levels")));
        }
        Ok(())
    }

    fn object(&mut self, depth: usize) -> Result<NodeKind, JsonError> {
        self.check_depth(depth)?;
        self.pos += 1;
        let mut members = Vec::new();
        self.skip_ws();
        if self.peek() == Some(b'}') {
            self.pos += 1;
            return Ok(NodeKind::Object(members));
        }
        loop {
            self.skip_ws();
            if self.peek() != Some(b'"') {
                return Err(self.unexpected("where an object key (a string) was expected"));
            }
            let key_start = self.pos;
            let key = self.string()?;
            let key_span = key_start..self.pos;
            self.skip_ws();
            self.expect(b':', "after an object key; expected `:`")?;
            let value = self.value(depth)?;
            members.push(Member { key, key_span, value });
            self.skip_ws();
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(b'}') => break,
                _ => return Err(self.unexpected("after an object member; expected `,` or `}`")),
            }
        }
        self.pos += 1;
        Ok(NodeKind::Object(members))
    }

    fn array(&mut self, depth: usize) -> Result<NodeKind, JsonError> {
        self.check_depth(depth)?;
        self.pos += 1;
        let mut items = Vec::new();
        self.skip_ws();
        if self.peek() == Some(b']') {
            self.pos += 1;
            return Ok(NodeKind::Array(items));
        }
        loop {
            items.push(self.value(depth)?);
            self.skip_ws();
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(b']') => break,
                _ => return Err(self.unexpected("after an array element; expected `,` or `]`")),
            }
        }
        self.pos += 1;
        Ok(NodeKind::Array(items))
    }

    fn literal(&mut self, word: &str, kind: NodeKind) -> Result<NodeKind, JsonError> {
        if self.bytes[self.pos..].starts_with(word.as_bytes()) {
            self.pos += word.len();
            Ok(kind)
        } else {
            Err(self.unexpected("where a value was expected"))
        }
    }

    fn digits(&mut self) -> usize {
        let start = self.pos;
        while matches!(self.peek(), Some(b'0'..=b'9')) {
            self.pos += 1;
        }
        self.pos - start
    }

    fn number(&mut self) -> Result<NodeKind, JsonError> {
        let start = self.pos;
        if self.peek() == Some(b'-') {
            self.pos += 1;
        }
        let int_start = self.pos;
        match self.digits() {
            0 => return Err(self.unexpected("in a number; expected a digit")),
            n if n > 1 && self.bytes[int_start] == b'0' => {
                return Err(self.error(int_start, "leading zeros are not allowed in a number"));
            }
            _ => {}
        }
        if self.peek() == Some(b'.') {
            self.pos += 1;
            if self.digits() == 0 {
                return Err(self.unexpected("after `.` in a number; expected a digit"));
            }
        }
        if matches!(self.peek(), Some(b'e' | b'E')) {
            self.pos += 1;
            if matches!(self.peek(), Some(b'+' | b'-')) {
                self.pos += 1;
            }
            if self.digits() == 0 {
                return Err(self.unexpected("in a number's exponent; expected a digit"));
            }
        }
        let spelled = &self.text[start..self.pos];
        // serde_json has no value for numbers beyond f64 (1e400): refuse rather than guess.
        spelled
            .parse::<Number>()
            .map(NodeKind::Number)
            .map_err(|_| self.error(start, format!("number {spelled} is out of range")))
    }

    /// Parses a string starting at its opening quote and returns its decoded content.
    fn string(&mut self) -> Result<String, JsonError> {
        self.pos += 1;
        let mut out = String::new();
        loop {
            let run_start = self.pos;
            while matches!(self.peek(), Some(b) if b != b'"' && b != b'\\' && b >= 0x20) {
                self.pos += 1;
            }
            out.push_str(&self.text[run_start..self.pos]);
            match self.peek() {
                Some(b'"') => {
                    self.pos += 1;
                    return Ok(out);
                }
                Some(b'\\') => out.push(self.escape()?),
                Some(b) => {
                    let msg = format!("control character U+{b:04X} must be escaped in a string");
                    return Err(self.error(self.pos, msg));
                }
                None => return Err(self.error(self.pos, "unterminated string")),
            }
        }
    }

    /// Decodes one escape sequence starting at its backslash.
    fn escape(&mut self) -> Result<char, JsonError> {
        let start = self.pos;
        self.pos += 1;
        let Some(b) = self.peek() else {
            return Err(self.error(self.pos, "unterminated string"));
        };
        self.pos += 1;
        let c = match b {
            b'"' => '"',
            b'\\' => '\\',
            b'/' => '/',
            b'b' => '\u{8}',
            b'f' => '\u{c}',
            b'n' => '\n',
            b'r' => '\r',
            b't' => '\t',
            b'u' => return self.unicode_escape(start),
            _ => {
                self.pos -= 1;
                return Err(self.unexpected("after `\\` in a string; not a valid escape"));
            }
        };
        Ok(c)
    }

    /// Decodes `\uXXXX` (and the low half of a surrogate pair); `start` is the backslash.
    fn unicode_escape(&mut self, start: usize) -> Result<char, JsonError> {
        let high = self.hex4()?;
        if !(0xD800..0xE000).contains(&high) {
            return Ok(char::from_u32(high).expect("a non-surrogate code unit is a char"));
        }
        let lone = || JsonError {
            offset: start,
            message: "lone UTF-16 surrogate in a string cannot be represented".into(),
        };
        if high >= 0xDC00 || !self.bytes[self.pos..].starts_with(b"\\u") {
            return Err(lone());
        }
        self.pos += 2;
        let low = self.hex4()?;
        if !(0xDC00..0xE000).contains(&low) {
            return Err(lone());
        }
        let code = 0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00);
        Ok(char::from_u32(code).expect("a surrogate pair decodes to a char"))
    }

    fn hex4(&mut self) -> Result<u32, JsonError> {
        let mut code = 0;
        for _ in 0..4 {
            let digit = self.peek().and_then(|b| (b as char).to_digit(16));
            let Some(d) = digit else {
                return Err(self.unexpected("in a \\u escape; expected a hex digit"));
            };
            code = code * 16 + d;
            self.pos += 1;
        }
        Ok(code)
    }
}

fn describe(c: char) -> String {
    if c.is_control() || c == BOM {
        format!("character U+{:04X}", c as u32)
    } else {
        format!("`{c}`")
    }
}
