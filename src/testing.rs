//! Temporary repositories made with the real `git`, isolated from the machine's config:
//! the test support of every module that reads or writes a repository.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::source::{Error, GitSource};

/// Every commit date in tests, for git and gix alike, so ids are reproducible.
pub const DATE: &str = "1700000000 +0000";
pub const NAME: &str = "Test User";
pub const EMAIL: &str = "test@example.com";

/// Variables that would point git elsewhere or supply an identity.
const CLEARED: &[&str] = &[
    "GIT_DIR",
    "GIT_WORK_TREE",
    "GIT_INDEX_FILE",
    "GIT_OBJECT_DIRECTORY",
    "GIT_ALTERNATE_OBJECT_DIRECTORIES",
    "GIT_COMMON_DIR",
    "GIT_NAMESPACE",
    "GIT_AUTHOR_NAME",
    "GIT_AUTHOR_EMAIL",
    "GIT_COMMITTER_NAME",
    "GIT_COMMITTER_EMAIL",
    "EMAIL",
];

pub fn git_command(dir: &Path, args: &[&str]) -> Command {
    let mut cmd = Command::new("git");
    cmd.current_dir(dir)
        .args(args)
        .env("GIT_CONFIG_GLOBAL", "/dev/null")
        .env("GIT_CONFIG_NOSYSTEM", "1")
        .env("GIT_AUTHOR_DATE", DATE)
        .env("GIT_COMMITTER_DATE", DATE)
        .env("LC_ALL", "C");
    for var in CLEARED {
        cmd.env_remove(var);
    }
    cmd
}

/// Runs git in `dir`, panics with its stderr when it fails, returns trimmed stdout.
pub fn git(dir: &Path, args: &[&str]) -> String {
    let out = git_command(dir, args).output().expect("git runs");
    assert!(out.status.success(), "git {args:?} failed: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout).expect("utf-8 output").trim_end().to_owned()
}

/// Opens like the real tool, but reading only the repository's own config.
pub fn open_isolated(path: &Path) -> Result<Option<GitSource>, Error> {
    let options = gix::open::Options::isolated().config_overrides([
        format!("gitoxide.commit.authorDate={DATE}"),
        format!("gitoxide.commit.committerDate={DATE}"),
    ]);
    GitSource::open_with(path, options)
}

pub struct TestRepo {
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
        let full = self.path.join(path);
        std::fs::create_dir_all(full.parent().expect("has parent")).expect("mkdir");
        std::fs::write(full, content).expect("write");
    }

    /// Makes a tracked file executable on disk and in the index, like `chmod +x`.
    pub fn make_executable(&self, path: &str) {
        use std::os::unix::fs::PermissionsExt;
        let full = self.path.join(path);
        std::fs::set_permissions(&full, std::fs::Permissions::from_mode(0o755)).expect("chmod");
        self.git(&["add", path]);
    }

    pub fn commit_all(&self, message: &str) {
        self.git(&["add", "-A"]);
        self.git(&["commit", "-q", "-m", message]);
    }

    pub fn git(&self, args: &[&str]) -> String {
        git(&self.path, args)
    }

    pub fn open(&self) -> GitSource {
        open_isolated(&self.path).expect("opens").expect("is a repository")
    }
}
