//! Child processes: each runs in a process group of its own, with its output in a log
//! file, and is stopped with everything it started, on its end, a timeout or Ctrl-C.

use std::fs::{File, OpenOptions};
use std::io::Write as _;
use std::os::unix::process::CommandExt as _;
use std::path::Path;
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use nix::sys::signal::{Signal, killpg};
use nix::unistd::Pid;

use crate::capsules::shell_quote;

/// How often a running child is looked at.
pub(crate) const POLL: Duration = Duration::from_millis(50);

/// How long a process group gets to stop after SIGTERM before SIGKILL.
const GRACE: Duration = Duration::from_secs(3);

/// Set by the Ctrl-C (and SIGTERM) handler; every wait looks at it.
static INTERRUPTED: AtomicBool = AtomicBool::new(false);

/// Installs the handler once per process. Children run in process groups of their own,
/// so a terminal's Ctrl-C reaches only this process, which then stops them itself.
///
/// On Linux this process also becomes a subreaper: what a step leaves behind when its
/// parent dies (npm's children once `npm` is killed) is reparented here rather than to
/// init, so [`Group::stop`] can wait until it is really gone.
pub(crate) fn catch_interrupts() {
    static INSTALLED: std::sync::Once = std::sync::Once::new();
    INSTALLED.call_once(|| {
        // A handler set by the embedding program stays; waits still time out.
        let _ = ctrlc::set_handler(|| INTERRUPTED.store(true, Ordering::SeqCst));
        #[cfg(any(target_os = "linux", target_os = "android"))]
        let _ = nix::sys::prctl::set_child_subreaper(true);
    });
}

pub(crate) fn interrupted() -> bool {
    INTERRUPTED.load(Ordering::SeqCst)
}

/// How a step's process ended.
#[derive(Debug)]
pub(crate) enum Ended {
    Exited(ExitStatus),
    TimedOut(Duration),
    Interrupted,
    NotStarted(String),
}

impl Ended {
    pub fn success(&self) -> bool {
        matches!(self, Ended::Exited(status) if status.success())
    }

    /// What happened, to follow the command's name: "exited with status 1".
    pub fn describe(&self) -> String {
        match self {
            Ended::Exited(status) => match status.code() {
                Some(code) => format!("exited with status {code}"),
                None => format!("was killed ({status})"),
            },
            Ended::TimedOut(limit) => format!("did not finish within {} s", limit.as_secs()),
            Ended::Interrupted => "was stopped by Ctrl-C".into(),
            Ended::NotStarted(why) => format!("could not start: {why}"),
        }
    }
}

/// Runs commands with a time limit per command.
#[derive(Debug, Clone)]
pub(crate) struct Runner {
    pub timeout: Duration,
}

impl Runner {
    /// Runs `command` to its end, its output appended to `log`.
    pub fn run(&self, command: Command, log: &Path) -> Ended {
        match Group::spawn(command, log, None) {
            Ok(mut group) => group.wait_within(self.timeout),
            Err(why) => Ended::NotStarted(why),
        }
    }

    /// Like [`Runner::run`] with stdout written to `stdout` instead of the log.
    pub fn run_to_file(&self, command: Command, stdout: &Path, log: &Path) -> Ended {
        match Group::spawn(command, log, Some(stdout)) {
            Ok(mut group) => group.wait_within(self.timeout),
            Err(why) => Ended::NotStarted(why),
        }
    }
}

/// A running child, the leader of its own process group. Dropping it stops the group.
pub(crate) struct Group {
    child: Child,
    status: Option<ExitStatus>,
}

impl Group {
    /// Starts `command` with stdin closed and stdout and stderr appended to `log` (stdout
    /// to `stdout` when given), after a line naming the command.
    pub fn spawn(mut command: Command, log: &Path, stdout: Option<&Path>) -> Result<Group, String> {
        let open = |path: &Path| {
            OpenOptions::new()
                .create(true)
                .append(true)
                .open(path)
                .map_err(|e| format!("{}: {e}", path.display()))
        };
        let mut log_file = open(log)?;
        let _ = writeln!(log_file, "$ {}", shown(&command));
        let out: File = match stdout {
            Some(path) => File::create(path).map_err(|e| format!("{}: {e}", path.display()))?,
            None => log_file.try_clone().map_err(|e| e.to_string())?,
        };
        command.stdin(Stdio::null()).stdout(out).stderr(log_file).process_group(0);
        let child = command.spawn().map_err(|e| format!("{}: {e}", shown(&command)))?;
        Ok(Group { child, status: None })
    }

    /// The exit status once the leader has exited.
    pub fn exited(&mut self) -> Option<ExitStatus> {
        if self.status.is_none() {
            self.status = self.child.try_wait().ok().flatten();
        }
        self.status
    }

    /// Waits for the leader to exit, up to `limit`; stops the group on a timeout or
    /// Ctrl-C.
    pub fn wait_within(&mut self, limit: Duration) -> Ended {
        let start = Instant::now();
        loop {
            if let Some(status) = self.exited() {
                self.stop();
                return Ended::Exited(status);
            }
            if interrupted() {
                self.stop();
                return Ended::Interrupted;
            }
            if start.elapsed() >= limit {
                self.stop();
                return Ended::TimedOut(limit);
            }
            std::thread::sleep(POLL);
        }
    }

    /// Stops the whole group: SIGTERM, a grace period for the leader, then SIGKILL for
    /// whatever is left (also what a finished leader left running).
    pub fn stop(&mut self) {
        let group = Pid::from_raw(self.child.id() as i32);
        if self.exited().is_none() {
            let _ = killpg(group, Signal::SIGTERM);
            let start = Instant::now();
            while self.exited().is_none() && start.elapsed() < GRACE {
                std::thread::sleep(POLL);
            }
        }
        // ESRCH when the group is already empty.
        let _ = killpg(group, Signal::SIGKILL);
        if self.status.is_none() {
            self.status = self.child.wait().ok();
        }
        reap_group(group);
    }
}

impl Drop for Group {
    fn drop(&mut self) {
        self.stop();
    }
}

/// Waits (a bounded time) until no process of `group`, sent SIGKILL, is left, reaping
/// those reparented to this process (see [`catch_interrupts`]), so that nothing a step
/// started outlives it.
fn reap_group(group: Pid) {
    use nix::sys::wait::{WaitPidFlag, waitpid};
    let deadline = Instant::now() + GRACE;
    let members = Pid::from_raw(-group.as_raw());
    loop {
        while matches!(
            waitpid(members, Some(WaitPidFlag::WNOHANG)),
            Ok(status) if status != nix::sys::wait::WaitStatus::StillAlive
        ) {}
        // Signal 0 only asks whether any member is left (ESRCH when none).
        if killpg(group, None).is_err() || Instant::now() >= deadline {
            return;
        }
        std::thread::sleep(POLL);
    }
}

/// The command as a shell line, for logs.
fn shown(command: &Command) -> String {
    let program = std::iter::once(command.get_program());
    let words = program.chain(command.get_args()).map(|w| shell_quote(&w.to_string_lossy()));
    words.collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_timeout_stops_the_whole_group() {
        let dir = tempfile::tempdir().unwrap();
        let log = dir.path().join("log");
        let pid_file = dir.path().join("pid");
        let mut command = Command::new("sh");
        // The grandchild writes its pid, then sleeps; the shell waits for it.
        command.arg("-c").arg(format!("sleep 30 & echo $! > {}; wait", pid_file.display()));
        let runner = Runner { timeout: Duration::from_millis(500) };
        let ended = runner.run(command, &log);
        assert!(matches!(ended, Ended::TimedOut(_)), "{ended:?}");
        let pid: i32 = std::fs::read_to_string(&pid_file).unwrap().trim().parse().unwrap();
        // Signal 0 checks for existence; a zombie would still be found, so give init a moment.
        let deadline = Instant::now() + Duration::from_secs(5);
        while nix::sys::signal::kill(Pid::from_raw(pid), None).is_ok() && Instant::now() < deadline
        {
            std::thread::sleep(POLL);
        }
        assert!(
            nix::sys::signal::kill(Pid::from_raw(pid), None).is_err(),
            "sleep {pid} still runs"
        );
    }

    #[test]
    fn output_and_status_are_kept() {
        let dir = tempfile::tempdir().unwrap();
        let log = dir.path().join("log");
        let mut command = Command::new("sh");
        command.args(["-c", "echo out; echo err >&2; exit 3"]);
        let ended = Runner { timeout: Duration::from_secs(10) }.run(command, &log);
        assert_eq!(ended.describe(), "exited with status 3");
        let text = std::fs::read_to_string(&log).unwrap();
        assert!(text.starts_with("$ sh -c 'echo out; echo err >&2; exit 3'\n"), "{text}");
        assert!(text.contains("out\n") && text.contains("err\n"), "{text}");
    }
}
