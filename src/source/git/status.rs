//! The state of the work tree: an operation in progress, and the tracked files that
//! differ from HEAD (computed on a thread of its own).

use std::path::Path;

use gix::ObjectId;
use gix::bstr::{BStr, ByteSlice};

use super::{GitRepo, bisect_warning, open_error};
use crate::source::Error;

impl GitRepo {
    /// A warning when a merge, rebase, cherry-pick or similar is in progress: the
    /// migration is based on HEAD's commit, which is then not what the user is working on.
    pub fn state_warning(&self) -> Option<String> {
        use gix::state::InProgress::*;
        let (what, command) = match self.repo.state()? {
            Merge => ("a merge", "git merge"),
            Rebase | RebaseInteractive | ApplyMailboxRebase => ("a rebase", "git rebase"),
            CherryPick | CherryPickSequence => ("a cherry-pick", "git cherry-pick"),
            Revert | RevertSequence => ("a revert", "git revert"),
            ApplyMailbox => ("git am", "git am"),
            Bisect => return Some(bisect_warning()),
        };
        Some(format!(
            "{what} is in progress: the migration is based on HEAD's commit {}, not on its \
             unfinished result; finish it (`{command} --continue`) or abort it (`{command} \
             --abort`) first",
            self.head_commit.to_hex_with_len(12)
        ))
    }

    /// Repo-relative paths of tracked files whose index or working-tree content differs
    /// from HEAD (modified, staged, deleted, type-changed, conflicted), sorted.
    ///
    /// Untracked files are not listed: they are not part of HEAD, so the migration never
    /// sees them and they cannot conflict with it. Empty for a bare repository. Nothing is
    /// written, not even the refreshed stat data of the index.
    /// With a scope, only paths inside it are listed, relative to it. The run uses
    /// [`GitRepo::uncommitted_paths_in_background`]; the tests call this.
    #[cfg(test)]
    pub fn uncommitted_paths(&self) -> Result<Vec<String>, Error> {
        let paths = uncommitted_paths(&self.repo, self.head_tree, &self.path)?;
        Ok(in_scope(self.scope(), paths))
    }

    /// `GitRepo::uncommitted_paths` on a thread of its own, to overlap it with other
    /// work: it reads the index and looks at every tracked file of the work tree.
    pub fn uncommitted_paths_in_background(&self) -> Background<Vec<String>> {
        let repo = self.repo.as_ref().clone().into_sync();
        let (head_tree, path) = (self.head_tree, self.path.clone());
        let scope = self.scope().map(str::to_owned);
        Background(std::thread::spawn(move || {
            let paths = uncommitted_paths(&repo.to_thread_local(), head_tree, &path)?;
            Ok(in_scope(scope.as_deref(), paths))
        }))
    }
}

/// The `paths` (from the repository's root) inside `scope`, relative to it; all of them
/// when there is no scope.
fn in_scope(scope: Option<&str>, paths: Vec<String>) -> Vec<String> {
    let Some(folder) = scope else { return paths };
    let prefix = format!("{folder}/");
    paths.into_iter().filter_map(|p| p.strip_prefix(&prefix).map(str::to_owned)).collect()
}

/// A result being computed on another thread.
pub struct Background<T>(std::thread::JoinHandle<Result<T, Error>>);

impl<T> Background<T> {
    /// Waits for the result; a panic on that thread goes on here.
    pub fn wait(self) -> Result<T, Error> {
        self.0.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic))
    }
}

fn uncommitted_paths(
    repo: &gix::Repository,
    head_tree: ObjectId,
    path: &Path,
) -> Result<Vec<String>, Error> {
    if repo.workdir().is_none() {
        return Ok(Vec::new());
    }
    let status_error = |e: gix::Error| open_error(path, "cannot compute git status", e);
    let index = repo.index_or_empty().map_err(status_error)?;
    let platform = repo
        .status(gix::progress::Discard)
        .map_err(status_error)?
        .untracked_files(gix::status::UntrackedFiles::None)
        .index_worktree_rewrites(None)
        .index_worktree_submodules(gix::status::Submodule::Given {
            ignore: gix::submodule::config::Ignore::All,
            check_dirty: false,
        })
        .index_worktree_options_mut(|opts| opts.dirwalk_options = None);
    let mut paths = std::collections::BTreeSet::new();
    let mut add = |path: &BStr| paths.insert(path.to_str_lossy().into_owned());
    if index_matches_tree(&index, head_tree) {
        // The index is HEAD's tree: only the work tree can differ (what git does too).
        let iter = platform.into_index_worktree_iter(Vec::new()).map_err(status_error)?;
        for item in iter {
            let item = item.map_err(status_error)?;
            if item.summary().is_some() {
                add(item.rela_path());
            }
        }
    } else {
        let iter = platform.head_tree(head_tree).into_iter(Vec::new()).map_err(status_error)?;
        for item in iter {
            if let Some(path) = changed_path(&item.map_err(status_error)?) {
                add(path);
            }
        }
    }
    Ok(paths.into_iter().collect())
}

/// The index's cache-tree extension says its entries are exactly `tree`: git keeps it
/// up to date on commit and checkout and invalidates the root on any staged change.
pub(super) fn index_matches_tree(index: &gix::index::State, tree: ObjectId) -> bool {
    index.tree().is_some_and(|root| root.num_entries.is_some() && root.id == tree)
}

/// The path of a status item that is a real content difference from HEAD. Items that only
/// say the index's stat data is stale are not changes.
fn changed_path(item: &gix::status::Item) -> Option<&BStr> {
    match item {
        gix::status::Item::TreeIndex(change) => Some(change.location()),
        gix::status::Item::IndexWorktree(change) => change.summary().map(|_| change.rela_path()),
    }
}
