//! capsule-migrate: rewrites a Git repository of Heroku Node.js apps so they deploy on
//! Code Capsules.
//!
//! The pipeline runs one way: `source` -> [`inventory`] -> [`rules`] -> `plan` ->
//! `sink`. Only the two ends do I/O.

pub(crate) mod app;
pub(crate) mod capsules;
pub(crate) mod change;
pub mod cli;
pub mod component;
pub mod diag;
pub mod edit;
pub mod generate;
pub(crate) mod herokuapp;
pub mod inventory;
pub mod lang;
pub(crate) mod many;
pub(crate) mod migration;
pub(crate) mod plan;
pub(crate) mod pool;
pub(crate) mod progress;
pub(crate) mod publish;
pub(crate) mod remote;
pub mod rules;
pub(crate) mod saved;
pub(crate) mod semver;
pub(crate) mod settings;
pub mod shell;
pub(crate) mod sink;
pub(crate) mod source;
pub(crate) mod terminal;
/// Test support: isolated temporary git repositories.
#[cfg(test)]
pub(crate) mod testing;
/// Process groups, signals and symlinks: Unix only.
#[cfg(unix)]
pub(crate) mod verify;

/// The dependency check: every module uses only the modules below it (tests only).
#[cfg(test)]
mod layers;
