//! yarn 1 `yarn.lock`: entries keyed by `name@range` patterns (several patterns that
//! resolve to one release share an entry), sorted by their first pattern, separated by
//! blank lines. `yarn install --frozen-lockfile` fails when a pattern of some package.json
//! has no entry.
//!
//! yarn 2+ ("berry") writes a YAML `yarn.lock` with a `__metadata` entry: its edits are
//! `super::berry`'s.

use std::ops::Range;

use super::{LockError, Outcome, Release, Request, newline_of};

/// Whether `text` is a yarn 2+ lockfile.
pub fn is_berry(text: &str) -> bool {
    text.lines().any(|l| l.trim_end() == "__metadata:")
}

/// One entry: its patterns, the bytes from its first line to the end of its last line
/// (line break included), its version and its dependencies.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Entry {
    span: Range<usize>,
    /// The header line without its line break.
    header: Range<usize>,
    patterns: Vec<String>,
    version: Option<String>,
    /// `(name, range)` from `dependencies` and `optionalDependencies`.
    dependencies: Vec<(String, String)>,
}

/// See [`super::Format::unmet`]: yarn 1 needs an entry for each `name@range` pattern
/// exactly as package.json spells it. A yarn 2+ lockfile is not judged.
pub fn unmet(
    text: &str,
    wanted: &[(String, String)],
    local: &[String],
) -> Result<Vec<super::Unmet>, LockError> {
    if is_berry(text) {
        return Ok(Vec::new());
    }
    let entries = parse(text)?;
    let recorded = |pattern: &str| entries.iter().any(|e| e.patterns.iter().any(|p| p == pattern));
    let out = wanted
        .iter()
        .filter(|(name, range)| !local.contains(name) && !recorded(&format!("{name}@{range}")))
        .map(|(name, range)| {
            let prefix = format!("{name}@");
            let other = entries
                .iter()
                .flat_map(|e| &e.patterns)
                .find_map(|p| p.strip_prefix(&prefix).map(str::to_owned));
            super::Unmet { name: name.clone(), range: range.clone(), locked: other }
        })
        .collect();
    Ok(out)
}

/// Adds `req` to the yarn 1 lockfile `text`, dropping the old range's pattern (and its
/// entry, and dependencies only it needed) when nothing asks for it any more.
pub fn add(text: &str, req: &Request) -> Result<Outcome, LockError> {
    if is_berry(text) {
        return super::berry::add(text, req);
    }
    parse(text)?;
    let original = text;
    let name = req.release.name.as_str();
    let new_pattern = format!("{name}@{}", req.range);
    let mut text = text.to_owned();
    if let Some(old_range) = req.old_range {
        let old_pattern = format!("{name}@{old_range}");
        if old_pattern != new_pattern {
            text = drop_pattern(&text, &old_pattern, req.manifests)?;
        }
    }
    let entries_now = parse(&text)?;
    match entries_now.iter().find(|e| e.patterns.contains(&new_pattern)) {
        Some(entry) if entry.version.as_deref() == Some(&req.release.version) => {}
        Some(entry) => {
            return Ok(Outcome::Inexact(format!(
                "it resolves {new_pattern} to {}, not {}",
                entry.version.as_deref().unwrap_or("no version"),
                req.release.version
            )));
        }
        None => text = insert(&text, &entries_now, &new_pattern, req.release),
    }
    check(&text, &new_pattern, req.release)?;
    if text == original {
        return Ok(Outcome::Unchanged);
    }
    Ok(Outcome::Edited(text))
}

/// Adds `pattern` for `release`: to the header of the entry that already holds that
/// release, or as a new entry in sorted place.
fn insert(text: &str, entries: &[Entry], pattern: &str, release: &Release) -> String {
    let nl = newline_of(text);
    let name = release.name.as_str();
    let same = entries.iter().find(|e| {
        e.version.as_deref() == Some(&release.version)
            && e.patterns.iter().all(|p| pattern_name(p) == Some(name))
    });
    if let Some(entry) = same {
        let mut patterns = entry.patterns.clone();
        patterns.push(pattern.to_owned());
        patterns.sort();
        return splice(text, entry.header.clone(), &header(&patterns));
    }
    let block = entry_text(text, pattern, release, nl);
    match entries.iter().find(|e| e.patterns.first().is_some_and(|p| p.as_str() > pattern)) {
        Some(next) => splice(text, next.span.start..next.span.start, &format!("{block}{nl}")),
        None => {
            let mut out = text.to_owned();
            if !out.is_empty() && !out.ends_with('\n') {
                out.push_str(nl);
            }
            if !entries.is_empty() {
                out.push_str(nl);
            }
            out.push_str(&block);
            out
        }
    }
}

/// The entry yarn 1 writes for a release without dependencies. `resolved` points at the
/// registry host the file already uses, with the tarball's SHA-1 after `#` as yarn adds.
fn entry_text(text: &str, pattern: &str, release: &Release, nl: &str) -> String {
    const NPM: &str = "https://registry.npmjs.org/";
    const YARN: &str = "https://registry.yarnpkg.com/";
    let npm_hosted = text.matches(&format!("resolved \"{NPM}")).count();
    let yarn_hosted = text.matches(&format!("resolved \"{YARN}")).count();
    let mut resolved = release.resolved.clone();
    if let Some(path) = resolved.strip_prefix(NPM).filter(|_| yarn_hosted >= npm_hosted) {
        resolved = format!("{YARN}{path}");
    }
    format!(
        "{}{nl}  version \"{}\"{nl}  resolved \"{resolved}#{}\"{nl}  integrity {}{nl}",
        header(&[pattern.to_owned()]),
        release.version,
        release.shasum,
        release.integrity
    )
}

/// Removes `pattern` from its entry unless a package.json or another entry still asks
/// for it; an entry left without patterns goes, and so do the patterns only it needed.
fn drop_pattern(
    text: &str,
    pattern: &str,
    manifests: &[(String, String)],
) -> Result<String, LockError> {
    let mut text = text.to_owned();
    let mut queue = vec![pattern.to_owned()];
    while let Some(pattern) = queue.pop() {
        let entries = parse(&text)?;
        let Some(index) = entries.iter().position(|e| e.patterns.contains(&pattern)) else {
            continue;
        };
        let asked = |p: &str| {
            manifests.iter().any(|(n, r)| format!("{n}@{r}") == p)
                || entries.iter().enumerate().any(|(i, e)| {
                    i != index && e.dependencies.iter().any(|(n, r)| format!("{n}@{r}") == p)
                })
        };
        if asked(&pattern) {
            continue;
        }
        let entry = &entries[index];
        if entry.patterns.len() > 1 {
            let rest: Vec<String> =
                entry.patterns.iter().filter(|p| **p != pattern).cloned().collect();
            text = splice(&text, entry.header.clone(), &header(&rest));
            continue;
        }
        queue.extend(entry.dependencies.iter().map(|(n, r)| format!("{n}@{r}")));
        let cut = match (index.checked_sub(1), entries.get(index + 1)) {
            (_, Some(next)) => entry.span.start..next.span.start,
            (Some(prev), None) => entries[prev].span.end..entry.span.end,
            (None, None) => entry.span.clone(),
        };
        text = splice(&text, cut, "");
    }
    Ok(text)
}

/// A header line as yarn writes it: the patterns, quoted where yarn quotes them, joined
/// by `, `, and a colon.
fn header(patterns: &[String]) -> String {
    let quoted: Vec<String> = patterns.iter().map(|p| quote(p)).collect();
    format!("{}:", quoted.join(", "))
}

/// yarn 1 quotes a key that starts with something other than a letter, starts with
/// `true`/`false`, or holds `:`, whitespace, `\`, `"`, `,`, `[` or `]`.
fn quote(key: &str) -> String {
    let needs = key.starts_with("true")
        || key.starts_with("false")
        || !key.starts_with(|c: char| c.is_ascii_alphabetic())
        || key.contains(|c: char| {
            matches!(c, ':' | '\\' | '"' | ',' | '[' | ']') || c.is_whitespace()
        });
    if needs {
        format!("\"{}\"", key.replace('\\', "\\\\").replace('"', "\\\""))
    } else {
        key.to_owned()
    }
}

/// The package name of `name@range` (a scoped name keeps its leading `@`).
fn pattern_name(pattern: &str) -> Option<&str> {
    // The search starts after the first character, which is `@` for a scoped name (and
    // may be any character, of any width, in a broken file).
    let first = pattern.chars().next()?.len_utf8();
    let at = pattern[first..].find('@')? + first;
    Some(&pattern[..at])
}

fn splice(text: &str, range: Range<usize>, with: &str) -> String {
    format!("{}{with}{}", &text[..range.start], &text[range.end..])
}

/// The edited text must hold an entry for `pattern` at the release's version.
fn check(text: &str, pattern: &str, release: &Release) -> Result<(), LockError> {
    let entries = parse(text).map_err(|e| LockError::Unverified(e.to_string()))?;
    let found = entries.iter().find(|e| e.patterns.iter().any(|p| p == pattern));
    match found {
        Some(e) if e.version.as_deref() == Some(&release.version) => Ok(()),
        _ => Err(LockError::Unverified(format!("no entry for {pattern} at {}", release.version))),
    }
}

/// Reads the entries of a yarn 1 lockfile.
fn parse(text: &str) -> Result<Vec<Entry>, LockError> {
    let mut entries: Vec<Entry> = Vec::new();
    let mut section: Option<&str> = None;
    let mut offset = 0;
    for raw in text.split_inclusive('\n') {
        let start = offset;
        offset += raw.len();
        let line = raw.trim_end_matches(['\n', '\r']);
        if line.trim().is_empty() || line.trim_start().starts_with('#') {
            continue;
        }
        let indent = line.len() - line.trim_start_matches(' ').len();
        let content = &line[indent..];
        match indent {
            0 => {
                let Some(keys) = content.strip_suffix(':') else {
                    return Err(syntax(start, "expected an entry such as `name@range:`"));
                };
                let patterns = split_keys(keys).map_err(|m| syntax(start, m))?;
                entries.push(Entry {
                    span: start..offset,
                    header: start..start + line.len(),
                    patterns,
                    version: None,
                    dependencies: Vec::new(),
                });
                section = None;
            }
            _ => {
                let Some(entry) = entries.last_mut() else {
                    return Err(syntax(start, "an indented line before the first entry"));
                };
                entry.span.end = offset;
                if indent == 2 {
                    section = content.strip_suffix(':');
                    if let Some(v) = content.strip_prefix("version ") {
                        entry.version = Some(unquote(v).map_err(|m| syntax(start, m))?);
                    }
                } else if matches!(section, Some("dependencies" | "optionalDependencies")) {
                    let (n, r) = split_pair(content).map_err(|m| syntax(start, m))?;
                    entry.dependencies.push((n, r));
                }
            }
        }
    }
    Ok(entries)
}

fn syntax(offset: usize, message: impl Into<String>) -> LockError {
    LockError::Syntax { offset, message: message.into() }
}

/// `a@1, "b@^2"` -> `["a@1", "b@^2"]`.
fn split_keys(keys: &str) -> Result<Vec<String>, String> {
    let mut out = Vec::new();
    let mut rest = keys.trim();
    while !rest.is_empty() {
        let (key, after) = take_scalar(rest)?;
        out.push(key);
        rest = after.trim_start();
        rest = match rest.strip_prefix(',') {
            Some(r) => r.trim_start(),
            None if rest.is_empty() => rest,
            None => return Err(format!("expected `,` between patterns, found `{rest}`")),
        };
    }
    Ok(out)
}

/// `name "range"` or `"@s/n" "range"` -> (name, range).
fn split_pair(content: &str) -> Result<(String, String), String> {
    let (name, rest) = take_scalar(content)?;
    let (range, rest) = take_scalar(rest.trim_start())?;
    if !rest.trim().is_empty() {
        return Err(format!("unexpected `{}` after a dependency", rest.trim()));
    }
    Ok((name, range))
}

fn unquote(value: &str) -> Result<String, String> {
    take_scalar(value.trim()).map(|(v, _)| v)
}

/// One string at the start of `s`, quoted (with `\` escapes) or bare up to a space or
/// comma; and the rest.
fn take_scalar(s: &str) -> Result<(String, &str), String> {
    if let Some(body) = s.strip_prefix('"') {
        let mut out = String::new();
        let mut chars = body.char_indices();
        while let Some((i, c)) = chars.next() {
            match c {
                '"' => return Ok((out, &body[i + 1..])),
                '\\' => out.push(chars.next().map(|(_, c)| c).ok_or("a `\\` at the end")?),
                c => out.push(c),
            }
        }
        return Err("an unterminated string".into());
    }
    let end = s.find([' ', ',']).unwrap_or(s.len());
    if end == 0 {
        return Err("an empty value".into());
    }
    Ok((s[..end].to_owned(), &s[end..]))
}
