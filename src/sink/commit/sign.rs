//! Signing the migration commit as git signs commits when `commit.gpgsign` is true.
//!
//! A repository that signs every commit often protects its branches with "require signed
//! commits": an unsigned migration commit would be refused there, or merged as the one
//! unverified commit. So the tool signs exactly as git does (git's `gpg-interface.c`):
//!
//! - `gpg.format` `openpgp` (default): `gpg.openpgp.program` or `gpg.program` (default
//!   `gpg`) run as `--status-fd=2 -bsau <key>`, the commit on stdin, an armored detached
//!   signature on stdout, and `[GNUPG:] SIG_CREATED` on the status output;
//! - `x509`: the same with `gpg.x509.program` (default `gpgsm`);
//! - `ssh`: `gpg.ssh.program` (default `ssh-keygen`) run as `-Y sign -n git -f <key>`,
//!   where `user.signingkey` is a key file, or a literal `key::ssh-...` public key whose
//!   private half an agent holds (`-U`).
//!
//! The key is `user.signingkey`; for openpgp and x509 without it, the committer's
//! `Name <email>`, as git does. The signature goes into the commit's `gpgsig` header.
//! When signing fails the commit is not made, as with git, and the error says why.

use std::io::Write;
use std::process::{Command, Stdio};

/// How the repository's git config asks for commits to be signed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signer {
    format: Format,
    program: String,
    key: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Format {
    OpenPgp,
    X509,
    Ssh,
}

/// Why a commit could not be signed; the message names the program and what to do.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignError(pub String);

impl Signer {
    /// The signer `commit.gpgsign` asks for, or `None` when commits are not signed.
    pub fn from_config(repo: &gix::Repository) -> Result<Option<Signer>, SignError> {
        let config = repo.config_snapshot();
        if !config.boolean("commit.gpgsign").unwrap_or(false) {
            return Ok(None);
        }
        let string = |key: &str| config.string(key).map(|v| v.to_string());
        let format = match string("gpg.format").as_deref() {
            None | Some("openpgp") => Format::OpenPgp,
            Some("x509") => Format::X509,
            Some("ssh") => Format::Ssh,
            Some(other) => {
                return Err(SignError(format!(
                    "gpg.format = {other:?} is not one git knows (openpgp, x509, ssh)"
                )));
            }
        };
        let program = match format {
            Format::OpenPgp => string("gpg.openpgp.program").or_else(|| string("gpg.program")),
            Format::X509 => string("gpg.x509.program"),
            Format::Ssh => string("gpg.ssh.program"),
        };
        let default = match format {
            Format::OpenPgp => "gpg",
            Format::X509 => "gpgsm",
            Format::Ssh => "ssh-keygen",
        };
        let key = string("user.signingkey").filter(|k| !k.is_empty());
        Ok(Some(Signer { format, program: program.unwrap_or_else(|| default.to_owned()), key }))
    }

    /// What signed the commit, for the user: `ssh key ~/.ssh/id_ed25519`.
    pub fn describe(&self) -> String {
        let kind = match self.format {
            Format::OpenPgp => "OpenPGP key",
            Format::X509 => "X.509 certificate",
            Format::Ssh => "ssh key",
        };
        match &self.key {
            Some(key) => format!("{kind} {}", key.strip_prefix("key::").unwrap_or(key)),
            None => format!("{kind} of the committer"),
        }
    }

    /// The detached signature of `payload` (the commit object without `gpgsig`).
    /// `committer` is `Name <email>`, the default key for OpenPGP and X.509.
    pub fn sign(&self, payload: &[u8], committer: &str) -> Result<Vec<u8>, SignError> {
        let mut command = Command::new(&self.program);
        // Held until the program has run: a literal ssh key is read from this file.
        let mut literal_key: Option<tempfile::NamedTempFile> = None;
        match self.format {
            Format::OpenPgp | Format::X509 => {
                let key = self.key.as_deref().unwrap_or(committer);
                command.args(["--status-fd=2", "-bsau", key]);
            }
            Format::Ssh => {
                let Some(key) = &self.key else {
                    return Err(SignError(
                        "gpg.format is ssh but user.signingkey is not set: set it to your key \
                         file (git config user.signingkey ~/.ssh/id_ed25519.pub)"
                            .into(),
                    ));
                };
                command.args(["-Y", "sign", "-n", "git", "-f"]);
                if let Some(public) = key.strip_prefix("key::") {
                    let mut file = tempfile::NamedTempFile::new()
                        .map_err(|e| SignError(format!("cannot write the public key: {e}")))?;
                    writeln!(file, "{public}")
                        .map_err(|e| SignError(format!("cannot write the public key: {e}")))?;
                    command.arg(file.path()).arg("-U");
                    literal_key = Some(file);
                } else {
                    command.arg(expand_home(key));
                }
            }
        }
        let output = run(command, payload).map_err(|e| {
            SignError(format!("cannot run {} to sign the commit: {e}", self.program))
        })?;
        drop(literal_key);
        let stderr = String::from_utf8_lossy(&output.stderr);
        let created = match self.format {
            Format::OpenPgp | Format::X509 => stderr.contains("[GNUPG:] SIG_CREATED "),
            Format::Ssh => true,
        };
        if !output.status.success() || !created || output.stdout.is_empty() {
            return Err(SignError(format!(
                "{} failed to sign the data ({}){}",
                self.program,
                output.status,
                if stderr.trim().is_empty() {
                    String::new()
                } else {
                    format!(":\n{}", stderr.trim_end())
                }
            )));
        }
        Ok(output.stdout)
    }
}

fn run(mut command: Command, stdin: &[u8]) -> std::io::Result<std::process::Output> {
    let mut child =
        command.stdin(Stdio::piped()).stdout(Stdio::piped()).stderr(Stdio::piped()).spawn()?;
    let mut input = child.stdin.take().expect("stdin is piped");
    // Written from a thread: a program that writes before it has read all its input
    // would otherwise block on a full pipe while we block on its stdin.
    let payload = stdin.to_vec();
    let writer = std::thread::spawn(move || input.write_all(&payload));
    let output = child.wait_with_output()?;
    // A program that exits without reading (a wrong path) closes the pipe: its exit
    // status says more than the write error.
    let _ = writer.join();
    Ok(output)
}

/// `~/x` with the home folder, as git expands `user.signingkey` paths.
fn expand_home(path: &str) -> std::path::PathBuf {
    match (path.strip_prefix("~/"), std::env::var_os("HOME")) {
        (Some(rest), Some(home)) => std::path::Path::new(&home).join(rest),
        _ => std::path::PathBuf::from(path),
    }
}
