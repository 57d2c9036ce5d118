//! The scripts a build runs and the workspace members they reach: which folders the
//! app's build builds and which members' scripts its commands start, so that the pin's
//! checks (refused Node flags, old build tools) see them too.

use serde_json::Value;

use super::toolchains;
use crate::edit::package_json::PackageJsonEditor;
use crate::inventory::App;
pub(super) use crate::inventory::workspace::workspace_calls;
use crate::plan::build::{Context, Error};
use crate::rules::Rule;

/// The scripts that run at build time, before the app starts.
pub(super) const BUILD_SCRIPTS: &[&str] = &[
    "heroku-prebuild",
    "heroku-postbuild",
    "build",
    "preinstall",
    "install",
    "postinstall",
    "prepare",
];

/// The folders, relative to the app, that its build-time scripts build in: `cd X`,
/// `--prefix X`, `--cwd X`, `-C X`, `--dir X` in `heroku-prebuild`, `heroku-postbuild`,
/// `build` and the install lifecycle. Folders outside the app are left out.
pub(super) fn build_folders(pkg: &crate::inventory::package_json::PackageJson) -> Vec<String> {
    const FOLDER_OPTIONS: &[&str] = &["--prefix", "--cwd", "-C", "--dir"];
    let mut folders: Vec<String> = Vec::new();
    let mut add = |folder: &str| {
        let folder = folder.trim_start_matches("./").trim_end_matches('/');
        let inside = !folder.is_empty()
            && !folder.starts_with('/')
            && folder.split('/').all(|part| !matches!(part, "" | "." | ".."));
        if inside && !folders.iter().any(|f| f == folder) {
            folders.push(folder.to_owned());
        }
    };
    for name in BUILD_SCRIPTS {
        let Some(line) = pkg.script(name) else { continue };
        for command in crate::shell::commands(line).unwrap_or_default() {
            let words: Vec<Option<&str>> =
                command.words.iter().map(|w| w.text.as_deref()).collect();
            if words.first() == Some(&Some("cd")) {
                if let Some(Some(folder)) = words.get(1) {
                    add(folder);
                }
                continue;
            }
            for (i, word) in words.iter().enumerate() {
                let Some(word) = word else { continue };
                if let Some((flag, value)) = word.split_once('=')
                    && FOLDER_OPTIONS.contains(&flag)
                {
                    add(value);
                } else if FOLDER_OPTIONS.contains(word)
                    && let Some(Some(value)) = words.get(i + 1)
                {
                    add(value);
                }
            }
        }
    }
    folders
}

/// The scripts (with their `pre`/`post` hooks) that the workspace calls in `lines` run
/// in the members of the workspace rooted at the app: `(what, command, member folder
/// relative to the app, member package.json)`.
pub(super) fn member_scripts(
    cx: &mut Context,
    app: &App,
    lines: &[String],
) -> Result<Vec<(String, String, String, Value)>, Error> {
    let calls: Vec<(Option<String>, String)> =
        lines.iter().flat_map(|line| workspace_calls(line)).collect();
    if calls.is_empty() {
        return Ok(Vec::new());
    }
    let members = crate::plan::lockfiles::original_manifests(cx, app.build_dir())?;
    let mut out = Vec::new();
    for (folder, manifest) in members.iter().filter(|(folder, _)| !folder.is_empty()) {
        let name = manifest.get("name").and_then(Value::as_str);
        for (member, script) in &calls {
            let named = member.as_deref().is_none_or(|m| {
                Some(m) == name || m.trim_start_matches("./").trim_end_matches('/') == folder
            });
            if !named {
                continue;
            }
            for hook in [format!("pre{script}"), script.clone(), format!("post{script}")] {
                let command = manifest.get("scripts").and_then(|s| s.get(&hook));
                if let Some(command) = command.and_then(Value::as_str) {
                    let what = format!(
                        "the script `{hook}` of {}",
                        app.path_of(&format!("{folder}/package.json"))
                    );
                    out.push((what, command.to_owned(), folder.clone(), manifest.clone()));
                }
            }
        }
    }
    Ok(out)
}

/// Gives Node's legacy OpenSSL provider to every `react-scripts build` of the package
/// `editor` edits, when its react-scripts `range` cannot build without it on the Node
/// `node` admits ([`toolchains::cra_needs_legacy_provider`]): a branch whose build fails
/// is worse than one that still needs an upgrade. Gives the dependencies whose warning
/// the flag answers once the package's builds pass it (edited now or already):
/// react-scripts, and webpack when no script runs webpack itself.
pub(super) fn give_legacy_provider(
    cx: &mut Context,
    rule: &Rule,
    editor: &mut PackageJsonEditor,
    range: &str,
    node: &nodejs_semver::Range,
) -> Result<Vec<&'static str>, Error> {
    if !toolchains::cra_needs_legacy_provider(range, node) {
        return Ok(Vec::new());
    }
    let path = editor.path().to_owned();
    let mut builds = false;
    let mut runs_webpack = false;
    for (name, command) in editor.scripts()? {
        runs_webpack |= command.contains("webpack");
        if let Some(edited) = toolchains::with_legacy_provider(&command) {
            editor.set_script(&name, &edited)?;
            cx.note(
                rule,
                format!(
                    "{path}: the `{name}` script runs `{edited}`: react-scripts `{range}` (Create \
                 React App before 5, on webpack 4) hashes with MD4, which Node 17 and later \
                 only have with {}; upgrading to react-scripts 5 lets the flag go",
                    toolchains::LEGACY_PROVIDER
                ),
            );
            builds = true;
        } else if command.contains(toolchains::LEGACY_PROVIDER) {
            builds = true;
        }
    }
    Ok(match (builds, runs_webpack) {
        (false, _) => Vec::new(),
        (true, true) => vec!["react-scripts"],
        (true, false) => vec!["react-scripts", "webpack"],
    })
}
