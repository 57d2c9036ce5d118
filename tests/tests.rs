//! The integration tests: one binary, a module per area.

mod support;

mod browser;
mod fixtures;
mod frontend_hosts;
mod frontend_node;
mod git_repo;
mod guide;
mod hostile;
mod lockfiles;
mod many;
mod postbuild_npm;
mod project;
mod publish;
mod regressions;
mod saved_plan;
mod scheduler_node;
#[cfg(unix)]
mod verify;
