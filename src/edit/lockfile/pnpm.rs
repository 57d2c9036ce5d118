//! `pnpm-lock.yaml`, lockfileVersion 5.x (pnpm 7), 6.x (pnpm 8) and 9.0 (pnpm 9 and 10).
//!
//! pnpm writes a fixed subset of YAML: two-space indentation, one key per line, flow
//! mappings only for small leaf values (`resolution: {integrity: ...}`). This editor reads
//! that subset line by line and splices whole lines. A lockfile a formatter rewrote
//! (Prettier spreads those flow mappings over lines, `resolution:` / `{` / `integrity:
//! ...,` / `}`) is the same lockfile to pnpm: each spread collection is read as one line,
//! and new entries are written in pnpm's own layout. `pnpm install --frozen-lockfile`
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

mod doc;

use super::{LockError, Outcome, Release, Request, newline_of};
use doc::{Doc, Step, yaml_key, yaml_value};

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
