//! `scheduler`: Heroku Scheduler jobs become a node-cron scheduler inside the app.

use serde_json::Value;

use super::build::{Context, Error};
use crate::diag::Warning;
use crate::edit::package_json::PackageJsonEditor;
use crate::generate::scheduler::{ModuleSystem, ScheduledJob, scheduler_js};
use crate::inventory::App;
use crate::rules::Rule;
use crate::semver;

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
                    procfile: job.process.clone().zip(job.process_command.clone()),
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

        let Some(mut editor) = cx.package_json(&pkg.path)? else { continue };
        depend_on_node_cron(cx, app, &mut editor, node_cron)?;
        wire_scripts(cx, rule, app, &mut editor, file)?;
        cx.save(editor, rule)?;
    }
    Ok(())
}

/// Adds node-cron to `dependencies`, upgrading a 3.x (or older) range.
fn depend_on_node_cron(
    cx: &mut Context,
    app: &App,
    editor: &mut PackageJsonEditor,
    wanted: &str,
) -> Result<(), Error> {
    let pkg = app.package_json.as_ref().expect("checked by the caller");
    let in_deps = pkg.value.get("dependencies").and_then(|d| d.get("node-cron"));
    match in_deps.and_then(Value::as_str) {
        Some(current) if only_4_or_later(current) => return Ok(()),
        Some(current) => {
            cx.warnings.push(Warning::in_file(
                editor.path(),
                format!(
                    "node-cron `{current}` is upgraded to `{wanted}` for the generated scheduler"
                ),
            ));
            warn_removed_options(cx, app);
        }
        None => {}
    }
    editor.add_dependency("node-cron", wanted)?;
    Ok(())
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
    editor: &mut PackageJsonEditor,
    file: &str,
) -> Result<(), Error> {
    let command = format!("node {file}");
    let pkg = app.package_json.as_ref().expect("checked by the caller");
    if pkg.script("start") == Some(command.as_str())
        || pkg.script("scheduler") == Some(command.as_str())
    {
        return Ok(());
    }
    let manager = crate::inventory::config::manager_of(&cx.inventory.lockfiles, app);
    if cx.inventory.runs_a_service(app) {
        cx.note(
            rule,
            format!(
                "{}: `{}` starts the scheduler; give it its own Capsule with one replica",
                app.display_dir(),
                manager.run("scheduler")
            ),
        );
        editor.set_script("scheduler", &command)?;
        return Ok(());
    }
    if let Some(old) = pkg.script("start") {
        cx.note(
            rule,
            format!(
                "{}: `{}` ran `{old}`; it now starts the scheduler",
                app.display_dir(),
                manager.run("start")
            ),
        );
    }
    editor.set_script("start", &command)?;
    Ok(())
}

/// `path` relative to the app folder `dir`.
fn relative<'a>(dir: &str, path: &'a str) -> &'a str {
    if dir.is_empty() {
        path
    } else {
        path.strip_prefix(dir).map_or(path, |p| p.trim_start_matches('/'))
    }
}

/// True when every version the range admits is node-cron 4 or later (`^4.1`, `>=4`),
/// so the generated scheduler's API is there. A range npm cannot read (a git URL, a
/// tag) is upgraded like an old one.
fn only_4_or_later(range: &str) -> bool {
    semver::range(range).is_some_and(|r| !semver::overlaps(&r, "<4.0.0"))
}

#[cfg(test)]
mod tests {
    use super::only_4_or_later;

    #[test]
    fn node_cron_ranges_that_need_the_upgrade() {
        for kept in ["^4.6.0", "4.x", "~4.1", ">=4", "4.0.0", "^5"] {
            assert!(only_4_or_later(kept), "{kept}");
        }
        for upgraded in ["^3.0.3", "3.x", "*", ">=3", "^3 || ^4", "latest", "github:a/b", ""] {
            assert!(!only_4_or_later(upgraded), "{upgraded}");
        }
    }
}
