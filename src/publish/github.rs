//! Opening the pull request on GitHub: with the `gh` program when it is installed (it
//! has the user's login), else through the REST API with a token.

use std::path::Path;

use serde_json::{Value, json};

use super::forge::{HostedRepo, Secret};
use super::http::{Api, host_message};
use super::{Error, PrOutcome, PrRequest, run_program};

/// GitHub's REST API version this code was written against (sent on every request).
const HEADERS: &[(&str, &str)] =
    &[("Accept", "application/vnd.github+json"), ("X-GitHub-Api-Version", "2022-11-28")];

/// The REST API's address: `GITHUB_API_URL` when set, else github.com's, else the
/// Enterprise Server convention `https://HOST/api/v3`.
pub fn api_base(repo: &HostedRepo, api_url: Option<&str>) -> String {
    match api_url {
        Some(url) => url.trim_end_matches('/').to_owned(),
        None if repo.host == "github.com" => "https://api.github.com".to_owned(),
        None => format!("https://{}/api/v3", repo.host),
    }
}

/// `gh pr list` for an open pull request from the branch, then `gh pr create` with the
/// body on standard input (`--body-file -`).
pub fn open_with_gh(gh: &Path, repo: &HostedRepo, pr: &PrRequest) -> Result<PrOutcome, Error> {
    let target = format!("{}/{}", repo.host, repo.path);
    let list =
        ["pr", "list", "--repo", &target, "--head", pr.branch, "--state", "open", "--json", "url"];
    let listed = run_program(gh, &list, None).map_err(|said| gh_error("list", &said))?;
    let urls: Value = serde_json::from_str(listed.trim()).unwrap_or(Value::Null);
    if let Some(url) = urls.as_array().and_then(|a| a.first()).and_then(|p| p["url"].as_str()) {
        return Ok(PrOutcome::Existing(url.to_owned()));
    }
    let head = head_of(pr);
    let mut create = vec![
        "pr",
        "create",
        "--repo",
        &target,
        "--head",
        &head,
        "--title",
        pr.title,
        "--body-file",
        "-",
    ];
    if let Some(base) = pr.base {
        create.extend(["--base", base]);
    }
    match run_program(gh, &create, Some(pr.body)) {
        Ok(out) => match last_url(&out) {
            Some(url) => Ok(PrOutcome::Opened(url)),
            None => Err(gh_error("create", &format!("no pull request URL in its output: {out}"))),
        },
        // A pull request opened between the list and the create.
        Err(said) if said.contains("already exists") => match last_url(&said) {
            Some(url) => Ok(PrOutcome::Existing(url)),
            None => Err(gh_error("create", &said)),
        },
        Err(said) => Err(gh_error("create", &said)),
    }
}

/// The `head` of the pull request: the branch, as `owner:branch` when it is in a fork.
fn head_of(pr: &PrRequest) -> String {
    match pr.fork_owner {
        Some(owner) => format!("{owner}:{}", pr.branch),
        None => pr.branch.to_owned(),
    }
}

fn gh_error(step: &str, said: &str) -> Error {
    Error::Host {
        what: format!("`gh pr {step}`"),
        message: said.trim().to_owned(),
        advice: "check `gh auth status` (or set GH_TOKEN), then run again with --force".to_owned(),
    }
}

/// The last `http(s)://` word of a program's output.
pub(super) fn last_url(text: &str) -> Option<String> {
    text.split_whitespace()
        .rev()
        .find(|w| w.starts_with("https://") || w.starts_with("http://"))
        .map(|w| w.trim_end_matches(['.', ',', ')']).to_owned())
}

/// The REST API: the default branch when no base is given, an open pull request from the
/// branch if there is one, else a new one.
pub fn open_with_api(
    base_url: &str,
    token: &Secret,
    repo: &HostedRepo,
    pr: &PrRequest,
) -> Result<PrOutcome, Error> {
    let api = Api::new(
        base_url,
        "Authorization",
        Secret::new(format!("Bearer {}", token.expose())),
        HEADERS,
    );
    let fail = |what: &str, message: String, advice: String| Error::Host {
        what: format!("GitHub's API at {} ({what})", api.base()),
        message: api.scrub(&message),
        advice,
    };
    let repo_path = format!("/repos/{}", repo.path);
    let base = match pr.base {
        Some(base) => base.to_owned(),
        None => {
            let reply = api
                .get(&repo_path, &[])
                .map_err(|e| fail("read the repository", e, network_advice()))?;
            if reply.status != 200 {
                return Err(fail(
                    "read the repository",
                    host_message(&reply),
                    advice(reply.status, repo),
                ));
            }
            reply.json["default_branch"].as_str().unwrap_or("main").to_owned()
        }
    };
    let owner = pr.fork_owner.unwrap_or_else(|| repo.path.split('/').next().unwrap_or_default());
    let head = format!("{owner}:{}", pr.branch);
    let existing = |api: &Api| -> Result<Option<String>, Error> {
        let query = [("head", head.as_str()), ("state", "open")];
        let reply = api
            .get(&format!("{repo_path}/pulls"), &query)
            .map_err(|e| fail("list pull requests", e, network_advice()))?;
        if reply.status != 200 {
            return Err(fail(
                "list pull requests",
                host_message(&reply),
                advice(reply.status, repo),
            ));
        }
        let first = reply.json.as_array().and_then(|a| a.first());
        Ok(first.and_then(|p| p["html_url"].as_str()).map(str::to_owned))
    };
    if let Some(url) = existing(&api)? {
        return Ok(PrOutcome::Existing(url));
    }
    let body = json!({ "title": pr.title, "head": head_of(pr), "base": base, "body": pr.body });
    let reply = api
        .post(&format!("{repo_path}/pulls"), &body)
        .map_err(|e| fail("open the pull request", e, network_advice()))?;
    match reply.status {
        201 => match reply.json["html_url"].as_str() {
            Some(url) => Ok(PrOutcome::Opened(url.to_owned())),
            None => {
                Err(fail("open the pull request", "no html_url in the reply".into(), String::new()))
            }
        },
        // Opened meanwhile by someone else: report it rather than fail.
        422 if host_message(&reply).contains("already exists") => match existing(&api)? {
            Some(url) => Ok(PrOutcome::Existing(url)),
            None => Err(fail("open the pull request", host_message(&reply), String::new())),
        },
        status => Err(fail("open the pull request", host_message(&reply), advice(status, repo))),
    }
}

fn network_advice() -> String {
    "check the network and GITHUB_API_URL, then run again with --force".to_owned()
}

/// What to do about a refusal, by status.
fn advice(status: u16, repo: &HostedRepo) -> String {
    match status {
        401 => "the token in GH_TOKEN or GITHUB_TOKEN was refused: set a valid one".to_owned(),
        403 | 404 => format!(
            "the token cannot see {} or open pull requests there: it needs the `repo` scope \
             (classic) or `pull-requests: write` (fine-grained, or `permissions:` in Actions)",
            repo.path
        ),
        422 => {
            "GitHub refused the request: check that the base branch exists (--base NAME)".to_owned()
        }
        _ => "try again later".to_owned(),
    }
}
