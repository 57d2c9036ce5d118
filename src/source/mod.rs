//! The files of the repository being migrated.
//!
//! In a git repository the files are HEAD's tree, read through gix: that is what the new
//! branch is based on. In a plain directory they come from a walk of the folder (dry runs
//! only). Either way the listing is cheap and contents are read on demand, so a rule that
//! needs three files of a 20,000-file monorepo reads three blobs.

mod dir;
mod git;
mod packs;

pub use dir::DirSource;
pub use git::{Background, GitRepo, GitSource};

use crate::pool::in_parallel;
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

/// The error a library below this one gave (gix, the file system), kept whole so that
/// [`std::error::Error::source`] reaches it.
pub type Cause = Box<dyn std::error::Error + Send + Sync + 'static>;

/// Why the repository or one of its files cannot be read. Variants with a `source` say
/// what failed; the chain (`{:#}` through anyhow) adds the cause, as gitoxide's errors do.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// gix could not open or read the repository.
    #[error("{path}: {what}")]
    Open {
        path: PathBuf,
        what: &'static str,
        #[source]
        source: gix::Error,
    },
    /// The folder is refused for a reason this crate states in full.
    #[error("{path}: {message}")]
    Refused { path: PathBuf, message: String },
    /// A folder (not a repository) could not be walked.
    #[error("{path}: cannot list")]
    List {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{path}: cannot read: {message}")]
    Read { path: String, message: String },
    #[error("{path}: cannot read")]
    ReadFailed {
        path: String,
        #[source]
        source: Cause,
    },
    #[error(
        "{path}: the repository has no commits yet; commit the app first, then run capsule-migrate"
    )]
    NoCommits { path: PathBuf },
}

/// The repository's files, from git or from a plain directory.
// One `Source` lives per run: boxing the larger variant would save nothing worth having.
#[allow(clippy::large_enum_variant)]
pub enum Source {
    Git(GitSource),
    Dir(DirSource),
}

/// The uncommitted paths of the work tree, computed on a thread of its own.
pub type Status = Background<Vec<String>>;

impl Source {
    /// Opens `path`: HEAD's tree when it is a git work tree or a bare repository, the
    /// subtree at `path` of HEAD's tree when it is a folder inside a work tree, else a
    /// plain directory walk. Fails when `path` does not exist or is not a folder.
    ///
    /// With a repository, git status ([`GitRepo::uncommitted_paths_in_background`]) is
    /// started as soon as it is open, so that it runs beside the listing of HEAD's tree
    /// and the scan, on a core the listing leaves idle; `None` for a plain folder.
    pub fn open_with_status(path: &std::path::Path) -> Result<(Source, Option<Status>), Error> {
        Source::open_then(path, GitRepo::uncommitted_paths_in_background)
    }

    /// [`Source::open_with_status`], calling `started` on the repository before its tree
    /// is listed.
    fn open_then<T>(
        path: &std::path::Path,
        started: impl FnOnce(&GitRepo) -> T,
    ) -> Result<(Source, Option<T>), Error> {
        let problem = match std::fs::metadata(path) {
            Ok(meta) if meta.is_dir() => None,
            Ok(_) => Some("is not a folder; pass the folder of the repository to migrate".into()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                Some("does not exist; pass the folder of the repository to migrate".into())
            }
            Err(e) => Some(format!("cannot be read: {e}")),
        };
        if let Some(message) = problem {
            return Err(Error::Refused { path: path.to_owned(), message });
        }
        match GitRepo::open(path)? {
            Some(repo) => {
                let value = started(&repo);
                Ok((Source::Git(repo.list()?), Some(value)))
            }
            None => Ok((Source::Dir(DirSource::open(path)?), None)),
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

    /// Reads the files at `paths` on every core and hands each one's bytes to `visit`
    /// with its index in `paths`; returns what `visit` kept, in the order of `paths`.
    ///
    /// This is the one pass over a large repository (every JS/TS file of a 20,000-file
    /// monorepo), so it runs on all cores and reuses one buffer per thread; each thread
    /// holds one file at a time, never the repository. Fails with the first file, in the
    /// order of `paths`, that cannot be read.
    pub fn read_many<T, F>(&self, paths: &[&str], visit: F) -> Result<Vec<T>, Error>
    where
        T: Send,
        F: Fn(usize, &[u8]) -> Option<T> + Sync,
    {
        let progress = crate::progress::Files::new(paths.len(), "Reading");
        self.read_many_on(paths, default_threads(paths.len()), |index, bytes| {
            let kept = visit(index, bytes);
            progress.inc();
            kept
        })
    }

    /// [`Source::read_many`] on exactly `threads` threads (at least one).
    pub(crate) fn read_many_on<T, F>(
        &self,
        paths: &[&str],
        threads: usize,
        visit: F,
    ) -> Result<Vec<T>, Error>
    where
        T: Send,
        F: Fn(usize, &[u8]) -> Option<T> + Sync,
    {
        match self {
            Source::Git(g) => g.read_many(paths, threads, &visit),
            Source::Dir(d) => in_parallel(
                paths.len(),
                threads,
                || (),
                |(), index| Ok(visit(index, &d.read(paths[index])?)),
            ),
        }
    }

    pub fn git(&self) -> Option<&GitSource> {
        match self {
            Source::Git(g) => Some(g),
            Source::Dir(_) => None,
        }
    }
}

/// Files below which another thread costs more than it saves: each thread opens its
/// own repository handle.
const FILES_PER_THREAD: usize = 64;

/// How many threads [`Source::read_many`] uses for `count` files: the cores rayon's
/// global pool has (`RAYON_NUM_THREADS` overrides), or one for a few files.
fn default_threads(count: usize) -> usize {
    if count <= FILES_PER_THREAD { 1 } else { rayon::current_num_threads() }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::TestRepo;

    /// 300 files whose bytes name their own path; every third one says "keep".
    fn numbered_files() -> Vec<(String, String)> {
        (0..300)
            .map(|i| {
                let path = format!("d{}/f{i:03}.txt", i % 7);
                let keep = if i % 3 == 0 { " keep" } else { "" };
                let content = format!("{path}{keep}\n");
                (path, content)
            })
            .collect()
    }

    fn repo_of(files: &[(String, String)]) -> TestRepo {
        let borrowed: Vec<(&str, &str)> =
            files.iter().map(|(p, c)| (p.as_str(), c.as_str())).collect();
        TestRepo::with_files(&borrowed)
    }

    /// What a serial loop of `Source::read` keeps: (path, bytes) of the "keep" files.
    fn kept_serially(source: &Source, paths: &[&str]) -> Vec<(String, Vec<u8>)> {
        let read = |path: &&str| (path.to_string(), source.read(path).unwrap());
        let kept = paths.iter().map(read).filter(|(_, b)| b.ends_with(b"keep\n"));
        kept.collect()
    }

    fn assert_read_many_matches_serial(source: &Source) {
        let paths: Vec<&str> = source.entries().iter().map(|e| e.path.as_str()).collect();
        let expected = kept_serially(source, &paths);
        assert_eq!(expected.len(), 100);
        for threads in [1, 2, 3, 8] {
            let kept = source
                .read_many_on(&paths, threads, |index, bytes| {
                    let keep = bytes.ends_with(b"keep\n");
                    keep.then(|| (paths[index].to_string(), bytes.to_vec()))
                })
                .unwrap();
            assert_eq!(kept, expected, "on {threads} threads");
        }
    }

    #[test]
    fn read_many_gives_each_files_own_bytes_in_path_order_on_any_number_of_threads() {
        let repo = repo_of(&numbered_files());
        let git = Source::Git(repo.open());
        assert_eq!(git.entries().len(), 300);
        assert_read_many_matches_serial(&git);
        let dir = Source::Dir(DirSource::open(&repo.path).unwrap());
        assert_read_many_matches_serial(&dir);
    }

    #[test]
    fn read_many_names_the_first_path_it_cannot_read() {
        let repo = repo_of(&numbered_files());
        let source = Source::Git(repo.open());
        let paths = ["d0/f000.txt", "missing/a.txt", "d1/f001.txt", "missing/b.txt"];
        let err = source.read_many_on(&paths, 2, |_, _| Some(())).unwrap_err();
        assert_eq!(err.to_string(), "missing/a.txt: cannot read: not in HEAD's tree");
    }

    #[test]
    fn thread_counts_follow_the_work_and_the_cores() {
        assert_eq!(default_threads(0), 1);
        assert_eq!(default_threads(FILES_PER_THREAD), 1);
        assert_eq!(default_threads(FILES_PER_THREAD + 1), rayon::current_num_threads());
        assert_eq!(default_threads(100_000), rayon::current_num_threads());
    }
}
