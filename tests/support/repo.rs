//! Temporary git repositories made by the tests, isolated from the machine's git config.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// Environment that isolates git from the user's and the system's config, with fixed
/// dates so commit ids are stable.
pub const GIT_ENV: &[(&str, &str)] = &[
    ("GIT_CONFIG_GLOBAL", "/dev/null"),
    ("GIT_CONFIG_NOSYSTEM", "1"),
    ("GIT_AUTHOR_DATE", "2026-01-01T00:00:00Z"),
    ("GIT_COMMITTER_DATE", "2026-01-01T00:00:00Z"),
    ("GIT_AUTHOR_NAME", "Test Author"),
    ("GIT_AUTHOR_EMAIL", "author@example.com"),
    ("GIT_COMMITTER_NAME", "Test Author"),
    ("GIT_COMMITTER_EMAIL", "author@example.com"),
];

pub struct TempRepo {
    // Held for its Drop: the folder goes away with the repo.
    _dir: tempfile::TempDir,
    pub path: PathBuf,
}

impl TempRepo {
    /// An empty repository on branch `main`, with a local identity.
    pub fn new() -> TempRepo {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("repo");
        std::fs::create_dir(&path).unwrap();
        let repo = TempRepo { _dir: dir, path };
        repo.git(&["init", "-q", "-b", "main"]);
        repo.git(&["config", "user.name", "Test Author"]);
        repo.git(&["config", "user.email", "author@example.com"]);
        repo.git(&["config", "core.autocrlf", "false"]);
        repo
    }

    /// A repository whose first commit holds a copy of `tree`.
    pub fn with_tree(tree: &Path) -> TempRepo {
        let repo = TempRepo::new();
        copy_tree(tree, &repo.path);
        repo.commit_all("Initial commit");
        repo
    }

    pub fn commit_all(&self, message: &str) {
        self.git(&["add", "-A"]);
        self.git(&["commit", "-q", "--allow-empty", "-m", message]);
    }

    pub fn write(&self, rel: &str, content: &str) {
        let path = self.path.join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, content).unwrap();
    }

    /// Runs git, asserting success; returns stdout.
    pub fn git(&self, args: &[&str]) -> String {
        let out = self.git_output(args);
        assert!(
            out.status.success(),
            "git {args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    pub fn git_output(&self, args: &[&str]) -> Output {
        let mut cmd = Command::new("git");
        cmd.args(args).current_dir(&self.path);
        for (k, v) in GIT_ENV {
            cmd.env(k, v);
        }
        cmd.output().expect("git runs")
    }

    pub fn git_with_stdin(&self, args: &[&str], stdin: &[u8]) -> Output {
        use std::io::Write;
        let mut cmd = Command::new("git");
        cmd.args(args).current_dir(&self.path);
        for (k, v) in GIT_ENV {
            cmd.env(k, v);
        }
        cmd.stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped());
        let mut child = cmd.spawn().expect("git runs");
        child.stdin.take().unwrap().write_all(stdin).unwrap();
        child.wait_with_output().unwrap()
    }

    pub fn rev_parse(&self, rev: &str) -> String {
        self.git(&["rev-parse", rev]).trim().to_owned()
    }

    /// Every file of `rev`'s tree with its bytes, sorted by path.
    pub fn tree_files(&self, rev: &str) -> Vec<(String, Vec<u8>)> {
        let list = self.git(&["ls-tree", "-r", "-z", "--name-only", rev]);
        let mut files = Vec::new();
        for path in list.split('\0').filter(|p| !p.is_empty()) {
            let out = self.git_output(&["cat-file", "blob", &format!("{rev}:{path}")]);
            assert!(out.status.success());
            files.push((path.to_owned(), out.stdout));
        }
        files
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
