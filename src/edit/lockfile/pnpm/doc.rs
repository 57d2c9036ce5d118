//! The pnpm lockfile as lines: each line's span, indentation, key and value, read with
//! the subset of YAML pnpm writes, and the span-based edits made on them.

use std::ops::Range;

use crate::edit::lockfile::{LockError, newline_of};

/// One non-blank line: where it is, its indentation, and its `key:` / `key: value`.
#[derive(Debug, Clone)]
pub(super) struct Line {
    /// From the first byte to just after the line break.
    pub(super) span: Range<usize>,
    pub(super) indent: usize,
    /// The key, unquoted; empty for a line that is not `key:` (a list item).
    pub(super) key: String,
    /// The text after `: `, unquoted, when the line has one.
    pub(super) value: Option<String>,
}

/// The lockfile's lines and format version.
pub(super) struct Doc<'t> {
    pub(super) text: &'t str,
    pub(super) lines: Vec<Line>,
    pub(super) major: u32,
}

/// The keys that follow `dependencies` in an importer (or at the top level), in the
/// order pnpm writes them: a new `dependencies` block goes before the first of these.
pub(super) const AFTER_DEPENDENCIES: &[&str] = &[
    "optionalDependencies",
    "devDependencies",
    "dependenciesMeta",
    "publishDirectory",
    "packages",
    "snapshots",
];

impl<'t> Doc<'t> {
    pub(super) fn parse(text: &'t str) -> Result<Doc<'t>, LockError> {
        let mut lines = Vec::new();
        let mut raws = Vec::new();
        let mut offset = 0;
        for raw in text.split_inclusive('\n') {
            raws.push((offset, raw));
            offset += raw.len();
        }
        let mut next = 0;
        while let Some(&(start, raw)) = raws.get(next) {
            next += 1;
            let line = raw.trim_end_matches(['\n', '\r']);
            let content = line.trim_start_matches(' ');
            if content.is_empty() || content.starts_with('#') {
                continue;
            }
            if content.starts_with('\t') {
                return Err(LockError::Syntax {
                    offset: start,
                    message: "a tab in the indentation, which YAML forbids".into(),
                });
            }
            let indent = line.len() - content.len();
            let (key, mut value) = split_line(content)
                .map_err(|message| LockError::Syntax { offset: start, message })?;
            let mut end = start + raw.len();
            // A flow collection laid over several lines, as formatters (Prettier) write
            // the ones pnpm keeps on one: `resolution:` then `{`, `integrity: ...,`, `}`
            // on deeper lines, or `os: [` left open. Its lines are one line here, whose
            // value is the collection's text; pnpm reads either layout.
            let opened = match &value {
                Some(v) if v.starts_with(['{', '[']) => flow_depth(v) > 0,
                Some(_) => false,
                None => raws[next..]
                    .iter()
                    .map(|(_, r)| r.trim_end_matches(['\n', '\r']))
                    .find(|r| !r.trim().is_empty() && !r.trim_start().starts_with('#'))
                    .is_some_and(|r| {
                        let c = r.trim_start_matches(' ');
                        r.len() - c.len() > indent && c.starts_with(['{', '['])
                    }),
            };
            if opened {
                let mut flow = value.take().unwrap_or_default();
                loop {
                    let Some(&(at, raw)) = raws.get(next) else {
                        return Err(LockError::Syntax {
                            offset: start,
                            message: format!("the flow collection of `{key}` is never closed"),
                        });
                    };
                    next += 1;
                    let part = raw.trim();
                    if part.is_empty() {
                        continue;
                    }
                    if !flow.is_empty()
                        && !flow.ends_with(['{', '['])
                        && !part.starts_with(['}', ']'])
                    {
                        flow.push(' ');
                    }
                    flow.push_str(part);
                    end = at + raw.len();
                    if flow_depth(&flow) <= 0 {
                        break;
                    }
                }
                value = Some(flow);
            }
            lines.push(Line { span: start..end, indent, key, value });
        }
        let version = lines
            .iter()
            .find(|l| l.indent == 0 && l.key == "lockfileVersion")
            .and_then(|l| l.value.clone());
        let Some(version) = version else {
            return Err(LockError::Syntax { offset: 0, message: "no lockfileVersion".into() });
        };
        let major = version.split('.').next().and_then(|m| m.parse().ok()).unwrap_or(0);
        Ok(Doc { text, lines, major })
    }

    /// Why the lines are not laid out as pnpm writes them, if they are not: each block
    /// is indented two spaces deeper than the `key:` line that opens it. The editor
    /// writes in that layout, so it edits nothing else.
    pub(super) fn layout_problem(&self) -> Option<String> {
        let mut prev: Option<&Line> = None;
        for line in &self.lines {
            let opens = |p: &Line| p.value.is_none() && !p.key.is_empty();
            let fits = match prev {
                None => line.indent == 0,
                Some(p) if line.indent > p.indent => line.indent == p.indent + 2 && opens(p),
                Some(_) => line.indent % 2 == 0,
            };
            if !fits {
                let at = crate::diag::Position::of_offset(self.text.as_bytes(), line.span.start);
                return Some(format!(
                    "line {} is not indented as pnpm writes its lockfile",
                    at.line
                ));
            }
            prev = Some(line);
        }
        None
    }

    /// The indices of the lines directly under `parent` (the top level for `None`).
    pub(super) fn children(&self, parent: Option<usize>) -> Vec<usize> {
        let (from, floor) = match parent {
            Some(p) => (p + 1, Some(self.lines[p].indent)),
            None => (0, None),
        };
        let mut out = Vec::new();
        let mut child_indent = None;
        for (i, line) in self.lines.iter().enumerate().skip(from) {
            if floor.is_some_and(|f| line.indent <= f) {
                break;
            }
            let indent = *child_indent.get_or_insert(line.indent);
            if line.indent == indent {
                out.push(i);
            }
        }
        out
    }

    pub(super) fn find(&self, parent: Option<usize>, key: &str) -> Option<usize> {
        self.children(parent).into_iter().find(|&i| self.lines[i].key == key)
    }

    /// The index of the last line of line `i`'s block.
    pub(super) fn last_of_block(&self, i: usize) -> usize {
        let indent = self.lines[i].indent;
        self.lines[i + 1..].iter().take_while(|l| l.indent > indent).count() + i
    }

    /// The bytes of line `i`'s block, with the blank lines before it when its siblings
    /// are separated by blank lines, so the file keeps its spacing.
    pub(super) fn cut_range(&self, i: usize) -> Range<usize> {
        let end = self.lines[self.last_of_block(i)].span.end;
        let prev_end = if i == 0 { 0 } else { self.lines[i - 1].span.end };
        let gap = &self.text[prev_end..self.lines[i].span.start];
        let parent_is_prev = i > 0 && self.lines[i - 1].indent < self.lines[i].indent;
        if gap.trim().is_empty() && !gap.is_empty() && !parent_is_prev {
            prev_end..end
        } else {
            self.lines[i].span.start..end
        }
    }

    /// The importer's line (`None` for a lockfile of one package without `importers`).
    pub(super) fn importer(&self, dir: &str) -> Result<Option<usize>, String> {
        let Some(importers) = self.find(None, "importers") else {
            if dir.is_empty() {
                return Ok(None);
            }
            return Err(format!("it has no `importers`, yet {dir} is a workspace member"));
        };
        let key = if dir.is_empty() { "." } else { dir };
        match self.find(Some(importers), key) {
            Some(i) => Ok(Some(i)),
            None => Err(format!("it does not list the importer `{key}`")),
        }
    }

    /// The version the importer has for `name` in its `dependencies`.
    pub(super) fn importer_version(&self, importer: Option<usize>, name: &str) -> Option<String> {
        let entry = self.find(self.find(importer, "dependencies").map(Some)?, name)?;
        if self.major == 5 {
            return self.lines[entry].value.clone();
        }
        self.lines[self.find(Some(entry), "version")?].value.clone()
    }

    /// The key of a release under `packages`.
    pub(super) fn package_key(&self, name: &str, version: &str) -> String {
        let base = version.split('(').next().unwrap_or(version);
        match self.major {
            5 => format!("/{name}/{version}"),
            6 => format!("/{name}@{version}"),
            _ => format!("{name}@{base}"),
        }
    }

    /// Whether an importer or a package depends on `name` at `version` (a peer suffix,
    /// `(...)` or 5.x's `_...`, counts as the same release).
    pub(super) fn is_referenced(&self, name: &str, version: &str) -> bool {
        let same = |v: &str| {
            v == version || v.strip_prefix(version).is_some_and(|rest| rest.starts_with(['(', '_']))
        };
        self.lines.iter().enumerate().any(|(i, line)| {
            let Some(value) = &line.value else { return false };
            if line.key == name && same(value) {
                return true;
            }
            line.key == "version"
                && same(value)
                && self.parent(i).is_some_and(|p| self.lines[p].key == name)
        })
    }

    pub(super) fn parent(&self, i: usize) -> Option<usize> {
        let indent = self.lines[i].indent;
        self.lines[..i].iter().rposition(|l| l.indent < indent)
    }

    /// Replaces the child `name` of `parent` with `block`, or inserts `block` where the
    /// sorted keys put it.
    pub(super) fn upsert_child(&self, parent: usize, name: &str, block: &str) -> String {
        let children = self.children(Some(parent));
        if let Some(&i) = children.iter().find(|&&i| self.lines[i].key == name) {
            let range = self.lines[i].span.start..self.lines[self.last_of_block(i)].span.end;
            return splice(self.text, range, block);
        }
        let at = match children.iter().find(|&&i| self.lines[i].key.as_str() > name) {
            Some(&next) => self.lines[next].span.start,
            None => self.lines[self.last_of_block(parent)].span.end,
        };
        splice(self.text, at..at, block)
    }

    /// Sets `map.name: value` (5.x's one-line form) under `parent`.
    pub(super) fn set_leaf(
        &self,
        parent: Option<usize>,
        map: &str,
        name: &str,
        value: &str,
    ) -> Step {
        let nl = newline_of(self.text);
        let line = |indent: usize| {
            format!("{}{}: {}{nl}", " ".repeat(indent), yaml_key(name), yaml_value(value))
        };
        let Some(map_line) = self.find(parent, map) else {
            return Ok(self.add_map(parent, map, &line));
        };
        if self.lines[map_line].value.is_some() {
            return Ok(Err(format!("its `{map}` is written on one line")));
        }
        Ok(Ok(self.upsert_child(map_line, name, &line(self.lines[map_line].indent + 2))))
    }

    /// Adds a `map:` block holding `entry(indent)` under `parent`, before the keys pnpm
    /// writes after it. An importer written `dir: {}` becomes a block.
    pub(super) fn add_map(
        &self,
        parent: Option<usize>,
        map: &str,
        entry: &dyn Fn(usize) -> String,
    ) -> Result<String, String> {
        let nl = newline_of(self.text);
        let indent = parent.map_or(0, |p| self.lines[p].indent + 2);
        let pad = " ".repeat(indent);
        let block = format!("{pad}{map}:{nl}{}", entry(indent + 2));
        if let Some(p) = parent {
            let line = &self.lines[p];
            if line.value.as_deref() == Some("{}") {
                let head = format!("{}{}:{nl}", " ".repeat(line.indent), yaml_key(&line.key));
                return Ok(splice(self.text, line.span.clone(), &format!("{head}{block}")));
            }
            if line.value.is_some() {
                return Err(format!("`{}` is written on one line", line.key));
            }
        }
        let children = self.children(parent);
        let next =
            children.iter().find(|&&i| AFTER_DEPENDENCIES.contains(&self.lines[i].key.as_str()));
        match (next, parent) {
            // Top-level sections are separated by a blank line.
            (Some(&next), None) => {
                let at = self.lines[next].span.start;
                Ok(splice(self.text, at..at, &format!("{block}{nl}")))
            }
            (Some(&next), Some(_)) => {
                let at = self.lines[next].span.start;
                Ok(splice(self.text, at..at, &block))
            }
            (None, Some(p)) => {
                let at = self.lines[self.last_of_block(p)].span.end;
                Ok(splice(self.text, at..at, &block))
            }
            (None, None) => Err(format!("it has no place for a `{map}` section")),
        }
    }

    /// Inserts `entry` (the whole block) as `key` under the top-level `section`, in
    /// sorted place and with the section's spacing, unless `key` is there already.
    pub(super) fn insert_entry(
        &self,
        section: &str,
        key: &str,
        entry: &str,
    ) -> Result<String, String> {
        let Some(parent) = self.find(None, section) else {
            return Err(format!("it has no `{section}` section"));
        };
        if self.lines[parent].value.is_some() {
            return Err(format!("its `{section}` section is written on one line"));
        }
        let children = self.children(Some(parent));
        if children.iter().any(|&i| self.lines[i].key == key) {
            return Ok(self.text.to_owned());
        }
        let nl = newline_of(self.text);
        // pnpm separates the entries of these sections with a blank line (and leaves one
        // after the section's key, which formatters drop): the new entry gets one unless
        // two entries of the file sit without one.
        let spaced = match children.as_slice() {
            [first, second, ..] => !self.text
                [self.lines[self.last_of_block(*first)].span.end..self.lines[*second].span.start]
                .is_empty(),
            _ => true,
        };
        let sep = if spaced { nl } else { "" };
        match children.iter().find(|&&i| self.lines[i].key.as_str() > key) {
            Some(&next) => {
                let at = self.lines[next].span.start;
                Ok(splice(self.text, at..at, &format!("{entry}{sep}")))
            }
            None => {
                let at = self.lines[self.last_of_block(parent)].span.end;
                let gap = if children.is_empty() { nl } else { sep };
                Ok(splice(self.text, at..at, &format!("{gap}{entry}")))
            }
        }
    }
}

/// `key: value`, `key:`, `'quoted key': value` -> (key, value). A list item (`- x`) has
/// an empty key.
pub(super) fn split_line(content: &str) -> Result<(String, Option<String>), String> {
    if content.starts_with("- ") || content == "-" {
        return Ok((String::new(), Some(content[1..].trim().to_owned())));
    }
    let (key, rest) = if let Some(quote) =
        content.chars().next().filter(|c| matches!(c, '\'' | '"'))
    {
        let body = &content[1..];
        let end = find_close(body, quote).ok_or("an unterminated quoted key")?;
        (unescape(&body[..end], quote), &body[end + 1..])
    } else {
        let end = content.find(": ").or_else(|| content.ends_with(':').then(|| content.len() - 1));
        let end = end.ok_or_else(|| format!("expected `key: value`, found `{content}`"))?;
        (content[..end].to_owned(), &content[end..])
    };
    let rest = rest.strip_prefix(':').ok_or_else(|| format!("expected `:` after `{key}`"))?;
    let value = rest.trim();
    Ok((key, (!value.is_empty()).then(|| unquote(value))))
}

/// How many `{` and `[` of a flow collection's text are still open: brackets inside
/// quoted scalars do not count.
fn flow_depth(text: &str) -> i64 {
    let mut depth = 0;
    let mut chars = text.chars().peekable();
    let mut quote: Option<char> = None;
    while let Some(c) = chars.next() {
        match (quote, c) {
            (Some('\''), '\'') if chars.peek() == Some(&'\'') => {
                chars.next();
            }
            (Some('"'), '\\') => {
                chars.next();
            }
            (Some(q), c) if c == q => quote = None,
            (Some(_), _) => {}
            (None, '\'' | '"') => quote = Some(c),
            (None, '{' | '[') => depth += 1,
            (None, '}' | ']') => depth -= 1,
            (None, _) => {}
        }
    }
    depth
}

pub(super) fn find_close(body: &str, quote: char) -> Option<usize> {
    let mut chars = body.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        if c == quote {
            // A doubled single quote is an escaped one.
            if quote == '\'' && chars.peek().is_some_and(|&(_, n)| n == '\'') {
                chars.next();
                continue;
            }
            return Some(i);
        }
        if c == '\\' && quote == '"' {
            chars.next();
        }
    }
    None
}

pub(super) fn unescape(s: &str, quote: char) -> String {
    match quote {
        '\'' => s.replace("''", "'"),
        _ => s.replace("\\\"", "\"").replace("\\\\", "\\"),
    }
}

pub(super) fn unquote(value: &str) -> String {
    for quote in ['\'', '"'] {
        if value.len() >= 2 && value.starts_with(quote) && value.ends_with(quote) {
            return unescape(&value[1..value.len() - 1], quote);
        }
    }
    value.to_owned()
}

/// A key as pnpm writes it: quoted when it starts with anything but a letter, digit or
/// `/` (a scoped `@s/name`, say).
pub(super) fn yaml_key(key: &str) -> String {
    if key.starts_with(|c: char| c.is_ascii_alphanumeric() || c == '/') && !key.contains(": ") {
        key.to_owned()
    } else {
        format!("'{}'", key.replace('\'', "''"))
    }
}

/// A scalar as pnpm writes it: plain when YAML reads it back as the same string.
pub(super) fn yaml_value(value: &str) -> String {
    let plain = value
        .starts_with(|c: char| c.is_ascii_alphanumeric() || matches!(c, '^' | '~' | '/' | '.'))
        && !value.contains(": ")
        && !value.contains(" #")
        && !matches!(value, "true" | "false" | "null" | "yes" | "no" | "~")
        && value.parse::<f64>().is_err();
    if plain { value.to_owned() } else { format!("'{}'", value.replace('\'', "''")) }
}

pub(super) fn splice(text: &str, range: Range<usize>, with: &str) -> String {
    format!("{}{with}{}", &text[..range.start], &text[range.end..])
}

/// A step that either edits the text or finds that it cannot be edited exactly.
pub(super) type Step = Result<Result<String, String>, LockError>;
