//! The install command of a Capsule, chosen by lockfile as Code Capsules' build does.

use std::path::Path;

use serde_json::Value;

/// The package manager that installs an app, chosen by lockfile as both platforms do;
/// yarn and pnpm at the version `packageManager` pins, else one that reads the lockfile.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Manager {
    /// npm; `locked` with a package-lock.json or npm-shrinkwrap.json.
    Npm { locked: bool },
    /// Yarn 1, at this version.
    Yarn1(String),
    /// Yarn 2 and later (a `__metadata:` lockfile, or a `packageManager` pin), at this version.
    Berry(String),
    /// pnpm, at this version.
    Pnpm(String),
}

impl Manager {
    /// The manager of the app in `dir`, whose package.json is `package`.
    pub(crate) fn of(dir: &Path, package: &Value) -> Manager {
        let pinned = package
            .get("packageManager")
            .and_then(Value::as_str)
            .and_then(|spec| spec.split_once('@'))
            .map(|(name, version)| {
                (name.to_owned(), version.split('+').next().unwrap_or("").to_owned())
            });
        let pinned_version =
            |tool: &str| pinned.as_ref().filter(|(n, _)| n == tool).map(|(_, v)| v.clone());
        if let Ok(lock) = std::fs::read_to_string(dir.join("yarn.lock")) {
            // Yarn 2 and later write a `__metadata:` block; yarn 1's lockfile has none.
            let berry = lock.contains("\n__metadata:") || lock.starts_with("__metadata:");
            let version = pinned_version("yarn");
            let berry = berry || version.as_deref().is_some_and(|v| !v.starts_with("1."));
            return if berry {
                Manager::Berry(version.unwrap_or_else(|| "4".into()))
            } else {
                Manager::Yarn1(version.unwrap_or_else(|| "1.22.22".into()))
            };
        }
        if let Ok(lock) = std::fs::read_to_string(dir.join("pnpm-lock.yaml")) {
            let version = pinned_version("pnpm").unwrap_or_else(|| pnpm_for_lockfile(&lock).into());
            return Manager::Pnpm(version);
        }
        let locked =
            dir.join("package-lock.json").is_file() || dir.join("npm-shrinkwrap.json").is_file();
        Manager::Npm { locked }
    }

    /// How to call it: `npm`, or `npx -y yarn@1.22.22` (npx fetches the version once).
    pub(crate) fn program(&self) -> String {
        match self {
            Manager::Npm { .. } => "npm".into(),
            Manager::Yarn1(version) => format!("npx -y yarn@{version}"),
            Manager::Berry(version) => format!("npx -y @yarnpkg/cli-dist@{version}"),
            Manager::Pnpm(version) => format!("npx -y pnpm@{version}"),
        }
    }

    /// Its name on PATH once the install step has put it there.
    pub(crate) fn name(&self) -> &'static str {
        match self {
            Manager::Npm { .. } => "npm",
            Manager::Yarn1(_) | Manager::Berry(_) => "yarn",
            Manager::Pnpm(_) => "pnpm",
        }
    }

    /// The install Code Capsules' build runs: a frozen install when there is a lockfile
    /// (the build fails when it is out of step with package.json, as it would on Code
    /// Capsules), `npm install` when there is none.
    pub(crate) fn code_capsules_install(&self) -> String {
        let program = self.program();
        match self {
            Manager::Npm { locked: true } => "npm ci".into(),
            Manager::Npm { locked: false } => "npm install".into(),
            Manager::Yarn1(_) | Manager::Pnpm(_) => format!("{program} install --frozen-lockfile"),
            Manager::Berry(_) => format!("{program} install --immutable"),
        }
    }
}

/// The pnpm major that writes `lockfileVersion` of `lock`: 9.0 by pnpm 9, 6.0 by pnpm 8,
/// 5.4 by pnpm 7.
fn pnpm_for_lockfile(lock: &str) -> &'static str {
    let version = lock
        .lines()
        .find_map(|line| line.strip_prefix("lockfileVersion:"))
        .map(|v| v.trim().trim_matches(['\'', '"']))
        .unwrap_or("");
    match version.split('.').next() {
        Some("5") => "7",
        Some("6") => "8",
        _ => "9",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn dir_with(files: &[(&str, &str)]) -> tempfile::TempDir {
        let dir = tempfile::tempdir().unwrap();
        for (name, text) in files {
            std::fs::write(dir.path().join(name), text).unwrap();
        }
        dir
    }

    #[test]
    fn the_install_follows_the_lockfile() {
        let none = json!({});
        type Case<'a> = (&'a [(&'a str, &'a str)], Value, &'a str);
        let cases: &[Case] = &[
            (&[], none.clone(), "npm install"),
            (&[("package-lock.json", "{}")], none.clone(), "npm ci"),
            (&[("npm-shrinkwrap.json", "{}")], none.clone(), "npm ci"),
            (
                &[("yarn.lock", "# yarn lockfile v1\n")],
                none.clone(),
                "npx -y yarn@1.22.22 install --frozen-lockfile",
            ),
            (
                &[("yarn.lock", "# This file is generated\n\n__metadata:\n  version: 8\n")],
                none.clone(),
                "npx -y @yarnpkg/cli-dist@4 install --immutable",
            ),
            (
                &[("yarn.lock", "")],
                json!({"packageManager": "yarn@3.6.4+sha512.abc"}),
                "npx -y @yarnpkg/cli-dist@3.6.4 install --immutable",
            ),
            (
                &[("pnpm-lock.yaml", "lockfileVersion: '6.0'\n")],
                none.clone(),
                "npx -y pnpm@8 install --frozen-lockfile",
            ),
            (
                &[("pnpm-lock.yaml", "lockfileVersion: 5.4\n")],
                none.clone(),
                "npx -y pnpm@7 install --frozen-lockfile",
            ),
            (
                &[("pnpm-lock.yaml", "lockfileVersion: '9.0'\n")],
                json!({"packageManager": "pnpm@9.15.0"}),
                "npx -y pnpm@9.15.0 install --frozen-lockfile",
            ),
        ];
        for (files, package, expected) in cases {
            let dir = dir_with(files);
            assert_eq!(
                Manager::of(dir.path(), package).code_capsules_install(),
                *expected,
                "{files:?} {package}"
            );
        }
    }
}
