//! The `heroku-postbuild` fixtures built for real with npm: `npm run build` on the
//! migrated tree (what Code Capsules runs) must finish and run exactly the steps, in the
//! order, that `npm run heroku-postbuild` ran on the original tree (what Heroku ran
//! instead of `build`): each once, no self-call.

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use crate::support::node::output_within;
use crate::support::repo::copy_tree;

/// Runs `npm run <script>` in `tree/<app>` and returns the steps its scripts logged.
fn steps_of(tree: &Path, app: &str, script: &str) -> Vec<String> {
    let dir = tempfile::tempdir().unwrap();
    copy_tree(tree, dir.path());
    let app_dir = dir.path().join(app);
    let mut command = Command::new("npm");
    command.args(["run", script]).current_dir(&app_dir).env("npm_config_update_notifier", "false");
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
