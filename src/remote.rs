//! Where the migration branch goes after `apply`: the remote git would push it to, and
//! the forge page that opens a pull (merge) request from it.
//!
//! Remote URLs are read with `gix::Url`, which knows every spelling git accepts
//! (`https://`, `ssh://`, `git://`, the legacy `git+ssh://`, and scp-like `user@host:path`).

use gix::bstr::ByteSlice;

use crate::source::GitRepo;

/// The remote to push the branch to: the current branch's upstream remote
/// (`branch.<name>.remote`), else `origin`; `None` when neither has a URL.
///
/// Gives the remote's name and its push URL (`pushurl` when set, with git's
/// `url.<base>.insteadOf` / `pushInsteadOf` rewrites applied).
pub(crate) fn push_remote(git: &GitRepo) -> Option<(String, String)> {
    let repo = git.repo();
    let snapshot = repo.config_snapshot();
    let config = snapshot.plumbing();
    let branch = git.head_ref_name();
    let of_branch = |key: &str| {
        let name =
            config.string_by("branch", Some(branch.as_deref()?.as_bytes().as_bstr()), key)?;
        Some(name.to_str_lossy().into_owned())
    };
    // As git picks the remote for a push, except that the new branch has no settings of
    // its own: the current branch's stand in for them.
    let candidates = [
        of_branch("pushRemote"),
        config.string("remote.pushDefault").map(|n| n.to_str_lossy().into_owned()),
        of_branch("remote"),
        Some("origin".to_owned()),
    ];
    candidates
        .into_iter()
        .flatten()
        // "." means a local branch: nothing to push to.
        .filter(|name| name != ".")
        .find_map(|name| {
            let remote = repo.try_find_remote(name.as_bytes().as_bstr())?.ok()?;
            let url = remote.url(gix::remote::Direction::Push)?.to_bstring();
            Some((name, url.to_str_lossy().into_owned()))
        })
}

/// The web page that opens a pull (merge) request from `branch` into `base`, for
/// repositories on github.com, gitlab.com and bitbucket.org; `None` for other hosts and
/// for paths those forges cannot hold.
///
/// `remote_url` may be `https://[user@]host/owner/repo[.git]`,
/// `ssh://git@host[:port]/owner/repo[.git]` or `git@host:owner/repo[.git]`.
pub(crate) fn pull_request_url(remote_url: &str, base: &str, branch: &str) -> Option<String> {
    let (host, repo_path) = parse_remote_url(remote_url)?;
    let segments = repo_path.split('/').count();
    let (base, branch) = (url_encode(base), url_encode(branch));
    match host.as_str() {
        "github.com" if segments == 2 => {
            Some(format!("https://github.com/{repo_path}/compare/{base}...{branch}?expand=1"))
        }
        // GitLab projects can sit in nested groups: group/subgroup/project.
        "gitlab.com" if segments >= 2 => Some(format!(
            "https://gitlab.com/{repo_path}/-/merge_requests/new?\
             merge_request[source_branch]={branch}&merge_request[target_branch]={base}"
        )),
        "bitbucket.org" if segments == 2 => Some(format!(
            "https://bitbucket.org/{repo_path}/pull-requests/new?source={branch}&dest={base}"
        )),
        _ => None,
    }
}

/// The lowercase host (without `www.`) and the repository path (`owner/repo`, without
/// `.git`) of a network remote URL; `None` for local paths, `file://` URLs, transports
/// of helpers (`ext::`, `foo::`) and paths with empty, `.` or `..` segments.
pub(crate) fn parse_remote_url(url: &str) -> Option<(String, String)> {
    let url = gix::url::parse(url.trim().as_bytes().as_bstr()).ok()?;
    use gix::url::Scheme;
    if !matches!(url.scheme, Scheme::Https | Scheme::Http | Scheme::Ssh | Scheme::Git) {
        return None;
    }
    let host = url.host()?.to_ascii_lowercase();
    let host = host.strip_prefix("www.").unwrap_or(&host).to_owned();
    let path = url.path.to_str().ok()?.trim_matches('/');
    let path = path.strip_suffix(".git").unwrap_or(path);
    let valid = !path.is_empty() && path.split('/').all(|s| !s.is_empty() && s != "." && s != "..");
    valid.then(|| (host, path.to_owned()))
}

/// Percent-encodes everything but unreserved characters and '/', which branch names
/// use as folders and the forges accept as is.
fn url_encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || b"-._~/".contains(&byte) {
            out.push(byte as char);
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::TestRepo;

    fn app_repo() -> TestRepo {
        TestRepo::with_files(&[("Procfile", "web: node server.js\n")])
    }

    #[test]
    fn pull_request_urls_for_every_remote_form() {
        let github = "https://github.com/acme/shop/compare/main...code-capsules-migration?expand=1";
        for url in [
            "https://github.com/acme/shop.git",
            "https://github.com/acme/shop",
            "https://user@github.com/acme/shop.git",
            "http://github.com/acme/shop/",
            "ssh://git@github.com/acme/shop.git",
            "ssh://git@github.com:22/acme/shop.git",
            "git@github.com:acme/shop.git",
            "git@github.com:acme/shop",
        ] {
            let got = pull_request_url(url, "main", "code-capsules-migration");
            assert_eq!(got.as_deref(), Some(github), "{url}");
        }
        let gitlab = "https://gitlab.com/grp/sub/app/-/merge_requests/new?\
                      merge_request[source_branch]=mig&merge_request[target_branch]=main";
        for url in ["https://gitlab.com/grp/sub/app.git", "git@gitlab.com:grp/sub/app.git"] {
            assert_eq!(pull_request_url(url, "main", "mig").as_deref(), Some(gitlab), "{url}");
        }
        let bitbucket = "https://bitbucket.org/team/app/pull-requests/new?source=mig&dest=dev";
        for url in ["https://me@bitbucket.org/team/app.git", "ssh://git@bitbucket.org/team/app.git"]
        {
            assert_eq!(pull_request_url(url, "dev", "mig").as_deref(), Some(bitbucket), "{url}");
        }
    }

    #[test]
    fn pull_request_urls_encode_branches_and_reject_unknown_remotes() {
        let url = pull_request_url("git@github.com:o/r.git", "main", "fix/a#b&c");
        let expected = "https://github.com/o/r/compare/main...fix/a%23b%26c?expand=1";
        assert_eq!(url.as_deref(), Some(expected));
        for url in [
            "https://example.com/o/r.git",
            "/srv/git/app.git",
            "file:///srv/git/app.git",
            "https://github.com/only-owner",
            "https://github.com/o/r/extra",
            "git@github.com:",
            "",
        ] {
            assert_eq!(pull_request_url(url, "main", "b"), None, "{url}");
        }
    }

    #[test]
    fn push_remote_prefers_the_upstream_then_origin() {
        let repo = app_repo();
        assert_eq!(push_remote(&repo.open()), None);
        repo.git(&["remote", "add", "origin", "git@github.com:o/r.git"]);
        let origin = Some(("origin".to_owned(), "git@github.com:o/r.git".to_owned()));
        assert_eq!(push_remote(&repo.open()), origin);
        repo.git(&["config", "branch.main.remote", "."]);
        assert_eq!(push_remote(&repo.open()), origin);
        repo.git(&["remote", "add", "fork", "https://gitlab.com/me/r.git"]);
        repo.git(&["config", "branch.main.remote", "fork"]);
        let fork = Some(("fork".to_owned(), "https://gitlab.com/me/r.git".to_owned()));
        assert_eq!(push_remote(&repo.open()), fork);
        repo.git(&["checkout", "-q", "--detach"]);
        assert_eq!(push_remote(&repo.open()), origin);
    }

    #[test]
    fn push_remote_follows_push_settings_and_url_rewrites() {
        let repo = app_repo();
        repo.git(&["remote", "add", "origin", "https://github.com/acme/shop.git"]);
        repo.git(&["remote", "add", "mine", "gh:me/shop.git"]);
        repo.git(&["config", "branch.main.remote", "origin"]);
        let origin = Some(("origin".to_owned(), "https://github.com/acme/shop.git".to_owned()));
        assert_eq!(push_remote(&repo.open()), origin);
        // A fork workflow: fetch from origin, push to one's own copy.
        repo.git(&["config", "remote.pushDefault", "mine"]);
        repo.git(&["config", "url.git@github.com:.insteadOf", "gh:"]);
        let mine = Some(("mine".to_owned(), "git@github.com:me/shop.git".to_owned()));
        assert_eq!(push_remote(&repo.open()), mine);
        repo.git(&["config", "branch.main.pushRemote", "origin"]);
        assert_eq!(push_remote(&repo.open()), origin);
        repo.git(&["config", "remote.origin.pushurl", "ssh://git@github.com/acme/shop.git"]);
        let push_url = Some(("origin".to_owned(), "ssh://git@github.com/acme/shop.git".to_owned()));
        assert_eq!(push_remote(&repo.open()), push_url);
        // A name without a remote behind it falls through to the next.
        repo.git(&["config", "branch.main.pushRemote", "gone"]);
        assert_eq!(push_remote(&repo.open()), mine);
    }

    #[test]
    fn remote_urls_read_every_network_spelling_git_accepts() {
        let shop = Some(("github.com".to_owned(), "acme/shop".to_owned()));
        for url in [
            "git://github.com/acme/shop.git",
            "git+ssh://git@github.com/acme/shop.git",
            "ssh+git://git@github.com/acme/shop.git",
            "https://WWW.GitHub.com/acme/shop.git",
            "https://token:x-oauth-basic@github.com/acme/shop.git",
            "  git@github.com:acme/shop.git\n",
        ] {
            assert_eq!(parse_remote_url(url), shop, "{url}");
        }
        let group = Some(("gitlab.example.com".to_owned(), "grp/sub/app".to_owned()));
        let url = "ssh://git@gitlab.example.com:2222/grp/sub/app.git";
        assert_eq!(parse_remote_url(url), group);
        for url in ["ext::ssh -p 22 host %S repo", "../app.git", "https://github.com/o/../r"] {
            assert_eq!(parse_remote_url(url), None, "{url}");
        }
    }
}
