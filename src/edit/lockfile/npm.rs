//! `package-lock.json` and `npm-shrinkwrap.json`, lockfileVersion 1, 2 and 3.
//!
//! Version 3 (npm 9+) lists every installed package under `packages`, keyed by its folder
//! (`""` is the root package, `node_modules/x` a hoisted package, `packages/a` a workspace
//! member). Version 1 (npm 5 and 6) has a nested `dependencies` tree instead; version 2
//! (npm 7 and 8) has both. `npm ci` refuses a lockfile whose root (or workspace member)
//! entry's dependency ranges differ from package.json, or whose installed packages do not
//! satisfy them.

use std::cmp::Ordering;

use serde_json::{Value, json};

use super::{LockError, Outcome, Release, Request};
use crate::edit::json::{self, EditError, Node, NodeKind};
use crate::semver::satisfies;

mod legacy;
mod unmet;

use legacy::{edit_legacy, edit_legacy_v2};
pub use unmet::unmet;

/// The dependency maps a package entry can have; an importer's `devDependencies` count
/// too, since `npm ci` installs them.
const DEPENDENCY_MAPS: &[&str] =
    &["dependencies", "optionalDependencies", "peerDependencies", "devDependencies"];

/// Adds `req` to the lockfile `text`, replacing the entry of an older version.
pub fn add(text: &str, req: &Request) -> Result<Outcome, LockError> {
    let root = json::parse(text).map_err(|e| LockError::Syntax {
        offset: e.offset,
        message: format!("invalid JSON: {}", e.message),
    })?;
    let version = root.lookup(&["lockfileVersion"]).map(Node::to_value);
    let edited = match version.as_ref().and_then(Value::as_u64) {
        Some(1) if !req.importer.is_empty() => {
            return Ok(Outcome::Inexact(
                "lockfileVersion 1 (npm 6) has no workspaces, yet the package is a workspace \
                 member"
                    .into(),
            ));
        }
        Some(1) => edit_legacy(text, &root, req)?,
        Some(2) => match edit_packages(text, &root, req)? {
            Ok((text, location)) => {
                let root = reparse(&text)?;
                edit_legacy_v2(&text, &root, req, &location)?
            }
            Err(why) => Err(why),
        },
        Some(3) => edit_packages(text, &root, req)?.map(|(text, _)| text),
        Some(v) => Err(format!("lockfileVersion {v} is not one this tool knows (1, 2 or 3)")),
        None => Err("it has no numeric lockfileVersion".into()),
    };
    match edited {
        Err(why) => Ok(Outcome::Inexact(why)),
        Ok(new) if new == text => Ok(Outcome::Unchanged),
        Ok(new) => Ok(Outcome::Edited(new)),
    }
}

/// Copies a package's `engines` (its package.json's, after the edit; `None` when it has
/// none) into its entry under `packages`, as npm 7+ records it. lockfileVersion 1 does
/// not record it; a lockfile without the package's entry is left alone.
pub fn set_engines(
    text: &str,
    importer: &str,
    engines: Option<&Value>,
) -> Result<Outcome, LockError> {
    let root = json::parse(text).map_err(|e| LockError::Syntax {
        offset: e.offset,
        message: format!("invalid JSON: {}", e.message),
    })?;
    let version = root.lookup(&["lockfileVersion"]).map(Node::to_value);
    if !matches!(version.as_ref().and_then(Value::as_u64), Some(2 | 3)) {
        return Ok(Outcome::Unchanged);
    }
    let Some(entry) = root.lookup(&["packages", importer]) else { return Ok(Outcome::Unchanged) };
    if entry.lookup(&["engines"]).map(Node::to_value).as_ref() == engines {
        return Ok(Outcome::Unchanged);
    }
    let path = ["packages", importer, "engines"];
    let edited = match engines {
        Some(engines) => edit(text, json::set(text, &path, engines))?,
        None => edit(text, json::remove(text, &path))?,
    };
    Ok(Outcome::Edited(edited))
}

/// A step that either edits the text or finds that the lockfile cannot be edited exactly.
type Step<T> = Result<Result<T, String>, LockError>;

/// The `packages` section (lockfileVersion 2 and 3): the entry of the release, the
/// importer's dependency range, and the old release's dependencies that nothing needs
/// any more. Returns the text and the folder the release is installed in.
fn edit_packages(text: &str, root: &Node, req: &Request) -> Step<(String, String)> {
    let name = req.release.name.as_str();
    let Some(packages) = root.lookup(&["packages"]) else {
        return Ok(Err("it has no `packages` section".into()));
    };
    if packages.member(req.importer).is_none() {
        let who = if req.importer.is_empty() { "the root package" } else { req.importer };
        return Ok(Err(format!("it does not list {who} under `packages`")));
    }
    let location = match choose_location(packages, req) {
        Ok(location) => location,
        Err(why) => return Ok(Err(why)),
    };
    let old = packages.member(&location).map(|m| m.value.to_value());
    let mut text = text.to_owned();
    // Whatever was installed inside the old release's folder goes with it.
    let inside = format!("{location}/node_modules/");
    for key in member_keys(packages).filter(|k| k.starts_with(&inside)) {
        text = edit(&text, json::remove(&text, &["packages", &key]))?;
    }
    text = write_entry(&text, &["packages", &location], req.release, true)?;
    let range = Value::from(req.range);
    text =
        edit(&text, json::set(&text, &["packages", req.importer, "dependencies", name], &range))?;
    if let Some(old) = old.filter(|o| o["version"] != req.release.version.as_str()) {
        text = prune_packages(&text, &location, &old)?;
    }
    check_packages(&text, req, &location)?;
    Ok(Ok((text, location)))
}

/// Where npm installs the release for the importer: the folder an older version already
/// has, else hoisted to the root's `node_modules` unless another version must stay there
/// for other packages, in which case a workspace member gets its own copy.
fn choose_location(packages: &Node, req: &Request) -> Result<String, String> {
    let name = req.release.name.as_str();
    let hoisted = format!("node_modules/{name}");
    if !req.importer.is_empty() {
        let nested = format!("{}/node_modules/{name}", req.importer);
        if packages.member(&nested).is_some() {
            return Ok(nested);
        }
    }
    let Some(existing) = packages.member(&hoisted) else { return Ok(hoisted) };
    let existing_version = existing.value.lookup(&["version"]).map(Node::to_value);
    if existing_version.as_ref().and_then(Value::as_str) == Some(req.release.version.as_str()) {
        return Ok(hoisted);
    }
    let others: Vec<(String, String)> = dependents(packages, name)
        .into_iter()
        .filter(|(path, _)| path != req.importer && !path.starts_with(&format!("{hoisted}/")))
        .filter(|(_, range)| !satisfies(range, &req.release.version))
        .collect();
    match others.first() {
        None => Ok(hoisted),
        Some(_) if !req.importer.is_empty() => Ok(format!("{}/node_modules/{name}", req.importer)),
        Some((path, range)) => {
            let who = if path.is_empty() { "the root package" } else { path };
            Err(format!(
                "{name} at {hoisted} is also required by {who} as `{range}`, which {} does \
                 not satisfy",
                req.release.version
            ))
        }
    }
}

/// The packages (folder, range) that depend on `name` through the copy that a hoisted
/// `node_modules/<name>` provides: those without a copy of their own.
fn dependents(packages: &Node, name: &str) -> Vec<(String, String)> {
    let NodeKind::Object(members) = &packages.kind else { return Vec::new() };
    let mut found = Vec::new();
    for member in members {
        let own_copy = match member.key.as_str() {
            "" => format!("node_modules/{name}"),
            path => format!("{path}/node_modules/{name}"),
        };
        if !member.key.is_empty() && packages.member(&own_copy).is_some() {
            continue;
        }
        for map in DEPENDENCY_MAPS {
            if let Some(range) = member.value.lookup(&[map, name]).map(Node::to_value) {
                found.push((member.key.clone(), range.as_str().unwrap_or_default().to_owned()));
            }
        }
    }
    found
}

/// Removes the hoisted dependencies of the replaced release `old` that no other package
/// needs any more, and theirs in turn, as `npm install` would.
fn prune_packages(text: &str, location: &str, old: &Value) -> Result<String, LockError> {
    let mut text = text.to_owned();
    let mut queue: Vec<String> = dependency_names(old);
    while let Some(dep) = queue.pop() {
        let root = reparse(&text)?;
        let Some(packages) = root.lookup(&["packages"]) else { break };
        let path = format!("node_modules/{dep}");
        let Some(entry) = packages.member(&path) else { continue };
        let needed = dependents(packages, &dep)
            .iter()
            .any(|(who, _)| who != &path && !who.starts_with(&format!("{path}/")));
        if needed || path == location {
            continue;
        }
        queue.extend(dependency_names(&entry.value.to_value()));
        let inside = format!("{path}/");
        for key in member_keys(packages).filter(|k| k == &path || k.starts_with(&inside)) {
            text = edit(&text, json::remove(&text, &["packages", &key]))?;
        }
    }
    Ok(text)
}

/// Writes the entry of `release` at `path`, fields in npm's order, replacing whatever was
/// there. `modern` adds the fields npm 7+ copies from the package (license, engines).
fn write_entry(
    text: &str,
    path: &[&str],
    release: &Release,
    modern: bool,
) -> Result<String, LockError> {
    let root = reparse(text)?;
    let mut fields: Vec<(&str, Value)> = vec![("version", release.version.as_str().into())];
    if !omits_resolved(&root) {
        fields.push(("resolved", release.resolved.as_str().into()));
    }
    fields.push(("integrity", release.integrity.as_str().into()));
    if modern {
        if let Some(license) = &release.license {
            fields.push(("license", license.as_str().into()));
        }
        if let Some(node) = &release.engines_node {
            fields.push(("engines", json!({ "node": node })));
        }
    }
    let wanted = Value::Object(fields.iter().map(|(k, v)| ((*k).to_owned(), v.clone())).collect());
    let current = root.lookup(path).map(Node::to_value);
    if current.as_ref() == Some(&wanted) {
        return Ok(text.to_owned());
    }
    // An empty object first, then one field at a time: each lands after the last, so the
    // entry reads in npm's order whatever order the JSON map would give.
    let mut text = edit(text, json::set_sorted(text, path, &json!({}), npm_order))?;
    for (key, value) in &fields {
        let mut field_path = path.to_vec();
        field_path.push(key);
        text = edit(&text, json::set(&text, &field_path, value))?;
    }
    Ok(text)
}

/// Whether the file leaves out `resolved` for registry packages, as npm does with
/// `omit-lockfile-registry-resolved`: some entry has an `integrity` but no `resolved`.
/// The new entry then leaves it out too (npm then fetches from the configured registry).
fn omits_resolved(root: &Node) -> bool {
    let entries = |section: &str| match root.lookup(&[section]).map(|n| &n.kind) {
        Some(NodeKind::Object(members)) => members.iter().map(|m| m.value.to_value()).collect(),
        _ => Vec::new(),
    };
    let mut all: Vec<Value> = entries("packages");
    all.extend(entries("dependencies"));
    all.iter().any(|e| e.get("integrity").is_some() && e.get("resolved").is_none())
}

/// The names in a package entry's dependency maps.
fn dependency_names(entry: &Value) -> Vec<String> {
    ["dependencies", "optionalDependencies", "peerDependencies"]
        .iter()
        .filter_map(|map| entry.get(map).and_then(Value::as_object))
        .flat_map(|map| map.keys().cloned())
        .collect()
}

fn member_keys(object: &Node) -> impl Iterator<Item = String> + '_ {
    let members = match &object.kind {
        NodeKind::Object(members) => members.as_slice(),
        _ => &[],
    };
    members.iter().map(|m| m.key.clone())
}

/// The order npm writes keys in (`localeCompare`, roughly): case-insensitive, and
/// punctuation before digits before letters.
pub fn npm_order(a: &str, b: &str) -> Ordering {
    let rank = |c: char| {
        let class = if c.is_ascii_alphabetic() {
            2
        } else if c.is_ascii_digit() {
            1
        } else {
            0
        };
        (class, c.to_ascii_lowercase())
    };
    a.chars().map(rank).cmp(b.chars().map(rank)).then_with(|| a.cmp(b))
}

fn check_packages(text: &str, req: &Request, location: &str) -> Result<(), LockError> {
    let root = reparse(text)?;
    let listed = root.lookup(&["packages", req.importer, "dependencies", &req.release.name]);
    if listed.map(Node::to_value) != Some(Value::from(req.range)) {
        return Err(LockError::Unverified("the package's range is not recorded".into()));
    }
    check_legacy(text, &["packages", location], req.release)
}

fn check_legacy(text: &str, path: &[&str], release: &Release) -> Result<(), LockError> {
    let entry = reparse(text)?.lookup(path).map(Node::to_value).unwrap_or_default();
    if entry["version"] != release.version.as_str()
        || entry["integrity"] != release.integrity.as_str()
    {
        return Err(LockError::Unverified(format!("`{}` is not the new release", path.join("."))));
    }
    Ok(())
}

/// Our own edit's output must parse: a failure is the editor's bug, not the file's.
fn reparse(text: &str) -> Result<Node, LockError> {
    json::parse(text).map_err(|e| LockError::Unverified(format!("invalid JSON: {}", e.message)))
}

/// One edit step on `before`. A value of the wrong shape on the path is the file's
/// problem, placed in `before` (the file's text, but for earlier steps' edits elsewhere);
/// anything else (`before` is our own output, already parsed) is the editor's.
fn edit(before: &str, result: Result<String, EditError>) -> Result<String, LockError> {
    result.map_err(|e| match e {
        EditError::NotAnObject { .. } => {
            LockError::Edit { position: e.position(before), message: e.to_string() }
        }
        _ => LockError::Unverified(e.to_string()),
    })
}
