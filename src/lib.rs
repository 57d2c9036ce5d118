//! capsule-migrate: rewrites a Git repository of Heroku Node.js apps so they deploy on
//! Code Capsules.
//!
//! The pipeline runs one way: [`source`] -> [`inventory`] -> [`rules`] -> [`plan`] ->
//! [`sink`]. Only the two ends do I/O.

pub mod app;
pub mod capsules;
pub mod cli;
pub mod component;
pub mod diag;
pub mod edit;
pub mod generate;
pub mod herokuapp;
pub mod inventory;
pub mod lang;
pub mod many;
pub mod plan;
pub mod progress;
pub mod publish;
pub mod rules;
pub mod saved;
pub mod semver;
pub mod shell;
pub mod sink;
pub mod source;
pub mod terminal;
/// Process groups, signals and symlinks: Unix only.
#[cfg(unix)]
pub mod verify;
