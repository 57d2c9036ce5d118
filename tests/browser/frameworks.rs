//! Issue 14, end to end with real framework builds: an app whose page posts to a
//! hard-coded `*.herokuapp.com` backend is migrated with `apply`, built by its framework
//! with the variable the plan names set to a stand-in backend's URL, and its output
//! folder (as the plan gives it) is served and driven in headless Chromium: the order must
//! reach the stand-in backend, and nothing may go to the old herokuapp host.
//!
//! One app per frontend kind whose build installs from the npm registry in a few
//! minutes: Vite (TypeScript, `tsc && vite build`, output moved by vite.config.ts),
//! Create React App (react-scripts 5, output moved by `BUILD_PATH`), Vue CLI 5 (output
//! moved by vue.config.js), Next.js (static export, `distDir` moved),
//! Parcel 2, SvelteKit (static adapter) and webpack 5 (html-webpack-plugin, output moved
//! by webpack.config.js; the migration adds the `EnvironmentPlugin` that inlines the
//! variable), where the bundler inlines the variable; and
//! Angular, where the generated build step writes `config.js` into `ng build`'s output
//! and the page template loads it. The apps live in `tests/browser/<name>-app`; their
//! exact dependency versions are installed once into `target/frontend-deps/<name>` (by
//! .ci/run, or here) and linked into the migrated app, so runs after the first need no
//! registry.

use std::fs::{self, File};
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use super::chromium::{Chromium, PageReport};
use super::http::{self, Request, Server};
use super::{migrated_tree_and_plan, stand_in_backend, targets};
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
        // The page called the injected URL, and never the old Heroku app.
        let order = format!("POST {}/api/orders?item=socks", self.backend.url());
        assert!(self.report.requests.contains(&order), "{diagnostics}");
        let heroku: Vec<&String> =
            self.report.requests.iter().filter(|r| r.contains("herokuapp.com")).collect();
        assert!(heroku.is_empty(), "requests to Heroku: {heroku:?}\n{diagnostics}");
    }
}

/// The frontend Capsule of a plan: the one variable that gets a Capsule's URL, and the
/// output folder it publishes.
fn planned_frontend(plan: &serde_json::Value) -> (String, String) {
    let capsules = plan["capsules"].as_array().expect("the plan lists capsules");
    let frontends: Vec<&serde_json::Value> =
        capsules.iter().filter(|c| c["kind"] == "frontend").collect();
    let [frontend] = frontends[..] else { panic!("one frontend Capsule expected: {plan:#}") };
    let urls: Vec<&str> = frontend["env"]
        .as_array()
        .expect("the Capsule lists its variables")
        .iter()
        .filter(|v| v["source"]["kind"] == "capsule-url")
        .filter_map(|v| v["name"].as_str())
        .collect();
    let [variable] = urls[..] else { panic!("one backend URL variable expected: {frontend:#}") };
    let output = frontend["output_folder"].as_str().expect("a static site has an output folder");
    (variable.to_owned(), output.to_owned())
}

/// Every file under `dir` whose bytes hold `needle`, relative to `dir`.
fn files_holding(dir: &Path, needle: &str) -> Vec<String> {
    let mut found = Vec::new();
    let mut pending = vec![dir.to_path_buf()];
    while let Some(folder) = pending.pop() {
        for entry in fs::read_dir(&folder).expect("read the output folder").flatten() {
            let path = entry.path();
            if path.is_dir() {
                pending.push(path);
            } else if fs::read(&path)
                .is_ok_and(|b| b.windows(needle.len()).any(|w| w == needle.as_bytes()))
            {
                found.push(path.strip_prefix(dir).unwrap().display().to_string());
            }
        }
    }
    found
}

/// Migrates the `name` app into `work/app`, checks the migrated file `check` with
/// `expect`, checks that the plan asks for `variable` and reads the output folder from it,
/// builds the app with `variable` set to a stand-in backend's URL, serves the output and
/// submits the page's order form in Chromium.
fn migrate_build_and_order(
    work: &Path,
    name: &str,
    (check, expect): (&str, &str),
    variable: &str,
) -> Run {
    let app = work.join("app");
    let plan = migrated_tree_and_plan(&app_template(name), &[], &app);
    let (planned, output) = planned_frontend(&plan);
    assert_eq!(planned, variable, "the plan names another variable");
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
        // No telemetry, no prompts, no registry checks: the build works offline.
        .env("NG_CLI_ANALYTICS", "false")
        .env("NEXT_TELEMETRY_DISABLED", "1")
        .env("BROWSERSLIST_IGNORE_OLD_DATA", "1")
        .env("npm_config_update_notifier", "false");
    let started = Instant::now();
    let result = output_within(build, BUILD_TIMEOUT);
    eprintln!("{name}: npm run build took {:.1} s", started.elapsed().as_secs_f64());
    assert!(
        result.status.success(),
        "{variable}={} npm run build failed ({}):\n{}\n{}",
        backend.url(),
        result.status,
        String::from_utf8_lossy(&result.stdout),
        String::from_utf8_lossy(&result.stderr)
    );

    // The value is in the built files, and the old address is not.
    let out = app.join(&output);
    assert!(out.join("index.html").is_file(), "no index.html in the planned output {output}");
    let baked = files_holding(&out, &backend.url());
    assert!(!baked.is_empty(), "no file in {output} holds {}", backend.url());
    let heroku = files_holding(&out, "herokuapp.com");
    assert!(heroku.is_empty(), "{output} still names herokuapp.com in {heroku:?}");

    let statics = Server::start(http::static_files(&out));
    let browser = Chromium::start(work);
    let report = browser.submit_order(work, &format!("{}/", statics.url()));
    drop(browser);
    Run { report, backend, statics }
}

#[test]
fn migrated_sveltekit_app_built_by_vite_posts_to_the_injected_backend_in_chromium() {
    let work = tempfile::tempdir().expect("temp dir");
    let check = ("src/routes/+page.svelte", "${import.meta.env.VITE_BACKEND_URL}/api/orders");
    let run = migrate_build_and_order(work.path(), "sveltekit", check, "VITE_BACKEND_URL");
    run.assert_order_reached_the_backend();
}

#[test]
fn migrated_angular_app_loads_config_js_from_its_template_and_posts_to_the_backend() {
    let work = tempfile::tempdir().expect("temp dir");
    let check = ("src/environments/environment.prod.ts", "(window as any).BACKEND_URL + '/api'");
    let run = migrate_build_and_order(work.path(), "angular", check, "BACKEND_URL");
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

#[test]
fn migrated_vite_app_built_by_tsc_and_vite_posts_to_the_injected_backend_in_chromium() {
    let work = tempfile::tempdir().expect("temp dir");
    let check = ("src/api.ts", "import.meta.env.VITE_BACKEND_URL + '/api'");
    let run = migrate_build_and_order(work.path(), "vite", check, "VITE_BACKEND_URL");
    run.assert_order_reached_the_backend();
}

#[test]
fn migrated_create_react_app_built_by_react_scripts_posts_to_the_injected_backend() {
    let work = tempfile::tempdir().expect("temp dir");
    let check = ("src/App.js", "`${process.env.REACT_APP_BACKEND_URL}/api/orders?item=${item}`");
    let run = migrate_build_and_order(work.path(), "cra", check, "REACT_APP_BACKEND_URL");
    run.assert_order_reached_the_backend();
}

#[test]
fn migrated_vue_cli_app_built_into_its_output_dir_posts_to_the_injected_backend() {
    let work = tempfile::tempdir().expect("temp dir");
    let check =
        ("src/App.vue", "`${process.env.VUE_APP_BACKEND_URL}/api/orders?item=${this.item}`");
    let run = migrate_build_and_order(work.path(), "vue-cli", check, "VUE_APP_BACKEND_URL");
    run.assert_order_reached_the_backend();
}

#[test]
fn migrated_next_static_export_in_its_dist_dir_posts_to_the_injected_backend() {
    let work = tempfile::tempdir().expect("temp dir");
    let check = ("pages/index.js", "process.env.NEXT_PUBLIC_BACKEND_URL + '/api/orders?item='");
    let run = migrate_build_and_order(work.path(), "next", check, "NEXT_PUBLIC_BACKEND_URL");
    run.assert_order_reached_the_backend();
}

/// Parcel inlines `process.env.BACKEND_URL` only for a browser target, which it infers
/// from package.json: the migration must not add `engines.node` to this app.
#[test]
fn migrated_parcel_app_built_for_the_browser_posts_to_the_injected_backend() {
    let work = tempfile::tempdir().expect("temp dir");
    let check = ("src/app.js", "process.env.BACKEND_URL + '/api/orders?item='");
    let run = migrate_build_and_order(work.path(), "parcel", check, "BACKEND_URL");
    run.assert_order_reached_the_backend();
}

/// webpack inlines only the variables its config names: the migration adds an
/// `EnvironmentPlugin` for `BACKEND_URL` to webpack.config.js, and the site is read from
/// the config's `output.path`.
#[test]
fn migrated_webpack_app_gets_an_environment_plugin_and_posts_to_the_injected_backend() {
    let work = tempfile::tempdir().expect("temp dir");
    let check = ("src/app.js", "process.env.BACKEND_URL + '/api'");
    let run = migrate_build_and_order(work.path(), "webpack", check, "BACKEND_URL");
    run.assert_order_reached_the_backend();
    let config = fs::read_to_string(work.path().join("app/webpack.config.js")).unwrap();
    assert!(config.contains("EnvironmentPlugin)([\"BACKEND_URL\"])"), "{config}");
}
