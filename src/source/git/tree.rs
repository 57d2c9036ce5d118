//! Listing a tree: every entry's path and kind, with `node_modules` trees skipped and
//! paths that are not UTF-8 left out with a warning.

use gix::ObjectId;
use gix::bstr::BStr;
use gix::objs::tree::EntryKind as TreeKind;

use crate::diag::Warning;
use crate::source::{Entry, EntryKind};

/// Folders never descended into: they are installed dependencies, never apps, and the
/// commit keeps them untouched because it edits HEAD's tree in place.
/// Folders never descended into: they are installed dependencies, never apps, and the
/// commit keeps them untouched because it edits HEAD's tree in place.
pub(super) const SKIPPED_TREE: &str = "node_modules";

pub(super) struct Listing {
    pub(super) entries: Vec<Entry>,
    pub(super) blob_ids: Vec<ObjectId>,
    pub(super) warnings: Vec<Warning>,
}

/// Every non-tree entry below `root`, sorted by path, skipping `node_modules` trees.
pub(super) fn list_tree(repo: &gix::Repository, root: ObjectId) -> Result<Listing, gix::Error> {
    let mut files: Vec<(Entry, ObjectId)> = Vec::new();
    let mut warnings = Vec::new();
    let mut pending = vec![(String::new(), root)];
    while let Some((prefix, tree_id)) = pending.pop() {
        let tree = repo.find_tree(tree_id)?;
        for entry in tree.iter() {
            let entry = entry?;
            let name = entry.filename();
            let path = join(&prefix, name);
            let Ok(path) = String::from_utf8(path) else {
                warnings.push(non_utf8_warning(&prefix, name, entry.mode().is_tree()));
                continue;
            };
            let kind = match entry.mode().kind() {
                TreeKind::Tree => {
                    if name != SKIPPED_TREE {
                        pending.push((path, entry.object_id()));
                    }
                    continue;
                }
                TreeKind::Blob => EntryKind::File,
                TreeKind::BlobExecutable => EntryKind::Executable,
                TreeKind::Link => EntryKind::Symlink,
                TreeKind::Commit => EntryKind::Submodule,
            };
            files.push((Entry { path, kind, size: None }, entry.object_id()));
        }
    }
    // Git orders a tree's entries as if folders ended in '/', which is plain string
    // order of the paths, the order callers binary-search by; but the folders above come
    // off a stack. Each tree's files are one sorted run, which the stable sort merges
    // (a few hundred runs for 20,000 files) instead of sorting every file again.
    files.sort_by(|a, b| a.0.path.cmp(&b.0.path));
    let (entries, blob_ids) = files.into_iter().unzip();
    Ok(Listing { entries, blob_ids, warnings })
}

pub(super) fn join(prefix: &str, name: &BStr) -> Vec<u8> {
    let mut path = Vec::with_capacity(prefix.len() + 1 + name.len());
    if !prefix.is_empty() {
        path.extend_from_slice(prefix.as_bytes());
        path.push(b'/');
    }
    path.extend_from_slice(name);
    path
}

pub(super) fn non_utf8_warning(prefix: &str, name: &BStr, is_tree: bool) -> Warning {
    let shown = String::from_utf8_lossy(&join(prefix, name)).into_owned();
    let what = if is_tree { "folder name" } else { "file name" };
    Warning::in_file(
        shown,
        format!("{what} is not valid UTF-8; skipped by the migration and kept unchanged"),
    )
}
