//! The migrated fixtures install with the real package managers' frozen installs, as
//! Code Capsules installs them: `npm ci`, yarn 1 `install --frozen-lockfile`, yarn 4
//! `install --immutable`, pnpm 9 `install --frozen-lockfile`. Each case also runs the same install with the lockfile
//! as it was before the migration, which must fail: the migrated package.json needs the
//! migrated lockfile.
//!
//! The fixture harness checks that `out/` is exactly what `apply` commits; here `out/`
//! is installed. Downloads are cached under `target/tmp/package-managers-cache`. The
//! migrated package.json pins `engines.node` to 24.x while the tests run on any Node 20+,
//! so yarn runs with `--ignore-engines` (npm and pnpm only warn).

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use super::support::node::{output_within, package_manager};

const TIMEOUT: Duration = Duration::from_secs(300);

fn fixture(case: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures").join(case)
}

/// A copy of `fixtures/<case>/out`, or of it with the files of `in/` named in `before`.
fn migrated_tree(case: &str, before: &[&str]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    copy_dir(&fixture(case).join("out"), dir.path());
    for file in before {
        std::fs::copy(fixture(case).join("in").join(file), dir.path().join(file))
            .expect("copy the lockfile as it was");
    }
    dir
}

fn copy_dir(from: &Path, to: &Path) {
    for entry in std::fs::read_dir(from).expect("read fixture") {
        let entry = entry.expect("entry");
        let target = to.join(entry.file_name());
        if entry.file_type().expect("type").is_dir() {
            std::fs::create_dir_all(&target).expect("mkdir");
            copy_dir(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), &target).expect("copy");
        }
    }
}

fn cache() -> PathBuf {
    let base = option_env!("CARGO_TARGET_TMPDIR").unwrap_or("target");
    let dir = Path::new(base).join("package-managers-cache");
    std::fs::create_dir_all(&dir).expect("cache dir");
    dir.canonicalize().expect("cache dir")
}

/// Runs the frozen install of `manager` in `dir`; returns whether it succeeded, and its
/// output for the failure message.
fn frozen_install(manager: &str, dir: &Path) -> (bool, String) {
    let command = match manager {
        "npm" => {
            let mut c = Command::new("npm");
            c.args(["ci", "--ignore-scripts", "--no-audit", "--no-fund", "--prefer-offline"]);
            c
        }
        "yarn" => {
            let mut c = package_manager("yarn");
            c.args(["install", "--frozen-lockfile", "--ignore-scripts", "--ignore-engines"]);
            c.args(["--non-interactive", "--no-progress", "--prefer-offline"]);
            c
        }
        "pnpm" => {
            let mut c = package_manager("pnpm");
            c.args(["install", "--frozen-lockfile", "--ignore-scripts", "--prefer-offline"]);
            c
        }
        other => panic!("no package manager {other}"),
    };
    run_in(command, dir)
}

/// Runs a package manager's `command` in `dir` with the caches under `target/`.
fn run_in(mut command: Command, dir: &Path) -> (bool, String) {
    let cache = cache();
    command
        .current_dir(dir)
        .env("CI", "true")
        .env("npm_config_cache", cache.join("npm"))
        .env("npm_config_update_notifier", "false")
        .env("YARN_CACHE_FOLDER", cache.join("yarn"))
        .env("npm_config_store_dir", cache.join("pnpm-store"));
    let shown: Vec<String> = command.get_args().map(|a| a.to_string_lossy().into_owned()).collect();
    let output = output_within(command, TIMEOUT);
    let log = format!(
        "{} in {}: {}\nstdout:\n{}\nstderr:\n{}",
        shown.join(" "),
        dir.display(),
        output.status,
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    (output.status.success(), log)
}

fn installed_version(dir: &Path, package: &str) -> String {
    let manifest = dir.join("node_modules").join(package).join("package.json");
    let text = std::fs::read_to_string(&manifest)
        .unwrap_or_else(|e| panic!("{}: {e}", manifest.display()));
    let json: serde_json::Value = serde_json::from_str(&text).expect("package.json");
    json["version"].as_str().expect("version").to_owned()
}

/// The migrated tree installs, node-cron 4.6.0 with it; with the old lockfile it does not.
fn check(case: &str, manager: &str, lockfile: &str, install_dir: &str) {
    let tree = installs(case, manager, lockfile, install_dir);
    drop(tree);
    let stale = migrated_tree(case, &[lockfile]);
    let (ok, log) = frozen_install(manager, stale.path());
    assert!(!ok, "{case} with the lockfile as it was must not install:\n{log}");
}

/// The migrated tree installs with node-cron 4.6.0; for yarn, a plain `yarn install`
/// afterwards leaves yarn.lock byte for byte as the migration wrote it (yarn rewrites a
/// lockfile it would have written differently).
fn installs(case: &str, manager: &str, lockfile: &str, install_dir: &str) -> tempfile::TempDir {
    let tree = migrated_tree(case, &[]);
    let (ok, log) = frozen_install(manager, tree.path());
    assert!(ok, "the migrated {case} must install:\n{log}");
    assert_eq!(installed_version(&tree.path().join(install_dir), "node-cron"), "4.6.0");
    if manager == "yarn" {
        let before = std::fs::read(tree.path().join(lockfile)).expect("read the lockfile");
        let mut plain = package_manager("yarn");
        plain.args(["install", "--ignore-scripts", "--ignore-engines", "--prefer-offline"]);
        let (ok, log) = run_in(plain, tree.path());
        assert!(ok, "{log}");
        let after = std::fs::read(tree.path().join(lockfile)).expect("read the lockfile");
        assert!(
            before == after,
            "yarn rewrote the migrated {case}/{lockfile}:\n{}",
            String::from_utf8_lossy(&after)
        );
    }
    tree
}

#[test]
fn npm_ci_installs_a_migrated_lockfile_v1_with_node_cron_3_upgraded() {
    check("lock-npm-v1", "npm", "package-lock.json", ".");
}

#[test]
fn npm_ci_installs_a_migrated_workspace_whose_member_gained_node_cron() {
    check("lock-npm-workspace", "npm", "package-lock.json", ".");
}

/// A yarn 2+ lockfile gets node-cron without the checksum only yarn computes: yarn 4's
/// `install --immutable` accepts it, installs node-cron 4.6.0 and fills the checksum
/// in; with the lockfile as it was, it refuses (YN0028).
#[test]
fn yarn_berry_immutable_install_of_a_migrated_yarn_lock() {
    let berry = |dir: &Path| {
        let mut command = package_manager("yarn-berry");
        command.args(["install", "--immutable", "--mode=skip-build"]);
        command
            .env("YARN_ENABLE_GLOBAL_CACHE", "false")
            .env("YARN_ENABLE_TELEMETRY", "false")
            .env("YARN_IGNORE_PATH", "true");
        let (ok, log) = run_in(command, dir);
        // Its own cache folder: yarn 1's in run_in holds another format.
        let _ = std::fs::remove_dir_all(dir.join(".yarn/cache"));
        (ok, log)
    };
    let tree = migrated_tree("lock-yarn-berry", &[]);
    let (ok, log) = berry(tree.path());
    assert!(ok, "the migrated lock-yarn-berry must install:\n{log}");
    let lock = std::fs::read_to_string(tree.path().join("yarn.lock")).expect("read yarn.lock");
    let entry = lock.split("\"node-cron@npm:^4.6.0\":").nth(1).expect("node-cron's entry");
    let entry = entry.split("\n\n").next().unwrap_or_default();
    assert!(entry.contains("resolution: \"node-cron@npm:4.6.0\""), "{lock}");
    assert!(entry.contains("checksum: "), "yarn filled no checksum in:\n{lock}");
    let stale = migrated_tree("lock-yarn-berry", &["yarn.lock"]);
    let (ok, log) = berry(stale.path());
    assert!(!ok, "lock-yarn-berry with the lockfile as it was must not install:\n{log}");
}

#[test]
fn yarn_1_frozen_install_of_a_migrated_yarn_lock() {
    check("lock-yarn1", "yarn", "yarn.lock", ".");
}

#[test]
fn pnpm_9_frozen_install_of_a_migrated_lockfile_with_node_cron_3_upgraded() {
    check("lock-pnpm9", "pnpm", "pnpm-lock.yaml", ".");
}

#[test]
fn both_lockfiles_of_a_two_lockfile_app_install() {
    check("lock-two-lockfiles", "npm", "package-lock.json", ".");
    check("lock-two-lockfiles", "yarn", "yarn.lock", ".");
}

#[test]
fn pnpm_9_frozen_install_of_a_migrated_workspace_whose_member_upgraded_node_cron() {
    check("lock-pnpm-workspace", "pnpm", "pnpm-lock.yaml", "apps/worker");
}

#[test]
fn npm_ci_installs_from_a_migrated_shrinkwrap_v2_indented_with_four_spaces() {
    check("lock-npm-shrinkwrap-v2", "npm", "npm-shrinkwrap.json", ".");
}

#[test]
fn yarn_1_frozen_install_of_a_migrated_workspace_where_a_sibling_keeps_node_cron_3() {
    // yarn 1 does not enforce --frozen-lockfile in workspaces (it installed the stale
    // lockfile here), so the check that counts is that yarn would not change yarn.lock.
    let tree = installs("lock-yarn-workspace", "yarn", "yarn.lock", "services/mailer");
    let api = tree.path().join("services/api");
    let at = if api.join("node_modules/node-cron").exists() { api } else { tree.path().into() };
    assert_eq!(installed_version(&at, "node-cron"), "3.0.3", "the sibling keeps its version");

    // With the lockfile as it was, yarn would change it: the check above can fail.
    let stale = migrated_tree("lock-yarn-workspace", &["yarn.lock"]);
    let before = std::fs::read(stale.path().join("yarn.lock")).expect("read");
    let mut plain = package_manager("yarn");
    plain.args(["install", "--ignore-scripts", "--ignore-engines", "--prefer-offline"]);
    let (ok, log) = run_in(plain, stale.path());
    assert!(ok, "{log}");
    assert!(std::fs::read(stale.path().join("yarn.lock")).expect("read") != before);
}

#[test]
fn pnpm_9_frozen_install_of_a_migrated_lockfile_that_prettier_formatted() {
    check("lock-pnpm-prettier", "pnpm", "pnpm-lock.yaml", ".");
}
