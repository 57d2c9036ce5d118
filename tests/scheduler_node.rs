//! The generated scheduler, run by Node with the real node-cron 4: jobs run on time,
//! failures are logged without stopping the schedule, and SIGTERM lets a running job
//! finish. Every wait is bounded; a stuck scheduler is killed and the test fails.

use std::fs;
use std::io::{BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use capsule_migrate::generate::scheduler::{ModuleSystem, ScheduledJob, scheduler_js};
use tempfile::TempDir;

use super::support::node::{link_node_modules, node_check, wait_within};

const EVERY_SECOND: &str = "* * * * * *";

fn job(name: &str, cron: &str, command: &str) -> ScheduledJob {
    ScheduledJob {
        name: name.to_string(),
        command: command.to_string(),
        cron: cron.to_string(),
        schedule_text: "every 10 minutes".to_string(),
        // A job that named a Procfile process records it: the file must still run.
        procfile: Some(("worker".into(), command.to_string())),
    }
}

/// An app folder with a package.json of the right `type`, the scheduler, and node-cron.
fn app(jobs: &[ScheduledJob], module: ModuleSystem) -> TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    let kind = match module {
        ModuleSystem::Esm => "module",
        ModuleSystem::CommonJs => "commonjs",
    };
    let manifest = format!("{{\"name\": \"app\", \"private\": true, \"type\": \"{kind}\"}}\n");
    fs::write(dir.path().join("package.json"), manifest).expect("write package.json");
    fs::write(dir.path().join("scheduler.js"), scheduler_js(jobs, module)).expect("write js");
    dir
}

/// A scheduler process with its stdout and stderr gathered into one log.
struct Scheduler {
    child: Child,
    log: Arc<Mutex<String>>,
    readers: Vec<JoinHandle<()>>,
}

impl Scheduler {
    fn start(dir: &Path, shutdown_timeout_ms: u64) -> Scheduler {
        link_node_modules(dir);
        let mut child = Command::new("node")
            .arg("scheduler.js")
            .current_dir(dir)
            .env("SCHEDULER_SHUTDOWN_TIMEOUT_MS", shutdown_timeout_ms.to_string())
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("run node");
        let log = Arc::new(Mutex::new(String::new()));
        let readers = vec![
            gather(child.stdout.take().expect("stdout"), Arc::clone(&log)),
            gather(child.stderr.take().expect("stderr"), Arc::clone(&log)),
        ];
        Scheduler { child, log, readers }
    }

    fn log(&self) -> String {
        self.log.lock().expect("log lock").clone()
    }

    /// Waits until `done(log)` holds, failing with the log after `timeout`.
    fn wait_for(&self, what: &str, timeout: Duration, done: impl Fn(&str) -> bool) {
        let deadline = Instant::now() + timeout;
        while !done(&self.log()) {
            assert!(
                Instant::now() < deadline,
                "no {what} within {timeout:?}; log:\n{}",
                self.log()
            );
            std::thread::sleep(Duration::from_millis(25));
        }
    }

    fn signal(&self, name: &str) {
        let status = Command::new("kill")
            .arg(format!("-{name}"))
            .arg(self.child.id().to_string())
            .status()
            .expect("run kill");
        assert!(status.success(), "kill -{name} failed");
    }

    /// Waits for the exit, then for the last log lines to be read.
    fn exit_within(&mut self, timeout: Duration) -> ExitStatus {
        let status = wait_within(&mut self.child, timeout);
        let deadline = Instant::now() + Duration::from_secs(2);
        while self.readers.iter().any(|r| !r.is_finished()) && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(10));
        }
        status
    }
}

impl Drop for Scheduler {
    fn drop(&mut self) {
        // Only matters when a test failed half-way: never leave a scheduler running.
        if let Ok(None) = self.child.try_wait() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

fn gather(pipe: impl Read + Send + 'static, log: Arc<Mutex<String>>) -> JoinHandle<()> {
    std::thread::spawn(move || {
        for line in BufReader::new(pipe).lines().map_while(Result::ok) {
            let mut log = log.lock().expect("log lock");
            log.push_str(&line);
            log.push('\n');
        }
    })
}

fn lines_in(path: &Path) -> usize {
    fs::read_to_string(path).map_or(0, |text| text.lines().count())
}

fn file(dir: &TempDir, name: &str) -> PathBuf {
    dir.path().join(name)
}

#[test]
fn every_variant_passes_node_check() {
    let jobs = [
        job("report", "0 30 2 * * *", "node report.js --since \"yesterday\""),
        job("it's \"odd\"\n", "*/10 * * * *", "echo '\\' `date` ${HOME}\necho \u{2028} */ done"),
    ];
    for module in [ModuleSystem::Esm, ModuleSystem::CommonJs] {
        for jobs in [&jobs[..], &[]] {
            let dir = app(jobs, module);
            node_check(&dir.path().join("scheduler.js"));
        }
    }
}

#[test]
#[should_panic(expected = "node --check")]
fn node_check_rejects_broken_javascript() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("broken.js");
    fs::write(&path, "const x = ;\n").expect("write js");
    node_check(&path);
}

#[test]
fn every_second_job_runs_repeatedly_in_both_module_systems() {
    for module in [ModuleSystem::Esm, ModuleSystem::CommonJs] {
        let dir = app(&[job("tick", EVERY_SECOND, "echo run >> runs.txt")], module);
        let mut scheduler = Scheduler::start(dir.path(), 2000);
        let runs = file(&dir, "runs.txt");
        scheduler.wait_for("second run", Duration::from_secs(5), |_| lines_in(&runs) >= 2);
        scheduler.wait_for("finish line", Duration::from_secs(2), |log| {
            log.contains("[scheduler] job \"tick\" finished: exit code 0 after ")
        });
        let log = scheduler.log();
        assert!(log.contains("[scheduler] job \"tick\" scheduled: \"* * * * * *\" UTC"), "{log}");
        assert!(log.contains("[scheduler] job \"tick\" started: \"echo run >> runs.txt\""));
        scheduler.signal("TERM");
        let status = scheduler.exit_within(Duration::from_secs(4));
        assert_eq!(status.code(), Some(0), "{module:?}: {}", scheduler.log());
    }
}

#[test]
fn failing_job_is_logged_and_runs_again() {
    let command = "echo try >> tries.txt; exit 3";
    let dir = app(&[job("flaky", EVERY_SECOND, command)], ModuleSystem::CommonJs);
    let mut scheduler = Scheduler::start(dir.path(), 2000);
    let failure = "[scheduler] job \"flaky\" failed: exit code 3 after ";
    scheduler.wait_for("two logged failures", Duration::from_secs(5), |log| {
        log.matches(failure).count() >= 2
    });
    assert!(lines_in(&file(&dir, "tries.txt")) >= 2);
    scheduler.signal("TERM");
    assert_eq!(scheduler.exit_within(Duration::from_secs(4)).code(), Some(0));
}

#[test]
fn sigterm_lets_the_running_job_finish_then_exits_0() {
    let command = "sleep 1; echo done >> out.txt";
    let dir = app(&[job("slow", EVERY_SECOND, command)], ModuleSystem::Esm);
    let mut scheduler = Scheduler::start(dir.path(), 5000);
    scheduler.wait_for("a start", Duration::from_secs(3), |log| log.contains("started:"));
    scheduler.signal("TERM");
    let status = scheduler.exit_within(Duration::from_secs(5));
    let out = file(&dir, "out.txt");
    // Read at once: "done" must be there because the scheduler waited, not because time passed.
    assert_eq!(fs::read_to_string(&out).ok().as_deref(), Some("done\n"));
    let log = scheduler.log();
    assert_eq!(status.code(), Some(0), "{log}");
    assert_eq!(log.matches("started:").count(), 1, "{log}");
    assert!(log.contains("SIGTERM received: no new runs; waiting up to 5000 ms for 1 running"));
    assert!(log.contains("[scheduler] job \"slow\" finished: exit code 0"), "{log}");
    assert!(log.trim_end().ends_with("[scheduler] stopped"), "{log}");
    std::thread::sleep(Duration::from_millis(1500));
    assert_eq!(lines_in(&out), 1, "a run happened after the scheduler stopped");
}

#[test]
fn jobs_past_the_shutdown_bound_are_killed_with_their_children() {
    // The subshell outlives a kill of the job's shell alone; only a kill of the whole
    // process group stops it from writing.
    let command = "(sleep 2; echo late >> late.txt) & wait";
    let dir = app(&[job("stuck", EVERY_SECOND, command)], ModuleSystem::CommonJs);
    let mut scheduler = Scheduler::start(dir.path(), 300);
    scheduler.wait_for("a start", Duration::from_secs(3), |log| log.contains("started:"));
    let started = Instant::now();
    scheduler.signal("TERM");
    let status = scheduler.exit_within(Duration::from_secs(3));
    let log = scheduler.log();
    assert_eq!(status.code(), Some(1), "{log}");
    assert!(log.contains("[scheduler] killing 1 job(s) still running after 300 ms"), "{log}");
    std::thread::sleep(Duration::from_millis(2500).saturating_sub(started.elapsed()));
    assert!(!file(&dir, "late.txt").exists(), "the job's subshell survived the kill");
}

#[test]
fn sigint_while_idle_exits_0_at_once() {
    let dir = app(&[job("yearly", "0 0 1 1 *", "echo never")], ModuleSystem::Esm);
    let mut scheduler = Scheduler::start(dir.path(), 5000);
    scheduler.wait_for("scheduling", Duration::from_secs(3), |log| log.contains("scheduled:"));
    scheduler.signal("INT");
    assert_eq!(scheduler.exit_within(Duration::from_secs(2)).code(), Some(0));
    assert!(scheduler.log().contains("SIGINT received: no new runs; waiting up to 5000 ms for 0"));
}

#[test]
fn invalid_cron_expression_stops_the_start_naming_the_job() {
    let dir = app(&[job("broken", "61 * * * *", "echo never")], ModuleSystem::CommonJs);
    let mut scheduler = Scheduler::start(dir.path(), 1000);
    let status = scheduler.exit_within(Duration::from_secs(3));
    let log = scheduler.log();
    assert_eq!(status.code(), Some(1), "{log}");
    assert!(log.contains("job \"broken\": invalid cron expression \"61 * * * *\""), "{log}");
    assert!(!log.contains("scheduled:"), "{log}");
}

/// The cron expressions of the scheduler the migration generates for `schedule`, read
/// from the patch `diff` prints.
fn generated_expressions(schedule: &str) -> Vec<String> {
    let dir = TempDir::new().expect("temp dir");
    fs::write(dir.path().join("Procfile"), "web: node server.js\n").unwrap();
    fs::write(dir.path().join("package.json"), r#"{ "scripts": { "start": "node server.js" } }"#)
        .unwrap();
    let jobs = dir.path().join("jobs.toml");
    let toml =
        format!("[[job]]\napp = \".\"\ncommand = \"node report.js\"\nschedule = \"{schedule}\"\n");
    fs::write(&jobs, toml).unwrap();
    let path = dir.path().display().to_string();
    let jobs = jobs.display().to_string();
    let (code, patch, err) =
        super::support::repo::run_tool(&["diff", &path, "--jobs", &jobs, "--color", "never"]);
    assert_eq!(code, 0, "{err}");
    let scheduler = patch.split("diff --git").find(|f| f.contains("+++ b/scheduler.js")).unwrap();
    scheduler
        .lines()
        .filter_map(|l| l.strip_prefix("+    cron: \"")?.strip_suffix("\","))
        .map(str::to_owned)
        .collect()
}

/// For every 10 minutes of 2027 (UTC): whether any of the node-cron expressions matches
/// (read by node-cron 4's own matcher), and whether cron's rule for `minute hour doms
/// dows` does, where a day matches when its day of month OR its weekday is listed.
fn year_of_matches(
    expressions: &[String],
    minute: u32,
    hour: u32,
    doms: &[u32],
    dows: &[u32],
) -> (usize, usize, usize) {
    let modules = super::support::node::node_cron_modules().join("node_modules");
    let script = format!(
        r#"const cron = require({cron});
const tasks = {exprs}.map((e) => cron.createTask(e, () => {{}}, {{ timezone: "Etc/UTC" }}));
const doms = {doms}, dows = {dows};
let both = 0, onlyNode = 0, onlyCron = 0;
for (let t = Date.UTC(2027, 0, 1); t < Date.UTC(2028, 0, 1); t += 600000) {{
  const d = new Date(t);
  const node = tasks.some((task) => task.match(d));
  const posix = d.getUTCMinutes() === {minute} && d.getUTCHours() === {hour} &&
    (doms.includes(d.getUTCDate()) || dows.includes(d.getUTCDay()));
  if (node && posix) both++; else if (node) onlyNode++; else if (posix) onlyCron++;
}}
console.log(both, onlyNode, onlyCron);
"#,
        cron = serde_json::to_string(&modules.join("node-cron").display().to_string()).unwrap(),
        exprs = serde_json::to_string(expressions).unwrap(),
        doms = serde_json::to_string(doms).unwrap(),
        dows = serde_json::to_string(dows).unwrap(),
    );
    let mut command = Command::new("node");
    command.arg("-e").arg(script);
    let output = super::support::node::output_within(command, Duration::from_secs(120));
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let counts: Vec<usize> = String::from_utf8_lossy(&output.stdout)
        .split_whitespace()
        .map(|n| n.parse().unwrap())
        .collect();
    (counts[0], counts[1], counts[2])
}

#[test]
fn day_of_month_or_day_of_week_runs_as_often_as_cron_over_a_year() {
    let expressions = generated_expressions("0 9 1,15 * 5");
    assert_eq!(expressions, ["0 9 1,15 * *", "0 9 2-14,16-31 * 5"]);
    let (both, only_node, only_cron) = year_of_matches(&expressions, 0, 9, &[1, 15], &[5]);
    // 24 days of month and 53 Fridays in 2027 (it starts on one); 4 Fridays fall on the
    // 1st or 15th (January and October): 73 runs, none missed, none extra.
    assert_eq!((both, only_node, only_cron), (73, 0, 0));
    // The expression as written, read by node-cron alone, runs on those 4 days only.
    let written = ["0 9 1,15 * 5".to_owned()];
    assert_eq!(year_of_matches(&written, 0, 9, &[1, 15], &[5]), (4, 0, 69));
}
