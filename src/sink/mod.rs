//! Renderings of a finished migration: the patch, the report, the migration guide as
//! Markdown (rendered by `generate::guide`), JSON, and the git commit.

pub mod commit;
pub mod diff;
pub mod json;
pub mod markdown;
pub mod report;
pub mod summary;
