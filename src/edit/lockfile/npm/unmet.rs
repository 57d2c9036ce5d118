//! Which wanted dependencies a lockfile does not meet, so `npm ci` would refuse it.

use serde_json::Value;

use crate::edit::lockfile::{LockError, Unmet};
use crate::semver::satisfies;

/// See [`crate::edit::lockfile::Format::unmet`]. npm keeps a lockfile whose installed version still
/// satisfies a changed range, so only a missing package, or one whose version the range
/// does not admit, is unmet; a range that is not semver (a git URL, `file:`, an `npm:`
/// alias, a tag) only has to be there.
pub fn unmet(
    text: &str,
    importer: &str,
    wanted: &[(String, String)],
) -> Result<Vec<Unmet>, LockError> {
    let root: Value = serde_json::from_str(text).map_err(|e| LockError::Syntax {
        offset: offset_of(text, e.line(), e.column()),
        message: format!("invalid JSON: {e}"),
    })?;
    let packages = root.get("packages").and_then(Value::as_object);
    if packages.is_none() && !importer.is_empty() {
        return Ok(Vec::new()); // lockfileVersion 1 has no workspaces to look in
    }
    let mut out = Vec::new();
    for (name, range) in wanted {
        let installed = match packages {
            Some(packages) => {
                let nested = format!("{importer}/node_modules/{name}");
                let hoisted = format!("node_modules/{name}");
                let entry = (!importer.is_empty())
                    .then(|| packages.get(&nested))
                    .flatten()
                    .or_else(|| packages.get(&hoisted));
                match entry {
                    // A workspace member or a `file:` folder: whatever it holds.
                    Some(e) if e.get("link").and_then(Value::as_bool) == Some(true) => continue,
                    Some(e) => Some(e.get("version").and_then(Value::as_str).unwrap_or("")),
                    None => None,
                }
            }
            None => root
                .get("dependencies")
                .and_then(|d| d.get(name))
                .map(|e| e.get("version").and_then(Value::as_str).unwrap_or("")),
        };
        let admitted = match installed {
            None => false,
            Some(version) => {
                crate::semver::range(range).is_none()
                    || crate::semver::version(version).is_none()
                    || satisfies(range, version)
            }
        };
        if !admitted {
            out.push(Unmet {
                name: name.clone(),
                range: range.clone(),
                locked: installed.map(str::to_owned),
            });
        }
    }
    Ok(out)
}

/// The byte offset of a 1-based line and column of `text`.
fn offset_of(text: &str, line: usize, column: usize) -> usize {
    let start: usize = text.split_inclusive('\n').take(line.saturating_sub(1)).map(str::len).sum();
    (start + column.saturating_sub(1)).min(text.len())
}
