//! The environment every verify step runs in: the Capsule's variables, with placeholders
//! where the repository holds no safe value, and the chosen Node first on PATH.

use std::path::Path;
use std::process::Command;

use super::node::Node;
use crate::capsules::{Capsule, CapsuleEnv, EnvSource};

/// The host every Capsule URL is set to: `.invalid` never resolves (RFC 2606).
pub(crate) const PLACEHOLDER_HOST: &str = "capsule-migrate-verify.invalid";

/// The value of every variable that has no safe value in the repository.
pub(crate) const PLACEHOLDER: &str = "capsule-migrate-verify-placeholder";

/// The environment of every step: the Capsule's variables (placeholders where the value
/// is not in the repository) and PATH with the chosen Node first.
pub(crate) struct Env {
    pub(super) vars: Vec<(String, String)>,
}

impl Env {
    pub(super) fn for_capsule(capsule: &Capsule, node: &Node) -> Env {
        // What Heroku itself set (dyno metadata, buildpack settings) Code Capsules does
        // not: those stay unset, as they will be there.
        let mut vars: Vec<(String, String)> = capsule
            .env
            .iter()
            .filter(|var| !matches!(var.source, EnvSource::Heroku | EnvSource::HerokuBuild))
            .map(|var| (var.name.clone(), placeholder(var)))
            .collect();
        if let Some(bin) = &node.bin_dir {
            let path = std::env::var_os("PATH").unwrap_or_default();
            let mut dirs = vec![bin.clone()];
            dirs.extend(std::env::split_paths(&path));
            let joined = std::env::join_paths(dirs).unwrap_or(path);
            vars.push(("PATH".into(), joined.to_string_lossy().into_owned()));
        }
        // Quieter logs, and no question from npx.
        for (name, value) in [
            ("npm_config_update_notifier", "false"),
            ("npm_config_fund", "false"),
            ("npm_config_audit", "false"),
            ("npm_config_yes", "true"),
            ("COREPACK_ENABLE_DOWNLOAD_PROMPT", "0"),
        ] {
            vars.push((name.into(), value.into()));
        }
        Env { vars }
    }

    /// Puts `dir` first on the steps' PATH.
    pub(super) fn put_first_on_path(&mut self, dir: &Path) {
        let current = match self.get("PATH") {
            Some(path) => path.into(),
            None => std::env::var_os("PATH").unwrap_or_default(),
        };
        let mut dirs = vec![dir.to_path_buf()];
        dirs.extend(std::env::split_paths(&current));
        let joined = std::env::join_paths(dirs).unwrap_or(current);
        self.vars.retain(|(n, _)| n != "PATH");
        self.vars.push(("PATH".into(), joined.to_string_lossy().into_owned()));
    }

    pub(super) fn apply(&self, command: &mut Command) {
        for (name, value) in &self.vars {
            command.env(name, value);
        }
    }

    pub(super) fn get(&self, name: &str) -> Option<&str> {
        self.vars.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
    }
}

/// The value a variable gets: the one the repository shows, else a placeholder that says
/// what it is. URLs of Capsules point at a host that never resolves; a database link is
/// a URL of its scheme to a closed local port, so a client fails fast.
pub(crate) fn placeholder(var: &CapsuleEnv) -> String {
    if let Some(value) = &var.value {
        return value.clone();
    }
    match &var.source {
        // Without a scheme, as Code Capsules shows a Capsule's URL.
        EnvSource::CapsuleUrl { .. } | EnvSource::CodeCapsules => PLACEHOLDER_HOST.to_owned(),
        EnvSource::DataCapsule { .. } => {
            let scheme = if var.name.to_ascii_uppercase().contains("REDIS") {
                "redis"
            } else if var.name.to_ascii_uppercase().contains("MONGO") {
                "mongodb"
            } else {
                "postgresql"
            };
            format!("{scheme}://{PLACEHOLDER}@127.0.0.1:9/{PLACEHOLDER}")
        }
        _ => PLACEHOLDER.to_owned(),
    }
}
