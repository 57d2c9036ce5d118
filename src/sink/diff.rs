//! The plan as a git-style patch: what `capsule-migrate diff` prints.
//!
//! The patch must be something `git apply` accepts on a clean checkout of HEAD and that
//! yields exactly the new bytes, so it follows `git diff` closely: the same headers, the
//! same path quoting, 3 lines of context, `\ No newline at end of file` markers. Lines
//! are split on `\n` only, like git, so CRLF files and stray `\r` bytes round-trip.

use std::io::{self, Write};

use anstyle::{AnsiColor, Style};
use similar::{Algorithm, ChangeTag, DiffOp};

use crate::plan::{Action, Change};

/// Lines of unchanged text around each change, git's default.
const CONTEXT: usize = 3;
/// Abbreviated blob ids in text patches, as `git diff` writes them.
const SHORT_ID: usize = 7;
/// Full ids for binary patches: `git apply` refuses a binary patch without them.
const FULL_ID: usize = 40;

/// Writes `changes` (sorted by path) as one unified patch, in their order. With `color`,
/// uses git's default diff colours; without it the output holds no escape codes.
///
/// `hash` is the repository's object format (SHA-1, or SHA-256 for a repository made
/// with `--object-format=sha256`): the `index` lines name blobs as it would.
pub fn write_patch(
    changes: &[Change],
    color: bool,
    hash: gix::hash::Kind,
    out: &mut dyn Write,
) -> io::Result<()> {
    let style = if color { Styles::GIT } else { Styles::PLAIN };
    for change in changes {
        write_change(change, &style, hash, out)?;
    }
    Ok(())
}

/// The style of each kind of line. A plain [`Style`] renders no escape code at all, not
/// even a reset, so the colourless patch is the same bytes as before colour existed.
struct Styles {
    meta: Style,
    frag: Style,
    old: Style,
    new: Style,
}

impl Styles {
    const PLAIN: Styles =
        Styles { meta: Style::new(), frag: Style::new(), old: Style::new(), new: Style::new() };
    /// git's defaults (`color.diff.meta` bold, `frag` cyan, `old` red, `new` green).
    const GIT: Styles = Styles {
        meta: Style::new().bold(),
        frag: AnsiColor::Cyan.on_default(),
        old: AnsiColor::Red.on_default(),
        new: AnsiColor::Green.on_default(),
    };
}

/// One file's section: headers, then either hunks or the binary notice.
fn write_change(
    change: &Change,
    style: &Styles,
    hash: gix::hash::Kind,
    out: &mut dyn Write,
) -> io::Result<()> {
    let old = side(change, Action::Create, &change.old);
    let new = side(change, Action::Delete, &change.new);
    if change.action == Action::Modify && old == new {
        // Nothing git would show; a header alone would make `git apply` complain.
        return Ok(());
    }
    let a_name = quote_path("a/", &change.path);
    let b_name = quote_path("b/", &change.path);
    let binary = is_binary(old) || is_binary(new);
    meta_line(out, style, &format!("diff --git {a_name} {b_name}"))?;
    let mode = change.kind.git_mode();
    match change.action {
        Action::Create => meta_line(out, style, &format!("new file mode {mode}"))?,
        Action::Delete => meta_line(out, style, &format!("deleted file mode {mode}"))?,
        Action::Modify => {}
    }
    meta_line(out, style, &index_line(change, old, new, binary, hash)?)?;

    let old_label = if change.action == Action::Create { "/dev/null" } else { &a_name };
    let new_label = if change.action == Action::Delete { "/dev/null" } else { &b_name };
    if binary {
        // git does not colour this line.
        return writeln!(out, "Binary files {old_label} and {new_label} differ");
    }
    let lines = (split_lines(old), split_lines(new));
    // The slice API, not `TextDiff`: our similar build has no `bytes` feature, and its
    // line splitter would break at a lone `\r` anyway.
    let ops = similar::capture_diff_slices(Algorithm::Myers, &lines.0, &lines.1);
    let hunks = similar::group_diff_ops(ops, CONTEXT);
    if hunks.is_empty() {
        // An empty file created or deleted: git writes no ---/+++ lines either.
        return Ok(());
    }
    file_line(out, style, "---", old_label)?;
    file_line(out, style, "+++", new_label)?;
    hunks.iter().try_for_each(|ops| write_hunk(&lines, ops, style, out))
}

/// `index <old>..<new>[ <mode>]`: blob ids, zeros for the side that does not exist.
fn index_line(
    change: &Change,
    old: &[u8],
    new: &[u8],
    binary: bool,
    hash: gix::hash::Kind,
) -> io::Result<String> {
    let id_len = if binary { FULL_ID } else { SHORT_ID };
    let old_id = blob_id(change, Action::Create, old, id_len, hash)?;
    let new_id = blob_id(change, Action::Delete, new, id_len, hash)?;
    Ok(match change.action {
        Action::Modify => format!("index {old_id}..{new_id} {}", change.kind.git_mode()),
        _ => format!("index {old_id}..{new_id}"),
    })
}

/// The bytes of one side; the side that does not exist for `missing` is empty.
fn side<'c>(change: &Change, missing: Action, bytes: &'c Option<Vec<u8>>) -> &'c [u8] {
    if change.action == missing { &[] } else { bytes.as_deref().unwrap_or_default() }
}

/// git's test for binary content is a NUL byte; we look at the whole file, not just the
/// first 8000 bytes, because a NUL inside a text hunk would not survive `git apply`.
fn is_binary(bytes: &[u8]) -> bool {
    bytes.contains(&0)
}

/// Splits after every `\n`, keeping it; the last line may lack one.
fn split_lines(bytes: &[u8]) -> Vec<&[u8]> {
    bytes.split_inclusive(|&b| b == b'\n').collect()
}

/// The blob id git records for `bytes`, abbreviated to `len`; zeros for a missing side.
fn blob_id(
    change: &Change,
    missing: Action,
    bytes: &[u8],
    len: usize,
    hash: gix::hash::Kind,
) -> io::Result<String> {
    if change.action == missing {
        return Ok("0".repeat(len));
    }
    let id = gix::objs::compute_hash(hash, gix::objs::Kind::Blob, bytes)
        .map_err(|e| io::Error::other(format!("{}: cannot hash the content: {e}", change.path)))?;
    Ok(id.to_hex_with_len(len).to_string())
}

fn meta_line(out: &mut dyn Write, style: &Styles, line: &str) -> io::Result<()> {
    let meta = style.meta;
    writeln!(out, "{meta}{line}{meta:#}")
}

/// A `---`/`+++` line. git ends it with a tab when the name holds a space, so that
/// GNU patch does not cut the name short; we do the same to match `git diff` exactly.
fn file_line(out: &mut dyn Write, style: &Styles, marker: &str, name: &str) -> io::Result<()> {
    let tab = if name.contains(' ') { "\t" } else { "" };
    let meta = style.meta;
    writeln!(out, "{meta}{marker} {name}{meta:#}{tab}")
}

/// The old and the new file, split into lines.
type Lines<'a> = (Vec<&'a [u8]>, Vec<&'a [u8]>);

fn write_hunk(
    lines: &Lines<'_>,
    ops: &[DiffOp],
    style: &Styles,
    out: &mut dyn Write,
) -> io::Result<()> {
    let frag = style.frag;
    writeln!(out, "{frag}{}{frag:#}", hunk_header(ops))?;
    for change in ops.iter().flat_map(|op| op.iter_changes(&lines.0[..], &lines.1[..])) {
        let (tag, line_style) = match change.tag() {
            ChangeTag::Equal => (b' ', Style::new()),
            ChangeTag::Delete => (b'-', style.old),
            ChangeTag::Insert => (b'+', style.new),
        };
        write_hunk_line(out, tag, change.value(), line_style)?;
    }
    Ok(())
}

/// `@@ -start,len +start,len @@`, with git's conventions: a length of 1 is left out and
/// an empty range starts at the line before it (0 for an empty file).
fn hunk_header(ops: &[DiffOp]) -> String {
    let (first, last) = (ops[0], ops[ops.len() - 1]);
    let old = range(first.old_range().start, last.old_range().end);
    let new = range(first.new_range().start, last.new_range().end);
    format!("@@ -{old} +{new} @@")
}

fn range(start: usize, end: usize) -> String {
    match end - start {
        0 => format!("{start},0"),
        1 => format!("{}", start + 1),
        len => format!("{},{len}", start + 1),
    }
}

/// One body line, byte for byte. The colour codes wrap the text but not the line
/// ending (as git does, so a `\r` does not end up inside the escape sequence).
fn write_hunk_line(out: &mut dyn Write, tag: u8, line: &[u8], style: Style) -> io::Result<()> {
    let body_len = line
        .strip_suffix(b"\n")
        .map_or(line.len(), |rest| rest.strip_suffix(b"\r").map_or(rest.len(), <[u8]>::len));
    let (body, ending) = line.split_at(body_len);
    style.write_to(out)?;
    out.write_all(&[tag])?;
    out.write_all(body)?;
    style.write_reset_to(out)?;
    out.write_all(ending)?;
    if !line.ends_with(b"\n") {
        // Only a file's last line can lack the newline; git says so explicitly.
        out.write_all(b"\n\\ No newline at end of file\n")?;
    }
    Ok(())
}

/// `prefix` + `path`, C-quoted the way git does with `core.quotePath` on: in double
/// quotes when the path holds `"`, `\`, a control character or a non-ASCII byte.
fn quote_path(prefix: &str, path: &str) -> String {
    let full = format!("{prefix}{path}");
    if !full.bytes().any(needs_quoting) {
        return full;
    }
    let mut quoted = String::from("\"");
    for byte in full.bytes() {
        match byte {
            b'"' => quoted.push_str("\\\""),
            b'\\' => quoted.push_str("\\\\"),
            0x07 => quoted.push_str("\\a"),
            0x08 => quoted.push_str("\\b"),
            b'\t' => quoted.push_str("\\t"),
            b'\n' => quoted.push_str("\\n"),
            0x0b => quoted.push_str("\\v"),
            0x0c => quoted.push_str("\\f"),
            b'\r' => quoted.push_str("\\r"),
            b if needs_quoting(b) => quoted.push_str(&format!("\\{b:03o}")),
            b => quoted.push(char::from(b)),
        }
    }
    quoted.push('"');
    quoted
}

fn needs_quoting(byte: u8) -> bool {
    byte == b'"' || byte == b'\\' || !(0x20..0x7f).contains(&byte)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::EntryKind;
    use std::path::Path;
    use std::process::Output;

    /// A change whose action follows from which sides exist.
    fn change(path: &str, old: Option<&[u8]>, new: Option<&[u8]>) -> Change {
        let action = match (old, new) {
            (None, _) => Action::Create,
            (_, None) => Action::Delete,
            _ => Action::Modify,
        };
        Change {
            path: path.to_owned(),
            action,
            old: old.map(<[u8]>::to_vec),
            new: new.map(<[u8]>::to_vec),
            kind: EntryKind::File,
            rules: vec!["test".to_owned()],
        }
    }

    fn render(changes: &[Change], color: bool) -> Vec<u8> {
        let mut out = Vec::new();
        write_patch(changes, color, gix::hash::Kind::Sha1, &mut out)
            .expect("writing to a Vec cannot fail");
        out
    }

    fn text(bytes: &[u8]) -> String {
        String::from_utf8_lossy(bytes).into_owned()
    }

    /// A scratch repository: the crate's isolated test repository
    /// ([`crate::testing::TestRepo`]) with the files of one side of a patch.
    struct Repo(crate::testing::TestRepo);

    impl Repo {
        /// A repository whose HEAD holds the old side of every change.
        fn holding_old_side_of(changes: &[Change]) -> Repo {
            let repo = Repo(crate::testing::TestRepo::empty());
            for c in changes.iter().filter(|c| c.action != Action::Create) {
                repo.write(&c.path, c.old.as_deref().unwrap(), c.kind);
            }
            repo.git_ok(&["add", "-A"], None);
            repo.git_ok(&["commit", "-q", "--allow-empty", "-m", "old"], None);
            repo
        }

        fn write(&self, path: &str, bytes: &[u8], kind: EntryKind) {
            use std::os::unix::fs::PermissionsExt;
            let file = self.path(path);
            std::fs::create_dir_all(file.parent().unwrap()).unwrap();
            std::fs::write(&file, bytes).unwrap();
            let mode = if kind == EntryKind::Executable { 0o755 } else { 0o644 };
            std::fs::set_permissions(&file, std::fs::Permissions::from_mode(mode)).unwrap();
        }

        fn git(&self, args: &[&str], stdin: Option<&[u8]>) -> Output {
            // Whitespace warnings would fill stderr, which `git_ok` wants empty.
            let args = [&["-c", "apply.whitespace=nowarn"], args].concat();
            crate::testing::git_with_stdin(&self.0.path, &args, stdin.unwrap_or_default())
        }

        fn git_ok(&self, args: &[&str], stdin: Option<&[u8]>) -> Vec<u8> {
            let output = self.git(args, stdin);
            assert!(
                output.status.success() && output.stderr.is_empty(),
                "git {args:?} failed: {}",
                text(&output.stderr)
            );
            output.stdout
        }

        fn path(&self, path: &str) -> std::path::PathBuf {
            self.0.path.join(path)
        }
    }

    /// Applies the patch of `changes` with the real `git apply` on a clean checkout of
    /// their old side, then checks every file holds exactly its new bytes, or is gone.
    fn assert_git_applies(changes: &[Change]) {
        let patch = render(changes, false);
        let repo = Repo::holding_old_side_of(changes);
        repo.git_ok(&["apply", "--check", "-"], Some(&patch));
        repo.git_ok(&["apply", "-"], Some(&patch));
        for c in changes {
            let on_disk = std::fs::read(repo.path(&c.path)).ok();
            assert_eq!(on_disk, c.new, "{} after git apply; patch:\n{}", c.path, text(&patch));
        }
    }

    /// The kinds of change the migration makes, one of each awkward case; sorted by path.
    fn text_changes() -> Vec<Change> {
        let mut exec = change("bin/start.sh", Some(b"#!/bin/sh\nnode server.js\n"), None);
        exec.kind = EntryKind::Executable;
        vec![
            change("Procfile", Some(b"web: node server.js\nworker: node w.js"), None),
            change("app.json", Some(b"{\n  \"name\": \"x\"\n}\n"), None),
            exec,
            change("caf\u{e9}.txt", Some(b"menu\n"), None),
            change("crlf.txt", Some(b"a\r\nb\r\nc\r\n"), Some(b"a\r\nB\r\nc\r\n")),
            change("empty.txt", None, Some(b"")),
            change("latin1.txt", Some(b"caf\xe9\n\xff\xfe\n"), Some(b"caf\xe9\nna\xefve\n")),
            change("my notes.md", None, Some(b"# Notes\n")),
            change("nonl.txt", Some(b"x\ny"), Some(b"x\ny\nz\n")),
            change("web/src/cron.js", None, Some(b"const cron = require('node-cron');\n")),
        ]
    }

    #[test]
    fn modify_renders_headers_and_one_hunk() {
        let patch = render(&[change("f.txt", Some(b"a\nb\nc\n"), Some(b"a\nB\nc\n"))], false);
        let expected = "diff --git a/f.txt b/f.txt\n\
                        index de98044..7be73ce 100644\n\
                        --- a/f.txt\n\
                        +++ b/f.txt\n\
                        @@ -1,3 +1,3 @@\n a\n-b\n+B\n c\n";
        assert_eq!(text(&patch), expected);
    }

    #[test]
    fn create_and_delete_use_dev_null_and_zero_ids() {
        let patch = render(&[change("n.txt", None, Some(b"a\nb\nc\n"))], false);
        let expected = "diff --git a/n.txt b/n.txt\n\
                        new file mode 100644\n\
                        index 0000000..de98044\n\
                        --- /dev/null\n\
                        +++ b/n.txt\n\
                        @@ -0,0 +1,3 @@\n+a\n+b\n+c\n";
        assert_eq!(text(&patch), expected);
        let patch = render(&[change("o.txt", Some(b"a\nb\nc\n"), None)], false);
        let expected = "diff --git a/o.txt b/o.txt\n\
                        deleted file mode 100644\n\
                        index de98044..0000000\n\
                        --- a/o.txt\n\
                        +++ /dev/null\n\
                        @@ -1,3 +0,0 @@\n-a\n-b\n-c\n";
        assert_eq!(text(&patch), expected);
    }

    #[test]
    fn missing_final_newline_is_marked_on_both_sides() {
        let patch = render(&[change("p", Some(b"x\ny"), Some(b"x\ny\nz\n"))], false);
        assert!(
            text(&patch)
                .ends_with("@@ -1,2 +1,3 @@\n x\n-y\n\\ No newline at end of file\n+y\n+z\n")
        );
        let patch = render(&[change("p", Some(b"only"), None)], false);
        assert!(text(&patch).ends_with("@@ -1 +0,0 @@\n-only\n\\ No newline at end of file\n"));
    }

    #[test]
    fn far_apart_changes_make_separate_hunks() {
        let old: Vec<u8> = (1..=20).flat_map(|i| format!("l{i}\n").into_bytes()).collect();
        let new = text(&old).replace("l2\n", "two\n").replace("l18\n", "eighteen\n");
        let patch = text(&render(&[change("n", Some(&old), Some(new.as_bytes()))], false));
        let first = "@@ -1,5 +1,5 @@\n l1\n-l2\n+two\n l3\n l4\n l5\n@@ ";
        let second = "@@ -15,6 +15,6 @@\n l15\n l16\n l17\n-l18\n+eighteen\n l19\n l20\n";
        assert!(patch.contains(first) && patch.ends_with(second), "{patch}");
    }

    #[test]
    fn lone_carriage_returns_stay_inside_their_line() {
        let old: &[u8] = b"a\rb\nc\n";
        let new: &[u8] = b"a\rB\nc\n";
        let patch = render(&[change("cr", Some(old), Some(new))], false);
        assert!(patch.ends_with(b"@@ -1,2 +1,2 @@\n-a\rb\n+a\rB\n c\n"), "{}", text(&patch));
        assert_git_applies(&[change("cr", Some(old), Some(new))]);
    }

    #[test]
    fn paths_are_quoted_like_git() {
        assert_eq!(quote_path("a/", "with space.txt"), "a/with space.txt");
        assert_eq!(quote_path("a/", "caf\u{e9}.txt"), r#""a/caf\303\251.txt""#);
        assert_eq!(quote_path("b/", "say \"hi\"\\x"), r#""b/say \"hi\"\\x""#);
        assert_eq!(quote_path("a/", "tab\there\x01\x7f"), r#""a/tab\there\001\177""#);
        let patch = text(&render(&[change("my notes.md", None, Some(b"n\n"))], false));
        assert!(patch.starts_with("diff --git a/my notes.md b/my notes.md\n"));
        assert!(patch.contains("+++ b/my notes.md\t\n"), "{patch}");
        let patch = text(&render(&[change("caf\u{e9}.txt", Some(b"n\n"), None)], false));
        assert!(patch.starts_with("diff --git \"a/caf\\303\\251.txt\" \"b/caf\\303\\251.txt\"\n"));
        assert!(patch.contains("--- \"a/caf\\303\\251.txt\"\n+++ /dev/null\n"), "{patch}");
    }

    #[test]
    fn executable_deletion_keeps_its_mode() {
        let mut c = change("run.sh", Some(b"#!/bin/sh\n"), None);
        c.kind = EntryKind::Executable;
        let patch = text(&render(std::slice::from_ref(&c), false));
        assert!(patch.contains("\ndeleted file mode 100755\n"), "{patch}");
        // git apply checks the mode of the file it deletes and warns on a mismatch.
        assert_git_applies(&[c]);
    }

    #[test]
    fn output_matches_git_diff_byte_for_byte() {
        let changes = text_changes();
        let repo = Repo::holding_old_side_of(&changes);
        for c in &changes {
            match &c.new {
                Some(bytes) => repo.write(&c.path, bytes, c.kind),
                None => std::fs::remove_file(repo.path(&c.path)).unwrap(),
            }
        }
        repo.git_ok(&["add", "-A"], None);
        let git_patch = repo.git_ok(&["diff", "--cached", "--no-renames", "--no-color"], None);
        assert_eq!(text(&render(&changes, false)), text(&git_patch));
    }

    #[test]
    fn git_apply_yields_exactly_the_new_files() {
        assert_git_applies(&text_changes());
    }

    #[test]
    fn binary_deletion_has_full_index_and_no_hunks() {
        let old: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR";
        let c = change("public/logo.png", Some(old), None);
        let patch = text(&render(std::slice::from_ref(&c), false));
        let repo = Repo::holding_old_side_of(std::slice::from_ref(&c));
        let id = text(&repo.git_ok(&["hash-object", "--stdin"], Some(old)));
        let expected = format!(
            "diff --git a/public/logo.png b/public/logo.png\n\
             deleted file mode 100644\n\
             index {}..{}\n\
             Binary files a/public/logo.png and /dev/null differ\n",
            id.trim(),
            "0".repeat(40)
        );
        assert_eq!(patch, expected);
        assert_git_applies(&[c]);
    }

    #[test]
    fn index_ids_match_git_hash_object() {
        let repo = Repo::holding_old_side_of(&[]);
        for content in [&b""[..], b"a\r\nb", b"caf\xe9\n", b"x\0y"] {
            let git = text(&repo.git_ok(&["hash-object", "--stdin"], Some(content)));
            let ours = blob_id(
                &change("f", Some(content), None),
                Action::Create,
                content,
                40,
                gix::hash::Kind::Sha1,
            );
            assert_eq!(ours.unwrap(), git.trim(), "content {content:?}");
        }
    }

    #[test]
    fn unchanged_modification_renders_nothing() {
        assert!(render(&[change("same", Some(b"a\n"), Some(b"a\n"))], true).is_empty());
    }

    #[test]
    fn plain_output_has_no_escape_codes() {
        assert!(!render(&text_changes(), false).contains(&0x1b));
    }

    #[test]
    fn color_uses_git_defaults_and_only_adds_escape_codes() {
        let colored = text(&render(&text_changes(), true));
        // anstyle spells the reset `ESC[0m` where git writes `ESC[m`: the same SGR code.
        assert!(colored.contains("\x1b[1mdiff --git a/crlf.txt b/crlf.txt\x1b[0m\n"));
        assert!(colored.contains("\x1b[1m+++ b/my notes.md\x1b[0m\t\n"));
        assert!(colored.contains("\x1b[36m@@ -1,3 +1,3 @@\x1b[0m\n"));
        assert!(colored.contains(" a\r\n\x1b[31m-b\x1b[0m\r\n\x1b[32m+B\x1b[0m\r\n"));
        let stripped = anstream::adapter::strip_str(&colored).to_string();
        assert_eq!(stripped, text(&render(&text_changes(), false)));
    }

    mod roundtrip {
        use super::*;
        use proptest::prelude::*;

        /// Line pieces that stress git's rules: CRLF, lone CR, blank, non-UTF-8, no LF.
        fn content() -> impl Strategy<Value = Vec<u8>> {
            let pieces = prop::sample::select(vec![
                &b"a\n"[..],
                b"b\n",
                b"c\r\n",
                b"\n",
                b"x\ry\n",
                b"\xff\xe9\n",
                b"  \t\n",
                b"\\ z\n",
                b"end",
                b"\r",
            ]);
            prop::collection::vec(pieces, 0..14).prop_map(|p| p.concat())
        }

        fn any_change(path: &'static str) -> impl Strategy<Value = Change> {
            (prop::option::of(content()), prop::option::of(content()))
                .prop_filter("a change has at least one side", |(o, n)| o.is_some() || n.is_some())
                .prop_map(move |(o, n)| change(path, o.as_deref(), n.as_deref()))
        }

        proptest! {
            #![proptest_config(ProptestConfig::with_cases(24))]
            #[test]
            fn any_text_change_applies_exactly(
                a in any_change("a.txt"), b in any_change("dir/b c.txt"), c in any_change("\u{e9}")
            ) {
                assert_git_applies(&[a, b, c]);
            }
        }
    }

    #[test]
    fn repo_helper_is_isolated() {
        // Guards the tests above: the scratch repo must not see a user's autocrlf etc.
        let repo = Repo::holding_old_side_of(&[]);
        let out = repo.git(&["config", "--get", "core.autocrlf"], None);
        assert!(!out.status.success());
        assert!(Path::new(&repo.path(".git")).is_dir());
    }
}
