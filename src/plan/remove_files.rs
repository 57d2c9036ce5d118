//! `remove-files`: delete Heroku's own files from every app.
//!
//! A Procfile that foreman (`nf start`, `foreman start`, `heroku local`) reads from an npm
//! script goes too: Code Capsules' buildpacks would run its `web` line instead of the run
//! command, and each process has its own Capsule now. A `start` script that ran foreman
//! runs the web command instead, so `npm start` still starts the app; other scripts that
//! ran it are named in a note.

use super::build::{Context, Error};
use crate::capsules::launch;
pub(crate) use crate::inventory::signs::heroku_use;
use crate::inventory::{App, in_node_modules, parent};
use crate::rules::Rule;
use crate::shell;

pub fn run(cx: &mut Context, rule: &Rule, names: &[String]) -> Result<(), Error> {
    delete_files(cx, rule, names);
    for app in &cx.inventory.apps {
        cx.warnings.extend(heroku_only_scripts(app));
    }
    if names.iter().any(|n| n == "Procfile") {
        for app in &cx.inventory.apps {
            if app.procfile.is_some() {
                replace_foreman(cx, rule, app)?;
            }
        }
    }
    Ok(())
}

/// True when `command` runs foreman or a clone of it, which read the Procfile.
pub fn runs_foreman(command: &str) -> bool {
    shell::simple_commands(command).iter().any(reads_procfile)
}

/// `command` with its foreman step replaced by `web`, every other byte kept: the steps
/// before and after it (`npm run build && nf start`) and the launchers that set up its
/// environment (`env-cmd -f prod.env nf start` -> `env-cmd -f prod.env node server.js`).
/// `None` when no step runs foreman.
pub fn foreman_replaced(command: &str, web: &str) -> Option<String> {
    let steps = shell::simple_commands(command);
    let step = steps.iter().find(|c| reads_procfile(c))?;
    let text = &command[step.span.clone()];
    // The launcher words are plain (`env-cmd`, `-f`, `prod.env`): skip as many
    // whitespace-separated tokens, and foreman's own words start at the next one.
    let launchers = step.words.len() - step.launched().len();
    let assignments = step.assignments.len();
    let mut at = 0;
    for _ in 0..assignments + launchers {
        let rest = &text[at..];
        let skip = rest.len() - rest.trim_start().len();
        let token = rest[skip..].find(char::is_whitespace).unwrap_or(rest.len() - skip);
        at += skip + token;
    }
    at += text[at..].len() - text[at..].trim_start().len();
    let start = step.span.start + at;
    Some(format!("{}{web}{}", &command[..start], &command[step.span.end..]))
}

fn reads_procfile(c: &shell::SimpleCommand) -> bool {
    {
        let words: Vec<&str> = c.launched().iter().map(String::as_str).collect();
        let words = words.as_slice();
        let program = words.first().map(|w| w.rsplit('/').next().unwrap_or(w));
        let runs = matches!(
            (program, words.get(1).copied()),
            (Some("nf" | "foreman" | "node-foreman"), Some("start"))
                | (Some("heroku"), Some("local"))
        );
        // `-f Procfile.dev` (heroku local, foreman) or `-j Procfile.dev` (nf) read another file.
        let other_file = words.windows(2).any(|w| {
            matches!(w[0], "-f" | "--procfile" | "-j")
                && w[1].rsplit('/').next() != Some("Procfile")
        }) || words.iter().any(|w| {
            w.strip_prefix("--procfile=").is_some_and(|f| f.rsplit('/').next() != Some("Procfile"))
        });
        runs && !other_file
    }
}

/// One warning per package.json script of the app that only makes sense on Heroku (see
/// [`heroku_use`]): the script is kept as written, since only its owner knows whether to
/// delete it or point it at Code Capsules, and the warning says so. Heroku's build hooks
/// and scripts that run foreman have their own notes.
fn heroku_only_scripts(app: &App) -> Vec<crate::diag::Warning> {
    let Some(pkg) = &app.package_json else { return Vec::new() };
    let mut out = Vec::new();
    for (name, command) in pkg.scripts() {
        if name.starts_with("heroku-") || runs_foreman(command) {
            continue;
        }
        let Some(what) = heroku_use(command) else { continue };
        out.push(crate::diag::Warning::in_file(
            &pkg.path,
            format!(
                "the script `{name}` (`{}`) {what}, which the migration retires: it is kept as \
                 it is; delete it, or rewrite it for Code Capsules (a Capsule deploys each push \
                 to its branch; logs and variables are in its dashboard)",
                crate::capsules::redacted(command)
            ),
        ));
    }
    out
}

fn replace_foreman(cx: &mut Context, rule: &Rule, app: &App) -> Result<(), Error> {
    let Some(pkg) = &app.package_json else { return Ok(()) };
    let dir = app.display_dir();
    let readers: Vec<(&str, &str)> = pkg.scripts().filter(|(_, c)| runs_foreman(c)).collect();
    for (name, command) in readers {
        match (name, app.process("web")) {
            ("start", Some(web)) => {
                let Some(mut editor) = cx.package_json(&pkg.path)? else { continue };
                let web = launch(app, web).with_env();
                let now = foreman_replaced(command, &web).unwrap_or(web.clone());
                editor.set_script("start", &now)?;
                cx.save(editor, rule)?;
                cx.note(rule, format!(
                    "{dir}: `start` ran `{command}`, which reads the Procfile: it now runs the web \
                     command instead (`{now}`); the other processes run in Capsules of their own"
                ));
            }
            _ => cx.note(rule, format!(
                "{dir}: the script `{name}` (`{command}`) reads the Procfile, which is removed: \
                 run each process's command (listed in CODE_CAPSULES.md) instead"
            )),
        }
    }
    Ok(())
}

fn delete_files(cx: &mut Context, rule: &Rule, names: &[String]) {
    let source = cx.files.source();
    let app_dirs: Vec<&str> = cx.inventory.apps.iter().map(|a| a.dir.as_str()).collect();
    for entry in source.entries() {
        let name = entry.path.rsplit('/').next().unwrap_or(&entry.path);
        if !names.iter().any(|n| n == name) || in_node_modules(&entry.path) {
            continue;
        }
        // Only files the inventory knows: a Procfile of an app, or one inside an app folder.
        // An app.json inside an app folder goes only when it is Heroku's (the app read
        // it): an Expo app's `{"expo": ...}` stays.
        let heroku_app_json = |dir: &str| {
            name != "app.json" || cx.inventory.app(dir).is_some_and(|a| a.app_json.is_some())
        };
        let dir = parent(&entry.path);
        let known = cx.inventory.heroku_markers.contains(&entry.path)
            || (app_dirs.contains(&dir) && heroku_app_json(dir));
        if !known || !entry.kind.is_regular() {
            continue;
        }
        cx.files.delete(&entry.path, &rule.id);
    }
}

#[cfg(test)]
mod tests {
    use super::runs_foreman;

    #[test]
    fn scripts_that_deploy_to_heroku_or_run_its_cli() {
        use super::heroku_use;
        for (command, expected) in [
            ("git push heroku master", Some("deploys to Heroku")),
            ("git push heroku-staging HEAD:main --force", Some("deploys to Heroku")),
            ("npm test && git subtree push --prefix api heroku main", Some("deploys to Heroku")),
            ("git push https://git.heroku.com/shop-api.git main", Some("deploys to Heroku")),
            ("heroku logs --tail -a shop-api", Some("runs the Heroku CLI (`heroku logs`)")),
            ("npx heroku run node seed.js", Some("runs the Heroku CLI (`heroku run`)")),
            ("heroku config:set FOO=1", Some("runs the Heroku CLI (`heroku config:set`)")),
            ("git push origin main", None),
            ("heroku local -f Procfile.dev", None),
            (
                "dotenv -e .env.prod -- heroku logs --tail",
                Some("runs the Heroku CLI (`heroku logs`)"),
            ),
            ("node scripts/heroku-like.js", None),
            ("echo heroku logs", None),
        ] {
            assert_eq!(heroku_use(command).as_deref(), expected, "{command}");
        }
    }

    #[test]
    fn foreman_and_its_clones_are_recognised_in_any_step() {
        for command in [
            "nf start",
            "foreman start web=1,worker=1",
            "npx nf start",
            "./node_modules/.bin/nf start",
            "npm run build && heroku local",
            "NODE_ENV=production node-foreman start -j Procfile",
            "heroku local --procfile=Procfile",
            "./node_modules/.bin/env-cmd -f ./prod.env nf start",
            "cross-env NODE_ENV=production foreman start",
        ] {
            assert!(runs_foreman(command), "{command}");
        }
        for (command, now) in [
            ("nf start", "node web.js"),
            ("npm run build && heroku local", "npm run build && node web.js"),
            (
                "./node_modules/.bin/env-cmd -f ./prod.env nf start",
                "./node_modules/.bin/env-cmd -f ./prod.env node web.js",
            ),
            (
                "NODE_ENV=production  cross-env  A=1 foreman start web=1; echo done",
                "NODE_ENV=production  cross-env  A=1 node web.js; echo done",
            ),
        ] {
            assert_eq!(super::foreman_replaced(command, "node web.js").as_deref(), Some(now));
        }
        for command in [
            "node index.js",
            "heroku local -f Procfile.dev",
            "nf start -j Procfile.dev",
            "heroku logs --tail",
            "echo nf start",
        ] {
            assert!(!runs_foreman(command), "{command}");
        }
    }
}
