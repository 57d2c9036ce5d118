//! `release-phase`: what Heroku ran around the build and before a release, moved into
//! npm scripts that Code Capsules runs, or reported when nothing can run it.
//!
//! - Procfile `release:` -> the `prestart` script, which `npm start` runs first. If the app
//!   has no `start` script, the web command becomes one, or `prestart` would never run.
//! - `heroku-postbuild` -> part of `build` (Heroku ran it instead of `build`; Code
//!   Capsules runs `npm run build`).
//! - `heroku-prebuild`, `heroku-cleanup`, app.json `postdeploy` -> notes; the guide says
//!   what to do with them.
//!
//! Every edit checks whether the script already does the work, so migrating the migrated
//! tree changes nothing.

use super::build::{Context, Error};
use crate::capsules::{self, launch};
use crate::diag::Warning;
use crate::edit::package_json::{Chained, PackageJsonEditor};
use crate::inventory::config::manager_of;
use crate::inventory::{App, scripts};
use crate::rules::Rule;

pub fn run(cx: &mut Context, rule: &Rule) -> Result<(), Error> {
    for app in &cx.inventory.apps {
        report_other_hooks(cx, rule, app);
        let Some(pkg) = &app.package_json else {
            if let Some(release) = app.process("release") {
                let what = if app.process("web").is_some() {
                    "runs first in the web Capsule's run command (there is no package.json to \
                     hold a `prestart`)"
                } else {
                    "has no package.json to run from and there is no web process: run it by \
                     hand before each deploy"
                };
                cx.note(
                    rule,
                    format!(
                        "{}: the release command `{}` {what}",
                        app.display_dir(),
                        capsules::redacted(&release.command)
                    ),
                );
            }
            continue;
        };
        let Some(mut editor) = cx.package_json(&pkg.path)? else { continue };
        if capsules::release_in_prestart(app) {
            release_to_prestart(cx, rule, app, &mut editor)?;
        } else if let (Some(release), Some(why)) = (app.process("release"), app.skips_pre_scripts) {
            cx.note(rule, format!(
                "{}: the release command `{}` runs first in the web Capsule's run command, once \
                 per start, not as `prestart`: {why}",
                app.display_dir(),
                capsules::redacted(&release.command),
            ));
        } else if let Some(release) = app.process("release") {
            cx.note(rule, format!(
                "{}: the release command `{}` runs first in the web Capsule's run command, once \
                 per start: `{}` would run scripts Heroku never ran before this web command, \
                 so no npm script changes",
                app.display_dir(),
                capsules::redacted(&release.command),
                manager_of(&cx.inventory.lockfiles, app).run("start")
            ));
        }
        postbuild_into_build(cx, rule, app, &mut editor)?;
        cx.save(editor, rule)?;
    }
    Ok(())
}

/// The release command runs as `prestart`, chained after an existing one.
fn release_to_prestart(
    cx: &mut Context,
    rule: &Rule,
    app: &App,
    editor: &mut PackageJsonEditor,
) -> Result<(), Error> {
    let release = app.process("release").expect("checked by the caller");
    let command = launch(app, release).with_env();
    // Notes are shown to people; the script itself needs the real values.
    let shown = capsules::redacted(&command);
    let dir = app.display_dir();
    let npm_start = manager_of(&cx.inventory.lockfiles, app).run("start");
    match editor.chain_script("prestart", &command)? {
        Chained::Already => {}
        Chained::Appended { before } => cx.note(
            rule,
            format!(
                "{dir}: the release command `{shown}` runs after the existing `prestart` \
                 (`{}`), before `{npm_start}`",
                capsules::redacted(&before)
            ),
        ),
        Chained::Created => cx.note(
            rule,
            format!(
                "{dir}: the release command `{shown}` is now the `prestart` script: `{npm_start}` \
             runs it on every start of every replica, not once per release as on Heroku, so \
             it must be safe to run again and concurrently"
            ),
        ),
    }
    if let Some(start) = capsules::start_script_to_add(app)
        && editor.script("start")?.is_none()
    {
        editor.set_script("start", &start)?;
        cx.note(rule, format!(
            "{dir}: `{npm_start}` runs the web command `{start}`, so that `prestart` runs before it"
        ));
    }
    if app.process("web").is_none() {
        cx.note(
            rule,
            format!(
                "{dir}: there is no web process, so only `{npm_start}` runs the release command: \
             if no Capsule runs `{npm_start}`, run `{shown}` by hand before each deploy"
            ),
        );
    }
    Ok(())
}

/// `npm run build` does what Heroku's build did: Heroku ran `heroku-postbuild` instead
/// of `build`, so `build` becomes the postbuild command and `heroku-postbuild` goes
/// (Heroku too then runs `build`, the same command). Where the postbuild command ran
/// the old `build` (`npm run build`, `yarn build`, ...), the old `build` is kept under
/// a free name (`build:app`) with its `prebuild`/`postbuild` hooks, and those calls run
/// it by that name: one build, each step once, in Heroku's order, and no self-call.
fn postbuild_into_build(
    cx: &mut Context,
    rule: &Rule,
    app: &App,
    editor: &mut PackageJsonEditor,
) -> Result<(), Error> {
    let Some(postbuild) = editor.script("heroku-postbuild")? else { return Ok(()) };
    let dir = app.display_dir();
    let shown = capsules::redacted(&postbuild);
    let Some(calls) = scripts::calls(&postbuild) else {
        cx.warnings.push(Warning::in_file(
            editor.path(),
            format!(
                "`heroku-postbuild` (`{shown}`) is not readable as a shell command: Heroku ran \
             it instead of `build`; make `build` do what it does by hand"
            ),
        ));
        return Ok(());
    };
    let build_calls: Vec<_> = calls.iter().filter(|c| c.script == "build").collect();
    if is_plain_build_call(&postbuild, &build_calls) {
        // Heroku ran `build` through it, as Code Capsules runs `build`.
        return Ok(());
    }
    let Some(spans) = build_calls.iter().map(|c| c.name_span.clone()).collect::<Option<Vec<_>>>()
    else {
        cx.warnings.push(Warning::in_file(
            editor.path(),
            format!(
                "`heroku-postbuild` (`{shown}`) runs `build` in a way the migration cannot \
             rename: Heroku ran it instead of `build`; make `build` do what it does by hand"
            ),
        ));
        return Ok(());
    };
    let original = app.package_json.as_ref().and_then(|p| p.script("build")).map(str::to_owned);
    if original.is_none() && !spans.is_empty() {
        // With no `build` script, that call ran something else on Heroku (a `build`
        // binary through yarn or pnpm); as `build` it would call itself.
        return Err(editor
            .error_at(
                &["scripts", "heroku-postbuild"],
                format!(
                    "`heroku-postbuild` (`{shown}`) runs `build`, but there is no `build` \
                     script: as the new `build` it would run itself until killed; nothing is \
                     written: spell out what that call ran (or add the `build` script) and run \
                     again"
                ),
            )
            .into());
    }
    let current = editor.script("build")?;
    // Steps an earlier rule appended to `build` (the frontend's URL injection) stay last.
    let added = match (&original, &current) {
        (Some(old), Some(now)) => {
            now.strip_prefix(old.as_str()).and_then(|r| r.strip_prefix(" && ")).map(str::to_owned)
        }
        (None, Some(now)) => Some(now.clone()),
        _ => None,
    };
    let mut new_build = postbuild.clone();
    let mut kept_as = None;
    let mut moved_hooks: Vec<String> = Vec::new();
    if let Some(old) = &original {
        let name = free_build_name(editor)?;
        editor.set_script(&name, old)?;
        for hook in ["pre", "post"] {
            if let Some(command) = editor.script(&format!("{hook}build"))? {
                editor.set_script(&format!("{hook}{name}"), &command)?;
                editor.remove_script(&format!("{hook}build"))?;
                moved_hooks.push(format!("`{hook}build` as `{hook}{name}`"));
            }
        }
        for span in spans.iter().rev() {
            new_build.replace_range(span.clone(), &name);
        }
        let callers = keep_calling_old_build(editor, &name)?;
        if !callers.is_empty() {
            cx.note(
                rule,
                format!(
                    "{dir}: {} ran the old `build`, and now {} it as `{name}`",
                    callers.iter().map(|c| format!("`{c}`")).collect::<Vec<_>>().join(", "),
                    if callers.len() == 1 { "runs" } else { "run" }
                ),
            );
        }
        kept_as = Some(name);
    }
    if let Some(added) = &added {
        new_build = format!("{new_build} && {added}");
    }
    editor.set_script("build", &new_build)?;
    editor.remove_script("heroku-postbuild")?;
    let hooks = match moved_hooks.as_slice() {
        [] => String::new(),
        moved => format!(" (with {})", moved.join(" and ")),
    };
    let message = match (&kept_as, spans.is_empty()) {
        (Some(name), false) => format!(
            "{dir}: `build` is now what `heroku-postbuild` ran (`{new_build}`): Heroku ran \
             `heroku-postbuild` instead of `build`; the old `build` is kept as `{name}`{hooks}, \
             which the new `build` runs where `heroku-postbuild` ran `build`, so every step \
             runs once, in Heroku's order"
        ),
        (Some(name), true) => format!(
            "{dir}: `build` is now what `heroku-postbuild` ran (`{new_build}`): Heroku ran \
             `heroku-postbuild` instead of `build`, so the old `build` never ran there; it is \
             kept as `{name}`{hooks}"
        ),
        (None, _) => format!(
            "{dir}: the `heroku-postbuild` command `{shown}` is now the `build` script, \
             which Code Capsules runs after installing dependencies"
        ),
    };
    cx.note(rule, message);
    Ok(())
}

/// Other scripts that ran the old `build` (`"start:prod": "npm run build && node
/// dist"`) run it by its new name, so they keep doing what they did. Returns their names.
fn keep_calling_old_build(
    editor: &mut PackageJsonEditor,
    name: &str,
) -> Result<Vec<String>, Error> {
    let mut changed = Vec::new();
    for (script, command) in editor.scripts()? {
        if ["build", "heroku-postbuild", name].contains(&script.as_str()) {
            continue;
        }
        let Some(calls) = scripts::calls(&command) else { continue };
        let spans: Vec<_> = calls
            .iter()
            .filter(|c| c.script == "build")
            .filter_map(|c| c.name_span.clone())
            .collect();
        if spans.is_empty() {
            continue;
        }
        let mut renamed = command.clone();
        for span in spans.iter().rev() {
            renamed.replace_range(span.clone(), name);
        }
        editor.set_script(&script, &renamed)?;
        changed.push(script);
    }
    Ok(changed)
}

/// `heroku-postbuild` is just `npm run build` (or `yarn build`, ... with no arguments
/// for the script): Heroku ran `build` through it, as Code Capsules runs `build`.
fn is_plain_build_call(postbuild: &str, build_calls: &[&scripts::ScriptCall]) -> bool {
    let [call] = build_calls else { return false };
    let Some(span) = &call.name_span else { return false };
    let Some(commands) = crate::shell::commands(postbuild) else { return false };
    let [command] = commands.as_slice() else { return false };
    command.words.iter().filter(|w| w.span.start > span.start).all(|w| {
        w.text
            .as_deref()
            .is_some_and(|t| ["--silent", "-s", "--if-present", "--quiet", "-q"].contains(&t))
    })
}

/// A script name for the old `build` that neither it nor its hooks take from another.
fn free_build_name(editor: &PackageJsonEditor) -> Result<String, Error> {
    let taken: Vec<String> = editor.scripts()?.into_iter().map(|(name, _)| name).collect();
    let free = |name: &str| {
        [name.to_owned(), format!("pre{name}"), format!("post{name}")]
            .iter()
            .all(|n| !taken.contains(n))
    };
    let name = std::iter::once("build:app".to_owned())
        .chain((2..).map(|n| format!("build:app{n}")))
        .find(|n| free(n))
        .expect("some name is free");
    Ok(name)
}

/// The hooks nothing on Code Capsules runs: said once per app, in the plan and the guide.
fn report_other_hooks(cx: &mut Context, rule: &Rule, app: &App) {
    let dir = app.display_dir();
    if let Some(pkg) = &app.package_json {
        if let Some(prebuild) = pkg.script("heroku-prebuild").map(capsules::redacted) {
            cx.note(rule, format!(
                "{dir}: `heroku-prebuild` (`{prebuild}`) ran before Heroku installed dependencies; \
                 Code Capsules has no step before the install, so it is not run: if the build \
                 still needs it, add it to the `build` script"
            ));
        }
        if let Some(cleanup) = pkg.script("heroku-cleanup").map(capsules::redacted) {
            cx.note(rule, format!(
                "{dir}: `heroku-cleanup` (`{cleanup}`) ran after Heroku's build, usually to trim \
                 caches from the slug; Code Capsules does not run it and nothing replaces it"
            ));
        }
    }
    let scripts = app.app_json.as_ref().map(|a| &a.value.scripts);
    if let Some(postdeploy) = scripts.and_then(|s| s.postdeploy.as_ref()) {
        cx.note(rule, format!(
            "{dir}: app.json's `postdeploy` (`{}`) ran once when Heroku created the app: run it \
             once after the first deploy (CODE_CAPSULES.md says how)",
            capsules::redacted(&postdeploy.command)
        ));
    }
}

#[cfg(test)]
mod tests {
    use crate::app::prepare;
    use crate::migration::Migration;
    use crate::settings::Settings;

    fn migrate(files: &[(&str, &str)]) -> Migration {
        let dir = tempfile::tempdir().unwrap();
        for (path, text) in files {
            std::fs::write(dir.path().join(path), text).unwrap();
        }
        prepare(&Settings::for_repo(dir.path())).unwrap()
    }

    /// The scripts of the migrated package.json.
    fn scripts(m: &Migration) -> serde_json::Value {
        let change = m.plan.changes.iter().find(|c| c.path == "package.json").expect("edited");
        let pkg: serde_json::Value = serde_json::from_slice(change.new.as_ref().unwrap()).unwrap();
        pkg["scripts"].clone()
    }

    fn notes(m: &Migration) -> String {
        let notes: Vec<&str> = m
            .plan
            .notes
            .iter()
            .filter(|n| n.rule == "release-phase")
            .map(|n| n.message.as_str())
            .collect();
        notes.join("\n")
    }

    #[test]
    fn the_release_command_becomes_prestart_with_its_variables() {
        let m = migrate(&[
            ("Procfile", "web: npm start\nrelease: MODE=\"all at once\" node migrate.js\n"),
            ("package.json", r#"{ "scripts": { "start": "node server.js" } }"#),
        ]);
        let scripts = scripts(&m);
        assert_eq!(scripts["prestart"], "MODE='all at once' node migrate.js");
        assert_eq!(scripts["start"], "node server.js");
        assert!(notes(&m).contains("every start of every replica"), "{}", notes(&m));
    }

    #[test]
    fn managers_that_skip_prestart_run_the_release_in_the_run_command() {
        let pkg = r#"{ "engines": { "node": "24.x" }, "scripts": { "start": "node s.js" } }"#;
        // Heroku's web process as written stays the run command, the release before it.
        let procfile = "web: npm start\nrelease: node migrate.js\n";
        let pnpm = |version: &str| {
            migrate(&[
                ("Procfile", procfile),
                ("package.json", pkg),
                ("pnpm-lock.yaml", &format!("lockfileVersion: '{version}'\n")),
            ])
        };
        // pnpm 8 (lockfileVersion 6.0) skips pre scripts; pnpm 9 (9.0) runs them.
        let eight = pnpm("6.0");
        assert!(eight.plan.changes.iter().all(|c| c.path != "package.json"));
        let web = &eight.plan.capsules.capsules[0];
        assert_eq!(web.run_command.as_deref(), Some("node migrate.js && npm start"));
        assert!(notes(&eight).contains("pnpm before 9"), "{}", notes(&eight));
        let nine = pnpm("9.0");
        assert_eq!(scripts(&nine)["prestart"], "node migrate.js");
        assert_eq!(nine.plan.capsules.capsules[0].run_command.as_deref(), Some("pnpm start"));
        // yarn 2+ by its packageManager field.
        let berry = migrate(&[
            ("Procfile", procfile),
            (
                "package.json",
                r#"{ "packageManager": "yarn@4.5.0", "engines": { "node": "24.x" }, "scripts": { "start": "node s.js" } }"#,
            ),
        ]);
        let web = &berry.plan.capsules.capsules[0];
        assert_eq!(web.run_command.as_deref(), Some("node migrate.js && npm start"));
    }

    #[test]
    fn an_existing_prestart_is_chained_when_heroku_ran_it_too() {
        let m = migrate(&[
            ("Procfile", "release: npm run migrate\nweb: npm start\n"),
            (
                "package.json",
                r#"{ "scripts": { "prestart": "npm run check", "start": "node s.js", "migrate": "x" } }"#,
            ),
        ]);
        let scripts = scripts(&m);
        assert_eq!(scripts["prestart"], "npm run check && npm run migrate");
        assert_eq!(scripts["start"], "node s.js");
    }

    #[test]
    fn a_missing_start_is_added_so_prestart_runs_before_the_web_command() {
        let m = migrate(&[
            ("Procfile", "release: npm run migrate\nweb: node server.js\n"),
            ("package.json", r#"{ "scripts": { "migrate": "x" } }"#),
        ]);
        let scripts = scripts(&m);
        assert_eq!(scripts["prestart"], "npm run migrate");
        assert_eq!(scripts["start"], "node server.js");
    }

    #[test]
    fn a_prestart_heroku_never_ran_keeps_its_meaning() {
        // `node server.js` ran without `prestart` on Heroku: `npm start` would add it.
        let m = migrate(&[
            ("Procfile", "release: npm run migrate\nweb: node server.js\n"),
            ("package.json", r#"{ "scripts": { "prestart": "rimraf dist", "migrate": "x" } }"#),
        ]);
        let scripts = scripts(&m);
        assert_eq!(scripts["prestart"], "rimraf dist");
        assert!(scripts.get("start").is_none(), "{scripts:?}");
        let web = &m.plan.capsules.capsules[0];
        assert_eq!(web.run_command.as_deref(), Some("npm run migrate && node server.js"));
        assert!(notes(&m).contains("no npm script changes"), "{}", notes(&m));
    }

    #[test]
    fn a_prestart_that_already_runs_the_release_is_left_alone() {
        let m = migrate(&[
            ("Procfile", "release: npm run migrate\nweb: npm start\n"),
            (
                "package.json",
                r#"{ "engines": { "node": "24.x" }, "scripts": { "prestart": "npm run migrate", "start": "node s.js" } }"#,
            ),
        ]);
        assert!(m.plan.changes.iter().all(|c| c.path != "package.json"), "{:?}", m.plan.changes);
    }

    fn migrate_scripts(scripts: &str) -> Migration {
        let pkg = format!(r#"{{ "engines": {{ "node": "24.x" }}, "scripts": {{ {scripts} }} }}"#);
        migrate(&[("Procfile", "web: node s.js\n"), ("package.json", &pkg)])
    }

    #[test]
    fn heroku_postbuild_becomes_build_as_heroku_ran_it_instead() {
        let m = migrate_scripts(r#""heroku-postbuild": "node assets.js""#);
        assert_eq!(scripts(&m), serde_json::json!({ "build": "node assets.js" }));

        let m = migrate_scripts(r#""build": "tsc", "heroku-postbuild": "node assets.js""#);
        assert_eq!(
            scripts(&m),
            serde_json::json!({ "build": "node assets.js", "build:app": "tsc" })
        );
        assert!(notes(&m).contains("never ran there; it is kept as `build:app`"), "{}", notes(&m));
    }

    #[test]
    fn every_spelling_of_a_postbuild_that_runs_build_runs_the_old_build_once() {
        for (postbuild, expected) in [
            ("npm run build && node copy.js", "npm run build:app && node copy.js"),
            ("npm run-script build && node copy.js", "npm run-script build:app && node copy.js"),
            ("yarn build && node copy.js", "yarn build:app && node copy.js"),
            ("yarn run build && node copy.js", "yarn run build:app && node copy.js"),
            ("pnpm build && node copy.js", "pnpm build:app && node copy.js"),
            ("pnpm run build && node copy.js", "pnpm run build:app && node copy.js"),
            ("npm run build -- --prod", "npm run build:app -- --prod"),
            (
                "npm run --silent build && yarn build",
                "npm run --silent build:app && yarn build:app",
            ),
            (
                "node a.js && npm run build --if-present",
                "node a.js && npm run build:app --if-present",
            ),
            // `build` of another folder is not this package's build.
            (
                "cd client && npm install && npm run build",
                "cd client && npm install && npm run build",
            ),
            ("npm --prefix client run build", "npm --prefix client run build"),
        ] {
            let scripts_json = format!(
                r#""prebuild": "rm -rf dist", "build": "tsc", "heroku-postbuild": "{postbuild}""#
            );
            let m = migrate_scripts(&scripts_json);
            let got = scripts(&m);
            assert_eq!(got["build"], expected, "{postbuild}");
            assert_eq!(got["build:app"], "tsc", "{postbuild}");
            assert_eq!(got["prebuild:app"], "rm -rf dist", "{postbuild}");
            assert!(got.get("heroku-postbuild").is_none() && got.get("prebuild").is_none());
        }
    }

    #[test]
    fn other_scripts_that_ran_the_old_build_keep_running_it() {
        let m = migrate_scripts(
            r#""build": "tsc", "prestart:prod": "rimraf dist && npm run build", "dev": "yarn build --watch", "heroku-postbuild": "webpack""#,
        );
        let got = scripts(&m);
        assert_eq!(got["build"], "webpack");
        assert_eq!(got["build:app"], "tsc");
        assert_eq!(got["prestart:prod"], "rimraf dist && npm run build:app");
        assert_eq!(got["dev"], "yarn build:app --watch");
        assert!(notes(&m).contains("`prestart:prod`, `dev` ran the old `build`"), "{}", notes(&m));
    }

    #[test]
    fn a_step_an_earlier_rule_added_to_build_stays_last_and_runs_once() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("public")).unwrap();
        for (path, text) in [
            ("Procfile", "web: npx http-server public -p $PORT\n"),
            ("public/index.html", "<html><head><script src=\"app.js\"></script></head></html>\n"),
            // The page calls its backend, so the frontend rule adds its build step.
            ("public/app.js", "fetch('https://notes-api-3.herokuapp.com/notes');\n"),
            (
                "package.json",
                r#"{ "engines": { "node": "24.x" }, "scripts": { "build": "tsc", "heroku-postbuild": "npm run build && node x.js" } }"#,
            ),
        ] {
            std::fs::write(dir.path().join(path), text).unwrap();
        }
        let m = prepare(&Settings::for_repo(dir.path())).unwrap();
        let got = scripts(&m);
        assert_eq!(got["build"], "npm run build:app && node x.js && node inject-backend-url.cjs");
        assert_eq!(got["build:app"], "tsc");
    }

    #[test]
    fn a_taken_name_is_not_reused() {
        let m = migrate_scripts(
            r#""build": "tsc", "build:app": "vite build", "heroku-postbuild": "npm run build && x""#,
        );
        assert_eq!(scripts(&m)["build"], "npm run build:app2 && x");
        assert_eq!(scripts(&m)["build:app2"], "tsc");
        assert_eq!(scripts(&m)["build:app"], "vite build");
    }

    #[test]
    fn a_postbuild_that_only_runs_build_changes_nothing() {
        for postbuild in ["npm run build", "yarn build", "pnpm run build", "npm run build --silent"]
        {
            let m =
                migrate_scripts(&format!(r#""build": "tsc", "heroku-postbuild": "{postbuild}""#));
            assert!(m.plan.changes.iter().all(|c| c.path != "package.json"), "{postbuild}");
        }
    }

    #[test]
    fn hooks_nothing_can_run_are_reported() {
        let pkg = r#"{ "engines": { "node": "24.x" }, "scripts": { "heroku-prebuild": "echo pre", "heroku-cleanup": "rm -rf .cache" } }"#;
        let app_json = r#"{ "scripts": { "postdeploy": "npm run seed" } }"#;
        let m = migrate(&[
            ("Procfile", "web: node s.js\n"),
            ("package.json", pkg),
            ("app.json", app_json),
        ]);
        let notes = notes(&m);
        for needle in [
            "`heroku-prebuild` (`echo pre`)",
            "`heroku-cleanup` (`rm -rf .cache`)",
            "`postdeploy` (`npm run seed`)",
        ] {
            assert!(notes.contains(needle), "{needle} in {notes}");
        }
        assert!(m.plan.changes.iter().all(|c| c.path != "package.json"));
    }
}
