//! `pnpm-lock.yaml`, lockfileVersion 5.x (pnpm 7), 6.x (pnpm 8) and 9.0 (pnpm 9 and 10).
//!
//! pnpm writes a fixed subset of YAML: two-space indentation, one key per line, flow
//! mappings only for small leaf values (`resolution: {integrity: ...}`). This editor reads
//! that subset line by line and splices whole lines. `pnpm install --frozen-lockfile`
//! fails when an importer's specifiers differ from its package.json.
//!
//! What each version writes for a dependency of an importer, and for the release:
//! - 9.0: `importers.<dir>.dependencies.<name>: {specifier, version}`, then
//!   `packages.<name>@<version>` (resolution, engines) and `snapshots.<name>@<version>`
//!   (its dependencies, here none: `{}`);
//! - 6.x: the same importer shape (at the top level outside a workspace), and
//!   `packages./<name>@<version>` with `dev: false`;
//! - 5.x: `specifiers.<name>: <range>` and `dependencies.<name>: <version>`, and
//!   `packages./<name>/<version>` with `dev: false`.

use std::ops::Range;

use super::{LockError, Outcome, Release, Request, newline_of};

/// One non-blank line: where it is, its indentation, and its `key:` / `key: value`.
#[derive(Debug, Clone)]
struct Line {
    /// From the first byte to just after the line break.
    span: Range<usize>,
    indent: usize,
    /// The key, unquoted; empty for a line that is not `key:` (a list item).
    key: String,
    /// The text after `: `, unquoted, when the line has one.
    value: Option<String>,
}

/// The lockfile's lines and format version.
struct Doc<'t> {
    text: &'t str,
    lines: Vec<Line>,
    major: u32,
}

/// The keys that follow `dependencies` in an importer (or at the top level), in the
/// order pnpm writes them: a new `dependencies` block goes before the first of these.
const AFTER_DEPENDENCIES: &[&str] = &[
    "optionalDependencies",
    "devDependencies",
    "dependenciesMeta",
    "publishDirectory",
    "packages",
    "snapshots",
];

/// A step that either edits the text or finds that it cannot be edited exactly.
type Step = Result<Result<String, String>, LockError>;

/// Adds `req` to the pnpm lockfile `text`, dropping the old release's entries when
/// nothing else refers to them.
pub fn add(text: &str, req: &Request) -> Result<Outcome, LockError> {
    let doc = Doc::parse(text)?;
    if !matches!(doc.major, 5 | 6 | 9) {
        return Ok(Outcome::Inexact(format!(
            "lockfileVersion {} is not one this tool knows (5.x, 6.x or 9.0)",
            doc.major
        )));
    }
    if let Some(why) = doc.layout_problem() {
        return Ok(Outcome::Inexact(why));
    }
    let name = req.release.name.as_str();
    if doc.find(None, "overrides").is_some_and(|o| doc.find(Some(o), name).is_some()) {
        return Ok(Outcome::Inexact(format!("it overrides {name}")));
    }
    let importer = match doc.importer(req.importer) {
        Ok(importer) => importer,
        Err(why) => return Ok(Outcome::Inexact(why)),
    };
    let old_version = doc.importer_version(importer, name);
    let steps: [&dyn Fn(&str) -> Step; 2] =
        [&|t| set_importer(t, req), &|t| add_release(t, req.release)];
    let mut edited = text.to_owned();
    for step in steps {
        match step(&edited)? {
            Ok(next) => edited = next,
            Err(why) => return Ok(Outcome::Inexact(why)),
        }
    }
    if let Some(old) = old_version.filter(|v| *v != req.release.version) {
        edited = prune(&edited, name, &old)?;
    }
    check(&edited, req)?;
    Ok(if edited == text { Outcome::Unchanged } else { Outcome::Edited(edited) })
}

/// Records the range and version in the importer's dependencies.
fn set_importer(text: &str, req: &Request) -> Step {
    let doc = Doc::parse(text)?;
    let importer = match doc.importer(req.importer) {
        Ok(importer) => importer,
        Err(why) => return Ok(Err(why)),
    };
    let name = req.release.name.as_str();
    let version = req.release.version.as_str();
    if doc.major == 5 {
        let text = match doc.set_leaf(importer, "specifiers", name, req.range)? {
            Ok(text) => text,
            Err(why) => return Ok(Err(why)),
        };
        return Doc::parse(&text)?.set_leaf(importer, "dependencies", name, version);
    }
    let nl = newline_of(text);
    let entry = |indent: usize| {
        let pad = " ".repeat(indent);
        format!(
            "{pad}{}:{nl}{pad}  specifier: {}{nl}{pad}  version: {}{nl}",
            yaml_key(name),
            yaml_value(req.range),
            yaml_value(version)
        )
    };
    let Some(deps) = doc.find(importer, "dependencies") else {
        return Ok(doc.add_map(importer, "dependencies", &|indent| entry(indent)));
    };
    Ok(Ok(doc.upsert_child(deps, name, &entry(doc.lines[deps].indent + 2))))
}

/// Adds the release's `packages` entry (and 9.0's `snapshots` entry) unless there.
fn add_release(text: &str, release: &Release) -> Step {
    let doc = Doc::parse(text)?;
    let nl = newline_of(text);
    let key = doc.package_key(&release.name, &release.version);
    let mut entry = format!(
        "  {}:{nl}    resolution: {{integrity: {}}}{nl}",
        yaml_key(&key),
        release.integrity
    );
    if let Some(node) = &release.engines_node {
        entry.push_str(&format!("    engines: {{node: {}}}{nl}", yaml_value(node)));
    }
    if doc.major < 9 {
        entry.push_str(&format!("    dev: false{nl}"));
    }
    let mut text = match doc.insert_entry("packages", &key, &entry) {
        Ok(text) => text,
        Err(why) => return Ok(Err(why)),
    };
    if doc.major >= 9 {
        let snapshot = format!("  {}: {{}}{nl}", yaml_key(&key));
        text = match Doc::parse(&text)?.insert_entry("snapshots", &key, &snapshot) {
            Ok(text) => text,
            Err(why) => return Ok(Err(why)),
        };
    }
    Ok(Ok(text))
}

/// Removes the entries of `name@version` and, in turn, of its dependencies, when no
/// importer or package refers to them any more, as `pnpm install` would.
fn prune(text: &str, name: &str, version: &str) -> Result<String, LockError> {
    let mut text = text.to_owned();
    let mut queue = vec![(name.to_owned(), version.to_owned())];
    while let Some((name, version)) = queue.pop() {
        let doc = Doc::parse(&text)?;
        if doc.is_referenced(&name, &version) {
            continue;
        }
        let key = doc.package_key(&name, &version);
        let mut cuts: Vec<Range<usize>> = Vec::new();
        for section in ["packages", "snapshots"] {
            let Some(parent) = doc.find(None, section) else { continue };
            let Some(entry) = doc.find(Some(parent), &key) else { continue };
            // The dependencies are in the 9.0 snapshot, or the older package entry.
            for map in ["dependencies", "optionalDependencies"] {
                let Some(deps) = doc.find(Some(entry), map) else { continue };
                for child in doc.children(Some(deps)) {
                    let line = &doc.lines[child];
                    if let Some(v) = &line.value {
                        queue.push((line.key.clone(), v.clone()));
                    }
                }
            }
            cuts.push(doc.cut_range(entry));
        }
        // From the last cut back, so earlier offsets stay right.
        cuts.sort_by_key(|r| std::cmp::Reverse(r.start));
        for cut in cuts {
            text.replace_range(cut, "");
        }
    }
    Ok(text)
}

/// The edited text must record the range and version for the importer, and the release.
fn check(text: &str, req: &Request) -> Result<(), LockError> {
    let unverified = |what: &str| LockError::Unverified(what.to_owned());
    let doc = Doc::parse(text).map_err(|e| unverified(&e.to_string()))?;
    let importer = doc.importer(req.importer).map_err(|e| unverified(&e))?;
    let name = req.release.name.as_str();
    let (range, version) = if doc.major == 5 {
        let leaf = |map: &str| {
            let parent = doc.find(importer, map)?;
            doc.lines[doc.find(Some(parent), name)?].value.clone()
        };
        (leaf("specifiers"), leaf("dependencies"))
    } else {
        let entry = doc.find(importer, "dependencies").and_then(|d| doc.find(Some(d), name));
        let field = |key: &str| {
            let line = doc.find(Some(entry?), key)?;
            doc.lines[line].value.clone()
        };
        (field("specifier"), field("version"))
    };
    if range.as_deref() != Some(req.range) || version.as_deref() != Some(&req.release.version) {
        return Err(unverified("the importer does not record the new range and version"));
    }
    let key = doc.package_key(name, &req.release.version);
    let packages = doc.find(None, "packages");
    if packages.and_then(|p| doc.find(Some(p), &key)).is_none() {
        return Err(unverified("the release has no `packages` entry"));
    }
    Ok(())
}

/// See [`super::Format::unmet`]: pnpm records each importer's specifiers and its frozen
/// install needs them to equal package.json's.
pub fn unmet(
    text: &str,
    importer: &str,
    wanted: &[(String, String)],
) -> Result<Vec<super::Unmet>, LockError> {
    let doc = Doc::parse(text)?;
    let Ok(at) = doc.importer(importer) else {
        // The importer is missing altogether: every dependency is.
        let all = wanted.iter().map(|(n, r)| super::Unmet {
            name: n.clone(),
            range: r.clone(),
            locked: None,
        });
        return Ok(all.collect());
    };
    let specifier = |name: &str| -> Option<String> {
        if doc.major == 5 {
            let map = doc.find(at, "specifiers")?;
            return doc.lines[doc.find(Some(map), name)?].value.clone();
        }
        ["dependencies", "devDependencies", "optionalDependencies"].iter().find_map(|map| {
            let entry = doc.find(Some(doc.find(at, map)?), name)?;
            doc.lines[doc.find(Some(entry), "specifier")?].value.clone()
        })
    };
    let out = wanted
        .iter()
        .filter_map(|(name, range)| {
            let locked = specifier(name);
            (locked.as_deref() != Some(range.as_str())).then(|| super::Unmet {
                name: name.clone(),
                range: range.clone(),
                locked,
            })
        })
        .collect();
    Ok(out)
}

impl<'t> Doc<'t> {
    fn parse(text: &'t str) -> Result<Doc<'t>, LockError> {
        let mut lines = Vec::new();
        let mut offset = 0;
        for raw in text.split_inclusive('\n') {
            let start = offset;
            offset += raw.len();
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
            let (key, value) = split_line(content)
                .map_err(|message| LockError::Syntax { offset: start, message })?;
            lines.push(Line {
                span: start..offset,
                indent: line.len() - content.len(),
                key,
                value,
            });
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
    fn layout_problem(&self) -> Option<String> {
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
    fn children(&self, parent: Option<usize>) -> Vec<usize> {
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

    fn find(&self, parent: Option<usize>, key: &str) -> Option<usize> {
        self.children(parent).into_iter().find(|&i| self.lines[i].key == key)
    }

    /// The index of the last line of line `i`'s block.
    fn last_of_block(&self, i: usize) -> usize {
        let indent = self.lines[i].indent;
        self.lines[i + 1..].iter().take_while(|l| l.indent > indent).count() + i
    }

    /// The bytes of line `i`'s block, with the blank lines before it when its siblings
    /// are separated by blank lines, so the file keeps its spacing.
    fn cut_range(&self, i: usize) -> Range<usize> {
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
    fn importer(&self, dir: &str) -> Result<Option<usize>, String> {
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
    fn importer_version(&self, importer: Option<usize>, name: &str) -> Option<String> {
        let entry = self.find(self.find(importer, "dependencies").map(Some)?, name)?;
        if self.major == 5 {
            return self.lines[entry].value.clone();
        }
        self.lines[self.find(Some(entry), "version")?].value.clone()
    }

    /// The key of a release under `packages`.
    fn package_key(&self, name: &str, version: &str) -> String {
        let base = version.split('(').next().unwrap_or(version);
        match self.major {
            5 => format!("/{name}/{version}"),
            6 => format!("/{name}@{version}"),
            _ => format!("{name}@{base}"),
        }
    }

    /// Whether an importer or a package depends on `name` at `version` (a peer suffix,
    /// `(...)` or 5.x's `_...`, counts as the same release).
    fn is_referenced(&self, name: &str, version: &str) -> bool {
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

    fn parent(&self, i: usize) -> Option<usize> {
        let indent = self.lines[i].indent;
        self.lines[..i].iter().rposition(|l| l.indent < indent)
    }

    /// Replaces the child `name` of `parent` with `block`, or inserts `block` where the
    /// sorted keys put it.
    fn upsert_child(&self, parent: usize, name: &str, block: &str) -> String {
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
    fn set_leaf(&self, parent: Option<usize>, map: &str, name: &str, value: &str) -> Step {
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
    fn add_map(
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
    fn insert_entry(&self, section: &str, key: &str, entry: &str) -> Result<String, String> {
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
        let spaced = children.first().is_some_and(|&first| {
            !self.text[self.lines[parent].span.end..self.lines[first].span.start].is_empty()
        });
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
fn split_line(content: &str) -> Result<(String, Option<String>), String> {
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

fn find_close(body: &str, quote: char) -> Option<usize> {
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

fn unescape(s: &str, quote: char) -> String {
    match quote {
        '\'' => s.replace("''", "'"),
        _ => s.replace("\\\"", "\"").replace("\\\\", "\\"),
    }
}

fn unquote(value: &str) -> String {
    for quote in ['\'', '"'] {
        if value.len() >= 2 && value.starts_with(quote) && value.ends_with(quote) {
            return unescape(&value[1..value.len() - 1], quote);
        }
    }
    value.to_owned()
}

/// A key as pnpm writes it: quoted when it starts with anything but a letter, digit or
/// `/` (a scoped `@s/name`, say).
fn yaml_key(key: &str) -> String {
    if key.starts_with(|c: char| c.is_ascii_alphanumeric() || c == '/') && !key.contains(": ") {
        key.to_owned()
    } else {
        format!("'{}'", key.replace('\'', "''"))
    }
}

/// A scalar as pnpm writes it: plain when YAML reads it back as the same string.
fn yaml_value(value: &str) -> String {
    let plain = value
        .starts_with(|c: char| c.is_ascii_alphanumeric() || matches!(c, '^' | '~' | '/' | '.'))
        && !value.contains(": ")
        && !value.contains(" #")
        && !matches!(value, "true" | "false" | "null" | "yes" | "no" | "~")
        && value.parse::<f64>().is_err();
    if plain { value.to_owned() } else { format!("'{}'", value.replace('\'', "''")) }
}

fn splice(text: &str, range: Range<usize>, with: &str) -> String {
    format!("{}{with}{}", &text[..range.start], &text[range.end..])
}
