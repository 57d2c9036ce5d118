//! capsule-migrate: rewrites a Git repository of Heroku Node.js apps so they deploy on
//! Code Capsules.
//!
//! The pipeline runs one way: [`source`] -> [`inventory`] -> [`rules`] -> [`plan`] ->
//! [`sink`]. Only the two ends do I/O.

pub mod app;
pub mod capsules;
pub mod cli;
pub mod diag;
pub mod edit;
pub mod generate;
pub mod inventory;
pub mod lang;
pub mod plan;
pub mod progress;
pub mod rules;
pub mod saved;
pub mod shell;
pub mod sink;
pub mod source;
