//! Span-based edits: find the bytes to change, replace them, keep every other byte.

pub mod components;
pub mod html;
pub mod js_urls;
pub mod json;
pub mod lockfile;
pub(crate) mod package_json;
pub(crate) mod webpack_config;
