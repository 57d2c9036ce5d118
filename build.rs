//! Lists the fixture cases for the integration tests: every `fixtures/<case>/` with an
//! `in/` folder becomes one `#[test]` named `fixture_<case>` (`-` as `_`), so a single
//! case runs alone (`cargo test --test tests fixture_monorepo`) and fails alone.
//!
//! The library does not use the list; it is written to `OUT_DIR` for `tests/fixtures.rs`.

use std::fmt::Write as _;
use std::path::Path;

fn main() {
    // Cargo scans a folder given here for changes below it: a new or renamed case
    // regenerates the list.
    println!("cargo::rerun-if-changed=fixtures");
    println!("cargo::rerun-if-changed=build.rs");
    let root =
        Path::new(&std::env::var_os("CARGO_MANIFEST_DIR").expect("set by cargo")).join("fixtures");
    let mut cases: Vec<String> = std::fs::read_dir(&root)
        .map(|dir| {
            dir.filter_map(Result::ok)
                .filter(|entry| entry.path().join("in").is_dir())
                .filter_map(|entry| entry.file_name().into_string().ok())
                .collect()
        })
        .unwrap_or_default();
    cases.sort();
    let mut out = String::from("fixture_cases! {\n");
    for case in &cases {
        let name: String = case
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() { c.to_ascii_lowercase() } else { '_' })
            .collect();
        writeln!(out, "    fixture_{name} => {case:?},").expect("writing to a String");
    }
    out.push_str("}\n");
    let target =
        Path::new(&std::env::var_os("OUT_DIR").expect("set by cargo")).join("fixture_cases.rs");
    std::fs::write(target, out).expect("OUT_DIR is writable");
}
