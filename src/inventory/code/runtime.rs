//! Which source files run in the deployed app, and which are tests, tooling or scripts.

use crate::inventory::App;

/// Folders whose code never runs in a deployed Capsule: tests, fixtures, mocks, CI.
const NOT_RUNTIME_DIRS: &[&str] = &[
    "test",
    "tests",
    "__tests__",
    "spec",
    "specs",
    "__mocks__",
    "mocks",
    "fixtures",
    "__fixtures__",
    "e2e",
    "cypress",
    "playwright",
    "examples",
    "example",
    "bench",
    "benchmark",
    "benchmarks",
    ".github",
    ".circleci",
    ".husky",
];

/// Tooling configs: read by test runners, linters, release tools, task runners.
const TOOLING_CONFIGS: &[&str] = &[
    "release.config",
    ".releaserc",
    "jest.config",
    "jest.setup",
    "vitest.config",
    "playwright.config",
    "cypress.config",
    "babel.config",
    ".babelrc",
    "eslint.config",
    ".eslintrc",
    "prettier.config",
    ".prettierrc",
    "commitlint.config",
    "lint-staged.config",
    ".lintstagedrc",
    "karma.conf",
    ".mocharc",
    "nyc.config",
    ".nycrc",
    "stryker.conf",
    "gulpfile",
    "Gruntfile",
    "wallaby",
    "danger",
    "dangerfile",
];

/// Whether the code in `path` (a file of `app`) runs in the deployed app: not a test,
/// spec, fixture or mock, not a CI or tooling config, and not a script under `scripts/`
/// or `tools/` unless a Procfile command, a job (`jobs`: the app's Scheduler job
/// commands) or a run-time package.json script names it.
pub fn is_runtime_path(app: &App, jobs: &[&str], path: &str) -> bool {
    let relative = match app.dir.as_str() {
        "" => path,
        dir => path.strip_prefix(dir).and_then(|p| p.strip_prefix('/')).unwrap_or(path),
    };
    match classify(relative) {
        Class::NotRuntime => false,
        Class::Script => named_by_a_run_command(app, jobs, relative),
        Class::Runtime => true,
    }
}

/// Whether `path` is code of the workspace package in `dir` (repo-relative) that runs
/// when an app loads the package: not a test, fixture or tooling config, and not one of
/// its `scripts/` or `tools/`, which only the package's own commands run.
pub fn is_package_runtime_path(dir: &str, path: &str) -> bool {
    let relative = path.strip_prefix(dir).and_then(|p| p.strip_prefix('/')).unwrap_or(path);
    classify(relative) == Class::Runtime
}

/// What a file is, by its path inside its app or package.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Class {
    /// Tests, fixtures, CI and tooling configs.
    NotRuntime,
    /// Under `scripts/`, `script/` or `tools/`: runs when a command names it.
    Script,
    Runtime,
}

fn classify(relative: &str) -> Class {
    let (folders, name) = relative.rsplit_once('/').unwrap_or(("", relative));
    if folders.split('/').any(|f| NOT_RUNTIME_DIRS.contains(&f)) {
        return Class::NotRuntime;
    }
    let stem = name.split('.').next().unwrap_or(name);
    let dotted = name.rsplit_once('.').map_or(name, |(s, _)| s);
    // `config/env/test.js` and the like: the settings loaded only under NODE_ENV=test.
    let is_test = [".test.", ".spec.", ".e2e.", ".stories."].iter().any(|m| name.contains(m))
        || matches!(stem, "test" | "testing" | "setupTests" | "test-setup" | "test-utils");
    let is_tooling = TOOLING_CONFIGS.iter().any(|t| {
        // `name` starts with `{t}.`, tested without allocating: this runs per file and config.
        dotted == *t
            || (!stem.is_empty() && stem == *t)
            || name.strip_prefix(t).is_some_and(|rest| rest.starts_with('.'))
    });
    if is_test || is_tooling {
        return Class::NotRuntime;
    }
    let first = folders.split('/').next().unwrap_or_default();
    if matches!(first, "scripts" | "script" | "tools") {
        return Class::Script;
    }
    Class::Runtime
}

/// Whether `path` (a file of `app`) sits where files run only when a command names them:
/// `scripts/`, `script/`, `tools/` or `bin/` at the top of the app.
pub fn is_script_path(app: &App, path: &str) -> bool {
    let relative = match app.dir.as_str() {
        "" => path,
        dir => path.strip_prefix(dir).and_then(|p| p.strip_prefix('/')).unwrap_or(path),
    };
    let first = relative.split('/').next().unwrap_or_default();
    relative.contains('/') && matches!(first, "scripts" | "script" | "tools" | "bin")
}

/// A Procfile command, a Scheduler job's command or a package.json script that runs on the
/// platform (see [`crate::inventory::config::run_scripts`]) mentions `relative`.
fn named_by_a_run_command(app: &App, jobs: &[&str], relative: &str) -> bool {
    let without_ext = relative.rsplit_once('.').map_or(relative, |(s, _)| s);
    let mentions = |command: &str| command.contains(relative) || command.contains(without_ext);
    let in_procfile =
        app.processes().iter().any(|p| mentions(&p.command)) || jobs.iter().any(|c| mentions(c));
    let in_scripts = app.package_json.as_ref().is_some_and(|pkg| {
        let running = crate::inventory::config::run_scripts(app, jobs);
        running.iter().filter_map(|s| pkg.script(s)).any(mentions)
    });
    in_procfile || in_scripts
}
