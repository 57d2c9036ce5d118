//! The migration branch as objects: which commit it was made on, whether its files are
//! what the plan of that commit gives, and its tree written out to a folder.
//!
//! Everything here reads the object database; nothing is written to the repository.

use std::collections::BTreeMap;
use std::io::Write as _;
use std::path::{Component, Path, PathBuf};

use gix::ObjectId;
use gix::bstr::{BString, ByteSlice};
use gix::objs::tree::EntryKind as TreeKind;

use super::Error;
use crate::plan::{Action, Change};
use crate::sink::report::COMMIT_SUBJECT;
use crate::source::EntryKind;

/// How far down the branch's first parents to look for the migration commit: the user
/// may have added a few commits of fixes on top of it.
const MAX_COMMITS_ON_TOP: usize = 100;

/// The migration branch, resolved.
#[derive(Debug, Clone)]
pub(crate) struct Branch {
    /// The branch's tip: the files that are verified.
    pub tip: ObjectId,
    pub tip_tree: ObjectId,
    /// The commit the migration was made on (the migration commit's parent).
    pub base: ObjectId,
    pub base_tree: ObjectId,
    /// Commits on the branch after the migration commit (fixes by hand).
    pub commits_on_top: usize,
}

/// Resolves `refs/heads/<name>` and finds the commit it was made on: the parent of the
/// newest commit (following first parents) whose subject is the one `apply` writes, or
/// of the tip when none has it.
pub(crate) fn find_branch(
    repo: &gix::Repository,
    repo_path: &Path,
    name: &str,
) -> Result<Branch, Error> {
    let full = format!("refs/heads/{name}");
    let bad = |message: String| Error::Input(format!("{}: {message}", repo_path.display()));
    if gix::refs::FullName::try_from(full.as_str()).is_err() {
        return Err(bad(format!("`{name}` is not a valid branch name")));
    }
    let mut reference = match repo.try_find_reference(full.as_str()) {
        Ok(Some(reference)) => reference,
        Ok(None) => {
            return Err(bad(format!(
                "there is no branch `{name}` to verify; create it with `capsule-migrate apply` \
                 (or name the migration branch with --branch NAME)"
            )));
        }
        Err(e) => return Err(bad(format!("cannot read branch `{name}`: {e}"))),
    };
    let tip = reference
        .peel_to_commit()
        .map_err(|e| bad(format!("branch `{name}` does not point to a readable commit: {e}")))?;
    let tip_id = tip.id;
    let tip_tree = tip.tree_id().map_err(|e| bad(format!("cannot read {tip_id}: {e}")))?.detach();
    let mut current = tip;
    let mut migration = None;
    for depth in 0..MAX_COMMITS_ON_TOP {
        let subject = current.message().map(|m| m.summary().to_string()).unwrap_or_default();
        if subject == COMMIT_SUBJECT {
            migration = Some((current.clone(), depth));
            break;
        }
        let Some(parent) = current.parent_ids().next() else { break };
        current = parent
            .object()
            .map_err(|e| bad(format!("cannot read commit {parent}: {e}")))?
            .into_commit();
    }
    let (migration, commits_on_top) = match migration {
        Some(found) => found,
        None => (repo.find_commit(tip_id).map_err(|e| bad(e.to_string()))?, 0),
    };
    let Some(base) = migration.parent_ids().next() else {
        return Err(bad(format!(
            "branch `{name}` has no commit before its migration commit {}: nothing to compare \
             with; is it a branch made by `capsule-migrate apply`?",
            migration.id.to_hex_with_len(12)
        )));
    };
    let base = base.detach();
    let base_tree = repo
        .find_commit(base)
        .and_then(|c| c.tree_id())
        .map_err(|e| bad(format!("cannot read commit {base}: {e}")))?
        .detach();
    Ok(Branch { tip: tip_id, tip_tree, base, base_tree, commits_on_top })
}

/// One entry of a flattened tree: its kind and object.
type Flat = BTreeMap<BString, (TreeKind, ObjectId)>;

/// Every non-tree entry below `tree`, by full path.
fn flatten(repo: &gix::Repository, tree: ObjectId) -> Result<Flat, gix::Error> {
    let mut out = Flat::new();
    let mut pending = vec![(BString::default(), tree)];
    while let Some((prefix, id)) = pending.pop() {
        for entry in repo.find_tree(id)?.iter() {
            let entry = entry?;
            let mut path = prefix.clone();
            if !path.is_empty() {
                path.push(b'/');
            }
            path.extend_from_slice(entry.filename());
            match entry.mode().kind() {
                TreeKind::Tree => pending.push((path, entry.object_id())),
                kind => {
                    out.insert(path, (kind, entry.object_id()));
                }
            }
        }
    }
    Ok(out)
}

/// The paths where the branch's tree differs from the base's tree with `changes` applied,
/// sorted. Nothing is written: blob ids are computed in memory.
pub(crate) fn differences_from_plan(
    repo: &gix::Repository,
    branch: &Branch,
    changes: &[Change],
) -> Result<Vec<String>, gix::Error> {
    let mut expected = flatten(repo, branch.base_tree)?;
    for change in changes {
        let path = BString::from(change.path.as_str());
        match (change.action, &change.new) {
            (Action::Delete, _) | (_, None) => {
                expected.remove(&path);
            }
            (_, Some(bytes)) => {
                let kind = match change.kind {
                    EntryKind::Executable => TreeKind::BlobExecutable,
                    EntryKind::Symlink => TreeKind::Link,
                    EntryKind::File | EntryKind::Submodule => TreeKind::Blob,
                };
                let id = gix::objs::compute_hash(repo.object_hash(), gix::objs::Kind::Blob, bytes)?;
                expected.insert(path, (kind, id));
            }
        }
    }
    let actual = flatten(repo, branch.tip_tree)?;
    let mut paths: Vec<String> = expected
        .iter()
        .filter(|(path, entry)| actual.get(*path) != Some(entry))
        .map(|(path, _)| path.to_str_lossy().into_owned())
        .collect();
    paths.extend(
        actual
            .keys()
            .filter(|path| !expected.contains_key(*path))
            .map(|path| path.to_str_lossy().into_owned()),
    );
    paths.sort();
    Ok(paths)
}

/// What [`write_tree`] left out, one sentence each.
pub(crate) type Skipped = Vec<String>;

/// Writes the files of `tree` into `dest` (an empty folder): regular files with their
/// executable bit, folders, and symlinks whose target stays inside `dest`. Submodules
/// become empty folders (Code Capsules does not fetch them either).
///
/// Nothing is written outside `dest`: names that are not plain names (`..`, `.git`, a
/// `/`) are refused, files are created new (an existing entry is never followed), and
/// symlinks are made last, once every file is written, so no write goes through one.
pub(crate) fn write_tree(
    repo: &gix::Repository,
    tree: ObjectId,
    dest: &Path,
) -> Result<Skipped, Error> {
    let mut links: Vec<(PathBuf, Vec<u8>, String)> = Vec::new();
    let mut skipped = Skipped::new();
    let mut pending = vec![(dest.to_owned(), String::new(), tree)];
    let io = |path: &Path, source: std::io::Error| Error::Io { path: path.to_owned(), source };
    let git =
        |source: gix::Error| Error::Git { what: "cannot read the branch's files".into(), source };
    while let Some((dir, prefix, id)) = pending.pop() {
        let tree = repo.find_tree(id).map_err(&git)?;
        for entry in tree.iter() {
            let entry = entry.map_err(&git)?;
            let name = entry.filename();
            let shown = format!("{prefix}{}", name.to_str_lossy());
            let Some(name) = plain_name(name) else {
                skipped.push(format!("{shown}: not a plain file name, not written"));
                continue;
            };
            let path = dir.join(name);
            match entry.mode().kind() {
                TreeKind::Tree => {
                    std::fs::create_dir(&path).map_err(|e| io(&path, e))?;
                    pending.push((path, format!("{shown}/"), entry.object_id()));
                }
                TreeKind::Commit => {
                    std::fs::create_dir(&path).map_err(|e| io(&path, e))?;
                    skipped.push(format!("{shown}: a submodule, written as an empty folder"));
                }
                kind @ (TreeKind::Blob | TreeKind::BlobExecutable) => {
                    let blob = repo.find_blob(entry.object_id()).map_err(&git)?;
                    write_new_file(&path, &blob.data, kind == TreeKind::BlobExecutable)
                        .map_err(|e| io(&path, e))?;
                }
                TreeKind::Link => {
                    let blob = repo.find_blob(entry.object_id()).map_err(&git)?;
                    links.push((path, blob.data.clone(), shown));
                }
            }
        }
    }
    for (path, target, shown) in links {
        let relative_dir = path.parent().and_then(|p| p.strip_prefix(dest).ok());
        match (target.to_str(), relative_dir) {
            (Ok(target), Some(dir)) if stays_inside(dir, Path::new(target)) => {
                std::os::unix::fs::symlink(target, &path).map_err(|e| io(&path, e))?;
            }
            _ => skipped.push(format!(
                "{shown}: a symlink to `{}`, outside the repository, not written",
                target.to_str_lossy()
            )),
        }
    }
    Ok(skipped)
}

/// `name` as a path component when it is one plain name (not `.`, `..`, `.git`, nor
/// holding a separator or NUL).
fn plain_name(name: &gix::bstr::BStr) -> Option<&str> {
    let name = name.to_str().ok()?;
    let plain = !name.is_empty()
        && name != "."
        && name != ".."
        && !name.eq_ignore_ascii_case(".git")
        && !name.contains(['/', '\0']);
    plain.then_some(name)
}

/// Whether `target`, a symlink's text in folder `dir` (relative to the root), stays
/// inside the root: relative, with `..` only before every name and no more of them than
/// `dir` is deep. A `..` after a name could climb out of a folder reached through
/// another symlink (`l/..` where `l -> ../..`), so it is refused; the `..` at the start
/// climb real folders, since no path in a git tree goes through a symlink.
fn stays_inside(dir: &Path, target: &Path) -> bool {
    let mut depth: usize = dir.components().count();
    let mut named = false;
    for component in target.components() {
        match component {
            Component::Normal(_) => named = true,
            Component::CurDir => {}
            Component::ParentDir if !named => match depth.checked_sub(1) {
                Some(d) => depth = d,
                None => return false,
            },
            Component::ParentDir | Component::RootDir | Component::Prefix(_) => return false,
        }
    }
    true
}

fn write_new_file(path: &Path, bytes: &[u8], executable: bool) -> std::io::Result<()> {
    use std::os::unix::fs::OpenOptionsExt;
    let mode = if executable { 0o755 } else { 0o644 };
    let mut file =
        std::fs::OpenOptions::new().write(true).create_new(true).mode(mode).open(path)?;
    file.write_all(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::TestRepo;

    fn change(path: &str, action: Action, new: Option<&str>) -> Change {
        Change {
            path: path.into(),
            action,
            old: None,
            new: new.map(|t| t.as_bytes().to_vec()),
            kind: EntryKind::File,
            rules: Vec::new(),
        }
    }

    /// A base commit, then a "migration" commit on branch `m` that deletes `Procfile` and
    /// changes `app/package.json`, made with git itself.
    fn migrated_repo(subject: &str) -> TestRepo {
        let repo = TestRepo::with_files(&[
            ("Procfile", "web: node app/server.js\n"),
            ("app/package.json", "{}\n"),
            ("app/server.js", "listen()\n"),
        ]);
        repo.git(&["checkout", "-q", "-b", "m"]);
        repo.git(&["rm", "-q", "Procfile"]);
        repo.write("app/package.json", "{\"engines\": {}}\n");
        repo.commit_all(subject);
        repo.git(&["checkout", "-q", "main"]);
        repo
    }

    fn plan() -> Vec<Change> {
        vec![
            change("Procfile", Action::Delete, None),
            change("app/package.json", Action::Modify, Some("{\"engines\": {}}\n")),
        ]
    }

    #[test]
    fn the_base_is_the_parent_of_the_migration_commit_even_with_fixes_on_top() {
        let repo = migrated_repo(COMMIT_SUBJECT);
        let source = repo.open();
        let branch = find_branch(source.repo(), &repo.path, "m").unwrap();
        assert_eq!(branch.base.to_string(), repo.git(&["rev-parse", "main"]));
        assert_eq!(branch.commits_on_top, 0);
        assert_eq!(
            differences_from_plan(source.repo(), &branch, &plan()).unwrap(),
            Vec::<String>::new()
        );

        repo.git(&["checkout", "-q", "m"]);
        repo.write("app/server.js", "listen(process.env.PORT)\n");
        repo.commit_all("Listen on PORT");
        repo.git(&["checkout", "-q", "main"]);
        let source = repo.open();
        let branch = find_branch(source.repo(), &repo.path, "m").unwrap();
        assert_eq!(branch.base.to_string(), repo.git(&["rev-parse", "main"]));
        assert_eq!(branch.commits_on_top, 1);
        assert_eq!(branch.tip.to_string(), repo.git(&["rev-parse", "m"]));
        assert_eq!(
            differences_from_plan(source.repo(), &branch, &plan()).unwrap(),
            ["app/server.js"]
        );
        // A plan that differs (another option) names the files it would change otherwise.
        let other = vec![change("Procfile", Action::Delete, None)];
        assert_eq!(
            differences_from_plan(source.repo(), &branch, &other).unwrap(),
            ["app/package.json", "app/server.js"]
        );
    }

    #[test]
    fn a_branch_without_the_migration_subject_is_based_on_its_tips_parent() {
        let repo = migrated_repo("my own migration");
        let source = repo.open();
        let branch = find_branch(source.repo(), &repo.path, "m").unwrap();
        assert_eq!(branch.base.to_string(), repo.git(&["rev-parse", "main"]));
        let err = find_branch(source.repo(), &repo.path, "main").unwrap_err().to_string();
        assert!(err.contains("has no commit before its migration commit"), "{err}");
        let err = find_branch(source.repo(), &repo.path, "nope").unwrap_err().to_string();
        assert!(err.contains("there is no branch `nope` to verify"), "{err}");
    }

    #[test]
    fn the_tree_is_written_with_modes_and_only_safe_symlinks() {
        let repo = TestRepo::with_files(&[("bin/run", "#!/bin/sh\n"), ("app/a.txt", "a\n")]);
        repo.make_executable("bin/run");
        let link = |target: &str, name: &str| {
            std::os::unix::fs::symlink(target, repo.path.join(name)).unwrap();
        };
        link("a.txt", "app/inside");
        link("../app/a.txt", "bin/up-and-in");
        link("../../outside", "app/escape");
        link("/etc/passwd", "absolute");
        repo.commit_all("files and links");
        let source = repo.open();
        let tree = source.repo().head_tree_id().unwrap().detach();
        let dest = tempfile::tempdir().unwrap();
        let skipped = write_tree(source.repo(), tree, dest.path()).unwrap();
        let d = dest.path();
        assert_eq!(std::fs::read_to_string(d.join("app/a.txt")).unwrap(), "a\n");
        use std::os::unix::fs::PermissionsExt;
        let mode = |p: &str| std::fs::metadata(d.join(p)).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode("bin/run"), 0o755);
        assert_eq!(mode("app/a.txt"), 0o644);
        assert_eq!(std::fs::read_link(d.join("app/inside")).unwrap(), Path::new("a.txt"));
        assert_eq!(std::fs::read_to_string(d.join("bin/up-and-in")).unwrap(), "a\n");
        assert!(d.join("app/escape").symlink_metadata().is_err());
        assert!(d.join("absolute").symlink_metadata().is_err());
        assert_eq!(
            skipped,
            [
                "absolute: a symlink to `/etc/passwd`, outside the repository, not written",
                "app/escape: a symlink to `../../outside`, outside the repository, not written",
            ]
        );
    }

    /// A file that cannot be created keeps the io error as its source; the message the
    /// user reads (anyhow's chain) is the path, then the cause.
    #[test]
    fn a_file_that_cannot_be_written_keeps_the_io_error_as_its_source() {
        let repo = TestRepo::with_files(&[("app/a.txt", "a\n")]);
        let source = repo.open();
        let tree = source.repo().head_tree_id().unwrap().detach();
        let dest = tempfile::tempdir().unwrap();
        std::fs::create_dir(dest.path().join("app")).unwrap();
        let err = write_tree(source.repo(), tree, dest.path()).unwrap_err();
        let cause = std::error::Error::source(&err)
            .and_then(|s| s.downcast_ref::<std::io::Error>())
            .expect("the io error is the source");
        assert_eq!(cause.kind(), std::io::ErrorKind::AlreadyExists);
        let cause = cause.to_string();
        let shown = format!("{:#}", anyhow::Error::new(err));
        assert_eq!(shown, format!("{}: {cause}", dest.path().join("app").display()));
    }

    #[test]
    fn symlink_targets_are_read_lexically_against_the_root() {
        assert!(stays_inside(Path::new(""), Path::new("a/b")));
        assert!(stays_inside(Path::new("a"), Path::new("../b")));
        assert!(stays_inside(Path::new("a/b"), Path::new("../../c")));
        assert!(!stays_inside(Path::new("a"), Path::new("./x/../y")));
        assert!(!stays_inside(Path::new(""), Path::new("deep/deeper/l/..")));
        assert!(!stays_inside(Path::new(""), Path::new("../x")));
        assert!(!stays_inside(Path::new("a"), Path::new("../../x")));
        assert!(!stays_inside(Path::new("a"), Path::new("x/../../../y")));
        assert!(!stays_inside(Path::new("a"), Path::new("/etc/passwd")));
    }

    #[test]
    fn only_plain_names_are_written() {
        for bad in ["", ".", "..", ".git", ".GIT", "a/b", "a\0b"] {
            assert_eq!(plain_name(bad.as_bytes().into()), None, "{bad:?}");
        }
        assert_eq!(plain_name(b"..a".into()), Some("..a"));
        assert_eq!(plain_name(b".gitignore".into()), Some(".gitignore"));
    }
}
