//! Finishing the job after `apply`: `--push` sends the new branch to the remote, and
//! `--open-pr` opens the pull (merge) request with the migration guide as its body.
//!
//! Credentials stay the user's: git pushes with its own helpers and keys, `gh` and
//! `glab` with their own logins, and a token from the environment only ever goes into
//! the one HTTP header that needs it; it is never printed, logged or written.

pub mod forge;
mod github;
mod gitlab;
mod http;
pub mod push;

use std::io::{self, Write};
use std::path::Path;
use std::process::{Command, Stdio};

use gix::bstr::ByteSlice;

use crate::source::GitRepo;
use forge::{Forge, HostEnv};

/// What to do after the commit (`--push`, `--open-pr`, `--base`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Options {
    /// Open the pull request too (implies the push).
    pub open_pr: bool,
    /// The branch to merge into; `None` is the repository's default branch.
    pub base: Option<String>,
}

/// The branch `apply` made, and the words of its pull request.
pub struct Branch<'a> {
    pub name: &'a str,
    /// `--force`: the remote's branch is replaced too (with a lease, see [`push::push`]).
    pub force: bool,
    pub title: &'a str,
    /// The pull request's description: the migration guide as committed.
    pub body: &'a str,
}

/// The pull request for the branch.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PrOutcome {
    Opened(String),
    /// One was already open for the branch: reported, not duplicated.
    Existing(String),
}

/// What happened, for the summary table.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Published {
    pub pushed: push::Pushed,
    pub pr: Option<PrOutcome>,
    /// With `--open-pr` on a host the tool cannot open requests on: the page to do it.
    pub compare: Option<String>,
}

/// What the opening of a pull request needs.
pub struct PrRequest<'a> {
    pub branch: &'a str,
    /// On GitHub, the owner of the fork the branch was pushed to, when the pull request
    /// goes to the repository it was forked from.
    pub fork_owner: Option<&'a str>,
    pub base: Option<&'a str>,
    pub title: &'a str,
    pub body: &'a str,
}

/// Why the push or the pull request failed; the commit exists either way.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(transparent)]
    Push(#[from] Box<push::Error>),
    #[error("{what} failed: {message}\nThe branch is pushed; {advice}.")]
    Host { what: String, message: String, advice: String },
    #[error(
        "cannot open the pull request on {host}: {missing}. The branch is pushed; open it \
         yourself{page}"
    )]
    NoWay { host: String, missing: String, page: String },
    #[error("cannot write the report: {0}")]
    Write(#[from] io::Error),
}

/// Pushes the branch and, with `options.open_pr`, opens its pull request, saying what it
/// did on `out`.
pub fn publish(
    git: &GitRepo,
    branch: &Branch,
    options: &Options,
    env: &HostEnv,
    out: &mut dyn Write,
) -> Result<Published, Error> {
    let pushed = push::push(git, branch.name, branch.force)?;
    writeln!(out, "Pushed branch {} to {} ({}).", branch.name, pushed.remote, pushed.url)?;
    let mut published = Published { pushed, pr: None, compare: None };
    if !options.open_pr {
        return Ok(published);
    }
    let configured = configured_url(git, &published.pushed.remote);
    let mut urls = vec![published.pushed.url.as_str()];
    urls.extend(configured.as_deref());
    let mut request = PrRequest {
        branch: branch.name,
        fork_owner: None,
        base: options.base.as_deref(),
        title: branch.title,
        body: branch.body,
    };
    let outcome = match forge::detect(&urls, env) {
        Some(Forge::GitHub(pushed_to)) => {
            let (repo, fork_owner) = github_target(git, &published.pushed.remote, pushed_to, env);
            request.fork_owner = fork_owner.as_deref();
            match (env.program("gh"), &env.github_token) {
                (Some(gh), _) => github::open_with_gh(&gh, &repo, &request)?,
                (None, Some(token)) => {
                    let base = github::api_base(&repo, env.github_api_url.as_deref());
                    github::open_with_api(&base, token, &repo, &request)?
                }
                (None, None) => {
                    return Err(no_way(
                        &repo.host,
                        "neither `gh` on PATH nor GH_TOKEN or GITHUB_TOKEN",
                        &urls,
                        git,
                        options,
                        branch.name,
                    ));
                }
            }
        }
        Some(Forge::GitLab(repo)) => match (env.program("glab"), &env.gitlab_token) {
            (Some(glab), _) => gitlab::open_with_glab(&glab, &repo, &request)?,
            (None, Some(token)) => {
                let base = gitlab::api_base(&repo, env.gitlab_api_url.as_deref());
                gitlab::open_with_api(&base, token, &repo, &request)?
            }
            (None, None) => {
                return Err(no_way(
                    &repo.host,
                    "neither `glab` on PATH nor GITLAB_TOKEN",
                    &urls,
                    git,
                    options,
                    branch.name,
                ));
            }
        },
        None => {
            let page = compare_page(&urls, git, options, branch.name);
            match &page {
                Some(url) => writeln!(out, "Open the pull request:\n  {url}")?,
                None => writeln!(
                    out,
                    "Open a pull request from {} on your git host: the tool opens them on \
                     GitHub and GitLab only.",
                    branch.name
                )?,
            }
            published.compare = page;
            return Ok(published);
        }
    };
    match &outcome {
        PrOutcome::Opened(url) => writeln!(out, "Opened the pull request:\n  {url}")?,
        PrOutcome::Existing(url) => writeln!(
            out,
            "A pull request from {} is already open (not opened again):\n  {url}",
            branch.name
        )?,
    }
    published.pr = Some(outcome);
    Ok(published)
}

fn no_way(
    host: &str,
    missing: &str,
    urls: &[&str],
    git: &GitRepo,
    options: &Options,
    branch: &str,
) -> Error {
    let page = compare_page(urls, git, options, branch)
        .map_or_else(|| ".".to_owned(), |url| format!(": {url}"));
    Error::NoWay {
        host: host.to_owned(),
        missing: format!("{missing} (install and log in, or set a token)"),
        page,
    }
}

/// The web page that starts a pull request, as `apply` prints without `--open-pr`.
fn compare_page(urls: &[&str], git: &GitRepo, options: &Options, branch: &str) -> Option<String> {
    let base =
        options.base.clone().or_else(|| git.head_ref_name()).unwrap_or_else(|| "main".to_owned());
    urls.iter().find_map(|url| crate::remote::pull_request_url(url, &base, branch))
}

/// Where a GitHub pull request goes: the repository pushed to, unless that is a fork of
/// the one the current branch fetches from (its upstream's remote, else `origin`), a
/// remote on the same host with another path: then that one, from the fork's owner.
fn github_target(
    git: &GitRepo,
    push_remote: &str,
    pushed_to: forge::HostedRepo,
    env: &HostEnv,
) -> (forge::HostedRepo, Option<String>) {
    let snapshot = git.repo().config_snapshot();
    let config = snapshot.plumbing();
    let upstream = git
        .head_ref_name()
        .and_then(|b| config.string_by("branch", Some(b.as_bytes().as_bstr()), "remote"))
        .map(|name| name.to_str_lossy().into_owned())
        .filter(|name| name != ".")
        .unwrap_or_else(|| "origin".to_owned());
    if upstream == push_remote {
        return (pushed_to, None);
    }
    let Some(Ok(remote)) = git.repo().try_find_remote(upstream.as_bytes().as_bstr()) else {
        return (pushed_to, None);
    };
    let rewritten = remote.url(gix::remote::Direction::Fetch).map(|u| u.to_bstring().to_string());
    let configured = configured_url(git, &upstream);
    let urls: Vec<&str> = rewritten.iter().chain(configured.iter()).map(String::as_str).collect();
    match forge::detect(&urls, env) {
        Some(Forge::GitHub(source))
            if source.host == pushed_to.host && source.path != pushed_to.path =>
        {
            let owner = pushed_to.path.split('/').next().unwrap_or_default().to_owned();
            (source, Some(owner))
        }
        _ => (pushed_to, None),
    }
}

/// The remote's URL as configured (`pushurl`, else `url`), before any `insteadOf`: a
/// remote rewritten to a mirror is still on the host its name says.
fn configured_url(git: &GitRepo, remote: &str) -> Option<String> {
    let snapshot = git.repo().config_snapshot();
    let config = snapshot.plumbing();
    let name = remote.as_bytes().as_bstr();
    let value = config
        .string_by("remote", Some(name), "pushurl")
        .or_else(|| config.string_by("remote", Some(name), "url"))?;
    let url = value.to_str_lossy().into_owned();
    Some(push::redact_url(&url))
}

/// Runs `program` with `args`, `stdin` on its standard input; its standard output when
/// it succeeds, else what it said on both streams.
pub(crate) fn run_program(
    program: &Path,
    args: &[&str],
    stdin: Option<&str>,
) -> Result<String, String> {
    let mut command = Command::new(program);
    command.args(args).stdout(Stdio::piped()).stderr(Stdio::piped());
    command.stdin(if stdin.is_some() { Stdio::piped() } else { Stdio::null() });
    let name = program.display();
    let mut child = command.spawn().map_err(|e| format!("cannot run {name}: {e}"))?;
    if let (Some(text), Some(mut pipe)) = (stdin, child.stdin.take()) {
        // Written on a thread: a program that prints a lot before reading its input
        // must not wait on us while we wait on it.
        let text = text.to_owned();
        std::thread::spawn(move || {
            let _ = pipe.write_all(text.as_bytes());
        });
    }
    let output = child.wait_with_output().map_err(|e| format!("{name}: {e}"))?;
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    if output.status.success() {
        return Ok(stdout);
    }
    let stderr = String::from_utf8_lossy(&output.stderr);
    Err(format!("{}{stdout}({})", stderr, output.status).trim().to_owned())
}
