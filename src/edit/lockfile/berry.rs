//! yarn 2+ ("berry") `yarn.lock`: YAML with a `__metadata` entry, one entry per
//! resolution keyed by its quoted descriptors (`"ms@npm:^2.1.3":`), and one entry per
//! workspace (`"app@workspace:.":`) listing what its package.json asks for.
//!
//! An entry's `checksum` is a hash of the zip archive yarn makes of the package, which
//! cannot be computed from the registry's facts. It need not be: yarn 4 (measured with
//! 4.11.0) accepts an entry without one under `yarn install --immutable`, fetches the
//! package and fills the checksum in. So a new dependency with no dependencies of its own
//! is written as yarn writes it, less the checksum: a line in the workspace's
//! `dependencies` and an entry in sorted place. Changing a dependency that is there
//! already could leave the old release's own dependencies unused, which yarn would then
//! remove: that is reported, with the command that updates the file.

use super::{LockError, Outcome, Request, newline_of};

/// One top-level entry of a berry lockfile.
#[derive(Debug)]
struct Entry {
    /// Byte offset of its key line.
    start: usize,
    /// Byte offset just after its last line (line break included).
    end: usize,
    /// Its descriptors, unquoted (`ms@npm:^2.1.3`).
    descriptors: Vec<String>,
}

/// Adds `req` to the berry lockfile `text` (see the module comment), and reads the result
/// back: the descriptor has an entry and the workspace asks for it.
pub fn add(text: &str, req: &Request) -> Result<Outcome, LockError> {
    let outcome = add_unchecked(text, req);
    if let Outcome::Edited(edited) = &outcome {
        let name = req.release.name.as_str();
        let descriptor = format!("{name}@npm:{}", req.range);
        let line = format!("    {}: {}", yaml_key(name), dependency_value(text, req.range));
        let entries = entries(edited);
        let recorded = entries.iter().any(|e| e.descriptors.contains(&descriptor));
        if !recorded || !edited.lines().any(|l| l == line) {
            return Err(LockError::Unverified(format!("{descriptor} is not recorded")));
        }
    }
    Ok(outcome)
}

fn add_unchecked(text: &str, req: &Request) -> Outcome {
    let name = req.release.name.as_str();
    let descriptor = format!("{name}@npm:{}", req.range);
    let entries = entries(text);
    let folder = if req.importer.is_empty() { "." } else { req.importer };
    let workspace_suffix = format!("@workspace:{folder}");
    let Some(workspace) =
        entries.iter().find(|e| e.descriptors.iter().any(|d| d.ends_with(&workspace_suffix)))
    else {
        return Outcome::Inexact(format!("it has no entry for the workspace `{folder}`"));
    };
    let wanted_line = format!("{}: {}", yaml_key(name), dependency_value(text, req.range));
    let block = &text[workspace.start..workspace.end];
    let existing = block.lines().find(|l| {
        l.starts_with("    ") && l.trim_start().split(':').next() == Some(yaml_key(name).as_str())
    });
    match existing {
        Some(line) if line.trim() == wanted_line => {}
        Some(_) => {
            return Outcome::Inexact(format!(
                "it records another range of {name}, and the old release's own dependencies \
                 may no longer be needed"
            ));
        }
        None if req.old_range.is_some() => {
            return Outcome::Inexact(format!("it does not record the old range of {name}"));
        }
        None => {}
    }
    let recorded = entries.iter().any(|e| e.descriptors.contains(&descriptor));
    if existing.is_some() && recorded {
        return Outcome::Unchanged;
    }
    let nl = newline_of(text);
    let mut edits: Vec<(usize, usize, String)> = Vec::new();
    if existing.is_none() {
        edits.push(dependency_edit(text, workspace, name, &wanted_line, nl));
    }
    if !recorded {
        edits.push(entry_edit(text, &entries, &descriptor, req, nl));
    }
    // From the end, so earlier offsets stay valid.
    edits.sort_by_key(|e| std::cmp::Reverse(e.0));
    let mut out = text.to_owned();
    for (start, end, insert) in edits {
        out.replace_range(start..end, &insert);
    }
    Outcome::Edited(out)
}

/// The top-level entries of `text`, `__metadata` left out.
fn entries(text: &str) -> Vec<Entry> {
    let mut found: Vec<Entry> = Vec::new();
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let start = offset;
        offset += line.len();
        let bare = line.trim_end();
        let top = !bare.is_empty() && !line.starts_with([' ', '\t', '#']);
        if top {
            let key = bare.strip_suffix(':').unwrap_or(bare);
            let descriptors = key
                .trim_matches('"')
                .split(", ")
                .map(|d| d.trim_matches('"').to_owned())
                .filter(|d| d != "__metadata")
                .collect::<Vec<_>>();
            found.push(Entry { start, end: offset, descriptors });
        } else if !bare.is_empty()
            && let Some(last) = found.last_mut()
        {
            last.end = offset;
        }
    }
    found.retain(|e| !e.descriptors.is_empty());
    found
}

/// How the lockfile writes a dependency's range: yarn 4 (lockfile version 8) as
/// `"npm:^4.6.0"`, yarn 2 and 3 as `^4.6.0`; the file's own dependency lines decide, else
/// its `__metadata` version.
fn dependency_value(text: &str, range: &str) -> String {
    let mut in_dependencies = false;
    for line in text.lines() {
        if line == "  dependencies:" {
            in_dependencies = true;
        } else if in_dependencies && line.starts_with("    ") {
            let value = line.split_once(": ").map_or("", |(_, v)| v);
            return if value.starts_with("\"npm:") {
                format!("\"npm:{range}\"")
            } else {
                range.to_owned()
            };
        } else {
            in_dependencies = false;
        }
    }
    let version = text
        .lines()
        .skip_while(|l| l.trim_end() != "__metadata:")
        .find_map(|l| l.strip_prefix("  version: "))
        .and_then(|v| v.trim().parse::<u32>().ok())
        .unwrap_or(8);
    if version >= 8 { format!("\"npm:{range}\"") } else { range.to_owned() }
}

/// A package name as a YAML key in berry's lockfile: quoted when it is scoped.
fn yaml_key(name: &str) -> String {
    if name.starts_with('@') { format!("\"{name}\"") } else { name.to_owned() }
}

/// The edit that adds `line` to the workspace entry's `dependencies`, in name order (a
/// new `dependencies:` block after `resolution:` when it has none).
fn dependency_edit(
    text: &str,
    workspace: &Entry,
    name: &str,
    line: &str,
    nl: &str,
) -> (usize, usize, String) {
    let block = &text[workspace.start..workspace.end];
    let mut offset = workspace.start;
    let mut in_dependencies = false;
    let mut after_resolution = None;
    for raw in block.split_inclusive('\n') {
        let at = offset;
        offset += raw.len();
        let bare = raw.trim_end();
        if bare == "  dependencies:" {
            in_dependencies = true;
            continue;
        }
        if bare.starts_with("  resolution:") {
            after_resolution = Some(offset);
        }
        if in_dependencies {
            if !bare.starts_with("    ") {
                // The block ended: the new line goes last.
                return (at, at, format!("    {line}{nl}"));
            }
            let key = bare.trim_start().split(':').next().unwrap_or_default();
            if key.trim_matches('"') > name {
                return (at, at, format!("    {line}{nl}"));
            }
        }
    }
    if in_dependencies {
        return (workspace.end, workspace.end, format!("    {line}{nl}"));
    }
    let at = after_resolution.unwrap_or(workspace.end);
    (at, at, format!("  dependencies:{nl}    {line}{nl}"))
}

/// The edit that records `descriptor`: added to the key of the entry that already
/// resolves to the release, else a new entry (without `checksum`, which yarn fills in)
/// before the first entry whose key sorts after it.
fn entry_edit(
    text: &str,
    entries: &[Entry],
    descriptor: &str,
    req: &Request,
    nl: &str,
) -> (usize, usize, String) {
    let release = req.release;
    let resolution = format!("resolution: \"{}@npm:{}\"", release.name, release.version);
    let same = entries.iter().find(|e| text[e.start..e.end].contains(&resolution));
    if let Some(entry) = same {
        let mut descriptors = entry.descriptors.clone();
        descriptors.push(descriptor.to_owned());
        descriptors.sort();
        let key_end = entry.start + text[entry.start..].find(['\r', '\n']).unwrap_or(0);
        return (entry.start, key_end, format!("\"{}\":", descriptors.join(", ")));
    }
    let block = format!(
        "\"{descriptor}\":{nl}  version: {version}{nl}  resolution: \"{name}@npm:{version}\"{nl}  \
         languageName: node{nl}  linkType: hard{nl}",
        version = release.version,
        name = release.name,
    );
    let next =
        entries.iter().find(|e| e.descriptors.first().is_some_and(|d| d.as_str() > descriptor));
    match next {
        Some(next) => (next.start, next.start, format!("{block}{nl}")),
        None => {
            let end = text.len();
            let lead = if text.ends_with('\n') { nl.to_owned() } else { format!("{nl}{nl}") };
            (end, end, format!("{lead}{block}"))
        }
    }
}
