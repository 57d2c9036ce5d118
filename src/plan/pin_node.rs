//! `pin-node`: each app's `engines.node` is kept when it is valid on Code Capsules, or
//! pinned to `<major>.x`; the package-manager pins follow a changed pin, and known
//! breakages of old build tools on the resulting Node are reported.
//!
//! `engines.node` is pinned where it is missing, is not a range npm reads, admits no Node
//! major Code Capsules runs, admits majors past the newest it runs (the buildpack would
//! take the newest, which nobody tried; Heroku capped such ranges at its default line),
//! or admits versions that cannot run the app (a `node x.ts` entry needs 22.18+).

use serde_json::Value;

use super::NodeEngine;
use super::build::{Context, Error};
use super::toolchains::{self, Tool};
use crate::diag::Warning;
use crate::edit::package_json::PackageJsonEditor;
use crate::inventory::config::{PackageManager, manager_of, package_manager};
use crate::inventory::{App, parent};
use crate::rules::Rule;
use crate::semver;

mod scripts;
use scripts::{BUILD_SCRIPTS, build_folders, give_legacy_provider, member_scripts};

/// Node versions that cannot run a `.ts` file without flags: type stripping is on by
/// default from 22.18 and 23.6 (nodejs/node doc/api/typescript.md).
const NO_TYPE_STRIPPING: &str = "<22.18.0 || >=23.0.0 <23.6.0";

/// What happens to an app's `engines.node`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    /// Kept: the platform majors it admits.
    Keep { admits: Vec<u64> },
    /// Pinned to the rule's major, for this reason.
    Pin(Reason),
}

/// Why `engines.node` is pinned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Reason {
    /// There is none: Code Capsules would use its default, Node 20.
    Missing,
    /// Not a string npm reads as a range (`"latest"`, a number).
    NotARange,
    /// It admits none of the Node majors Code Capsules runs (`~10.13.0`, `16.x`).
    NoPlatformMajor,
    /// It admits majors past `newest`, the newest Code Capsules runs (`>=18`): the
    /// build would take the newest Node it can get.
    PastNewest { newest: u64 },
    /// It admits versions before 22.18 while the app runs `node entry` on a `.ts` file.
    CannotRunTypeScript { entry: String },
}

impl Reason {
    /// The reason's name in the JSON plan.
    pub fn name(&self) -> &'static str {
        match self {
            Reason::Missing => "missing",
            Reason::NotARange => "not-a-range",
            Reason::NoPlatformMajor => "no-platform-major",
            Reason::PastNewest { .. } => "past-newest",
            Reason::CannotRunTypeScript { .. } => "cannot-run-typescript",
        }
    }
}

/// The decision for `current` (the `engines.node` value, if any) on a platform running
/// `majors` (sorted), for an app whose TypeScript entry point, if any, is `ts_entry`.
pub fn decide(current: Option<&Value>, majors: &[u64], ts_entry: Option<&str>) -> Decision {
    let Some(current) = current else { return Decision::Pin(Reason::Missing) };
    let Some(range) = current.as_str().and_then(semver::range) else {
        return Decision::Pin(Reason::NotARange);
    };
    let admits: Vec<u64> =
        majors.iter().copied().filter(|m| semver::admits_major(&range, *m)).collect();
    if admits.is_empty() {
        return Decision::Pin(Reason::NoPlatformMajor);
    }
    let newest = majors.iter().copied().max().unwrap_or(0);
    if semver::overlaps(&range, &format!(">={}.0.0", newest + 1)) {
        return Decision::Pin(Reason::PastNewest { newest });
    }
    if let Some(entry) = ts_entry
        && semver::overlaps(&range, NO_TYPE_STRIPPING)
    {
        return Decision::Pin(Reason::CannotRunTypeScript { entry: entry.to_owned() });
    }
    Decision::Keep { admits }
}

pub fn run(
    cx: &mut Context,
    rule: &Rule,
    major: u32,
    platform_majors: &[u32],
) -> Result<(), Error> {
    let mut majors: Vec<u64> =
        platform_majors.iter().chain([&major]).map(|m| u64::from(*m)).collect();
    majors.sort_unstable();
    majors.dedup();
    let wanted = format!("{major}.x");
    for app in &cx.inventory.apps {
        let Some(pkg) = &app.package_json else { continue };
        let Some(mut editor) = cx.package_json(&pkg.path)? else { continue };
        let current = editor.get(&["engines", "node"])?;
        let shown = current.as_ref().map(|v| v.as_str().map_or(v.to_string(), str::to_owned));
        let ts_entry = typescript_entry(cx, app);
        let dir = app.display_dir();
        if current.is_none() && super::frontend::parcel_names_no_browsers(cx, app)? {
            cx.note(
                rule,
                format!(
                    "{dir}: engines.node not added: Parcel builds for Node instead of the \
                     browser when package.json has engines.node and names no browsers \
                     (browserslist), and the page would then keep `process.env.X` unread; \
                     Code Capsules builds it on its default, Node 20"
                ),
            );
            cx.node_engines.push(NodeEngine {
                app: app.dir.clone(),
                decision: "unset",
                reason: "parcel-target",
                engines_node: String::new(),
            });
            continue;
        }
        let decision = decide(current.as_ref(), &majors, ts_entry.as_deref());
        // A build tool of the app that fails on the rule's major (an API that Node
        // removed): a new pin takes the newest major it still builds on, so the branch
        // builds; the warning says how to get the rule's major. Not for a TypeScript
        // entry, which needs the newest Node more than the tool's fix.
        let held_back = match &decision {
            Decision::Pin(_) if ts_entry.is_none() => {
                toolchains::removed_api_caller(|name| pkg.dependency(name).map(str::to_owned))
                    .filter(|(tool, _)| tool.node_major <= u64::from(major))
                    .and_then(|(tool, range)| {
                        let below = majors.iter().copied().filter(|m| *m < tool.node_major).max();
                        below.map(|m| (m, tool, range))
                    })
            }
            _ => None,
        };
        let app_major = held_back.as_ref().map_or(u64::from(major), |(m, ..)| *m);
        let final_range = match decision {
            Decision::Keep { admits } => {
                let mut message = format!(
                    "{dir}: engines.node `{}` kept: it admits Node {}, which Code Capsules runs",
                    shown.as_deref().unwrap_or_default(),
                    list(&admits)
                );
                if let Some(entry) = &ts_entry {
                    message.push_str(&format!(", and every version it admits runs `{entry}`"));
                }
                cx.note(rule, message);
                let kept = shown.clone().unwrap_or_default();
                cx.node_engines.push(NodeEngine {
                    app: app.dir.clone(),
                    decision: "kept",
                    reason: "valid",
                    engines_node: kept.clone(),
                });
                kept
            }
            Decision::Pin(reason) => {
                // A range that reaches past the newest major but bounds the pinned one
                // (`22 || 24 <24.17.0 || 26`) keeps its bound: the owner excluded those
                // releases for a reason.
                let bounded = match &reason {
                    Reason::PastNewest { .. } => shown
                        .as_deref()
                        .and_then(semver::range)
                        .and_then(|r| semver::within_major(&r, app_major))
                        .map(|r| r.to_string()),
                    _ => None,
                };
                let wanted = match &held_back {
                    Some(_) => bounded.unwrap_or_else(|| format!("{app_major}.x")),
                    None => bounded.unwrap_or_else(|| wanted.clone()),
                };
                cx.node_engines.push(NodeEngine {
                    app: app.dir.clone(),
                    decision: "pinned",
                    reason: reason.name(),
                    engines_node: wanted.clone(),
                });
                pin(cx, rule, app, &mut editor, shown.as_deref(), &wanted, &reason, &majors)?;
                if let Some(entry) = &ts_entry
                    && semver::range(&wanted)
                        .is_some_and(|r| semver::overlaps(&r, NO_TYPE_STRIPPING))
                {
                    cx.warnings.push(Warning::in_file(&pkg.path, format!(
                        "engines.node `{wanted}` cannot run the TypeScript entry `{entry}` (Node \
                         runs .ts files from 22.18): pin 24 with --node 24"
                    )));
                }
                if let Some((_, tool, range)) = &held_back {
                    cx.warnings.push(Warning::in_file(&pkg.path, format!(
                        "engines.node is `{wanted}`, not `{major}.x`: {} `{range}` fails on Node \
                         {} and later: {}; upgrade {} to {} or later, then pin `{major}.x`",
                        tool.package, tool.node_major, tool.failure, tool.package, tool.fixed_in
                    )));
                }
                follow_node(cx, rule, app, &mut editor, app_major)?;
                wanted.clone()
            }
        };
        if let Some(range) = semver::range(&final_range) {
            check_version_file(cx, app, &range, &final_range);
            let cra = pkg.dependency("react-scripts").unwrap_or_default();
            let answered = give_legacy_provider(cx, rule, &mut editor, cra, &range)?;
            let warnings = toolchains::old_toolchain_warnings(
                // A build given the legacy provider needs no warning about it.
                |name| {
                    pkg.dependency(name).filter(|_| !answered.contains(&name)).map(str::to_owned)
                },
                &range,
                &final_range,
                manager_of(&cx.inventory.lockfiles, app),
            );
            cx.warnings.extend(warnings.into_iter().map(|w| Warning::in_file(&pkg.path, w)));
            let mut commands: Vec<(String, String)> = app
                .processes()
                .iter()
                .map(|p| (format!("the Procfile's `{}` process", p.name), p.command.clone()))
                .collect();
            let jobs: Vec<&str> =
                cx.inventory.jobs_of(&app.dir).map(|j| j.command.as_str()).collect();
            commands
                .extend(jobs.iter().map(|j| (format!("the Scheduler job `{j}`"), (*j).to_owned())));
            for script in crate::inventory::config::run_scripts(app, &jobs) {
                if let Some(command) = pkg.script(script) {
                    commands.push((format!("the script `{script}`"), command.to_owned()));
                }
            }
            // A workspace member's script that a run command starts (`yarn workspace
            // server start`) runs on the same Node.
            let texts: Vec<String> = commands.iter().map(|(_, c)| c.clone()).collect();
            for (what, command, ..) in member_scripts(cx, app, &texts)? {
                commands.push((what, command));
            }
            let gone = toolchains::gone_flag_warnings(&commands, &range, &final_range);
            cx.warnings.extend(gone.into_iter().map(|w| Warning::in_file(&pkg.path, w)));
            // The build may build other packages of the app (`npm run build --prefix
            // client`): their tools run on the same Node.
            let mut folders = build_folders(pkg);
            let build_texts: Vec<String> = BUILD_SCRIPTS
                .iter()
                .filter_map(|name| pkg.script(name))
                .map(str::to_owned)
                .collect();
            for (_, _, folder, _) in member_scripts(cx, app, &build_texts)? {
                if !folders.contains(&folder) {
                    folders.push(folder);
                }
            }
            for folder in folders {
                let path = app.path_of(&format!("{folder}/package.json"));
                let Some(bytes) = cx.files.read(&path)? else { continue };
                let Ok(Value::Object(inner)) = serde_json::from_slice::<Value>(&bytes) else {
                    continue;
                };
                let dependency = |name: &str| {
                    ["dependencies", "devDependencies"].iter().find_map(|section| {
                        inner.get(*section)?.get(name)?.as_str().map(str::to_owned)
                    })
                };
                let mut answered = Vec::new();
                if let Some(cra) = dependency("react-scripts")
                    && let Some(mut inner_editor) = cx.package_json(&path)?
                {
                    answered = give_legacy_provider(cx, rule, &mut inner_editor, &cra, &range)?;
                    cx.save(inner_editor, rule)?;
                }
                let lockfiles = &cx.inventory.lockfiles;
                let manager = package_manager(lockfiles, parent(&path)).map(|(m, _)| m);
                let warnings = toolchains::old_toolchain_warnings(
                    |name: &str| dependency(name).filter(|_| !answered.contains(&name)),
                    &range,
                    &final_range,
                    manager.unwrap_or(PackageManager::Npm),
                );
                cx.warnings.extend(warnings.into_iter().map(|w| Warning::in_file(&path, w)));
            }
        }
        cx.save(editor, rule)?;
    }
    Ok(())
}

/// Pins `wanted`, with a note that says why and a warning (the Node an app runs on
/// changes, or is set where it was the platform's default).
#[allow(clippy::too_many_arguments)]
fn pin(
    cx: &mut Context,
    rule: &Rule,
    app: &App,
    editor: &mut PackageJsonEditor,
    current: Option<&str>,
    wanted: &str,
    reason: &Reason,
    majors: &[u64],
) -> Result<(), Error> {
    let dir = app.display_dir();
    let path = editor.path().to_owned();
    if editor.get(&["engines"])?.is_some_and(|e| !e.is_object()) {
        cx.warnings.push(Warning::in_file(&path, "`engines` is not an object; replaced"));
    }
    editor.set_engine("node", wanted)?;
    let why = match reason {
        Reason::Missing => {
            cx.warnings.push(Warning::in_file(&path, format!(
                "engines.node added: `{wanted}` (there was none; Code Capsules would use its default, Node 20)"
            )));
            cx.note(rule, format!(
                "{dir}: engines.node set to `{wanted}`: there was none, and Code Capsules would \
                 use its default, Node 20"
            ));
            return Ok(());
        }
        Reason::NotARange => "it is not a version range npm reads".to_owned(),
        Reason::NoPlatformMajor => {
            format!("it admits no Node major Code Capsules runs ({})", list(majors))
        }
        Reason::PastNewest { newest } if !wanted.ends_with(".x") => format!(
            "it admits Node majors past {newest}, the newest Code Capsules runs, and the build \
             would take the newest it can get (Heroku capped such ranges at its default line); \
             it keeps only the {newest} releases it admitted"
        ),
        Reason::PastNewest { newest } => format!(
            "it admits Node majors past {newest}, the newest Code Capsules runs, and the build \
             would take the newest it can get (Heroku capped such ranges at its default line)"
        ),
        Reason::CannotRunTypeScript { entry } => format!(
            "it admits versions that cannot run the TypeScript entry `{entry}` (Node runs .ts \
             files from 22.18)"
        ),
    };
    let current = current.unwrap_or_default();
    cx.warnings.push(Warning::in_file(
        &path,
        format!("engines.node changes from `{current}` to `{wanted}`: {why}"),
    ));
    cx.note(rule, format!("{dir}: engines.node `{current}` pinned to `{wanted}`: {why}"));
    Ok(())
}

/// After the Node pin changed: `engines.npm`/`yarn`/`pnpm`, `packageManager` and
/// `volta` are raised or dropped where they cannot run on the new Node.
fn follow_node(
    cx: &mut Context,
    rule: &Rule,
    app: &App,
    editor: &mut PackageJsonEditor,
    node: u64,
) -> Result<(), Error> {
    let dir = app.display_dir();
    for tool in [Tool::Npm, Tool::Yarn, Tool::Pnpm] {
        let name = tool.name();
        let Some(range) = string_at(editor, &["engines", name])? else { continue };
        if toolchains::runs_on(tool, &range, node) != Some(false) {
            continue;
        }
        let message = match toolchains::raised(tool, &range, node) {
            Some(raised) => {
                editor.set_engine(name, &raised)?;
                format!(
                    "{dir}: engines.{name} `{range}` cannot run on Node {node}: raised to `{raised}`"
                )
            }
            None => {
                editor.remove_engine(name)?;
                format!("{dir}: engines.{name} `{range}` cannot run on Node {node}: dropped")
            }
        };
        cx.note(rule, message);
    }
    if let Some(spec) = string_at(editor, &["packageManager"])?
        && let Some((name, version)) = spec.split_once('@')
        && let Some(tool) = Tool::from_name(name)
    {
        let version = version.split('+').next().unwrap_or(version);
        if toolchains::runs_on(tool, version, node) == Some(false) {
            editor.remove_field(&["packageManager"])?;
            cx.note(rule, format!(
                "{dir}: packageManager `{spec}` cannot run on Node {node}: dropped; pin one that \
                 does with `corepack use {name}@<version>`"
            ));
        }
    }
    if let Some(volta_node) = string_at(editor, &["volta", "node"])?
        && let Some(version) = semver::version(&volta_node)
        && version.major() != node
    {
        editor.remove_field(&["volta", "node"])?;
        cx.note(
            rule,
            format!(
                "{dir}: volta.node `{volta_node}` disagrees with engines.node: dropped; run \
             `volta pin node@{node}` to pin the new one"
            ),
        );
    }
    for tool in [Tool::Npm, Tool::Yarn, Tool::Pnpm] {
        let name = tool.name();
        let Some(version) = string_at(editor, &["volta", name])? else { continue };
        if toolchains::runs_on(tool, &version, node) == Some(false) {
            editor.remove_field(&["volta", name])?;
            cx.note(
                rule,
                format!(
                    "{dir}: volta.{name} `{version}` cannot run on Node {node}: dropped; run \
                 `volta pin {name}` to pin one that does"
                ),
            );
        }
    }
    // A `volta` left empty by the drops above says nothing: it goes too.
    if editor.get(&["volta"])?.is_some_and(|v| v.as_object().is_some_and(|o| o.is_empty())) {
        editor.remove_field(&["volta"])?;
    }
    Ok(())
}

fn string_at(editor: &PackageJsonEditor, key: &[&str]) -> Result<Option<String>, Error> {
    Ok(editor.get(key)?.and_then(|v| v.as_str().map(str::to_owned)))
}

/// `.nvmrc`, `.node-version` and `.tool-versions` should each name a Node that
/// `engines.node` admits: Code Capsules reads engines.node only, developers' tools read
/// the files.
fn check_version_file(cx: &mut Context, app: &App, range: &nodejs_semver::Range, shown: &str) {
    for file in &app.node_version_files {
        let value = file.value.lines().next().unwrap_or_default().trim();
        // `lts/*`, `node`, `stable` name moving targets: nothing to compare.
        let Some(says) = semver::range(value).filter(|_| !value.is_empty()) else { continue };
        if !range.allows_any(&says) {
            cx.warnings.push(Warning::in_file(
                &file.path,
                format!(
                    "says `{value}` but engines.node is `{shown}`; Code Capsules reads \
                     engines.node only: update this file to a version engines.node admits, or \
                     remove it"
                ),
            ));
        }
    }
}

/// The first `.ts`/`.mts`/`.cts` file the app runs with plain `node`, from its
/// processes, scripts and Scheduler jobs.
fn typescript_entry(cx: &Context, app: &App) -> Option<String> {
    let processes = app.processes().iter().map(|p| p.command.as_str());
    let scripts = app.package_json.iter().flat_map(|p| p.scripts().map(|(_, c)| c));
    let jobs = cx.inventory.jobs_of(&app.dir).map(|j| j.command.as_str());
    processes.chain(scripts).chain(jobs).find_map(node_runs_typescript)
}

/// `node [options] file.ts ...` in a command line: the file.
fn node_runs_typescript(line: &str) -> Option<String> {
    // Options of node that take the next word as their value.
    const VALUE_OPTIONS: &[&str] = &["-r", "--require", "--import", "--loader", "--env-file", "-C"];
    crate::shell::commands(line)?.into_iter().find_map(|command| {
        let program = command.program()?;
        if program != "node" && !program.ends_with("/node") {
            return None;
        }
        let mut args = command.args().iter();
        while let Some(arg) = args.next() {
            let text = arg.text.as_deref()?;
            if VALUE_OPTIONS.contains(&text) {
                args.next();
            } else if !text.starts_with('-') {
                let ts = [".ts", ".mts", ".cts"].iter().any(|ext| text.ends_with(ext));
                return ts.then(|| text.to_owned());
            }
        }
        None
    })
}

fn list(majors: &[u64]) -> String {
    let names: Vec<String> = majors.iter().map(u64::to_string).collect();
    match names.as_slice() {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use super::scripts::workspace_calls;
    use super::*;

    const MAJORS: &[u64] = &[20, 22, 24];

    fn decide_str(range: &str, ts: Option<&str>) -> Decision {
        decide(Some(&Value::String(range.into())), MAJORS, ts)
    }

    #[test]
    fn valid_ranges_are_kept() {
        for (range, admits) in [
            (">=20.12 <21 || 22 || 24 <24.17.0", vec![20, 22, 24]),
            ("22.18.0", vec![22]),
            ("20.x", vec![20]),
            ("^22.3", vec![22]),
            ("~24", vec![24]),
            ("v24", vec![24]),
            (">=21 <23", vec![22]),
            ("24.11.1", vec![24]),
        ] {
            assert_eq!(decide_str(range, None), Decision::Keep { admits }, "{range}");
        }
        for range in ["22.18.0", "24.x", ">=22.18 <23 || ^24", "^24.3"] {
            assert!(matches!(decide_str(range, Some("s.ts")), Decision::Keep { .. }), "{range}");
        }
    }

    #[test]
    fn pins_say_why() {
        assert_eq!(decide(None, MAJORS, None), Decision::Pin(Reason::Missing));
        for range in ["latest", "lts/*", "a.b"] {
            assert_eq!(decide_str(range, None), Decision::Pin(Reason::NotARange), "{range}");
        }
        assert_eq!(
            decide(Some(&serde_json::json!(20)), MAJORS, None),
            Decision::Pin(Reason::NotARange)
        );
        for range in ["~10.13.0", "16.x", "18", "^19", "21.x", "26.x"] {
            assert_eq!(decide_str(range, None), Decision::Pin(Reason::NoPlatformMajor), "{range}");
        }
        for range in [">=14", ">=20", "*", "", "x", ">=20 <27", "^20 || >=24"] {
            let d = decide_str(range, None);
            assert_eq!(d, Decision::Pin(Reason::PastNewest { newest: 24 }), "{range}");
        }
        for range in ["20.x", "22.x", "^22.3", ">=20.12 <21 || 22 || 24 <24.17.0", "23.x || 24"] {
            let d = decide_str(range, Some("src/server.ts"));
            let entry = "src/server.ts".to_owned();
            assert_eq!(d, Decision::Pin(Reason::CannotRunTypeScript { entry }), "{range}");
        }
    }

    #[test]
    fn folders_the_build_builds_in() {
        let text = r#"{"scripts": {
            "heroku-postbuild": "NPM_CONFIG_PRODUCTION=false npm install --prefix frontend && npm run build --prefix=frontend",
            "build": "cd client && yarn build && yarn --cwd ./admin/ build && pnpm -C ../shared build",
            "postinstall": "cd $DIR && cd / && cd .",
            "start": "cd server && node index.js"
        }}"#;
        let pkg =
            crate::inventory::package_json::PackageJson::parse("package.json", text.as_bytes())
                .unwrap();
        assert_eq!(build_folders(&pkg), ["frontend", "client", "admin"]);
    }

    #[test]
    fn scripts_run_in_workspace_members() {
        let some = |m: &str, s: &str| (Some(m.to_owned()), s.to_owned());
        let all = |s: &str| (None, s.to_owned());
        for (line, calls) in [
            ("yarn workspace @shop/server start", vec![some("@shop/server", "start")]),
            (
                "yarn workspace api run build && yarn workspaces run lint",
                vec![some("api", "build"), all("lint")],
            ),
            ("npm run build -w client", vec![some("client", "build")]),
            ("npm --workspace=packages/api start", vec![some("packages/api", "start")]),
            ("npm run build --workspaces --if-present", vec![all("build")]),
            ("pnpm --filter web build", vec![some("web", "build")]),
            ("pnpm -F @x/api run start", vec![some("@x/api", "start")]),
            ("pnpm -r build", vec![all("build")]),
            ("yarn build", vec![]),
            ("npm run build --prefix client", vec![]),
        ] {
            assert_eq!(workspace_calls(line), calls, "{line}");
        }
    }

    #[test]
    fn only_node_itself_running_a_ts_file_is_a_typescript_entry() {
        for (line, entry) in [
            ("node src/server.ts", Some("src/server.ts")),
            ("NODE_ENV=production node --env-file .env -r dotenv/config api.mts", Some("api.mts")),
            ("npm run migrate && node job.cts --once", Some("job.cts")),
            ("node dist/server.js", None),
            ("ts-node src/server.ts", None),
            ("tsx watch src/server.ts", None),
            ("node --watch server.js types.ts", None),
        ] {
            assert_eq!(node_runs_typescript(line).as_deref(), entry, "{line}");
        }
    }
}
