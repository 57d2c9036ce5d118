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

use crate::inventory::config::PackageManager;
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

/// Node flags that stopped working while still being accepted: Node 19 removed the
/// `node` specifier resolution (its changelog; Node 20 still parses the flag, checked
/// here: `node --es-module-specifier-resolution=node a.js` with `import "./b"` fails), so `--experimental-specifier-resolution=node`
/// and its older name `--es-module-specifier-resolution=node` no longer let ESM imports
/// leave out the file extension: the import fails with `ERR_MODULE_NOT_FOUND`.
const GONE_FLAGS: &[(&str, u64)] =
    &[("--experimental-specifier-resolution", 19), ("--es-module-specifier-resolution", 19)];

/// Node and V8 flags that later Node majors refuse outright (`node: bad option: --x`,
/// exit code 9), so a process passing one never starts: each with the first of the
/// majors Code Capsules runs (20, 22, 24) that refuses it. Checked by running each flag
/// on Node 12.18, 20.20, 22.23 and 24.22: V8 drops the `--harmony-*` and
/// `--experimental-wasm-*` switch of a feature once it ships on by default, and Node
/// removed the policy, network-imports and permission flags. Found on
/// CyberAgentHack/web-speed-hackathon-2021, whose server starts with
/// `babel-node --experimental-wasm-threads` (fine on its Node 16).
const REFUSED_FLAGS: &[(&str, u64)] = &[
    ("--experimental-wasm-bigint", 20),
    ("--experimental-wasm-eh", 20),
    ("--experimental-wasm-reftypes", 20),
    ("--experimental-wasm-simd", 20),
    ("--experimental-wasm-threads", 20),
    ("--harmony-async-iteration", 20),
    ("--harmony-class-fields", 20),
    ("--harmony-intl-segmenter", 20),
    ("--harmony-logical-assignment", 20),
    ("--harmony-optional-chaining", 20),
    ("--harmony-private-methods", 20),
    ("--harmony-promise-all-settled", 20),
    ("--harmony-regexp-sequence", 20),
    ("--harmony-string-replaceall", 20),
    ("--harmony-top-level-await", 20),
    ("--harmony-weak-refs", 20),
    ("--experimental-network-imports", 22),
    ("--experimental-policy", 22),
    ("--experimental-wasm-gc", 22),
    ("--experimental-wasm-return-call", 22),
    ("--experimental-wasm-typed-funcref", 22),
    ("--experimental-default-type", 24),
    ("--experimental-permission", 24),
    ("--experimental-wasm-memory64", 24),
    ("--harmony-import-assertions", 24),
];

/// Whether `command` passes `flag` as a word of its own (`--flag`, `--flag=x`, inside
/// quotes as in `NODE_OPTIONS="--flag"`), not as the start of a longer flag.
fn passes(command: &str, flag: &str) -> bool {
    let bound =
        |c: Option<char>| c.is_none_or(|c| c.is_whitespace() || matches!(c, '"' | '\'' | '='));
    command.match_indices(flag).any(|(at, _)| {
        bound(command[..at].chars().next_back()) && bound(command[at + flag.len()..].chars().next())
    })
}

/// A warning for each of `commands` (`(what, command)`: `web` and its Procfile line, or
/// a script) that passes Node a flag of [`GONE_FLAGS`] when `node` admits the major that
/// dropped it, or a flag of [`REFUSED_FLAGS`] when it admits a major that refuses it.
pub fn gone_flag_warnings(
    commands: &[(String, String)],
    node: &nodejs_semver::Range,
    node_shown: &str,
) -> Vec<String> {
    let mut out = Vec::new();
    for (what, command) in commands {
        for (flag, major) in REFUSED_FLAGS {
            if passes(command, flag) && semver::overlaps(node, &format!(">={major}.0.0")) {
                out.push(format!(
                    "{what} passes `{flag}`, which Node {major} and later refuse (`node: bad \
                     option: {flag}`, exit code 9) on `{node_shown}`: the process cannot start; \
                     remove the flag (the feature it switched on is on by default now, or gone)"
                ));
            }
        }
        for (flag, major) in GONE_FLAGS {
            if passes(command, flag) && semver::overlaps(node, &format!(">={major}.0.0")) {
                out.push(format!(
                    "{what} passes `{flag}`, which Node {major} and later accept but ignore: \
                     ESM imports without a file extension (`./routes` for `./routes.js`) fail \
                     with ERR_MODULE_NOT_FOUND on `{node_shown}`; write the extensions in the \
                     imports (TypeScript: `\"moduleResolution\": \"nodenext\"`) or bundle \
                     the code"
                ));
            }
        }
    }
    out
}

/// A build tool whose older releases call a Node API that a later Node major removed,
/// so the app's build fails from that major on.
#[derive(Debug)]
pub struct RemovedApi {
    /// The npm package, as package.json names it.
    pub package: &'static str,
    /// The first release that no longer calls the API: a range that admits only older
    /// releases fails.
    pub fixed_in: &'static str,
    /// The first Node major without the API.
    pub node_major: u64,
    /// What the build does there.
    pub failure: &'static str,
}

/// Build tools known to call removed Node APIs. Node 23 removed `util.isObject` and the
/// other `util.is*` type checks but `isArray` (its changelog; checked here: Node 24.22
/// has none of them, Node 20 and 22 have them all). @nestjs/cli before 10 calls
/// `util.isObject` in its plugin loader on every `nest build` (checked in the published
/// 7.5.1 to 9.5.0 tarballs; 10.0.0 does not), found on AreViana/oauth2-example.
pub const REMOVED_API_CALLERS: &[RemovedApi] = &[RemovedApi {
    package: "@nestjs/cli",
    fixed_in: "10.0.0",
    node_major: 23,
    failure: "`nest build` stops at `util_1.isObject is not a function` (Node 23 removed \
              `util.isObject`) yet exits 0, so the build passes without writing `dist/` and \
              the start fails",
}];

/// The build tool of [`REMOVED_API_CALLERS`] that fails on the lowest Node major, with
/// the range the app asks for: `dependency` gives the range of a package in
/// `dependencies` or `devDependencies`.
pub fn removed_api_caller(
    dependency: impl Fn(&str) -> Option<String>,
) -> Option<(&'static RemovedApi, String)> {
    REMOVED_API_CALLERS
        .iter()
        .filter_map(|tool| {
            let range = dependency(tool.package)?;
            let old = semver::range(&range)
                .is_some_and(|r| !semver::overlaps(&r, &format!(">={}", tool.fixed_in)));
            old.then_some((tool, range))
        })
        .min_by_key(|(tool, _)| tool.node_major)
}

/// Libraries whose older releases install and build but fail when the app runs, from a
/// Node major on; every major Code Capsules runs is past it, so only an upgrade helps.
/// pg before 8.0.3 never resolves `connect()` on Node 14 and later: every query hangs
/// (brianc/node-postgres#2180, fixed in 8.0.3; duplicates #2174, #2177, #2181, #2202).
pub const RUN_TIME_FAILURES: &[RemovedApi] = &[RemovedApi {
    package: "pg",
    fixed_in: "8.0.3",
    node_major: 14,
    failure: "`client.connect()` and `pool.connect()` never resolve, so every query hangs \
              without an error (brianc/node-postgres#2180); pg 8 also needs `ssl: { \
              rejectUnauthorized: false }` where Heroku Postgres' self-signed certificates \
              are still in use",
}];

/// Node's flag that loads OpenSSL 3's legacy provider, whose MD4 webpack 4 hashes with.
pub const LEGACY_PROVIDER: &str = "--openssl-legacy-provider";

/// Whether react-scripts `range` (Create React App before 5, on webpack 4) fails to build
/// on a Node `node` admits: MD4 is gone from OpenSSL 3, which Node ships from 17.
pub fn cra_needs_legacy_provider(range: &str, node: &nodejs_semver::Range) -> bool {
    semver::overlaps(node, ">=17")
        && semver::range(range).is_some_and(|r| !semver::overlaps(&r, ">=5.0.0"))
}

/// `script` with Node's legacy OpenSSL provider given to each `react-scripts build` in it
/// (`react-scripts --openssl-legacy-provider build`: react-scripts hands the words before
/// the script's name to the `node` it starts, on every OS, unlike a `NODE_OPTIONS=`
/// prefix). `None` when it runs no `react-scripts build` or passes the flag already.
pub fn with_legacy_provider(script: &str) -> Option<String> {
    if script.contains(LEGACY_PROVIDER) {
        return None;
    }
    let mut at: Vec<usize> = Vec::new();
    for command in crate::shell::commands(script)? {
        let words = &command.words;
        for (i, word) in words.iter().enumerate() {
            let name = word.text.as_deref().map(|t| t.rsplit('/').next().unwrap_or(t));
            let next = words.get(i + 1).and_then(|w| w.text.as_deref());
            if name == Some("react-scripts") && next == Some("build") {
                at.push(word.span.end);
            }
        }
    }
    if at.is_empty() {
        return None;
    }
    let mut out = script.to_owned();
    for end in at.into_iter().rev() {
        out.insert_str(end, &format!(" {LEGACY_PROVIDER}"));
    }
    Some(out)
}

/// A known breakage of a build tool the app depends on, on the Node majors `node`
/// admits, with the way out.
pub fn old_toolchain_warnings(
    dependency: impl Fn(&str) -> Option<String>,
    node: &nodejs_semver::Range,
    node_shown: &str,
    manager: PackageManager,
) -> Vec<String> {
    let mut out = Vec::new();
    let seventeen_up = semver::overlaps(node, ">=17");
    let before = |range: &str, major: &str| {
        semver::range(range).is_some_and(|r| !semver::overlaps(&r, &format!(">={major}")))
    };
    if let Some(range) = dependency("react-scripts")
        && cra_needs_legacy_provider(&range, node)
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
    for tool in RUN_TIME_FAILURES {
        if let Some(range) = dependency(tool.package)
            && semver::overlaps(node, &format!(">={}", tool.node_major))
            && before(&range, tool.fixed_in)
        {
            out.push(format!(
                "{} `{range}` fails on Node {} and later (`{node_shown}`), when the app runs: \
                 {}; upgrade it to {} or later",
                tool.package, tool.node_major, tool.failure, tool.fixed_in
            ));
        }
    }
    for tool in REMOVED_API_CALLERS {
        if let Some(range) = dependency(tool.package)
            && semver::overlaps(node, &format!(">={}", tool.node_major))
            && before(&range, tool.fixed_in)
        {
            out.push(format!(
                "{} `{range}` fails on Node {} and later (`{node_shown}`): {}; upgrade it to \
                 {} or later, or pin engines.node to `{}.x`",
                tool.package,
                tool.node_major,
                tool.failure,
                tool.fixed_in,
                tool.node_major - 1,
            ));
        }
    }
    if let Some(range) = dependency("node-sass") {
        // node-sass ships native bindings per Node major: 9.x is the last, up to Node 20.
        let builds = semver::range(&range)
            .is_some_and(|r| !semver::overlaps(node, ">=21") && semver::overlaps(&r, ">=9.0.0"))
            && !semver::overlaps(node, "<20");
        if !builds {
            let swap = match manager {
                PackageManager::Npm => "npm uninstall node-sass && npm install --save-dev sass",
                PackageManager::Yarn => "yarn remove node-sass && yarn add --dev sass",
                PackageManager::Pnpm => "pnpm remove node-sass && pnpm add --save-dev sass",
            };
            out.push(format!(
                "node-sass `{range}` compiles native code tied to a Node major and has no build \
                 for `{node_shown}` (node-sass 9 is the last, for Node 16 to 20; it is \
                 deprecated): replace it with `sass` (`{swap}`; sass-loader and react-scripts 4+ use it as is)"
            ));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn react_scripts_builds_get_the_legacy_provider_where_they_run() {
        let cases: &[(&str, Option<&str>)] = &[
            ("react-scripts build", Some("react-scripts --openssl-legacy-provider build")),
            (
                "GENERATE_SOURCEMAP=false react-scripts build && cp -r build ../server/public",
                Some(
                    "GENERATE_SOURCEMAP=false react-scripts --openssl-legacy-provider build && \
                     cp -r build ../server/public",
                ),
            ),
            ("npx react-scripts build", Some("npx react-scripts --openssl-legacy-provider build")),
            (
                "./node_modules/.bin/react-scripts build",
                Some("./node_modules/.bin/react-scripts --openssl-legacy-provider build"),
            ),
            (
                "react-scripts build; react-scripts build",
                Some(
                    "react-scripts --openssl-legacy-provider build; react-scripts \
                     --openssl-legacy-provider build",
                ),
            ),
            // Nothing to give: other scripts, the flag already there, a build it cannot see.
            ("react-scripts start", None),
            ("react-scripts --openssl-legacy-provider build", None),
            ("NODE_OPTIONS=--openssl-legacy-provider react-scripts build", None),
            ("npm run build:app", None),
            ("craco build", None),
        ];
        for (script, expected) in cases {
            assert_eq!(with_legacy_provider(script).as_deref(), *expected, "{script}");
        }
    }

    #[test]
    fn old_pg_is_named_on_node_14_up_only() {
        let node24 = semver::range("24.x").unwrap();
        let node12 = semver::range("12.x").unwrap();
        let deps = |pg: &'static str| move |name: &str| (name == "pg").then(|| pg.to_owned());
        let warned = |pg: &'static str, node| {
            old_toolchain_warnings(deps(pg), node, "24.x", PackageManager::Npm)
                .iter()
                .any(|w| w.starts_with("pg `"))
        };
        assert!(warned("^6.1.5", &node24));
        assert!(warned("7.18.2", &node24));
        assert!(warned("8.0.2", &node24));
        assert!(!warned("~8.0.2", &node24));
        assert!(!warned("^8.0.3", &node24));
        assert!(!warned("^8.13.1", &node24));
        assert!(!warned("^7.18.2", &node12));
    }

    #[test]
    fn only_create_react_app_before_5_on_node_17_up_needs_the_legacy_provider() {
        let node24 = semver::range("24.x").unwrap();
        let node16 = semver::range("16.x").unwrap();
        assert!(cra_needs_legacy_provider("^2.1.8", &node24));
        assert!(cra_needs_legacy_provider("4.0.3", &node24));
        assert!(!cra_needs_legacy_provider("^5.0.1", &node24));
        assert!(!cra_needs_legacy_provider("4.0.3", &node16));
        assert!(!cra_needs_legacy_provider("not a range", &node24));
    }

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
    fn flags_node_19_ignores() {
        let commands = vec![
            (
                "web".to_string(),
                "node --es-module-specifier-resolution=node build/server.js".to_string(),
            ),
            (
                "start".to_string(),
                "NODE_OPTIONS=--experimental-specifier-resolution=node node a.js".to_string(),
            ),
            ("worker".to_string(), "node worker.js".to_string()),
        ];
        let node24 = semver::range("24.x").unwrap();
        let found = gone_flag_warnings(&commands, &node24, "24.x");
        assert_eq!(found.len(), 2);
        assert!(found[0].starts_with("web passes `--es-module-specifier-resolution`"));
        assert!(found[1].starts_with("start passes `--experimental-specifier-resolution`"));
        assert!(gone_flag_warnings(&commands, &semver::range("18.x").unwrap(), "18.x").is_empty());
    }

    #[test]
    fn flags_node_refuses_stop_the_process() {
        let commands = vec![
            (
                "start".to_string(),
                "babel-node --experimental-wasm-threads src/index.js".to_string(),
            ),
            ("web".to_string(), "NODE_OPTIONS='--harmony-weak-refs' node a.js".to_string()),
            ("worker".to_string(), "node --experimental-default-type=module w.js".to_string()),
            // Longer flags that merely start with a refused one are other flags.
            ("other".to_string(), "node --experimental-wasm-threads-x --harmony a.js".to_string()),
        ];
        let on = |node: &str| gone_flag_warnings(&commands, &semver::range(node).unwrap(), node);
        let found = on("24.x");
        assert_eq!(found.len(), 3, "{found:?}");
        assert!(found[0].starts_with("start passes `--experimental-wasm-threads`, which Node 20"));
        assert!(found[1].starts_with("web passes `--harmony-weak-refs`"));
        assert!(found[2].starts_with("worker passes `--experimental-default-type`, which Node 24"));
        // Node 22 still takes --experimental-default-type.
        assert_eq!(on("22.x").len(), 2);
        assert!(passes("node --experimental-policy=p.json a.js", "--experimental-policy"));
        assert!(!passes("node --experimental-policyx a.js", "--experimental-policy"));
    }

    #[test]
    fn a_build_tool_that_calls_a_removed_node_api_is_found_by_the_range_asked_for() {
        let deps = |range: &'static str| {
            move |name: &str| (name == "@nestjs/cli").then(|| range.to_string())
        };
        for old in ["^7.0.0", "~8.2.8", "9.5.0", "<10", "^9.0.0 || ^8.0.0"] {
            let (tool, range) = removed_api_caller(deps(old)).expect(old);
            assert_eq!((tool.package, tool.node_major, range.as_str()), ("@nestjs/cli", 23, old));
        }
        // A range that admits a fixed release may install it: not judged broken.
        for fixed in ["^10.0.0", ">=9", "latest", "*"] {
            assert!(removed_api_caller(deps(fixed)).is_none(), "{fixed}");
        }
        assert!(removed_api_caller(|_: &str| None).is_none());
        let on = |node: &str| {
            old_toolchain_warnings(
                deps("^9.5.0"),
                &semver::range(node).unwrap(),
                node,
                PackageManager::Npm,
            )
        };
        assert!(on("24.x")[0].contains("pin engines.node to `22.x`"), "{:?}", on("24.x"));
        assert!(on("22.x").is_empty());
        assert_eq!(on(">=22 <25").len(), 1, "a range that admits 23+ may build on it");
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
        let found = old_toolchain_warnings(old, &node24, "24.x", PackageManager::Npm);
        assert_eq!(found.len(), 3, "{found:?}");
        assert!(found[0].contains("NODE_OPTIONS=--openssl-legacy-provider"));
        let new =
            deps(&[("react-scripts", "^5.0.1"), ("webpack", "^5.90.0"), ("node-sass", "^9.0.0")]);
        assert!(old_toolchain_warnings(new, &node20, "20.x", PackageManager::Npm).is_empty());
        let sass9 = deps(&[("node-sass", "^9.0.0")]);
        assert_eq!(old_toolchain_warnings(sass9, &node24, "24.x", PackageManager::Npm).len(), 1);
    }
}
