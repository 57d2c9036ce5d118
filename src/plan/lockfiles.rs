//! Lockfiles in step with package.json: whenever a rule adds or changes a dependency in
//! a package.json, every lockfile that governs that package gets the same change, so the
//! frozen install Code Capsules runs (`npm ci`, `yarn install --frozen-lockfile`,
//! `pnpm install --frozen-lockfile`) still succeeds.
//!
//! The lockfiles of a package are those beside its package.json and those of the
//! workspace root it is a member of (npm and yarn `workspaces`, `pnpm-workspace.yaml`).
//! An entry is written only from facts the rules carry ([`Release`]); where a lockfile
//! cannot be updated exactly, a warning names it and the one command that updates it,
//! and the guide's checklist repeats that command.

use serde_json::Value;

use super::build::{Context, Error};
use crate::diag::Warning;
use crate::edit::lockfile::{Format, Outcome, Release, Request, npm};
use crate::rules::{Rule, RuleSet};
use crate::semver::satisfies;

/// One dependency a rule added or changed: `name` at `range` in `package_json`.
struct Added {
    package_json: String,
    name: String,
    range: String,
    old_range: Option<String>,
}

/// A lockfile that governs a package: its path, its format, and the package's folder
/// relative to the lockfile's folder (`""` when beside it).
struct Governing {
    path: String,
    format: Format,
    importer: String,
    /// The folder of the lockfile (`""` at the repository root).
    root: String,
}

/// Warns about each lockfile of the apps that was already out of step with the
/// package.json files it governs before the migration: the frozen install on Code
/// Capsules would fail on the migration branch, though no rule caused it. The warning
/// names the command that brings it in step, which the guide's checklist repeats.
pub fn out_of_step_before(cx: &mut Context) -> Result<(), Error> {
    let inventory = cx.inventory;
    for path in &inventory.lockfiles {
        let Some(format) = Format::of_file_name(path.rsplit('/').next().unwrap_or(path)) else {
            continue;
        };
        let Some(app) = crate::inventory::code::owner(&inventory.apps, path)
            .and_then(|dir| inventory.app(&dir))
        else {
            continue;
        };
        if !crate::inventory::code::is_runtime_path(app, &[], path) {
            continue;
        }
        let Some(text) = original_text(cx, path)? else { continue };
        let root = parent(path).to_owned();
        let lock = Governing { path: path.clone(), format, importer: String::new(), root };
        let members = original_manifests(cx, &lock.root)?;
        let local: Vec<String> = members
            .iter()
            .filter_map(|(_, v)| v.get("name")?.as_str().map(str::to_owned))
            .collect();
        let mut unmet: Vec<(String, crate::edit::lockfile::Unmet)> = Vec::new();
        for (importer, manifest) in &members {
            let mut wanted: Vec<(String, String)> = Vec::new();
            for map in ["dependencies", "devDependencies"] {
                let entries = manifest.get(map).and_then(Value::as_object).into_iter().flatten();
                wanted
                    .extend(entries.filter_map(|(n, r)| Some((n.clone(), r.as_str()?.to_owned()))));
            }
            match format.unmet(&text, importer, &wanted, &local) {
                Ok(found) => {
                    let manifest_path = join(&join_dir(&lock.root, importer), "package.json");
                    unmet.extend(found.into_iter().map(|u| (manifest_path.clone(), u)));
                }
                // A lockfile this tool cannot read is not judged; editing it reports that.
                Err(_) => break,
            }
        }
        if unmet.is_empty() {
            continue;
        }
        let mut manifests: Vec<&str> = unmet.iter().map(|(m, _)| m.as_str()).collect();
        manifests.dedup();
        let mut listed: Vec<String> = unmet
            .iter()
            .take(3)
            .map(|(_, u)| match &u.locked {
                None => format!("{} `{}` (none recorded)", u.name, u.range),
                Some(v) => format!("{} `{}` (it has `{v}`)", u.name, u.range),
            })
            .collect();
        if unmet.len() > 3 {
            listed.push(format!("and {} more", unmet.len() - 3));
        }
        let dir = if lock.root.is_empty() { "." } else { lock.root.as_str() };
        cx.warnings.push(Warning::in_file(
            path,
            format!(
                "was already out of step with package.json before the migration, which did not \
                 cause it: it does not record what {} {} for: {}: {COMMAND_PREFIX}{}` in \
                 `{dir}`{COMMAND_SUFFIX}",
                manifests.join(", "),
                if manifests.len() == 1 { "asks" } else { "ask" },
                listed.join(", "),
                format.update_command(&text),
            ),
        ));
    }
    Ok(())
}

/// The text of `path` as the repository has it, before any rule; `None` when it is
/// absent or not UTF-8.
fn original_text(cx: &Context, path: &str) -> Result<Option<String>, Error> {
    match cx.files.source().entry(path) {
        Some(e) if e.kind.is_regular() => Ok(String::from_utf8(cx.files.source().read(path)?).ok()),
        _ => Ok(None),
    }
}

/// The package.json files of the package at `root` and of its workspace members (npm and
/// yarn `workspaces`, `pnpm-workspace.yaml`), as the repository has them: each with its
/// folder relative to `root` (`""` for the package itself). A lockfile at `root` governs
/// them all, the folder being the member's importer.
pub(super) fn original_manifests(
    cx: &mut Context,
    root: &str,
) -> Result<Vec<(String, Value)>, Error> {
    let mut found = Vec::new();
    let parse = |text: Option<String>| text.and_then(|t| serde_json::from_str::<Value>(&t).ok());
    if let Some(value) = parse(original_text(cx, &join(root, "package.json"))?) {
        found.push((String::new(), value));
    }
    let patterns = workspace_patterns(cx, root)?;
    if patterns.is_empty() {
        return Ok(found);
    }
    let prefix = if root.is_empty() { String::new() } else { format!("{}/", root) };
    let members: Vec<String> = cx
        .files
        .source()
        .entries()
        .iter()
        .filter(|e| {
            e.path.ends_with("/package.json") && !crate::inventory::in_node_modules(&e.path)
        })
        .filter_map(|e| parent(&e.path).strip_prefix(&prefix).map(str::to_owned))
        .filter(|dir| member_of(&patterns, dir))
        .collect();
    for member in members {
        let path = join(&join_dir(root, &member), "package.json");
        if let Some(value) = parse(original_text(cx, &path)?) {
            found.push((member, value));
        }
    }
    Ok(found)
}

/// Brings every lockfile that governs an edited package.json in step with the
/// dependencies the rules added or changed in it.
pub fn keep_in_step(cx: &mut Context, rules: &RuleSet) -> Result<(), Error> {
    let releases = rules.locked_releases();
    for added in added_dependencies(cx)? {
        let release = releases
            .iter()
            .find(|(_, r)| r.name == added.name && satisfies(&added.range, &r.version))
            .copied();
        for lock in governing(cx, &added.package_json)? {
            update(cx, &added, &lock, release)?;
        }
    }
    engines_in_step(cx)
}

/// npm 7+ records each package's `engines` in its lockfile entry: a pin a rule made in
/// package.json goes there too, so `npm install` finds nothing to change.
fn engines_in_step(cx: &mut Context) -> Result<(), Error> {
    let paths: Vec<String> = cx.files.edited_paths().map(str::to_owned).collect();
    for path in paths.iter().filter(|p| p.rsplit('/').next() == Some("package.json")) {
        let (old, new) = versions_of(cx, path)?;
        let Some(new) = new else { continue };
        let engines = new.get("engines");
        if old.as_ref().and_then(|o| o.get("engines")) == engines {
            continue;
        }
        let rules = cx.files.rules_of(path).to_vec();
        for lock in governing(cx, path)?.into_iter().filter(|l| l.format == Format::Npm) {
            let Some(text) = cx.read_text(&lock.path)? else { continue };
            match npm::set_engines(&text, &lock.importer, engines) {
                Ok(Outcome::Edited(edited)) => {
                    for rule in &rules {
                        cx.files.write(&lock.path, edited.clone().into_bytes(), rule);
                    }
                }
                Ok(_) => {}
                Err(e) => return Err(Error::File(e.to_file_error(&lock.path, &text))),
            }
        }
    }
    Ok(())
}

/// A package.json as the source has it and as the rules left it (`None`: absent or not
/// JSON).
fn versions_of(cx: &Context, path: &str) -> Result<(Option<Value>, Option<Value>), Error> {
    let new = cx.files.read(path)?.and_then(|b| serde_json::from_slice::<Value>(&b).ok());
    let old = match cx.files.source().entry(path) {
        Some(e) if e.kind.is_regular() => {
            serde_json::from_slice::<Value>(&cx.files.source().read(path)?).ok()
        }
        _ => None,
    };
    Ok((old, new))
}

/// Updates one lockfile for one dependency, or says why it cannot and what to run.
fn update(
    cx: &mut Context,
    added: &Added,
    lock: &Governing,
    release: Option<(&Rule, &Release)>,
) -> Result<(), Error> {
    let Some(text) = cx.read_text(&lock.path)? else { return Ok(()) };
    let Some((rule, release)) = release else {
        let why = format!("this tool knows no release of {} for `{}`", added.name, added.range);
        inexact(cx, added, lock, &text, &why);
        return Ok(());
    };
    let manifests = manifests_of(cx, lock)?;
    if let Some(why) = overridden(&manifests.overrides, &added.name) {
        inexact(cx, added, lock, &text, &why);
        return Ok(());
    }
    let req = Request {
        importer: &lock.importer,
        range: &added.range,
        old_range: added.old_range.as_deref(),
        release,
        manifests: &manifests.dependencies,
    };
    match lock.format.add(&text, &req) {
        // The rule whose facts made the entry owns the change.
        Ok(Outcome::Edited(new)) => cx.files.write(&lock.path, new.into_bytes(), &rule.id),
        Ok(Outcome::Unchanged) => {}
        Ok(Outcome::Inexact(why)) => inexact(cx, added, lock, &text, &why),
        Err(e) => return Err(Error::File(e.to_file_error(&lock.path, &text))),
    }
    Ok(())
}

/// The warning for a lockfile that cannot be updated exactly. Its wording is read back
/// by [`checklist_item`].
fn inexact(cx: &mut Context, added: &Added, lock: &Governing, text: &str, why: &str) {
    let dir = if lock.root.is_empty() { "." } else { lock.root.as_str() };
    cx.warnings.push(Warning::in_file(
        &lock.path,
        format!(
            "does not record {} `{}` ({why}): {COMMAND_PREFIX}{}` in `{dir}`{COMMAND_SUFFIX}",
            added.name,
            added.range,
            lock.format.update_command(text),
        ),
    ));
}

const COMMAND_PREFIX: &str = "run `";
const COMMAND_SUFFIX: &str = " and commit the lockfile, or the frozen install fails";

/// The guide's checklist line for a lockfile warning of this module, if `w` is one.
pub fn checklist_item(w: &Warning) -> Option<String> {
    let file = w.file.as_deref()?;
    Format::of_file_name(file.rsplit('/').next().unwrap_or(file))?;
    let (_, rest) = w.message.split_once(COMMAND_PREFIX)?;
    let (command, rest) = rest.split_once('`')?;
    let dir = rest.strip_prefix(" in `")?.strip_suffix(COMMAND_SUFFIX)?.strip_suffix('`')?;
    Some(format!("Run `{command}` in `{dir}` and commit `{file}`"))
}

/// The dependencies whose range a rule set or changed, per edited package.json.
fn added_dependencies(cx: &Context) -> Result<Vec<Added>, Error> {
    let mut out = Vec::new();
    for path in cx.files.edited_paths() {
        if path.rsplit('/').next() != Some("package.json") {
            continue;
        }
        let (old, Some(new)) = versions_of(cx, path)? else { continue };
        let old_deps = old.as_ref().and_then(|o| o.get("dependencies"));
        let Some(new_deps) = new.get("dependencies").and_then(Value::as_object) else { continue };
        for (name, range) in new_deps {
            let old_range = old_deps.and_then(|d| d.get(name)).and_then(Value::as_str);
            let Some(range) = range.as_str() else { continue };
            if old_range == Some(range) {
                continue;
            }
            out.push(Added {
                package_json: path.to_owned(),
                name: name.clone(),
                range: range.to_owned(),
                old_range: old_range.map(str::to_owned),
            });
        }
    }
    Ok(out)
}

/// The lockfiles that govern the package of `package_json`: beside it, and at the root
/// of the workspace it belongs to. Two lockfiles of different package managers in one
/// folder are reported: Heroku refuses to build such an app.
fn governing(cx: &mut Context, package_json: &str) -> Result<Vec<Governing>, Error> {
    let dir = parent(package_json);
    let mut found = lockfiles_in(cx, dir, "");
    if let Some(root) = workspace_root(cx, dir)? {
        let importer =
            if root.is_empty() { dir.to_owned() } else { dir[root.len() + 1..].to_owned() };
        found.extend(lockfiles_in(cx, &root, &importer));
    }
    Ok(found)
}

fn lockfiles_in(cx: &mut Context, dir: &str, importer: &str) -> Vec<Governing> {
    let found: Vec<Governing> = Format::FILE_NAMES
        .iter()
        .map(|(name, format)| (join(dir, name), *format))
        .filter(|(path, _)| cx.files.exists(path))
        .map(|(path, format)| Governing {
            path,
            format,
            importer: importer.to_owned(),
            root: dir.to_owned(),
        })
        .collect();
    let mut managers: Vec<Format> = found.iter().map(|g| g.format).collect();
    managers.dedup();
    if managers.len() > 1 {
        let names: Vec<&str> =
            found.iter().map(|g| g.path.rsplit('/').next().unwrap_or(&g.path)).collect();
        let shown =
            if dir.is_empty() { "the repository root".to_owned() } else { format!("`{dir}`") };
        cx.warnings.push(Warning::new(format!(
            "{shown} has lockfiles of different package managers ({}): Heroku fails such a \
             build, and a build installs from one of them only (yarn.lock, else \
             pnpm-lock.yaml, else npm's); each was kept in step, but keep the one you install \
             with and delete the others",
            names.join(", ")
        )));
    }
    found
}

/// The folder of the workspace root whose `workspaces` (package.json) or
/// `pnpm-workspace.yaml` `packages` take in `dir`, if any.
fn workspace_root(cx: &mut Context, dir: &str) -> Result<Option<String>, Error> {
    let mut ancestor = dir;
    while !ancestor.is_empty() {
        ancestor = parent(ancestor);
        let relative = if ancestor.is_empty() { dir } else { &dir[ancestor.len() + 1..] };
        let patterns = workspace_patterns(cx, ancestor)?;
        if member_of(&patterns, relative) {
            return Ok(Some(ancestor.to_owned()));
        }
    }
    Ok(None)
}

/// The workspace globs declared in `dir`: package.json `workspaces` (an array, or
/// `{ "packages": [...] }`) and pnpm-workspace.yaml's `packages` list.
fn workspace_patterns(cx: &mut Context, dir: &str) -> Result<Vec<String>, Error> {
    let mut patterns = Vec::new();
    let manifest = cx.read_text(&join(dir, "package.json"))?;
    if let Some(value) = manifest.and_then(|t| serde_json::from_str::<Value>(&t).ok()) {
        let list = value.get("workspaces").map(|w| w.get("packages").unwrap_or(w));
        let items = list.and_then(Value::as_array).into_iter().flatten();
        patterns.extend(items.filter_map(Value::as_str).map(str::to_owned));
    }
    if let Some(text) = cx.read_text(&join(dir, "pnpm-workspace.yaml"))? {
        patterns.extend(pnpm_workspace_packages(&text));
    }
    Ok(patterns)
}

/// The items of the top-level `packages:` list of a pnpm-workspace.yaml.
fn pnpm_workspace_packages(text: &str) -> Vec<String> {
    let mut in_packages = false;
    let mut out = Vec::new();
    for line in text.lines() {
        let trimmed = line.trim();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        if !line.starts_with([' ', '-']) {
            in_packages = trimmed == "packages:";
            continue;
        }
        if let Some(item) = trimmed.strip_prefix('-').filter(|_| in_packages) {
            let item = item.split(" #").next().unwrap_or(item).trim();
            out.push(item.trim_matches(['\'', '"']).to_owned());
        }
    }
    out
}

/// Whether `relative` matches a workspace glob and no `!` exclusion.
fn member_of(patterns: &[String], relative: &str) -> bool {
    let matches = |pattern: &str| {
        let pattern = pattern.trim_start_matches("./").trim_end_matches('/');
        gix_glob::wildmatch(
            pattern.into(),
            relative.into(),
            gix_glob::wildmatch::Mode::NO_MATCH_SLASH_LITERAL,
        )
    };
    let included = patterns.iter().any(|p| !p.starts_with('!') && matches(p));
    included && !patterns.iter().any(|p| p.strip_prefix('!').is_some_and(matches))
}

/// What the package.json files a lockfile governs ask for.
struct Manifests {
    /// Every (name, range) of their dependency maps.
    dependencies: Vec<(String, String)>,
    /// Their `overrides` (npm), `resolutions` (yarn) and `pnpm.overrides` objects.
    overrides: Vec<Value>,
}

/// The package.json of the lockfile's folder and, for a workspace root, of every member.
fn manifests_of(cx: &mut Context, lock: &Governing) -> Result<Manifests, Error> {
    let mut paths = vec![join(&lock.root, "package.json")];
    let patterns = workspace_patterns(cx, &lock.root)?;
    if !patterns.is_empty() {
        let members = cx.files.source().entries().iter().filter_map(|e| {
            let dir = parent(&e.path);
            let inside = if lock.root.is_empty() {
                Some(dir)
            } else {
                dir.strip_prefix(&format!("{}/", lock.root))
            };
            (e.path.ends_with("/package.json") && inside.is_some_and(|d| member_of(&patterns, d)))
                .then(|| e.path.clone())
        });
        paths.extend(members.collect::<Vec<_>>());
    }
    let mut out = Manifests { dependencies: Vec::new(), overrides: Vec::new() };
    for path in paths {
        let Some(text) = cx.read_text(&path)? else { continue };
        let Ok(value) = serde_json::from_str::<Value>(&text) else { continue };
        for map in ["dependencies", "devDependencies", "optionalDependencies"] {
            let entries = value.get(map).and_then(Value::as_object).into_iter().flatten();
            out.dependencies
                .extend(entries.filter_map(|(n, r)| Some((n.clone(), r.as_str()?.to_owned()))));
        }
        for key in [&["overrides"][..], &["resolutions"], &["pnpm", "overrides"]] {
            if let Some(o) = key.iter().try_fold(&value, |v, k| v.get(*k)) {
                out.overrides.push(o.clone());
            }
        }
    }
    Ok(out)
}

/// Why an override of `name` in a package.json makes the entry unknowable, if one does.
fn overridden(overrides: &[Value], name: &str) -> Option<String> {
    let mentions = |o: &Value| match o {
        Value::Object(map) => map.keys().any(|k| {
            k == name
                || k.contains(&format!("{name}@"))
                || k.ends_with(&format!("/{name}"))
                || k.contains(&format!("{name}>"))
        }),
        _ => false,
    };
    overrides.iter().any(mentions).then(|| format!("a package.json overrides {name}"))
}

fn parent(path: &str) -> &str {
    path.rfind('/').map_or("", |i| &path[..i])
}

/// `dir/sub`, either of which may be empty (the root, the lockfile's own folder).
fn join_dir(dir: &str, sub: &str) -> String {
    if sub.is_empty() { dir.to_owned() } else { join(dir, sub) }
}

fn join(dir: &str, name: &str) -> String {
    if dir.is_empty() { name.to_owned() } else { format!("{dir}/{name}") }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn workspace_globs_as_npm_and_pnpm_read_them() {
        let p = |list: &[&str]| list.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert!(member_of(&p(&["packages/*"]), "packages/emailer"));
        assert!(member_of(&p(&["./packages/*/"]), "packages/emailer"));
        assert!(!member_of(&p(&["packages/*"]), "packages/a/b"));
        assert!(member_of(&p(&["apps/**"]), "apps/a/b"));
        assert!(member_of(&p(&["emailer"]), "emailer"));
        assert!(!member_of(&p(&["packages/*", "!packages/emailer"]), "packages/emailer"));
        assert!(!member_of(&p(&[]), "emailer"));
    }

    #[test]
    fn pnpm_workspace_yaml_packages() {
        let yaml = "packages:\n  - 'apps/*'\n  - \"libs/**\" # shared\n  - '!**/test/**'\ncatalog:\n  - x\n";
        assert_eq!(pnpm_workspace_packages(yaml), ["apps/*", "libs/**", "!**/test/**"]);
    }

    #[test]
    fn the_checklist_reads_back_the_warning() {
        let w = Warning::in_file(
            "app/yarn.lock",
            format!(
                "does not record x `^1` (why): {COMMAND_PREFIX}yarn install` in `app`{COMMAND_SUFFIX}"
            ),
        );
        assert_eq!(
            checklist_item(&w).as_deref(),
            Some("Run `yarn install` in `app` and commit `app/yarn.lock`")
        );
        assert_eq!(checklist_item(&Warning::in_file("app/package.json", "x")), None);
    }
}
