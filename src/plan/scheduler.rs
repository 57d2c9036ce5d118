//! `scheduler`: Heroku Scheduler jobs become a node-cron scheduler inside the app.

use serde_json::Value;

use super::build::{Context, Error, set_json_string};
use crate::diag::Warning;
use crate::generate::scheduler::{ModuleSystem, ScheduledJob, scheduler_js};
use crate::inventory::App;
use crate::rules::Rule;

pub fn run(cx: &mut Context, rule: &Rule, file: &str, node_cron: &str) -> Result<(), Error> {
    for app in &cx.inventory.apps {
        // A cron expression node-cron reads differently becomes two tasks (see
        // `Schedule::node_cron_expressions`); the second is named after its weekdays.
        let jobs: Vec<ScheduledJob> = cx
            .inventory
            .jobs_of(&app.dir)
            .flat_map(|job| {
                let expressions = job.schedule.node_cron_expressions();
                let split = expressions.len() > 1;
                expressions.into_iter().enumerate().map(move |(i, cron)| ScheduledJob {
                    name: if split && i == 1 {
                        format!("{} (day of week)", job.name)
                    } else {
                        job.name.clone()
                    },
                    command: job.command.clone(),
                    cron,
                    schedule_text: job.schedule.describe(),
                })
            })
            .collect();
        if jobs.is_empty() {
            continue;
        }
        let Some(pkg) = &app.package_json else {
            cx.warnings.push(Warning::new(format!(
                "{}: has Scheduler jobs but no package.json; the node-cron scheduler needs a \
                 Node app: add a package.json and run again",
                app.display_dir()
            )));
            continue;
        };
        let module = if pkg.is_esm() { ModuleSystem::Esm } else { ModuleSystem::CommonJs };
        let scheduler_path = cx.free_path(&app.path_of(file), "cron")?;
        if scheduler_path != app.path_of(file) {
            cx.note(
                rule,
                format!(
                    "{}: `{file}` is the app's own file: the generated scheduler is `{}` instead",
                    app.display_dir(),
                    relative(app.build_dir(), &scheduler_path)
                ),
            );
        }
        cx.files.write(&scheduler_path, scheduler_js(&jobs, module).into_bytes(), &rule.id);
        let file = relative(app.build_dir(), &scheduler_path);

        let Some(text) = cx.read_text(&pkg.path)? else { continue };
        let text = depend_on_node_cron(cx, app, &pkg.path, &text, node_cron)?;
        let text = wire_scripts(cx, rule, app, &pkg.path, &text, file)?;
        cx.files.write(&pkg.path, text.into_bytes(), &rule.id);
    }
    Ok(())
}

/// Adds node-cron to `dependencies`, upgrading a 3.x (or older) range.
fn depend_on_node_cron(
    cx: &mut Context,
    app: &App,
    path: &str,
    text: &str,
    wanted: &str,
) -> Result<String, Error> {
    let pkg = app.package_json.as_ref().expect("checked by the caller");
    let in_deps = pkg.value.get("dependencies").and_then(|d| d.get("node-cron"));
    match in_deps.and_then(Value::as_str) {
        Some(current) if major_of(current).is_some_and(|m| m >= 4) => return Ok(text.to_owned()),
        Some(current) => {
            cx.warnings.push(Warning::in_file(
                path,
                format!(
                    "node-cron `{current}` is upgraded to `{wanted}` for the generated scheduler"
                ),
            ));
            warn_removed_options(cx, app);
        }
        None => {}
    }
    set_json_string(path, text, &["dependencies", "node-cron"], wanted)
}

/// node-cron 4 dropped the `scheduled` and `runOnInit` options: code that passes them to
/// its own `cron.schedule` behaves differently after the upgrade.
fn warn_removed_options(cx: &mut Context, app: &App) {
    let uses: Vec<Warning> = cx
        .inventory
        .code_of(&app.dir)
        .flat_map(|code| {
            code.facts.cron_v3_options.iter().map(move |(option, line)| {
                Warning::at_line(
                    &code.path,
                    *line,
                    format!("passes `{option}` to node-cron, which node-cron 4 removed: adapt it"),
                )
            })
        })
        .collect();
    cx.warnings.extend(uses);
}

/// Starts the scheduler the way the app's Capsule will start it: as `npm start` when the
/// app serves nothing else, else as its own `scheduler` script (and its own Capsule, so
/// scaling the web Capsule never runs a job twice).
fn wire_scripts(
    cx: &mut Context,
    rule: &Rule,
    app: &App,
    path: &str,
    text: &str,
    file: &str,
) -> Result<String, Error> {
    let command = format!("node {file}");
    let pkg = app.package_json.as_ref().expect("checked by the caller");
    if pkg.script("start") == Some(command.as_str())
        || pkg.script("scheduler") == Some(command.as_str())
    {
        return Ok(text.to_owned());
    }
    if cx.inventory.runs_a_service(app) {
        cx.note(rule, format!(
            "{}: `npm run scheduler` starts the scheduler; give it its own Capsule with one replica",
            app.display_dir()
        ));
        return set_json_string(path, text, &["scripts", "scheduler"], &command);
    }
    if let Some(old) = pkg.script("start") {
        cx.note(
            rule,
            format!("{}: `npm start` ran `{old}`; it now starts the scheduler", app.display_dir()),
        );
    }
    set_json_string(path, text, &["scripts", "start"], &command)
}

/// `path` relative to the app folder `dir`.
fn relative<'a>(dir: &str, path: &'a str) -> &'a str {
    if dir.is_empty() {
        path
    } else {
        path.strip_prefix(dir).map_or(path, |p| p.trim_start_matches('/'))
    }
}

/// The major of a simple npm range such as `^3.0.3`, `~4.1`, `4.x`.
fn major_of(range: &str) -> Option<u32> {
    let r = range.trim().trim_start_matches(['^', '~', '=', 'v']);
    r.split('.').next()?.parse().ok()
}
