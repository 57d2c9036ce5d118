//! Which folder each Procfile and app.json places an app in.

use crate::inventory::{Located, app_json, join, parent, procfile};
use crate::source::Source;
use std::collections::BTreeSet;

/// The app a Procfile belongs to: its folder when that has a package.json, else the
/// nearest enclosing folder that has one, else the folder its commands `cd` into.
pub(super) fn procfile_app_dir(
    source: &Source,
    path: &str,
    procfile: &procfile::Procfile,
) -> String {
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

/// One Procfile per app: when several Procfiles would belong to the same folder (a root
/// `Procfile` and `server/collab/Procfile` whose folder has no package.json), the one in
/// that folder keeps it and every other one is an app of its own folder, so no process
/// is lost; with none in that folder (the multi-procfile buildpack's `apps/api/Procfile`
/// and `apps/front/Procfile`) each is. Heroku ran such a Procfile only through a monorepo
/// buildpack, as its own app, from the code around it.
/// Each entry is (app folder, Procfile path, the folder it runs from when not its own).
pub(super) fn own_procfiles(
    claims: Vec<(String, String)>,
) -> Vec<(String, String, Option<String>)> {
    let mut out = Vec::new();
    for (dir, path) in &claims {
        let shared = claims.iter().any(|(d, p)| d == dir && p != path);
        if !shared || parent(path) == dir {
            out.push((dir.clone(), path.clone(), None));
        } else {
            out.push((parent(path).to_owned(), path.clone(), Some(dir.clone())));
        }
    }
    out
}

/// Folders named by Heroku's monorepo conventions in app.json: `APP_BASE` and `PROCFILE`.
pub(super) fn monorepo_dirs(
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

/// `./a/b/` -> `a/b`, `.` -> `` (the root).
pub(crate) fn normalize_dir(dir: &str) -> String {
    let parts: Vec<&str> = dir.split('/').filter(|p| !p.is_empty() && *p != ".").collect();
    parts.join("/")
}

pub(super) fn folder_exists(source: &Source, dir: &str) -> bool {
    if dir.is_empty() {
        return true;
    }
    let prefix = format!("{dir}/");
    let entries = source.entries();
    let start = entries.partition_point(|e| e.path.as_str() < prefix.as_str());
    entries.get(start).is_some_and(|e| e.path.starts_with(&prefix))
}
