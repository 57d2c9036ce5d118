//! Renderings of a plan: the patch, the report, the migration guide, JSON, and the git
//! commit.

pub mod commit;
pub mod diff;
pub mod json;
pub mod markdown;
pub mod report;
pub mod summary;
