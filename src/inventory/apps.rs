//! Finding the apps of a repository and reading their Heroku files.

use std::collections::BTreeMap;

use super::frontend;
use super::{
    App, Error, Inventory, Located, app_json, in_node_modules, join, parent, procfile, signs,
};
use crate::diag::{FileError, Warning};
use crate::source::{EntryKind, Source};

mod dirs;
mod read;
mod scan;
mod warnings;

use crate::inventory::package_json::PackageJson;
pub(crate) use dirs::normalize_dir;
use dirs::{folder_exists, monorepo_dirs, names_multi_procfile, own_procfiles, procfile_app_dir};
use read::{read_app_json, read_node_version_files, read_package_json, read_procfile};
use scan::{classify_hosts, scan_code};

/// What the user told us besides the repository.
#[derive(Debug, Default)]
pub struct Hints<'a> {
    /// `--app DIR`, repo-relative.
    pub apps: &'a [String],
    /// `--jobs FILE`: its name as given and its text.
    pub jobs: Option<(&'a str, &'a str)>,
    /// `--backend-host`: the Heroku app names that are backends, lowercase.
    pub backend_hosts: &'a [String],
    /// The migration guide's file name (`CODE_CAPSULES.md`), when the rules write one: its
    /// presence marks a migrated tree, where the signs a migration keeps (scripts,
    /// workflows, static.json) no longer make apps.
    pub guide: Option<&'a str>,
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
    inv.warnings.append(&mut found.app_base_conflicts);
    found.root_package(source, &mut inv)?;
    found.named_apps(source, hints.apps)?;
    if let Some((file, text)) = hints.jobs {
        found.jobs(source, file, text, &mut inv)?;
    }
    if hints.guide.is_none_or(|guide| source.entry(guide).is_none()) {
        found.signs(source, &mut inv);
    }
    let mut parsed = files.parsed;
    for (dir, evidence) in std::mem::take(&mut found.evidence) {
        let app = found.read_app(source, dir, evidence, &mut parsed, &mut inv.warnings)?;
        inv.apps.push(app);
    }
    // A job that names a Procfile process type runs that process's command (the Procfile
    // goes away with the migration, so the scheduler must run the command itself).
    for job in &mut inv.jobs {
        if let Some(app) = inv.apps.iter().find(|a| a.dir == job.app) {
            job.expand(app.processes().iter().map(|p| (p.name.as_str(), p.command.as_str())));
            if job.process.is_none() && app.procfile.is_none() {
                // The migrated tree: the scheduler generated from the Procfile recorded it.
                let recorded = generated_processes(source, app.build_dir());
                job.expand(recorded.iter().map(|(t, c)| (t.as_str(), c.as_str())));
            }
        }
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
    /// (where its app is, Procfile path).
    claims: Vec<(dirs::Placement, String)>,
    /// (app.json path, the folders its APP_BASE / PROCFILE name).
    describes: Vec<(String, Vec<dirs::Target>)>,
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
    /// App dir -> where it runs, and why when its files told.
    run_dirs: BTreeMap<String, (String, Option<String>)>,
    /// App dir -> app.json path.
    app_jsons: BTreeMap<String, String>,
    /// Procfiles whose commands read as run from above while app.json's `APP_BASE` names
    /// their folder: built in the folder, with a warning each.
    app_base_conflicts: Vec<Warning>,
    /// The app dirs found only from [`signs`] (no Procfile, app.json, job or `--app`).
    signed: std::collections::BTreeSet<String>,
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
        let app_json = match name {
            "app.json" => match read_app_json(source, &entry.path)? {
                Ok(app_json) => Some(app_json),
                Err(keys) => {
                    let keys: Vec<String> = keys.iter().map(|k| format!("`{k}`")).collect();
                    inv.warnings.push(Warning::in_file(
                        &entry.path,
                        format!(
                            "is not Heroku's app.json (its keys {} are not Heroku's; an Expo or \
                             React Native app has one): left as it is, and its folder is not an \
                             app for that",
                            keys.join(", ")
                        ),
                    ));
                    continue;
                }
            },
            _ => None,
        };
        inv.heroku_markers.push(entry.path.clone());
        if let Some(app_json) = app_json {
            inv.warnings.extend(app_json.value.warnings.iter().cloned());
            let declares_monorepo =
                ["APP_BASE", "PROCFILE"].iter().any(|name| app_json.value.env_var(name).is_some())
                    || names_multi_procfile(&app_json.value);
            if declares_monorepo {
                // It describes the app(s) its APP_BASE / PROCFILE point at, not its folder.
                let dirs = monorepo_dirs(source, &entry.path, &app_json);
                files.describes.push((entry.path.clone(), dirs));
            } else {
                let why = format!("{} describes it", entry.path);
                files.described.push((parent(&entry.path).to_owned(), why));
            }
            files.parsed.app_jsons.insert(entry.path.clone(), app_json);
        } else {
            let procfile = read_procfile(source, &entry.path)?;
            let placed = procfile_app_dir(source, &entry.path, &procfile.value);
            files.claims.push((placed, entry.path.clone()));
            inv.warnings.extend(procfile.value.warnings.iter().cloned());
            files.parsed.procfiles.insert(entry.path.clone(), procfile);
        }
    }
    Ok(files)
}

impl Found {
    fn add(&mut self, dir: &str, why: String) {
        self.evidence.entry(dir.to_owned()).or_default().push(why);
    }

    /// Each Procfile goes to the app that owns it, which may run from another folder.
    fn place_procfiles(&mut self, claims: Vec<(dirs::Placement, String)>) {
        for (dir, path, run_dir) in own_procfiles(claims) {
            let mut why = vec![format!("{path} declares its processes")];
            if let Some((run_dir, run_why)) = run_dir {
                why.extend(run_why.clone());
                self.run_dirs.insert(dir.clone(), (run_dir, run_why));
            }
            // First, as when read in path order: the Procfile is the strongest evidence.
            self.evidence.entry(dir.clone()).or_default().splice(0..0, why);
            self.procfiles.insert(dir, path);
        }
    }

    /// Each monorepo app.json (APP_BASE, PROCFILE, the multi-procfile buildpack) goes to
    /// the apps it names. The multi-procfile buildpack built the repository in the
    /// app.json's folder: a Procfile app below it that has its own package.json still ran
    /// from there, with that folder's lockfile.
    fn place_app_jsons(&mut self, describes: Vec<(String, Vec<dirs::Target>)>) {
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
                    .map(|(dir, _)| dirs::Target {
                        dir: dir.clone(),
                        why: why.clone(),
                        built_at_base: true,
                    })
                    .collect()
            } else {
                targets
            };
            if targets.is_empty() {
                self.add(base, format!("{path} describes it"));
            }
            for target in targets {
                // `APP_BASE` names the folder heroku-buildpack-monorepo built alone: that
                // wins over commands that read as run from above (they then failed there).
                let base_named = !target.built_at_base && target.why.contains("APP_BASE");
                if base_named && let Some((_, Some(reason))) = self.run_dirs.get(&target.dir) {
                    let procfile = self.procfiles.get(&target.dir).cloned().unwrap_or_default();
                    self.app_base_conflicts.push(Warning::in_file(
                        &procfile,
                        format!(
                            "{}; but {path} sets APP_BASE, with which heroku-buildpack-monorepo \
                             built `{}` alone, and so does the Capsule: check that its commands \
                             work in that folder",
                            commands_reason(reason),
                            target.dir
                        ),
                    ));
                    let why = self.evidence.get_mut(&target.dir);
                    why.into_iter().for_each(|e| e.retain(|line| line != reason));
                    self.run_dirs.remove(&target.dir);
                }
                self.add(&target.dir, target.why);
                let from_base = target.built_at_base
                    && target.dir != base
                    && !self.run_dirs.contains_key(&target.dir);
                if from_base {
                    let shown = if base.is_empty() { "." } else { base };
                    let why = format!(
                        "runs from `{shown}`: with `PROCFILE` ({path}) Heroku's multi-procfile \
                         buildpack built the repository at `{shown}`, with its lockfile, and ran \
                         the Procfile's commands from there"
                    );
                    self.add(&target.dir, why.clone());
                    self.run_dirs.insert(target.dir.clone(), (base.to_owned(), Some(why)));
                }
                self.app_jsons.insert(target.dir, path.clone());
            }
        }
    }

    /// The root package.json is an app when it has a `heroku-` script, or when the
    /// repository is Heroku's and nothing else is an app.
    fn root_package(&mut self, source: &Source, inv: &mut Inventory) -> Result<(), Error> {
        let Some(pkg) = read_package_json(source, "package.json", &mut Vec::new())? else {
            return Ok(());
        };
        // Apps that run from the root (a multi-procfile monorepo's) are what its build
        // hooks build: the root is no app of its own for them.
        let built_for_others = self.run_dirs.values().any(|(run_dir, _)| run_dir.is_empty());
        if let Some((name, _)) = pkg.scripts().find(|(name, _)| name.starts_with("heroku-")) {
            inv.heroku_markers.push(format!("package.json (script {name})"));
            if !built_for_others {
                self.add("", format!("package.json has the Heroku script `{name}`"));
            }
        }
        // A root package.json joins the apps when Heroku evidence points nowhere else.
        if !inv.heroku_markers.is_empty() && self.evidence.is_empty() {
            self.add("", "package.json at the root of a Heroku repository".into());
        }
        Ok(())
    }

    /// The folders that other signs show deploy on Heroku ([`signs::heroku_signs`]: a
    /// script that deploys there or runs its CLI, a build hook, a deploy workflow), when
    /// they hold a package.json and no other app is inside them or around them: a root
    /// `"logs": "heroku logs"` beside `api/Procfile`, or beside a script that deploys
    /// `api` (`git subtree push --prefix api heroku main`), is the api's tooling, not an app.
    fn signs(&mut self, source: &Source, inv: &mut Inventory) {
        let found = signs::heroku_signs(source);
        let has_package = |dir: &str| source.entry(&join(dir, "package.json")).is_some();
        let inside = |a: &str, b: &str| a.is_empty() || b.starts_with(&format!("{a}/"));
        let known: Vec<String> = self.evidence.keys().cloned().collect();
        let overlaps = |dir: &str| {
            known.iter().any(|k| k == dir || inside(dir, k) || inside(k, dir))
                || found.iter().any(|o| o.dir != dir && inside(dir, &o.dir) && has_package(&o.dir))
        };
        for sign in &found {
            if !inv.heroku_markers.contains(&sign.file) {
                inv.heroku_markers.push(sign.file.clone());
            }
            if has_package(&sign.dir) && !overlaps(&sign.dir) {
                self.add(&sign.dir, sign.why.clone());
                self.signed.insert(sign.dir.clone());
            }
        }
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
        let (run_dir, run_reason) = self.run_dirs.remove(&dir).unzip();
        let run_reason = run_reason.flatten();
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
            (None, Some(e)) if e.kind.is_regular() => read_app_json(source, &app_json_path)?.ok(),
            _ => None,
        };
        // The code, and so package.json and the Node version, are where the app runs from.
        let code_dir = run_dir.as_deref().unwrap_or(&dir);
        let package_json = read_package_json(source, &join(code_dir, "package.json"), warnings)?;
        let node_version_files = read_node_version_files(source, code_dir, warnings)?;
        let skips_pre_scripts = skips_pre_scripts(source, code_dir, package_json.as_ref());
        let mut app = App {
            dir,
            evidence,
            procfile,
            app_json,
            package_json,
            node_version_files,
            frontend: None,
            member_package: None,
            run_dir,
            run_reason,
            skips_pre_scripts,
        };
        if app.run_dir.is_some() && app.run_reason.is_some() {
            app.member_package =
                read_package_json(source, &join(&app.dir, "package.json"), warnings)?;
        }
        let no_start = app.package_json.as_ref().is_some_and(|p| p.script("start").is_none());
        if self.signed.contains(&app.dir) && no_start {
            let pkg = app.package_json.as_ref().map_or("package.json", |p| p.path.as_str());
            warnings.push(Warning::in_file(
                pkg,
                "has no `start` script: without a Procfile Heroku's web process is `npm start`, \
                 which had nothing to run here, so no Capsule is made for this app; add a \
                 `start` script with the command the app runs and migrate again",
            ));
        }
        if let Some(procfile) = app.procfile.as_ref().filter(|_| app.default_web()) {
            empty_procfile(&mut app.evidence, procfile, app.package_json.as_ref(), warnings);
        }
        app.frontend = frontend::detect(source, &app, warnings);
        if let Some(public) = own_static_folder(&app) {
            // A static site served from inside its own folder needs none of the code
            // around it: it builds from its folder, not from the shared package.json.
            app.run_dir = None;
            app.run_reason = None;
            app.member_package = None;
            app.package_json = read_package_json(source, &app.path_of("package.json"), warnings)?;
            app.node_version_files.clear();
            if let Some(frontend) = &mut app.frontend {
                frontend.public_dir = public;
            }
        }
        Ok(app)
    }
}

/// A Procfile that declares no processes (empty, or only comments and blank lines): Heroku
/// ran the Node.js buildpack's default web process, `npm start`, so the evidence says so;
/// without a `start` script that had nothing to run, which a warning explains.
fn empty_procfile(
    evidence: &mut [String],
    procfile: &Located<procfile::Procfile>,
    pkg: Option<&PackageJson>,
    warnings: &mut Vec<Warning>,
) {
    let declares = format!("{} declares its processes", procfile.path);
    let start = pkg.and_then(|p| p.script("start"));
    for line in evidence.iter_mut().filter(|e| **e == declares) {
        *line = match start {
            Some(_) => format!(
                "{} declares no processes, so Heroku ran the Node.js buildpack's default web \
                 process, `npm start`",
                procfile.path
            ),
            None => format!("{} declares no processes", procfile.path),
        };
    }
    if start.is_some() {
        return;
    }
    let main = pkg.and_then(|p| p.value.get("main")).and_then(|m| m.as_str());
    let hint = match main {
        Some(main) => format!(" (package.json's `main` is `{main}`: `node {main}`?)"),
        None => String::new(),
    };
    let has =
        if pkg.is_some() { "its package.json has no `start` script" } else { "no package.json" };
    warnings.push(Warning::in_file(
        &procfile.path,
        format!(
            "declares no processes and {has}: Heroku's default web process, `npm start`, had \
             nothing to run, so no Capsule is made for it; add a `start` script with the \
             command the app runs{hint}, or a `web:` or `worker:` line, and migrate again"
        ),
    ));
}

/// What a "runs from `X`: ..." reason says of the commands alone, without where it
/// runs and without the multi-procfile buildpack that reason assumes.
fn commands_reason(reason: &str) -> &str {
    let why = reason.split_once(": ").map_or(reason, |(_, why)| why);
    let why = why.split("Heroku's multi-procfile").next().unwrap_or(why);
    why.trim_end_matches([',', ':', ' ']).trim_end_matches(" where").trim_end_matches(',')
}

/// See [`App::skips_pre_scripts`]. A lockfile that cannot be read counts as absent.
fn skips_pre_scripts(
    source: &Source,
    dir: &str,
    pkg: Option<&PackageJson>,
) -> Option<&'static str> {
    let declared = pkg.and_then(|p| p.value.get("packageManager")).and_then(|v| v.as_str());
    let major = |name: &str| {
        let version = declared?.strip_prefix(name)?.strip_prefix('@')?;
        version.split('.').next()?.parse::<u64>().ok()
    };
    let head = |name: &str| -> Option<String> {
        let path = join(dir, name);
        let entry = source.entry(&path).filter(|e| e.kind.is_regular())?;
        if entry.size.is_some_and(|s| s > MAX_READ) {
            return None;
        }
        let bytes = source.read(&path).ok()?;
        Some(String::from_utf8_lossy(&bytes[..bytes.len().min(4096)]).into_owned())
    };
    let yarn_lock = head("yarn.lock");
    let pnpm_lock = head("pnpm-lock.yaml");
    let berry = yarn_lock.as_deref().is_some_and(|t| t.contains("\n__metadata:"))
        || (yarn_lock.is_some() || pnpm_lock.is_none()) && major("yarn").is_some_and(|m| m >= 2);
    if berry {
        return Some("yarn 2 and later never run a `prestart` script");
    }
    // lockfileVersion 9.0 is written by pnpm 9 and 10 only.
    let pnpm_nine = pnpm_lock
        .as_deref()
        .is_some_and(|t| t.lines().any(|l| l.starts_with("lockfileVersion:") && l.contains("9.")))
        || major("pnpm").is_some_and(|m| m >= 9);
    let pnpm = pnpm_lock.is_some() || (yarn_lock.is_none() && major("pnpm").is_some());
    (pnpm && !pnpm_nine).then_some(
        "pnpm before 9 runs `prestart` only with `enable-pre-post-scripts=true` in .npmrc",
    )
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

/// The Procfile processes recorded by the scheduler files this tool generated in `dir`
/// (see [`super::jobs::generated_processes`]): the `.js` files directly in the folder
/// that start with the generated header.
fn generated_processes(source: &Source, dir: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for entry in source.entries() {
        let path = entry.path.as_str();
        let is_script = [".js", ".cjs", ".mjs"].iter().any(|e| path.ends_with(e));
        let small = entry.size.is_none_or(|size| size < 256 * 1024);
        if super::parent(path) != dir || !is_script || !small || !entry.kind.is_regular() {
            continue;
        }
        if let Ok(bytes) = source.read(path) {
            out.extend(super::jobs::generated_processes(&String::from_utf8_lossy(&bytes)));
        }
    }
    out
}
