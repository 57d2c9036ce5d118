//! Debian's headless Chromium, started by the test itself so that it is killed on every
//! path (Drop), and driven by a small Node script with playwright-core over the DevTools
//! protocol. Playwright's own browser download is never used.

use std::fs::{self, File};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde::Deserialize;

use crate::support::node::{node_modules_with, output_within};

/// The flags the workplace verified for Debian's chromium in containers: no sandbox (no
/// user namespaces here), no GPU, and none of the background traffic a first run starts.
const FLAGS: &[&str] = &[
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
];

const STARTUP_TIMEOUT: Duration = Duration::from_secs(15);
/// Above the driver's own limit (20 s), which reports which step got stuck.
const DRIVER_TIMEOUT: Duration = Duration::from_secs(25);
const SHUTDOWN_GRACE: Duration = Duration::from_secs(3);

const DRIVER: &str = include_str!("driver.cjs");

pub struct Chromium {
    child: Child,
    /// `http://127.0.0.1:<port>` of the DevTools server.
    endpoint: String,
    log: PathBuf,
}

impl Chromium {
    /// Starts Chromium with a fresh profile under `work`, and waits for its DevTools port.
    pub fn start(work: &Path) -> Chromium {
        let profile = work.join("chromium-profile");
        fs::create_dir_all(&profile).expect("create the chromium profile folder");
        let log = work.join("chromium.log");
        let log_file = File::create(&log).expect("create the chromium log");
        let child = Command::new("chromium")
            .args(FLAGS)
            .arg(format!("--user-data-dir={}", profile.display()))
            // Port 0: Chromium picks a free port and writes it to DevToolsActivePort.
            .arg("--remote-debugging-port=0")
            .arg("about:blank")
            .stdin(Stdio::null())
            .stdout(log_file.try_clone().expect("clone the log handle"))
            .stderr(log_file)
            .spawn()
            .expect("run chromium: install Debian's chromium package (.ci/run does)");
        // Owned before waiting, so a failed start still kills it.
        let mut chromium = Chromium { child, endpoint: String::new(), log };
        let port = chromium.wait_for_devtools_port(&profile.join("DevToolsActivePort"));
        chromium.endpoint = format!("http://127.0.0.1:{port}");
        chromium
    }

    fn wait_for_devtools_port(&mut self, port_file: &Path) -> u16 {
        let deadline = Instant::now() + STARTUP_TIMEOUT;
        loop {
            if let Some(status) = self.child.try_wait().expect("poll chromium") {
                panic!("chromium exited at startup ({status}):\n{}", self.log_tail());
            }
            // The file may be half written; its first line is the port.
            let port = fs::read_to_string(port_file)
                .ok()
                .and_then(|text| text.lines().next().and_then(|line| line.parse().ok()));
            if let Some(port) = port {
                return port;
            }
            assert!(
                Instant::now() < deadline,
                "chromium wrote no {} within {STARTUP_TIMEOUT:?}:\n{}",
                port_file.display(),
                self.log_tail()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    /// The end of Chromium's own log, for failure messages.
    pub fn log_tail(&self) -> String {
        let text = fs::read_to_string(&self.log).unwrap_or_default();
        let lines: Vec<&str> = text.lines().collect();
        lines[lines.len().saturating_sub(30)..].join("\n")
    }

    /// Opens `page_url`, submits its order form and reports what the page showed.
    pub fn submit_order(&self, work: &Path, page_url: &str) -> PageReport {
        let driver = work.join("driver.cjs");
        fs::write(&driver, DRIVER).expect("write the driver script");
        let playwright =
            node_modules_with("playwright-core", 1).join("node_modules/playwright-core");
        let playwright = playwright.canonicalize().expect("playwright-core is installed");
        let mut command = Command::new("node");
        command.arg(&driver).arg(&playwright).arg(&self.endpoint).arg(page_url).current_dir(work);
        let output = output_within(command, DRIVER_TIMEOUT);
        let stdout = String::from_utf8_lossy(&output.stdout);
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(
            output.status.success(),
            "the browser driver failed ({}):\n{stderr}\nchromium's log:\n{}",
            output.status,
            self.log_tail()
        );
        let line = stdout.lines().rfind(|l| l.starts_with('{')).unwrap_or_default();
        serde_json::from_str(line)
            .unwrap_or_else(|error| panic!("the driver printed no report ({error}):\n{stdout}"))
    }
}

impl Drop for Chromium {
    /// SIGTERM first, so Chromium shuts down its helper processes itself; SIGKILL if it
    /// is still there after a grace period.
    fn drop(&mut self) {
        if matches!(self.child.try_wait(), Ok(Some(_))) {
            return;
        }
        let _ = Command::new("kill").arg(self.child.id().to_string()).status();
        let deadline = Instant::now() + SHUTDOWN_GRACE;
        while Instant::now() < deadline {
            if matches!(self.child.try_wait(), Ok(Some(_))) {
                return;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// What the page did, as the driver saw it.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PageReport {
    /// `window.BACKEND_URL` after the page loaded.
    pub backend_url: Option<String>,
    /// Writes and reads of `window.BACKEND_URL` while the page loaded, in execution
    /// order: `set /config.js`, `get /app.js`, ...
    pub trace: Vec<String>,
    /// The text of `#result` after submitting (empty if it never came).
    pub result: String,
    /// The result text did not come within the driver's step timeout.
    pub timed_out: bool,
    /// Every request the page made, `METHOD url`, in the order they started.
    pub requests: Vec<String>,
    /// Uncaught exceptions in the page.
    pub errors: Vec<String>,
    #[expect(dead_code, reason = "shown through Debug in failure messages")]
    console: Vec<String>,
    #[expect(dead_code, reason = "shown through Debug in failure messages")]
    failed: Vec<String>,
}
