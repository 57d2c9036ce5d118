//! The integration tests: one binary, a module per area.

mod support;

mod browser;
mod fixtures;
mod frontend_node;
mod git_repo;
mod guide;
mod hostile;
mod postbuild_npm;
mod project;
mod regressions;
mod saved_plan;
mod scheduler_node;
