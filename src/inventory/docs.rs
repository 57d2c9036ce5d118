//! `*.herokuapp.com` addresses outside the code (READMEs, HTML pages, `.env.*` files,
//! JSON and YAML configuration): reported, never rewritten, since only the user knows
//! what each should become. JS/TS and component files are read as code instead
//! ([`super::code`]).

use super::{Error, in_node_modules};
use crate::diag::Warning;
use crate::lang::Lang;
use crate::source::Source;

/// Documents larger than this are not searched.
const MAX_DOC: u64 = 1024 * 1024;

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

/// What a file is to someone deciding what to change before the switch: the code and
/// configuration that run in production, or documentation and tests, which only people
/// and test runners read (a test naming a herokuapp host is usually a fixture).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Place {
    Runs,
    Docs,
    Tests,
}

impl Place {
    /// `documentation` or `tests`, for messages.
    pub fn label(self) -> &'static str {
        match self {
            Place::Runs => "code and configuration",
            Place::Docs => "documentation",
            Place::Tests => "tests",
        }
    }
}

/// The [`Place`] of a repository path: documentation by its kind (Markdown, text,
/// reStructuredText), its name (README, CHANGELOG, CONTRIBUTING, HISTORY, LICENSE) or a
/// `doc`/`docs` folder on its path; tests by a test folder on its path (`test`, `tests`,
/// `__tests__`, `spec`, `e2e`, `cypress`, `fixtures`, `__mocks__`) or a test file name
/// (`x.test.js`, `x.spec.ts`); everything else runs.
pub fn place_of(path: &str) -> Place {
    let lower = path.to_ascii_lowercase();
    let mut parts: Vec<&str> = lower.split('/').collect();
    let name = parts.pop().unwrap_or_default();
    const TEST_DIRS: [&str; 9] =
        ["test", "tests", "__tests__", "spec", "specs", "e2e", "cypress", "fixtures", "__mocks__"];
    if parts.iter().any(|p| TEST_DIRS.contains(p))
        || [".test.", ".spec.", "_test.", "_spec."].iter().any(|m| name.contains(m))
    {
        return Place::Tests;
    }
    let stem = name.split('.').next().unwrap_or_default();
    let ext = name.rsplit_once('.').map_or("", |(_, e)| e);
    if matches!(ext, "md" | "markdown" | "txt" | "rst" | "adoc")
        || matches!(
            stem,
            "readme" | "changelog" | "changes" | "history" | "contributing" | "license"
        )
        || parts.iter().any(|p| matches!(*p, "doc" | "docs" | "documentation"))
    {
        return Place::Docs;
    }
    Place::Runs
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
        if is_generated_guide(&bytes) || !crate::herokuapp::mentioned(&bytes) {
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

/// app.json defaults and Scheduler job commands that name a `*.herokuapp.com` host: the
/// address goes away with the Heroku app.
pub fn herokuapp_in_settings(apps: &[super::App], jobs: &[super::jobs::Job]) -> Vec<Warning> {
    let mut warnings = Vec::new();
    for app in apps {
        let Some(app_json) = &app.app_json else { continue };
        for var in &app_json.value.env {
            let host = var.value.as_deref().and_then(|v| herokuapp_host(v.as_bytes()));
            if let Some(host) = host {
                warnings.push(Warning::in_file(
                    &app_json.path,
                    format!(
                        "the default of `{}` is the Heroku address {host}: set it to the new \
                         Capsule's URL instead (CODE_CAPSULES.md says which)",
                        var.name
                    ),
                ));
            }
        }
    }
    for job in jobs {
        let Some(host) = herokuapp_host(job.command.as_bytes()) else { continue };
        warnings.push(Warning::new(format!(
            "the Scheduler job `{}` (jobs file, line {}) calls the Heroku address {host}: point \
             it at the new Capsule's URL (CODE_CAPSULES.md says which)",
            job.name, job.line
        )));
    }
    warnings
}

/// The migration guide this tool wrote (on a migrated tree): it quotes the old addresses
/// on purpose. Known by its title and the sentence that says who generated it.
fn is_generated_guide(bytes: &[u8]) -> bool {
    let head = &bytes[..bytes.len().min(4096)];
    head.starts_with(b"# Moving to Code Capsules\n")
        && head.windows(GENERATED.len()).any(|w| w == GENERATED)
}

/// The guide's second paragraph starts so (`generate::guide`'s intro).
const GENERATED: &[u8] = b"It was generated by capsule-migrate";

/// The first `<name>.herokuapp.com` host on the line.
fn herokuapp_host(line: &[u8]) -> Option<String> {
    herokuapp_hosts(line).into_iter().next()
}

/// The `<name>.herokuapp.com` hosts on the line, each once, in order.
fn herokuapp_hosts(line: &[u8]) -> Vec<String> {
    let mut hosts: Vec<String> = Vec::new();
    for found in crate::herokuapp::find(line) {
        let host = String::from_utf8_lossy(&line[found.host]).into_owned();
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
    fn the_tools_own_guide_is_not_searched() {
        let guide = b"# Moving to Code Capsules\n\nThis branch ...\n\nIt was generated by capsule-migrate from ...\n| x.herokuapp.com |\n";
        assert!(is_generated_guide(guide));
        assert!(!is_generated_guide(
            b"# Moving to Code Capsules\n\nWritten by hand: x.herokuapp.com\n"
        ));
        assert!(!is_generated_guide(b"# Readme\nIt was generated by capsule-migrate\n"));
    }

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
    fn documentation_and_tests_are_told_from_what_runs() {
        for path in [
            "README.md",
            "lib/api3/doc/tutorial.md",
            "CHANGELOG",
            "docs/site/index.html",
            "notes.txt",
            "web/Readme.markdown",
        ] {
            assert_eq!(place_of(path), Place::Docs, "{path}");
        }
        for path in [
            "tests/api.test.js",
            "test/fixtures/settings.json",
            "src/__tests__/App.js",
            "lib/client.spec.ts",
            "cypress/e2e/order.cy.js",
            "server/handler_test.go",
        ] {
            assert_eq!(place_of(path), Place::Tests, "{path}");
        }
        for path in
            ["src/api.js", ".env.production", "static.json", "lib/server/env.js", "app.json"]
        {
            assert_eq!(place_of(path), Place::Runs, "{path}");
        }
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
