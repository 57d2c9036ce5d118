//! Temporary git repositories made by the tests, isolated from the machine's git config:
//! the crate's one git test helper (`src/testing/repo.rs`), with what the integration
//! tests add (a repository holding a copy of a fixture tree, running the tool in-process).

use std::ops::Deref;
use std::path::Path;
use std::process::Command;

#[path = "../../src/testing/repo.rs"]
mod shared;

pub use shared::{EMAIL, NAME, isolate};

/// `git`, isolated like every git the tests run: for a command outside a [`TempRepo`]
/// (a bare remote, a clone).
pub fn git() -> Command {
    let mut cmd = Command::new("git");
    isolate(&mut cmd);
    cmd
}

/// A [`shared::TestRepo`] as the integration tests use it: `git` gives stdout whole,
/// trailing line break included, since they compare file contents and listings.
pub struct TempRepo(shared::TestRepo);

impl Deref for TempRepo {
    type Target = shared::TestRepo;

    fn deref(&self) -> &shared::TestRepo {
        &self.0
    }
}

impl TempRepo {
    /// An empty repository on branch `main`, with a local identity.
    pub fn new() -> TempRepo {
        TempRepo(shared::TestRepo::empty())
    }

    /// A repository whose first commit holds a copy of `tree`.
    pub fn with_tree(tree: &Path) -> TempRepo {
        let repo = TempRepo::new();
        copy_tree(tree, &repo.path);
        repo.commit_all("Initial commit");
        repo
    }

    /// Runs git, asserting success; returns stdout as it is.
    pub fn git(&self, args: &[&str]) -> String {
        let out = self.git_output(args);
        assert!(
            out.status.success(),
            "git {args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }
}

/// Copies a folder tree (files and folders only).
pub fn copy_tree(from: &Path, to: &Path) {
    for entry in walkdir::WalkDir::new(from).sort_by_file_name() {
        let entry = entry.unwrap();
        let rel = entry.path().strip_prefix(from).unwrap();
        let target = to.join(rel);
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&target).unwrap();
        } else {
            std::fs::copy(entry.path(), &target).unwrap();
        }
    }
}

/// Every file under `dir` with its bytes, sorted by repo-style path; `.git` is skipped.
pub fn dir_files(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut files = Vec::new();
    let walk = walkdir::WalkDir::new(dir).sort_by_file_name().into_iter();
    for entry in walk.filter_entry(|e| e.file_name() != ".git") {
        let entry = entry.unwrap();
        if entry.file_type().is_file() {
            let rel = entry.path().strip_prefix(dir).unwrap().to_string_lossy().replace('\\', "/");
            files.push((rel, std::fs::read(entry.path()).unwrap()));
        }
    }
    files.sort();
    files
}

/// Runs the tool in-process, as the command line would; returns (code, stdout, stderr).
pub fn run_tool(args: &[&str]) -> (i32, String, String) {
    let mut argv = vec!["capsule-migrate"];
    argv.extend_from_slice(args);
    let mut out = Vec::new();
    let mut err = Vec::new();
    let code = capsule_migrate::cli::run(argv, &mut out, &mut err);
    (code, String::from_utf8_lossy(&out).into_owned(), String::from_utf8_lossy(&err).into_owned())
}
