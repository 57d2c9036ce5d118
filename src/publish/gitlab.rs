//! Opening the merge request on GitLab: with the `glab` program when it is installed,
//! else through the REST API (v4) with `GITLAB_TOKEN`.

use std::path::Path;

use serde_json::json;

use super::forge::{HostedRepo, Secret};
use super::github::last_url;
use super::http::{Api, host_message};
use super::{Error, PrOutcome, PrRequest, run_program};

/// The REST API's address: `GITLAB_API_URL` (or GitLab CI's own) when set, else
/// `https://HOST/api/v4`.
pub fn api_base(repo: &HostedRepo, api_url: Option<&str>) -> String {
    match api_url {
        Some(url) => url.trim_end_matches('/').to_owned(),
        None => format!("https://{}/api/v4", repo.host),
    }
}

/// `glab mr create`; glab itself refuses a second open merge request from the branch,
/// and that refusal is reported as the existing one.
pub fn open_with_glab(glab: &Path, repo: &HostedRepo, pr: &PrRequest) -> Result<PrOutcome, Error> {
    let target = format!("https://{}/{}", repo.host, repo.path);
    let mut args = vec![
        "mr",
        "create",
        "--repo",
        &target,
        "--source-branch",
        pr.branch,
        "--title",
        pr.title,
        "--description",
        pr.body,
        "--yes",
    ];
    if let Some(base) = pr.base {
        args.extend(["--target-branch", base]);
    }
    let error = |said: &str| Error::Host {
        what: "`glab mr create`".to_owned(),
        message: said.trim().to_owned(),
        advice: "check `glab auth status` (or set GITLAB_TOKEN), then run again with --force"
            .to_owned(),
    };
    match run_program(glab, &args, None) {
        Ok(out) => last_url(&out).map(PrOutcome::Opened).ok_or_else(|| error(&out)),
        // glab names the open one as `!IID`, not always by its URL.
        Err(said) if said.contains("already exists") => last_url(&said)
            .or_else(|| merge_request_url(repo, &said))
            .map(PrOutcome::Existing)
            .ok_or_else(|| error(&said)),
        Err(said) => Err(error(&said)),
    }
}

/// The page of the merge request a message names as `!IID`.
fn merge_request_url(repo: &HostedRepo, said: &str) -> Option<String> {
    let (_, after) = said.split_once('!')?;
    let iid: String = after.chars().take_while(char::is_ascii_digit).collect();
    (!iid.is_empty()).then(|| format!("https://{}/{}/-/merge_requests/{iid}", repo.host, repo.path))
}

/// The REST API: the default branch when no base is given, an open merge request from
/// the branch if there is one, else a new one.
pub fn open_with_api(
    base_url: &str,
    token: &Secret,
    repo: &HostedRepo,
    pr: &PrRequest,
) -> Result<PrOutcome, Error> {
    let api = Api::new(base_url, "PRIVATE-TOKEN", token.clone(), &[]);
    let fail = |what: &str, message: String, advice: String| Error::Host {
        what: format!("GitLab's API at {} ({what})", api.base()),
        message: api.scrub(&message),
        advice,
    };
    let net = || "check the network and GITLAB_API_URL, then run again with --force".to_owned();
    // The project's id may be its path, with every '/' encoded.
    let project = format!("/projects/{}", repo.path.replace('/', "%2F"));
    let base = match pr.base {
        Some(base) => base.to_owned(),
        None => {
            let reply = api.get(&project, &[]).map_err(|e| fail("read the project", e, net()))?;
            if reply.status != 200 {
                return Err(fail("read the project", host_message(&reply), advice(reply.status)));
            }
            reply.json["default_branch"].as_str().unwrap_or("main").to_owned()
        }
    };
    let requests = format!("{project}/merge_requests");
    let query = [("source_branch", pr.branch), ("state", "opened")];
    let reply = api.get(&requests, &query).map_err(|e| fail("list merge requests", e, net()))?;
    if reply.status != 200 {
        return Err(fail("list merge requests", host_message(&reply), advice(reply.status)));
    }
    if let Some(url) =
        reply.json.as_array().and_then(|a| a.first()).and_then(|m| m["web_url"].as_str())
    {
        return Ok(PrOutcome::Existing(url.to_owned()));
    }
    let body = json!({
        "source_branch": pr.branch,
        "target_branch": base,
        "title": pr.title,
        "description": pr.body,
    });
    let reply = api.post(&requests, &body).map_err(|e| fail("open the merge request", e, net()))?;
    match (reply.status, reply.json["web_url"].as_str()) {
        (201, Some(url)) => Ok(PrOutcome::Opened(url.to_owned())),
        (status, _) => Err(fail("open the merge request", host_message(&reply), advice(status))),
    }
}

fn advice(status: u16) -> String {
    match status {
        401 => "the token in GITLAB_TOKEN was refused: set a valid one".to_owned(),
        403 | 404 => "the token cannot see the project or open merge requests there: it needs \
                      the `api` scope and Developer access"
            .to_owned(),
        409 => "a merge request from this branch already exists".to_owned(),
        _ => "check the target branch (--base NAME) and try again".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_existing_merge_request_is_found_by_its_iid() {
        let repo = HostedRepo { host: "gitlab.com".into(), path: "g/s/app".into() };
        let said = "failed to create merge request. Another open merge request already \
                    exists for this source branch: !12";
        let url = merge_request_url(&repo, said);
        assert_eq!(url.as_deref(), Some("https://gitlab.com/g/s/app/-/merge_requests/12"));
        assert_eq!(merge_request_url(&repo, "already exists!"), None);
        assert_eq!(merge_request_url(&repo, "no mark"), None);
    }
}
