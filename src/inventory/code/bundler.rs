//! The `process.env` names a frontend bundler sets itself, dropped from the code's reads.

use super::CodeFile;
use crate::inventory::{Error, in_node_modules, parent};
use crate::source::Source;

/// What a frontend bundler sets in `process.env` itself, by the package that builds with
/// it: nobody sets these on a Capsule. Create React App sets `PUBLIC_URL` from
/// package.json's `homepage` (CRA docs, "Using the Public Folder"); Vue CLI sets
/// `BASE_URL` from `publicPath` (Vue CLI docs, "Modes and Environment Variables").
const BUNDLER_BUILT_INS: &[(&str, &str)] =
    &[("react-scripts", "PUBLIC_URL"), ("@vue/cli-service", "BASE_URL")];

/// Removes from each file the reads of variables its package's bundler sets (see
/// [`BUNDLER_BUILT_INS`]), or that its webpack or Vite config defines with a value of its
/// own (see [`defined_names`]): the package is the nearest package.json above the file.
/// A server's `BASE_URL` is a setting like any other, so only a bundled package's counts.
pub(super) fn drop_bundler_built_ins(source: &Source, files: &mut [CodeFile]) -> Result<(), Error> {
    let manifests = crate::inventory::package_manifests(source);
    if manifests.is_empty() || files.iter().all(|f| f.facts.env_reads.is_empty()) {
        return Ok(());
    }
    // (folder, the built-in names of its bundler), for every package.json.
    let mut packages: Vec<(&str, Vec<String>)> = source
        .read_many(&manifests, |index, bytes| {
            let value: serde_json::Value = serde_json::from_slice(bytes).ok()?;
            let has = |name: &str| {
                ["dependencies", "devDependencies"]
                    .iter()
                    .any(|section| value.get(*section).and_then(|d| d.get(name)).is_some())
            };
            let names =
                BUNDLER_BUILT_INS.iter().filter(|(d, _)| has(d)).map(|(_, n)| n.to_string());
            Some((parent(manifests[index]), names.collect()))
        })?
        .into_iter()
        .collect();
    let configs: Vec<&str> = source
        .entries()
        .iter()
        .filter(|e| e.kind.is_regular() && !in_node_modules(&e.path))
        .map(|e| e.path.as_str())
        .filter(|p| is_bundler_config(p))
        .collect();
    let defined = source.read_many(&configs, |index, bytes| {
        let names = defined_names(&String::from_utf8_lossy(bytes));
        (!names.is_empty()).then(|| (configs[index], names))
    })?;
    for (config, names) in defined {
        let mut folder = parent(config);
        loop {
            if let Some((_, known)) = packages.iter_mut().find(|(dir, _)| *dir == folder) {
                known.extend(names);
                break;
            }
            if folder.is_empty() {
                break;
            }
            folder = parent(folder);
        }
    }
    for file in files {
        let mut folder = parent(&file.path);
        let names = loop {
            if let Some((_, names)) = packages.iter().find(|(dir, _)| *dir == folder) {
                break names.as_slice();
            }
            if folder.is_empty() {
                break &[][..];
            }
            folder = parent(folder);
        };
        file.facts.env_reads.retain(|read| !names.contains(&read.name));
    }
    Ok(())
}

/// A webpack or Vite config: `webpack.config.js`, `webpack.prod.js`, any script in a
/// `webpack/` folder, `vite.config.ts`.
pub(super) fn is_bundler_config(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path);
    let script = [".js", ".cjs", ".mjs", ".ts", ".mts", ".cts"].iter().any(|e| name.ends_with(e));
    script
        && (name.starts_with("webpack")
            || name.starts_with("vite.config")
            || (path.contains("webpack/") && path.split('/').rev().skip(1).any(|f| f == "webpack")))
}

/// The `process.env` names a bundler config defines with a value of its own, which the
/// bundler writes into the code it builds: webpack's `DefinePlugin({ 'process.env': {
/// version: JSON.stringify(pkg.version) } })` or `{ 'process.env.BUILD_ID': ... }`, Vite's
/// `define` alike. A definition whose value reads `process.env` passes the build's own
/// variable through, which still has to be set, so it is not listed.
pub(super) fn defined_names(text: &str) -> Vec<String> {
    use std::sync::LazyLock;
    static ONE: LazyLock<regex::Regex> = LazyLock::new(|| {
        regex::Regex::new(r#"['"`]process\.env\.([A-Za-z_$][\w$]*)['"`]\s*:([^,\n}]*)"#).unwrap()
    });
    static OBJECT: LazyLock<regex::Regex> =
        LazyLock::new(|| regex::Regex::new(r#"['"`]?process\.env['"`]?\s*:\s*\{"#).unwrap());
    let mut out = Vec::new();
    for found in ONE.captures_iter(text) {
        if !found[2].contains("process.env") {
            out.push(found[1].to_owned());
        }
    }
    for found in OBJECT.find_iter(text) {
        // The object's top-level `key: value` entries, up to its closing brace.
        let body = &text[found.end()..];
        let (mut depth, mut start) = (0usize, 0usize);
        let mut entries = Vec::new();
        for (i, c) in body.char_indices() {
            match c {
                '{' | '(' | '[' => depth += 1,
                '}' | ')' | ']' if depth == 0 => {
                    entries.push(&body[start..i]);
                    break;
                }
                '}' | ')' | ']' => depth -= 1,
                ',' if depth == 0 => {
                    entries.push(&body[start..i]);
                    start = i + 1;
                }
                _ => {}
            }
        }
        for entry in entries {
            let Some((key, value)) = entry.split_once(':') else { continue };
            let key = key.trim().trim_matches(['\'', '"', '`']);
            let is_name = !key.is_empty()
                && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '$');
            if is_name && !value.contains("process.env") {
                out.push(key.to_owned());
            }
        }
    }
    out
}
