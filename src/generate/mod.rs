//! Files the migration writes from scratch.

pub mod scheduler;
pub mod frontend;
