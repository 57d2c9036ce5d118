//! The `heroku-postbuild` fixtures built for real with npm: `npm run build` on the
//! migrated tree (what Code Capsules runs) must finish and run exactly the steps, in the
//! order, that `npm run heroku-postbuild` ran on the original tree (what Heroku ran
//! instead of `build`): each once, no self-call. A yarn app's scripts call yarn, so that
//! case runs with yarn 1 (from the npm registry) on the PATH, as a yarn app's build has.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::OnceLock;
use std::time::Duration;

use crate::support::node::output_within;
use crate::support::repo::copy_tree;

/// A folder whose `node_modules/.bin` holds yarn 1, installed once per test run.
fn yarn_bin() -> &'static Path {
    static BIN: OnceLock<PathBuf> = OnceLock::new();
    BIN.get_or_init(|| {
        let base = option_env!("CARGO_TARGET_TMPDIR").unwrap_or("target");
        let dir = Path::new(base).join("yarn-1.22.22");
        let bin = dir.join("node_modules/.bin");
        if !bin.join("yarn").exists() {
            let mut command = Command::new("npm");
            command.args(["install", "--no-audit", "--no-fund", "--prefix"]).arg(&dir);
            command.arg("yarn@1.22.22");
            let output = output_within(command, Duration::from_secs(180));
            assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
        }
        bin.canonicalize().expect("yarn's bin folder")
    })
}

/// Runs `npm run <script>` in `tree/<app>` and returns the steps its scripts logged.
fn steps_of(tree: &Path, app: &str, script: &str) -> Vec<String> {
    steps_with("npm", tree, app, script)
}

/// Runs `<tool> run <script>` in `tree/<app>` and returns the steps its scripts logged.
fn steps_with(tool: &str, tree: &Path, app: &str, script: &str) -> Vec<String> {
    let dir = tempfile::tempdir().unwrap();
    copy_tree(tree, dir.path());
    let app_dir = dir.path().join(app);
    let mut command = Command::new(tool);
    command.args(["run", script]).current_dir(&app_dir).env("npm_config_update_notifier", "false");
    if uses_yarn(tree, app) {
        let path = std::env::var_os("PATH").unwrap_or_default();
        let mut paths = vec![yarn_bin().to_path_buf()];
        paths.extend(std::env::split_paths(&path));
        command.env("PATH", std::env::join_paths(paths).unwrap());
    }
    // A self-call recurses until killed: the bound turns that into a failure.
    let output = output_within(command, Duration::from_secs(120));
    assert!(
        output.status.success(),
        "npm run {script} in {}/{app} failed:\n{}{}",
        tree.display(),
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    let log = std::fs::read_to_string(app_dir.join("build.log")).unwrap_or_default();
    log.lines().map(str::to_owned).collect()
}

/// The app's scripts call yarn.
fn uses_yarn(tree: &Path, app: &str) -> bool {
    let text = std::fs::read_to_string(tree.join(app).join("package.json")).unwrap_or_default();
    text.contains("\"yarn ")
}

fn case(fixture: &str, app: &str, expected: &[&str]) {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures").join(fixture);
    let on_heroku = steps_of(&root.join("in"), app, "heroku-postbuild");
    assert_eq!(on_heroku, expected, "{fixture}/{app}: what Heroku ran");
    let on_code_capsules = steps_of(&root.join("out"), app, "build");
    assert_eq!(on_code_capsules, expected, "{fixture}/{app}: what `npm run build` runs now");
}

#[test]
fn npm_run_build_with_pre_and_post_hooks_runs_each_step_once_in_herokus_order() {
    case("postbuild-runs-build", ".", &["clean", "compile", "bundle", "copy-assets"]);
}

#[test]
fn npm_run_script_with_arguments_inside_a_chain() {
    case("postbuild-chains", "web", &["icons", "compile --minify", "copy"]);
}

#[test]
fn a_build_of_another_folder_is_not_the_apps_own() {
    case("postbuild-chains", "worker", &["client-build", "after-client"]);
}

#[test]
fn yarn_build_with_a_client_folder_and_another_script() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/postbuild-yarn-client");
    let expected = ["client-build", "deploy"];
    // Heroku ran a yarn app's postbuild with yarn.
    let yarn = yarn_bin().join("yarn");
    let yarn = yarn.to_str().unwrap();
    assert_eq!(steps_with(yarn, &root.join("in"), ".", "heroku-postbuild"), expected);
    assert_eq!(steps_of(&root.join("out"), ".", "build"), expected);
}
