//! Temporary git repositories for tests, isolated from the machine they run on: no system
//! or global git config, no `GIT_*` variable of the environment (`GIT_DIR` would point
//! git at another repository), a fixed identity and fixed dates, so a commit's id is the
//! same on every machine, as gitoxide's test tools make theirs.
//!
//! The one git helper of the crate's unit tests (`crate::testing`) and of the integration
//! tests (`tests/support`, which include this file with `#[path]`), so it uses only std
//! and tempfile.

#![allow(dead_code)] // Each test binary uses its own part.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

/// Every commit date in tests, for git and gix alike, so ids are reproducible.
pub const DATE: &str = "1700000000 +0000";
/// The identity of every test commit.
pub const NAME: &str = "Test User";
pub const EMAIL: &str = "test@example.com";

/// Variables that would point git at another repository, index or object store, or
/// bring the machine's identity or dates in.
const CLEARED: &[&str] = &[
    "GIT_DIR",
    "GIT_WORK_TREE",
    "GIT_INDEX_FILE",
    "GIT_OBJECT_DIRECTORY",
    "GIT_ALTERNATE_OBJECT_DIRECTORIES",
    "GIT_COMMON_DIR",
    "GIT_NAMESPACE",
    "GIT_CEILING_DIRECTORIES",
    "GIT_CONFIG",
    "GIT_CONFIG_COUNT",
    "GIT_CONFIG_PARAMETERS",
    "GIT_AUTHOR_NAME",
    "GIT_AUTHOR_EMAIL",
    "GIT_AUTHOR_DATE",
    "GIT_COMMITTER_NAME",
    "GIT_COMMITTER_EMAIL",
    "GIT_COMMITTER_DATE",
    "EMAIL",
];

/// Isolates `cmd`: git, or any program that reads git config (this tool's binary): only
/// the repository's own config, the test identity, fixed dates, C messages.
pub fn isolate(cmd: &mut Command) -> &mut Command {
    for var in CLEARED {
        cmd.env_remove(var);
    }
    cmd.env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_AUTHOR_NAME", NAME)
        .env("GIT_AUTHOR_EMAIL", EMAIL)
        .env("GIT_COMMITTER_NAME", NAME)
        .env("GIT_COMMITTER_EMAIL", EMAIL)
        .env("GIT_AUTHOR_DATE", DATE)
        .env("GIT_COMMITTER_DATE", DATE)
        .env("LC_ALL", "C")
}

/// `git ARGS` in `dir`, isolated.
pub fn git_command(dir: &Path, args: &[&str]) -> Command {
    let mut cmd = Command::new("git");
    cmd.current_dir(dir).args(args);
    isolate(&mut cmd);
    cmd
}

/// Runs git in `dir`, panics with its stderr when it fails, returns its stdout without
/// the final line break.
pub fn git(dir: &Path, args: &[&str]) -> String {
    let out = git_command(dir, args).output().expect("git runs");
    assert!(out.status.success(), "git {args:?} failed: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).expect("utf-8 output").trim_end().to_owned()
}

/// Runs git in `dir` with `stdin` as its input; returns what it did, success or not.
pub fn git_with_stdin(dir: &Path, args: &[&str], stdin: &[u8]) -> Output {
    use std::io::Write;
    let mut child = git_command(dir, args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("git runs");
    child.stdin.take().expect("piped").write_all(stdin).expect("git reads its input");
    child.wait_with_output().expect("git ends")
}

/// A repository in a temporary folder, removed when dropped.
pub struct TestRepo {
    // Held for its Drop: the folder goes away with the repository.
    _dir: tempfile::TempDir,
    /// The work tree (or the bare repository).
    pub path: PathBuf,
}

impl TestRepo {
    /// A new repository on branch `main` with a repo-local identity and no commits.
    pub fn empty() -> TestRepo {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("repo");
        std::fs::create_dir(&path).expect("mkdir");
        git(&path, &["init", "-q", "-b", "main"]);
        // In the repository too: the tool reads the identity from config, not from git's
        // environment.
        git(&path, &["config", "user.name", NAME]);
        git(&path, &["config", "user.email", EMAIL]);
        TestRepo { _dir: dir, path }
    }

    /// A repository whose first commit holds `files` (path, content).
    pub fn with_files(files: &[(&str, &str)]) -> TestRepo {
        let repo = TestRepo::empty();
        for (path, content) in files {
            repo.write(path, content);
        }
        repo.commit_all("initial");
        repo
    }

    /// A folder next to the repository, removed with it.
    pub fn sibling(&self, name: &str) -> PathBuf {
        self.path.parent().expect("has parent").join(name)
    }

    pub fn write(&self, path: &str, content: &str) {
        self.write_bytes(path, content.as_bytes());
    }

    pub fn write_bytes(&self, path: &str, content: &[u8]) {
        let full = self.path.join(path);
        std::fs::create_dir_all(full.parent().expect("has parent")).expect("mkdir");
        std::fs::write(full, content).expect("write");
    }

    /// Makes a tracked file executable on disk and in the index, like `chmod +x`.
    #[cfg(unix)]
    pub fn make_executable(&self, path: &str) {
        use std::os::unix::fs::PermissionsExt;
        let full = self.path.join(path);
        std::fs::set_permissions(&full, std::fs::Permissions::from_mode(0o755)).expect("chmod");
        self.git(&["add", path]);
    }

    /// Commits everything in the work tree (an empty commit when nothing changed).
    pub fn commit_all(&self, message: &str) {
        self.git(&["add", "-A"]);
        self.git(&["commit", "-q", "--allow-empty", "-m", message]);
    }

    /// Runs git, asserting success; returns stdout without the final line break.
    pub fn git(&self, args: &[&str]) -> String {
        git(&self.path, args)
    }

    /// Runs git; returns what it did, success or not.
    pub fn git_output(&self, args: &[&str]) -> Output {
        git_command(&self.path, args).output().expect("git runs")
    }

    pub fn git_with_stdin(&self, args: &[&str], stdin: &[u8]) -> Output {
        git_with_stdin(&self.path, args, stdin)
    }

    pub fn rev_parse(&self, rev: &str) -> String {
        self.git(&["rev-parse", rev])
    }

    /// Every file of `rev`'s tree with its bytes, sorted by path.
    pub fn tree_files(&self, rev: &str) -> Vec<(String, Vec<u8>)> {
        let list = self.git(&["ls-tree", "-r", "-z", "--name-only", rev]);
        let mut files = Vec::new();
        for path in list.split('\0').filter(|p| !p.is_empty()) {
            let out = self.git_output(&["cat-file", "blob", &format!("{rev}:{path}")]);
            assert!(out.status.success(), "{rev}:{path}");
            files.push((path.to_owned(), out.stdout));
        }
        files
    }
}
