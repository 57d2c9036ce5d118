//! Node.js for the tests that run generated JavaScript: real npm packages (node-cron 4,
//! playwright-core 1) installed once into a shared folder, and `node --check`.

use std::collections::BTreeMap;
use std::fs::{self, File};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Output, Stdio};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// Set by CI to a folder where `npm install --prefix <dir> node-cron@4 playwright-core@1`
/// already ran.
const MODULES_ENV: &str = "CAPSULE_MIGRATE_NODE_MODULES";

/// npm can stall on a dead network; a test run must not.
const INSTALL_TIMEOUT: Duration = Duration::from_secs(180);

/// A folder holding `node_modules/node-cron` (major version 4).
pub fn node_cron_modules() -> PathBuf {
    node_modules_with("node-cron", 4)
}

/// A folder holding `node_modules/<package>` at major version `major`. Installed with npm
/// at most once per test run into a shared folder, unless `CAPSULE_MIGRATE_NODE_MODULES`
/// names one (which must then hold it already).
pub fn node_modules_with(package: &str, major: u32) -> PathBuf {
    // Held while installing, so tests in this binary that need the same folder wait for
    // one npm run instead of starting their own.
    static READY: Mutex<BTreeMap<String, PathBuf>> = Mutex::new(BTreeMap::new());
    let spec = format!("{package}@{major}");
    let mut ready = READY.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    if let Some(dir) = ready.get(&spec) {
        return dir.clone();
    }
    let dir = match std::env::var_os(MODULES_ENV) {
        Some(dir) => {
            let dir = PathBuf::from(dir);
            assert!(
                has_package(&dir, package, &major.to_string()),
                "{MODULES_ENV}={} has no node_modules/{package} {major}.x: run \
                 `npm install --prefix {0} {spec}`",
                dir.display()
            );
            dir
        }
        None => install(&default_dir(), package, &major.to_string()),
    };
    ready.insert(spec, dir.clone());
    dir
}

/// Set by CI to a folder where `npm install --prefix <dir> yarn@1 pnpm@9` already ran.
const MANAGERS_ENV: &str = "CAPSULE_MIGRATE_PACKAGE_MANAGERS";

/// The command that runs a package manager installed from npm: `yarn` (1.x), `pnpm`
/// (9.x) or `yarn-berry` (yarn 4.x, npm's `@yarnpkg/cli-dist`), as `node <its entry
/// script>`. Installed at most once into a cache folder under
/// `target/`, unless `CAPSULE_MIGRATE_PACKAGE_MANAGERS` names a folder that has it.
pub fn package_manager(name: &str) -> Command {
    // yarn 4 exactly: a later 4.x rewrites the lockfile's `__metadata` version, which
    // `--immutable` refuses.
    let (package, major, script) = match name {
        "yarn" => ("yarn", "1", "bin/yarn.js"),
        "pnpm" => ("pnpm", "9", "bin/pnpm.cjs"),
        "yarn-berry" => ("@yarnpkg/cli-dist", "4.11.0", "bin/yarn.js"),
        other => panic!("no package manager {other}"),
    };
    let name = package;
    static LOCK: Mutex<()> = Mutex::new(());
    let guard = LOCK.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
    let dir = match std::env::var_os(MANAGERS_ENV) {
        Some(dir) => PathBuf::from(dir),
        None => {
            let base = option_env!("CARGO_TARGET_TMPDIR").unwrap_or("target");
            install(&Path::new(base).join("package-managers"), name, major)
        }
    };
    drop(guard);
    assert!(
        has_package(&dir, name, major),
        "{} has no node_modules/{name} {major}.x: run `npm install --prefix {0} {name}@{major}`",
        dir.display()
    );
    let mut command = Command::new("node");
    command.arg(dir.join("node_modules").join(name).join(script));
    command
}

fn default_dir() -> PathBuf {
    let base = option_env!("CARGO_TARGET_TMPDIR").unwrap_or("target");
    Path::new(base).join("node-deps")
}

/// Installs `package@version` (a major, or an exact version) into `dir` unless it is
/// already there. An exclusive lock on a
/// file beside `dir` keeps concurrent test binaries from running npm into the same
/// folder at once. npm records each package in `dir/package.json`, so installing one
/// keeps the others.
fn install(dir: &Path, package: &str, major: &str) -> PathBuf {
    fs::create_dir_all(dir).expect("create the node-deps folder");
    let lock_path = dir.with_extension("lock");
    let lock = File::create(&lock_path).expect("create the node-deps lock file");
    lock.lock().expect("lock the node-deps lock file");
    if !has_package(dir, package, major) {
        let spec = format!("{package}@{major}");
        let mut command = Command::new("npm");
        command.args(["install", "--no-audit", "--no-fund", "--prefix"]).arg(dir).arg(&spec);
        let output = output_within(command, INSTALL_TIMEOUT);
        assert!(
            output.status.success() && has_package(dir, package, major),
            "npm install {spec} into {} failed ({}); set {MODULES_ENV} to a folder where \
             it is installed.\nstdout:\n{}\nstderr:\n{}",
            dir.display(),
            output.status,
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr),
        );
    }
    drop(lock);
    dir.to_path_buf()
}

fn has_package(dir: &Path, package: &str, major: &str) -> bool {
    let manifest = dir.join("node_modules").join(package).join("package.json");
    let Ok(text) = fs::read_to_string(manifest) else {
        return false;
    };
    let Ok(json) = serde_json::from_str::<serde_json::Value>(&text) else {
        return false;
    };
    json["version"].as_str().is_some_and(|v| v == major || v.starts_with(&format!("{major}.")))
}

/// Makes `node-cron` importable from files in `app_dir` (both `import` and `require`
/// resolve through a `node_modules` folder next to the file; NODE_PATH does not work
/// for `import`).
pub fn link_node_modules(app_dir: &Path) {
    let modules = node_cron_modules().join("node_modules");
    let modules = modules.canonicalize().expect("node_modules exists");
    std::os::unix::fs::symlink(&modules, app_dir.join("node_modules"))
        .expect("symlink node_modules into the app folder");
}

/// Asserts that `node --check` accepts the file at `path`.
pub fn node_check(path: &Path) {
    let mut command = Command::new("node");
    command.arg("--check").arg(path);
    let output = output_within(command, Duration::from_secs(30));
    assert!(
        output.status.success(),
        "node --check {} failed ({}):\n{}",
        path.display(),
        output.status,
        String::from_utf8_lossy(&output.stderr)
    );
}

/// Waits for `child` at most `timeout`, killing it past that, and returns its exit
/// status; panics on timeout so a stuck process fails the test instead of hanging it.
pub fn wait_within(child: &mut Child, timeout: Duration) -> ExitStatus {
    let deadline = Instant::now() + timeout;
    loop {
        if let Some(status) = child.try_wait().expect("poll the child process") {
            return status;
        }
        if Instant::now() >= deadline {
            let _ = child.kill();
            let _ = child.wait();
            panic!("process {} still running after {timeout:?}: killed it", child.id());
        }
        std::thread::sleep(Duration::from_millis(20));
    }
}

/// Runs `command` like `Command::output`, with a bound: past `timeout` the process is
/// killed and the test fails. Output is read on threads so a chatty process cannot block
/// on a full pipe while we wait.
pub fn output_within(mut command: Command, timeout: Duration) -> Output {
    let program = command.get_program().to_string_lossy().into_owned();
    let mut child = command
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|error| panic!("run {program} (is it installed?): {error}"));
    let stdout = child.stdout.take().map(read_on_thread);
    let stderr = child.stderr.take().map(read_on_thread);
    let status = wait_within(&mut child, timeout);
    let collect = |h: Option<std::thread::JoinHandle<Vec<u8>>>| {
        h.map(|h| h.join().expect("reader thread")).unwrap_or_default()
    };
    Output { status, stdout: collect(stdout), stderr: collect(stderr) }
}

fn read_on_thread(
    mut pipe: impl std::io::Read + Send + 'static,
) -> std::thread::JoinHandle<Vec<u8>> {
    std::thread::spawn(move || {
        let mut bytes = Vec::new();
        let _ = pipe.read_to_end(&mut bytes);
        bytes
    })
}
