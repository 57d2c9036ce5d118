//! Test support: the crate's one git helper ([`repo`], shared with the integration tests)
//! and what needs the crate itself: opening a test repository as the tool does.

mod repo;

use std::path::Path;

pub use repo::*;

use crate::source::{Error, GitSource};

/// Opens like the real tool, but reading only the repository's own config, with the
/// tests' fixed dates for the commits gix writes.
pub fn open_isolated(path: &Path) -> Result<Option<GitSource>, Error> {
    let options = gix::open::Options::isolated().config_overrides([
        format!("gitoxide.commit.authorDate={DATE}"),
        format!("gitoxide.commit.committerDate={DATE}"),
    ]);
    GitSource::open_with(path, options)
}

impl TestRepo {
    /// The repository as the tool reads it ([`open_isolated`]).
    pub fn open(&self) -> GitSource {
        open_isolated(&self.path).expect("opens").expect("is a repository")
    }
}
