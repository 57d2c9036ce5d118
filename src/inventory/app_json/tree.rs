//! JSON as a tree that remembers where each value and key starts, with keys in the order
//! they are written.
//!
//! serde_json (without `preserve_order`) forgets both, and the app.json checks need them:
//! an error must point at the offending value, and `env` is reported in declaration order.
//! serde_json still checks the syntax first (its errors carry line and column), so this
//! reader only ever sees valid JSON and can stay small; it decodes strings and numbers
//! through serde_json rather than repeating JSON's escape rules.

/// One value and the byte offset where it starts.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Node {
    pub offset: usize,
    pub kind: Kind,
}

#[derive(Debug, Clone, PartialEq)]
pub(super) enum Kind {
    Null,
    Bool(bool),
    Number(serde_json::Number),
    String(String),
    Array(Vec<Node>),
    Object(Vec<Member>),
}

/// One `"key": value` of an object.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Member {
    pub key: String,
    pub key_offset: usize,
    pub value: Node,
}

impl Node {
    /// What the value is, for messages: "a string", "an array", ...
    pub fn kind_name(&self) -> &'static str {
        match self.kind {
            Kind::Null => "null",
            Kind::Bool(_) => "true or false",
            Kind::Number(_) => "a number",
            Kind::String(_) => "a string",
            Kind::Array(_) => "an array",
            Kind::Object(_) => "an object",
        }
    }

    /// The value as serde_json's, for parts kept as they are (key order is lost).
    pub fn to_value(&self) -> serde_json::Value {
        use serde_json::Value;
        match &self.kind {
            Kind::Null => Value::Null,
            Kind::Bool(b) => Value::Bool(*b),
            Kind::Number(n) => Value::Number(n.clone()),
            Kind::String(s) => Value::String(s.clone()),
            Kind::Array(items) => Value::Array(items.iter().map(Node::to_value).collect()),
            Kind::Object(members) => {
                Value::Object(members.iter().map(|m| (m.key.clone(), m.value.to_value())).collect())
            }
        }
    }
}

/// Reads `text`, which serde_json has already accepted. `None` means it was not valid
/// JSON after all.
pub(super) fn read(text: &str) -> Option<Node> {
    let mut reader = Reader { text, pos: 0 };
    let node = reader.value()?;
    reader.skip_space();
    (reader.pos == text.len()).then_some(node)
}

struct Reader<'a> {
    text: &'a str,
    pos: usize,
}

impl Reader<'_> {
    fn peek(&self) -> Option<u8> {
        self.text.as_bytes().get(self.pos).copied()
    }

    fn skip_space(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.pos += 1;
        }
    }

    /// Consumes `byte` (after spaces) or fails.
    fn expect(&mut self, byte: u8) -> Option<()> {
        self.skip_space();
        (self.peek()? == byte).then(|| self.pos += 1)
    }

    fn value(&mut self) -> Option<Node> {
        self.skip_space();
        let offset = self.pos;
        let kind = match self.peek()? {
            b'{' => Kind::Object(self.object()?),
            b'[' => Kind::Array(self.array()?),
            b'"' => Kind::String(self.string()?),
            b't' => self.literal("true", Kind::Bool(true))?,
            b'f' => self.literal("false", Kind::Bool(false))?,
            b'n' => self.literal("null", Kind::Null)?,
            _ => Kind::Number(self.number()?),
        };
        Some(Node { offset, kind })
    }

    fn literal(&mut self, word: &str, kind: Kind) -> Option<Kind> {
        self.text[self.pos..].starts_with(word).then(|| {
            self.pos += word.len();
            kind
        })
    }

    fn number(&mut self) -> Option<serde_json::Number> {
        let start = self.pos;
        while matches!(self.peek(), Some(b'0'..=b'9' | b'-' | b'+' | b'.' | b'e' | b'E')) {
            self.pos += 1;
        }
        serde_json::from_str(&self.text[start..self.pos]).ok()
    }

    /// A string token, decoded by serde_json.
    fn string(&mut self) -> Option<String> {
        let start = self.pos;
        self.pos += 1;
        loop {
            match self.peek()? {
                b'\\' => self.pos += 2,
                b'"' => break,
                _ => self.pos += 1,
            }
        }
        self.pos += 1;
        serde_json::from_str(self.text.get(start..self.pos)?).ok()
    }

    fn array(&mut self) -> Option<Vec<Node>> {
        self.pos += 1;
        let mut items = Vec::new();
        self.skip_space();
        if self.peek()? == b']' {
            self.pos += 1;
            return Some(items);
        }
        loop {
            items.push(self.value()?);
            self.skip_space();
            match self.peek()? {
                b',' => self.pos += 1,
                b']' => break,
                _ => return None,
            }
        }
        self.pos += 1;
        Some(items)
    }

    fn object(&mut self) -> Option<Vec<Member>> {
        self.pos += 1;
        let mut members = Vec::new();
        self.skip_space();
        if self.peek()? == b'}' {
            self.pos += 1;
            return Some(members);
        }
        loop {
            self.skip_space();
            let key_offset = self.pos;
            if self.peek()? != b'"' {
                return None;
            }
            let key = self.string()?;
            self.expect(b':')?;
            let value = self.value()?;
            members.push(Member { key, key_offset, value });
            self.skip_space();
            match self.peek()? {
                b',' => self.pos += 1,
                b'}' => break,
                _ => return None,
            }
        }
        self.pos += 1;
        Some(members)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_offsets_and_key_order() {
        let text = "{ \"b\": [1, \"x\\\"y\", null],\n \"a\": {\"t\": true, \"f\": false} }";
        let root = read(text).expect("valid");
        let Kind::Object(members) = &root.kind else { panic!("object expected") };
        let keys: Vec<_> = members.iter().map(|m| (m.key.as_str(), m.key_offset)).collect();
        assert_eq!(keys, [("b", 2), ("a", 27)]);
        let Kind::Array(items) = &members[0].value.kind else { panic!("array expected") };
        assert_eq!(items[1], Node { offset: 11, kind: Kind::String("x\"y".into()) });
        assert_eq!(items[2].offset, 19);
        assert_eq!(members[1].value.offset, 32);
        assert_eq!(root.to_value()["a"]["f"], serde_json::Value::Bool(false));
    }

    #[test]
    fn decodes_escapes_and_numbers_and_refuses_leftovers() {
        let node = read(" \"caf\\u00e9 \\ud83d\\ude00\" ").expect("valid");
        assert_eq!(node.kind, Kind::String("café 😀".into()));
        assert_eq!(read("-1.5e3").map(|n| n.to_value()), Some(serde_json::json!(-1500.0)));
        assert_eq!(read("[1] x"), None);
        assert_eq!(read("{\"a\" 1}"), None);
    }
}
