//! The repository's own packages an app depends on: npm, yarn and pnpm workspace members
//! (`"@acme/db": "workspace:*"`, or a plain range for a package of the repository) and
//! `file:` / `link:` dependencies. Their code runs inside the app that loads them, so
//! the variables it reads are the app's.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::Value;

use super::{App, code, join, parent};
use crate::shell::Word;
use crate::source::Source;

/// Dependency sections whose packages the app loads; a workspace package in
/// `devDependencies` is usually bundled into the build (Next.js, Vite).
const SECTIONS: &[&str] = &["dependencies", "devDependencies", "optionalDependencies"];

/// For each app with a package.json, the folders (repo-relative) of the repository's
/// packages it depends on, directly or through one another, that hold none of the app's
/// own files; apps without any are left out.
pub fn packages_of_apps(source: &Source, apps: &[App]) -> Vec<(String, Vec<String>)> {
    let manifests = super::package_manifests(source);
    if manifests.len() < 2 {
        return Vec::new();
    }
    // Folder -> manifest, and package name -> folder.
    let mut by_folder: BTreeMap<String, Value> = BTreeMap::new();
    let mut by_name: BTreeMap<String, String> = BTreeMap::new();
    for path in manifests {
        let Ok(bytes) = source.read(path) else { continue };
        let Ok(value) = serde_json::from_slice::<Value>(&bytes) else { continue };
        let folder = parent(path).to_owned();
        if let Some(name) = value.get("name").and_then(Value::as_str) {
            by_name.entry(name.to_owned()).or_insert_with(|| folder.clone());
        }
        by_folder.insert(folder, value);
    }
    let mut out = Vec::new();
    for app in apps.iter().filter(|a| a.package_json.is_some()) {
        let mut seen: BTreeSet<String> = BTreeSet::new();
        let mut queue = vec![app.build_dir().to_owned()];
        while let Some(folder) = queue.pop() {
            let Some(manifest) = by_folder.get(&folder) else { continue };
            for section in SECTIONS {
                let Some(deps) = manifest.get(*section).and_then(Value::as_object) else {
                    continue;
                };
                for (name, spec) in deps {
                    let spec = spec.as_str().unwrap_or_default();
                    let local = match spec.split_once(':') {
                        Some(("file" | "link", path)) => {
                            super::reach::normalize_path(&join(&folder, path))
                        }
                        _ => by_name.get(name).cloned(),
                    };
                    // Example and test packages that share a name with a dependency are not it.
                    let Some(local) = local.filter(|l| {
                        by_folder.contains_key(l)
                            && code::is_package_runtime_path("", &join(l, "index.js"))
                    }) else {
                        continue;
                    };
                    if local != app.build_dir() && seen.insert(local.clone()) {
                        queue.push(local);
                    }
                }
            }
        }
        // A package inside the app's own folder is its code already.
        let own = |folder: &String| {
            code::owner(apps, &join(folder, "package.json")).as_deref() == Some(app.dir.as_str())
        };
        let folders: Vec<String> = seen.into_iter().filter(|f| !own(f)).collect();
        if !folders.is_empty() {
            out.push((app.dir.clone(), folders));
        }
    }
    out
}

/// How one npm, yarn or pnpm command of a line picks workspace members: the word that
/// names the member (`Some(None)` for every member), and the command's other words that
/// are no flags.
struct MemberChoice {
    member: Option<Option<Word>>,
    rest: Vec<Word>,
}

/// [`MemberChoice`] of each command of `line`, with its program, for `yarn workspace
/// <m>`, `yarn workspaces`, `npm -w`/`--workspace[=]<m>`, `-ws`/`--workspaces`, `pnpm
/// --filter`/`-F <m>` (or `--filter=<m>`) and `-r`/`--recursive`. A member named by an
/// expansion (`--filter "$APP"`) is kept as written.
fn member_choices(line: &str) -> Vec<(String, MemberChoice)> {
    let mut out = Vec::new();
    for command in crate::shell::commands(line).unwrap_or_default() {
        let Some(program) = command.program().map(str::to_owned) else { continue };
        let words = command.args();
        let mut choice = MemberChoice { member: None, rest: Vec::new() };
        let mut i = 0;
        while let Some(word) = words.get(i) {
            let written = &line[word.span.clone()];
            let next = || words.get(i + 1).cloned();
            match (program.as_str(), word.text.as_deref()) {
                // Only as yarn's first argument: `yarn add workspace x` adds a package.
                ("yarn", Some("workspace")) if i == 0 => {
                    choice.member = Some(next());
                    i += 1;
                }
                ("yarn", Some("workspaces")) => choice.member = Some(None),
                ("npm", Some("-w" | "--workspace")) | ("pnpm", Some("--filter" | "-F")) => {
                    choice.member = Some(next());
                    i += 1;
                }
                ("npm", Some("-ws" | "--workspaces")) | ("pnpm", Some("-r" | "--recursive")) => {
                    choice.member = Some(None)
                }
                _ if written.starts_with("--workspace=") || written.starts_with("--filter=") => {
                    choice.member = Some(Some(word.clone()));
                }
                (_, Some(w)) if w.starts_with('-') => {}
                _ => choice.rest.push(word.clone()),
            }
            i += 1;
        }
        out.push((program, choice));
    }
    out
}

/// The package scripts `line` runs in workspace members: `(member, script)`, the member
/// named by package name or folder, `None` for every member. Read: `yarn workspace <m>
/// [run] <s>`, `yarn workspaces run <s>`, `npm run <s>` (or `npm start`) with `-w <m>`,
/// `--workspace[=]<m>`, `-ws`/`--workspaces`, and `pnpm --filter`/`-F <m>` or `-r`/
/// `--recursive` with `[run] <s>`. A member named by an expansion is no call here (see
/// [`member_variables`]).
pub(crate) fn workspace_calls(line: &str) -> Vec<(Option<String>, String)> {
    let mut out = Vec::new();
    for (program, choice) in member_choices(line) {
        let member = match choice.member {
            None => continue,
            Some(None) => None,
            Some(Some(word)) => {
                let Some(text) = word.text else { continue };
                // `--filter=x`: the value after the sign.
                Some(
                    text.split_once('=')
                        .filter(|(flag, _)| flag.starts_with("--"))
                        .map_or(text.clone(), |(_, v)| v.to_owned()),
                )
            }
        };
        let rest: Vec<&str> = choice.rest.iter().filter_map(|w| w.text.as_deref()).collect();
        let script = match (program.as_str(), rest.as_slice()) {
            (_, ["run" | "run-script", script, ..]) => *script,
            ("npm", ["start", ..]) => "start",
            ("yarn" | "pnpm", [script, ..]) => *script,
            _ => continue,
        };
        out.push((member, script.to_owned()));
    }
    out
}

/// The config vars that pick the workspace member `line` runs a script in:
/// `pnpm --filter "$APP" start`, `pnpm -F $APP run start`, `--filter=$APP`,
/// `yarn workspace $APP start`, `npm start -w $APP` and `--workspace=$APP`. In order of
/// first use; empty when every member is named. A repository deployed as several Heroku
/// apps, one per member, sets a different value in each app.
pub fn member_variables(line: &str) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    for (_, choice) in member_choices(line) {
        let Some(Some(word)) =
            choice.member.filter(|m| m.as_ref().is_some_and(|w| w.text.is_none()))
        else {
            continue;
        };
        for name in crate::shell::variables_read(&line[word.span.clone()]) {
            if !names.contains(&name) {
                names.push(name);
            }
        }
    }
    names
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::TestRepo;

    #[test]
    fn member_variables_are_the_expansions_that_pick_a_member() {
        let cases: &[(&str, &[&str])] = &[
            ("pnpm --filter \"$DEPLOY_TARGET\" run start", &["DEPLOY_TARGET"]),
            ("pnpm -F $APP start", &["APP"]),
            ("pnpm --filter=${APP_NAME} start", &["APP_NAME"]),
            ("yarn workspace $PKG start", &["PKG"]),
            ("npm start -w \"$MEMBER\"", &["MEMBER"]),
            ("npm run start --workspace=$MEMBER", &["MEMBER"]),
            ("cd x && npx pnpm --filter $A start && pnpm -F \"$B\" start", &["B"]),
            ("yarn workspace @app/$SERVICE start", &["SERVICE"]),
            // Named members, variables elsewhere, other programs: nothing to pick.
            ("pnpm --filter api start", &[]),
            ("yarn workspace api start --port $PORT", &[]),
            ("node server.js --filter $X", &[]),
            ("yarn add workspace $X", &[]),
            ("pnpm --filter", &[]),
        ];
        for (line, expected) in cases {
            assert_eq!(member_variables(line), *expected, "{line}");
        }
    }

    fn app(dir: &str, package: &str) -> App {
        App::with_package(dir, package)
    }

    /// pnpm's `workspace:` protocol, a plain range for a package of the repository,
    /// `file:` and `link:` paths, and packages that load one another are all followed;
    /// an example package that shares a dependency's name, a registry package and a
    /// package inside the app's own folder are not.
    #[test]
    fn workspace_and_path_dependencies_in_every_spelling() {
        let web = r#"{ "name": "web", "dependencies": { "@x/db": "workspace:^", "@x/ui": "1.0.0",
            "left-pad": "1.3.0", "own": "file:./lib/own", "react": "18.3.1" },
            "devDependencies": { "@x/env": "link:../../packages/env" } }"#;
        let files = [
            ("apps/web/package.json", web),
            ("apps/web/lib/own/package.json", r#"{ "name": "own" }"#),
            (
                "packages/db/package.json",
                r#"{ "name": "@x/db", "dependencies": { "@x/log": "workspace:*" } }"#,
            ),
            ("packages/log/package.json", r#"{ "name": "@x/log" }"#),
            ("packages/ui/package.json", r#"{ "name": "@x/ui" }"#),
            ("packages/env/package.json", r#"{ "name": "@x/env" }"#),
            ("examples/react/package.json", r#"{ "name": "react" }"#),
        ];
        let repo = TestRepo::with_files(&files);
        let source = Source::Git(repo.open());
        let apps = [app("apps/web", web)];
        let found = packages_of_apps(&source, &apps);
        assert_eq!(
            found,
            [(
                "apps/web".to_owned(),
                vec![
                    "packages/db".to_owned(),
                    "packages/env".to_owned(),
                    "packages/log".to_owned(),
                    "packages/ui".to_owned(),
                ]
            )]
        );
    }
}
