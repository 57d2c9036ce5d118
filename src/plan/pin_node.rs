//! `pin-node`: set `engines.node` to `<major>.x` in every app's package.json.

use serde_json::Value;

use super::build::{Context, Error};
use crate::diag::{FileError, Warning};
use crate::edit::json;
use crate::rules::Rule;

pub fn run(cx: &mut Context, rule: &Rule, major: u32) -> Result<(), Error> {
    let wanted = format!("{major}.x");
    for app in &cx.inventory.apps {
        let Some(pkg) = &app.package_json else { continue };
        let current = pkg.engines_node();
        if let Some(version_file) = &app.node_version_file
            && version_major(&version_file.value) != Some(major)
        {
            cx.warnings.push(Warning::in_file(
                &version_file.path,
                format!(
                    "says `{}` but engines.node will be {wanted}; Code Capsules reads \
                     engines.node only: update or remove this file",
                    version_file.value
                ),
            ));
        }
        if current.is_some_and(|range| pins_major(range, major)) {
            continue;
        }
        if let Some(old) = current {
            cx.warnings.push(Warning::in_file(
                &pkg.path,
                format!("engines.node changes from `{old}` to `{wanted}`"),
            ));
        } else if pkg.value.get("engines").is_some_and(|e| !e.is_object()) {
            cx.warnings.push(Warning::in_file(&pkg.path, "`engines` is not an object; replaced"));
        }
        let Some(text) = cx.read_text(&pkg.path)? else { continue };
        let path: &[&str] = if pkg.value.get("engines").is_some_and(Value::is_object) {
            &["engines", "node"]
        } else {
            &["engines"]
        };
        let value = if path.len() == 2 {
            Value::String(wanted.clone())
        } else {
            serde_json::json!({ "node": wanted })
        };
        let edited = json::set(&text, path, &value)
            .map_err(|e| FileError::new(&pkg.path, format!("cannot pin engines.node: {e}")))?;
        cx.files.write(&pkg.path, edited.into_bytes(), &rule.id);
    }
    Ok(())
}

/// True when every version the npm range admits has major `major`, for the range
/// spellings people write (`24`, `24.x`, `24.1.2`, `^24.3`, `~24`, `24.*`, `=24`, `v24`).
/// Anything else (`>=20`, `18 || 20`, `*`) does not pin one major.
pub fn pins_major(range: &str, major: u32) -> bool {
    let r = range.trim();
    let r = r
        .strip_prefix('^')
        .or_else(|| r.strip_prefix('~'))
        .or_else(|| r.strip_prefix('='))
        .unwrap_or(r);
    let r = r.trim_start().strip_prefix('v').unwrap_or(r.trim_start());
    let mut parts = r.split('.');
    let first_is_major = parts.next().and_then(|p| p.parse::<u32>().ok()) == Some(major);
    let rest_ok = parts.all(|p| p == "x" || p == "X" || p == "*" || p.parse::<u32>().is_ok());
    first_is_major && rest_ok && r.split('.').count() <= 3
}

/// The major of a `.nvmrc` / `.node-version` value such as `v24.1.0`, `24`, `lts/iron`.
fn version_major(text: &str) -> Option<u32> {
    let t = text.lines().next()?.trim();
    let t = t.strip_prefix('v').unwrap_or(t);
    t.split('.').next()?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_that_pin_one_major() {
        for r in
            ["24", "24.x", "24.X", "24.x.x", "24.11.1", "^24.3", "~24", "24.*", "=24.1.0", "v24"]
        {
            assert!(pins_major(r, 24), "{r}");
        }
        for r in [">=20", "20.x", "24 || 22", "*", ">=24 <25", "24.1.2.3", "", "lts", "^22"] {
            assert!(!pins_major(r, 24), "{r}");
        }
    }

    #[test]
    fn version_files() {
        assert_eq!(version_major("v24.1.0\n"), Some(24));
        assert_eq!(version_major("18"), Some(18));
        assert_eq!(version_major("lts/iron"), None);
    }
}
