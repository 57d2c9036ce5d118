//! What a run was asked to do: the settings made from the flags, shared by the command
//! line, the pipeline and the saved plan's key.

use std::path::PathBuf;

/// The settings a run works with, made from the flags in one place (`cli`).
#[derive(Debug, Clone)]
pub struct Settings {
    pub repo: PathBuf,
    pub jobs: Option<PathBuf>,
    pub apps: Vec<String>,
    pub node: Option<u32>,
    pub backend_url_env: Option<String>,
    /// `--backend-host`: Heroku app names (`shop-api-1a2b`), lowercase.
    pub backend_hosts: Vec<String>,
    pub rules: Option<PathBuf>,
}

impl Settings {
    /// Defaults for `repo`, as the command line would give them.
    #[cfg(test)]
    pub fn for_repo(repo: impl Into<PathBuf>) -> Settings {
        Settings {
            repo: repo.into(),
            jobs: None,
            apps: Vec::new(),
            node: None,
            backend_url_env: None,
            backend_hosts: Vec::new(),
            rules: None,
        }
    }
}

/// How `plan` prints the migration.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Text,
    Json,
    Markdown,
}
