//! Which folder each Procfile and app.json places an app in.

use crate::inventory::{Located, app_json, join, parent, path_steps, procfile};
use crate::source::Source;
use std::collections::BTreeSet;

/// Where a Procfile's app is: its folder, and the folder above it that Heroku built and
/// ran it from when that is not its own (with why, for the plan).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Placement {
    pub dir: String,
    pub runs_from: Option<(String, String)>,
}

/// The app a Procfile belongs to: its folder when that has a package.json, else the
/// nearest enclosing folder that has one, else the folder its commands `cd` into. A
/// Procfile beside its own package.json whose commands only work from a folder above
/// (see [`runs_from_above`]) is its folder's app, run from there.
pub(super) fn procfile_app_dir(
    source: &Source,
    path: &str,
    procfile: &procfile::Procfile,
) -> Placement {
    let dir = parent(path);
    let has_package = |d: &str| source.entry(&join(d, "package.json")).is_some();
    if has_package(dir) {
        let runs_from = runs_from_above(source, dir, procfile);
        return Placement { dir: dir.to_owned(), runs_from };
    }
    let mut up = Some(dir);
    while let Some(d) = up {
        if has_package(d) {
            return Placement { dir: d.to_owned(), runs_from: None };
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
    let dir = cd_targets.into_iter().next().unwrap_or_else(|| dir.to_owned());
    Placement { dir, runs_from: None }
}

/// The folder above `dir` that the Procfile in `dir` (beside its own package.json) was
/// built and run from, with why, when its commands only work from there. A Procfile in a
/// sub-folder deploys only through a monorepo buildpack: heroku-buildpack-monorepo
/// (`APP_BASE`) makes the sub-folder the whole app, while the multi-procfile buildpack
/// (`PROCFILE=packages/server/Procfile`) builds the repository at its root, with the root's
/// lockfile, and runs that Procfile's commands from the root. Commands that name a
/// workspace member's script (`yarn workspace @x/server start`, `npm -w`, `pnpm
/// --filter`), `cd` into a folder or name a path (`node packages/server/build/main.js`,
/// `--prefix packages/server`) that exists only from a folder above say it was the latter.
pub(super) fn runs_from_above(
    source: &Source,
    dir: &str,
    procfile: &procfile::Procfile,
) -> Option<(String, String)> {
    if dir.is_empty() {
        return None;
    }
    let mut ancestors = Vec::new();
    let mut up = dir;
    while !up.is_empty() {
        up = parent(up);
        ancestors.push(up);
    }
    let has_package = |d: &&&str| source.entry(&join(d, "package.json")).is_some();
    let shown = |d: &str| if d.is_empty() { ".".to_owned() } else { d.to_owned() };
    for process in &procfile.processes {
        let command = process.command.as_str();
        // Not quoted: the plan shows the command beside this, with its secrets hidden.
        let at = format!("its `{}` command", process.name);
        if !crate::inventory::workspace::workspace_calls(command).is_empty() {
            let root = ancestors.iter().find(|d| is_workspace_root(source, d));
            if let Some(root) = root.or_else(|| ancestors.iter().find(has_package)) {
                let why = format!(
                    "runs from `{}`: {at} runs a script of a workspace member, which works only \
                     from the workspace's root, where Heroku's multi-procfile buildpack built it",
                    shown(root)
                );
                return Some((root.to_string(), why));
            }
        }
        let own_scripts = scripts_of(source, dir);
        let missing = crate::inventory::scripts::calls(command).unwrap_or_default().into_iter();
        let missing = missing.filter(|c| c.name_span.is_some() && !own_scripts.contains(&c.script));
        for call in missing {
            let root = ancestors.iter().find(|d| scripts_of(source, d).contains(&call.script));
            if let Some(root) = root {
                let why = format!(
                    "runs from `{}`: {at} runs the script `{}`, which the package.json there has \
                     and `{dir}/package.json` has not: Heroku's multi-procfile buildpack built \
                     the repository at `{}` and ran the Procfile's commands from there",
                    shown(root),
                    call.script,
                    shown(root)
                );
                return Some((root.to_string(), why));
            }
        }
        for step in crate::shell::simple_commands(command) {
            let is_cd = step.words.first().is_some_and(|w| w == "cd");
            // The program itself counts when it is a path (`./scripts/start.sh`).
            let skip = usize::from(step.words.first().is_none_or(|w| !w.contains('/')));
            for word in step.words.iter().skip(skip) {
                let Some(path) = path_word(word, is_cd) else { continue };
                if let Some(root) = resolves_above(source, dir, &ancestors, path, is_cd) {
                    let why = format!(
                        "runs from `{}`: {at} names `{path}`, a path from there, not from \
                         `{dir}`: Heroku's multi-procfile buildpack built the repository at `{}` \
                         and ran the Procfile's commands from there",
                        shown(root),
                        shown(root)
                    );
                    return Some((root.to_owned(), why));
                }
            }
        }
    }
    None
}

/// The nearest folder above `dir` (among `ancestors`, each with a package.json) that
/// `path` is a path from and `dir` is not: the whole path is a file or folder there and not
/// in `dir`, or (a file the build makes: `packages/server/dist/main.js`) it starts with at
/// least two folders there while its first step is nothing in `dir`. A `cd` needs the
/// whole folder.
fn resolves_above<'a>(
    source: &Source,
    dir: &str,
    ancestors: &[&'a str],
    path: &str,
    is_cd: bool,
) -> Option<&'a str> {
    let has_package = |d: &&&str| source.entry(&join(d, "package.json")).is_some();
    let whole = |base: &str| path_exists(source, base, path, usize::MAX);
    if whole(dir) {
        return None;
    }
    if let Some(root) = ancestors.iter().filter(has_package).find(|d| whole(d)) {
        return Some(root);
    }
    if is_cd || path_exists(source, dir, path, 1) {
        return None;
    }
    ancestors.iter().filter(has_package).find(|d| path_exists(source, d, path, 2)).copied()
}

/// A word of a command that names a relative path: `packages/server/main.js`,
/// `./build/x.js`, the value of `--prefix=packages/x`; any folder after `cd`. Not a
/// flag, a variable, an absolute path, a URL or a scoped package name (`@x/server`).
fn path_word(word: &str, after_cd: bool) -> Option<&str> {
    let word = match word.split_once('=') {
        Some((flag, value)) if flag.starts_with('-') => value,
        _ => word,
    };
    let odd = |c: char| matches!(c, '$' | '`' | '~' | '*' | '?' | ':' | '\\');
    if word.is_empty() || word.starts_with(['-', '/', '@']) || word.contains(odd) {
        return None;
    }
    let path = word.trim_start_matches("./");
    if path_steps(path).first().is_none_or(|s| *s == "..") {
        return None;
    }
    (after_cd || path.contains('/')).then_some(path)
}

/// True when `path` exists from `base` as a file or folder, or when at least `needed` of
/// its leading steps exist there as folders (the rest is made by the build:
/// `packages/server/build/main.js`).
fn path_exists(source: &Source, base: &str, path: &str, needed: usize) -> bool {
    let steps = path_steps(path);
    let full = normalize_dir(&join(base, &steps.join("/")));
    if source.entry(&full).is_some() || (!full.is_empty() && folder_exists(source, &full)) {
        return true;
    }
    let mut folder = base.to_owned();
    for (count, step) in steps.iter().enumerate() {
        folder = join(&folder, step);
        if !folder_exists(source, &folder) {
            return false;
        }
        if count + 1 >= needed {
            return true;
        }
    }
    false
}

/// The names of the scripts of `dir/package.json` (none when it is missing or unreadable).
fn scripts_of(source: &Source, dir: &str) -> Vec<String> {
    let Ok(bytes) = source.read(&join(dir, "package.json")) else { return Vec::new() };
    let Ok(value) = serde_json::from_slice::<serde_json::Value>(&bytes) else { return Vec::new() };
    let scripts = value.get("scripts").and_then(serde_json::Value::as_object);
    scripts.map(|s| s.keys().cloned().collect()).unwrap_or_default()
}

/// True when `dir` is the root of an npm, yarn or pnpm workspace (or a Lerna repository).
fn is_workspace_root(source: &Source, dir: &str) -> bool {
    if ["pnpm-workspace.yaml", "lerna.json"].iter().any(|f| source.entry(&join(dir, f)).is_some()) {
        return true;
    }
    let Ok(bytes) = source.read(&join(dir, "package.json")) else { return false };
    serde_json::from_slice::<serde_json::Value>(&bytes).is_ok_and(|v| v.get("workspaces").is_some())
}

/// The folder an app runs from when not its own, with why when its files told.
pub(super) type RunsFrom = (String, Option<String>);

/// One Procfile per app: when several Procfiles would belong to the same folder (a root
/// `Procfile` and `server/collab/Procfile` whose folder has no package.json), the one in
/// that folder keeps it and every other one is an app of its own folder, so no process
/// is lost; with none in that folder (the multi-procfile buildpack's `apps/api/Procfile`
/// and `apps/front/Procfile`) each is. Heroku ran such a Procfile only through a monorepo
/// buildpack, as its own app, from the code around it. A Procfile placed to run from a
/// folder above keeps that.
/// Each entry is (app folder, Procfile path, the folder it runs from when not its own,
/// with why when the commands told).
pub(super) fn own_procfiles(
    claims: Vec<(Placement, String)>,
) -> Vec<(String, String, Option<RunsFrom>)> {
    let mut out = Vec::new();
    for (placed, path) in &claims {
        let dir = &placed.dir;
        if let Some((run_dir, why)) = &placed.runs_from {
            out.push((dir.clone(), path.clone(), Some((run_dir.clone(), Some(why.clone())))));
            continue;
        }
        let shared = claims.iter().any(|(d, p)| &d.dir == dir && p != path);
        if !shared || parent(path) == dir {
            out.push((dir.clone(), path.clone(), None));
        } else {
            out.push((parent(path).to_owned(), path.clone(), Some((dir.clone(), None))));
        }
    }
    out
}

/// An app an app.json with Heroku's monorepo settings names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Target {
    pub dir: String,
    /// Why it is an app, for the plan.
    pub why: String,
    /// Named by `PROCFILE`: the multi-procfile buildpack built the repository in the
    /// app.json's folder and ran the Procfile's commands there, not in the Procfile's.
    pub built_at_base: bool,
}

/// Folders named by Heroku's monorepo conventions in app.json: `APP_BASE` (the folder
/// heroku-buildpack-monorepo builds) and `PROCFILE` (the Procfile the multi-procfile
/// buildpack runs, from the app.json's folder).
pub(super) fn monorepo_dirs(
    source: &Source,
    app_json_path: &str,
    app_json: &Located<app_json::AppJson>,
) -> Vec<Target> {
    let base = parent(app_json_path);
    let mut dirs = Vec::new();
    for var in &app_json.value.env {
        let Some(value) = var.value.as_deref() else { continue };
        let (dir, built_at_base) = match var.name.as_str() {
            "APP_BASE" => (normalize_dir(&join(base, value)), false),
            "PROCFILE" => (normalize_dir(parent(&join(base, value))), true),
            _ => continue,
        };
        if folder_exists(source, &dir) {
            let why = format!("{app_json_path} sets {}={value}", var.name);
            dirs.push(Target { dir, why, built_at_base });
        }
    }
    dirs
}

/// True when app.json names the multi-procfile buildpack, whose `PROCFILE` each Heroku
/// app sets for itself (so the file describes every Procfile app below it).
pub(super) fn names_multi_procfile(app_json: &app_json::AppJson) -> bool {
    app_json.buildpacks.iter().any(|url| url.contains("multi-procfile"))
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::TestRepo;

    /// Which folder a Procfile in `packages/server` (beside its own package.json) runs
    /// from, for each spelling of a command that works only from the repository's root,
    /// and for commands that work from the folder itself or name nothing of either.
    #[test]
    fn commands_that_only_work_from_above_run_from_there() {
        let files = [
            ("package.json", r#"{ "workspaces": ["packages/*"], "scripts": { "web": "x" } }"#),
            ("yarn.lock", ""),
            ("packages/server/package.json", r#"{ "scripts": { "start": "node main.js" } }"#),
            ("packages/server/main.js", ""),
            ("packages/server/lib/db.js", ""),
            ("packages/common/package.json", "{}"),
            ("scripts/boot.sh", ""),
            ("packages/server/scripts/seed.sh", ""),
        ];
        let repo = TestRepo::with_files(&files);
        let source = Source::Git(repo.open());
        let from = |command: &str| {
            let procfile = procfile::parse("Procfile", format!("web: {command}\n").as_bytes())
                .expect("the test Procfile parses");
            runs_from_above(&source, "packages/server", &procfile).map(|(dir, _)| dir)
        };
        let root = Some(String::new());
        for command in [
            "yarn workspace @x/server start",
            "npm run start -w packages/server",
            "npm start --workspace=@x/server",
            "pnpm --filter @x/server start",
            "cd packages/server && npm start",
            "node packages/server/dist/main.js",
            "node ./packages/server/main.js",
            "npm start --prefix packages/server",
            "npm start --prefix=packages/server",
            "bash scripts/boot.sh",
            "./scripts/boot.sh",
            "npm run web",
            "yarn web",
        ] {
            assert_eq!(from(command), root, "{command}");
        }
        for command in [
            "node main.js",
            "npm start",
            "node lib/db.js",
            "node build/main.js",
            "node -r dotenv/config main.js",
            "npx @x/cli serve",
            "node $ENTRY/main.js",
            "npm run missing-everywhere",
            "cd lib && node db.js",
            "./scripts/seed.sh",
            "bash scripts/seed.sh && node main.js",
        ] {
            assert_eq!(from(command), None, "{command}");
        }
        // The root itself never runs from above.
        let procfile = procfile::parse("Procfile", b"web: yarn workspace @x/server start\n")
            .expect("the test Procfile parses");
        assert_eq!(runs_from_above(&source, "", &procfile), None);
    }

    /// The nearest workspace root above is the folder, not the repository's root.
    #[test]
    fn a_workspace_command_runs_from_the_nearest_workspace_root() {
        let files = [
            ("package.json", r#"{ "name": "site" }"#),
            ("backend/pnpm-workspace.yaml", "packages: ['apps/*']\n"),
            ("backend/package.json", "{}"),
            ("backend/apps/api/package.json", "{}"),
        ];
        let repo = TestRepo::with_files(&files);
        let source = Source::Git(repo.open());
        let procfile = procfile::parse("Procfile", b"web: pnpm --filter api start\n")
            .expect("the test Procfile parses");
        let (dir, why) = runs_from_above(&source, "backend/apps/api", &procfile).unwrap();
        assert_eq!(dir, "backend");
        assert!(why.starts_with("runs from `backend`: its `web` command"), "{why}");
    }
}
