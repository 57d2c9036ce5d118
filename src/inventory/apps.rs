//! Finding the apps of a repository and reading their Heroku files.

use std::collections::{BTreeMap, BTreeSet};

use super::{App, Error, Inventory, Located, app_json, in_node_modules, join, parent, procfile};
use crate::diag::{FileError, Warning};
use crate::generate::frontend;
use crate::inventory::package_json::PackageJson;
use crate::source::{EntryKind, Source};

/// What the user told us besides the repository.
#[derive(Debug, Default)]
pub struct Hints<'a> {
    /// `--app DIR`, repo-relative.
    pub apps: &'a [String],
    /// `--jobs FILE`: its name as given and its text.
    pub jobs: Option<(&'a str, &'a str)>,
    /// `--backend-host`: the Heroku app names that are backends, lowercase.
    pub backend_hosts: &'a [String],
}

/// Files larger than this are not read (a Procfile or package.json never is).
const MAX_READ: u64 = 8 * 1024 * 1024;

pub fn discover(source: &Source, hints: &Hints) -> Result<Inventory, Error> {
    let mut inv = Inventory::default();
    let mut found: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let mut procfiles: BTreeMap<String, String> = BTreeMap::new(); // app dir -> Procfile path
    let add = |found: &mut BTreeMap<String, Vec<String>>, dir: &str, why: String| {
        found.entry(dir.to_owned()).or_default().push(why);
    };

    for entry in source.entries() {
        if entry.kind == EntryKind::Submodule && !in_node_modules(&entry.path) {
            inv.warnings.push(Warning::in_file(
                &entry.path,
                "is a submodule: skipped; migrate its repository on its own",
            ));
            continue;
        }
        let name = entry.path.rsplit('/').next().unwrap_or(&entry.path);
        if !matches!(name, "Procfile" | "app.json") || in_node_modules(&entry.path) {
            continue;
        }
        if !entry.kind.is_regular() {
            inv.warnings.push(Warning::in_file(
                &entry.path,
                "is a symlink or submodule: not followed, not edited; the branch keeps it as it is",
            ));
            continue;
        }
        inv.heroku_markers.push(entry.path.clone());
        if name == "Procfile" {
            let procfile = read_procfile(source, &entry.path)?;
            let dir = procfile_app_dir(source, &entry.path, &procfile.value);
            add(&mut found, &dir, format!("{} declares its processes", entry.path));
            procfiles.insert(dir, entry.path.clone());
            inv.warnings.extend(procfile.value.warnings.iter().cloned());
        } else {
            let dir = parent(&entry.path);
            add(&mut found, dir, format!("{} describes it", entry.path));
            let app_json = read_app_json(source, &entry.path)?;
            for (dir, why) in monorepo_dirs(source, &entry.path, &app_json) {
                add(&mut found, &dir, why);
            }
        }
    }

    let root_package = read_package_json(source, "package.json", &mut Vec::new())?;
    if let Some(pkg) = &root_package {
        if let Some((name, _)) = pkg.scripts().find(|(name, _)| name.starts_with("heroku-")) {
            inv.heroku_markers.push(format!("package.json (script {name})"));
            add(&mut found, "", format!("package.json has the Heroku script `{name}`"));
        }
        // A root package.json joins the apps when Heroku evidence points nowhere else.
        if !inv.heroku_markers.is_empty() && found.is_empty() {
            add(&mut found, "", "package.json at the root of a Heroku repository".into());
        }
    }

    for dir in hints.apps {
        let dir = normalize_dir(dir);
        if !folder_exists(source, &dir) {
            return Err(FileError::new(
                format!("--app {dir}"),
                "no such folder in the repository (paths are relative to its root)",
            )
            .into());
        }
        add(&mut found, &dir, "named with --app".into());
    }

    if let Some((file, text)) = hints.jobs {
        let exists = |dir: &str| folder_exists(source, &normalize_dir(dir));
        for mut job in super::jobs::parse(file, text, &exists)? {
            job.app = normalize_dir(&job.app);
            add(&mut found, &job.app, format!("has the Heroku Scheduler job `{}`", job.name));
            inv.jobs.push(job);
        }
    }

    for (dir, evidence) in found {
        inv.apps.push(read_app(source, dir, evidence, &procfiles, &mut inv.warnings)?);
    }
    inv.code = super::code::scan(source, &inv.apps)?;
    // `--app` alone (no Procfile or app.json) still migrates, so hosts are decided then too.
    if !inv.heroku_markers.is_empty() || !inv.apps.is_empty() {
        let mentions = super::docs::herokuapp_mentions(source)?;
        inv.hosts = super::hosts::classify(&inv, &mentions, hints.backend_hosts);
        let warnings: Vec<Warning> = mentions.iter().map(|m| mention_warning(&inv, m)).collect();
        inv.warnings.extend(warnings);
    }
    Ok(inv)
}

/// One warning per line of a text file that names herokuapp hosts: those the migration
/// retires must be updated; the others are named so the user can tell.
fn mention_warning(inv: &Inventory, mention: &super::docs::Mention) -> Warning {
    let (retired, kept): (Vec<&String>, Vec<&String>) = mention.hosts.iter().partition(|host| {
        super::hosts::app_name_of(host).is_some_and(|n| inv.host_role(&n).is_retired())
    });
    let list = |hosts: &[&String]| hosts.iter().map(|h| h.as_str()).collect::<Vec<_>>().join(", ");
    let message = match (retired.is_empty(), kept.is_empty()) {
        (false, true) => {
            format!(
                "mentions the Heroku address {}: update it to the new Capsule's",
                list(&retired)
            )
        }
        (false, false) => format!(
            "mentions the Heroku address {}: update it to the new Capsule's; {} is not shown to \
             be one of this repository's apps (kept)",
            list(&retired),
            list(&kept)
        ),
        _ => format!(
            "mentions the Heroku address {}, which is not shown to be one of this repository's \
             apps: if it is, update it to the new Capsule's (or pass --backend-host)",
            list(&kept)
        ),
    };
    Warning::at_line(&mention.path, mention.line, message)
}

fn read_app(
    source: &Source,
    dir: String,
    evidence: Vec<String>,
    procfiles: &BTreeMap<String, String>,
    warnings: &mut Vec<Warning>,
) -> Result<App, Error> {
    let procfile = match procfiles.get(&dir) {
        Some(path) => Some(read_procfile(source, path)?),
        None => None,
    };
    let app_json_path = join(&dir, "app.json");
    let app_json = match source.entry(&app_json_path) {
        Some(e) if e.kind.is_regular() => Some(read_app_json(source, &app_json_path)?),
        _ => None,
    };
    let package_json = read_package_json(source, &join(&dir, "package.json"), warnings)?;
    let mut node_version_file = None;
    for name in [".nvmrc", ".node-version"] {
        let path = join(&dir, name);
        if let Some(bytes) = read_small(source, &path, warnings)? {
            let text = String::from_utf8_lossy(&bytes).trim().to_owned();
            node_version_file = Some(Located { path, value: text });
            break;
        }
    }
    let mut app =
        App { dir, evidence, procfile, app_json, package_json, node_version_file, frontend: None };
    app.frontend = detect_frontend(source, &app);
    Ok(app)
}

fn detect_frontend(source: &Source, app: &App) -> Option<super::Frontend> {
    let web = app.process("web").map(|p| p.command.as_str());
    let has_index = source.entry(&app.path_of("index.html")).is_some();
    let package = app.package_json.as_ref().map(|p| serde_json::Value::Object(p.value.clone()));
    // Config files are small; one that cannot be read counts as absent.
    let read = |name: &str| -> Option<String> {
        let entry = source.entry(&app.path_of(name)).filter(|e| e.kind.is_regular())?;
        if entry.size.is_some_and(|s| s > MAX_READ) {
            return None;
        }
        String::from_utf8(source.read(&entry.path).ok()?).ok()
    };
    let kind = frontend::classify(package.as_ref(), web, has_index, &read)?;
    let command = frontend::serve_command(package.as_ref(), web);
    let public_dir =
        normalize_dir(&frontend::public_dir(package.as_ref(), command.as_deref(), &kind, &read));
    let page_template = frontend::page_template(&kind, &read).map(|p| normalize_dir(&p));
    let static_json = read("static.json").unwrap_or_default();
    let proxy_env =
        frontend::static_json_proxies(&static_json).into_iter().find_map(|(_, _, origin)| {
            let name = origin.strip_prefix("${")?.strip_suffix('}')?;
            let valid =
                !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
            valid.then(|| name.to_owned())
        });
    let rooted_routes = static_json.contains("\"routes\"");
    Some(super::Frontend { kind, public_dir, page_template, proxy_env, rooted_routes })
}

/// The app a Procfile belongs to: its folder when that has a package.json, else the
/// nearest enclosing folder that has one, else the folder its commands `cd` into.
fn procfile_app_dir(source: &Source, path: &str, procfile: &procfile::Procfile) -> String {
    let dir = parent(path);
    let has_package = |d: &str| source.entry(&join(d, "package.json")).is_some();
    let mut up = Some(dir);
    while let Some(d) = up {
        if has_package(d) {
            return d.to_owned();
        }
        up = if d.is_empty() { None } else { Some(parent(d)) };
    }
    let cd_targets: BTreeSet<String> = procfile
        .processes
        .iter()
        .filter_map(|p| procfile::command_parts(&p.command).cd)
        .map(|cd| normalize_dir(&join(dir, &cd)))
        .filter(|d| has_package(d))
        .collect();
    match cd_targets.into_iter().next() {
        Some(target) => target,
        None => dir.to_owned(),
    }
}

/// Folders named by Heroku's monorepo conventions in app.json: `APP_BASE` and `PROCFILE`.
fn monorepo_dirs(
    source: &Source,
    app_json_path: &str,
    app_json: &Located<app_json::AppJson>,
) -> Vec<(String, String)> {
    let base = parent(app_json_path);
    let mut dirs = Vec::new();
    for var in &app_json.value.env {
        let Some(value) = var.value.as_deref() else { continue };
        let dir = match var.name.as_str() {
            "APP_BASE" => normalize_dir(&join(base, value)),
            "PROCFILE" => normalize_dir(parent(&join(base, value))),
            _ => continue,
        };
        if folder_exists(source, &dir) {
            dirs.push((dir, format!("{app_json_path} sets {}={value}", var.name)));
        }
    }
    dirs
}

fn read_procfile(source: &Source, path: &str) -> Result<Located<procfile::Procfile>, Error> {
    let bytes = source.read(path)?;
    let value = procfile::parse(path, &bytes)?;
    Ok(Located { path: path.to_owned(), value })
}

fn read_app_json(source: &Source, path: &str) -> Result<Located<app_json::AppJson>, Error> {
    let bytes = source.read(path)?;
    let value = app_json::parse(path, &bytes)?;
    Ok(Located { path: path.to_owned(), value })
}

fn read_package_json(
    source: &Source,
    path: &str,
    warnings: &mut Vec<Warning>,
) -> Result<Option<PackageJson>, Error> {
    match read_small(source, path, warnings)? {
        Some(bytes) => Ok(Some(PackageJson::parse(path, &bytes)?)),
        None => Ok(None),
    }
}

/// The bytes of a regular file; `None` (with a warning) for a symlink, a submodule or a
/// file too large to be what its name says, and `None` when absent.
fn read_small(
    source: &Source,
    path: &str,
    warnings: &mut Vec<Warning>,
) -> Result<Option<Vec<u8>>, Error> {
    let Some(entry) = source.entry(path) else { return Ok(None) };
    if !entry.kind.is_regular() {
        warnings.push(Warning::in_file(
            path,
            "is a symlink or submodule: not followed, not edited; the branch keeps it as it is",
        ));
        return Ok(None);
    }
    let too_large = |warnings: &mut Vec<Warning>| {
        warnings.push(Warning::in_file(path, format!("is larger than {MAX_READ} bytes: skipped")));
        Ok(None)
    };
    if entry.size.is_some_and(|s| s > MAX_READ) {
        return too_large(warnings);
    }
    // Git listings carry no sizes: check after reading.
    let bytes = source.read(path)?;
    if bytes.len() as u64 > MAX_READ {
        return too_large(warnings);
    }
    Ok(Some(bytes))
}

/// `./a/b/` -> `a/b`, `.` -> `` (the root).
pub(crate) fn normalize_dir(dir: &str) -> String {
    let parts: Vec<&str> = dir.split('/').filter(|p| !p.is_empty() && *p != ".").collect();
    parts.join("/")
}

fn folder_exists(source: &Source, dir: &str) -> bool {
    if dir.is_empty() {
        return true;
    }
    let prefix = format!("{dir}/");
    let entries = source.entries();
    let start = entries.partition_point(|e| e.path.as_str() < prefix.as_str());
    entries.get(start).is_some_and(|e| e.path.starts_with(&prefix))
}
