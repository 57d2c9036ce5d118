//! Files the migration writes from scratch.

pub mod frontend;
pub(crate) mod guide;
pub mod scheduler;
