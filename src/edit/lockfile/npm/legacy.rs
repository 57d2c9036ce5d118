//! lockfileVersion 1's nested `dependencies` tree, which version 2 keeps beside `packages`.

use serde_json::{Value, json};

use super::{Step, check_legacy, edit, reparse, write_entry};
use crate::edit::json::{self, Node, NodeKind};
use crate::edit::lockfile::{LockError, Request};
use crate::semver::satisfies;

/// lockfileVersion 1: the top-level `dependencies` entry of the release, with older
/// entries' `requires` checked so no other package loses the version it needs.
pub(super) fn edit_legacy(text: &str, root: &Node, req: &Request) -> Step<String> {
    let name = req.release.name.as_str();
    let Some(deps) = root.lookup(&["dependencies"]) else {
        let text = edit(text, json::set(text, &["dependencies"], &json!({})))?;
        return edit_legacy(&text, &reparse(&text)?, req);
    };
    if let Some((who, range)) = legacy_requirers(deps, name)
        .into_iter()
        .find(|(_, range)| !satisfies(range, &req.release.version))
    {
        return Ok(Err(format!(
            "{name} is also required by {who} as `{range}`, which {} does not satisfy",
            req.release.version
        )));
    }
    let old = deps.member(name).map(|m| m.value.to_value());
    let mut text = write_entry(text, &["dependencies", name], req.release, false)?;
    if let Some(old) = old.filter(|o| o["version"] != req.release.version.as_str()) {
        text = prune_legacy(&text, &old)?;
    }
    check_legacy(&text, &["dependencies", name], req.release)?;
    Ok(Ok(text))
}

/// lockfileVersion 2 keeps the version 1 tree beside `packages` for npm 6: the same
/// release at the same place, and a workspace member's `requires`.
pub(super) fn edit_legacy_v2(
    text: &str,
    root: &Node,
    req: &Request,
    location: &str,
) -> Step<String> {
    let name = req.release.name.as_str();
    if root.lookup(&["dependencies"]).is_none() {
        return Ok(Ok(text.to_owned()));
    }
    if req.importer.is_empty() {
        return edit_legacy(text, root, req);
    }
    // A workspace member appears as a link, `"version": "file:<folder>"`.
    let file = format!("file:{}", req.importer);
    let link = match &root.lookup(&["dependencies"]).expect("checked above").kind {
        NodeKind::Object(members) => members
            .iter()
            .find(|m| m.value.lookup(&["version"]).map(Node::to_value) == Some(file.clone().into()))
            .map(|m| m.key.clone()),
        _ => None,
    };
    let Some(link) = link else {
        return Ok(Err(format!("its `dependencies` tree has no entry for {file}")));
    };
    if location != format!("node_modules/{name}") {
        return Ok(Err(format!(
            "{name} would be installed inside the workspace member, which this tool does not \
             write into lockfileVersion 2's `dependencies` tree"
        )));
    }
    let mut text = text.to_owned();
    let range = Value::from(req.range);
    text = edit(&text, json::set(&text, &["dependencies", &link, "requires", name], &range))?;
    let old = reparse(&text)?.lookup(&["dependencies", name]).map(Node::to_value);
    text = write_entry(&text, &["dependencies", name], req.release, false)?;
    if let Some(old) = old.filter(|o| o["version"] != req.release.version.as_str()) {
        text = prune_legacy(&text, &old)?;
    }
    check_legacy(&text, &["dependencies", name], req.release)?;
    Ok(Ok(text))
}

/// The entries of a version 1 tree (at any depth, `who` named by their path of names)
/// that require `name` and have no nested copy of their own.
fn legacy_requirers(deps: &Node, name: &str) -> Vec<(String, String)> {
    fn walk(deps: &Node, name: &str, prefix: &str, found: &mut Vec<(String, String)>) {
        let NodeKind::Object(members) = &deps.kind else { return };
        for member in members {
            let who = format!("{prefix}{}", member.key);
            let own_copy = member.value.lookup(&["dependencies", name]).is_some();
            let range = member.value.lookup(&["requires", name]).map(Node::to_value);
            if let Some(range) = range.filter(|_| member.key != name && !own_copy) {
                found.push((who.clone(), range.as_str().unwrap_or_default().to_owned()));
            }
            if let Some(nested) = member.value.lookup(&["dependencies"]) {
                walk(nested, name, &format!("{who} > "), found);
            }
        }
    }
    let mut found = Vec::new();
    walk(deps, name, "", &mut found);
    found
}

/// Removes the top-level entries that only the replaced release `old` required.
fn prune_legacy(text: &str, old: &Value) -> Result<String, LockError> {
    let mut text = text.to_owned();
    let mut queue: Vec<String> = old
        .get("requires")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
        .map(|(k, _)| k.clone())
        .collect();
    while let Some(dep) = queue.pop() {
        let root = reparse(&text)?;
        let Some(deps) = root.lookup(&["dependencies"]) else { break };
        let Some(entry) = deps.member(&dep) else { continue };
        let needed = legacy_requirers(deps, &dep).iter().any(|(who, _)| who != &dep);
        if needed {
            continue;
        }
        let value = entry.value.to_value();
        queue.extend(
            value
                .get("requires")
                .and_then(Value::as_object)
                .into_iter()
                .flatten()
                .map(|(k, _)| k.clone()),
        );
        text = edit(&text, json::remove(&text, &["dependencies", &dep]))?;
    }
    Ok(text)
}
