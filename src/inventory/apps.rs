//! Finding the apps of a repository and reading their Heroku files.

use std::collections::{BTreeMap, BTreeSet};

use super::frontend;
use super::{App, Error, Inventory, Located, app_json, in_node_modules, join, parent, procfile};
use crate::diag::{FileError, Warning};
use crate::source::{EntryKind, Source};

mod read;
mod warnings;

use read::{
    foreign_app_json, read_app_json, read_node_version_file, read_package_json, read_procfile,
};
use warnings::{mention_warning, unread_warning};

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
pub(super) const MAX_READ: u64 = 8 * 1024 * 1024;

/// The apps of the repository and everything known about them: its Procfiles and
/// app.json files (each parsed once), the hints, the jobs, the code and the hosts.
pub fn discover(source: &Source, hints: &Hints) -> Result<Inventory, Error> {
    let mut inv = Inventory::default();
    let mut found = Found::default();
    let files = read_heroku_files(source, &mut inv)?;
    for (dir, why) in files.described {
        found.add(&dir, why);
    }
    found.place_procfiles(files.claims);
    found.place_app_jsons(files.describes);
    found.root_package(source, &mut inv)?;
    found.named_apps(source, hints.apps)?;
    if let Some((file, text)) = hints.jobs {
        found.jobs(source, file, text, &mut inv)?;
    }
    let mut parsed = files.parsed;
    for (dir, evidence) in std::mem::take(&mut found.evidence) {
        let app = found.read_app(source, dir, evidence, &mut parsed, &mut inv.warnings)?;
        inv.apps.push(app);
    }
    scan_code(source, &mut inv)?;
    // `--app` alone (no Procfile or app.json) still migrates, so hosts are decided then too.
    if !inv.heroku_markers.is_empty() || !inv.apps.is_empty() {
        classify_hosts(source, hints, &mut inv)?;
    }
    Ok(inv)
}

/// Every Procfile and Heroku app.json of the repository, parsed, and what they say about
/// where the apps are.
#[derive(Default)]
struct HerokuFiles {
    /// (app dir, why) of each app.json that describes its own folder, in path order.
    described: Vec<(String, String)>,
    /// (owning dir, Procfile path).
    claims: Vec<(String, String)>,
    /// (app.json path, the folders its APP_BASE / PROCFILE name, with why).
    describes: Vec<(String, Vec<(String, String)>)>,
    parsed: Parsed,
}

/// The Procfiles and app.json files read so far, by path, so each is parsed once.
#[derive(Default)]
struct Parsed {
    procfiles: BTreeMap<String, Located<procfile::Procfile>>,
    app_jsons: BTreeMap<String, Located<app_json::AppJson>>,
}

/// The apps found so far and where their files are.
#[derive(Default)]
struct Found {
    /// App dir -> why it is an app.
    evidence: BTreeMap<String, Vec<String>>,
    /// App dir -> Procfile path.
    procfiles: BTreeMap<String, String>,
    /// App dir -> where it runs.
    run_dirs: BTreeMap<String, String>,
    /// App dir -> app.json path.
    app_jsons: BTreeMap<String, String>,
}

/// Reads every Procfile and app.json outside node_modules, warning about the ones it
/// skips (submodules, symlinks, another tool's app.json).
fn read_heroku_files(source: &Source, inv: &mut Inventory) -> Result<HerokuFiles, Error> {
    let mut files = HerokuFiles::default();
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
        if name == "app.json"
            && let Some(keys) = foreign_app_json(source, &entry.path)?
        {
            let keys: Vec<String> = keys.iter().map(|k| format!("`{k}`")).collect();
            inv.warnings.push(Warning::in_file(
                &entry.path,
                format!(
                    "is not Heroku's app.json (its keys {} are not Heroku's; an Expo or React \
                     Native app has one): left as it is, and its folder is not an app for that",
                    keys.join(", ")
                ),
            ));
            continue;
        }
        inv.heroku_markers.push(entry.path.clone());
        if name == "Procfile" {
            let procfile = read_procfile(source, &entry.path)?;
            let dir = procfile_app_dir(source, &entry.path, &procfile.value);
            files.claims.push((dir, entry.path.clone()));
            inv.warnings.extend(procfile.value.warnings.iter().cloned());
            files.parsed.procfiles.insert(entry.path.clone(), procfile);
        } else {
            let app_json = read_app_json(source, &entry.path)?;
            inv.warnings.extend(app_json.value.warnings.iter().cloned());
            let declares_monorepo =
                ["APP_BASE", "PROCFILE"].iter().any(|name| app_json.value.env_var(name).is_some());
            if declares_monorepo {
                // It describes the app(s) its APP_BASE / PROCFILE point at, not its folder.
                let dirs = monorepo_dirs(source, &entry.path, &app_json);
                files.describes.push((entry.path.clone(), dirs));
            } else {
                let why = format!("{} describes it", entry.path);
                files.described.push((parent(&entry.path).to_owned(), why));
            }
            files.parsed.app_jsons.insert(entry.path.clone(), app_json);
        }
    }
    Ok(files)
}

impl Found {
    fn add(&mut self, dir: &str, why: String) {
        self.evidence.entry(dir.to_owned()).or_default().push(why);
    }

    /// Each Procfile goes to the app that owns it, which may run from another folder.
    fn place_procfiles(&mut self, claims: Vec<(String, String)>) {
        for (dir, path, run_dir) in own_procfiles(claims) {
            if let Some(run_dir) = run_dir {
                self.run_dirs.insert(dir.clone(), run_dir);
            }
            // First, as when read in path order: the Procfile is the strongest evidence.
            let why = format!("{path} declares its processes");
            self.evidence.entry(dir.clone()).or_default().insert(0, why);
            self.procfiles.insert(dir, path);
        }
    }

    /// Each monorepo app.json (APP_BASE, PROCFILE) goes to the apps it names.
    fn place_app_jsons(&mut self, describes: Vec<(String, Vec<(String, String)>)>) {
        for (path, targets) in describes {
            let base = parent(&path);
            let targets = if targets.is_empty() {
                // `PROCFILE` with no value: each Heroku app set its own; the app.json describes
                // every Procfile app below it (the multi-procfile buildpack's apps).
                let below = |p: &str| base.is_empty() || p.starts_with(&format!("{base}/"));
                let why = format!("{path} describes it (its `PROCFILE` is set per Heroku app)");
                self.procfiles
                    .iter()
                    .filter(|(_, p)| below(p))
                    .map(|(dir, _)| (dir.clone(), why.clone()))
                    .collect()
            } else {
                targets
            };
            if targets.is_empty() {
                self.add(base, format!("{path} describes it"));
            }
            for (dir, why) in targets {
                self.add(&dir, why);
                self.app_jsons.insert(dir, path.clone());
            }
        }
    }

    /// The root package.json is an app when it has a `heroku-` script, or when the
    /// repository is Heroku's and nothing else is an app.
    fn root_package(&mut self, source: &Source, inv: &mut Inventory) -> Result<(), Error> {
        let Some(pkg) = read_package_json(source, "package.json", &mut Vec::new())? else {
            return Ok(());
        };
        if let Some((name, _)) = pkg.scripts().find(|(name, _)| name.starts_with("heroku-")) {
            inv.heroku_markers.push(format!("package.json (script {name})"));
            self.add("", format!("package.json has the Heroku script `{name}`"));
        }
        // A root package.json joins the apps when Heroku evidence points nowhere else.
        if !inv.heroku_markers.is_empty() && self.evidence.is_empty() {
            self.add("", "package.json at the root of a Heroku repository".into());
        }
        Ok(())
    }

    /// The folders named with `--app`.
    fn named_apps(&mut self, source: &Source, apps: &[String]) -> Result<(), Error> {
        for dir in apps {
            let dir = normalize_dir(dir);
            if !folder_exists(source, &dir) {
                return Err(FileError::new(
                    format!("--app {dir}"),
                    "no such folder in the repository (paths are relative to its root)",
                )
                .into());
            }
            self.add(&dir, "named with --app".into());
        }
        Ok(())
    }

    /// The Scheduler jobs of the jobs file (`file`, `text`): each makes its folder an app.
    fn jobs(
        &mut self,
        source: &Source,
        file: &str,
        text: &str,
        inv: &mut Inventory,
    ) -> Result<(), Error> {
        let exists = |dir: &str| folder_exists(source, &normalize_dir(dir));
        for mut job in super::jobs::parse(file, text, &exists)? {
            job.app = normalize_dir(&job.app);
            if let Some(url) = job.keep_alive_target() {
                // It kept a free dyno awake: on a Capsule it would ping a dead host forever.
                // Not named by its path: the guide is committed, the path is the user's.
                inv.warnings.push(Warning::new(format!(
                    "the Scheduler job `{}` (jobs file line {}) only requests {url}, a \
                     keep-alive ping for a sleeping Heroku dyno: dropped, since Capsules do not \
                     sleep and that address goes away",
                    job.name, job.line
                )));
                continue;
            }
            self.add(&job.app, format!("has the Heroku Scheduler job `{}`", job.name));
            inv.jobs.push(job);
        }
        Ok(())
    }

    /// The app in `dir` with its files (the Procfile and app.json as already parsed) and
    /// its frontend.
    fn read_app(
        &mut self,
        source: &Source,
        dir: String,
        evidence: Vec<String>,
        parsed: &mut Parsed,
        warnings: &mut Vec<Warning>,
    ) -> Result<App, Error> {
        let run_dir = self.run_dirs.remove(&dir);
        let procfile = match self.procfiles.get(&dir) {
            Some(path) => match parsed.procfiles.remove(path) {
                Some(procfile) => Some(procfile),
                None => Some(read_procfile(source, path)?),
            },
            None => None,
        };
        // An app.json elsewhere that names this app (APP_BASE, PROCFILE) before its own
        // folder's. One app.json can describe several apps: each gets a copy.
        let app_json_path =
            self.app_jsons.get(&dir).cloned().unwrap_or_else(|| join(&dir, "app.json"));
        let app_json = match (parsed.app_jsons.get(&app_json_path), source.entry(&app_json_path)) {
            (Some(app_json), _) => Some(app_json.clone()),
            (None, Some(e))
                if e.kind.is_regular() && foreign_app_json(source, &app_json_path)?.is_none() =>
            {
                Some(read_app_json(source, &app_json_path)?)
            }
            _ => None,
        };
        // The code, and so package.json and the Node version, are where the app runs from.
        let code_dir = run_dir.as_deref().unwrap_or(&dir);
        let package_json = read_package_json(source, &join(code_dir, "package.json"), warnings)?;
        let node_version_file = read_node_version_file(source, code_dir, warnings)?;
        let mut app = App {
            dir,
            evidence,
            procfile,
            app_json,
            package_json,
            node_version_file,
            frontend: None,
            run_dir,
        };
        app.frontend = frontend::detect(source, &app);
        if let Some(public) = own_static_folder(&app) {
            // A static site served from inside its own folder needs none of the code
            // around it: it builds from its folder, not from the shared package.json.
            app.run_dir = None;
            app.package_json = read_package_json(source, &app.path_of("package.json"), warnings)?;
            app.node_version_file = None;
            if let Some(frontend) = &mut app.frontend {
                frontend.public_dir = public;
            }
        }
        Ok(app)
    }
}

/// The code of every app: the programs its commands run, the JS/TS that reads its
/// variables, the files too large to read, its config files and lockfiles.
fn scan_code(source: &Source, inv: &mut Inventory) -> Result<(), Error> {
    for app in &inv.apps {
        inv.warnings.extend(super::programs::unknown_programs(source, app));
    }
    let (code, unread) = super::code::scan_all(source, &inv.apps)?;
    inv.code = code;
    for file in &unread {
        inv.warnings.push(unread_warning(file));
    }
    inv.unread_code = unread;
    (inv.config, inv.lockfiles) = super::config::scan(source, &inv.apps)?;
    inv.reaches = reaches(source, inv);
    inv.warnings.extend(super::config::command_warnings(&inv.apps));
    inv.warnings.extend(super::docs::herokuapp_in_settings(&inv.apps, &inv.jobs));
    Ok(())
}

/// What each Scheduler job and each process other than `web` and `release` runs: the
/// Capsules that run only those get only the variables of the files they reach.
fn reaches(source: &Source, inv: &Inventory) -> Vec<super::reach::Reach> {
    let mut commands: Vec<(&super::App, &str)> = Vec::new();
    for app in &inv.apps {
        let processes =
            app.processes().iter().filter(|p| !matches!(p.name.as_str(), "web" | "release"));
        let of_app = inv
            .jobs_of(&app.dir)
            .map(|j| j.command.as_str())
            .chain(processes.map(|p| p.command.as_str()));
        for command in of_app {
            if !commands.iter().any(|(a, c)| a.dir == app.dir && *c == command) {
                commands.push((app, command));
            }
        }
    }
    if commands.is_empty() {
        // Finding the workspace packages reads every package.json: not for nothing.
        return Vec::new();
    }
    let reacher = super::reach::Reacher::new(source);
    commands.into_iter().map(|(app, command)| reacher.reach(app, command)).collect()
}

/// Which herokuapp hosts are the apps' own, and a warning for each text file naming one.
fn classify_hosts(source: &Source, hints: &Hints, inv: &mut Inventory) -> Result<(), Error> {
    let mentions = super::docs::herokuapp_mentions(source)?;
    inv.hosts = super::hosts::classify(inv, &mentions, hints.backend_hosts);
    // An app's app.json is removed by the migration: nothing in it to update (its env
    // defaults that name a Heroku address get their own warning above).
    let removed = |m: &&super::docs::Mention| {
        inv.apps.iter().any(|a| a.app_json.as_ref().is_some_and(|j| j.path == m.path))
    };
    let warnings: Vec<Warning> =
        mentions.iter().filter(|m| !removed(m)).map(|m| mention_warning(inv, m)).collect();
    inv.warnings.extend(warnings);
    Ok(())
}

/// For a static app that runs from another folder (`run_dir`) but serves files inside its
/// own, the served folder relative to its own.
fn own_static_folder(app: &App) -> Option<String> {
    let run_dir = app.run_dir.as_deref()?;
    let frontend = app.frontend.as_ref()?;
    if !matches!(frontend.kind, frontend::FrontendKind::Static { .. }) {
        return None;
    }
    let served = normalize_dir(&join(run_dir, &frontend.public_dir));
    if served == app.dir {
        return Some(String::new());
    }
    let prefix = if app.dir.is_empty() { String::new() } else { format!("{}/", app.dir) };
    served.strip_prefix(&prefix).map(str::to_owned)
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

/// One Procfile per app: when several Procfiles would belong to the same folder (a root
/// `Procfile` and `server/collab/Procfile` whose folder has no package.json), the one in
/// that folder keeps it and every other one is an app of its own folder, so no process
/// is lost; with none in that folder (the multi-procfile buildpack's `apps/api/Procfile`
/// and `apps/front/Procfile`) each is. Heroku ran such a Procfile only through a monorepo
/// buildpack, as its own app, from the code around it.
/// Each entry is (app folder, Procfile path, the folder it runs from when not its own).
fn own_procfiles(claims: Vec<(String, String)>) -> Vec<(String, String, Option<String>)> {
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
