//! Issue 14, end to end with a real framework build: a SvelteKit app (static adapter)
//! whose page posts to a hard-coded `*.herokuapp.com` backend is migrated with `apply`,
//! built by SvelteKit itself with `VITE_BACKEND_URL=<stand-in backend>`, served, and
//! driven in headless Chromium: the order must reach the stand-in backend.
//!
//! The app lives in `tests/browser/sveltekit-app`; its exact dependency versions are
//! installed once into `target/frontend-deps/sveltekit` (by .ci/run, or here) and linked
//! into the migrated app, so a run after the first needs no registry.

use std::fs::{self, File};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use super::chromium::Chromium;
use super::http::{self, Request, Server};
use super::{migrated_tree_of, stand_in_backend, targets};
use crate::support::node::output_within;

const INSTALL_TIMEOUT: Duration = Duration::from_secs(240);
const BUILD_TIMEOUT: Duration = Duration::from_secs(120);

fn app_template() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/browser/sveltekit-app")
}

/// `target/frontend-deps/sveltekit` with the template's dependencies installed; the
/// install runs once (under a lock, so test binaries running at once wait for it).
fn sveltekit_modules() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("target/frontend-deps/sveltekit");
    fs::create_dir_all(&dir).expect("create the SvelteKit deps folder");
    let lock = File::create(dir.with_extension("lock")).expect("create the lock file");
    lock.lock().expect("lock the SvelteKit deps folder");
    let manifest =
        fs::read(app_template().join("package.json")).expect("the template's package.json");
    let installed = fs::read(dir.join("package.json")).ok();
    if installed.as_deref() != Some(manifest.as_slice())
        || !dir.join("node_modules/.bin/vite").exists()
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
    dir
}

#[test]
fn migrated_sveltekit_app_built_by_vite_posts_to_the_injected_backend_in_chromium() {
    let work = tempfile::tempdir().expect("temp dir");
    let app = work.path().join("app");
    migrated_tree_of(&app_template(), &[], &app);
    let page = fs::read_to_string(app.join("src/routes/+page.svelte")).unwrap();
    assert!(!page.contains("herokuapp.com"), "the page still calls Heroku:\n{page}");
    assert!(page.contains("${import.meta.env.VITE_BACKEND_URL}/api/orders"), "{page}");

    let modules = sveltekit_modules().join("node_modules");
    std::os::unix::fs::symlink(&modules, app.join("node_modules")).expect("link node_modules");
    let backend = Server::start(stand_in_backend);
    let mut build = Command::new("npm");
    build
        .args(["run", "build"])
        .current_dir(&app)
        .env("VITE_BACKEND_URL", backend.url())
        .env("npm_config_update_notifier", "false");
    let output = output_within(build, BUILD_TIMEOUT);
    assert!(
        output.status.success(),
        "VITE_BACKEND_URL={} npm run build failed ({}):\n{}\n{}",
        backend.url(),
        output.status,
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );

    let statics = Server::start(http::static_files(&app.join("build")));
    let browser = Chromium::start(work.path());
    let report = browser.submit_order(work.path(), &format!("{}/", statics.url()));
    drop(browser);
    let diagnostics = format!(
        "page: {report:#?}\nstatic server got: {:?}\nbackend got: {:?}",
        targets(&statics),
        targets(&backend)
    );
    assert!(!report.timed_out && report.errors.is_empty(), "{diagnostics}");
    let orders: Vec<Request> =
        backend.requests().into_iter().filter(|r| r.method == "POST").collect();
    assert_eq!(orders.len(), 1, "one order expected\n{diagnostics}");
    assert_eq!(orders[0].target, "/api/orders?item=socks", "{diagnostics}");
    assert_eq!(report.result, "ok", "{diagnostics}");
}
