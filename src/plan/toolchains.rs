//! What runs on which Node: the package managers an app pins (`engines.npm`,
//! `engines.yarn`, `engines.pnpm`, `packageManager`, `volta`) and old build tools with
//! known breakages on newer Node majors.
//!
//! Sources: each npm, yarn and pnpm major's own `engines.node` (npm 10: `^18.17.0 ||
//! >=20.5.0`; npm 11: `^20.17.0 || >=22.9.0`; pnpm 9 and 10: `>=18.12`; yarn 4:
//! `>=18.12.0`); npm 6 crashes on Node 16+ (`cb.apply is not a function`) whatever its
//! engines say; the Node releases table for the npm each Node major ships; node-sass's
//! README for the Node majors each node-sass major builds on; Create React App's and
//! webpack's issue trackers for `ERR_OSSL_EVP_UNSUPPORTED` on Node 17+.

use crate::semver;

/// A package manager an app can pin.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tool {
    Npm,
    Yarn,
    Pnpm,
}

impl Tool {
    /// The tool `packageManager`'s `name@version` names, when it is one of these.
    pub fn from_name(name: &str) -> Option<Tool> {
        match name {
            "npm" => Some(Tool::Npm),
            "yarn" => Some(Tool::Yarn),
            "pnpm" => Some(Tool::Pnpm),
            _ => None,
        }
    }

    /// Its command and `engines` key.
    pub fn name(self) -> &'static str {
        match self {
            Tool::Npm => "npm",
            Tool::Yarn => "yarn",
            Tool::Pnpm => "pnpm",
        }
    }

    /// Each major and the Node versions it runs on, oldest first.
    fn majors(self) -> &'static [(u64, &'static str)] {
        match self {
            Tool::Npm => &[
                (1, "<16"),
                (2, "<16"),
                (3, "<16"),
                (4, "<16"),
                (5, "<16"),
                (6, "<16"),
                (7, ">=10"),
                (8, "^12.13.0 || ^14.15.0 || >=16.0.0"),
                (9, "^14.17.0 || ^16.13.0 || >=18.0.0"),
                (10, "^18.17.0 || >=20.5.0"),
                (11, "^20.17.0 || >=22.9.0"),
            ],
            Tool::Yarn => &[(1, ">=4"), (2, ">=10.19.0"), (3, ">=12"), (4, ">=18.12.0")],
            Tool::Pnpm => &[
                (4, ">=10"),
                (5, ">=10.16"),
                (6, ">=12.17"),
                (7, ">=14.6"),
                (8, ">=16.14"),
                (9, ">=18.12"),
                (10, ">=18.12"),
            ],
        }
    }
}

/// The npm major a Node major ships with (its latest minor releases), when known.
pub fn bundled_npm(node_major: u64) -> Option<u64> {
    match node_major {
        20 | 22 => Some(10),
        24 => Some(11),
        _ => None,
    }
}

/// True when some version of `tool` that `range` admits runs on Node `node_major`.
/// `None` when the range is not one npm reads (left alone).
pub fn runs_on(tool: Tool, range: &str, node_major: u64) -> Option<bool> {
    let range = semver::range(range)?;
    let node = semver::major_range(node_major);
    let known = tool.majors();
    let newest = known.last().map_or(0, |(m, _)| *m);
    Some(
        known.iter().any(|(major, node_range)| {
            semver::admits_major(&range, *major) && semver::overlaps(&node, node_range)
        }) || known.iter().all(|(major, _)| !semver::admits_major(&range, *major))
            && semver::lowest(&range).is_some_and(|v| v.major() > newest),
    )
}

/// The range to pin instead of `current`, which cannot run on Node `node_major`: for
/// npm, the major that Node ships; otherwise the oldest major newer than `current`
/// that runs there (the smallest step). `None` when no known major fits (the pin is
/// dropped).
pub fn raised(tool: Tool, current: &str, node_major: u64) -> Option<String> {
    if tool == Tool::Npm
        && let Some(major) = bundled_npm(node_major)
    {
        return Some(format!("{major}.x"));
    }
    let current = semver::range(current)?;
    let newest_admitted = tool
        .majors()
        .iter()
        .filter(|(major, _)| semver::admits_major(&current, *major))
        .map(|(major, _)| *major)
        .max()
        .unwrap_or(0);
    let node = semver::major_range(node_major);
    tool.majors()
        .iter()
        .find(|(major, node_range)| *major > newest_admitted && semver::overlaps(&node, node_range))
        .map(|(major, _)| format!("{major}.x"))
}

/// A known breakage of a build tool the app depends on, on the Node majors `node`
/// admits, with the way out.
pub fn old_toolchain_warnings(
    dependency: impl Fn(&str) -> Option<String>,
    node: &nodejs_semver::Range,
    node_shown: &str,
) -> Vec<String> {
    let mut out = Vec::new();
    let seventeen_up = semver::overlaps(node, ">=17");
    let before = |range: &str, major: &str| {
        semver::range(range).is_some_and(|r| !semver::overlaps(&r, &format!(">={major}")))
    };
    if let Some(range) = dependency("react-scripts")
        && seventeen_up
        && before(&range, "5.0.0")
    {
        out.push(format!(
            "react-scripts `{range}` (Create React App before 5, on webpack 4) fails to build on \
             Node 17 and later (`{node_shown}`) with `error:0308010C:digital envelope \
             routines::unsupported` (ERR_OSSL_EVP_UNSUPPORTED): upgrade to react-scripts 5, or \
             build with `NODE_OPTIONS=--openssl-legacy-provider` (set it on the Capsule, or \
             prefix the `build` script with it)"
        ));
    }
    if let Some(range) = dependency("webpack")
        && seventeen_up
        && before(&range, "5.0.0")
    {
        out.push(format!(
            "webpack `{range}` (before 5) fails on Node 17 and later (`{node_shown}`) with \
             `error:0308010C:digital envelope routines::unsupported` (ERR_OSSL_EVP_UNSUPPORTED): \
             upgrade to webpack 5, or build with `NODE_OPTIONS=--openssl-legacy-provider`"
        ));
    }
    if let Some(range) = dependency("node-sass") {
        // node-sass ships native bindings per Node major: 9.x is the last, up to Node 20.
        let builds = semver::range(&range)
            .is_some_and(|r| !semver::overlaps(node, ">=21") && semver::overlaps(&r, ">=9.0.0"))
            && !semver::overlaps(node, "<20");
        if !builds {
            out.push(format!(
                "node-sass `{range}` compiles native code tied to a Node major and has no build \
                 for `{node_shown}` (node-sass 9 is the last, for Node 16 to 20; it is \
                 deprecated): replace it with `sass` (`npm uninstall node-sass && npm install \
                 --save-dev sass`; sass-loader and react-scripts 4+ use it as is)"
            ));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn package_manager_ranges_on_a_node_major() {
        assert_eq!(runs_on(Tool::Npm, "~6.4.1", 24), Some(false));
        assert_eq!(runs_on(Tool::Npm, "6.x", 20), Some(false));
        assert_eq!(runs_on(Tool::Npm, ">=6", 24), Some(true));
        assert_eq!(runs_on(Tool::Npm, "10.x", 24), Some(true));
        assert_eq!(runs_on(Tool::Npm, "11.x", 20), Some(true));
        assert_eq!(runs_on(Tool::Npm, "^12", 24), Some(true), "a newer major is not refused");
        assert_eq!(runs_on(Tool::Yarn, "1.x", 24), Some(true));
        assert_eq!(runs_on(Tool::Pnpm, "^8", 22), Some(true));
        assert_eq!(runs_on(Tool::Npm, "latest", 24), None);
    }

    #[test]
    fn an_engine_pin_is_raised_to_the_release_the_new_node_ships_or_the_nearest_that_runs() {
        assert_eq!(raised(Tool::Npm, "~6.4.1", 24).as_deref(), Some("11.x"));
        assert_eq!(raised(Tool::Npm, "6.x", 22).as_deref(), Some("10.x"));
        // No npm known to ship with Node 26: the smallest step that runs there.
        assert_eq!(raised(Tool::Npm, "^6", 26).as_deref(), Some("7.x"));
        assert_eq!(raised(Tool::Pnpm, "^3.8", 24).as_deref(), Some("4.x"));
    }

    #[test]
    fn old_toolchains_on_new_node() {
        let deps = |pairs: &'static [(&'static str, &'static str)]| {
            move |name: &str| pairs.iter().find(|(n, _)| *n == name).map(|(_, r)| r.to_string())
        };
        let node24 = semver::range("24.x").unwrap();
        let node20 = semver::range("20.x").unwrap();
        let old =
            deps(&[("react-scripts", "3.4.1"), ("webpack", "^4.46.0"), ("node-sass", "^4.14.1")]);
        let found = old_toolchain_warnings(old, &node24, "24.x");
        assert_eq!(found.len(), 3, "{found:?}");
        assert!(found[0].contains("NODE_OPTIONS=--openssl-legacy-provider"));
        let new =
            deps(&[("react-scripts", "^5.0.1"), ("webpack", "^5.90.0"), ("node-sass", "^9.0.0")]);
        assert!(old_toolchain_warnings(new, &node20, "20.x").is_empty());
        let sass9 = deps(&[("node-sass", "^9.0.0")]);
        assert_eq!(old_toolchain_warnings(sass9, &node24, "24.x").len(), 1);
    }
}
