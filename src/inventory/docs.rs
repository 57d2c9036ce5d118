//! `*.herokuapp.com` addresses outside the code (READMEs, HTML pages, `.env.*` files,
//! JSON and YAML configuration): reported, never rewritten, since only the user knows
//! what each should become. JS/TS and component files are read as code instead
//! ([`super::code`]).

use super::{Error, in_node_modules};
use crate::lang::Lang;
use crate::source::Source;

/// Documents larger than this are not searched.
const MAX_DOC: u64 = 1024 * 1024;

const NEEDLE: &[u8] = b".herokuapp.com";

/// One line of a text file that names one or more herokuapp hosts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mention {
    /// Repo-relative path.
    pub path: String,
    /// 1-based.
    pub line: usize,
    /// The hosts as written on the line (`shop-api.herokuapp.com`), each once.
    pub hosts: Vec<String>,
    /// The line without its hosts, lowercase: what it says about them (`the api answers at`).
    pub context: String,
}

impl Mention {
    /// The Heroku app names of the line's hosts, lowercase.
    pub fn names(&self) -> impl Iterator<Item = String> + '_ {
        self.hosts.iter().filter_map(|h| super::hosts::app_name_of(h))
    }
}

/// Whether a file is text worth searching for addresses: documentation, pages, env files
/// and configuration. Lockfiles are left out: they name registries, not apps.
pub fn is_text_file(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path).to_ascii_lowercase();
    if matches!(name.as_str(), "package-lock.json" | "npm-shrinkwrap.json" | "pnpm-lock.yaml") {
        return false;
    }
    if name == ".env" || name.starts_with(".env.") || name.ends_with(".env") {
        return true;
    }
    let Some((_, ext)) = name.rsplit_once('.') else { return false };
    matches!(
        ext,
        "md" | "markdown"
            | "html"
            | "htm"
            | "json"
            | "json5"
            | "yaml"
            | "yml"
            | "toml"
            | "txt"
            | "ini"
            | "conf"
            | "erb"
    )
}

/// Every line of a text file (see [`is_text_file`]) that names a herokuapp.com host, in
/// path order.
pub fn herokuapp_mentions(source: &Source) -> Result<Vec<Mention>, Error> {
    let mut mentions = Vec::new();
    for entry in source.entries() {
        let wanted = is_text_file(&entry.path)
            && Lang::of_path(&entry.path).is_none()
            && entry.kind.is_regular()
            && !in_node_modules(&entry.path)
            && entry.size.is_none_or(|s| s <= MAX_DOC);
        if !wanted {
            continue;
        }
        let bytes = source.read(&entry.path)?;
        if !bytes.windows(NEEDLE.len()).any(|w| w.eq_ignore_ascii_case(NEEDLE)) {
            continue;
        }
        for (index, line) in bytes.split(|&b| b == b'\n').enumerate() {
            let hosts = herokuapp_hosts(line);
            if hosts.is_empty() {
                continue;
            }
            let mut context = String::from_utf8_lossy(line).to_ascii_lowercase();
            for host in &hosts {
                context = context.replace(&host.to_ascii_lowercase(), " ");
            }
            mentions.push(Mention { path: entry.path.clone(), line: index + 1, hosts, context });
        }
    }
    Ok(mentions)
}

/// The `<name>.herokuapp.com` hosts on the line, each once, in order.
fn herokuapp_hosts(line: &[u8]) -> Vec<String> {
    let mut hosts: Vec<String> = Vec::new();
    let mut from = 0;
    while let Some(at) =
        line[from..].windows(NEEDLE.len()).position(|w| w.eq_ignore_ascii_case(NEEDLE))
    {
        let at = from + at;
        from = at + NEEDLE.len();
        let is_host_byte = |b: &u8| b.is_ascii_alphanumeric() || *b == b'-' || *b == b'.';
        let start = line[..at].iter().rposition(|b| !is_host_byte(b)).map_or(0, |i| i + 1);
        if start == at {
            continue; // `.herokuapp.com` alone names no app
        }
        let host = String::from_utf8_lossy(&line[start..at + NEEDLE.len()]).into_owned();
        if !hosts.iter().any(|h| h.eq_ignore_ascii_case(&host)) {
            hosts.push(host);
        }
    }
    hosts
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_every_host_on_a_line_once() {
        assert_eq!(
            herokuapp_hosts(b"See [the app](https://shop-api.herokuapp.com/docs)."),
            ["shop-api.herokuapp.com"]
        );
        assert_eq!(herokuapp_hosts(b"Deployed at SHOP.HEROKUAPP.COM"), ["SHOP.HEROKUAPP.COM"]);
        assert_eq!(
            herokuapp_hosts(b"a.herokuapp.com, b.herokuapp.com and a.herokuapp.com/x"),
            ["a.herokuapp.com", "b.herokuapp.com"]
        );
        assert!(herokuapp_hosts(b"any *.herokuapp.com host").is_empty());
        assert!(herokuapp_hosts(b"nothing here").is_empty());
    }

    #[test]
    fn text_files_are_docs_pages_env_files_and_configuration() {
        for path in [
            "README.md",
            "web/.env.production",
            ".env",
            "web/public/config.json",
            "deploy.yml",
            "docs/index.HTML",
            "static.json",
            "config/nginx.conf.erb",
        ] {
            assert!(is_text_file(path), "{path}");
        }
        for path in ["src/app.js", "package-lock.json", "web/App.vue", "Procfile", "logo.png"] {
            assert!(!is_text_file(path), "{path}");
        }
    }
}
