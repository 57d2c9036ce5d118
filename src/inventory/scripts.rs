//! Which package.json scripts a script runs: `npm run x`, `npm run-script x`, `yarn x`,
//! `yarn run x`, `pnpm x`, `pnpm run x`, `npm start`/`npm test`, the install lifecycle of
//! `npm install`/`npm ci`, `run-s`/`run-p`/`npm-run-all` and the commands `concurrently`
//! runs, and the `pre<name>`/`post<name>` scripts npm runs around each of them. A graph
//! over these calls tells whether a script reaches itself (an endless recursion).
//!
//! Calls into another package (`--prefix`, `--cwd`, `-C`, `--filter`, `--workspace`, a
//! `cd` earlier in the line) are not calls into this one.

use std::collections::BTreeMap;
use std::ops::Range;

use crate::shell;

/// One script of this package that a command line runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScriptCall {
    /// The script's name as `package.json` spells it.
    pub script: String,
    /// The bytes of the command line that name the script (`build` in `npm run build`),
    /// `None` for calls that have no such word (the install lifecycle, a call inside a
    /// quoted `concurrently` argument).
    pub name_span: Option<Range<usize>>,
}

/// The scripts of this package that `line` runs directly, in order; `None` when the
/// line is not readable as shell. Scripts run implicitly by npm (`prebuild` around
/// `build`) are not listed: [`cycle`] adds them.
pub fn calls(line: &str) -> Option<Vec<ScriptCall>> {
    let mut out = Vec::new();
    for command in shell::commands(line)? {
        if command.after_cd {
            continue;
        }
        calls_of_command(&command, &mut out);
    }
    Some(out)
}

fn calls_of_command(command: &shell::Command, out: &mut Vec<ScriptCall>) {
    let args = command.args();
    match command.program() {
        Some("npm") => npm(args, out),
        Some("yarn") => yarn(args, out),
        Some("pnpm") => pnpm(args, out),
        Some("run-s" | "run-p" | "npm-run-all") => {
            for word in args {
                match word.text.as_deref() {
                    // Globs (`build:*`) and flags are left out; names are calls.
                    Some(name) if !name.starts_with('-') && !name.contains('*') => {
                        out.push(call(name, Some(word.span.clone())));
                    }
                    _ => {}
                }
            }
        }
        Some("concurrently") => {
            for word in args {
                let Some(text) = word.text.as_deref() else { continue };
                if let Some(script) = text.strip_prefix("npm:") {
                    out.push(call(script, None));
                } else if !text.starts_with('-')
                    && let Some(inner) = calls(text)
                {
                    out.extend(inner.into_iter().map(|c| call(&c.script, None)));
                }
            }
        }
        _ => {}
    }
}

fn call(script: &str, name_span: Option<Range<usize>>) -> ScriptCall {
    ScriptCall { script: script.to_owned(), name_span }
}

/// What npm runs on `npm install` / `npm ci` in the package itself.
const INSTALL_LIFECYCLE: [&str; 4] = ["preinstall", "install", "postinstall", "prepare"];

/// Splits leading options from the rest; `None` when an option points the tool at
/// another package. `value_flags` take the next word as their value.
fn positional<'w>(
    args: &'w [shell::Word],
    elsewhere: &[&str],
    value_flags: &[&str],
) -> Option<Vec<&'w shell::Word>> {
    let mut out = Vec::new();
    let mut skip_value = false;
    for word in args {
        if skip_value {
            skip_value = false;
            continue;
        }
        let Some(text) = word.text.as_deref() else {
            out.push(word);
            continue;
        };
        if text == "--" {
            break;
        }
        if !text.starts_with('-') {
            out.push(word);
            continue;
        }
        let flag = text.split('=').next().unwrap_or(text);
        if elsewhere.contains(&flag) {
            return None;
        }
        skip_value = value_flags.contains(&flag) && !text.contains('=');
    }
    Some(out)
}

fn npm(args: &[shell::Word], out: &mut Vec<ScriptCall>) {
    let elsewhere =
        ["--prefix", "-C", "--workspace", "-w", "--workspaces", "-ws", "-g", "--global"];
    let values = ["--loglevel", "--registry", "--userconfig", "--cache", "--script-shell"];
    let Some(words) = positional(args, &elsewhere, &values) else { return };
    let Some(sub) = words.first() else { return };
    match sub.text.as_deref() {
        Some("run" | "run-script" | "rum" | "urn") => {
            if let Some(name) = words.get(1)
                && let Some(text) = &name.text
            {
                out.push(call(text, Some(name.span.clone())));
            }
        }
        Some(lifecycle @ ("start" | "test" | "stop")) => out.push(call(lifecycle, None)),
        Some("t" | "tst") => out.push(call("test", None)),
        Some("restart") => {
            out.extend(["restart", "stop", "start"].map(|s| call(s, None)));
        }
        Some("install" | "i" | "ci" | "clean-install" | "isntall") if words.len() == 1 => {
            out.extend(INSTALL_LIFECYCLE.map(|s| call(s, None)));
        }
        _ => {}
    }
}

/// yarn's own commands, which win over scripts of the same name (yarn 1 and 2+).
const YARN_COMMANDS: &[&str] = &[
    "add",
    "audit",
    "autoclean",
    "bin",
    "cache",
    "check",
    "config",
    "constraints",
    "create",
    "dedupe",
    "dlx",
    "exec",
    "explain",
    "generate-lock-entry",
    "global",
    "help",
    "import",
    "info",
    "init",
    "install",
    "licenses",
    "link",
    "list",
    "login",
    "logout",
    "node",
    "npm",
    "outdated",
    "owner",
    "pack",
    "patch",
    "plugin",
    "policy",
    "publish",
    "rebuild",
    "remove",
    "run",
    "set",
    "stage",
    "tag",
    "team",
    "unlink",
    "unplug",
    "up",
    "upgrade",
    "upgrade-interactive",
    "version",
    "versions",
    "why",
    "workspace",
    "workspaces",
];

fn yarn(args: &[shell::Word], out: &mut Vec<ScriptCall>) {
    let elsewhere = ["--cwd", "--global-folder", "--modules-folder"];
    let Some(words) = positional(args, &elsewhere, &[]) else { return };
    let Some(first) = words.first() else {
        // A bare `yarn` installs.
        out.extend(INSTALL_LIFECYCLE.map(|s| call(s, None)));
        return;
    };
    match first.text.as_deref() {
        Some("run") => {
            if let Some(name) = words.get(1)
                && let Some(text) = &name.text
            {
                out.push(call(text, Some(name.span.clone())));
            }
        }
        Some("install") if words.len() == 1 => {
            out.extend(INSTALL_LIFECYCLE.map(|s| call(s, None)));
        }
        Some(name) if !YARN_COMMANDS.contains(&name) => {
            out.push(call(name, Some(first.span.clone())));
        }
        _ => {}
    }
}

/// pnpm's own commands (those that are not script names).
const PNPM_COMMANDS: &[&str] = &[
    "add",
    "audit",
    "bin",
    "cache",
    "config",
    "c",
    "create",
    "dedupe",
    "deploy",
    "dlx",
    "doctor",
    "env",
    "exec",
    "fetch",
    "help",
    "i",
    "import",
    "init",
    "install",
    "install-test",
    "it",
    "licenses",
    "link",
    "ln",
    "list",
    "ls",
    "outdated",
    "pack",
    "patch",
    "patch-commit",
    "prune",
    "publish",
    "rb",
    "rebuild",
    "remove",
    "rm",
    "root",
    "run",
    "run-script",
    "self-update",
    "server",
    "setup",
    "store",
    "uninstall",
    "unlink",
    "up",
    "update",
    "why",
];

fn pnpm(args: &[shell::Word], out: &mut Vec<ScriptCall>) {
    let elsewhere = [
        "-C",
        "--dir",
        "--filter",
        "-F",
        "-r",
        "--recursive",
        "-w",
        "--workspace-root",
        "--prefix",
        "-g",
        "--global",
    ];
    let values = ["--loglevel", "--reporter"];
    let Some(words) = positional(args, &elsewhere, &values) else { return };
    let Some(first) = words.first() else { return };
    match first.text.as_deref() {
        Some("run" | "run-script") => {
            if let Some(name) = words.get(1)
                && let Some(text) = &name.text
            {
                out.push(call(text, Some(name.span.clone())));
            }
        }
        Some("t" | "tst") => out.push(call("test", None)),
        Some("install" | "i") if words.len() == 1 => {
            out.extend(INSTALL_LIFECYCLE.map(|s| call(s, None)));
        }
        Some(name) if !PNPM_COMMANDS.contains(&name) => {
            out.push(call(name, Some(first.span.clone())));
        }
        _ => {}
    }
}

/// A path of scripts that leads back to its first one (`[build, build:app, build]`),
/// or `None` when no script reaches itself. Running a script runs its `pre`/`post`
/// scripts too, as npm does. Scripts that are not readable as shell call nothing.
pub fn cycle<'a>(scripts: impl IntoIterator<Item = (&'a str, &'a str)>) -> Option<Vec<String>> {
    let scripts: BTreeMap<&str, &str> = scripts.into_iter().collect();
    let mut edges: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for (&name, &line) in &scripts {
        let targets = edges.entry(name).or_default();
        for hook in [format!("pre{name}"), format!("post{name}")] {
            if let Some((&hook, _)) = scripts.get_key_value(hook.as_str()) {
                targets.push(hook);
            }
        }
        for called in calls(line).unwrap_or_default() {
            if let Some((&target, _)) = scripts.get_key_value(called.script.as_str()) {
                targets.push(target);
            }
        }
    }
    let mut state: BTreeMap<&str, Visit> = BTreeMap::new();
    let mut path = Vec::new();
    for &start in scripts.keys() {
        if let Some(found) = visit(start, &edges, &mut state, &mut path) {
            return Some(found);
        }
    }
    None
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Visit {
    OnPath,
    Done,
}

fn visit<'a>(
    node: &'a str,
    edges: &BTreeMap<&'a str, Vec<&'a str>>,
    state: &mut BTreeMap<&'a str, Visit>,
    path: &mut Vec<&'a str>,
) -> Option<Vec<String>> {
    match state.get(node) {
        Some(Visit::Done) => return None,
        Some(Visit::OnPath) => {
            let start = path.iter().position(|&n| n == node).unwrap_or(0);
            let mut found: Vec<String> = path[start..].iter().map(|s| s.to_string()).collect();
            found.push(node.to_owned());
            return Some(found);
        }
        None => {}
    }
    state.insert(node, Visit::OnPath);
    path.push(node);
    for &next in edges.get(node).map_or(&[][..], Vec::as_slice) {
        if let Some(found) = visit(next, edges, state, path) {
            return Some(found);
        }
    }
    path.pop();
    state.insert(node, Visit::Done);
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(line: &str) -> Vec<String> {
        calls(line).unwrap().into_iter().map(|c| c.script).collect()
    }

    #[test]
    fn every_spelling_of_a_script_call() {
        for line in [
            "npm run build",
            "npm run-script build",
            "npm rum build",
            "npm run --silent build",
            "npm run build --if-present",
            "npm --loglevel warn run build -- --prod",
            "npm run build -- --prod",
            "yarn build",
            "yarn run build",
            "yarn --silent build --prod",
            "pnpm build",
            "pnpm run build",
            "pnpm run build -- --prod",
            "NODE_ENV=production npm run build",
            "run-s build",
            "npm-run-all --parallel build",
            "concurrently \"npm run build\"",
            "concurrently npm:build",
        ] {
            assert_eq!(names(line), ["build"], "{line}");
        }
    }

    #[test]
    fn calls_into_other_packages_or_tools_are_not_calls() {
        for line in [
            "cd client && npm run build",
            "npm --prefix client run build",
            "npm run build --prefix=client",
            "npm run build -w client",
            "yarn --cwd client build",
            "yarn workspace client build",
            "pnpm -C client build",
            "pnpm --filter client build",
            "pnpm -r build",
            "yarn add build",
            "npx build",
            "node build.js",
            "webpack --mode production",
            "npm install express",
        ] {
            assert_eq!(names(line), Vec::<String>::new(), "{line}");
        }
    }

    #[test]
    fn chains_name_every_call_with_its_span() {
        let line = "npm run clean && yarn build && (cd web && pnpm build) && npm test";
        let found = calls(line).unwrap();
        let got: Vec<(&str, Option<&str>)> = found
            .iter()
            .map(|c| (c.script.as_str(), c.name_span.clone().map(|s| &line[s])))
            .collect();
        assert_eq!(got, [("clean", Some("clean")), ("build", Some("build")), ("test", None)]);
    }

    #[test]
    fn install_runs_the_install_lifecycle() {
        assert_eq!(names("npm ci"), INSTALL_LIFECYCLE);
        assert_eq!(names("yarn"), INSTALL_LIFECYCLE);
        assert_eq!(names("pnpm install"), INSTALL_LIFECYCLE);
    }

    #[test]
    fn cycles_through_calls_and_pre_post_hooks() {
        let direct = [("build", "node a.js && npm run build")];
        assert_eq!(cycle(direct), Some(vec!["build".into(), "build".into()]));
        let through = [("build", "yarn build:app"), ("build:app", "tsc && pnpm run build")];
        assert_eq!(cycle(through).unwrap(), ["build", "build:app", "build"]);
        let hook = [("build", "tsc"), ("postbuild", "npm run build")];
        assert_eq!(cycle(hook).unwrap(), ["build", "postbuild", "build"]);
        let install = [("postinstall", "npm install")];
        assert_eq!(cycle(install).unwrap(), ["postinstall", "postinstall"]);
        let fine = [
            ("build", "npm run build:app && node copy.js"),
            ("build:app", "tsc"),
            ("prebuild", "rimraf dist"),
            ("heroku-postbuild", "cd client && npm run build"),
        ];
        assert_eq!(cycle(fine), None);
    }
}
