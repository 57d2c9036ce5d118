//! Helpers shared by the integration tests.

pub mod node;
pub mod repo;
