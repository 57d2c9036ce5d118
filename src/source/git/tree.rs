//! Listing a tree: every entry's path and kind, with `node_modules` trees skipped and
//! paths that are not UTF-8 left out with a warning.

use gix::ObjectId;
use gix::bstr::BStr;
use gix::objs::tree::EntryKind as TreeKind;

use crate::diag::Warning;
use crate::source::{Entry, EntryKind};

/// Folders never descended into: they are installed dependencies, never apps, and the
/// commit keeps them untouched because it edits HEAD's tree in place.
pub(super) const SKIPPED_TREE: &str = "node_modules";

pub(super) struct Listing {
    pub(super) entries: Vec<Entry>,
    pub(super) blob_ids: Vec<ObjectId>,
    pub(super) warnings: Vec<Warning>,
}

/// Every non-tree entry below `root`, sorted by path, skipping `node_modules` trees.
///
/// The first levels are listed on this thread until there are enough folders to share
/// out (a monorepo's `apps/*`), then each of those is listed on a core of its own: the
/// listing inflates every tree object and is the longest step before the scan.
pub(super) fn list_tree(repo: &gix::Repository, root: ObjectId) -> Result<Listing, gix::Error> {
    let threads = rayon::current_num_threads();
    let mut part = Part::default();
    let mut pending = vec![(String::new(), root)];
    while !pending.is_empty() && (threads <= 1 || pending.len() < 2 * threads) {
        let mut below = Vec::new();
        for (prefix, id) in pending {
            list_one(repo, &prefix, id, &mut part, &mut below)?;
        }
        pending = below;
    }
    if !pending.is_empty() {
        let shared = repo.clone().into_sync();
        let parts = crate::pool::in_parallel(
            pending.len(),
            threads,
            || shared.to_thread_local(),
            |repo, at| {
                let (prefix, id) = &pending[at];
                list_all(repo, prefix, *id).map(Some)
            },
        )?;
        for more in parts {
            part.files.extend(more.files);
            part.warnings.extend(more.warnings);
        }
    }
    let Part { mut files, mut warnings } = part;
    // Git orders a tree's entries as if folders ended in '/', which is plain string
    // order of the paths, the order callers binary-search by; but the folders come in
    // parts. Each tree's files are one sorted run, which the stable sort merges (a few
    // hundred runs for 20,000 files) instead of sorting every file again.
    files.sort_by(|a, b| a.0.path.cmp(&b.0.path));
    warnings.sort_by(|a, b| a.file.cmp(&b.file));
    let (entries, blob_ids) = files.into_iter().unzip();
    Ok(Listing { entries, blob_ids, warnings })
}

/// Files and warnings of part of a tree.
#[derive(Default)]
struct Part {
    files: Vec<(Entry, ObjectId)>,
    warnings: Vec<Warning>,
}

/// Everything below the tree `id` at `prefix`.
fn list_all(repo: &gix::Repository, prefix: &str, id: ObjectId) -> Result<Part, gix::Error> {
    let mut part = Part::default();
    let mut pending = vec![(prefix.to_owned(), id)];
    while let Some((prefix, id)) = pending.pop() {
        list_one(repo, &prefix, id, &mut part, &mut pending)?;
    }
    Ok(part)
}

/// The entries of the one tree `id` at `prefix`: its files into `part`, its folders
/// (but `node_modules`) into `below`.
fn list_one(
    repo: &gix::Repository,
    prefix: &str,
    tree_id: ObjectId,
    part: &mut Part,
    below: &mut Vec<(String, ObjectId)>,
) -> Result<(), gix::Error> {
    let tree = repo.find_tree(tree_id)?;
    for entry in tree.iter() {
        let entry = entry?;
        let name = entry.filename();
        let path = join(prefix, name);
        let Ok(path) = String::from_utf8(path) else {
            part.warnings.push(non_utf8_warning(prefix, name, entry.mode().is_tree()));
            continue;
        };
        let kind = match entry.mode().kind() {
            TreeKind::Tree => {
                if name != SKIPPED_TREE {
                    below.push((path, entry.object_id()));
                }
                continue;
            }
            TreeKind::Blob => EntryKind::File,
            TreeKind::BlobExecutable => EntryKind::Executable,
            TreeKind::Link => EntryKind::Symlink,
            TreeKind::Commit => EntryKind::Submodule,
        };
        part.files.push((Entry { path, kind, size: None }, entry.object_id()));
    }
    Ok(())
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
