//! What Code Capsules' build does for one Capsule, in its folder of the written tree:
//! pick Node, install by lockfile, build, start; each step logged to a file of its own.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use serde_json::Value;

use super::env::{Env, PLACEHOLDER_HOST};
use super::install::Manager;
use super::node::{DEFAULT_RANGE, Resolver};
use super::probe::{answers_http, free_port};
use super::report::Progress;
use super::run::{Ended, Group, POLL, Runner, interrupted};
use crate::capsules::{Capsule, CapsuleKind, EnvSource};

/// How long a worker or scheduler must keep running to pass.
const KEEPS_RUNNING: Duration = Duration::from_secs(5);

/// The three steps, as the table names them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Step {
    Install,
    Build,
    Start,
}

impl Step {
    pub const ALL: [Step; 3] = [Step::Install, Step::Build, Step::Start];

    pub fn name(self) -> &'static str {
        match self {
            Step::Install => "install",
            Step::Build => "build",
            Step::Start => "start",
        }
    }
}

/// How one step went.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Status {
    Passed(String),
    Failed(String),
    /// Not run because an earlier step failed.
    NotRun,
    /// Nothing to do for this Capsule (no build script, a static site's start).
    None(String),
}

/// What happens when the Capsule starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Role {
    /// Serves HTTP on PORT.
    Web,
    /// A background process: passes when still running after [`KEEPS_RUNNING`].
    Worker,
    /// The generated node-cron scheduler: keeps running and logs its schedule.
    Scheduler,
    /// Built once, served by Code Capsules: nothing starts.
    StaticSite,
}

impl Role {
    pub fn of(capsule: &Capsule) -> Role {
        match capsule.kind {
            CapsuleKind::Frontend => Role::StaticSite,
            _ if capsule.runs_scheduler() => Role::Scheduler,
            // A web process whose code never listens is started as the worker it is.
            _ if capsule.serves_http == Some(false) => Role::Worker,
            _ if capsule.heroku_process.as_deref() == Some("web") => Role::Web,
            _ => Role::Worker,
        }
    }
}

/// One Capsule's outcome.
#[derive(Debug, Clone)]
pub(crate) struct Outcome {
    pub capsule: String,
    pub node: Option<String>,
    /// Indexed like [`Step::ALL`].
    pub steps: [Status; 3],
    pub seconds: f64,
    /// The log of each step that ran, indexed like [`Step::ALL`].
    pub logs: [Option<PathBuf>; 3],
    /// The variables set to a placeholder verify made up, with their values.
    pub placeholders: Vec<(String, String)>,
}

impl Outcome {
    /// Nothing run yet.
    pub fn new(capsule: &str) -> Outcome {
        Outcome {
            capsule: capsule.to_owned(),
            node: None,
            steps: [Status::NotRun, Status::NotRun, Status::NotRun],
            seconds: 0.0,
            logs: [None, None, None],
            placeholders: Vec::new(),
        }
    }

    pub fn first_failure(&self) -> Option<(Step, &str)> {
        Step::ALL.iter().zip(&self.steps).find_map(|(step, status)| match status {
            Status::Failed(why) => Some((*step, why.as_str())),
            _ => None,
        })
    }

    pub fn status(&self, step: Step) -> &Status {
        &self.steps[step as usize]
    }
}

/// Where a Capsule's steps run and log.
pub(crate) struct Place<'a> {
    /// The written tree's root.
    pub root: &'a Path,
    pub logs: &'a Path,
    /// Added to log names (`-baseline`), so two runs share a log folder.
    pub suffix: &'a str,
}

/// Runs the steps of `capsule`, stopping at the first that fails.
pub(crate) fn verify_capsule(
    capsule: &Capsule,
    place: &Place,
    runner: &Runner,
    nodes: &mut Resolver,
    progress: &mut Progress,
) -> Outcome {
    let started = Instant::now();
    let mut outcome = Outcome::new(&capsule.name);
    if Role::of(capsule) == Role::StaticSite {
        // Shown as "-" even when an earlier step fails: nothing ever starts.
        outcome.steps[Step::Start as usize] = Status::None("served by Code Capsules".into());
    }
    let log = |step: Step| {
        place.logs.join(format!("{}-{}{}.log", capsule.name, step.name(), place.suffix))
    };
    let folder = capsule.folder.as_deref().unwrap_or("/").trim_start_matches('/');
    let dir = place.root.join(folder);
    let package = read_package_json(&dir);

    // Install, with Node picked first (its npm output goes to the install log).
    let install_log = log(Step::Install);
    outcome.logs[0] = Some(install_log.clone());
    let range = package
        .as_ref()
        .and_then(|p| p.pointer("/engines/node"))
        .and_then(Value::as_str)
        .unwrap_or(DEFAULT_RANGE)
        .to_owned();
    progress.begin(&capsule.name, &format!("finding Node for engines.node `{range}`"));
    let node = match !dir.is_dir() {
        true => Err(format!("the Capsule's folder /{folder} is not on the branch")),
        false => nodes.resolve(&range, runner, &install_log),
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
    let install = match &package {
        None => Status::None("no package.json".into()),
        Some(package) => {
            let manager = Manager::of(&dir, package);
            let command = manager.code_capsules_install();
            // Code Capsules' build puts the lockfile's package manager on PATH, so the
            // scripts and run command (`yarn prod`) find it; here it comes through npx.
            let shims = place.root.with_file_name(format!("bin-{}{}", capsule.name, place.suffix));
            match package_manager_shim(&manager, &shims) {
                Ok(true) => env.put_first_on_path(&shims),
                Ok(false) => {}
                Err(e) => {
                    let why = format!("cannot write {}: {e}", shims.display());
                    return finish(outcome, Step::Install, Status::Failed(why), started, progress);
                }
            }
            progress
                .begin(&capsule.name, &format!("install: {command}, with Node {}", node.label()));
            run_step(&command, &dir, &env, runner, &install_log)
        }
    };
    outcome = record(outcome, Step::Install, install, progress);
    if outcome.first_failure().is_some() {
        return done(outcome, started);
    }

    let build_log = log(Step::Build);
    let build = match &capsule.build_command {
        Some(command) if package.is_some() => {
            outcome.logs[1] = Some(build_log.clone());
            progress.begin(&capsule.name, &format!("build: {command}, with Node {}", node.label()));
            run_step(command, &dir, &env, runner, &build_log)
        }
        _ => Status::None("no build script".into()),
    };
    let build = match (Role::of(capsule), build) {
        (Role::StaticSite, Status::Passed(_) | Status::None(_)) => {
            check_site(capsule, &dir, &env).unwrap_or_else(Status::Failed)
        }
        (_, build) => build,
    };
    outcome = record(outcome, Step::Build, build, progress);
    if outcome.first_failure().is_some() {
        return done(outcome, started);
    }

    let role = Role::of(capsule);
    let start = match (role, capsule.run_command.as_deref()) {
        (Role::StaticSite, _) => Status::None("served by Code Capsules".into()),
        (_, None) => Status::None("no run command".into()),
        (role, Some(command)) => {
            let start_log = log(Step::Start);
            outcome.logs[2] = Some(start_log.clone());
            progress.begin(&capsule.name, &format!("start: {command}, with Node {}", node.label()));
            start(role, command, &dir, &env, runner, &start_log)
        }
    };
    outcome = record(outcome, Step::Start, start, progress);
    done(outcome, started)
}

pub(super) fn finish(
    outcome: Outcome,
    step: Step,
    status: Status,
    started: Instant,
    progress: &mut Progress,
) -> Outcome {
    done(record(outcome, step, status, progress), started)
}

pub(super) fn record(
    mut outcome: Outcome,
    step: Step,
    status: Status,
    progress: &mut Progress,
) -> Outcome {
    progress.end(&outcome.capsule, step, &status);
    outcome.steps[step as usize] = status;
    outcome
}

pub(super) fn done(mut outcome: Outcome, started: Instant) -> Outcome {
    outcome.seconds = started.elapsed().as_secs_f64();
    outcome
}

pub(super) fn read_package_json(dir: &Path) -> Option<Value> {
    let text = std::fs::read_to_string(dir.join("package.json")).ok()?;
    let value: Value = serde_json::from_str(text.trim_start_matches('\u{feff}')).ok()?;
    value.is_object().then_some(value)
}

/// For yarn or pnpm, which come through npx (`npx -y yarn@1.22.22`), writes into `dir` a
/// `yarn` (or `pnpm`) that runs that version the same way, and returns true; false for
/// npm, which comes with Node.
pub(super) fn package_manager_shim(manager: &Manager, dir: &Path) -> std::io::Result<bool> {
    if matches!(manager, Manager::Npm { .. }) {
        return Ok(false);
    }
    std::fs::create_dir_all(dir)?;
    let path = dir.join(manager.name());
    std::fs::write(&path, format!("#!/bin/sh\nexec {} \"$@\"\n", manager.program()))?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755))?;
    }
    Ok(true)
}

fn shell(command: &str, dir: &Path, env: &Env) -> Command {
    let mut sh = Command::new("sh");
    sh.arg("-c").arg(command).current_dir(dir);
    env.apply(&mut sh);
    sh
}

fn run_step(command: &str, dir: &Path, env: &Env, runner: &Runner, log: &Path) -> Status {
    let ended = runner.run(shell(command, dir, env), log);
    match ended {
        ended if ended.success() => Status::Passed(String::new()),
        ended => Status::Failed(format!("`{command}` {}", ended.describe())),
    }
}

/// `commands` one after the other into the same log, stopping at the first that fails.
pub(super) fn run_steps(
    commands: &[String],
    dir: &Path,
    env: &Env,
    runner: &Runner,
    log: &Path,
) -> Status {
    for command in commands {
        let status = run_step(command, dir, env, runner, log);
        if !matches!(status, Status::Passed(_)) {
            return status;
        }
    }
    Status::Passed(String::new())
}

/// A static site's output: `index.html` in the output folder and, when the Capsule
/// takes a backend URL, that URL in a file the page loads (or the page itself).
/// True when a source file of the site in `dir` (outside node_modules and the build
/// output `out`) names `var`: the bundler can only inline a variable the code reads, and
/// a generated config script names it too.
fn source_names(dir: &Path, out: &Path, var: &str) -> bool {
    const SOURCES: &[&str] =
        &["js", "jsx", "ts", "tsx", "mjs", "cjs", "vue", "svelte", "html", "json"];
    let walk = walkdir::WalkDir::new(dir).into_iter().filter_entry(|e| {
        e.file_name() != "node_modules" && e.file_name() != ".git" && e.path() != out
    });
    walk.flatten().filter(|e| e.file_type().is_file()).any(|e| {
        let wanted = e.path().extension().is_some_and(|x| SOURCES.iter().any(|s| x == *s));
        wanted
            && std::fs::read(e.path())
                .is_ok_and(|b| b.windows(var.len()).any(|w| w == var.as_bytes()))
    })
}

fn check_site(capsule: &Capsule, dir: &Path, env: &Env) -> Result<Status, String> {
    let output = capsule.output_folder.as_deref().unwrap_or(".");
    let out = dir.join(output);
    let index = out.join("index.html");
    let html = std::fs::read_to_string(&index)
        .map_err(|_| format!("the output folder `{output}` has no index.html after the build"))?;
    let url_vars: Vec<&str> = capsule
        .env
        .iter()
        .filter(|v| matches!(v.source, EnvSource::CapsuleUrl { .. }))
        .map(|v| v.name.as_str())
        .filter(|name| env.get(name) == Some(PLACEHOLDER_HOST))
        .collect();
    let Some(var) = url_vars.first() else {
        return Ok(Status::Passed(format!("{output}/index.html")));
    };
    if !source_names(dir, &out, var) {
        // A page that calls no backend (a starter page) needs no address: nothing to find.
        return Ok(Status::Passed(format!(
            "{output}/index.html (no source file names {var}: the page calls no backend yet)"
        )));
    }
    if html.contains(PLACEHOLDER_HOST) {
        return Ok(Status::Passed(format!("{var} is in {output}/index.html")));
    }
    for entry in walkdir::WalkDir::new(&out).into_iter().flatten() {
        if !entry.file_type().is_file() {
            continue;
        }
        let Ok(bytes) = std::fs::read(entry.path()) else { continue };
        if !bytes.windows(PLACEHOLDER_HOST.len()).any(|w| w == PLACEHOLDER_HOST.as_bytes()) {
            continue;
        }
        let Ok(rel) = entry.path().strip_prefix(&out) else { continue };
        let rel = rel.to_string_lossy().replace('\\', "/");
        if crate::edit::html::has_script(&html, &rel)
            || crate::edit::html::has_script(&html, &format!("/{rel}"))
        {
            return Ok(Status::Passed(format!("{output}/index.html loads {var} from {rel}")));
        }
        return Err(format!(
            "the build wrote {var} into {output}/{rel}, but {output}/index.html does not load it \
             with a <script src>"
        ));
    }
    Err(format!(
        "after the build with {var}={PLACEHOLDER_HOST}, no file in `{output}` holds that URL: \
         the page would not know the backend's address"
    ))
}

/// Starts the run command and watches it: a web process passes when something answers
/// HTTP on PORT, a worker or the scheduler when it is still running after a few seconds
/// (the scheduler must also have logged its schedule). The process group is stopped
/// either way.
pub(super) fn start(
    role: Role,
    command: &str,
    dir: &Path,
    env: &Env,
    runner: &Runner,
    log: &Path,
) -> Status {
    let port = match free_port() {
        Ok(port) => port,
        Err(e) => return Status::Failed(format!("no free port for PORT: {e}")),
    };
    let mut sh = shell(command, dir, env);
    sh.env("PORT", port.to_string());
    let mut group = match Group::spawn(sh, log, None) {
        Ok(group) => group,
        Err(why) => return Status::Failed(format!("`{command}` could not start: {why}")),
    };
    let started = Instant::now();
    let limit = match role {
        Role::Web => runner.timeout,
        _ => KEEPS_RUNNING.min(runner.timeout),
    };
    let status = loop {
        if let Some(status) = group.exited() {
            let when = match role {
                Role::Web => format!("before anything answered HTTP on PORT={port}"),
                _ => {
                    format!("after {:.1} s; it must keep running", started.elapsed().as_secs_f64())
                }
            };
            break Status::Failed(format!(
                "`{command}` {} {when}",
                Ended::Exited(status).describe()
            ));
        }
        if interrupted() {
            break Status::Failed(format!("`{command}` {}", Ended::Interrupted.describe()));
        }
        if role == Role::Web && answers_http(port) {
            let took = started.elapsed().as_secs_f64();
            break Status::Passed(format!("answered HTTP on PORT={port} after {took:.1} s"));
        }
        if started.elapsed() >= limit {
            break match role {
                Role::Web => Status::Failed(format!(
                    "nothing answered HTTP on PORT={port} within {} s (does it listen on \
                     process.env.PORT?)",
                    limit.as_secs()
                )),
                _ => Status::Passed(format!("still running after {} s", limit.as_secs())),
            };
        }
        std::thread::sleep(POLL * 4);
    };
    group.stop();
    match (role, status) {
        (Role::Scheduler, Status::Passed(detail)) => {
            let text = std::fs::read_to_string(log).unwrap_or_default();
            let scheduled = text
                .lines()
                .filter(|l| l.starts_with("[scheduler]") && l.contains(" scheduled: "))
                .count();
            if scheduled == 0 {
                Status::Failed("the scheduler kept running but logged no `[scheduler] job ... scheduled:` line".into())
            } else {
                Status::Passed(format!("{detail}, {scheduled} job(s) scheduled"))
            }
        }
        (_, status) => status,
    }
}

#[cfg(test)]
mod tests {
    use super::super::env::PLACEHOLDER;
    use super::super::node::Node;
    use super::*;
    use crate::capsules::CapsuleEnv;

    /// Only the site's own sources count: not its dependencies, not the build output.
    #[test]
    fn a_site_names_its_backend_variable_only_in_its_sources() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path();
        let write = |path: &str, text: &str| {
            let path = dir.join(path);
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(path, text).unwrap();
        };
        write("src/App.jsx", "export default () => <p>Hello</p>;\n");
        write("node_modules/x/index.js", "process.env.REACT_APP_BACKEND_URL\n");
        write("build/static/main.js", "REACT_APP_BACKEND_URL\n");
        let out = dir.join("build");
        assert!(!source_names(dir, &out, "REACT_APP_BACKEND_URL"));
        write("src/api.js", "fetch(process.env.REACT_APP_BACKEND_URL + '/items');\n");
        assert!(source_names(dir, &out, "REACT_APP_BACKEND_URL"));
        assert!(!source_names(dir, &out, "VITE_BACKEND_URL"));
    }

    /// `yarn prod` must find the yarn the install used: the shim hands its arguments to
    /// npx with the same package (a stand-in `npx` here prints what it was given).
    #[cfg(unix)]
    #[test]
    fn the_install_package_manager_is_on_path_for_later_steps() {
        let tmp = tempfile::tempdir().unwrap();
        let fake = tmp.path().join("fake");
        std::fs::create_dir(&fake).unwrap();
        std::fs::write(fake.join("npx"), "#!/bin/sh\necho \"npx $*\"\n").unwrap();
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(fake.join("npx"), std::fs::Permissions::from_mode(0o755)).unwrap();
        let cases = [
            (Manager::Yarn1("1.22.22".into()), "yarn", "npx -y yarn@1.22.22 prod"),
            (Manager::Berry("4".into()), "yarn", "npx -y @yarnpkg/cli-dist@4 prod"),
            (Manager::Pnpm("9".into()), "pnpm", "npx -y pnpm@9 prod"),
        ];
        for (i, (manager, program, expected)) in cases.into_iter().enumerate() {
            let shims = tmp.path().join(format!("bin-{i}"));
            assert!(package_manager_shim(&manager, &shims).unwrap(), "{manager:?}");
            let path = format!("{}:/usr/bin:/bin", fake.display());
            let mut env = Env { vars: vec![("PATH".into(), path)], placeholders: Vec::new() };
            env.put_first_on_path(&shims);
            let out = shell(&format!("{program} prod"), tmp.path(), &env).output().unwrap();
            assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), expected, "{manager:?}");
        }
        for locked in [true, false] {
            let npm = Manager::Npm { locked };
            assert!(!package_manager_shim(&npm, &tmp.path().join("npm")).unwrap());
        }
        assert!(!tmp.path().join("npm").exists());
    }

    #[test]
    fn every_listed_variable_is_set_but_those_heroku_itself_set() {
        let var = |name: &str, source: EnvSource| CapsuleEnv::new(name, source);
        let capsule = Capsule {
            name: "api".into(),
            kind: CapsuleKind::Backend,
            app: Some(".".into()),
            replaces: "web: node server.js".into(),
            folder: Some("/".into()),
            build_command: None,
            run_command: Some("npm start".into()),
            output_folder: None,
            replicas: Some(1),
            heroku_process: Some("web".into()),
            heroku_size: None,
            serves_http: None,
            env_scope: Default::default(),
            env: vec![
                var("SESSION_SECRET", EnvSource::AppJson { secret: true }),
                var("HEROKU_APP_NAME", EnvSource::Heroku),
                var("NPM_CONFIG_PRODUCTION", EnvSource::HerokuBuild),
                var("API_TOKEN", EnvSource::Code),
            ],
            notes: Vec::new(),
        };
        let node = Node {
            version: "24.1.0".parse().unwrap(),
            bin_dir: Some("/cache/24.1.0/bin".into()),
            origin: super::super::node::Origin::Cached,
        };
        let env = Env::for_capsule(&capsule, &node, Path::new("/nonexistent"));
        assert_eq!(env.get("SESSION_SECRET"), Some(PLACEHOLDER));
        assert_eq!(env.get("API_TOKEN"), Some(PLACEHOLDER));
        assert_eq!(env.get("HEROKU_APP_NAME"), None);
        assert_eq!(env.get("NPM_CONFIG_PRODUCTION"), None);
        assert!(env.get("PATH").is_some_and(|p| p.starts_with("/cache/24.1.0/bin:")));

        // A web process whose code never listens is started as the worker it is; one that
        // listens, or whose code could not be judged, must answer HTTP.
        assert_eq!(Role::of(&capsule), Role::Web);
        let bot = Capsule { serves_http: Some(false), ..capsule.clone() };
        assert_eq!(Role::of(&bot), Role::Worker);
        let server = Capsule { serves_http: Some(true), ..capsule };
        assert_eq!(Role::of(&server), Role::Web);
    }
}
