//! The plan that `plan` or `diff` showed, kept in the repository's git folder so that
//! `apply` on the same commit writes exactly that change without reading every file again.
//!
//! A saved plan is used only when everything it was made from is the same: HEAD's commit
//! and tree, the rules after the command-line overrides, the jobs file's bytes, the other
//! settings, and this very program (its version, size and modification time). Anything
//! else, including a file that is missing, cut short or altered, is a miss and `apply`
//! runs the whole pipeline. The file is not part of any commit and is replaced by the
//! next `plan` or `diff`.
//!
//! Layout: a magic line, the key (20 bytes), the SHA-1 of the body (20 bytes), then the
//! body as length-prefixed fields (little-endian `u64` lengths).

use std::path::PathBuf;

use gix::ObjectId;

use crate::plan::{Action, Change};
use crate::rules::RuleSet;
use crate::settings::Settings;
use crate::source::{EntryKind, GitRepo};

/// The file in the git folder (`.git/`, or `.git/worktrees/NAME/` for a linked worktree).
pub const FILE: &str = "capsule-migrate-plan";

const MAGIC: &[u8] = b"capsule-migrate saved plan 2\n";

/// Everything a plan is made from, hashed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Key(ObjectId);

impl Key {
    /// `None` when this program cannot tell which binary it is: then nothing is saved or
    /// reused, since a rebuilt program may plan differently.
    pub fn new(
        settings: &Settings,
        rules: &RuleSet,
        jobs_text: Option<&str>,
        git: &GitRepo,
    ) -> Option<Key> {
        let mut inputs = Vec::new();
        put(&mut inputs, MAGIC);
        put(&mut inputs, program_identity()?.as_bytes());
        put(&mut inputs, git.head_commit_oid().as_bytes());
        put(&mut inputs, git.head_tree_oid().as_bytes());
        // The repository's own path is left out: the file lives inside it.
        let Settings {
            repo: _,
            jobs,
            apps,
            node,
            backend_url_env,
            backend_hosts,
            rules: rules_dir,
        } = settings;
        let options = format!(
            "{jobs:?} {apps:?} {node:?} {backend_url_env:?} {backend_hosts:?} {rules_dir:?}"
        );
        put(&mut inputs, options.as_bytes());
        put(&mut inputs, format!("{rules:?}").as_bytes());
        put(&mut inputs, jobs_text.unwrap_or("\0no jobs file").as_bytes());
        checksum(&inputs).map(Key)
    }
}

/// This binary: a rebuilt or upgraded program must not reuse an older one's plan.
fn program_identity() -> Option<String> {
    let exe = std::env::current_exe().ok()?;
    let meta = std::fs::metadata(&exe).ok()?;
    let modified = meta.modified().ok()?.duration_since(std::time::UNIX_EPOCH).ok()?;
    Some(format!(
        "{} {} {} {}",
        env!("CARGO_PKG_VERSION"),
        exe.display(),
        meta.len(),
        modified.as_nanos()
    ))
}

/// What `apply` needs to write and report the commit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SavedPlan {
    /// Each change's path, action, kind and new bytes; `old` is not kept (`None`) and
    /// neither are the rule ids: only the commit is made from these.
    pub changes: Vec<Change>,
    pub message: String,
    /// The plan's warnings as printed, without those about the work tree (uncommitted
    /// changes, a merge in progress), which `apply` finds anew.
    pub warnings: Vec<String>,
    /// The migration guide's path when the plan writes one.
    pub guide: Option<String>,
    /// How many apps the plan found and Capsules it lists, for the summary of a run
    /// over several repositories.
    pub apps: usize,
    pub capsules: usize,
}

fn path(git: &GitRepo) -> PathBuf {
    git.repo().git_dir().join(FILE)
}

/// Writes `plan` for `key`, replacing the file in one rename. Best effort: a read-only
/// git folder only means the next `apply` reads the repository again.
pub fn save(git: &GitRepo, key: Key, plan: &SavedPlan) {
    let body = encode(plan);
    let mut bytes = Vec::with_capacity(MAGIC.len() + 40 + body.len());
    bytes.extend_from_slice(MAGIC);
    bytes.extend_from_slice(key.0.as_bytes());
    let Some(sum) = checksum(&body) else { return };
    bytes.extend_from_slice(sum.as_bytes());
    bytes.extend_from_slice(&body);
    git.remove_stale_temporaries(FILE);
    let target = path(git);
    let temporary = target.with_file_name(format!("{FILE}.{}.tmp", std::process::id()));
    if std::fs::write(&temporary, &bytes).is_err() || std::fs::rename(&temporary, &target).is_err()
    {
        let _ = std::fs::remove_file(&temporary);
    }
}

/// Whether some plan is saved, whatever it was made from.
pub fn exists(git: &GitRepo) -> bool {
    path(git).is_file()
}

/// The plan saved for `key`, if there is one and it is intact.
pub fn load(git: &GitRepo, key: Key) -> Option<SavedPlan> {
    let bytes = std::fs::read(path(git)).ok()?;
    decode(&bytes, key)
}

fn checksum(body: &[u8]) -> Option<ObjectId> {
    let mut hasher = gix::hash::hasher(gix::hash::Kind::Sha1);
    hasher.update(body);
    hasher.try_finalize().ok()
}

fn decode(bytes: &[u8], key: Key) -> Option<SavedPlan> {
    let rest = bytes.strip_prefix(MAGIC)?;
    let (saved_key, rest) = split(rest, 20)?;
    if saved_key != key.0.as_bytes() {
        return None;
    }
    let (sum, body) = split(rest, 20)?;
    if checksum(body)?.as_bytes() != sum {
        return None;
    }
    let mut reader = Reader(body);
    let plan = read_plan(&mut reader)?;
    reader.0.is_empty().then_some(plan)
}

fn split(bytes: &[u8], at: usize) -> Option<(&[u8], &[u8])> {
    (bytes.len() >= at).then(|| bytes.split_at(at))
}

/// Appends `bytes` with its length before it, so no two sequences of fields run together.
fn put(out: &mut Vec<u8>, bytes: &[u8]) {
    out.extend_from_slice(&(bytes.len() as u64).to_le_bytes());
    out.extend_from_slice(bytes);
}

fn encode(plan: &SavedPlan) -> Vec<u8> {
    let mut out = Vec::new();
    let mut field = |bytes: &[u8]| put(&mut out, bytes);
    field(plan.message.as_bytes());
    field(plan.guide.as_deref().map_or(b"" as &[u8], str::as_bytes));
    field(&(plan.apps as u64).to_le_bytes());
    field(&(plan.capsules as u64).to_le_bytes());
    field(&(plan.warnings.len() as u64).to_le_bytes());
    for warning in &plan.warnings {
        field(warning.as_bytes());
    }
    field(&(plan.changes.len() as u64).to_le_bytes());
    for change in &plan.changes {
        field(change.path.as_bytes());
        field(&[action_byte(change.action), kind_byte(change.kind)]);
        field(change.new.as_deref().unwrap_or_default());
    }
    out
}

fn read_plan(reader: &mut Reader) -> Option<SavedPlan> {
    let message = reader.string()?;
    let guide = Some(reader.string()?).filter(|g| !g.is_empty());
    let apps = reader.number()?;
    let capsules = reader.number()?;
    let warnings = (0..reader.count()?).map(|_| reader.string()).collect::<Option<Vec<_>>>()?;
    let count = reader.count()?;
    let mut changes = Vec::new();
    for _ in 0..count {
        let path = reader.string()?;
        let [action, kind] = reader.field()? else { return None };
        let (action, kind) = (action_of(*action)?, kind_of(*kind)?);
        let bytes = reader.field()?.to_vec();
        let new = (action != Action::Delete).then_some(bytes);
        changes.push(Change { path, action, old: None, new, kind, rules: Vec::new() });
    }
    Some(SavedPlan { changes, message, warnings, guide, apps, capsules })
}

struct Reader<'a>(&'a [u8]);

impl<'a> Reader<'a> {
    fn field(&mut self) -> Option<&'a [u8]> {
        let (len, rest) = split(self.0, 8)?;
        let len = usize::try_from(u64::from_le_bytes(len.try_into().ok()?)).ok()?;
        let (field, rest) = split(rest, len)?;
        self.0 = rest;
        Some(field)
    }

    fn string(&mut self) -> Option<String> {
        String::from_utf8(self.field()?.to_vec()).ok()
    }

    fn number(&mut self) -> Option<usize> {
        usize::try_from(u64::from_le_bytes(self.field()?.try_into().ok()?)).ok()
    }

    /// A count of the items that follow; each takes at least one length, which bounds it
    /// by what is left and keeps a damaged count from reserving memory.
    fn count(&mut self) -> Option<usize> {
        let count = u64::from_le_bytes(self.field()?.try_into().ok()?);
        usize::try_from(count).ok().filter(|&n| n <= self.0.len() / 8)
    }
}

fn action_byte(action: Action) -> u8 {
    match action {
        Action::Create => b'c',
        Action::Modify => b'm',
        Action::Delete => b'd',
    }
}

fn action_of(byte: u8) -> Option<Action> {
    Some(match byte {
        b'c' => Action::Create,
        b'm' => Action::Modify,
        b'd' => Action::Delete,
        _ => return None,
    })
}

fn kind_byte(kind: EntryKind) -> u8 {
    match kind {
        EntryKind::File => b'f',
        EntryKind::Executable => b'x',
        EntryKind::Symlink => b'l',
        EntryKind::Submodule => b's',
    }
}

fn kind_of(byte: u8) -> Option<EntryKind> {
    Some(match byte {
        b'f' => EntryKind::File,
        b'x' => EntryKind::Executable,
        b'l' => EntryKind::Symlink,
        b's' => EntryKind::Submodule,
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn key(byte: u8) -> Key {
        Key(ObjectId::from_bytes_or_panic(&[byte; 20]))
    }

    fn sample() -> SavedPlan {
        let change = |path: &str, action, new: Option<&[u8]>, kind| Change {
            path: path.into(),
            action,
            old: None,
            new: new.map(<[u8]>::to_vec),
            kind,
            rules: Vec::new(),
        };
        SavedPlan {
            changes: vec![
                change("CODE_CAPSULES.md", Action::Create, Some(b"# Guide\n"), EntryKind::File),
                change("api/Procfile", Action::Delete, None, EntryKind::File),
                change("api/run.sh", Action::Modify, Some(b"\xff\x00bin"), EntryKind::Executable),
                change("api/empty", Action::Create, Some(b""), EntryKind::File),
            ],
            message: "Migrate from Heroku to Code Capsules\n\nApps: api\n".into(),
            warnings: vec!["README.md:5: mentions the Heroku address".into()],
            guide: Some("CODE_CAPSULES.md".into()),
            apps: 1,
            capsules: 2,
        }
    }

    fn encoded(plan: &SavedPlan, key: Key) -> Vec<u8> {
        let body = encode(plan);
        [MAGIC, key.0.as_bytes(), checksum(&body).unwrap().as_bytes(), &body].concat()
    }

    #[test]
    fn a_plan_comes_back_as_it_was_saved_for_its_key_only() {
        let plan = sample();
        let bytes = encoded(&plan, key(1));
        assert_eq!(decode(&bytes, key(1)), Some(plan.clone()));
        assert_eq!(decode(&bytes, key(2)), None, "another key is a miss");
        let no_guide = SavedPlan { guide: None, warnings: Vec::new(), ..plan };
        assert_eq!(decode(&encoded(&no_guide, key(1)), key(1)), Some(no_guide));
    }

    #[test]
    fn a_damaged_file_is_a_miss() {
        let bytes = encoded(&sample(), key(1));
        for cut in [0, MAGIC.len(), MAGIC.len() + 30, bytes.len() - 1] {
            assert_eq!(decode(&bytes[..cut], key(1)), None, "cut at {cut}");
        }
        let mut flipped = bytes.clone();
        let last = flipped.len() - 3;
        flipped[last] ^= 1;
        assert_eq!(decode(&flipped, key(1)), None, "a changed byte fails the checksum");
        let mut longer = bytes;
        longer.push(0);
        assert_eq!(decode(&longer, key(1)), None, "trailing bytes");
    }

    #[test]
    fn the_key_follows_every_input() {
        let repo = crate::testing::TestRepo::with_files(&[("a", "1\n")]);
        let git = GitRepo::open_with(&repo.path, gix::open::Options::isolated()).unwrap().unwrap();
        let rules = crate::rules::embedded().unwrap();
        let settings = Settings::for_repo(&repo.path);
        let base = Key::new(&settings, &rules, None, &git).unwrap();
        let elsewhere = Settings::for_repo(repo.path.join("."));
        assert_eq!(Key::new(&elsewhere, &rules, None, &git), Some(base), "same repo");
        assert_ne!(Key::new(&settings, &rules, Some(""), &git), Some(base));
        assert_ne!(
            Key::new(&settings, &rules, Some("[[job]]"), &git),
            Key::new(&settings, &rules, Some("[[job]]\n"), &git)
        );
        let mut node = rules.clone();
        node.override_node_major(22);
        assert_ne!(Key::new(&settings, &node, None, &git), Some(base));
        let apps = Settings { apps: vec!["api".into()], ..Settings::for_repo(&repo.path) };
        assert_ne!(Key::new(&apps, &rules, None, &git), Some(base));
        let hosts =
            Settings { backend_hosts: vec!["api-1".into()], ..Settings::for_repo(&repo.path) };
        assert_ne!(Key::new(&hosts, &rules, None, &git), Some(base), "--backend-host");
        repo.write("a", "2\n");
        repo.commit_all("change");
        let moved =
            GitRepo::open_with(&repo.path, gix::open::Options::isolated()).unwrap().unwrap();
        assert_ne!(Key::new(&settings, &rules, None, &moved), Some(base), "a new HEAD");
    }

    proptest! {
        #[test]
        fn any_bytes_decode_without_panicking(bytes in proptest::collection::vec(any::<u8>(), 0..300)) {
            let mut file = [MAGIC, key(1).0.as_bytes()].concat();
            file.extend_from_slice(checksum(&bytes).unwrap().as_bytes());
            file.extend_from_slice(&bytes);
            let _ = decode(&file, key(1));
            let _ = decode(&bytes, key(1));
        }
    }
}
