//! The package.json scripts that run on the platform, and the warnings about their commands.

use crate::diag::Warning;
use crate::inventory::App;
use crate::inventory::package_json::PackageJson;

/// The package.json scripts that run on the platform: the start and build steps and
/// their hooks. `test`, `lint`, `deploy` and the like are tooling.
pub const RUNTIME_SCRIPTS: &[&str] = &[
    "start",
    "prestart",
    "poststart",
    "build",
    "prebuild",
    "postbuild",
    "heroku-prebuild",
    "heroku-postbuild",
    "heroku-cleanup",
    "install",
    "preinstall",
    "postinstall",
];

/// `build` and its npm hooks: what Heroku's build ran unless `heroku-postbuild` exists.
const BUILD_SCRIPTS: &[&str] = &["build", "prebuild", "postbuild"];

/// Whether Heroku's Node buildpack ran the script `name` of `pkg` on its own: every
/// [`RUNTIME_SCRIPTS`] entry, except that `heroku-postbuild`, when present, ran instead of
/// `build` (HEROKU.md), so `build` and its hooks then ran only if something calls them.
/// The migration keeps that: `heroku-postbuild` becomes `build`, and an old `build` it
/// does not call is kept under another name that nothing runs.
pub fn runs_by_itself(pkg: &PackageJson, name: &str) -> bool {
    RUNTIME_SCRIPTS.contains(&name)
        && pkg.script(name).is_some()
        && !(BUILD_SCRIPTS.contains(&name) && pkg.script("heroku-postbuild").is_some())
}

/// The line of `"name":` inside the `scripts` of a package.json text, 1 when not found.
pub fn script_line(text: &str, name: &str) -> usize {
    let key = format!("\"{name}\"");
    let scripts = text.find("\"scripts\"").unwrap_or(0);
    text[scripts..].find(&key).map_or(1, |at| text[..scripts + at].matches('\n').count() + 1)
}

/// Run commands that cannot work on Code Capsules' npm: `npm bin` (removed in npm 9),
/// in a Procfile command or a run-time package.json script.
pub fn command_warnings(apps: &[App]) -> Vec<Warning> {
    let mut warnings = Vec::new();
    let uses_npm_bin = |command: &str| {
        command
            .split(|c: char| !c.is_ascii_alphanumeric() && c != '-')
            .collect::<Vec<_>>()
            .windows(2)
            .any(|w| w == ["npm", "bin"])
    };
    let message = |what: String| {
        format!(
            "{what} uses `npm bin`, which npm 9 removed: it fails on the npm Code Capsules \
             installs; run the program with `npx` (or from `node_modules/.bin/`) instead"
        )
    };
    for app in apps {
        if let Some(procfile) = &app.procfile {
            for process in procfile.value.processes.iter().filter(|p| uses_npm_bin(&p.command)) {
                let what = format!("the `{}` command", process.name);
                warnings.push(Warning::at_line(&procfile.path, process.line, message(what)));
            }
        }
        if let Some(pkg) = &app.package_json {
            for name in RUNTIME_SCRIPTS {
                if pkg.script(name).is_some_and(uses_npm_bin) {
                    let what = format!("the `{name}` script");
                    let line = script_line(&pkg.text, name);
                    warnings.push(Warning::at_line(&pkg.path, line, message(what)));
                }
            }
        }
    }
    warnings
}

/// The package.json scripts that run on the platform, by name, in package.json order: the
/// [`RUNTIME_SCRIPTS`] it has that run by themselves ([`runs_by_itself`]), and those that a Procfile command, one of `commands`
/// (Scheduler jobs) or an already running script starts with `npm run X`, `yarn X` or
/// `pnpm X` (so `release: npm run migrate` makes `migrate` run).
pub fn run_scripts<'a>(app: &'a App, commands: &[&str]) -> Vec<&'a str> {
    let Some(pkg) = &app.package_json else { return Vec::new() };
    let mut running: Vec<&str> =
        RUNTIME_SCRIPTS.iter().copied().filter(|s| runs_by_itself(pkg, s)).collect();
    let mut texts: Vec<String> = app.processes().iter().map(|p| p.command.clone()).collect();
    texts.extend(commands.iter().map(|c| (*c).to_owned()));
    texts.extend(running.iter().filter_map(|s| pkg.script(s)).map(str::to_owned));
    while let Some(text) = texts.pop() {
        for name in started_scripts(&text) {
            if let Some((key, command)) = pkg.scripts().find(|(k, _)| *k == name)
                && !running.contains(&key)
            {
                running.push(key);
                texts.push(command.to_owned());
            }
        }
    }
    let order: Vec<&str> = pkg.scripts().map(|(k, _)| k).collect();
    running.sort_by_key(|s| order.iter().position(|k| k == s));
    running
}

/// [`started_scripts`] for the rest of the inventory.
pub fn started(text: &str) -> Vec<&str> {
    started_scripts(text)
}

/// The script names `text` runs through a package manager: `npm run X`, `npm run-script X`,
/// `npm start`/`npm test`-style built-ins are not followed (only `start` runs here, and it
/// is a run-time script already), `yarn X`, `yarn run X`, `pnpm X`, `pnpm run X`.
pub(super) fn started_scripts(text: &str) -> Vec<&str> {
    let words: Vec<&str> = text
        .split(|c: char| c.is_whitespace() || matches!(c, ';' | '&' | '|' | '(' | ')'))
        .filter(|w| !w.is_empty())
        .collect();
    let mut names = Vec::new();
    for (i, word) in words.iter().enumerate() {
        let next = |k: usize| words.get(i + k).copied();
        let name = match (*word, next(1)) {
            ("npm", Some("run" | "run-script")) => next(2),
            ("yarn" | "pnpm", Some("run")) => next(2),
            ("yarn" | "pnpm", Some(name)) if !name.starts_with('-') => Some(name),
            _ => None,
        };
        if let Some(name) = name.filter(|n| !n.starts_with('-')) {
            names.push(name);
        }
    }
    names
}
