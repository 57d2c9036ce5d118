//! The facts about the Heroku deployment, found by reading the repository.

pub mod app_json;
pub mod jobs;
pub mod procfile;
pub mod js;
