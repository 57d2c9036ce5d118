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

use serde_json::Value;

use super::build::{Context, Error, set_json_string};
use crate::capsules::{self, launch};
use crate::diag::FileError;
use crate::edit::json;
use crate::inventory::App;
use crate::rules::Rule;

pub fn run(cx: &mut Context, rule: &Rule) -> Result<(), Error> {
    for app in &cx.inventory.apps {
        report_other_hooks(cx, rule, app);
        let Some(pkg) = &app.package_json else {
            if let Some(release) = app.process("release") {
                cx.note(rule, format!(
                    "{}: the release command `{}` has no package.json to run from: run it by hand \
                     before each deploy",
                    app.display_dir(),
                    capsules::redacted(&release.command)
                ));
            }
            continue;
        };
        let path = pkg.path.clone();
        let Some(original) = cx.read_text(&path)? else { continue };
        let mut text = original.clone();
        if app.process("release").is_some() {
            text = release_to_prestart(cx, rule, app, &path, &text)?;
        }
        text = postbuild_into_build(cx, rule, app, &path, &text)?;
        if text != original {
            cx.files.write(&path, text.into_bytes(), &rule.id);
        }
    }
    Ok(())
}

fn script(path: &str, text: &str, name: &str) -> Result<Option<String>, Error> {
    let value = json::get(text, &["scripts", name])
        .map_err(|e| FileError::new(path, format!("cannot read scripts.{name}: {e}")))?;
    Ok(value.as_ref().and_then(Value::as_str).map(str::to_owned))
}

fn set_script(path: &str, text: &str, name: &str, value: &str) -> Result<String, Error> {
    set_json_string(path, text, &["scripts", name], value)
}

/// The release command runs as `prestart`, chained after an existing one.
fn release_to_prestart(
    cx: &mut Context,
    rule: &Rule,
    app: &App,
    path: &str,
    text: &str,
) -> Result<String, Error> {
    let release = app.process("release").expect("checked by the caller");
    let command = launch(app, release).with_env();
    // Notes are shown to people; the script itself needs the real values.
    let shown = capsules::redacted(&command);
    let dir = app.display_dir();
    let mut text = text.to_owned();
    match script(path, &text, "prestart")? {
        Some(existing) if existing.contains(&command) => {}
        Some(existing) => {
            text = set_script(path, &text, "prestart", &format!("{existing} && {command}"))?;
            cx.note(
                rule,
                format!(
                    "{dir}: the release command `{shown}` runs after the existing `prestart` \
                 (`{}`), before `npm start`",
                    capsules::redacted(&existing)
                ),
            );
        }
        None => {
            text = set_script(path, &text, "prestart", &command)?;
            cx.note(rule, format!(
                "{dir}: the release command `{shown}` is now the `prestart` script: `npm start` \
                 runs it on every start of every replica, not once per release as on Heroku, so \
                 it must be safe to run again and concurrently"
            ));
        }
    }
    if let Some(start) = capsules::start_script_to_add(app)
        && script(path, &text, "start")?.is_none()
    {
        text = set_script(path, &text, "start", &start)?;
        cx.note(rule, format!(
            "{dir}: `npm start` runs the web command `{start}`, so that `prestart` runs before it"
        ));
    }
    if app.process("web").is_none() {
        cx.note(
            rule,
            format!(
                "{dir}: there is no web process, so only `npm start` runs the release command: if \
             no Capsule runs `npm start`, run `{shown}` by hand before each deploy"
            ),
        );
    }
    Ok(text)
}

/// `npm run build` runs what `heroku-postbuild` ran.
fn postbuild_into_build(
    cx: &mut Context,
    rule: &Rule,
    app: &App,
    path: &str,
    text: &str,
) -> Result<String, Error> {
    let Some(postbuild) = script(path, text, "heroku-postbuild")? else {
        return Ok(text.to_owned());
    };
    let dir = app.display_dir();
    let shown = capsules::redacted(&postbuild);
    if runs_build_script(&postbuild) {
        // `heroku-postbuild: npm run build` is what Code Capsules does anyway.
        return Ok(text.to_owned());
    }
    match script(path, text, "build")? {
        Some(build) if build.contains(&postbuild) => Ok(text.to_owned()),
        Some(build) => {
            let chained = format!("{build} && {postbuild}");
            cx.note(
                rule,
                format!(
                    "{dir}: `build` now ends with the `heroku-postbuild` command `{shown}`; on \
                 Heroku that script ran instead of `build`, now both run: check that is intended"
                ),
            );
            set_script(path, text, "build", &chained)
        }
        None => {
            cx.note(
                rule,
                format!(
                    "{dir}: the `heroku-postbuild` command `{shown}` is now the `build` script, \
                 which Code Capsules runs after installing dependencies"
                ),
            );
            set_script(path, text, "build", &postbuild)
        }
    }
}

/// `npm run build`, `yarn build` and the like.
fn runs_build_script(command: &str) -> bool {
    let words: Vec<&str> = command.split_whitespace().collect();
    matches!(
        words.as_slice(),
        ["npm", "run", "build"]
            | ["yarn", "build"]
            | ["yarn", "run", "build"]
            | ["pnpm", "build"]
            | ["pnpm", "run", "build"]
    )
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
    use crate::app::{Migration, Settings, prepare};

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
    fn an_existing_prestart_is_chained_and_a_missing_start_is_added() {
        let m = migrate(&[
            ("Procfile", "release: npm run migrate\nweb: node server.js\n"),
            ("package.json", r#"{ "scripts": { "prestart": "npm run check", "migrate": "x" } }"#),
        ]);
        let scripts = scripts(&m);
        assert_eq!(scripts["prestart"], "npm run check && npm run migrate");
        assert_eq!(scripts["start"], "node server.js");
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

    #[test]
    fn heroku_postbuild_becomes_or_joins_build() {
        let engines = r#""engines": { "node": "24.x" }"#;
        let only =
            format!(r#"{{ {engines}, "scripts": {{ "heroku-postbuild": "node assets.js" }} }}"#);
        let m = migrate(&[("Procfile", "web: node s.js\n"), ("package.json", &only)]);
        assert_eq!(scripts(&m)["build"], "node assets.js");
        assert_eq!(scripts(&m)["heroku-postbuild"], "node assets.js");

        let both = format!(
            r#"{{ {engines}, "scripts": {{ "build": "tsc", "heroku-postbuild": "node assets.js" }} }}"#
        );
        let m = migrate(&[("Procfile", "web: node s.js\n"), ("package.json", &both)]);
        assert_eq!(scripts(&m)["build"], "tsc && node assets.js");
        assert!(notes(&m).contains("now both run"), "{}", notes(&m));

        // Already in build, or postbuild only runs build: nothing to change.
        for scripts in [
            r#""build": "tsc && node assets.js", "heroku-postbuild": "node assets.js""#,
            r#""build": "tsc", "heroku-postbuild": "npm run build""#,
        ] {
            let pkg = format!(r#"{{ {engines}, "scripts": {{ {scripts} }} }}"#);
            let m = migrate(&[("Procfile", "web: node s.js\n"), ("package.json", &pkg)]);
            assert!(m.plan.changes.iter().all(|c| c.path != "package.json"), "{scripts}");
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
