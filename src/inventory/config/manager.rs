//! Which package manager installs and runs an app: npm, yarn or pnpm.

use serde_json::Value;

use crate::inventory::{App, join};

/// The package manager a lockfile picks (Heroku's Node buildpack and Google Cloud's pick
/// the same way: `yarn.lock`, `pnpm-lock.yaml`, else npm).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PackageManager {
    Npm,
    Yarn,
    Pnpm,
}

impl PackageManager {
    /// The install command the build runs with this manager's lockfile.
    pub fn install(self) -> &'static str {
        match self {
            PackageManager::Npm => "npm ci",
            PackageManager::Yarn => "yarn install",
            PackageManager::Pnpm => "pnpm install",
        }
    }

    /// The manager's own name, as typed on the command line.
    pub fn name(self) -> &'static str {
        match self {
            PackageManager::Npm => "npm",
            PackageManager::Yarn => "yarn",
            PackageManager::Pnpm => "pnpm",
        }
    }

    /// The command that runs the package.json script `script` with this manager
    /// (`npm start`, `yarn build`, `pnpm run scheduler`). `start` has a short form in all
    /// three; yarn runs any script by its name.
    pub fn run(self, script: &str) -> String {
        match (self, script) {
            (_, "start") | (PackageManager::Yarn, _) => format!("{} {script}", self.name()),
            _ => format!("{} run {script}", self.name()),
        }
    }
}

/// The package manager that installs and runs `app` on Code Capsules: the one its folder's
/// lockfile picks (see [`package_manager`]), else the one its package.json's
/// `packageManager` field names (`yarn@1.22.22`), else npm, which a build without either
/// uses.
pub fn manager_of(lockfiles: &[String], app: &App) -> PackageManager {
    if let Some((manager, _)) = package_manager(lockfiles, app.build_dir()) {
        return manager;
    }
    let declared = app.package_json.as_ref().and_then(|p| p.value.get("packageManager"));
    match declared.and_then(Value::as_str).and_then(|d| d.split('@').next()) {
        Some("yarn") => PackageManager::Yarn,
        Some("pnpm") => PackageManager::Pnpm,
        _ => PackageManager::Npm,
    }
}

/// The package manager a build in `dir` uses, from the lockfiles in that folder
/// (Google Cloud's Node.js buildpack, which Code Capsules builds with, looks for
/// `yarn.lock`, then `pnpm-lock.yaml`, then npm's): the manager and its lockfile, or
/// `None` when the folder has none.
pub fn package_manager<'a>(
    lockfiles: &'a [String],
    dir: &str,
) -> Option<(PackageManager, &'a str)> {
    let in_dir = |name: &str| lockfiles.iter().find(|l| **l == join(dir, name));
    [
        ("yarn.lock", PackageManager::Yarn),
        ("pnpm-lock.yaml", PackageManager::Pnpm),
        ("package-lock.json", PackageManager::Npm),
        ("npm-shrinkwrap.json", PackageManager::Npm),
    ]
    .into_iter()
    .find_map(|(name, manager)| in_dir(name).map(|path| (manager, path.as_str())))
}
