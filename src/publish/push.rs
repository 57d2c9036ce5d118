//! `apply --push`: the new branch goes to the remote git itself would push to, through
//! the `git` command, so the user's credential helpers, SSH keys and `url.*.insteadOf`
//! rewrites apply exactly as for their own pushes (gix has no push).

use std::path::PathBuf;
use std::process::{Command, Stdio};

use crate::source::GitRepo;

/// Where the branch went.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pushed {
    /// The remote's name, like `origin`.
    pub remote: String,
    /// Its push URL after git config's rewrites, with any user name or password removed.
    pub url: String,
}

/// Why the branch was not pushed; it stays in the local repository.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error(
        "{repo}: no remote to push to (no pushRemote, remote.pushDefault, upstream or \
         `origin` with a URL); add one with `git remote add origin URL`, then run \
         `git push -u origin {branch}`"
    )]
    NoRemote { repo: PathBuf, branch: String },
    #[error("{repo}: cannot run git to push: {message}; is git installed and on PATH?")]
    Spawn { repo: PathBuf, message: String },
    #[error(
        "{repo}: git refused to push {branch} to {remote} ({url}); the branch stays in the \
         local repository. git said:\n{said}{advice}"
    )]
    Refused {
        repo: PathBuf,
        branch: String,
        remote: String,
        url: String,
        said: String,
        advice: String,
    },
}

/// Pushes `refs/heads/<branch>` to the push remote and sets it as the branch's upstream,
/// as the `git push -u` command `apply` prints would.
///
/// With `force` (`apply --force`) the remote branch is replaced too, but with a lease:
/// only if it is where this clone last saw it (its remote-tracking branch), so work
/// pushed there by someone else is never overwritten blind.
pub fn push(git: &GitRepo, branch: &str, force: bool) -> Result<Pushed, Box<Error>> {
    let repo_path = git.path().to_owned();
    let Some((remote, url)) = crate::remote::push_remote(git) else {
        return Err(Box::new(Error::NoRemote { repo: repo_path, branch: branch.to_owned() }));
    };
    let url = redact_url(&url);
    let refspec = format!("refs/heads/{branch}:refs/heads/{branch}");
    let mut command = Command::new("git");
    // --git-dir rather than -C: a GIT_DIR in the environment must not redirect the push.
    command.arg("--git-dir").arg(git.repo().git_dir()).args(["push", "--set-upstream"]);
    if force {
        command.arg(format!("--force-with-lease=refs/heads/{branch}"));
    }
    command.arg("--").arg(&remote).arg(&refspec);
    // Credentials are asked on the terminal by git itself, never through our stdin.
    command.stdin(Stdio::null());
    let output = command
        .output()
        .map_err(|e| Box::new(Error::Spawn { repo: repo_path.clone(), message: e.to_string() }))?;
    if output.status.success() {
        return Ok(Pushed { remote, url });
    }
    let said = redact_text(&String::from_utf8_lossy(&output.stderr));
    let said = said.trim_end();
    let said: String = said.lines().map(|l| format!("  {l}\n")).collect();
    let advice = advice_for(&said, branch, &remote);
    Err(Box::new(Error::Refused {
        repo: repo_path,
        branch: branch.to_owned(),
        remote,
        url,
        said,
        advice,
    }))
}

/// What to do about the usual refusals.
fn advice_for(said: &str, branch: &str, remote: &str) -> String {
    let lower = said.to_ascii_lowercase();
    if lower.contains("non-fast-forward") || lower.contains("fetch first") {
        return format!(
            "The remote already has a branch {branch}: run again with --force to replace \
             it, or --branch NAME for another."
        );
    }
    if lower.contains("stale info") {
        return format!(
            "The remote branch {branch} is not where this clone last saw it (or this clone \
             never fetched it), so --force does not replace it blind: `git fetch {remote}`, \
             look at `{remote}/{branch}`, then run again."
        );
    }
    if lower.contains("authentication")
        || lower.contains("permission")
        || lower.contains("could not read")
        || lower.contains("403")
    {
        return "Check that your git credentials can push to this remote (try `git push` \
                yourself)."
            .to_owned();
    }
    String::new()
}

/// `url` without a user name or password (`https://user:token@host/...`): a push URL can
/// carry a token, and it must never be printed.
pub fn redact_url(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else { return url.to_owned() };
    let authority_end = rest.find('/').unwrap_or(rest.len());
    let (authority, path) = rest.split_at(authority_end);
    match authority.rsplit_once('@') {
        Some((_, host)) => format!("{scheme}://{host}{path}"),
        None => url.to_owned(),
    }
}

/// Every URL in a message of git's, redacted like [`redact_url`].
fn redact_text(text: &str) -> String {
    text.split_inclusive(char::is_whitespace)
        .map(|word| if word.contains("://") { redact_word(word) } else { word.to_owned() })
        .collect()
}

fn redact_word(word: &str) -> String {
    let start = word.find(|c: char| c.is_ascii_alphabetic()).unwrap_or(0);
    let (before, url) = word.split_at(start);
    format!("{before}{}", redact_url(url))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urls_lose_their_credentials_and_nothing_else() {
        assert_eq!(
            redact_url("https://x-access-token:ghs_abc@github.com/o/r.git"),
            "https://github.com/o/r.git"
        );
        assert_eq!(redact_url("https://me@gitlab.com/g/r"), "https://gitlab.com/g/r");
        assert_eq!(redact_url("git@github.com:o/r.git"), "git@github.com:o/r.git");
        assert_eq!(redact_url("file:///srv/r.git"), "file:///srv/r.git");
        assert_eq!(redact_url("https://h/a@b"), "https://h/a@b", "an @ in the path stays");
        let said = "fatal: unable to access 'https://u:tok@h.example/r.git/': 403\n";
        assert_eq!(redact_text(said), "fatal: unable to access 'https://h.example/r.git/': 403\n");
    }

    #[test]
    fn refusals_come_with_what_to_do() {
        let said = " ! [rejected]  b -> b (non-fast-forward)";
        assert!(advice_for(said, "b", "origin").contains("--force"));
        let stale = advice_for(" ! [rejected] b -> b (stale info)", "b", "up");
        assert!(stale.contains("git fetch up") && stale.contains("up/b"), "{stale}");
        let denied = advice_for("remote: Permission to o/r.git denied", "b", "origin");
        assert!(denied.contains("credentials"));
        assert_eq!(advice_for("something else", "b", "origin"), "");
    }
}
