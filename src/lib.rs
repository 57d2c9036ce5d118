//! capsule-migrate: rewrites a Git repository of Heroku Node.js apps so they deploy on
//! Code Capsules.
//!
//! The pipeline runs one way: [`source`] -> [`inventory`] -> [`rules`] -> [`plan`] ->
//! [`sink`]. Only the two ends do I/O.

pub mod app;
pub mod capsules;
pub mod change;
pub mod cli;
pub mod component;
pub mod diag;
pub mod edit;
pub mod generate;
pub mod inventory;
pub mod lang;
pub mod many;
pub mod migration;
pub mod plan;
pub(crate) mod pool;
pub mod progress;
pub mod publish;
pub mod rules;
pub mod saved;
pub mod semver;
pub mod settings;
pub mod shell;
pub mod sink;
pub mod source;
pub mod terminal;
/// Test support: isolated temporary git repositories.
#[cfg(test)]
pub(crate) mod testing;
/// Process groups, signals and symlinks: Unix only.
#[cfg(unix)]
pub mod verify;

/// The dependency check: every module uses only the modules below it (tests only).
#[cfg(test)]
mod layers;
