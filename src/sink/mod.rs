//! Renderings of a plan: the patch, the report, JSON, and the git commit.

pub mod commit;
pub mod diff;
pub mod json;
pub mod report;
