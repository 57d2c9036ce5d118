//! Facts the README and Cargo.toml state about the project itself, checked against what
//! they describe.

use std::path::Path;
use std::process::Command;

/// `major.minor` as a comparable pair.
fn version(text: &str) -> (u32, u32) {
    let mut parts = text.split('.').map(|p| p.parse::<u32>().expect("a number in a Rust version"));
    (parts.next().expect("a major"), parts.next().unwrap_or(0))
}

/// The `rust-version` Cargo.toml states must build every locked dependency: a crate whose
/// own `rust-version` is newer cannot compile on the stated minimum.
#[test]
fn stated_rust_version_builds_every_locked_dependency() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    // Only the crates this platform builds: others (Windows, macOS) may not be downloaded.
    let rustc = Command::new("rustc").arg("-vV").output().expect("rustc runs");
    let rustc = String::from_utf8_lossy(&rustc.stdout).into_owned();
    let host = rustc.lines().find_map(|l| l.strip_prefix("host: ")).expect("rustc's host");
    let output = Command::new(env!("CARGO"))
        .args(["metadata", "--format-version", "1", "--locked", "--offline"])
        .args(["--filter-platform", host])
        .current_dir(root)
        .output()
        .expect("cargo metadata runs");
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let metadata: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let packages = metadata["packages"].as_array().unwrap();
    let ours = packages.iter().find(|p| p["name"] == "capsule-migrate").unwrap();
    let stated = version(ours["rust_version"].as_str().expect("Cargo.toml states rust-version"));
    let needs: Vec<String> = packages
        .iter()
        .filter_map(|p| Some((p["name"].as_str()?, p["rust_version"].as_str()?)))
        .filter(|(_, v)| version(v) > stated)
        .map(|(name, v)| format!("{name} needs {v}"))
        .collect();
    assert!(needs.is_empty(), "rust-version {stated:?} is too old: {}", needs.join(", "));

    let readme = std::fs::read_to_string(root.join("README.md")).unwrap();
    let said = format!("Rust ({}.{} or later)", stated.0, stated.1);
    assert!(readme.contains(&said), "the README should say {said:?}");
}

/// Every `capsule-migrate` command line in the docs' GitHub Actions workflow and in the
/// README's options uses only flags the program has.
#[test]
fn documented_command_lines_use_flags_that_exist() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut checked = 0;
    for doc in ["docs/github-actions.md", "README.md"] {
        let text = std::fs::read_to_string(root.join(doc)).unwrap();
        for line in text.lines() {
            let Some((_, rest)) = line.split_once("capsule-migrate ") else { continue };
            let mut words = rest.split_whitespace();
            let Some(command) = words.next().filter(|c| ["plan", "diff", "apply"].contains(c))
            else {
                continue;
            };
            let (code, help, _) = crate::support::repo::run_tool(&[command, "--help"]);
            assert_eq!(code, 0);
            let words = words.map(|w| w.trim_start_matches(['[', '`']));
            for flag in words.filter(|w| w.starts_with("--")) {
                let flag = flag.trim_end_matches(['`', ',', ')', ']', '|']);
                let flag = flag.split(['=', '`', '[']).next().unwrap();
                assert!(help.contains(flag), "{doc}: `{command} {flag}` is not a flag: {line}");
                checked += 1;
            }
        }
    }
    assert!(checked >= 10, "too few flags found in the docs: {checked}");
}
