//! `verify` on migrated fixtures (`fixtures/verify/<case>/in`): each case is committed to
//! a temporary repository, migrated with `apply`, then verified by the real binary, which
//! installs, builds and starts the Capsules with the Node their engines.node asks for
//! (Node 24 after the migration, fetched from the npm registry into a cache under
//! `target/` once). The repository must be byte-for-byte unchanged afterwards.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader};
use std::os::unix::fs::PermissionsExt as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

use super::support::repo::TempRepo;

fn case_dir(case: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/verify").join(case)
}

/// The binary with git isolated and the Node cache under `target/` (unless the caller's
/// environment names one), so a test run fetches a Node at most once.
fn command(repo: &Path, args: &[&str]) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_capsule-migrate"));
    cmd.args(args).current_dir(repo);
    isolate(&mut cmd);
    cmd
}

fn isolate(cmd: &mut Command) {
    super::support::repo::isolate(cmd);
    if std::env::var_os("CAPSULE_MIGRATE_CACHE").is_none() {
        let target = option_env!("CARGO_TARGET_TMPDIR").unwrap_or("target");
        cmd.env("CAPSULE_MIGRATE_CACHE", Path::new(target).join("verify-cache"));
    }
}

fn jobs_args(case: &str) -> Vec<String> {
    let jobs = case_dir(case).join("jobs.toml");
    match jobs.is_file() {
        true => vec!["--jobs".into(), jobs.display().to_string()],
        false => Vec::new(),
    }
}

/// The case committed and migrated with `apply`.
fn migrated(case: &str) -> TempRepo {
    migrated_with(case, &[])
}

/// The case migrated with `apply` and these options too.
fn migrated_with(case: &str, options: &[&str]) -> TempRepo {
    let repo = TempRepo::with_tree(&case_dir(case).join("in"));
    let mut args = vec!["apply", "."];
    let jobs = jobs_args(case);
    args.extend(jobs.iter().map(String::as_str));
    args.extend(options);
    let out = command(&repo.path, &args).output().expect("apply runs");
    assert!(out.status.success(), "apply failed: {}", String::from_utf8_lossy(&out.stderr));
    repo
}

/// Every file below `dir` (the `.git` folder included) with its mode and bytes, and
/// every folder.
fn snapshot(dir: &Path) -> BTreeMap<PathBuf, (u32, Vec<u8>)> {
    let mut files = BTreeMap::new();
    for entry in walkdir::WalkDir::new(dir) {
        let entry = entry.expect("walk");
        let meta = entry.path().symlink_metadata().expect("metadata");
        let bytes =
            if meta.is_file() { std::fs::read(entry.path()).expect("read") } else { Vec::new() };
        files.insert(entry.path().to_owned(), (meta.permissions().mode(), bytes));
    }
    files
}

/// `verify` on the migrated `case`; asserts that the repository did not change.
fn verify(case: &str, extra: &[&str]) -> (Output, String, String) {
    verify_repo(&migrated(case), case, extra)
}

/// A commit on the migration branch, as a user fixing it by hand would make.
fn commit_on_branch(repo: &TempRepo, path: &str, content: &str, message: &str) {
    repo.git(&["checkout", "-q", "code-capsules-migration"]);
    repo.write(path, content);
    repo.commit_all(message);
    repo.git(&["checkout", "-q", "main"]);
}

fn verify_repo(repo: &TempRepo, case: &str, extra: &[&str]) -> (Output, String, String) {
    let before = snapshot(&repo.path);
    let mut args = vec!["verify", "."];
    let jobs = jobs_args(case);
    args.extend(jobs.iter().map(String::as_str));
    args.extend(extra);
    let out = command(&repo.path, &args).output().expect("verify runs");
    assert!(before == snapshot(&repo.path), "verify changed the repository");
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    (out, stdout, stderr)
}

/// The table row of `capsule`, split into cells.
fn row<'a>(stdout: &'a str, capsule: &str) -> Vec<&'a str> {
    let line = stdout
        .lines()
        .find(|l| l.split_whitespace().next() == Some(capsule))
        .unwrap_or_else(|| panic!("no row for {capsule} in:\n{stdout}"));
    // Cells are separated by two spaces or more; "24.11.1 (fetched)" is one cell.
    line.trim().split("  ").map(str::trim).filter(|c| !c.is_empty()).collect()
}

fn local_node_major() -> Option<String> {
    let out = Command::new("node").arg("--version").output().ok()?;
    let text = String::from_utf8(out.stdout).ok()?;
    Some(text.trim().trim_start_matches('v').split('.').next()?.to_owned())
}

#[test]
fn verify_passes_a_full_stack_without_dependencies_on_the_pinned_node() {
    // A major other than the machine's (Node 20 here), so verify must fetch it from the
    // registry (or find it in the cache of an earlier run).
    let local = local_node_major().expect("node is installed");
    let pin = if local == "24" { "22" } else { "24" };
    let repo = migrated_with("full-stack", &["--node", pin]);
    let (out, stdout, stderr) = verify_repo(&repo, "full-stack", &["--node", pin]);
    assert_eq!(out.status.code(), Some(0), "stdout:\n{stdout}\nstderr:\n{stderr}");
    assert!(!stderr.contains("differs from what these options plan"), "{stderr}");
    assert_eq!(row(&stdout, "acme-api")[2..5], ["ok", "-", "ok"], "{stdout}");
    // api has a package-lock.json: the frozen install.
    assert!(stderr.contains(&format!("acme-api: install: npm ci, with Node {pin}.")), "{stderr}");
    assert_eq!(row(&stdout, "acme-api-worker")[2..5], ["ok", "-", "ok"], "{stdout}");
    assert_eq!(row(&stdout, "acme-web")[2..5], ["ok", "ok", "-"], "{stdout}");
    for capsule in ["acme-api", "acme-api-worker", "acme-web"] {
        let node = row(&stdout, capsule)[1];
        assert!(node.starts_with(&format!("{pin}.")), "{stdout}");
        assert!(node.ends_with("(fetched)") || node.ends_with("(cached)"), "{node}");
    }
    assert!(stderr.contains("acme-api: start ok: answered HTTP on PORT="), "{stderr}");
    assert!(stderr.contains("acme-api-worker: start ok: still running after 5 s"), "{stderr}");
    assert!(
        stderr.contains("acme-web: build ok: public/index.html loads BACKEND_URL from config.js"),
        "{stderr}"
    );
    assert!(stdout.contains("Logs removed"), "{stdout}");
    assert!(stdout.ends_with("verify: every Capsule built and started.\n"), "{stdout}");
}

#[test]
fn verify_names_the_capsule_and_build_when_the_build_fails_and_says_it_was_there_before() {
    let (out, stdout, stderr) = verify("build-fails", &["--baseline"]);
    assert_eq!(out.status.code(), Some(1), "stdout:\n{stdout}\nstderr:\n{stderr}");
    assert_eq!(
        row(&stdout, "broken-build")[2..5],
        ["ok", "FAILED (existing)", "not run"],
        "{stdout}"
    );
    assert!(
        stdout.contains("broken-build failed at build (existing: what Heroku ran on the commit the branch is based on fails this step too): `npm run build` exited with status 2"),
        "{stdout}"
    );
    // The end of the build's log, with the script's own message.
    assert!(stdout.contains("    build.js: src/missing.ts not found\n"), "{stdout}");
    let logs = kept_logs(&stdout);
    assert!(
        logs.join("broken-build-build.log").is_file()
            && logs.join("broken-build-build-baseline.log").is_file()
    );
    std::fs::remove_dir_all(logs).unwrap();
}

#[test]
fn verify_fails_start_when_the_web_process_does_not_listen_on_port() {
    // The limit is per step: long enough for a loaded machine's `npm install`.
    let (out, stdout, stderr) = verify("wrong-port", &["--timeout", "10"]);
    assert_eq!(out.status.code(), Some(1), "stdout:\n{stdout}\nstderr:\n{stderr}");
    assert_eq!(row(&stdout, "fixed-port")[2..5], ["ok", "-", "FAILED"], "{stdout}");
    assert!(
        stdout.contains("fixed-port failed at start: nothing answered HTTP on PORT="),
        "{stdout}"
    );
    assert!(stdout.contains("within 10 s"), "{stdout}");
    assert!(stdout.contains(", not on PORT\n"), "the server's own log line: {stdout}");
    // The server was stopped, and the written files removed.
    let scratch = scratch_of(&stderr);
    assert!(!scratch.exists(), "{} is still there", scratch.display());
    assert_eq!(processes_in(&scratch), Vec::<u32>::new(), "processes left running");
    std::fs::remove_dir_all(kept_logs(&stdout)).unwrap();
}

#[test]
fn verify_runs_the_generated_scheduler_with_node_cron_from_the_registry() {
    let (out, stdout, stderr) = verify("scheduler", &["--keep"]);
    assert_eq!(out.status.code(), Some(0), "stdout:\n{stdout}\nstderr:\n{stderr}");
    assert_eq!(row(&stdout, "reports")[2..5], ["ok", "-", "ok"], "{stdout}");
    assert!(
        stderr.contains("reports: start ok: still running after 5 s, 1 job(s) scheduled"),
        "{stderr}"
    );
    let logs = kept_logs(&stdout);
    let start = std::fs::read_to_string(logs.join("reports-start.log")).unwrap();
    assert!(start.contains("[scheduler] job \"report\" scheduled: \"30 6 * * *\" UTC"), "{start}");
    // node-cron came from the registry into the written branch, not from the repository.
    let tree = kept_tree(&stdout);
    let cron: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(tree.join("branch/node_modules/node-cron/package.json")).unwrap(),
    )
    .unwrap();
    assert!(cron["version"].as_str().unwrap().starts_with("4."), "{cron}");
    std::fs::remove_dir_all(logs).unwrap();
    std::fs::remove_dir_all(tree).unwrap();
}

/// The migration pins Node 20 (`--node 20`) where the base had no `engines.node`: Heroku
/// built the base with its default, Node 24, which the build needs.
#[test]
fn verify_with_baseline_marks_a_failure_the_node_pin_caused_as_new() {
    let repo = migrated_with("node-major", &["--node", "20"]);
    let (out, stdout, stderr) = verify_repo(&repo, "node-major", &["--baseline", "--node", "20"]);
    assert_eq!(out.status.code(), Some(1), "stdout:\n{stdout}\nstderr:\n{stderr}");
    assert_eq!(row(&stdout, "old-node")[2..5], ["ok", "FAILED (new)", "not run"], "{stdout}");
    assert!(stdout.contains("needs Node 24, not v20."), "{stdout}");
    assert!(stderr.contains("old-node: Heroku's Node for engines.node `24.x`"), "{stderr}");
    assert!(stderr.contains("old-node: Heroku's build: npm run build, then npm prune"), "{stderr}");
    std::fs::remove_dir_all(kept_logs(&stdout)).unwrap();
}

/// devconnector's shape: the base builds with `heroku-postbuild` (no `build` script),
/// after `heroku-prebuild` wrote a file the build reads. The branch's build (Code
/// Capsules runs no prebuild) fails: new. The baseline ran `npm run build` on the base,
/// found no such script and called the failure existing.
#[test]
fn verify_with_baseline_runs_herokus_hooks_and_marks_a_dropped_prebuild_as_new() {
    let (out, stdout, stderr) = verify("heroku-hooks", &["--baseline"]);
    assert_eq!(out.status.code(), Some(1), "stdout:\n{stdout}\nstderr:\n{stderr}");
    assert_eq!(row(&stdout, "hooked")[2..5], ["ok", "FAILED (new)", "not run"], "{stdout}");
    assert!(stdout.contains("build.js: settings.generated.json is missing"), "{stdout}");
    assert!(
        stderr.contains(
            "hooked: Heroku's install: npm run heroku-prebuild, then npm install --production=false"
        ),
        "{stderr}"
    );
    assert!(
        stderr.contains(
            "hooked: Heroku's build: npm run heroku-postbuild, then npm prune, then npm run heroku-cleanup"
        ),
        "{stderr}"
    );
    let logs = kept_logs(&stdout);
    let base_build = std::fs::read_to_string(logs.join("hooked-build-baseline.log")).unwrap();
    assert!(base_build.contains("build.js: wrote public/built.txt"), "{base_build}");
    assert!(base_build.contains("cleanup.js: done"), "{base_build}");
    std::fs::remove_dir_all(logs).unwrap();
}

/// The same shape in a yarn 1 workspace: Heroku ran yarn at the root (prebuild, install
/// with devDependencies and without engine checks, postbuild, the production reinstall
/// that prunes) and the Procfile's `yarn workspace` command.
#[test]
fn verify_with_baseline_runs_herokus_yarn_steps_at_a_workspace_root() {
    let (out, stdout, stderr) = verify("yarn-workspace-hooks", &["--baseline"]);
    assert_eq!(out.status.code(), Some(1), "stdout:\n{stdout}\nstderr:\n{stderr}");
    assert_eq!(row(&stdout, "crew")[2..5], ["ok", "FAILED (new)", "not run"], "{stdout}");
    assert!(stdout.contains("build.js: settings.generated.json is missing"), "{stdout}");
    assert!(
        stderr.contains(
            "crew: Heroku's install: yarn run heroku-prebuild, then yarn install \
             --production=false --frozen-lockfile --ignore-engines"
        ),
        "{stderr}"
    );
    assert!(
        stderr.contains(
            "crew: Heroku's build: yarn run heroku-postbuild, then yarn install \
             --frozen-lockfile --ignore-engines --ignore-scripts --prefer-offline"
        ),
        "{stderr}"
    );
    let logs = kept_logs(&stdout);
    let base_build = std::fs::read_to_string(logs.join("crew-build-baseline.log")).unwrap();
    assert!(base_build.contains("build.js: wrote built.txt"), "{base_build}");
    std::fs::remove_dir_all(logs).unwrap();
}

/// Placeholders a logger, a URL parser or a number check accepts (devconnector's pino
/// refused `LOG_LEVEL=capsule-migrate-verify-placeholder`), a value from `.env.example`
/// where it has the right shape, and a failure caused by a made-up value labelled so.
#[test]
fn verify_gives_placeholders_the_shape_of_their_name_and_labels_a_failure_they_cause() {
    let (out, stdout, stderr) = verify("placeholder-shapes", &[]);
    assert_eq!(out.status.code(), Some(1), "stdout:\n{stdout}\nstderr:\n{stderr}");
    assert_eq!(row(&stdout, "shapes")[2..5], ["ok", "-", "ok"], "{stdout}");
    assert_eq!(
        row(&stdout, "shapes-worker")[2..5],
        ["ok", "-", "FAILED (placeholder?)"],
        "{stdout}"
    );
    assert!(
        stdout.contains(
            "  placeholder?: the log points at STRIPE_MODE=capsule-migrate-verify-placeholder, \
             which verify made up"
        ),
        "{stdout}"
    );
    std::fs::remove_dir_all(kept_logs(&stdout)).unwrap();
}

#[test]
fn verify_runs_a_fix_committed_on_the_branch_and_says_the_branch_differs_from_its_plan() {
    let repo = migrated("wrong-port");
    let server =
        "require(\"http\").createServer((req, res) => res.end(\"ok\")).listen(process.env.PORT);\n";
    commit_on_branch(&repo, "server.js", server, "Listen on PORT");
    let (out, stdout, stderr) = verify_repo(&repo, "wrong-port", &["--timeout", "20"]);
    assert_eq!(out.status.code(), Some(0), "stdout:\n{stdout}\nstderr:\n{stderr}");
    assert_eq!(row(&stdout, "fixed-port")[2..5], ["ok", "-", "ok"], "{stdout}");
    assert!(
        stderr.contains(
            "warning: branch `code-capsules-migration` (1 commit(s) follow the migration commit) \
             differs from what these options plan for its base commit"
        ),
        "{stderr}"
    );
    assert!(
        stderr.contains(" in 1 file(s): server.js. verify runs the branch's files as they are"),
        "{stderr}"
    );
}

#[test]
fn verify_fails_a_static_site_whose_page_does_not_load_the_backend_url() {
    let repo = migrated("full-stack");
    let page =
        std::fs::read_to_string(case_dir("full-stack").join("in/web/public/index.html")).unwrap();
    // The branch's page as the migration wrote it, minus the config script: put back
    // the original page, which loads only app.js.
    commit_on_branch(&repo, "web/public/index.html", &page, "Drop config.js");
    let (out, stdout, stderr) = verify_repo(&repo, "full-stack", &["--capsule", "acme-web"]);
    assert_eq!(out.status.code(), Some(1), "stdout:\n{stdout}\nstderr:\n{stderr}");
    assert_eq!(row(&stdout, "acme-web")[2..5], ["ok", "FAILED", "-"], "{stdout}");
    assert!(
        stdout.contains(
            "acme-web failed at build: the build wrote BACKEND_URL into public/config.js, but \
             public/index.html does not load it with a <script src>"
        ),
        "{stdout}"
    );
    // Only the Capsule asked for ran.
    assert!(!stdout.contains("acme-api"), "{stdout}");
    std::fs::remove_dir_all(kept_logs(&stdout)).unwrap();
}

#[test]
fn verify_installs_by_each_lockfile_with_its_package_manager() {
    let (out, stdout, stderr) = verify("lockfiles", &[]);
    assert_eq!(out.status.code(), Some(0), "stdout:\n{stdout}\nstderr:\n{stderr}");
    for (capsule, install) in [
        ("pnpm-api", "npx -y pnpm@9 install --frozen-lockfile"),
        ("yarn1-api", "npx -y yarn@1.22.22 install --frozen-lockfile"),
        ("yarn4-api", "npx -y @yarnpkg/cli-dist@4.5.3 install --immutable"),
    ] {
        assert_eq!(row(&stdout, capsule)[2..5], ["ok", "-", "ok"], "{stdout}");
        assert!(
            stderr.contains(&format!("{capsule}: install: {install}, with Node 24.")),
            "{stderr}"
        );
    }
}

/// The issue's own example of an existing failure: package-lock.json was already out of
/// step with package.json, so `npm ci` refuses it on the base commit as on the branch.
#[test]
fn verify_with_baseline_marks_a_stale_lockfile_as_existing() {
    let (out, stdout, stderr) = verify("stale-lockfile", &["--baseline"]);
    assert_eq!(out.status.code(), Some(1), "stdout:\n{stdout}\nstderr:\n{stderr}");
    assert_eq!(
        row(&stdout, "stale-lock")[2..5],
        ["FAILED (existing)", "not run", "not run"],
        "{stdout}"
    );
    assert!(stdout.contains("stale-lock failed at install (existing: "), "{stdout}");
    assert!(stdout.contains("`npm ci` exited with status 1"), "{stdout}");
    assert!(stdout.contains("in sync"), "npm's own words in the log's tail: {stdout}");
    std::fs::remove_dir_all(kept_logs(&stdout)).unwrap();
}

#[test]
fn verify_without_the_branch_is_bad_input() {
    let repo = TempRepo::with_tree(&case_dir("wrong-port").join("in"));
    let before = snapshot(&repo.path);
    let out = command(&repo.path, &["verify", "."]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("there is no branch `code-capsules-migration` to verify; create it with `capsule-migrate apply`"),
        "{stderr}"
    );
    // A plain folder has no branch either.
    let plain = tempfile::tempdir().unwrap();
    let out = command(plain.path(), &["verify", "."]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains(": not a git repository; `verify` checks the branch"), "{stderr}");
    let out = command(&repo.path, &["verify", ".", "--branch", "bad..name"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("`bad..name` is not a valid branch name")
    );
    assert!(before == snapshot(&repo.path));
}

#[test]
fn verify_refuses_a_capsule_the_plan_does_not_have() {
    let repo = migrated("wrong-port");
    let out = command(&repo.path, &["verify", ".", "--capsule", "nope"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("the plan has no Capsule `nope`; its Capsules are fixed-port"),
        "{stderr}"
    );
}

/// Ctrl-C while a web process runs: verify stops it and everything it started, removes
/// its temporary folder and exits with 130.
#[test]
fn verify_interrupted_stops_every_child_and_removes_its_folder() {
    let repo = migrated("wrong-port");
    let before = snapshot(&repo.path);
    let mut child = command(&repo.path, &["verify", ".", "--timeout", "120"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stderr.take().unwrap()).lines();
    let mut seen = String::new();
    for line in lines.by_ref() {
        let line = line.unwrap();
        seen.push_str(&line);
        seen.push('\n');
        if line.starts_with("fixed-port: start:") {
            break;
        }
    }
    let scratch = scratch_of(&seen);
    // Wait for the server itself, a grandchild of verify, to run in the folder.
    let deadline = Instant::now() + Duration::from_secs(30);
    while processes_in(&scratch).is_empty() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(100));
    }
    assert!(!processes_in(&scratch).is_empty(), "no process runs in {}", scratch.display());
    nix::sys::signal::kill(
        nix::unistd::Pid::from_raw(child.id() as i32),
        nix::sys::signal::Signal::SIGINT,
    )
    .unwrap();
    let deadline = Instant::now() + Duration::from_secs(20);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        assert!(Instant::now() < deadline, "verify did not stop after Ctrl-C");
        std::thread::sleep(Duration::from_millis(50));
    };
    assert_eq!(status.code(), Some(130));
    assert!(!scratch.exists(), "{} is still there", scratch.display());
    assert_eq!(processes_in(&scratch), Vec::<u32>::new(), "processes left running");
    assert!(before == snapshot(&repo.path));
}

/// The temporary folder verify names in its progress ("Verifying branch ... in DIR/branch").
fn scratch_of(progress: &str) -> PathBuf {
    let line = progress
        .lines()
        .find(|l| l.starts_with("Verifying branch "))
        .unwrap_or_else(|| panic!("verify names no folder:\n{progress}"));
    let at = line.find(" in /").expect("a folder");
    let branch = PathBuf::from(&line[at + 4..]);
    assert!(branch.ends_with("branch") && branch.starts_with(std::env::temp_dir()), "{line}");
    branch.parent().unwrap().to_owned()
}

/// The processes whose working folder is inside `dir` (Linux's /proc).
fn processes_in(dir: &Path) -> Vec<u32> {
    let Ok(entries) = std::fs::read_dir("/proc") else { return Vec::new() };
    entries
        .flatten()
        .filter_map(|e| e.file_name().to_str()?.parse::<u32>().ok())
        .filter(|pid| {
            std::fs::read_link(format!("/proc/{pid}/cwd")).is_ok_and(|cwd| cwd.starts_with(dir))
        })
        .collect()
}

/// The log folder the output names as kept.
fn kept_logs(stdout: &str) -> PathBuf {
    let line =
        stdout.lines().find(|l| l.starts_with("Logs: ")).unwrap_or_else(|| panic!("{stdout}"));
    let path = line["Logs: ".len()..].split(" (kept").next().unwrap();
    PathBuf::from(path)
}

/// The folder of written files the output names as kept.
fn kept_tree(stdout: &str) -> PathBuf {
    let prefix = "The branch's files: ";
    let line = stdout.lines().find(|l| l.starts_with(prefix)).unwrap_or_else(|| panic!("{stdout}"));
    PathBuf::from(line[prefix.len()..].split(" (kept").next().unwrap())
}

/// Regression: on a terminal, `verify` hung at its first step, because the command line
/// held stderr locked while the spinner's own thread drew on it. `script` (util-linux)
/// gives the run a pseudo-terminal.
#[test]
fn verify_on_a_terminal_shows_a_spinner_and_finishes() {
    if Command::new("script").arg("--version").output().is_err() {
        eprintln!("skipped: `script` (util-linux) is not installed");
        return;
    }
    let repo = migrated("build-fails");
    let verify = format!("{} verify . --timeout 60", env!("CARGO_BIN_EXE_capsule-migrate"));
    let mut script = Command::new("script");
    script.args(["-qec", &verify, "/dev/null"]).current_dir(&repo.path).env("TERM", "xterm");
    isolate(&mut script);
    let mut child = script.stdin(Stdio::null()).stdout(Stdio::piped()).spawn().unwrap();
    let deadline = Instant::now() + Duration::from_secs(90);
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("verify on a terminal did not finish within 90 s");
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    let mut text = String::new();
    std::io::Read::read_to_string(&mut child.stdout.take().unwrap(), &mut text).unwrap();
    assert_eq!(status.code(), Some(1), "{text}");
    // A spinner frame with the step it waits for, then the step's result line.
    assert!(text.contains("broken-build: build: npm run build, with Node"), "{text}");
    assert!(text.contains("broken-build: build FAILED"), "{text}");
    assert!(text.contains("broken-build failed at build"), "{text}");
}
