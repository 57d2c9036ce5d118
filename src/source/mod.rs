//! The files of the repository being migrated.
//!
//! In a git repository the files are HEAD's tree, read through gix: that is what the new
//! branch is based on. In a plain directory they come from a walk of the folder (dry runs
//! only). Either way the listing is cheap and contents are read on demand, so a rule that
//! needs three files of a 20,000-file monorepo reads three blobs.

mod dir;
mod git;

pub use dir::DirSource;
pub use git::GitSource;

use std::path::PathBuf;

/// How a file is stored, as git records it. Only `File` and `Executable` are ever read
/// or edited; the others are listed so they can be reported and kept as they are.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum EntryKind {
    File,
    Executable,
    Symlink,
    Submodule,
}

impl EntryKind {
    /// The mode git writes in a patch header for this kind.
    pub fn git_mode(self) -> &'static str {
        match self {
            EntryKind::File => "100644",
            EntryKind::Executable => "100755",
            EntryKind::Symlink => "120000",
            EntryKind::Submodule => "160000",
        }
    }

    pub fn is_regular(self) -> bool {
        matches!(self, EntryKind::File | EntryKind::Executable)
    }
}

/// One entry of the listing: a repo-relative path with `/` separators.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub path: String,
    pub kind: EntryKind,
    /// Size in bytes when cheap to know (plain directories); `None` for git blobs.
    pub size: Option<u64>,
}

#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{path}: {message}")]
    Open { path: PathBuf, message: String },
    #[error("{path}: cannot read: {message}")]
    Read { path: String, message: String },
    #[error(
        "{path}: the repository has no commits yet; commit the app first, then run capsule-migrate"
    )]
    NoCommits { path: PathBuf },
}

/// The repository's files, from git or from a plain directory.
pub enum Source {
    Git(GitSource),
    Dir(DirSource),
}

impl Source {
    /// Opens `path`: HEAD's tree when it is (inside) a git work tree or a bare repository,
    /// else a plain directory walk.
    pub fn open(path: &std::path::Path) -> Result<Source, Error> {
        if !path.is_dir() {
            return Err(Error::Open {
                path: path.to_owned(),
                message: "not a directory; pass the folder of the repository to migrate".into(),
            });
        }
        match GitSource::open(path)? {
            Some(git) => Ok(Source::Git(git)),
            None => Ok(Source::Dir(DirSource::open(path)?)),
        }
    }

    /// Every entry, sorted by path.
    pub fn entries(&self) -> &[Entry] {
        match self {
            Source::Git(g) => g.entries(),
            Source::Dir(d) => d.entries(),
        }
    }

    pub fn entry(&self, path: &str) -> Option<&Entry> {
        let entries = self.entries();
        entries.binary_search_by(|e| e.path.as_str().cmp(path)).ok().map(|i| &entries[i])
    }

    /// The bytes of a regular file.
    pub fn read(&self, path: &str) -> Result<Vec<u8>, Error> {
        match self {
            Source::Git(g) => g.read(path),
            Source::Dir(d) => d.read(path),
        }
    }

    pub fn git(&self) -> Option<&GitSource> {
        match self {
            Source::Git(g) => Some(g),
            Source::Dir(_) => None,
        }
    }
}
