//! End to end in a real browser (issue 3): migrate the monorepo fixture with `apply`, build
//! its frontend with `BACKEND_URL=<stand-in backend> npm run build`, serve it on
//! localhost, submit its form in headless Chromium, and check that the order reached the
//! stand-in backend at the injected URL.
//!
//! Needs `node`, `npm` and Debian's `chromium` (.ci/run installs them), and
//! playwright-core 1 from npm (installed like node-cron, see support/node.rs).

mod chromium;
mod frameworks;
mod http;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use crate::support::node::output_within;
use crate::support::repo::{TempRepo, run_tool};
use chromium::Chromium;
use http::{Request, Response, Server};

const BRANCH: &str = "code-capsules-migration";
const BUILD_TIMEOUT: Duration = Duration::from_secs(60);

fn fixture(rel: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/monorepo").join(rel)
}

/// Runs `apply` on a repository holding the monorepo fixture and writes the migration
/// branch's tree into `dest`, as a user would get it with `git checkout`.
fn migrated_tree(dest: &Path) {
    let jobs = fixture("jobs.toml").display().to_string();
    migrated_tree_of(&fixture("in"), &["--jobs", &jobs], dest);
}

/// Commits `tree` to a repository, runs `apply` with `args` on it, and writes the
/// migration branch's tree into `dest`.
fn migrated_tree_of(tree: &Path, args: &[&str], dest: &Path) {
    migrated_tree_and_plan(tree, args, dest);
}

/// [`migrated_tree_of`], returning the plan (`plan --format json`, run before `apply`)
/// that the migration branch follows.
fn migrated_tree_and_plan(tree: &Path, args: &[&str], dest: &Path) -> serde_json::Value {
    let repo = TempRepo::with_tree(tree);
    let repo_path = repo.path.display().to_string();
    let mut plan = vec!["plan", repo_path.as_str(), "--format", "json"];
    plan.extend(args);
    let (code, out, err) = run_tool(&plan);
    assert_eq!(code, 0, "plan failed:\nstdout:\n{out}\nstderr:\n{err}");
    let plan: serde_json::Value = serde_json::from_str(&out).expect("plan --format json is JSON");
    let mut apply = vec!["apply", repo_path.as_str()];
    apply.extend(args);
    let (code, out, err) = run_tool(&apply);
    assert_eq!(code, 0, "apply failed:\nstdout:\n{out}\nstderr:\n{err}");

    let archive = dest.with_extension("tar");
    repo.git(&["archive", "--format=tar", "-o", &archive.display().to_string(), BRANCH]);
    std::fs::create_dir_all(dest).expect("create the export folder");
    let status =
        Command::new("tar").arg("-xf").arg(&archive).arg("-C").arg(dest).status().expect("run tar");
    assert!(status.success(), "tar -xf {} failed: {status}", archive.display());
    plan
}

/// `npm run build` in the migrated frontend, with nothing installed (the generated build
/// step has no dependencies).
fn build_frontend(frontend: &Path, backend_url: &str) {
    assert!(!frontend.join("node_modules").exists(), "the build must not need node_modules");
    let mut command = Command::new("npm");
    command
        .args(["run", "build"])
        .current_dir(frontend)
        .env("BACKEND_URL", backend_url)
        // npm would otherwise ask the registry whether it is out of date.
        .env("npm_config_update_notifier", "false");
    let output = output_within(command, BUILD_TIMEOUT);
    assert!(
        output.status.success(),
        "BACKEND_URL={backend_url} npm run build failed ({}):\n{}\n{}",
        output.status,
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

/// The stand-in for the user's backend: the one endpoint the page calls, with the CORS
/// headers a real backend on another origin must send.
fn stand_in_backend(request: &Request) -> Response {
    let cors = |response: Response| {
        response
            .header("Access-Control-Allow-Origin", "*")
            .header("Access-Control-Allow-Methods", "POST, OPTIONS")
            .header("Access-Control-Allow-Headers", "*")
    };
    match (request.method.as_str(), request.path()) {
        ("OPTIONS", _) => cors(Response::new(204, "text/plain", "")),
        ("POST", "/api/orders") => {
            cors(Response::new(200, "application/json", r#"{"status":"ok"}"#))
        }
        _ => cors(Response::new(404, "application/json", r#"{"status":"not found"}"#)),
    }
}

/// Request targets in arrival order, without the favicon the browser asks for by itself.
fn targets(server: &Server) -> Vec<String> {
    let requests = server.requests().into_iter();
    requests
        .map(|r| format!("{} {}", r.method, r.target))
        .filter(|t| !t.contains("favicon"))
        .collect()
}

#[test]
fn migrated_frontend_built_with_backend_url_posts_to_that_backend_in_chromium() {
    let work = tempfile::tempdir().expect("temp dir");
    let site = work.path().join("site");
    migrated_tree(&site);
    let frontend = site.join("frontend");

    let backend = Server::start(stand_in_backend);
    build_frontend(&frontend, &backend.url());
    let config = std::fs::read_to_string(frontend.join("public/config.js"))
        .expect("npm run build wrote public/config.js");
    let assignment = format!("window.BACKEND_URL = \"{}\";", backend.url());
    assert!(config.lines().any(|l| l == assignment), "config.js lacks {assignment}:\n{config}");

    let statics = Server::start(http::static_files(&frontend.join("public")));
    let browser = Chromium::start(work.path());
    let page = browser.submit_order(work.path(), &format!("{}/", statics.url()));
    drop(browser);

    let diagnostics = format!(
        "page: {page:#?}\nstatic server got: {:?}\nbackend got: {:?}",
        targets(&statics),
        targets(&backend)
    );
    assert!(!page.timed_out && page.errors.is_empty(), "{diagnostics}");
    assert_eq!(page.backend_url.as_deref(), Some(backend.url().as_str()), "{diagnostics}");

    // The order reached the backend at the injected URL, from the served page.
    let orders: Vec<Request> =
        backend.requests().into_iter().filter(|r| r.method == "POST").collect();
    assert_eq!(orders.len(), 1, "one order expected\n{diagnostics}");
    assert_eq!(orders[0].target, "/api/orders?item=socks", "{diagnostics}");
    assert_eq!(orders[0].header("origin"), Some(statics.url().as_str()), "{diagnostics}");

    // Nothing went to the old Heroku backend.
    let heroku: Vec<&String> =
        page.requests.iter().filter(|r| r.contains("herokuapp.com")).collect();
    assert!(heroku.is_empty(), "requests to Heroku: {heroku:?}\n{diagnostics}");

    // The page read the backend's answer, with the URL app.js saw when it ran.
    assert_eq!(page.result, format!("{}/api: ok", backend.url()), "{diagnostics}");

    // The page loaded config.js, and ran it before app.js read the URL. (The order of the
    // requests at the static server says nothing: both scripts are fetched in parallel.)
    let served = targets(&statics);
    assert_eq!(served.first().map(String::as_str), Some("GET /"), "{diagnostics}");
    assert!(served.iter().any(|t| t == "GET /config.js"), "no config.js\n{diagnostics}");
    let position = |event: &str| page.trace.iter().position(|e| e == event);
    let (set_at, read_at) = (position("set /config.js"), position("get /app.js"));
    assert!(set_at.is_some() && set_at < read_at, "config.js ran after app.js\n{diagnostics}");
}
