//! The dependency check: every top-level module of `src/` uses only the modules below
//! it in [`ORDER`], so the arrows point one way and a cycle cannot come back unnoticed.
//!
//! It reads the source, as a reviewer would: every `crate::NAME` path outside comments
//! and outside test code (files named `tests.rs`, folders named `tests/`, and everything
//! from a file's first `#[cfg(test)]` on, where this crate keeps its test modules). Tests
//! may drive the whole pipeline from any module; test helpers live in `testing`.

/// The top-level modules, highest first: each may use only the modules after it. The
/// README's Development section describes the same order.
const ORDER: &[&str] = &[
    "cli",
    "many",
    "verify",
    "app",
    "publish",
    "sink",
    "migration",
    "saved",
    "plan",
    "generate",
    "capsules",
    "rules",
    "edit",
    "inventory",
    "change",
    "remote",
    "testing",
    "source",
    "component",
    "herokuapp",
    "shell",
    "lang",
    "semver",
    "settings",
    "diag",
    "progress",
    "terminal",
    "pool",
];

use std::path::{Path, PathBuf};

/// The `crate::NAME` top-level modules named in `text`, outside comments and test code.
fn used_modules(text: &str) -> Vec<String> {
    let mut used = Vec::new();
    for line in text.lines() {
        if line.trim_start().starts_with("#[cfg(test)]") {
            break;
        }
        let code = line.split("//").next().unwrap_or_default();
        for (at, _) in code.match_indices("crate::") {
            let before = code[..at].chars().next_back();
            if before.is_some_and(|c| c.is_alphanumeric() || c == '_') {
                continue; // `capsule_migrate::` or a longer name ending in `crate`.
            }
            let name: String = code[at + "crate::".len()..]
                .chars()
                .take_while(|c| c.is_alphanumeric() || *c == '_')
                .collect();
            if !name.is_empty() && !used.contains(&name) {
                used.push(name);
            }
        }
    }
    used
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            if path.file_name().is_some_and(|n| n != "tests") {
                rust_files(&path, out);
            }
        } else if path.extension().is_some_and(|e| e == "rs")
            && path.file_name().is_some_and(|n| n != "tests.rs")
        {
            out.push(path);
        }
    }
}

#[test]
fn every_module_uses_only_the_modules_below_it() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    rust_files(&src, &mut files);
    files.sort();
    let mut wrong = Vec::new();
    for file in &files {
        let relative = file.strip_prefix(&src).unwrap();
        let first = relative.components().next().unwrap().as_os_str().to_str().unwrap();
        let top = first.strip_suffix(".rs").unwrap_or(first);
        if top == "lib" || top == "main" || top == "layers" {
            continue;
        }
        let Some(rank) = ORDER.iter().position(|m| *m == top) else {
            wrong.push(format!("{}: module `{top}` is not in layers::ORDER", relative.display()));
            continue;
        };
        let text = std::fs::read_to_string(file).unwrap();
        for used in used_modules(&text) {
            if used == top {
                continue;
            }
            match ORDER.iter().position(|m| *m == used) {
                Some(at) if at > rank => {}
                Some(_) => wrong.push(format!(
                    "{}: `{top}` uses `crate::{used}`, which is above it in layers::ORDER",
                    relative.display()
                )),
                None => wrong.push(format!(
                    "{}: uses `crate::{used}`, which is not in layers::ORDER",
                    relative.display()
                )),
            }
        }
    }
    assert!(wrong.is_empty(), "dependencies that point up:\n{}", wrong.join("\n"));
}

#[test]
fn the_reader_skips_comments_test_code_and_other_crates() {
    let text = "use crate::plan::Plan;\n\
                // crate::sink in a comment\n\
                let x = capsule_migrate::cli::run; /// [`crate::app`]\n\
                fn f() { crate::diag::x(); crate::plan::y(); }\n\
                #[cfg(test)]\n\
                mod tests { use crate::sink; }\n";
    assert_eq!(used_modules(text), ["plan", "diag"]);
}
