//! HEAD's tree of a git repository, read through gix.
//!
//! The migration branch is based on HEAD's commit, so the files are that commit's tree,
//! never the working tree. A folder inside a work tree (a test fixture, or an app folder of
//! a monorepo) is read from the enclosing repository's HEAD too, as the subtree at that
//! folder: its *scope*. Listing decodes trees only; a blob is read when a rule asks for it.

use std::path::{Path, PathBuf};

use gix::ObjectId;
use gix::bstr::ByteSlice;
use gix::objs::Find as _;

use super::{Entry, EntryKind, Error};
use crate::diag::Warning;

mod cleanup;
mod status;
pub use status::Background;
mod tree;

use tree::list_tree;

/// A thread's read buffer larger than this is dropped after use rather than reused:
/// source files are kilobytes, and only the odd generated bundle is megabytes.
const MAX_KEPT_BUFFER: usize = 4 * 1024 * 1024;

/// [`GitSource::read_many`] reads fewer blobs than this in the order given, more in the
/// order of their pack entries (see [`super::packs`]).
const PACK_ORDER_MIN: usize = 256;

/// A repository and its HEAD, before any file is read. Committing a plan needs no more
/// than this; [`GitRepo::list`] turns it into a [`GitSource`] that can read files.
pub struct GitRepo {
    /// Boxed: a repository handle is over a kilobyte, and `Source` holds a `GitSource`
    /// or a small `DirSource` by value.
    repo: Box<gix::Repository>,
    /// The folder as the user gave it, for messages.
    path: PathBuf,
    head_commit: ObjectId,
    head_tree: ObjectId,
    /// The full name of the branch HEAD points to, `None` when detached.
    head_ref: Option<gix::refs::FullName>,
    /// When the user named a folder inside the work tree: its path from the repository's
    /// root (`/`-separated, no trailing `/`) and its tree in HEAD's commit. Paths of the
    /// listing are relative to it.
    scope: Option<(String, ObjectId)>,
}

/// HEAD's tree, listed: every file's path and blob. Everything about the repository
/// itself is on the [`GitRepo`] it derefs to.
pub struct GitSource {
    repo: GitRepo,
    entries: Vec<Entry>,
    /// `blob_ids[i]` is the object of `entries[i]`.
    blob_ids: Vec<ObjectId>,
    warnings: Vec<Warning>,
}

impl std::ops::Deref for GitSource {
    type Target = GitRepo;

    fn deref(&self) -> &GitRepo {
        &self.repo
    }
}

impl GitRepo {
    /// `Ok(None)` when `path` is neither a repository nor inside a work tree. A folder
    /// inside a work tree opens the enclosing repository, scoped to that folder; it fails
    /// when the folder is not in HEAD's commit (untracked, or ignored).
    ///
    /// Configuration is read as git reads it (system, global, repository, `GIT_*`
    /// variables), so the user's identity is found for the commit.
    pub fn open(path: &Path) -> Result<Option<GitRepo>, Error> {
        GitRepo::open_with(path, gix::open::Options::default())
    }

    /// Like [`GitRepo::open`] with explicit gix options; tests pass
    /// `gix::open::Options::isolated()` so the machine's git config cannot leak in.
    ///
    /// Like git, it refuses a repository owned by another user unless git's
    /// `safe.directory` allows it (`*`, the path, or `path/*`): working in it would run
    /// with that user's configuration and leave files they cannot change (CVE-2022-24765).
    pub fn open_with(path: &Path, options: gix::open::Options) -> Result<Option<GitRepo>, Error> {
        let (repo, scope) = match gix::open_opts(path, options.clone().bail_if_untrusted(true)) {
            Ok(repo) => (repo, None),
            Err(err) if is_plain_directory(path, &err) => {
                let Some((root, scope)) = enclosing_work_tree(path) else { return Ok(None) };
                let repo = match gix::open_opts(&root, options.bail_if_untrusted(true)) {
                    Ok(repo) => repo,
                    Err(_) if owned_by_someone_else(&root) => {
                        return Err(dubious_ownership(&root));
                    }
                    Err(e) => return Err(open_error(&root, "cannot open the git repository", e)),
                };
                (repo, Some(scope))
            }
            Err(_) if owned_by_someone_else(path) => return Err(dubious_ownership(path)),
            Err(err) => return Err(open_error(path, "cannot open the git repository", err)),
        };
        if let Some(format) = repo.config_snapshot().string("extensions.refStorage")
            && format.as_ref() as &[u8] != b"files"
        {
            return Err(Error::Refused {
                path: path.to_owned(),
                message: format!(
                    "stores its refs in the {format} format (extensions.refStorage = \
                     {format}), which capsule-migrate cannot read yet (gitoxide reads the files \
                     format only). Convert it with `git -C {0} refs migrate \
                     --ref-format=files` (git 2.48 or later), or work in a copy in the files \
                     format: `git clone --ref-format=files {0} COPY`, run capsule-migrate there \
                     and push the branch from the copy",
                    path.display()
                ),
            });
        }
        let (head_ref, head_commit, head_tree) = resolve_head(&repo, path)?;
        let scope = match scope {
            Some(folder) => Some(scope_tree(&repo, head_tree, path, folder)?),
            None => None,
        };
        Ok(Some(GitRepo {
            path: path.to_owned(),
            head_commit,
            head_tree,
            head_ref,
            scope,
            repo: Box::new(repo),
        }))
    }

    /// The folder the user named, as a path from the repository's root, when it is not
    /// the root: everything listed and planned is inside it.
    pub fn scope(&self) -> Option<&str> {
        self.scope.as_ref().map(|(folder, _)| folder.as_str())
    }

    /// `path` (relative to the scope) as a path from the repository's root.
    pub fn repo_path(&self, path: &str) -> String {
        match self.scope() {
            Some(folder) => format!("{folder}/{path}"),
            None => path.to_owned(),
        }
    }

    /// This repository with `commit` in HEAD's place, so that listing and planning read
    /// that commit's tree: `verify` plans the commit a migration branch was made on.
    /// The branch name is dropped (the commit need not be any branch's tip).
    pub fn at_commit(mut self, commit: ObjectId) -> Result<GitRepo, Error> {
        let tree = self
            .repo
            .find_commit(commit)
            .map_err(|e| open_error(&self.path, "cannot read the commit", e))?
            .tree_id()
            .map_err(|e| open_error(&self.path, "cannot read the commit's tree", e))?;
        self.head_commit = commit;
        self.head_tree = tree.detach();
        self.head_ref = None;
        if let Some((folder, _)) = self.scope.take() {
            self.scope = Some(scope_tree(&self.repo, self.head_tree, &self.path, folder)?);
        }
        Ok(self)
    }

    /// Lists HEAD's tree (trees only: no file is read yet).
    pub fn list(self) -> Result<GitSource, Error> {
        let root = self.scope.as_ref().map_or(self.head_tree, |(_, tree)| *tree);
        let listing = list_tree(&self.repo, root)
            .map_err(|e| open_error(&self.path, "cannot list HEAD's tree", e))?;
        Ok(GitSource {
            repo: self,
            entries: listing.entries,
            blob_ids: listing.blob_ids,
            warnings: listing.warnings,
        })
    }
    /// The folder as it was given to [`GitRepo::open`], for messages.
    pub fn path(&self) -> &Path {
        &self.path
    }

    pub fn head_commit_id(&self) -> String {
        self.head_commit.to_string()
    }

    pub(crate) fn head_commit_oid(&self) -> ObjectId {
        self.head_commit
    }

    pub(crate) fn head_tree_oid(&self) -> ObjectId {
        self.head_tree
    }

    /// The short name of the branch HEAD points to (`main`), `None` when detached.
    pub fn head_ref_name(&self) -> Option<String> {
        let name = self.head_ref.as_ref()?;
        let short = name.as_bstr().strip_prefix(b"refs/heads/")?;
        Some(short.to_str_lossy().into_owned())
    }

    #[cfg(test)]
    pub fn is_bare(&self) -> bool {
        self.repo.is_bare()
    }

    pub fn workdir(&self) -> Option<&Path> {
        self.repo.workdir()
    }

    pub fn repo(&self) -> &gix::Repository {
        &self.repo
    }

    /// A read error for the blob `id` of `path`: `detail`, or, when the blob is missing
    /// from a partial clone (`git clone --filter=blob:none`, often with a sparse
    /// checkout), what that is and how to fetch what is missing. gix does not fetch
    /// from a promisor remote as git does on demand.
    fn read_error(&self, path: &str, id: ObjectId, detail: BlobError) -> Error {
        let config = self.repo.config_snapshot();
        let promisor = config
            .sections_by_name("remote")
            .into_iter()
            .flatten()
            .find(|section| {
                section.value("promisor").is_some_and(|v| v.as_ref() as &[u8] == b"true")
            })
            .and_then(|section| section.header().subsection_name().map(|n| n.to_string()))
            .or_else(|| config.string("extensions.partialClone").map(|v| v.to_string()));
        let path = path.to_owned();
        let message = match promisor {
            Some(remote) if !self.repo.has_object(id) => format!(
                "blob {id} is not here: this is a partial clone (its remote `{remote}` holds the \
                 blobs it left out, such as files outside a sparse checkout), and \
                 capsule-migrate reads HEAD's files without fetching. Fetch them first: \
                 git -C {} fetch --refetch --no-filter {remote}",
                self.path.display()
            ),
            _ => return Error::ReadFailed { path, source: detail.into() },
        };
        Error::Read { path, message }
    }
}

impl GitSource {
    /// [`GitRepo::open`], then [`GitRepo::list`].
    #[cfg(test)]
    pub fn open(path: &Path) -> Result<Option<GitSource>, Error> {
        GitRepo::open(path)?.map(GitRepo::list).transpose()
    }

    /// [`GitRepo::open_with`], then [`GitRepo::list`]: the tests' isolated repositories.
    #[cfg(test)]
    pub fn open_with(path: &Path, options: gix::open::Options) -> Result<Option<GitSource>, Error> {
        GitRepo::open_with(path, options)?.map(GitRepo::list).transpose()
    }

    pub fn entries(&self) -> &[Entry] {
        &self.entries
    }

    /// The bytes of the blob at `path` in HEAD's tree (a symlink reads as its target).
    pub fn read(&self, path: &str) -> Result<Vec<u8>, Error> {
        let id = self.blob_id(path)?;
        let mut blob = self.repo.repo.find_blob(id).map_err(|e| {
            self.repo.read_error(path, id, BlobError::Unreadable { id, source: e.into() })
        })?;
        Ok(blob.take_data())
    }

    /// [`super::Source::read_many`] for HEAD's tree: each thread reads through its own
    /// handle on the shared object database into one reused buffer.
    ///
    /// Blobs are read in the order of their pack entries, through one delta-base cache
    /// for all threads, so that a pack of delta chains is inflated about once (see
    /// [`super::packs`]); results still come back in the order of `paths`.
    pub(super) fn read_many<T, F>(
        &self,
        paths: &[&str],
        threads: usize,
        visit: &F,
    ) -> Result<Vec<T>, Error>
    where
        T: Send,
        F: Fn(usize, &[u8]) -> Option<T> + Sync,
    {
        let ids = self.blob_ids(paths)?;
        let repo = &self.repo.repo;
        // A few files share few delta chains: pack order is for reading a whole tree, and
        // finding it opens every pack index.
        let order = if ids.len() < PACK_ORDER_MIN {
            (0..ids.len()).collect()
        } else {
            super::packs::pack_order(repo.objects.store_ref().path(), repo.object_hash(), &ids)
        };
        // A `Repository` caches in `RefCell`s and cannot be shared; the thread-safe form
        // shares the opened object database (packs, indices, mappings) between threads.
        let shared = repo.as_ref().clone().into_sync();
        let cache = super::packs::SharedDeltaCache::new(super::packs::DELTA_CACHE_BYTES);
        let init = || {
            let mut repo = shared.to_thread_local();
            let cache = cache.clone();
            repo.objects.set_pack_cache(move || Box::new(cache.clone()));
            (repo, Vec::new())
        };
        let read = crate::pool::in_parallel(paths.len(), threads, init, |(repo, buffer), at| {
            let index = order[at];
            let bytes = read_blob_into(repo, ids[index], buffer).map_err(|e| {
                Error::ReadFailed { path: paths[index].to_owned(), source: e.into() }
            })?;
            let kept = visit(index, bytes);
            // One committed bundle must not pin its size in every thread's buffer.
            if buffer.capacity() > MAX_KEPT_BUFFER {
                *buffer = Vec::new();
            }
            Ok(kept.map(|value| (index, value)))
        });
        match read {
            Ok(mut kept) => {
                kept.sort_unstable_by_key(|(index, _)| *index);
                Ok(kept.into_iter().map(|(_, value)| value).collect())
            }
            // The error to report is the first in the order of `paths`, which reading in
            // pack order may not have met first: look for it without the visits.
            Err(err) => Err(self.first_unreadable(paths, &ids).unwrap_or(err)),
        }
    }

    /// The read error of the first of `paths` (blobs `ids`) that cannot be read, if any.
    fn first_unreadable(&self, paths: &[&str], ids: &[ObjectId]) -> Option<Error> {
        let mut buffer = Vec::new();
        paths.iter().zip(ids).find_map(|(path, id)| {
            let error = read_blob_into(&self.repo.repo, *id, &mut buffer).err()?;
            // Said on this thread, where the repository's config (a partial clone's
            // promisor remote) can be read.
            Some(self.repo.read_error(path, *id, error))
        })
    }

    /// The blob of the file at `path`, refusing paths not in HEAD and submodules.
    fn blob_id(&self, path: &str) -> Result<ObjectId, Error> {
        let index = self.entries.binary_search_by(|e| e.path.as_str().cmp(path));
        self.blob_id_at(path, index)
    }

    /// [`GitSource::blob_id`] of each of `paths`. The callers pass a sorted selection of
    /// the listing, so each search gallops forward from the entry found before it: a few
    /// comparisons a path instead of a binary search of every entry.
    fn blob_ids(&self, paths: &[&str]) -> Result<Vec<ObjectId>, Error> {
        let mut from = 0;
        let mut previous: &str = "";
        let mut ids = Vec::with_capacity(paths.len());
        for &path in paths {
            if path <= previous {
                from = 0;
            }
            // Grow the window [from, from + step) until it ends past `path`.
            let rest = &self.entries[from..];
            let mut step = 1;
            while step < rest.len() && rest[step - 1].path.as_str() < path {
                step *= 2;
            }
            let window = &rest[..step.min(rest.len())];
            let index = window
                .binary_search_by(|e| e.path.as_str().cmp(path))
                .map(|i| from + i)
                .map_err(|i| from + i);
            ids.push(self.blob_id_at(path, index)?);
            from = match index {
                Ok(i) => i + 1,
                Err(i) => i,
            };
            previous = path;
        }
        Ok(ids)
    }

    /// The blob id of `path` from its search result in the listing.
    fn blob_id_at(&self, path: &str, found: Result<usize, usize>) -> Result<ObjectId, Error> {
        let read_error =
            |message: &str| Error::Read { path: path.to_owned(), message: message.into() };
        let index = found.map_err(|_| read_error("not in HEAD's tree"))?;
        if self.entries[index].kind == EntryKind::Submodule {
            return Err(read_error("is a submodule, not a file"));
        }
        Ok(self.blob_ids[index])
    }

    /// Findings of the listing, such as paths skipped because they are not UTF-8.
    pub fn warnings(&self) -> &[Warning] {
        &self.warnings
    }
}

fn bisect_warning() -> String {
    "a bisect is in progress: HEAD is the commit under test, so the migration branch would \
     be based on it; run `git bisect reset` first"
        .into()
}

/// HEAD's branch name (if any), commit and tree.
fn resolve_head(
    repo: &gix::Repository,
    path: &Path,
) -> Result<(Option<gix::refs::FullName>, ObjectId, ObjectId), Error> {
    let mut head = repo.head().map_err(|e| open_error(path, "cannot read HEAD", e))?;
    if head.is_unborn() {
        return Err(Error::NoCommits { path: path.to_owned() });
    }
    let head_ref = head.referent_name().map(ToOwned::to_owned);
    let commit = head
        .peel_to_commit()
        .map_err(|e| open_error(path, "HEAD does not point to a readable commit", e))?;
    let tree = commit.tree_id().map_err(|e| open_error(path, "cannot read HEAD's commit", e))?;
    Ok((head_ref, commit.id, tree.detach()))
}

/// The work tree root above `path` (the nearest ancestor with a `.git` entry) and
/// `path`'s place inside it, `/`-separated; `None` when no ancestor is a work tree.
fn enclosing_work_tree(path: &Path) -> Option<(PathBuf, String)> {
    let path = path.canonicalize().ok()?;
    let root = path.ancestors().skip(1).find(|dir| dir.join(".git").symlink_metadata().is_ok())?;
    let inside = path.strip_prefix(root).ok()?;
    let parts: Option<Vec<&str>> = inside.components().map(|c| c.as_os_str().to_str()).collect();
    Some((root.to_owned(), parts?.join("/")))
}

/// The tree of `folder` in HEAD's tree `head_tree`.
fn scope_tree(
    repo: &gix::Repository,
    head_tree: ObjectId,
    path: &Path,
    folder: String,
) -> Result<(String, ObjectId), Error> {
    let root = repo.workdir().map_or_else(|| path.to_owned(), Path::to_owned);
    let not_committed = || Error::Refused {
        path: path.to_owned(),
        message: format!(
            "is inside the git repository at {}, but `{folder}` is not a folder of HEAD's \
             commit (untracked or ignored?); commit it first, or run on the repository's root",
            root.display()
        ),
    };
    let tree =
        repo.find_tree(head_tree).map_err(|e| open_error(path, "cannot read HEAD's tree", e))?;
    let entry = tree
        .lookup_entry_by_path(&folder)
        .map_err(|e| open_error(path, "cannot read HEAD's tree", e))?
        .ok_or_else(not_committed)?;
    if !entry.mode().is_tree() {
        return Err(not_committed());
    }
    Ok((folder, entry.object_id()))
}

/// Whether the work tree or its `.git` belongs to another user (root acting through
/// `sudo` counts as the user in `SUDO_UID`, as git has it).
fn owned_by_someone_else(path: &Path) -> bool {
    let not_mine = |p: &Path| {
        p.exists() && !gix::sec::identity::is_path_owned_by_current_user(p).unwrap_or(true)
    };
    not_mine(path) || not_mine(&path.join(".git"))
}

/// git's refusal, with git's hint, for a repository [`owned_by_someone_else`].
fn dubious_ownership(path: &Path) -> Error {
    let shown = path.canonicalize().unwrap_or_else(|_| path.to_owned());
    Error::Refused {
        path: path.to_owned(),
        message: format!(
            "detected dubious ownership in repository at '{shown}': it belongs to another user, \
             so git refuses to work in it and so does capsule-migrate (a commit would be made \
             with their configuration and leave files they cannot change). Run it as the \
             owner, or, if you trust the repository, add an exception for this directory \
             first:\n\n\tgit config --global --add safe.directory {shown}",
            shown = shown.display()
        ),
    }
}

/// gix says "not found" for a folder that is not a repository. A `.git` entry that fails
/// to open is a broken repository, which must be reported, not walked as files.
fn is_plain_directory(path: &Path, err: &gix::Error) -> bool {
    err.is_not_found() && path.join(".git").symlink_metadata().is_err()
}

fn open_error(path: &Path, what: &'static str, source: gix::Error) -> Error {
    Error::Open { path: path.to_owned(), what, source }
}

/// The bytes of blob `id`, read through `buffer` (reused from one blob to the next).
/// Why one blob could not be read.
#[derive(Debug, thiserror::Error)]
enum BlobError {
    #[error("blob {0}: not in the object database")]
    Missing(ObjectId),
    #[error("blob {id}")]
    Unreadable {
        id: ObjectId,
        #[source]
        source: super::Cause,
    },
}

fn read_blob_into<'b>(
    repo: &gix::Repository,
    id: ObjectId,
    buffer: &'b mut Vec<u8>,
) -> Result<&'b [u8], BlobError> {
    match repo.objects.try_find(&id, buffer) {
        Ok(Some(object)) => Ok(object.data),
        Ok(None) => Err(BlobError::Missing(id)),
        Err(err) => Err(BlobError::Unreadable { id, source: err.into() }),
    }
}

#[cfg(test)]
mod tests {
    use super::status::index_matches_tree;
    use super::*;
    use crate::testing::{TestRepo, git, git_command, open_isolated};

    fn listing(source: &GitSource) -> Vec<(String, EntryKind)> {
        source.entries().iter().map(|e| (e.path.clone(), e.kind)).collect()
    }

    /// A repository with every entry kind, node_modules at two depths, and names whose
    /// git tree order differs from string order ("a.b" sorts before "a/" in git).
    fn mixed_repo() -> TestRepo {
        let repo = TestRepo::with_files(&[
            ("a.b", "dot\n"),
            ("a/c.txt", "in a\n"),
            ("bin/run.sh", "#!/bin/sh\necho hi\n"),
            ("node_modules/x/index.js", "module.exports = 1;\n"),
            ("web/node_modules/y/index.js", "module.exports = 2;\n"),
            ("web/package.json", "{\"name\":\"web\"}\n"),
        ]);
        repo.make_executable("bin/run.sh");
        std::os::unix::fs::symlink("a/c.txt", repo.path.join("link")).expect("symlink");
        repo.git(&["add", "link"]);
        let commit = repo.git(&["rev-parse", "HEAD"]);
        let cacheinfo = format!("160000,{commit},vendor/lib");
        repo.git(&["update-index", "--add", "--cacheinfo", &cacheinfo]);
        repo.git(&["commit", "-q", "-m", "kinds"]);
        repo
    }

    #[test]
    fn lists_heads_tree_with_kinds_sorted_and_without_node_modules() {
        let repo = mixed_repo();
        let source = repo.open();
        let expected = [
            ("a.b", EntryKind::File),
            ("a/c.txt", EntryKind::File),
            ("bin/run.sh", EntryKind::Executable),
            ("link", EntryKind::Symlink),
            ("vendor/lib", EntryKind::Submodule),
            ("web/package.json", EntryKind::File),
        ];
        let expected: Vec<_> = expected.iter().map(|(p, k)| (p.to_string(), *k)).collect();
        assert_eq!(listing(&source), expected);
        assert!(source.entries().iter().all(|e| e.size.is_none()));
        assert!(source.warnings().is_empty());
    }

    /// A tree wide enough to be listed on several threads is listed as git lists it:
    /// every file once, in path order, `node_modules` left out at every depth.
    #[test]
    fn a_wide_tree_is_listed_in_parts_as_git_lists_it() {
        let mut files = Vec::new();
        for app in ["api", "web", "worker", "admin", "docs", "a.b", "a-b", "a0"] {
            for path in ["index.js", "src/a.js", "src/lib/b.ts", "node_modules/x/i.js", "c.d/e.js"]
            {
                files.push((format!("apps/{app}/{path}"), format!("{app} {path}\n")));
            }
        }
        files.push(("apps.js".to_owned(), "root\n".to_owned()));
        files.push(("README.md".to_owned(), "hi\n".to_owned()));
        let refs: Vec<(&str, &str)> = files.iter().map(|(p, c)| (p.as_str(), c.as_str())).collect();
        let repo = TestRepo::with_files(&refs);
        let source = repo.open();
        let listed: Vec<&str> = source.entries().iter().map(|e| e.path.as_str()).collect();
        let by_git = git(&repo.path, &["ls-tree", "-r", "--name-only", "HEAD"]);
        let mut expected: Vec<&str> =
            by_git.lines().filter(|p| !p.contains("node_modules/")).collect();
        expected.sort();
        assert_eq!(listed, expected);
        assert_eq!(listed.len(), 8 * 4 + 2);
    }

    /// The galloping lookup of many paths gives what one binary search per path gives,
    /// errors included, for sorted, unsorted, repeated and missing paths.
    #[test]
    fn blob_ids_of_many_paths_match_one_search_each() {
        let files: Vec<(String, String)> =
            (0..40).map(|i| (format!("d{}/f{i:02}.js", i % 3), format!("{i}\n"))).collect();
        let refs: Vec<(&str, &str)> = files.iter().map(|(p, c)| (p.as_str(), c.as_str())).collect();
        let repo = TestRepo::with_files(&refs);
        let source = repo.open();
        let all: Vec<&str> = source.entries().iter().map(|e| e.path.as_str()).collect();
        let one_each = |paths: &[&str]| -> Result<Vec<ObjectId>, String> {
            paths.iter().map(|p| source.blob_id(p).map_err(|e| e.to_string())).collect()
        };
        let mut selections: Vec<Vec<&str>> = vec![all.clone(), Vec::new()];
        for stride in 1..7 {
            for start in 0..stride {
                selections.push(all.iter().copied().skip(start).step_by(stride).collect());
            }
        }
        selections.push(all.iter().rev().copied().collect());
        selections.push(vec![all[5], all[5], all[2], all[39], all[0]]);
        selections.push(vec![all[3], "d1/missing.js", all[20]]);
        selections.push(vec!["zzz.js"]);
        selections.push(vec!["a.js", all[0]]);
        for paths in selections {
            let many = source.blob_ids(&paths).map_err(|e| e.to_string());
            assert_eq!(many, one_each(&paths), "{paths:?}");
        }
    }

    #[test]
    fn reads_blobs_on_demand_and_refuses_what_is_not_a_file() {
        let repo = mixed_repo();
        // The work tree must not matter: the source is HEAD's tree.
        repo.write("web/package.json", "changed, not committed\n");
        let source = repo.open();
        assert_eq!(source.read("web/package.json").unwrap(), b"{\"name\":\"web\"}\n");
        assert_eq!(source.read("link").unwrap(), b"a/c.txt");
        let missing = source.read("nope.txt").unwrap_err().to_string();
        assert_eq!(missing, "nope.txt: cannot read: not in HEAD's tree");
        let submodule = source.read("vendor/lib").unwrap_err().to_string();
        assert!(submodule.contains("vendor/lib") && submodule.contains("submodule"), "{submodule}");
    }

    #[test]
    fn head_accessors_match_git() {
        let repo = mixed_repo();
        let source = repo.open();
        assert_eq!(source.head_commit_id(), repo.git(&["rev-parse", "HEAD"]));
        assert_eq!(source.head_ref_name().as_deref(), Some("main"));
        assert!(!source.is_bare());
        let workdir = source.workdir().expect("has a work tree").canonicalize().unwrap();
        assert_eq!(workdir, repo.path.canonicalize().unwrap());
        assert_eq!(source.state_warning(), None);

        repo.git(&["checkout", "-q", "--detach"]);
        assert_eq!(repo.open().head_ref_name(), None);
    }

    #[test]
    fn a_folder_inside_a_work_tree_is_heads_subtree_at_that_folder() {
        let repo = mixed_repo();
        std::fs::write(repo.path.join("web/package.json"), "{\"name\":\"edited\"}\n").unwrap();
        let source = open_isolated(&repo.path.join("web")).unwrap().expect("the enclosing repo");
        assert_eq!(source.scope(), Some("web"));
        let paths: Vec<&str> = source.entries().iter().map(|e| e.path.as_str()).collect();
        assert_eq!(paths, ["package.json"], "node_modules skipped, paths inside the folder");
        // HEAD's content, not the edited work tree's.
        assert_eq!(source.read("package.json").unwrap(), b"{\"name\":\"web\"}\n");
        assert_eq!(source.uncommitted_paths().unwrap(), ["package.json"]);
        assert_eq!(source.repo_path("package.json"), "web/package.json");

        std::fs::create_dir(repo.path.join("untracked")).unwrap();
        let err = open_isolated(&repo.path.join("untracked")).err().expect("an error");
        let message = err.to_string();
        assert!(message.contains("`untracked` is not a folder of HEAD's commit"), "{message}");

        let outside = tempfile::tempdir().unwrap();
        assert!(open_isolated(outside.path()).unwrap().is_none());
        assert!(GitSource::open(outside.path()).unwrap().is_none());
    }

    #[test]
    fn a_broken_dot_git_is_an_error_not_a_plain_directory() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(".git"), "gitdir: /nonexistent/place\n").unwrap();
        let err = open_isolated(dir.path()).err().expect("an error");
        assert!(matches!(err, Error::Open { .. }), "{err}");
    }

    #[test]
    fn open_errors_keep_the_gix_error_as_their_source() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(".git"), "gitdir: /nonexistent/place\n").unwrap();
        let err = open_isolated(dir.path()).err().expect("an error");
        let cause = std::error::Error::source(&err)
            .and_then(|s| s.downcast_ref::<gix::Error>())
            .expect("gix's error is the source")
            .to_string();
        let shown = format!("{:#}", anyhow::Error::new(err));
        let path = dir.path().display();
        assert!(shown.starts_with(&format!("{path}: cannot open the git repository: {cause}")));
    }

    #[test]
    fn a_repository_without_commits_is_refused_clearly() {
        let repo = TestRepo::empty();
        let err = open_isolated(&repo.path).err().expect("an error");
        assert!(matches!(err, Error::NoCommits { .. }), "{err}");
        assert!(err.to_string().contains("no commits yet"), "{err}");
    }

    #[test]
    fn bare_repositories_list_the_same_files_and_have_nothing_uncommitted() {
        let repo = mixed_repo();
        let bare = repo.sibling("bare.git");
        git(&repo.path, &["clone", "-q", "--bare", ".", bare.to_str().unwrap()]);
        let source = open_isolated(&bare).unwrap().expect("a repository");
        assert!(source.is_bare());
        assert_eq!(source.workdir(), None);
        assert_eq!(listing(&source), listing(&repo.open()));
        assert_eq!(source.uncommitted_paths().unwrap(), Vec::<String>::new());
    }

    #[test]
    fn non_utf8_paths_are_skipped_with_a_warning() {
        use std::os::unix::ffi::OsStrExt;
        let repo = TestRepo::with_files(&[("ok.txt", "ok\n")]);
        let name = std::ffi::OsStr::from_bytes(b"bad-\xff.txt");
        std::fs::write(repo.path.join(name), "x\n").unwrap();
        repo.commit_all("non-utf8");
        let source = repo.open();
        assert_eq!(listing(&source), vec![("ok.txt".to_string(), EntryKind::File)]);
        let warnings = source.warnings();
        assert_eq!(warnings.len(), 1);
        assert_eq!(warnings[0].file.as_deref(), Some("bad-\u{fffd}.txt"));
        assert!(warnings[0].message.contains("not valid UTF-8"));
    }

    #[test]
    fn uncommitted_paths_are_tracked_changes_only_and_nothing_is_written() {
        let repo = TestRepo::with_files(&[
            ("clean.txt", "clean\n"),
            ("deleted.txt", "gone soon\n"),
            ("modified.txt", "before\n"),
            ("staged.txt", "before\n"),
            ("touched.txt", "same\n"),
        ]);
        repo.write("modified.txt", "after\n");
        repo.write("staged.txt", "after\n");
        repo.git(&["add", "staged.txt"]);
        std::fs::remove_file(repo.path.join("deleted.txt")).unwrap();
        repo.write("untracked.txt", "new\n");
        // Same content, newer mtime: the index's stat data is stale, which is not a change
        // and must not make us refresh (write) the index.
        std::thread::sleep(std::time::Duration::from_millis(1100));
        repo.write("touched.txt", "same\n");
        let index = repo.path.join(".git/index");
        let index_before = std::fs::read(&index).unwrap();

        let paths = repo.open().uncommitted_paths().unwrap();
        assert_eq!(paths, ["deleted.txt", "modified.txt", "staged.txt"]);
        assert_eq!(std::fs::read(&index).unwrap(), index_before, "the index was rewritten");
    }

    #[test]
    fn the_index_is_compared_with_head_only_when_its_cache_tree_does_not_match() {
        let repo = TestRepo::with_files(&[("a/one.txt", "1\n"), ("b.txt", "b\n")]);
        let git = repo.open();
        let fresh = git.repo().index_or_empty().unwrap();
        assert!(index_matches_tree(&fresh, git.head_tree), "git commit writes the cache-tree");
        // Only the work tree differs: the fast path must still see it.
        repo.write("a/one.txt", "2\n");
        assert_eq!(repo.open().uncommitted_paths().unwrap(), ["a/one.txt"]);

        // A staged change invalidates the root of the cache-tree...
        repo.git(&["add", "a/one.txt"]);
        let git = repo.open();
        assert!(!index_matches_tree(&git.repo().index_or_empty().unwrap(), git.head_tree));
        assert_eq!(git.uncommitted_paths().unwrap(), ["a/one.txt"]);
        // ...and so does an index made from another tree, even one whose work tree
        // matches it: the staged deletion is a change from HEAD.
        repo.write("a/one.txt", "1\n");
        repo.git(&["add", "a/one.txt"]);
        repo.git(&["rm", "-q", "b.txt"]);
        assert_eq!(repo.open().uncommitted_paths().unwrap(), ["b.txt"]);
    }

    #[test]
    fn a_merge_in_progress_is_reported() {
        let repo = TestRepo::with_files(&[("f.txt", "base\n")]);
        repo.git(&["checkout", "-q", "-b", "other"]);
        repo.write("f.txt", "other\n");
        repo.commit_all("other");
        repo.git(&["checkout", "-q", "main"]);
        repo.write("f.txt", "main\n");
        repo.commit_all("main");
        let merge = git_command(&repo.path, &["merge", "other"]).output().unwrap();
        assert!(!merge.status.success(), "the merge must conflict");
        let source = repo.open();
        let warning = source.state_warning().expect("a warning");
        assert!(warning.starts_with("a merge is in progress"), "{warning}");
        assert!(warning.contains("git merge --abort"), "{warning}");
        assert_eq!(source.uncommitted_paths().unwrap(), ["f.txt"]);
    }

    #[test]
    fn a_rebase_stopped_on_a_conflict_is_reported() {
        let repo = TestRepo::with_files(&[("f.txt", "base\n")]);
        repo.git(&["checkout", "-q", "-b", "topic"]);
        repo.write("f.txt", "topic\n");
        repo.commit_all("topic");
        repo.git(&["checkout", "-q", "main"]);
        repo.write("f.txt", "main\n");
        repo.commit_all("main");
        repo.git(&["checkout", "-q", "topic"]);
        let rebase = git_command(&repo.path, &["rebase", "main"]).output().unwrap();
        assert!(!rebase.status.success(), "the rebase must stop on the conflict");
        let source = repo.open();
        let warning = source.state_warning().expect("a warning");
        assert!(warning.starts_with("a rebase is in progress"), "{warning}");
        assert!(warning.contains("git rebase --abort"), "{warning}");
        // HEAD is detached at main's commit while the rebase runs: that is the base.
        assert_eq!(source.head_ref_name(), None);
        assert_eq!(source.head_commit_id(), repo.git(&["rev-parse", "main"]).trim());
    }

    #[test]
    fn twenty_thousand_files_list_quickly() {
        let repo = TestRepo::with_files(&[("README.md", "hi\n")]);
        let blob = repo.git(&["rev-parse", "HEAD:README.md"]);
        // 200 folders of 100 files sharing one blob, added through the index in one call.
        let mut info = String::new();
        for dir in 0..200 {
            for file in 0..100 {
                info.push_str(&format!("100644 {blob}\tapps/d{dir:03}/f{file:03}.js\n"));
            }
        }
        let mut cmd = git_command(&repo.path, &["update-index", "--add", "--index-info"]);
        let mut child = cmd.stdin(std::process::Stdio::piped()).spawn().unwrap();
        use std::io::Write;
        child.stdin.take().unwrap().write_all(info.as_bytes()).unwrap();
        assert!(child.wait().unwrap().success());
        repo.git(&["commit", "-q", "-m", "many"]);

        let started = std::time::Instant::now();
        let source = repo.open();
        let elapsed = started.elapsed();
        assert_eq!(source.entries().len(), 20_001);
        assert!(source.entries().windows(2).all(|w| w[0].path < w[1].path));
        // Generous bound: the machine is shared and this is a debug build.
        assert!(elapsed < std::time::Duration::from_secs(3), "took {elapsed:?}");
    }
}
