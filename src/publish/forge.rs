//! Which host a remote is on (GitHub, GitLab, or another), and what the environment says
//! about reaching it: the `gh` and `glab` programs on PATH, tokens, API addresses.

use std::ffi::OsString;
use std::path::PathBuf;

/// A token read from the environment. It is only ever put in an HTTP header: its
/// `Debug` shows `***`, and it has no `Display`.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: String) -> Secret {
        Secret(value)
    }

    /// The token, for the one header that carries it.
    pub(crate) fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("***")
    }
}

/// What the environment says about the hosts, read once ([`HostEnv::from_process`]) so
/// that tests can give their own.
#[derive(Debug, Clone, Default)]
pub struct HostEnv {
    /// `PATH`, to find `gh` and `glab`.
    pub path: Option<OsString>,
    /// `GH_TOKEN`, else `GITHUB_TOKEN` (gh's order).
    pub github_token: Option<Secret>,
    /// `GITHUB_API_URL`: GitHub Actions sets it, also on GitHub Enterprise Server.
    pub github_api_url: Option<String>,
    /// Hosts that are GitHub besides github.com: from `GITHUB_SERVER_URL` and `GH_HOST`.
    pub github_hosts: Vec<String>,
    /// `GITLAB_TOKEN` (glab's variable).
    pub gitlab_token: Option<Secret>,
    /// `GITLAB_API_URL`, else GitLab CI's `CI_API_V4_URL` when `CI_SERVER_HOST` is the
    /// remote's host.
    pub gitlab_api_url: Option<String>,
    /// Hosts that are GitLab besides gitlab.com: from `GITLAB_HOST` and `CI_SERVER_HOST`.
    pub gitlab_hosts: Vec<String>,
}

impl HostEnv {
    /// Reads the variables listed on each field; empty values count as unset.
    pub fn from_process() -> HostEnv {
        let var = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
        let host_of = |name: &str| var(name).map(|v| host_of_url(&v));
        let gitlab_api_url = var("GITLAB_API_URL").or_else(|| {
            let ci_host = var("CI_SERVER_HOST")?;
            var("CI_API_V4_URL").filter(|url| host_of_url(url) == ci_host.to_ascii_lowercase())
        });
        HostEnv {
            path: std::env::var_os("PATH"),
            github_token: var("GH_TOKEN").or_else(|| var("GITHUB_TOKEN")).map(Secret),
            github_api_url: var("GITHUB_API_URL"),
            github_hosts: [host_of("GITHUB_SERVER_URL"), host_of("GH_HOST")]
                .into_iter()
                .flatten()
                .collect(),
            gitlab_token: var("GITLAB_TOKEN").map(Secret),
            gitlab_api_url,
            gitlab_hosts: [host_of("GITLAB_HOST"), var("CI_SERVER_HOST")]
                .into_iter()
                .flatten()
                .map(|h| h.to_ascii_lowercase())
                .collect(),
        }
    }

    /// The executable `name` in a folder of PATH, as the shell would find it.
    pub fn program(&self, name: &str) -> Option<PathBuf> {
        let path = self.path.as_ref()?;
        std::env::split_paths(path)
            .map(|dir| dir.join(name))
            .find(|candidate| std::fs::metadata(candidate).is_ok_and(|m| is_executable(&m)))
    }
}

#[cfg(unix)]
fn is_executable(meta: &std::fs::Metadata) -> bool {
    use std::os::unix::fs::PermissionsExt;
    meta.is_file() && meta.permissions().mode() & 0o111 != 0
}

#[cfg(not(unix))]
fn is_executable(meta: &std::fs::Metadata) -> bool {
    meta.is_file()
}

/// The host part of `https://host[:port]/...` (or of a bare `host`), lowercase.
fn host_of_url(url: &str) -> String {
    let rest = url.split_once("://").map_or(url, |(_, rest)| rest);
    let authority = rest.split('/').next().unwrap_or_default();
    let host = authority.rsplit('@').next().unwrap_or_default();
    host.split(':').next().unwrap_or_default().to_ascii_lowercase()
}

/// A repository on a host: `path` is `owner/name` on GitHub, `group[/subgroup]/name`
/// on GitLab.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HostedRepo {
    pub host: String,
    pub path: String,
}

/// A host the tool can open pull (merge) requests on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Forge {
    GitHub(HostedRepo),
    GitLab(HostedRepo),
}

/// The host of the first of `urls` that is on GitHub or GitLab. The caller passes the
/// push URL after git's `insteadOf` rewrites and then the one configured, so a remote
/// rewritten to a mirror or a local path is still known by the name the user gave it.
pub fn detect(urls: &[&str], env: &HostEnv) -> Option<Forge> {
    urls.iter().find_map(|url| {
        let (host, path) = crate::remote::parse_remote_url(url)?;
        let segments = path.split('/').count();
        let repo = HostedRepo { host: host.clone(), path };
        let github_api_host = env.github_api_url.as_deref().map(host_of_url);
        let is_github = host == "github.com"
            || env.github_hosts.contains(&host)
            || (github_api_host.as_deref() == Some(host.as_str()));
        if is_github && segments == 2 {
            return Some(Forge::GitHub(repo));
        }
        let is_gitlab =
            host == "gitlab.com" || host.starts_with("gitlab.") || env.gitlab_hosts.contains(&host);
        (is_gitlab && segments >= 2).then_some(Forge::GitLab(repo))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn repo(host: &str, path: &str) -> HostedRepo {
        HostedRepo { host: host.into(), path: path.into() }
    }

    #[test]
    fn hosts_are_told_apart_by_the_remote_url() {
        let env = HostEnv::default();
        let github = Some(Forge::GitHub(repo("github.com", "acme/shop")));
        for url in ["git@github.com:acme/shop.git", "https://tok@github.com/acme/shop"] {
            assert_eq!(detect(&[url], &env), github, "{url}");
        }
        let gitlab = Some(Forge::GitLab(repo("gitlab.com", "grp/sub/app")));
        assert_eq!(detect(&["git@gitlab.com:grp/sub/app.git"], &env), gitlab);
        let own = Some(Forge::GitLab(repo("gitlab.acme.dev", "ops/app")));
        assert_eq!(detect(&["https://gitlab.acme.dev/ops/app.git"], &env), own);
        assert_eq!(detect(&["https://git.acme.dev/ops/app.git"], &env), None);
        assert_eq!(detect(&["/srv/git/app.git"], &env), None);
    }

    #[test]
    fn a_rewritten_url_falls_back_to_the_configured_one() {
        let env = HostEnv::default();
        let urls = ["file:///tmp/mirror.git", "https://github.com/acme/shop.git"];
        assert_eq!(detect(&urls, &env), Some(Forge::GitHub(repo("github.com", "acme/shop"))));
    }

    #[test]
    fn enterprise_hosts_come_from_the_environment() {
        let env = HostEnv {
            github_api_url: Some("https://ghe.acme.dev/api/v3".into()),
            gitlab_hosts: vec!["code.acme.dev".into()],
            ..HostEnv::default()
        };
        let ghe = detect(&["git@ghe.acme.dev:team/app.git"], &env);
        assert_eq!(ghe, Some(Forge::GitHub(repo("ghe.acme.dev", "team/app"))));
        let lab = detect(&["https://code.acme.dev/team/app"], &env);
        assert_eq!(lab, Some(Forge::GitLab(repo("code.acme.dev", "team/app"))));
    }

    #[test]
    fn tokens_do_not_show_in_debug_output() {
        let env =
            HostEnv { github_token: Some(Secret::new("ghp_secret".into())), ..HostEnv::default() };
        assert!(!format!("{env:?}").contains("ghp_secret"));
    }

    #[test]
    fn programs_are_found_on_path_only_when_executable() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let gh = dir.path().join("gh");
        std::fs::write(&gh, "#!/bin/sh\n").unwrap();
        let env = HostEnv { path: Some(dir.path().into()), ..HostEnv::default() };
        assert_eq!(env.program("gh"), None, "not executable");
        std::fs::set_permissions(&gh, std::fs::Permissions::from_mode(0o755)).unwrap();
        assert_eq!(env.program("gh"), Some(gh));
        assert_eq!(env.program("glab"), None);
    }
}
