//! `apply --push` and `--open-pr`, run as the real program against a local bare
//! repository that `url.*.insteadOf` stands in for GitHub with, a stand-in `gh` on PATH,
//! and a local HTTP server in place of the REST APIs.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::{Arc, Mutex};

use serde_json::{Value, json};

use crate::support::repo::{TempRepo, isolate};

const BRANCH: &str = "code-capsules-migration";
const TOKEN: &str = "tok-3f9a-never-show-me";

/// A migratable repository whose `origin` is on GitHub, and the bare repository that the
/// user's git config (`url.<bare>.insteadOf`) sends that URL to.
struct Setup {
    repo: TempRepo,
    bare: PathBuf,
    home: tempfile::TempDir,
}

impl Setup {
    fn new(origin: &str) -> Setup {
        let repo = TempRepo::with_tree(
            &Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/monorepo/in"),
        );
        repo.git(&["remote", "add", "origin", origin]);
        let home = tempfile::tempdir().unwrap();
        let bare = home.path().join("remote.git");
        let out =
            crate::support::repo::git().arg("init").arg("-q").arg("--bare").arg(&bare).output();
        assert!(out.unwrap().status.success());
        // The rewrite lives in the user's own (global) config, as it would for real.
        let config = format!("[url \"file://{}\"]\n\tinsteadOf = {origin}\n", bare.display());
        std::fs::write(home.path().join("gitconfig"), config).unwrap();
        Setup { repo, bare, home }
    }

    fn github() -> Setup {
        Setup::new("https://github.com/acme/shop.git")
    }

    /// The program with this user's environment: their git config, no token, nothing
    /// of the machine's that could reach a real host.
    fn tool(&self, args: &[&str]) -> Command {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_capsule-migrate"));
        isolate(cmd.args(args).arg(&self.repo.path).env_clear());
        cmd.env("GIT_CONFIG_GLOBAL", self.home.path().join("gitconfig"))
            .env("HOME", self.home.path())
            .env("PATH", std::env::var_os("PATH").unwrap_or_default())
            .env("LC_ALL", "C");
        cmd
    }

    fn remote_branch(&self) -> Option<String> {
        let out = crate::support::repo::git()
            .arg("--git-dir")
            .arg(&self.bare)
            .args(["rev-parse", "--verify", "-q", &format!("refs/heads/{BRANCH}")])
            .output()
            .unwrap();
        out.status.success().then(|| String::from_utf8_lossy(&out.stdout).trim().to_owned())
    }

    /// A folder that holds only `git` (and `sh`): a PATH on which no `gh` or `glab` can
    /// be found, whatever the machine has installed.
    fn path_without_forge_tools(&self) -> PathBuf {
        let dir = self.home.path().join("bin-plain");
        std::fs::create_dir_all(&dir).unwrap();
        for program in ["git", "sh"] {
            let real = which(program);
            let _ = std::os::unix::fs::symlink(real, dir.join(program));
        }
        dir
    }
}

fn which(program: &str) -> PathBuf {
    let path = std::env::var_os("PATH").unwrap_or_default();
    std::env::split_paths(&path)
        .map(|dir| dir.join(program))
        .find(|p| p.is_file())
        .unwrap_or_else(|| panic!("{program} is not on PATH"))
}

fn run(mut cmd: Command) -> (i32, String, String) {
    let Output { status, stdout, stderr } = cmd.output().expect("the program runs");
    let (out, err) = (String::from_utf8_lossy(&stdout), String::from_utf8_lossy(&stderr));
    (status.code().unwrap_or(-1), out.into_owned(), err.into_owned())
}

#[test]
fn push_sends_the_branch_where_the_users_insteadof_points() {
    let setup = Setup::github();
    let (code, out, err) = run(setup.tool(&["apply", "--push"]));
    assert_eq!(code, 0, "{out}{err}");
    let local = setup.repo.rev_parse(BRANCH);
    assert_eq!(setup.remote_branch().as_deref(), Some(local.as_str()));
    assert!(out.contains(&format!("Pushed branch {BRANCH} to origin")), "{out}");
    assert!(!out.contains("Push it with"), "no push command once pushed: {out}");
    // As `git push -u` would: the branch tracks the remote one.
    let upstream = setup.repo.git(&["rev-parse", "--abbrev-ref", &format!("{BRANCH}@{{u}}")]);
    assert_eq!(upstream.trim(), format!("origin/{BRANCH}"));

    // --force replaces the local branch and, with a lease, the pushed one.
    let (code, out, err) = run(setup.tool(&["apply", "--push", "--force", "--node", "22"]));
    assert_eq!(code, 0, "{out}{err}");
    let replaced = setup.repo.rev_parse(BRANCH);
    assert_ne!(replaced, local);
    assert_eq!(setup.remote_branch().as_deref(), Some(replaced.as_str()));
}

#[test]
fn a_refused_push_is_exit_2_with_gits_words_and_the_local_branch_stays() {
    let setup = Setup::github();
    // Someone else's branch of that name, with work of theirs, is already on the remote.
    let bare = setup.bare.display().to_string();
    let theirs = setup.repo.git(&["commit-tree", "HEAD^{tree}", "-p", "HEAD", "-m", "theirs"]);
    setup.repo.git(&["push", "-q", &bare, &format!("{}:refs/heads/{BRANCH}", theirs.trim())]);
    let (code, out, err) = run(setup.tool(&["apply", "--push"]));
    assert_eq!(code, 2, "{out}{err}");
    assert!(err.contains("non-fast-forward"), "{err}");
    assert!(err.contains("git refused to push") && err.contains("rejected"), "{err}");
    assert!(err.contains("--force"), "says what to do: {err}");
    assert!(out.contains("Created commit"), "{out}");
    assert_eq!(setup.remote_branch().as_deref(), Some(theirs.trim()));
    let local = setup.repo.rev_parse(BRANCH);
    assert_eq!(setup.repo.rev_parse(&format!("{BRANCH}^")), setup.repo.rev_parse("HEAD"));

    // --force does not overwrite work this clone has never seen...
    let (code, out, err) = run(setup.tool(&["apply", "--push", "--force"]));
    assert_eq!(code, 2, "{out}{err}");
    assert!(err.contains("stale info") && err.contains("git fetch origin"), "{err}");
    assert_eq!(setup.remote_branch().as_deref(), Some(theirs.trim()));
    // ...and replaces it once fetched.
    let tracking = format!("+refs/heads/{BRANCH}:refs/remotes/origin/{BRANCH}");
    setup.repo.git(&["fetch", "-q", &bare, &tracking]);
    let (code, out, err) = run(setup.tool(&["apply", "--push", "--force"]));
    assert_eq!(code, 0, "{out}{err}");
    assert_eq!(setup.remote_branch(), Some(local));
}

#[test]
fn push_without_a_remote_says_how_to_add_one() {
    let repo =
        TempRepo::with_tree(&Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/root-app/in"));
    let (code, out, err) =
        crate::support::repo::run_tool(&["apply", &repo.path.display().to_string(), "--push"]);
    assert_eq!(code, 2, "{out}{err}");
    assert!(err.contains("no remote to push to") && err.contains("git remote add"), "{err}");
    assert!(!repo.rev_parse(BRANCH).is_empty(), "the local branch stays");
}

/// A stand-in `gh` that records each call's arguments (one per line, then `--`) and the
/// body it reads, and answers `pr list` with `list_reply`.
fn fake_gh(dir: &Path, list_reply: &str) -> PathBuf {
    let bin = dir.join("bin-gh");
    std::fs::create_dir_all(&bin).unwrap();
    std::fs::write(dir.join("list-reply"), list_reply).unwrap();
    let log = dir.display();
    let script = format!(
        "#!/bin/sh\n\
         for arg in \"$@\"; do printf '%s\\n' \"$arg\" >> '{log}/gh-args'; done\n\
         echo -- >> '{log}/gh-args'\n\
         case \"$1 $2\" in\n\
         'pr list') cat '{log}/list-reply' ;;\n\
         'pr create') cat > '{log}/gh-body'; echo 'Creating pull request...'; \
         echo \"https://$4/pull/7\" ;;\n\
         *) echo \"unexpected: $*\" >&2; exit 1 ;;\n\
         esac\n"
    );
    let gh = bin.join("gh");
    std::fs::write(&gh, script).unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&gh, std::fs::Permissions::from_mode(0o755)).unwrap();
    bin
}

fn path_with(first: &Path) -> std::ffi::OsString {
    let rest = std::env::var_os("PATH").unwrap_or_default();
    let mut dirs = vec![first.to_owned()];
    dirs.extend(std::env::split_paths(&rest));
    std::env::join_paths(dirs).unwrap()
}

fn calls(log: &Path) -> Vec<Vec<String>> {
    let text = std::fs::read_to_string(log.join("gh-args")).unwrap_or_default();
    text.split("--\n")
        .filter(|call| !call.is_empty())
        .map(|call| call.lines().map(str::to_owned).collect())
        .collect()
}

#[test]
fn open_pr_uses_gh_with_the_guide_as_body() {
    let setup = Setup::github();
    let bin = fake_gh(setup.home.path(), "[]\n");
    let mut cmd = setup.tool(&["apply", "--open-pr", "--base", "develop"]);
    cmd.env("PATH", path_with(&bin)).env("GITHUB_TOKEN", TOKEN);
    let (code, out, err) = run(cmd);
    assert_eq!(code, 0, "{out}{err}");
    let calls = calls(setup.home.path());
    let repo = "github.com/acme/shop";
    let list = ["pr", "list", "--repo", repo, "--head", BRANCH, "--state", "open", "--json", "url"];
    let title = "Migrate from Heroku to Code Capsules";
    let create = [
        "pr",
        "create",
        "--repo",
        repo,
        "--head",
        BRANCH,
        "--title",
        title,
        "--body-file",
        "-",
        "--base",
        "develop",
    ];
    assert_eq!(calls, [list.map(String::from).to_vec(), create.map(String::from).to_vec()]);
    let body = std::fs::read_to_string(setup.home.path().join("gh-body")).unwrap();
    let guide = setup.repo.git(&["show", &format!("{BRANCH}:CODE_CAPSULES.md")]);
    assert_eq!(body, guide);
    assert!(body.starts_with("# "), "{body}");
    assert!(
        out.contains("Opened the pull request:\n  https://github.com/acme/shop/pull/7"),
        "{out}"
    );
    assert!(setup.remote_branch().is_some(), "--open-pr pushes first");
    assert!(!out.contains(TOKEN) && !err.contains(TOKEN));
}

#[test]
fn an_open_pr_found_by_gh_is_reported_not_duplicated() {
    let setup = Setup::github();
    let reply = r#"[{"url":"https://github.com/acme/shop/pull/3"}]"#;
    let bin = fake_gh(setup.home.path(), reply);
    let mut cmd = setup.tool(&["apply", "--open-pr"]);
    cmd.env("PATH", path_with(&bin));
    let (code, out, err) = run(cmd);
    assert_eq!(code, 0, "{out}{err}");
    let calls = calls(setup.home.path());
    assert_eq!(calls.len(), 1, "only `pr list`: {calls:?}");
    assert!(
        out.contains("already open (not opened again):\n  https://github.com/acme/shop/pull/3")
    );
}

/// One request as the server saw it.
#[derive(Debug, Clone)]
struct Seen {
    method: String,
    target: String,
    headers: BTreeMap<String, String>,
    body: String,
}

/// A local HTTP server that answers each request with `respond` and records it; every
/// reply closes its connection, so each request arrives on a connection of its own.
fn serve<F>(respond: F) -> (String, Arc<Mutex<Vec<Seen>>>)
where
    F: Fn(&Seen) -> (u16, Value) + Send + 'static,
{
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = Arc::clone(&seen);
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { return };
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut line = String::new();
            if reader.read_line(&mut line).unwrap_or(0) == 0 {
                continue;
            }
            let mut parts = line.split_whitespace();
            let method = parts.next().unwrap_or_default().to_owned();
            let target = parts.next().unwrap_or_default().to_owned();
            let mut headers = BTreeMap::new();
            loop {
                let mut header = String::new();
                reader.read_line(&mut header).unwrap();
                let header = header.trim_end();
                if header.is_empty() {
                    break;
                }
                let (name, value) = header.split_once(':').unwrap();
                headers.insert(name.to_ascii_lowercase(), value.trim().to_owned());
            }
            let length: usize = headers.get("content-length").map_or(0, |n| n.parse().unwrap());
            let mut body = vec![0; length];
            reader.read_exact(&mut body).unwrap();
            let request = Seen { method, target, headers, body: String::from_utf8(body).unwrap() };
            let (status, reply) = respond(&request);
            log.lock().unwrap().push(request);
            let text = reply.to_string();
            let head = format!(
                "HTTP/1.1 {status} X\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\
                 Connection: close\r\n\r\n",
                text.len()
            );
            let _ = stream.write_all(head.as_bytes());
            let _ = stream.write_all(text.as_bytes());
        }
    });
    (base, seen)
}

fn with_api(setup: &Setup, args: &[&str], vars: &[(&str, &str)]) -> (i32, String, String) {
    let mut cmd = setup.tool(args);
    cmd.env("PATH", setup.path_without_forge_tools());
    for (key, value) in vars {
        cmd.env(key, value);
    }
    run(cmd)
}

#[test]
fn open_pr_through_githubs_rest_api_with_a_token() {
    let setup = Setup::github();
    let (api, seen) = serve(|request| match (request.method.as_str(), request.target.as_str()) {
        ("GET", "/repos/acme/shop") => (200, json!({ "default_branch": "trunk" })),
        ("GET", t) if t.starts_with("/repos/acme/shop/pulls?") => (200, json!([])),
        ("POST", "/repos/acme/shop/pulls") => {
            (201, json!({ "html_url": "https://github.com/acme/shop/pull/9" }))
        }
        _ => (404, json!({ "message": "Not Found" })),
    });
    let vars = [("GITHUB_TOKEN", TOKEN), ("GITHUB_API_URL", api.as_str())];
    let (code, out, err) = with_api(&setup, &["apply", "--open-pr"], &vars);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("Opened the pull request:\n  https://github.com/acme/shop/pull/9"));
    assert!(!out.contains(TOKEN) && !err.contains(TOKEN), "the token is never shown");

    let seen = seen.lock().unwrap().clone();
    let targets: Vec<(&str, &str)> =
        seen.iter().map(|s| (s.method.as_str(), s.target.as_str())).collect();
    let list = format!("/repos/acme/shop/pulls?head=acme%3A{BRANCH}&state=open");
    assert_eq!(
        targets,
        [("GET", "/repos/acme/shop"), ("GET", list.as_str()), ("POST", "/repos/acme/shop/pulls")]
    );
    for request in &seen {
        let header = |name: &str| request.headers.get(name).map(String::as_str);
        // Compared, never printed: a failure message must not carry the token either.
        let bearer = format!("Bearer {TOKEN}");
        assert!(header("authorization") == Some(bearer.as_str()), "wrong Authorization header");
        assert_eq!(header("accept"), Some("application/vnd.github+json"));
        assert_eq!(header("x-github-api-version"), Some("2022-11-28"));
        assert!(header("user-agent").is_some_and(|a| a.starts_with("capsule-migrate/")));
    }
    let post = &seen[2];
    assert_eq!(post.headers.get("content-type").map(String::as_str), Some("application/json"));
    let body: Value = serde_json::from_str(&post.body).unwrap();
    let guide = setup.repo.git(&["show", &format!("{BRANCH}:CODE_CAPSULES.md")]);
    let expected = json!({
        "title": "Migrate from Heroku to Code Capsules",
        "head": BRANCH,
        "base": "trunk",
        "body": guide,
    });
    assert_eq!(body, expected);
}

#[test]
fn the_rest_api_reports_an_open_pr_and_explains_a_refused_token() {
    let setup = Setup::github();
    let (api, seen) = serve(|request| match request.method.as_str() {
        "GET" if request.target.contains("/pulls") => {
            (200, json!([{ "html_url": "https://github.com/acme/shop/pull/4" }]))
        }
        _ => (500, json!({ "message": "should not be called" })),
    });
    let vars = [("GH_TOKEN", TOKEN), ("GITHUB_API_URL", api.as_str())];
    let (code, out, err) = with_api(&setup, &["apply", "--open-pr", "--base", "main"], &vars);
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        out.contains("already open (not opened again):\n  https://github.com/acme/shop/pull/4")
    );
    assert_eq!(seen.lock().unwrap().len(), 1, "no POST when one is open");

    let setup = Setup::github();
    let (api, _) = serve(|_| (401, json!({ "message": "Bad credentials" })));
    let vars = [("GITHUB_TOKEN", TOKEN), ("GITHUB_API_URL", api.as_str())];
    let (code, out, err) = with_api(&setup, &["apply", "--open-pr"], &vars);
    assert_eq!(code, 2, "{out}{err}");
    assert!(err.contains("Bad credentials") && err.contains("GITHUB_TOKEN"), "{err}");
    assert!(!out.contains(TOKEN) && !err.contains(TOKEN));
    assert!(setup.remote_branch().is_some(), "the push happened before");
}

#[test]
fn without_gh_or_a_token_open_pr_fails_with_the_compare_page() {
    let setup = Setup::github();
    let (code, out, err) = with_api(&setup, &["apply", "--open-pr"], &[]);
    assert_eq!(code, 2, "{out}{err}");
    assert!(err.contains("GH_TOKEN or GITHUB_TOKEN"), "{err}");
    let page = format!("https://github.com/acme/shop/compare/main...{BRANCH}?expand=1");
    assert!(err.contains(&page), "{err}");
}

#[test]
fn open_pr_through_gitlabs_rest_api() {
    let setup = Setup::new("https://gitlab.com/grp/sub/shop.git");
    let (api, seen) = serve(|request| match (request.method.as_str(), request.target.as_str()) {
        ("GET", "/projects/grp%2Fsub%2Fshop") => (200, json!({ "default_branch": "main" })),
        ("GET", t) if t.contains("/merge_requests?") => (200, json!([])),
        ("POST", "/projects/grp%2Fsub%2Fshop/merge_requests") => {
            (201, json!({ "web_url": "https://gitlab.com/grp/sub/shop/-/merge_requests/2" }))
        }
        _ => (404, json!({ "message": "404 Not Found" })),
    });
    let vars = [("GITLAB_TOKEN", TOKEN), ("GITLAB_API_URL", api.as_str())];
    let (code, out, err) = with_api(&setup, &["apply", "--open-pr"], &vars);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("https://gitlab.com/grp/sub/shop/-/merge_requests/2"), "{out}");
    let seen = seen.lock().unwrap().clone();
    assert_eq!(seen.len(), 3, "{seen:?}");
    assert!(seen.iter().all(|s| s.headers.get("private-token").map(String::as_str) == Some(TOKEN)));
    let body: Value = serde_json::from_str(&seen[2].body).unwrap();
    assert_eq!(body["source_branch"], BRANCH);
    assert_eq!(body["target_branch"], "main");
    let guide = setup.repo.git(&["show", &format!("{BRANCH}:CODE_CAPSULES.md")]);
    assert_eq!(body["description"], guide.as_str());
    assert!(!out.contains(TOKEN) && !err.contains(TOKEN));
}

#[test]
fn on_another_host_open_pr_pushes_and_prints_where_to_open_it() {
    let setup = Setup::new("https://bitbucket.org/team/shop.git");
    let (code, out, err) = with_api(&setup, &["apply", "--open-pr", "--base", "dev"], &[]);
    assert_eq!(code, 0, "{out}{err}");
    let page =
        format!("https://bitbucket.org/team/shop/pull-requests/new?source={BRANCH}&dest=dev");
    assert!(out.contains(&page), "{out}");
    assert!(setup.remote_branch().is_some());
}

/// A stand-in `glab` that records its arguments (one per line) and answers `mr create`
/// with a new merge request, or with glab's refusal when `refuse` is set.
fn fake_glab(dir: &Path, refuse: bool) -> PathBuf {
    let bin = dir.join("bin-glab");
    std::fs::create_dir_all(&bin).unwrap();
    let log = dir.display();
    let answer = if refuse {
        "echo 'failed to create merge request. Another open merge request already exists \
         for this source branch: !12' >&2; exit 1"
    } else {
        "echo 'https://gitlab.com/grp/sub/shop/-/merge_requests/5'"
    };
    let script = format!(
        "#!/bin/sh\nfor arg in \"$@\"; do printf '%s\\n' \"$arg\" >> '{log}/glab-args'; done\n{answer}\n"
    );
    let glab = bin.join("glab");
    std::fs::write(&glab, script).unwrap();
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(&glab, std::fs::Permissions::from_mode(0o755)).unwrap();
    bin
}

#[test]
fn open_pr_uses_glab_on_gitlab_and_reports_an_open_one() {
    let setup = Setup::new("https://gitlab.com/grp/sub/shop.git");
    let bin = fake_glab(setup.home.path(), false);
    let mut cmd = setup.tool(&["apply", "--open-pr", "--base", "develop"]);
    cmd.env("PATH", path_with(&bin));
    let (code, out, err) = run(cmd);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains(
        "Opened the pull request:\n  https://gitlab.com/grp/sub/shop/-/merge_requests/5"
    ));
    let args = std::fs::read_to_string(setup.home.path().join("glab-args")).unwrap();
    let guide = setup.repo.git(&["show", &format!("{BRANCH}:CODE_CAPSULES.md")]);
    let expected = [
        "mr",
        "create",
        "--repo",
        "https://gitlab.com/grp/sub/shop",
        "--source-branch",
        BRANCH,
        "--title",
        "Migrate from Heroku to Code Capsules",
        "--description",
        &guide,
        "--yes",
        "--target-branch",
        "develop",
    ];
    // The description spans lines; each argument was written followed by a newline.
    assert_eq!(args, expected.iter().map(|a| format!("{a}\n")).collect::<String>());

    let setup = Setup::new("https://gitlab.com/grp/sub/shop.git");
    let bin = fake_glab(setup.home.path(), true);
    let mut cmd = setup.tool(&["apply", "--open-pr"]);
    cmd.env("PATH", path_with(&bin));
    let (code, out, err) = run(cmd);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("already open (not opened again):\n  https://gitlab.com/grp/sub/shop/-/merge_requests/12"), "{out}");
}

#[test]
fn open_pr_over_several_repositories_lists_each_pull_request() {
    let shop = Setup::github();
    let billing = Setup::new("https://github.com/acme/billing.git");
    // One user, one git config: both rewrites in it.
    let config = shop.home.path().join("gitconfig");
    let both = std::fs::read_to_string(&config).unwrap()
        + &std::fs::read_to_string(billing.home.path().join("gitconfig")).unwrap();
    std::fs::write(&config, both).unwrap();
    let bin = fake_gh(shop.home.path(), "[]\n");
    let billing_path = billing.repo.path.display().to_string();
    let mut cmd = shop.tool(&["apply", "--open-pr", &billing_path]);
    cmd.env("PATH", path_with(&bin));
    let (code, out, err) = run(cmd);
    assert_eq!(code, 0, "{out}{err}");
    assert!(billing.remote_branch().is_some() && shop.remote_branch().is_some());
    let summary = out.split("Summary (2 repositories, 0 failed):").nth(1).expect(&out);
    assert!(summary.contains("  result               pull request\n"), "{summary}");
    for (setup, pr) in [(&shop, "acme/shop/pull/7"), (&billing, "acme/billing/pull/7")] {
        let path = setup.repo.path.display().to_string();
        let row = summary.lines().find(|l| l.trim_start().starts_with(&path)).expect(summary);
        assert!(row.contains("pull request opened"), "{row}");
        assert!(row.ends_with(&format!("https://github.com/{pr}")), "{row}");
    }
    let creates = calls(shop.home.path()).into_iter().filter(|c| c[1] == "create").count();
    assert_eq!(creates, 2);
}

#[test]
fn from_a_fork_the_pull_request_goes_to_the_repository_it_was_forked_from() {
    // Fetch from acme/shop (origin), push to one's own fork me/shop (pushDefault).
    let setup = Setup::github();
    let fork = setup.home.path().join("fork.git");
    let out = crate::support::repo::git().arg("init").arg("-q").arg("--bare").arg(&fork).output();
    assert!(out.unwrap().status.success());
    let config = setup.home.path().join("gitconfig");
    let rewrite = format!(
        "[url \"file://{}\"]\n\tinsteadOf = https://github.com/me/shop.git\n",
        fork.display()
    );
    let text = std::fs::read_to_string(&config).unwrap() + &rewrite;
    std::fs::write(&config, text).unwrap();
    setup.repo.git(&["remote", "add", "mine", "https://github.com/me/shop.git"]);
    setup.repo.git(&["config", "remote.pushDefault", "mine"]);
    let (api, seen) = serve(|request| match (request.method.as_str(), request.target.as_str()) {
        ("GET", "/repos/acme/shop") => (200, json!({ "default_branch": "main" })),
        ("GET", t) if t.starts_with("/repos/acme/shop/pulls?") => (200, json!([])),
        ("POST", "/repos/acme/shop/pulls") => {
            (201, json!({ "html_url": "https://github.com/acme/shop/pull/11" }))
        }
        _ => (404, json!({ "message": "Not Found" })),
    });
    let vars = [("GITHUB_TOKEN", TOKEN), ("GITHUB_API_URL", api.as_str())];
    let (code, out, err) = with_api(&setup, &["apply", "--open-pr"], &vars);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains(&format!("Pushed branch {BRANCH} to mine")), "{out}");
    assert_eq!(setup.remote_branch(), None, "not pushed to origin");
    let pushed = crate::support::repo::git()
        .arg("--git-dir")
        .arg(&fork)
        .args(["rev-parse", "--verify", "-q", &format!("refs/heads/{BRANCH}")])
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&pushed.stdout).trim(), setup.repo.rev_parse(BRANCH));
    let seen = seen.lock().unwrap().clone();
    let list = format!("/repos/acme/shop/pulls?head=me%3A{BRANCH}&state=open");
    assert_eq!(seen[1].target, list);
    let body: Value = serde_json::from_str(&seen[2].body).unwrap();
    assert_eq!(body["head"], format!("me:{BRANCH}"));
    assert_eq!(body["base"], "main");
}
