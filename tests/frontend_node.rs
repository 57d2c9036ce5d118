//! The frontend build step's script, run with the real `node`: what it writes for the
//! values users set on Code Capsules, and how it fails when the value is missing or bad.

use std::fs;
use std::path::Path;
use std::process::{Command, Output};

use capsule_migrate::generate::frontend::build_script;

const SCRIPT: &str = "capsule-build-config.cjs";

/// A temp app folder holding the build script for `BACKEND_URL` -> `public/config.js`.
fn app_with_script(variable: &str, output: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    let vars = [(variable.to_owned(), "BACKEND_URL".to_owned())];
    fs::write(dir.path().join(SCRIPT), build_script(&vars, output)).unwrap();
    dir
}

/// Runs the script with `variable` set to `value` (or unset), isolated from the caller's
/// environment so a `BACKEND_URL` on the test machine cannot leak in.
fn run(dir: &Path, variable: &str, value: Option<&str>) -> Output {
    let mut command = Command::new("node");
    command.arg(SCRIPT).current_dir(dir).env_remove(variable);
    if let Some(value) = value {
        command.env(variable, value);
    }
    command.output().expect("`node` must be installed to run these tests")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// The URL line the script wrote, after checking it succeeded.
fn written(value: &str) -> String {
    let dir = app_with_script("BACKEND_URL", "public/config.js");
    let out = run(dir.path(), "BACKEND_URL", Some(value));
    assert!(out.status.success(), "{value:?} failed: {}", text(&out.stderr));
    let config = fs::read_to_string(dir.path().join("public/config.js")).unwrap();
    assert!(config.starts_with("// Generated"), "{config}");
    assert!(text(&out.stdout).contains("wrote public/config.js"), "{}", text(&out.stdout));
    config.lines().last().unwrap().to_string()
}

fn fails_naming_the_variable(value: Option<&str>, message: &str) {
    let dir = app_with_script("BACKEND_URL", "public/config.js");
    let out = run(dir.path(), "BACKEND_URL", value);
    assert_eq!(out.status.code(), Some(1), "{value:?} should fail");
    let stderr = text(&out.stderr);
    assert!(stderr.contains(message), "{value:?}: {stderr}");
    assert!(!dir.path().join("public").exists(), "{value:?} wrote a file");
}

#[test]
fn a_value_without_scheme_gets_https() {
    assert_eq!(
        written("api.example.codecapsules.space"),
        r#"window.BACKEND_URL = "https://api.example.codecapsules.space";"#
    );
    assert_eq!(
        written("  api.example.codecapsules.space\n"),
        written("api.example.codecapsules.space")
    );
}

#[test]
fn a_scheme_is_kept_and_trailing_slashes_dropped() {
    assert_eq!(
        written("https://api.example.com/"),
        r#"window.BACKEND_URL = "https://api.example.com";"#
    );
    assert_eq!(
        written("http://localhost:3000//"),
        r#"window.BACKEND_URL = "http://localhost:3000";"#
    );
}

#[test]
fn port_and_path_are_preserved() {
    assert_eq!(
        written("api.example.com:8443/v1/"),
        r#"window.BACKEND_URL = "https://api.example.com:8443/v1";"#
    );
}

#[test]
fn unset_empty_and_blank_values_fail_with_a_hint() {
    let hint = "error: BACKEND_URL is not set: set it to the backend's URL \
                (for example BACKEND_URL=my-api.codecapsules.space)";
    fails_naming_the_variable(None, hint);
    fails_naming_the_variable(Some(""), hint);
    fails_naming_the_variable(Some("   "), hint);
}

#[test]
fn invalid_values_fail_naming_the_variable() {
    fails_naming_the_variable(Some("not a url"), "BACKEND_URL is not a valid URL");
    fails_naming_the_variable(Some("https://"), "BACKEND_URL is not a valid URL");
    fails_naming_the_variable(Some("ftp://files.example.com"), "BACKEND_URL must be an http");
}

#[test]
fn the_output_folder_is_created_and_the_file_sets_the_global() {
    let dir = app_with_script("API_BASE", "site/js/generated/config.js");
    let out = run(dir.path(), "API_BASE", Some("my-api.codecapsules.space"));
    assert!(out.status.success(), "{}", text(&out.stderr));
    let config = dir.path().join("site/js/generated/config.js");
    // Run the written file as a browser would, with a `window` object, and read it back.
    let check = Command::new("node")
        .arg("-e")
        .arg(
            "const window = {}; eval(require('fs').readFileSync(process.argv[1], 'utf8')); \
             process.stdout.write(window.BACKEND_URL);",
        )
        .arg(&config)
        .output()
        .unwrap();
    assert!(check.status.success(), "{}", text(&check.stderr));
    assert_eq!(text(&check.stdout), "https://my-api.codecapsules.space");
}

#[test]
fn the_script_runs_in_an_esm_package_and_passes_node_check() {
    let dir = app_with_script("BACKEND_URL", "public/config.js");
    fs::write(dir.path().join("package.json"), r#"{ "type": "module" }"#).unwrap();
    let check = Command::new("node").arg("--check").arg(SCRIPT).current_dir(dir.path()).output();
    assert!(check.unwrap().status.success());
    let out = run(dir.path(), "BACKEND_URL", Some("api.example.com"));
    assert!(out.status.success(), "{}", text(&out.stderr));
    assert!(dir.path().join("public/config.js").is_file());
}

/// A frontend that calls two backends gets one variable and one global each; one unset
/// variable fails the build before anything is written.
#[test]
fn two_backends_give_two_globals_and_both_must_be_set() {
    let dir = tempfile::tempdir().expect("temp dir");
    let vars = [
        ("BACKEND_URL_API".to_owned(), "BACKEND_URL_API".to_owned()),
        ("BACKEND_URL_AUTH".to_owned(), "BACKEND_URL_AUTH".to_owned()),
    ];
    fs::write(dir.path().join(SCRIPT), build_script(&vars, "config.js")).unwrap();
    let mut command = Command::new("node");
    command.arg(SCRIPT).current_dir(dir.path()).env("BACKEND_URL_API", "api.example.com");
    let out = command.env_remove("BACKEND_URL_AUTH").output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(text(&out.stderr).contains("BACKEND_URL_AUTH is not set"), "{}", text(&out.stderr));
    assert!(!dir.path().join("config.js").exists());

    let out = Command::new("node")
        .arg(SCRIPT)
        .current_dir(dir.path())
        .env("BACKEND_URL_API", "api.example.com")
        .env("BACKEND_URL_AUTH", "http://localhost:4000/")
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", text(&out.stderr));
    let config = fs::read_to_string(dir.path().join("config.js")).unwrap();
    let lines: Vec<&str> = config.lines().skip(1).collect();
    assert_eq!(
        lines,
        [
            r#"window.BACKEND_URL_API = "https://api.example.com";"#,
            r#"window.BACKEND_URL_AUTH = "http://localhost:4000";"#
        ]
    );
}
