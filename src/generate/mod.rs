//! Files the migration writes from scratch.

pub mod frontend;
pub mod guide;
pub mod scheduler;
