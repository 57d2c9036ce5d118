//! What is read once the apps are known: their code, config files, reaches and hosts.

use super::Hints;
use super::read::read_small;
use super::warnings::{mention_warning, quiet_code_urls, quiet_summaries, unread_warning};
use crate::diag::Warning;
use crate::inventory::{
    App, Error, Inventory, code, config, docs, frontend, hosts, programs, reach,
};
use crate::source::Source;

/// The code of every app: the programs its commands run, the JS/TS that reads its
/// variables, the files too large to read, its config files and lockfiles.
pub(super) fn scan_code(source: &Source, inv: &mut Inventory) -> Result<(), Error> {
    for app in &inv.apps {
        inv.warnings.extend(programs::unknown_programs(source, app));
        inv.warnings.extend(aptfile_warning(source, app, &mut Vec::new())?);
        for path in startup_scripts(source, app) {
            inv.warnings.extend(startup_script_warning(source, &path, &mut Vec::new())?);
        }
    }
    let code::Scan { files: code, unread, callee_files } = code::scan_all(source, &inv.apps)?;
    inv.code = code;
    for file in &unread {
        inv.warnings.push(unread_warning(file));
    }
    inv.unread_code = unread;
    (inv.config, inv.lockfiles) = config::scan(source, &inv.apps)?;
    // One reacher for the reaches and the build phases: making it reads every package.json.
    let reacher = reach::LazyReacher::new(source, &inv.code);
    let (found, web) = reaches(inv, &reacher);
    let phases = crate::inventory::phases::find(source, inv, &reacher);
    drop(reacher);
    (inv.reaches, inv.web_reaches, inv.phases) = (found, web, phases);
    inv.workspace_packages = crate::inventory::workspace::packages_of_apps(source, &inv.apps);
    inv.warnings.extend(config::command_warnings(&inv.apps));
    inv.warnings.extend(docs::herokuapp_in_settings(&inv.apps, &inv.jobs));
    // A frontend's calls to its own origin, once every app (and so every nested one) is known.
    let found: Vec<_> = inv
        .apps
        .iter()
        .map(|app| {
            app.frontend
                .is_some()
                .then(|| frontend::calls::own_origin(source, &inv.apps, app, &callee_files))
        })
        .collect();
    for (app, found) in inv.apps.iter_mut().zip(found) {
        if let (Some(frontend), Some((calls, proxy))) = (&mut app.frontend, found) {
            (frontend.own_origin, frontend.dev_proxy) = (calls, proxy);
        }
    }
    Ok(())
}

/// The start-up scripts of `app`'s slug root (Heroku's `$HOME`): `.profile` and the
/// `.profile.d/*.sh` scripts committed, in path order.
fn startup_scripts(source: &Source, app: &App) -> Vec<String> {
    let profile = app.path_of(".profile");
    let folder = format!("{}/", app.path_of(".profile.d"));
    // The entries are sorted by path: the folder's are one run, found by bisection
    // (a monorepo has thousands of entries and dozens of apps).
    let entries = source.entries();
    let start = entries.partition_point(|e| e.path.as_str() < folder.as_str());
    let in_folder = entries[start..]
        .iter()
        .map(|e| e.path.as_str())
        .take_while(|p| p.starts_with(folder.as_str()))
        .filter(|p| p[folder.len()..].ends_with(".sh") && !p[folder.len()..].contains('/'));
    let profile = source.entry(&profile).map(|e| e.path.as_str());
    profile.into_iter().chain(in_folder).map(str::to_owned).collect()
}

/// The warning for a start-up script: Heroku's dyno manager sources `.profile` and
/// `.profile.d/*.sh` in the dyno's bash before every process's command (Dev Center,
/// "Dyno Startup Behavior"), and Code Capsules documents nothing of the kind, so what the
/// script does (writing a config file, setting variables) would not happen there.
fn startup_script_warning(
    source: &Source,
    path: &str,
    warnings: &mut Vec<Warning>,
) -> Result<Option<Warning>, Error> {
    let Some(bytes) = read_small(source, path, warnings)? else { return Ok(None) };
    let text = String::from_utf8_lossy(&bytes);
    let mut runs: Vec<String> = Vec::new();
    for step in crate::shell::simple_commands(&text) {
        let Some(program) = step.words.first() else { continue };
        // A program's name, never its arguments (which may hold a credential).
        let shown = format!("`{program}`");
        if !matches!(program.as_str(), "export" | "echo" | "set" | "true" | ":")
            && !runs.contains(&shown)
        {
            runs.push(shown);
        }
    }
    let mut sets: Vec<String> = Vec::new();
    for name in crate::shell::variables(&text).assigned {
        let shown = format!("`{name}`");
        if !sets.contains(&shown) {
            sets.push(shown);
        }
    }
    let what = match (runs.is_empty(), sets.is_empty()) {
        (false, false) => format!("running {} and setting {}", runs.join(", "), sets.join(", ")),
        (false, true) => format!("running {}", runs.join(", ")),
        (true, false) => format!("setting {}", sets.join(", ")),
        (true, true) => return Ok(None),
    };
    let name = path.rsplit('/').next().unwrap_or(path);
    let relative =
        if name == ".profile" { ".profile".to_owned() } else { format!(".profile.d/{name}") };
    let advice = if runs.is_empty() {
        format!("set {} on the Capsules, with the values it gives", sets.join(", "))
    } else {
        let also = if sets.is_empty() {
            String::new()
        } else {
            format!(" and set {} on the Capsules", sets.join(", "))
        };
        format!(
            "start each Capsule's run command with it (`bash -c '. ./{relative} && exec npm \
             start'`), or move its commands into a `prestart` script{also}"
        )
    };
    Ok(Some(Warning::in_file(
        path,
        format!(
            "Heroku ran it in each dyno's shell before the process's command (web, workers, \
             release, Scheduler jobs); Code Capsules does not say it runs it, so {what} would \
             not happen there: {advice}"
        ),
    )))
}

/// The warning for an app whose folder has an `Aptfile`: Heroku's apt buildpack
/// (heroku-community/apt) installed the Ubuntu packages it lists into the slug, and Code
/// Capsules' Node.js build installs none, so what the app runs from them is missing.
fn aptfile_warning(
    source: &Source,
    app: &App,
    warnings: &mut Vec<Warning>,
) -> Result<Option<Warning>, Error> {
    let path = app.path_of("Aptfile");
    let Some(bytes) = read_small(source, &path, warnings)? else { return Ok(None) };
    let text = String::from_utf8_lossy(&bytes);
    let packages: Vec<String> = text
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .map(|l| format!("`{l}`"))
        .collect();
    if packages.is_empty() {
        return Ok(None);
    }
    Ok(Some(Warning::in_file(
        &path,
        format!(
            "Heroku's apt buildpack installed {} for this app; Code Capsules' Node.js build \
             installs no system packages, so whatever the app runs from them fails there: use \
             a Docker Capsule whose Dockerfile installs them, or drop the need",
            packages.join(", ")
        ),
    )))
}

/// What each Scheduler job and each process other than `web` and `release` runs: the
/// Capsules that run only those get only the variables of the files they reach. Then
/// whether each web process (a Procfile's `web`, else Heroku's default `npm start`) listens
/// on a port ([`reach::Reacher::listens`]); a static site runs no process of its own.
fn reaches(
    inv: &Inventory,
    reacher: &reach::LazyReacher,
) -> (Vec<reach::Reach>, Vec<reach::Reach>) {
    let mut commands: Vec<(&App, &str)> = Vec::new();
    let mut web: Vec<(&App, &str)> = Vec::new();
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
        let web_command = match app.process("web") {
            Some(process) => Some(process.command.as_str()),
            None if app.default_web() && app.package_json.is_some() => Some(reach::DEFAULT_WEB),
            None => None,
        };
        if let Some(command) = web_command.filter(|_| app.frontend.is_none()) {
            web.push((app, command));
        }
    }
    if commands.is_empty() && web.is_empty() {
        // Finding the workspace packages reads every package.json: not for nothing.
        return (Vec::new(), Vec::new());
    }
    let reacher = reacher.get();
    let reaches = commands.into_iter().map(|(app, command)| reacher.reach(app, command));
    let listens = web.into_iter().map(|(app, command)| reacher.listens(app, command));
    (reaches.collect(), listens.collect())
}

/// Which herokuapp hosts are the apps' own, and a warning for each text file naming one.
pub(super) fn classify_hosts(
    source: &Source,
    hints: &Hints,
    inv: &mut Inventory,
) -> Result<(), Error> {
    let mentions = docs::herokuapp_mentions(source)?;
    inv.hosts = hosts::classify(inv, &mentions, hints.backend_hosts);
    // An app's app.json is removed by the migration: nothing in it to update (its env
    // defaults that name a Heroku address get their own warning above).
    let removed = |m: &&docs::Mention| {
        inv.apps.iter().any(|a| a.app_json.as_ref().is_some_and(|j| j.path == m.path))
    };
    let (quiet, loud): (Vec<&docs::Mention>, Vec<&docs::Mention>) = mentions
        .iter()
        .filter(|m| !removed(m))
        .partition(|m| docs::place_of(&m.path) != docs::Place::Runs);
    let warnings: Vec<Warning> = loud.into_iter().map(|m| mention_warning(inv, m)).collect();
    inv.warnings.extend(warnings);
    let mut quiet: Vec<docs::Mention> = quiet.into_iter().cloned().collect();
    quiet.extend(quiet_code_urls(inv));
    quiet.sort_by(|a, b| (&a.path, a.line).cmp(&(&b.path, b.line)));
    let (summaries, summarised) = quiet_summaries(inv, &quiet);
    inv.warnings.extend(summaries);
    inv.quiet_mentions = summarised;
    Ok(())
}
