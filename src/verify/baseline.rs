//! `--baseline`: what Heroku's Node.js buildpack ran for a Capsule's app on the base
//! commit, so a branch failure is compared with what really deployed there, not with
//! Code Capsules' steps run on files written for Heroku (a base whose build is
//! `heroku-postbuild` has no `build` script for `npm run build` to find).
//!
//! Source of the steps: heroku/heroku-buildpack-nodejs `bin/compile`,
//! `lib/package_manager.sh` and `lib/package_managers/{npm,yarn,pnpm}.sh` (HEROKU.md):
//! `heroku-prebuild`; the install by lockfile, devDependencies included; `heroku-postbuild`
//! when present, else `build`; the devDependencies prune when `NODE_ENV` is `production`
//! and no `NPM_CONFIG_PRODUCTION` / `YARN_PRODUCTION` / `PNPM_SKIP_PRUNING` says
//! otherwise; `heroku-cleanup`. `NODE_ENV` defaults to `production` at build and run time.
//! The process then runs from the app's folder: the Procfile's command (after `release`,
//! for `web`), or `npm start` without a Procfile.

use std::path::Path;
use std::time::Instant;

use serde_json::Value;

use super::env::Env;
use super::install::Manager;
use super::node::Resolver;
use super::report::Progress;
use super::run::Runner;
use super::steps::{
    self, Outcome, Place, Role, Status, Step, done, finish, package_manager_shim, record,
};
use crate::capsules::{Capsule, EnvSource};
use crate::inventory::App;

/// Heroku's Node when a package.json has no `engines.node` (HEROKU.md: default `24.x`).
pub(crate) const HEROKU_DEFAULT_RANGE: &str = "24.x";

/// The config vars that change what Heroku's build does, passed on when app.json gives
/// their value.
const BUILD_SETTINGS: &[&str] =
    &["NODE_ENV", "NPM_CONFIG_PRODUCTION", "YARN_PRODUCTION", "PNPM_SKIP_PRUNING"];

/// What Heroku ran for one app, as shell commands in its folder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct HerokuRun {
    /// The app's folder, repo-relative (`""` for the root): where Heroku built and ran it.
    pub dir: String,
    pub manager: Manager,
    /// `engines.node`, else Heroku's default.
    pub node_range: String,
    /// `heroku-prebuild` (when present), then the install.
    pub install: Vec<String>,
    /// `heroku-postbuild` or else `build` (when present), the prune, `heroku-cleanup`.
    pub build: Vec<String>,
    /// `release` (before `web`) and the process's command; `None` when Heroku ran no
    /// process for this Capsule (a Scheduler job ran in one-off dynos).
    pub start: Option<String>,
    /// `NODE_ENV` and the build settings the install and prune read.
    pub env: Vec<(String, String)>,
}

/// What Heroku ran for `app`'s process `process`, reading its package.json `package`
/// and lockfiles in `dir` (the app's folder of the written base tree); `config` holds the
/// config vars whose values the repository gives (app.json).
pub(crate) fn heroku_run(
    app: &App,
    process: Option<&str>,
    package: Option<&Value>,
    dir: &Path,
    config: &[(String, String)],
) -> HerokuRun {
    let empty = Value::Null;
    let package = package.unwrap_or(&empty);
    let manager = Manager::of(dir, package);
    let setting = |name: &str| {
        config.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str()).filter(|v| !v.is_empty())
    };
    let has =
        |script: &str| package.pointer(&format!("/scripts/{script}")).is_some_and(Value::is_string);
    // yarn and pnpm are on PATH by then (see `package_manager_shim`).
    let run = |script: &str| format!("{} run {script}", manager.name());

    let mut install = Vec::new();
    if has("heroku-prebuild") {
        install.push(run("heroku-prebuild"));
    }
    if !package.is_null() {
        install.push(heroku_install(
            &manager,
            setting("NPM_CONFIG_PRODUCTION"),
            setting("YARN_PRODUCTION"),
        ));
    }

    let mut build = Vec::new();
    // `heroku-postbuild` replaces `build` when both exist.
    if let Some(script) = ["heroku-postbuild", "build"].into_iter().find(|s| has(s)) {
        build.push(run(script));
    }
    let node_env = setting("NODE_ENV").unwrap_or("production");
    if !package.is_null()
        && node_env == "production"
        && let Some(prune) = prune(&manager, dir, setting)
    {
        build.push(prune);
    }
    if has("heroku-cleanup") {
        build.push(run("heroku-cleanup"));
    }

    let start = process.and_then(|name| match &app.procfile {
        Some(_) => {
            let command = app.process(name)?.command.clone();
            match app.process("release").filter(|_| name == "web") {
                Some(release) => Some(format!("{} && {command}", release.command)),
                None => Some(command),
            }
        }
        // Without a Procfile Heroku's web process is `npm start`, or `node server.js`.
        None if name == "web" && has("start") => Some("npm start".into()),
        None if name == "web" && dir.join("server.js").is_file() => Some("node server.js".into()),
        None => None,
    });

    let mut env = vec![("NODE_ENV".to_owned(), node_env.to_owned())];
    for name in BUILD_SETTINGS.iter().filter(|n| **n != "NODE_ENV") {
        if let Some(value) = setting(name) {
            env.push(((*name).to_owned(), value.to_owned()));
        }
    }
    let node_range = match package.pointer("/engines/node").and_then(Value::as_str) {
        // Heroku caps a range with no upper bound to its LTS line (HEROKU.md).
        Some(range) if open_ended_over_lts(range) => HEROKU_DEFAULT_RANGE.to_owned(),
        Some(range) => range.to_owned(),
        None => HEROKU_DEFAULT_RANGE.to_owned(),
    };
    HerokuRun { dir: app.build_dir().to_owned(), manager, node_range, install, build, start, env }
}

/// True for a range such as `>=14` that admits every later major, the LTS line included.
fn open_ended_over_lts(range: &str) -> bool {
    let Ok(range) = nodejs_semver::Range::parse(range.trim()) else { return false };
    let admits = |v: &str| nodejs_semver::Version::parse(v).is_ok_and(|v| range.satisfies(&v));
    admits("999.0.0") && admits("24.999.0")
}

/// The buildpack's install: devDependencies included unless the production setting says
/// `true`; yarn 1 ignores `engines`.
fn heroku_install(
    manager: &Manager,
    npm_production: Option<&str>,
    yarn_production: Option<&str>,
) -> String {
    match manager {
        Manager::Npm { locked } => {
            let verb = if *locked { "ci" } else { "install" };
            format!("npm {verb} --production={}", npm_production.unwrap_or("false"))
        }
        Manager::Yarn1(_) => format!(
            "yarn install --production={} --frozen-lockfile --ignore-engines",
            yarn_production.unwrap_or("false")
        ),
        Manager::Berry(_) => "yarn install --immutable".into(),
        Manager::Pnpm(_) => "pnpm install --prod=false --frozen-lockfile".into(),
    }
}

/// The devDependencies prune, unless a setting skips it. Yarn 2+ pruned through the
/// buildpack's own plugin (`yarn heroku prune`); `workspaces focus --production` removes
/// the same packages with Yarn's own commands.
fn prune<'a>(
    manager: &Manager,
    dir: &Path,
    setting: impl Fn(&str) -> Option<&'a str>,
) -> Option<String> {
    match manager {
        Manager::Npm { .. } if setting("NPM_CONFIG_PRODUCTION").is_none() => {
            Some("npm prune".into())
        }
        Manager::Yarn1(_) if setting("YARN_PRODUCTION").is_none() => Some(
            "yarn install --frozen-lockfile --ignore-engines --ignore-scripts --prefer-offline"
                .into(),
        ),
        Manager::Berry(_) if setting("YARN_PRODUCTION").is_none() => {
            Some("yarn workspaces focus --all --production".into())
        }
        Manager::Pnpm(_) if setting("PNPM_SKIP_PRUNING") != Some("true") => {
            Some(if dir.join("pnpm-workspace.yaml").is_file() {
                "pnpm install --prod --frozen-lockfile".into()
            } else {
                "pnpm prune --prod --ignore-scripts".into()
            })
        }
        _ => None,
    }
}

/// The config vars with a value in the repository that Heroku's build reads.
pub(crate) fn build_config(capsule: &Capsule) -> Vec<(String, String)> {
    capsule
        .env
        .iter()
        .filter(|v| BUILD_SETTINGS.contains(&v.name.as_str()))
        .filter(|v| !matches!(v.source, EnvSource::Code))
        .filter_map(|v| Some((v.name.clone(), v.value.clone()?)))
        .collect()
}

/// Runs what Heroku ran for `capsule` on the base tree, up to and including `until`
/// (the step the branch failed): the install step is `heroku-prebuild` and the install,
/// the build step the build script, prune and `heroku-cleanup`, the start step the
/// process. A step Heroku had nothing for is `None`.
pub(crate) fn verify_base(
    capsule: &Capsule,
    app: &App,
    place: &Place,
    until: Step,
    runner: &Runner,
    nodes: &mut Resolver,
    progress: &mut Progress,
) -> Outcome {
    let started = Instant::now();
    let mut outcome = Outcome::new(&capsule.name);
    let log = |step: Step| {
        place.logs.join(format!("{}-{}{}.log", capsule.name, step.name(), place.suffix))
    };
    let dir = place.root.join(app.build_dir());
    let package = steps::read_package_json(&dir);
    let heroku = heroku_run(
        app,
        capsule.heroku_process.as_deref(),
        package.as_ref(),
        &dir,
        &build_config(capsule),
    );

    let install_log = log(Step::Install);
    outcome.logs[0] = Some(install_log.clone());
    let range = &heroku.node_range;
    progress.begin(&capsule.name, &format!("Heroku's Node for engines.node `{range}`"));
    let node = match !dir.is_dir() {
        true => Err(format!("the app's folder /{} is not on the base commit", heroku.dir)),
        false => nodes.resolve(range, runner, &install_log),
    };
    let node = match node {
        Ok(node) => node,
        Err(why) => return finish(outcome, Step::Install, Status::Failed(why), started, progress),
    };
    outcome.node = Some(node.label());
    let mut env = Env::for_capsule(capsule, &node, place.root);
    outcome.placeholders = env.placeholders.clone();
    // npm 11 cannot run on an old Node: the npm that Node came with can, as on Heroku.
    match nodes.npm_for(&node, runner, &install_log) {
        Ok(Some(npm)) => env.put_first_on_path(&npm),
        Ok(None) => {}
        Err(why) => return finish(outcome, Step::Install, Status::Failed(why), started, progress),
    }
    for (name, value) in &heroku.env {
        env.set(name, value);
    }
    let shims = place.root.with_file_name(format!("bin-{}{}", capsule.name, place.suffix));
    match package_manager_shim(&heroku.manager, &shims) {
        Ok(true) => env.put_first_on_path(&shims),
        Ok(false) => {}
        Err(e) => {
            let why = format!("cannot write {}: {e}", shims.display());
            return finish(outcome, Step::Install, Status::Failed(why), started, progress);
        }
    }

    let phases = [(Step::Install, &heroku.install), (Step::Build, &heroku.build)];
    for (step, commands) in phases {
        let status = if commands.is_empty() {
            Status::None(format!("Heroku ran no {} step", step.name()))
        } else {
            let log = log(step);
            outcome.logs[step as usize] = Some(log.clone());
            let shown = commands.join(", then ");
            progress.begin(&capsule.name, &format!("Heroku's {}: {shown}", step.name()));
            steps::run_steps(commands, &dir, &env, runner, &log)
        };
        outcome = record(outcome, step, status, progress);
        if outcome.first_failure().is_some() || step == until {
            return done(outcome, started);
        }
    }

    let status = match &heroku.start {
        None => Status::None("Heroku ran no process for it".into()),
        Some(command) => {
            let log = log(Step::Start);
            outcome.logs[2] = Some(log.clone());
            progress.begin(&capsule.name, &format!("Heroku's start: {command}"));
            let role = match capsule.heroku_process.as_deref() {
                Some("web") => Role::Web,
                _ => Role::Worker,
            };
            steps::start(role, command, &dir, &env, runner, &log)
        }
    };
    outcome = record(outcome, Step::Start, status, progress);
    done(outcome, started)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn app(dir: &str, procfile: Option<&str>) -> App {
        let mut app = App::bare(dir);
        if let Some(text) = procfile {
            let value = crate::inventory::procfile::parse("Procfile", text.as_bytes()).unwrap();
            app.procfile = Some(crate::inventory::Located { path: "Procfile".into(), value });
        }
        app
    }

    fn files(list: &[&str]) -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        for name in list {
            std::fs::write(dir.path().join(name), "").unwrap();
        }
        dir
    }

    /// devconnector's shape: only `heroku-postbuild`, no `build`, no Procfile.
    #[test]
    fn heroku_postbuild_is_the_build_and_npm_start_the_web_process() {
        let dir = files(&["package-lock.json"]);
        let package = json!({"scripts": {
            "start": "node server",
            "heroku-postbuild": "NPM_CONFIG_PRODUCTION=false npm install --prefix client && npm run build --prefix client"
        }});
        let run = heroku_run(&app("", None), Some("web"), Some(&package), dir.path(), &[]);
        assert_eq!(run.install, ["npm ci --production=false"]);
        assert_eq!(run.build, ["npm run heroku-postbuild", "npm prune"]);
        assert_eq!(run.start.as_deref(), Some("npm start"));
        assert_eq!(run.node_range, HEROKU_DEFAULT_RANGE);
        assert_eq!(run.env, [("NODE_ENV".to_owned(), "production".to_owned())]);
    }

    #[test]
    fn the_hooks_run_in_heroku_order_and_postbuild_replaces_build() {
        let dir = files(&["yarn.lock"]);
        let package = json!({"engines": {"node": "18.x"}, "scripts": {
            "heroku-prebuild": "echo pre", "build": "tsc", "heroku-postbuild": "tsc -b",
            "heroku-cleanup": "rm -rf .cache", "start": "node dist"
        }});
        let procfile =
            "release: node migrate.js\nweb: node dist/server.js\nworker: node dist/worker.js\n";
        let run =
            heroku_run(&app("api", Some(procfile)), Some("web"), Some(&package), dir.path(), &[]);
        assert_eq!(
            run.install,
            [
                "yarn run heroku-prebuild",
                "yarn install --production=false --frozen-lockfile --ignore-engines"
            ]
        );
        assert_eq!(
            run.build,
            [
                "yarn run heroku-postbuild",
                "yarn install --frozen-lockfile --ignore-engines --ignore-scripts --prefer-offline",
                "yarn run heroku-cleanup"
            ]
        );
        assert_eq!(run.start.as_deref(), Some("node migrate.js && node dist/server.js"));
        assert_eq!(run.node_range, "18.x");
        for (range, expected) in [(">=14", "24.x"), ("^20 || >=22", "24.x"), (">=26", ">=26")] {
            let package = json!({"engines": {"node": range}});
            let run = heroku_run(&app("", None), Some("web"), Some(&package), dir.path(), &[]);
            assert_eq!(run.node_range, expected, "{range}");
        }
        assert_eq!(run.dir, "api");
        let worker = heroku_run(
            &app("api", Some(procfile)),
            Some("worker"),
            Some(&package),
            dir.path(),
            &[],
        );
        assert_eq!(worker.start.as_deref(), Some("node dist/worker.js"));
        // A Scheduler job ran in one-off dynos: no process.
        let job = heroku_run(&app("api", Some(procfile)), None, Some(&package), dir.path(), &[]);
        assert_eq!(job.start, None);
    }

    /// NPM_CONFIG_PRODUCTION / YARN_PRODUCTION / NODE_ENV from app.json change the
    /// install and skip the prune, as the buildpack does.
    #[test]
    fn build_settings_change_the_install_and_the_prune() {
        let package = json!({"scripts": {"build": "vite build"}});
        let npm = files(&[]);
        let set = |pairs: &[(&str, &str)]| -> Vec<(String, String)> {
            pairs.iter().map(|(n, v)| ((*n).to_owned(), (*v).to_owned())).collect()
        };
        let run = heroku_run(
            &app("", None),
            Some("web"),
            Some(&package),
            npm.path(),
            &set(&[("NPM_CONFIG_PRODUCTION", "true")]),
        );
        assert_eq!(run.install, ["npm install --production=true"]);
        assert_eq!(run.build, ["npm run build"]);
        assert!(run.env.contains(&("NPM_CONFIG_PRODUCTION".into(), "true".into())));
        let run = heroku_run(
            &app("", None),
            Some("web"),
            Some(&package),
            npm.path(),
            &set(&[("NODE_ENV", "staging")]),
        );
        assert_eq!(run.build, ["npm run build"], "no prune outside production");
        assert_eq!(run.env, set(&[("NODE_ENV", "staging")]));

        let pnpm = files(&["pnpm-lock.yaml", "pnpm-workspace.yaml"]);
        let run = heroku_run(&app("", None), Some("web"), Some(&package), pnpm.path(), &[]);
        assert_eq!(run.install, ["pnpm install --prod=false --frozen-lockfile"]);
        assert_eq!(run.build, ["pnpm run build", "pnpm install --prod --frozen-lockfile"]);
        let run = heroku_run(
            &app("", None),
            Some("web"),
            Some(&package),
            pnpm.path(),
            &set(&[("PNPM_SKIP_PRUNING", "true")]),
        );
        assert_eq!(run.build, ["pnpm run build"]);

        let berry = tempfile::tempdir().unwrap();
        std::fs::write(berry.path().join("yarn.lock"), "__metadata:\n  version: 8\n").unwrap();
        let run = heroku_run(
            &app("", None),
            Some("web"),
            Some(&package),
            berry.path(),
            &set(&[("YARN_PRODUCTION", "false")]),
        );
        assert_eq!(run.install, ["yarn install --immutable"]);
        assert_eq!(run.build, ["yarn run build"]);
    }

    /// Without a Procfile or a start script, Heroku's web process was `node server.js`
    /// when that file exists; with neither, nothing ran.
    #[test]
    fn without_a_procfile_the_default_web_process() {
        let package = json!({"scripts": {}});
        let dir = files(&["server.js"]);
        let run = heroku_run(&app("", None), Some("web"), Some(&package), dir.path(), &[]);
        assert_eq!(run.start.as_deref(), Some("node server.js"));
        assert!(run.build == ["npm prune"] && run.install == ["npm install --production=false"]);
        let bare = files(&[]);
        let run = heroku_run(&app("", None), Some("web"), Some(&package), bare.path(), &[]);
        assert_eq!(run.start, None);
    }
}
