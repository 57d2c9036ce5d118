//! The migration as one commit on a new branch.
//!
//! Everything goes through the object database: HEAD's tree is edited in memory, the
//! changed trees and a commit whose parent is HEAD are written as objects, and only then
//! is `refs/heads/<branch>` created, with a precondition on its old value so that an
//! existing branch is never moved by accident. The working tree, the index and HEAD are
//! never touched, so this works the same on detached HEADs, bare repositories and linked
//! worktrees.

use std::path::{Path, PathBuf};

use gix::ObjectId;
use gix::bstr::{BStr, ByteSlice};
use gix::objs::tree::EntryKind as TreeKind;
use gix::refs::file::transaction::prepare::{MustNotExist, ReferenceOutOfDate};
use gix::refs::transaction::PreviousValue;
use gix::refs::{FullName, Target};

use crate::plan::{Action, Change};
use crate::source::{EntryKind, GitRepo};

mod sign;

pub struct Request<'a> {
    /// The short branch name, like `code-capsules-migration`.
    pub branch: &'a str,
    /// Replace the branch if it exists (never the branch a checkout is on).
    pub force: bool,
    pub message: &'a str,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    /// The new commit, in hex.
    pub commit: String,
    /// The short branch name.
    pub branch: String,
    /// The commit the branch pointed to before `--force` moved it.
    pub replaced: Option<String>,
    /// What signed the commit (`commit.gpgsign`), as [`sign::Signer::describe`] says it.
    pub signed: Option<String>,
}

/// The error a library below this one gave (gix, the file system), kept whole so that
/// [`std::error::Error::source`] reaches it; the message above it says what was being done.
pub type Cause = Box<dyn std::error::Error + Send + Sync + 'static>;

/// Why a commit could not be made. The variants with a `source` print what failed, and
/// the chain (`{:#}` through anyhow) adds the cause, as gitoxide's errors do.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{name:?} is not a valid branch name ({reason}); choose another with --branch NAME")]
    InvalidBranch { name: String, reason: String },
    #[error(
        "branch '{branch}' already exists (at {target}); pass --force to replace it, or \
         --branch NAME to write the migration to another branch"
    )]
    BranchExists { branch: String, target: String },
    #[error(
        "branch '{branch}' is checked out at {location}; replacing it would change the files \
         of that checkout, so choose another branch with --branch NAME"
    )]
    BranchCheckedOut { branch: String, location: String },
    #[error(
        "branch '{branch}' moved while the migration was being written; nothing was \
         changed, run the command again"
    )]
    BranchMoved { branch: String },
    #[error(
        "{repo}: no git identity for the commit ({missing} is not set); run \
         `git config user.name \"Your Name\"` and `git config user.email you@example.com`"
    )]
    MissingIdentity { repo: PathBuf, missing: &'static str },
    #[error("the migration plan has no changes; there is nothing to commit")]
    NothingToCommit,
    #[error("{path}: cannot be written to git: {message}")]
    File { path: String, message: String },
    #[error("{path}: cannot be written to git")]
    FileObject {
        path: String,
        #[source]
        source: Cause,
    },
    #[error("{repo}: cannot {what}")]
    Git {
        repo: PathBuf,
        what: &'static str,
        #[source]
        source: Cause,
    },
    #[error("{repo}: cannot lock the repository: {lock}")]
    Lock {
        repo: PathBuf,
        lock: String,
        #[source]
        source: std::io::Error,
    },
    #[error(
        "{lock}: another capsule-migrate apply is writing to this repository; wait for it \
         to finish and run again"
    )]
    Busy { lock: PathBuf },
    #[error(
        "cannot lock ref '{wanted}': '{existing}' exists; cannot create '{wanted}'. A branch \
         cannot be both a name and a folder of names: choose another with --branch NAME, or \
         delete or rename '{existing}'"
    )]
    RefClash { wanted: String, existing: String },
    #[error(
        "{repo}: commit.gpgsign asks for signed commits, and signing failed: {message}; no \
         branch was made. Fix signing (`git commit -S` fails the same way), or turn it off \
         for this repository (`git config commit.gpgsign false`) and sign the commit later"
    )]
    Sign { repo: PathBuf, message: String },
}

/// Held while one run checks the branch and creates it. gix's ref transaction alone lets
/// two runs that made the identical commit (same tree, parent and second) both "create"
/// the branch; with this lock the later run sees the branch and refuses it.
///
/// It is an advisory lock on `capsule-migrate.lock` in the git folder, which the system
/// releases when the file is closed or the process ends, even when it is killed: no
/// stale lock is ever left behind. The empty file stays; deleting it while another run
/// has it open would let two runs hold locks on two different files.
struct RunLock {
    file: std::fs::File,
}

impl Drop for RunLock {
    /// Unlocks before the file closes: a child another thread forked in the meantime
    /// shares the open file (until it execs), and closing alone would leave the lock held
    /// through that copy, refusing the next run in this process.
    fn drop(&mut self) {
        let _ = self.file.unlock();
    }
}

impl RunLock {
    fn acquire(git: &GitRepo) -> Result<RunLock, Error> {
        let path = git.repo().common_dir().join(LOCK_FILE);
        let failed = |source: std::io::Error| Error::Lock {
            repo: git.path().to_owned(),
            lock: path.display().to_string(),
            source,
        };
        let file = std::fs::OpenOptions::new()
            .write(true)
            .create(true)
            .truncate(false)
            .open(&path)
            .map_err(failed)?;
        match file.try_lock() {
            Ok(()) => Ok(RunLock { file }),
            Err(std::fs::TryLockError::WouldBlock) => Err(Error::Busy { lock: path }),
            // A file system without locks: the race it guards against is rare enough
            // that refusing to work there would be worse.
            Err(std::fs::TryLockError::Error(e)) if e.kind() == std::io::ErrorKind::Unsupported => {
                Ok(RunLock { file })
            }
            Err(std::fs::TryLockError::Error(e)) => Err(failed(e)),
        }
    }
}

/// The run lock's file in the (common) git folder.
pub const LOCK_FILE: &str = "capsule-migrate.lock";

/// Writes `changes` as one commit on top of HEAD and points the new branch at it.
///
/// The common refusal (the branch exists, no `--force`) is decided before any object is
/// written, so it leaves nothing behind.
pub fn commit(git: &GitRepo, changes: &[Change], request: &Request) -> Result<Outcome, Error> {
    let repo = git.repo();
    let ref_name = branch_ref_name(request.branch)?;
    if changes.is_empty() {
        return Err(Error::NothingToCommit);
    }
    let _lock = RunLock::acquire(git)?;
    git.remove_stale_temporaries(crate::saved::FILE);
    refuse_ref_clash(git, request.branch)?;
    let existing = existing_target(git, &ref_name)?;
    if let Some(target) = &existing {
        if !request.force {
            return Err(Error::BranchExists {
                branch: request.branch.to_owned(),
                target: target.to_string(),
            });
        }
        refuse_checked_out(git, &ref_name, request.branch)?;
    }
    let (author, committer) = identity(git)?;
    let sign_error = |e: sign::SignError| Error::Sign { repo: git.path().to_owned(), message: e.0 };
    // Read before any object is written, so a bad signing setup leaves nothing behind.
    let signer = sign::Signer::from_config(repo).map_err(sign_error)?;
    let tree = write_tree(git, changes)?;
    let mut object = gix::objs::Commit {
        tree,
        parents: [git.head_commit_oid()].into_iter().collect(),
        author: author.into(),
        committer: committer.into(),
        encoding: None,
        message: request.message.into(),
        extra_headers: Vec::new(),
    };
    if let Some(signer) = &signer {
        let mut payload = Vec::new();
        gix::objs::WriteTo::write_to(&object, &mut payload)
            .map_err(|e| git_error(git.path(), "write the commit", e))?;
        let ident = format!("{} <{}>", committer.name, committer.email);
        let signature = signer.sign(&payload, &ident).map_err(sign_error)?;
        object.extra_headers.push(("gpgsig".into(), signature.into()));
    }
    let commit = repo
        .write_object(&object)
        .map_err(|e| git_error(git.path(), "write the commit", e))?
        .detach();
    let precondition = match &existing {
        Some(target) => PreviousValue::MustExistAndMatch(target.clone()),
        None => PreviousValue::MustNotExist,
    };
    create_branch(git, ref_name, commit, precondition, request)?;
    Ok(Outcome {
        commit: commit.to_string(),
        branch: request.branch.to_owned(),
        replaced: existing.map(|t| t.to_string()),
        signed: signer.map(|s| s.describe()),
    })
}

/// git stores refs as files, so `refs/heads/a` and `refs/heads/a/b` cannot both exist.
/// Checked before any object is written, and said as git says it.
fn refuse_ref_clash(git: &GitRepo, branch: &str) -> Result<(), Error> {
    let repo = git.repo();
    let wanted = format!("refs/heads/{branch}");
    let clash = |existing: String| Error::RefClash { wanted: wanted.clone(), existing };
    let mut prefix = String::from("refs/heads");
    let parts: Vec<&str> = branch.split('/').collect();
    for part in &parts[..parts.len() - 1] {
        prefix = format!("{prefix}/{part}");
        if repo.try_find_reference(prefix.as_str()).ok().flatten().is_some() {
            return Err(clash(prefix));
        }
    }
    let failed = |e: gix::Error| git_error(git.path(), "list the branches", e);
    let platform = repo.references().map_err(failed)?;
    let below = format!("{wanted}/");
    let mut inside = platform.prefixed(below.as_str()).map_err(failed)?;
    if let Some(Ok(reference)) = inside.next() {
        return Err(clash(reference.name().as_bstr().to_string()));
    }
    Ok(())
}

/// How the printed commands name the branch: by its short name, or in full
/// (`refs/heads/<branch>`) when a tag or another ref has the same short name and git
/// would answer "matches more than one" or pick the tag.
pub fn unambiguous_branch(git: &GitRepo, branch: &str) -> String {
    let repo = git.repo();
    let others = [
        format!("refs/{branch}"),
        format!("refs/tags/{branch}"),
        format!("refs/remotes/{branch}"),
        format!("refs/remotes/{branch}/HEAD"),
    ];
    let ambiguous =
        others.iter().any(|name| repo.try_find_reference(name.as_str()).ok().flatten().is_some());
    if ambiguous { format!("refs/heads/{branch}") } else { branch.to_owned() }
}

/// `refs/heads/<branch>`, refusing what `git branch` refuses.
fn branch_ref_name(branch: &str) -> Result<FullName, Error> {
    let invalid = |reason: String| Error::InvalidBranch { name: branch.to_owned(), reason };
    if branch.is_empty() {
        return Err(invalid("it is empty".into()));
    }
    // A leading '-' would read as an option in the `git push` command we print.
    if branch.starts_with('-') {
        return Err(invalid("it starts with '-'".into()));
    }
    if branch == "HEAD" {
        return Err(invalid("HEAD is reserved".into()));
    }
    let full = format!("refs/heads/{branch}");
    gix::validate::reference::branch_name(full.as_bytes().as_bstr())
        .map_err(|e| invalid(e.to_string()))?;
    FullName::try_from(full).map_err(|e| invalid(e.to_string()))
}

/// What the branch points to now, read before anything is written.
fn existing_target(git: &GitRepo, ref_name: &FullName) -> Result<Option<Target>, Error> {
    let name = ref_name.as_bstr().to_str().expect("built from a str");
    let found = git
        .repo()
        .try_find_reference(name)
        .map_err(|e| git_error(git.path(), "read the branch", e))?;
    Ok(found.map(|r| r.inner.target))
}

/// `--force` must not move a branch some checkout is on (this one or a linked worktree):
/// that checkout's HEAD would then name content its files and index do not have.
fn refuse_checked_out(git: &GitRepo, ref_name: &FullName, branch: &str) -> Result<(), Error> {
    let repo = git.repo();
    let read_error = |e: gix::Error| git_error(git.path(), "read the worktrees' HEADs", e);
    let on_branch = |r: &gix::Repository| -> Result<bool, Error> {
        Ok(r.head_name().map_err(read_error)?.as_ref() == Some(ref_name))
    };
    let checked_out = |location: &Path| Error::BranchCheckedOut {
        branch: branch.to_owned(),
        location: location.display().to_string(),
    };
    if on_branch(repo)? {
        return Err(checked_out(repo.workdir().unwrap_or(repo.git_dir())));
    }
    for other in repo.worktrees_including_main().map_err(read_error)? {
        let other = other.map_err(read_error)?;
        if on_branch(&other)? {
            return Err(checked_out(other.workdir().unwrap_or(other.git_dir())));
        }
    }
    Ok(())
}

/// Author and committer from git config (and `GIT_AUTHOR_*` / `GIT_COMMITTER_*`).
fn identity(
    git: &GitRepo,
) -> Result<(gix::actor::SignatureRef<'_>, gix::actor::SignatureRef<'_>), Error> {
    let repo = git.repo();
    let missing = |missing| Error::MissingIdentity { repo: git.path().to_owned(), missing };
    let author = repo.author().ok_or_else(|| missing("author name or email"))?;
    let author = author.map_err(|e| git_error(git.path(), "read the author's identity", e))?;
    let committer = repo.committer().ok_or_else(|| missing("committer name or email"))?;
    let committer =
        committer.map_err(|e| git_error(git.path(), "read the committer's identity", e))?;
    Ok((author, committer))
}

/// HEAD's tree with the changes applied; only blobs and changed trees are written.
fn write_tree(git: &GitRepo, changes: &[Change]) -> Result<ObjectId, Error> {
    let repo = git.repo();
    let mut editor = repo
        .edit_tree(git.head_tree_oid())
        .map_err(|e| git_error(git.path(), "read HEAD's tree", e))?;
    for change in changes {
        let file_error = |message: String| Error::File { path: change.path.clone(), message };
        let object_error = |source: Cause| Error::FileObject { path: change.path.clone(), source };
        let path: &BStr = change.path.as_bytes().as_bstr();
        match change.action {
            Action::Delete => {
                editor.remove(path).map_err(|e| object_error(e.into()))?;
            }
            Action::Create | Action::Modify => {
                let bytes = change.new.as_deref().ok_or_else(|| {
                    file_error("the plan has no new content for this file".into())
                })?;
                let kind = tree_kind(change.kind).ok_or_else(|| {
                    file_error("a submodule cannot be written from file content".into())
                })?;
                let blob = repo.write_blob(bytes).map_err(|e| object_error(e.into()))?;
                editor.upsert(path, kind, blob).map_err(|e| object_error(e.into()))?;
            }
        }
    }
    let tree = editor.write().map_err(|e| git_error(git.path(), "write the new tree", e))?;
    Ok(tree.detach())
}

fn tree_kind(kind: EntryKind) -> Option<TreeKind> {
    match kind {
        EntryKind::File => Some(TreeKind::Blob),
        EntryKind::Executable => Some(TreeKind::BlobExecutable),
        EntryKind::Symlink => Some(TreeKind::Link),
        EntryKind::Submodule => None,
    }
}

/// Points the branch at `commit` if it still has the value read at the start; losing a
/// race to a concurrent run ends as "branch exists", never as a moved branch.
fn create_branch(
    git: &GitRepo,
    ref_name: FullName,
    commit: ObjectId,
    precondition: PreviousValue,
    request: &Request,
) -> Result<(), Error> {
    let subject = request.message.lines().next().unwrap_or_default();
    let log_message = format!("capsule-migrate: {subject}");
    let Err(err) = git.repo().reference(ref_name, commit, precondition, log_message) else {
        return Ok(());
    };
    let branch = request.branch.to_owned();
    if let Some(exists) = err.downcast_any_ref::<MustNotExist>() {
        return Err(Error::BranchExists { branch, target: exists.actual.to_string() });
    }
    if err.downcast_any_ref::<ReferenceOutOfDate>().is_some() {
        return Err(Error::BranchMoved { branch });
    }
    Err(git_error(git.path(), "create the branch", err))
}

fn git_error(repo: &Path, what: &'static str, source: impl Into<Cause>) -> Error {
    Error::Git { repo: repo.to_owned(), what, source: source.into() }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{DATE, EMAIL, NAME, TestRepo, git, git_command, open_isolated};

    const MESSAGE: &str = "Migrate to Code Capsules\n\nRemoves the Procfile.\n";

    fn change(path: &str, action: Action, new: Option<&str>, kind: EntryKind) -> Change {
        Change {
            path: path.to_owned(),
            action,
            old: None,
            new: new.map(|s| s.as_bytes().to_vec()),
            kind,
            rules: vec!["test".into()],
        }
    }

    fn request(branch: &str, force: bool) -> Request<'_> {
        Request { branch, force, message: MESSAGE }
    }

    fn app_repo() -> TestRepo {
        let repo = TestRepo::with_files(&[
            ("Procfile", "web: node server.js\n"),
            ("bin/start.sh", "#!/bin/sh\nnode server.js\n"),
            ("scripts/only.js", "console.log('only');\n"),
            ("server.js", "require('http');\n"),
            ("web/package.json", "{\"name\":\"web\"}\n"),
        ]);
        repo.make_executable("bin/start.sh");
        repo.git(&["commit", "-q", "-m", "exec bit"]);
        repo
    }

    fn migration() -> Vec<Change> {
        vec![
            change("Procfile", Action::Delete, None, EntryKind::File),
            change(
                "bin/start.sh",
                Action::Modify,
                Some("#!/bin/sh\nexec node .\n"),
                EntryKind::Executable,
            ),
            change("docs/MIGRATION.md", Action::Create, Some("# Guide\n"), EntryKind::File),
            change("scripts/only.js", Action::Delete, None, EntryKind::File),
            change(
                "web/package.json",
                Action::Modify,
                Some("{\"name\":\"web2\"}\n"),
                EntryKind::File,
            ),
        ]
    }

    /// `git ls-tree -r` of `rev` as "mode path" lines.
    fn tree_of(repo: &Path, rev: &str) -> Vec<String> {
        let out = git(repo, &["ls-tree", "-r", "--format=%(objectmode) %(path)", rev]);
        out.lines().map(str::to_owned).collect()
    }

    fn object_count(repo: &Path) -> u64 {
        let out = git(repo, &["count-objects", "-v"]);
        out.lines()
            .filter_map(|l| l.strip_prefix("count: ").or_else(|| l.strip_prefix("in-pack: ")))
            .map(|n| n.parse::<u64>().unwrap())
            .sum()
    }

    /// What `apply` promises not to change.
    fn untouched_state(repo: &TestRepo) -> (String, String, String, Vec<u8>) {
        (
            repo.git(&["rev-parse", "HEAD"]),
            repo.git(&["symbolic-ref", "-q", "HEAD"]),
            repo.git(&["status", "--porcelain"]),
            std::fs::read(repo.path.join(".git/index")).unwrap(),
        )
    }

    #[test]
    fn writes_exactly_the_changes_as_one_commit_on_a_new_branch() {
        let repo = app_repo();
        repo.write("server.js", "uncommitted edit\n");
        let before = untouched_state(&repo);
        let head = repo.git(&["rev-parse", "HEAD"]);

        let outcome = commit(&repo.open(), &migration(), &request("migrate", false)).unwrap();

        assert_eq!(outcome.branch, "migrate");
        assert_eq!(outcome.replaced, None);
        assert_eq!(repo.git(&["rev-parse", "refs/heads/migrate"]), outcome.commit);
        assert_eq!(repo.git(&["show", "-s", "--format=%P", "migrate"]), head);
        let expected = [
            "100755 bin/start.sh",
            "100644 docs/MIGRATION.md",
            "100644 server.js",
            "100644 web/package.json",
        ];
        // scripts/ held only the deleted file, so the folder is gone too.
        assert_eq!(tree_of(&repo.path, "migrate"), expected);
        assert_eq!(repo.git(&["show", "migrate:web/package.json"]), "{\"name\":\"web2\"}");
        assert_eq!(repo.git(&["show", "migrate:server.js"]), "require('http');");
        assert_eq!(repo.git(&["show", "migrate:docs/MIGRATION.md"]), "# Guide");
        let meta = repo.git(&["show", "-s", "--format=%an <%ae>|%cn <%ce>|%at|%B", "migrate"]);
        let date = DATE.split(' ').next().unwrap();
        assert_eq!(
            meta,
            format!("{NAME} <{EMAIL}>|{NAME} <{EMAIL}>|{date}|{}", MESSAGE.trim_end())
        );
        repo.git(&["fsck", "--strict", "--no-dangling"]);
        assert_eq!(untouched_state(&repo), before);
    }

    #[test]
    fn commit_ids_are_reproducible_with_frozen_dates() {
        let first = commit(&app_repo().open(), &migration(), &request("m", false)).unwrap();
        let second = commit(&app_repo().open(), &migration(), &request("m", false)).unwrap();
        assert_eq!(first.commit, second.commit);
    }

    #[test]
    fn creates_symlinks_and_keeps_the_given_kind() {
        let repo = app_repo();
        let changes = [change("current", Action::Create, Some("web"), EntryKind::Symlink)];
        commit(&repo.open(), &changes, &request("links", false)).unwrap();
        assert!(tree_of(&repo.path, "links").contains(&"120000 current".to_owned()));
        repo.git(&["fsck", "--strict"]);
    }

    #[test]
    fn an_existing_branch_is_refused_without_writing_objects() {
        let repo = app_repo();
        repo.git(&["branch", "migrate"]);
        let target = repo.git(&["rev-parse", "migrate"]);
        let objects = object_count(&repo.path);

        let err = commit(&repo.open(), &migration(), &request("migrate", false)).unwrap_err();

        assert!(matches!(&err, Error::BranchExists { target: t, .. } if *t == target), "{err}");
        let text = err.to_string();
        assert!(text.contains("'migrate' already exists") && text.contains("--force"), "{text}");
        assert!(text.contains("--branch NAME"), "{text}");
        assert_eq!(object_count(&repo.path), objects);
        assert_eq!(repo.git(&["rev-parse", "migrate"]), target);
    }

    #[test]
    fn force_replaces_an_existing_branch() {
        let repo = app_repo();
        repo.git(&["branch", "migrate", "HEAD~1"]);
        let old = repo.git(&["rev-parse", "migrate"]);
        let outcome = commit(&repo.open(), &migration(), &request("migrate", true)).unwrap();
        assert_eq!(outcome.replaced.as_deref(), Some(old.as_str()));
        assert_eq!(repo.git(&["rev-parse", "migrate"]), outcome.commit);
        assert_eq!(repo.git(&["rev-parse", "migrate^"]), repo.git(&["rev-parse", "HEAD"]));
    }

    #[test]
    fn force_never_moves_a_checked_out_branch() {
        let repo = app_repo();
        let main = repo.git(&["rev-parse", "main"]);
        let err = commit(&repo.open(), &migration(), &request("main", true)).unwrap_err();
        assert!(matches!(err, Error::BranchCheckedOut { .. }), "{err}");
        assert!(err.to_string().contains("checked out at"), "{err}");

        let linked = repo.sibling("linked");
        repo.git(&["worktree", "add", "-q", "-b", "busy", linked.to_str().unwrap()]);
        let err = commit(&repo.open(), &migration(), &request("busy", true)).unwrap_err();
        assert!(matches!(err, Error::BranchCheckedOut { .. }), "{err}");
        assert_eq!(repo.git(&["rev-parse", "main"]), main);
        assert_eq!(repo.git(&["rev-parse", "busy"]), main);
    }

    #[test]
    fn works_on_a_detached_head() {
        let repo = app_repo();
        repo.git(&["checkout", "-q", "--detach", "HEAD~1"]);
        let head = repo.git(&["rev-parse", "HEAD"]);
        let changes = [change("server.js", Action::Delete, None, EntryKind::File)];
        let outcome = commit(&repo.open(), &changes, &request("migrate", false)).unwrap();
        assert_eq!(repo.git(&["rev-parse", "migrate^"]), head);
        assert_eq!(repo.git(&["rev-parse", "HEAD"]), head);
        let still_detached = git_command(&repo.path, &["symbolic-ref", "-q", "HEAD"]).status();
        assert!(!still_detached.unwrap().success());
        assert_eq!(repo.git(&["rev-parse", "migrate"]), outcome.commit);
    }

    #[test]
    fn works_on_a_bare_repository() {
        let repo = app_repo();
        let bare = repo.sibling("bare.git");
        git(&repo.path, &["clone", "-q", "--bare", ".", bare.to_str().unwrap()]);
        git(&bare, &["config", "user.name", NAME]);
        git(&bare, &["config", "user.email", EMAIL]);
        let source = open_isolated(&bare).unwrap().unwrap();
        let outcome = commit(&source, &migration(), &request("migrate", false)).unwrap();
        assert_eq!(git(&bare, &["rev-parse", "migrate"]), outcome.commit);
        let expected = ["100755 bin/start.sh", "100644 docs/MIGRATION.md", "100644 server.js"];
        assert_eq!(tree_of(&bare, "migrate")[..3], expected);
        git(&bare, &["fsck", "--strict"]);
    }

    #[test]
    fn works_in_a_linked_worktree() {
        let repo = app_repo();
        let linked = repo.sibling("linked");
        repo.git(&["worktree", "add", "-q", "-b", "feature", linked.to_str().unwrap()]);
        git(&linked, &["commit", "-q", "--allow-empty", "-m", "feature work"]);
        let feature = git(&linked, &["rev-parse", "HEAD"]);
        let source = open_isolated(&linked).unwrap().unwrap();
        let outcome = commit(&source, &migration(), &request("migrate", false)).unwrap();
        // The branch is shared with the main checkout; the parent is the worktree's HEAD.
        assert_eq!(repo.git(&["rev-parse", "migrate"]), outcome.commit);
        assert_eq!(repo.git(&["rev-parse", "migrate^"]), feature);
        assert_eq!(git(&linked, &["symbolic-ref", "HEAD"]), "refs/heads/feature");
    }

    #[test]
    fn a_missing_identity_says_how_to_set_one() {
        let repo = app_repo();
        repo.git(&["config", "--unset", "user.name"]);
        repo.git(&["config", "--unset", "user.email"]);
        let objects = object_count(&repo.path);
        let err = commit(&repo.open(), &migration(), &request("migrate", false)).unwrap_err();
        assert!(matches!(err, Error::MissingIdentity { .. }), "{err}");
        let text = err.to_string();
        assert!(text.contains("git config user.name") && text.contains("git config user.email"));
        assert_eq!(object_count(&repo.path), objects);
        let exists = git_command(&repo.path, &["rev-parse", "-q", "--verify", "migrate"]).status();
        assert!(!exists.unwrap().success());
    }

    #[test]
    fn invalid_branch_names_are_refused() {
        let repo = app_repo();
        let source = repo.open();
        for name in ["", "-x", "a..b", "a b", "HEAD", "x.lock", "end/", "a~1", "@{x}"] {
            let err = commit(&source, &migration(), &request(name, false)).unwrap_err();
            assert!(matches!(err, Error::InvalidBranch { .. }), "{name:?}: {err}");
            assert!(err.to_string().contains("--branch NAME"), "{err}");
        }
        assert!(commit(&source, &migration(), &request("feature/capsules", false)).is_ok());
    }

    #[test]
    fn an_empty_plan_is_not_committed() {
        let repo = app_repo();
        let err = commit(&repo.open(), &[], &request("migrate", false)).unwrap_err();
        assert!(matches!(err, Error::NothingToCommit), "{err}");
    }

    #[test]
    fn losing_the_creation_race_reads_as_branch_exists() {
        let repo = app_repo();
        let source = repo.open();
        // Another run created the branch after our check: the precondition catches it.
        repo.git(&["branch", "migrate", "HEAD~1"]);
        let commit_id = source.head_commit_oid();
        let name = branch_ref_name("migrate").unwrap();
        let req = request("migrate", false);
        let err =
            create_branch(&source, name, commit_id, PreviousValue::MustNotExist, &req).unwrap_err();
        assert!(matches!(err, Error::BranchExists { .. }), "{err}");
        assert_eq!(repo.git(&["rev-parse", "migrate"]), repo.git(&["rev-parse", "HEAD~1"]));
    }

    #[test]
    fn a_branch_moved_during_force_is_not_overwritten() {
        let repo = app_repo();
        repo.git(&["branch", "migrate", "HEAD~1"]);
        let source = repo.open();
        let name = branch_ref_name("migrate").unwrap();
        let seen = existing_target(&source, &name).unwrap().expect("exists");
        // Another run moves the branch between our read and our write.
        repo.git(&["branch", "-f", "migrate", "HEAD"]);
        let moved = repo.git(&["rev-parse", "migrate"]);
        let precondition = PreviousValue::MustExistAndMatch(seen);
        let new = source.head_commit_oid();
        let err =
            create_branch(&source, name, new, precondition, &request("migrate", true)).unwrap_err();
        assert!(matches!(err, Error::BranchMoved { .. }), "{err}");
        assert_eq!(repo.git(&["rev-parse", "migrate"]), moved);
    }

    #[test]
    fn the_run_lock_excludes_a_live_run_and_survives_a_killed_one() {
        let repo = app_repo();
        let git = repo.open();
        let lock = repo.path.join(".git").join(LOCK_FILE);
        // A killed run leaves the file, but not the lock.
        std::fs::write(&lock, "").unwrap();
        drop(RunLock::acquire(&git).expect("a left-over file does not block"));
        // A live run holds it.
        let held = std::fs::File::open(&lock).unwrap();
        held.try_lock().unwrap();
        match RunLock::acquire(&git) {
            Err(Error::Busy { lock: named }) => assert_eq!(named, lock),
            other => panic!("expected Busy, got {:?}", other.map(|_| ())),
        }
        drop(held);
        drop(RunLock::acquire(&git).expect("released when the holder closes it"));
    }

    #[test]
    fn a_lock_that_cannot_be_opened_keeps_the_io_error_as_its_source() {
        let repo = app_repo();
        let git = repo.open();
        let lock = git.repo().common_dir().join(LOCK_FILE);
        std::fs::create_dir(&lock).unwrap();
        let err = RunLock::acquire(&git).err().expect("a folder is no lock file");
        let cause = std::error::Error::source(&err)
            .and_then(|s| s.downcast_ref::<std::io::Error>())
            .expect("the io error is the source")
            .to_string();
        // The message the user reads is the one before causes were kept.
        let shown = format!("{:#}", anyhow::Error::new(err));
        let (repo, lock) = (git.path().display(), lock.display());
        assert_eq!(shown, format!("{repo}: cannot lock the repository: {lock}: {cause}"));
    }
}
