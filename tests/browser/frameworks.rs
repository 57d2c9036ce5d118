//! Issue 14, end to end with real framework builds: an app whose page posts to a
//! hard-coded `*.herokuapp.com` backend is migrated with `apply`, built by its framework
//! with the backend URL variable set to a stand-in backend, served, and driven in
//! headless Chromium: the order must reach the stand-in backend.
//!
//! Two frameworks, for the two ways the URL gets in: SvelteKit (static adapter), where
//! Vite inlines `VITE_BACKEND_URL`, and Angular, where the generated build step writes
//! `config.js` into `ng build`'s output and the page template loads it. The apps live in
//! `tests/browser/<name>-app`; their exact dependency versions are installed once into
//! `target/frontend-deps/<name>` (by .ci/run, or here) and linked into the migrated app,
//! so runs after the first need no registry.

use std::fs::{self, File};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use super::chromium::{Chromium, PageReport};
use super::http::{self, Request, Server};
use super::{migrated_tree_of, stand_in_backend, targets};
use crate::support::node::output_within;

const INSTALL_TIMEOUT: Duration = Duration::from_secs(300);
const BUILD_TIMEOUT: Duration = Duration::from_secs(180);

fn app_template(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("tests/browser/{name}-app"))
}

/// `target/frontend-deps/<name>` with the template's dependencies installed; the install
/// runs when the template's package.json changed (under a lock, so test binaries running
/// at once wait for one npm run).
fn framework_modules(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/frontend-deps").join(name);
    fs::create_dir_all(&dir).expect("create the framework deps folder");
    let lock = File::create(dir.with_extension("lock")).expect("create the lock file");
    lock.lock().expect("lock the framework deps folder");
    let manifest =
        fs::read(app_template(name).join("package.json")).expect("the template's package.json");
    let installed = fs::read(dir.join("package.json")).ok();
    if installed.as_deref() != Some(manifest.as_slice()) || !dir.join("node_modules/.bin").exists()
    {
        fs::write(dir.join("package.json"), &manifest).expect("write package.json");
        let mut command = Command::new("npm");
        command.args(["install", "--no-audit", "--no-fund", "--loglevel=error"]).current_dir(&dir);
        let output = output_within(command, INSTALL_TIMEOUT);
        assert!(
            output.status.success(),
            "npm install in {} failed ({}):\n{}",
            dir.display(),
            output.status,
            String::from_utf8_lossy(&output.stderr)
        );
    }
    drop(lock);
    dir.join("node_modules")
}

/// What one end-to-end run saw.
struct Run {
    report: PageReport,
    backend: Server,
    statics: Server,
}

impl Run {
    fn diagnostics(&self) -> String {
        format!(
            "page: {:#?}\nstatic server got: {:?}\nbackend got: {:?}",
            self.report,
            targets(&self.statics),
            targets(&self.backend)
        )
    }

    /// The page posted exactly one order to the stand-in backend and showed its answer.
    fn assert_order_reached_the_backend(&self) {
        let diagnostics = self.diagnostics();
        assert!(!self.report.timed_out && self.report.errors.is_empty(), "{diagnostics}");
        let orders: Vec<Request> =
            self.backend.requests().into_iter().filter(|r| r.method == "POST").collect();
        assert_eq!(orders.len(), 1, "one order expected\n{diagnostics}");
        assert_eq!(orders[0].target, "/api/orders?item=socks", "{diagnostics}");
        assert_eq!(self.report.result, "ok", "{diagnostics}");
    }
}

/// Migrates the `name` app into `work/app`, checks the migrated file `check` with
/// `expect`, builds it with `variable` set to a stand-in backend's URL, serves `output`
/// and submits the page's order form in Chromium.
fn migrate_build_and_order(
    work: &Path,
    name: &str,
    (check, expect): (&str, &str),
    variable: &str,
    output: &str,
) -> Run {
    let app = work.join("app");
    migrated_tree_of(&app_template(name), &[], &app);
    let migrated = fs::read_to_string(app.join(check)).unwrap();
    assert!(!migrated.contains("herokuapp.com"), "{check} still calls Heroku:\n{migrated}");
    assert!(migrated.contains(expect), "{check} lacks {expect}:\n{migrated}");

    std::os::unix::fs::symlink(framework_modules(name), app.join("node_modules"))
        .expect("link node_modules");
    let backend = Server::start(stand_in_backend);
    let mut build = Command::new("npm");
    build
        .args(["run", "build"])
        .current_dir(&app)
        .env(variable, backend.url())
        .env("NG_CLI_ANALYTICS", "false")
        .env("npm_config_update_notifier", "false");
    let result = output_within(build, BUILD_TIMEOUT);
    assert!(
        result.status.success(),
        "{variable}={} npm run build failed ({}):\n{}\n{}",
        backend.url(),
        result.status,
        String::from_utf8_lossy(&result.stdout),
        String::from_utf8_lossy(&result.stderr)
    );

    let statics = Server::start(http::static_files(&app.join(output)));
    let browser = Chromium::start(work);
    let report = browser.submit_order(work, &format!("{}/", statics.url()));
    drop(browser);
    Run { report, backend, statics }
}

#[test]
fn migrated_sveltekit_app_built_by_vite_posts_to_the_injected_backend_in_chromium() {
    let work = tempfile::tempdir().expect("temp dir");
    let check = ("src/routes/+page.svelte", "${import.meta.env.VITE_BACKEND_URL}/api/orders");
    let run = migrate_build_and_order(work.path(), "sveltekit", check, "VITE_BACKEND_URL", "build");
    run.assert_order_reached_the_backend();
}

#[test]
fn migrated_angular_app_loads_config_js_from_its_template_and_posts_to_the_backend() {
    let work = tempfile::tempdir().expect("temp dir");
    let check = ("src/environments/environment.prod.ts", "(window as any).BACKEND_URL + '/api'");
    let run = migrate_build_and_order(
        work.path(),
        "angular",
        check,
        "BACKEND_URL",
        "dist/orders/browser",
    );
    run.assert_order_reached_the_backend();
    // config.js set the URL before the app's bundle read it. (A module script has no
    // `document.currentScript`, so the bundle's read is traced as `get -`.)
    let diagnostics = run.diagnostics();
    let backend_url = run.backend.url();
    assert_eq!(run.report.backend_url.as_deref(), Some(backend_url.as_str()), "{diagnostics}");
    let trace = &run.report.trace;
    assert_eq!(trace.first().map(String::as_str), Some("set /config.js"), "{diagnostics}");
    assert!(trace.iter().skip(1).any(|e| e.starts_with("get ")), "{diagnostics}");
}
