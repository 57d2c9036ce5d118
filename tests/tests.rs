//! The integration tests: one binary, a module per area.

mod support;

mod browser;
mod frontend_node;
mod scheduler_node;
