//! `frontend-build` and `rewrite-urls`: a static frontend gets its backend URL at build
//! time instead of a hard-coded `*.herokuapp.com` address.

use super::build::{Context, Error};
use crate::component::{Component, script_blocks};
use crate::diag::Warning;
use crate::edit::package_json::PackageJsonEditor;
use crate::edit::webpack_config::{Exposure, expose};
use crate::edit::{components, html, js_urls};
use crate::generate::frontend::build_script;
use crate::inventory::config::manager_of;
use crate::inventory::frontend::{FrontendKind, tidy, webpack_config};
use crate::inventory::hosts::{HostRole, app_name_of};
use crate::inventory::{App, join, parent};
use crate::lang::Lang;
use crate::rules::Rule;

/// The global the generated config script sets, and static frontend code reads.
pub const GLOBAL: &str = "BACKEND_URL";

pub fn build_step(
    cx: &mut Context,
    rule: &Rule,
    env: &str,
    script: &str,
    output: &str,
) -> Result<(), Error> {
    for app in &cx.inventory.apps {
        let Some(frontend) = &app.frontend else { continue };
        super::own_origin::warn(cx, app, frontend, env);
        if !cx.inventory.needs_backend_url(&app.dir, env) {
            cx.note(
                rule,
                format!(
                    "{}: its code calls no backend of this repository and reads no backend \
                     URL variable: no URL to bake into the build",
                    app.display_dir()
                ),
            );
            continue;
        }
        let vars = variables(cx, app, env);
        warn_about_proxies(cx, app, frontend, &vars);
        if !frontend.kind.loads_config_script() {
            let names: Vec<String> =
                vars.iter().map(|(var, _)| frontend.backend_url_var(var)).collect();
            warn_about_parcel_target(cx, app, &names)?;
            if frontend.kind == FrontendKind::Webpack {
                expose_to_webpack(cx, rule, app, &names)?;
            }
            cx.note(rule, format!(
                "{}: built by {}; set {} (with https://) on the Capsule so the build bakes it in",
                app.display_dir(),
                frontend.kind.label(),
                names.join(" and ")
            ));
            continue;
        }
        let public = &frontend.public_dir;
        // Neither the script nor the file it writes may replace one of the app's own.
        // An output folder beside the app's (`../api/public`) is named by its repository path.
        let output_in_repo = join(&join(app.build_dir(), public), output);
        let output_in_repo = tidy(&output_in_repo).unwrap_or(output_in_repo);
        let wanted = [app.path_of(script), output_in_repo];
        let script_path = cx.free_path(&wanted[0], "capsule")?;
        let output_path = cx.free_path(&wanted[1], "capsule")?;
        for (wanted, chosen) in wanted.iter().zip([&script_path, &output_path]) {
            if wanted != chosen {
                cx.note(
                    rule,
                    format!(
                        "`{wanted}` is the app's own file: the generated one is `{chosen}` instead"
                    ),
                );
            }
        }
        let script = script_path.rsplit('/').next().unwrap_or(&script_path);
        let output = output_path.rsplit('/').next().unwrap_or(&output_path);
        let output_rel =
            if public.is_empty() { output.to_owned() } else { format!("{public}/{output}") };
        let script_text = build_script(&vars, &output_rel);
        cx.files.write(&script_path, script_text.into_bytes(), &rule.id);
        add_build_script(cx, rule, app, script)?;
        ignore_output(cx, rule, app, &output_rel)?;
        let mut pages = match &frontend.page_template {
            // The bundler copies its page template to the output folder's root.
            Some(template) => vec![(app.path_of(template), output.to_owned())],
            None => pages_of(cx, app, &join(app.build_dir(), public), output),
        };
        if frontend.rooted_routes {
            // Every path serves the same page: a relative `config.js` would miss below `/`.
            pages.iter_mut().for_each(|(_, src)| *src = format!("/{output}"));
        }
        load_in_pages(cx, rule, &pages, output)?;
    }
    Ok(())
}

/// True for a Parcel frontend whose package.json names no browsers: no
/// `engines.browsers`, no `browserslist` key, and no `browserslist` or `.browserslistrc`
/// file in its folder or above. Parcel 2 then takes its build target from `engines`: the
/// browser without `engines.node`, Node with it, and a Node target leaves `process.env.X`
/// in the page instead of inlining the build's value (Parcel's TargetRequest; seen with
/// Parcel 2.13 in the browser test).
pub(super) fn parcel_names_no_browsers(cx: &Context, app: &App) -> Result<bool, Error> {
    if app.frontend.as_ref().is_none_or(|f| f.kind != FrontendKind::Parcel) {
        return Ok(false);
    }
    let path = app.path_of("package.json");
    let Some(bytes) = cx.files.read(&path)? else { return Ok(true) };
    let pkg: serde_json::Value = serde_json::from_slice(&bytes).unwrap_or_default();
    if pkg.get("browserslist").is_some() || pkg.pointer("/engines/browsers").is_some() {
        return Ok(false);
    }
    let mut folder = Some(app.build_dir());
    while let Some(dir) = folder {
        if ["browserslist", ".browserslistrc"].iter().any(|n| cx.files.exists(&join(dir, n))) {
            return Ok(false);
        }
        folder = (!dir.is_empty()).then(|| parent(dir));
    }
    Ok(true)
}

/// A Parcel frontend that already had `engines.node` and names no browsers is built for
/// Node, so the `process.env.X` it now reads would stay unread in the page.
fn warn_about_parcel_target(cx: &mut Context, app: &App, names: &[String]) -> Result<(), Error> {
    if !parcel_names_no_browsers(cx, app)? {
        return Ok(());
    }
    let path = app.path_of("package.json");
    let Some(bytes) = cx.files.read(&path)? else { return Ok(()) };
    let pkg: serde_json::Value = serde_json::from_slice(&bytes).unwrap_or_default();
    if pkg.pointer("/engines/node").is_none() {
        return Ok(());
    }
    cx.warnings.push(Warning::in_file(
        &path,
        format!(
            "has engines.node and names no browsers, so Parcel builds the page for Node and \
             leaves `process.env.{}` unread in it: add a `browserslist` (for example \
             `\"browserslist\": \"> 0.5%, last 2 versions, not dead\"`) so it builds for the \
             browser and inlines the value",
            names.join("`, `process.env.")
        ),
    ));
    Ok(())
}

/// webpack replaces only the `process.env.X` its config names: the config gets an
/// `EnvironmentPlugin` for `names` unless a plugin already hands them to the bundle.
fn expose_to_webpack(
    cx: &mut Context,
    rule: &Rule,
    app: &App,
    names: &[String],
) -> Result<(), Error> {
    let package = app.package_json.as_ref().map(|p| serde_json::Value::Object(p.value.clone()));
    let files = &cx.files;
    let read = |name: &str| -> Option<String> {
        let path = tidy(&app.path_of(name)).filter(|p| !p.starts_with(".."))?;
        String::from_utf8(files.read(&path).ok()??).ok()
    };
    let plugin = format!("new webpack.EnvironmentPlugin([\"{}\"])", names.join("\", \""));
    let Some(config) = webpack_config(package.as_ref(), &read) else {
        cx.warnings.push(Warning::new(format!(
            "{}: no webpack config found (webpack.config.js, or the build's --config): add \
             `{plugin}` to its plugins so the bundle gets `process.env.{}`",
            app.display_dir(),
            names.join("`, `process.env.")
        )));
        return Ok(());
    };
    match expose(&config, names) {
        Exposure::Already => {}
        Exposure::Edited { file, text } => {
            // A config merged in from beside the app (`../shared/webpack.common.js`) is
            // named by its repository path; one above the repository is not edited.
            match tidy(&app.path_of(&file)).filter(|p| !p.starts_with("..")) {
                Some(path) => cx.files.write(&path, text.into_bytes(), &rule.id),
                None => cx.warnings.push(Warning::new(format!(
                    "{}: `{file}` is outside the repository: add \
                     `new webpack.EnvironmentPlugin([\"{}\"])` to its plugins by hand",
                    app.display_dir(),
                    names.join("\", \"")
                ))),
            }
        }
        Exposure::NoPlace { file, plugin } => cx.warnings.push(Warning::in_file(
            app.path_of(&file),
            format!(
                "has no `plugins` array or config object capsule-migrate can find: add \
                 `{plugin}` to the plugins of the config webpack builds with, so the bundle gets \
                 `process.env.{}` (webpack leaves it unset otherwise)",
                names.join("`, `process.env.")
            ),
        )),
    }
    Ok(())
}

/// heroku-buildpack-static forwarded some paths (`/api/`) to the backend, so the page
/// called them on its own origin; a Code Capsules static site forwards nothing.
fn warn_about_proxies(
    cx: &mut Context,
    app: &App,
    frontend: &crate::inventory::Frontend,
    vars: &[(String, String)],
) {
    let path = app.path_of("static.json");
    let Some(text) = cx.files.read(&path).ok().flatten() else { return };
    let text = String::from_utf8_lossy(&text).into_owned();
    let (base, global) = vars.first().cloned().unwrap_or_default();
    let var = frontend.backend_url_var(&base);
    let expression = frontend.kind.expression(&var, &global, false);
    for (line, proxied, origin) in crate::inventory::frontend::static_json_proxies(&text) {
        cx.warnings.push(Warning::at_line(
            &path,
            line,
            format!(
                "heroku-buildpack-static forwarded `{proxied}` to {origin}, and a Code Capsules \
                 static site forwards nothing: {var} now carries the backend Capsule's URL into \
                 the build; where the page calls `{proxied}...` on its own origin, call \
                 `{expression} + \"{proxied}...\"` instead (the backend must allow the \
                 site's origin, CORS)"
            ),
        ));
    }
}

/// The frontend's backend URL variables, before any bundler prefix, with the global each
/// sets in the page: one per backend its code calls (`BACKEND_URL`, or
/// `BACKEND_URL_<APP>` each when there are several), else `env` alone.
fn variables(cx: &Context, app: &App, env: &str) -> Vec<(String, String)> {
    let env = cx.inventory.backend_env(&app.dir, env);
    let bindings = cx.inventory.bindings(&app.dir, env);
    if bindings.is_empty() {
        return vec![(env.to_owned(), GLOBAL.to_owned())];
    }
    bindings
        .into_iter()
        .map(|b| {
            let global = format!("{GLOBAL}{}", &b.var[env.len()..]);
            (b.var, global)
        })
        .collect()
}

/// `npm run build` runs the generated script, after the app's own build if it has one.
fn add_build_script(cx: &mut Context, rule: &Rule, app: &App, script: &str) -> Result<(), Error> {
    let step = format!("node {script}");
    let path = app.path_of("package.json");
    let Some(bytes) = cx.files.read(&path)? else {
        let name = app.dir.rsplit('/').next().filter(|n| !n.is_empty()).unwrap_or("frontend");
        let pkg = serde_json::json!({
            "name": name,
            "private": true,
            "scripts": { "build": step },
        });
        let mut text = serde_json::to_string_pretty(&pkg).expect("a JSON value serialises");
        text.push('\n');
        cx.files.write(&path, text.into_bytes(), &rule.id);
        return Ok(());
    };
    let Ok(text) = String::from_utf8(bytes) else {
        cx.warnings.push(Warning::in_file(&path, "is not UTF-8 text: add the build step by hand"));
        return Ok(());
    };
    let mut editor = PackageJsonEditor::new(&path, text);
    editor.chain_script("build", &step)?;
    cx.save(editor, rule)
}

/// The generated config is a build output: keep it out of git.
fn ignore_output(cx: &mut Context, rule: &Rule, app: &App, output_rel: &str) -> Result<(), Error> {
    if output_rel.starts_with("../") {
        // A .gitignore cannot name a file above its own folder.
        let repo_path = tidy(&join(&app.dir, output_rel)).unwrap_or_else(|| output_rel.to_owned());
        cx.note(
            rule,
            format!(
                "{}: `{}` writes `{repo_path}`, outside the app's folder: add it to a .gitignore \
                 so it is not committed",
                app.display_dir(),
                manager_of(&cx.inventory.lockfiles, app).run("build")
            ),
        );
        return Ok(());
    }
    let path = app.path_of(".gitignore");
    let line = format!("/{output_rel}");
    let mut text = if cx.files.exists(&path) {
        let Some(text) = cx.read_text(&path)? else { return Ok(()) };
        text
    } else {
        String::new()
    };
    if text.lines().any(|l| l.trim() == line || l.trim() == output_rel) {
        return Ok(());
    }
    if !text.is_empty() && !cx.is_free_or_generated(&path)? {
        // The user's own .gitignore is theirs to edit.
        cx.note(
            rule,
            format!(
                "{}: `{}` writes `{output_rel}`: add `{line}` to `{path}` so it is not committed",
                app.display_dir(),
                manager_of(&cx.inventory.lockfiles, app).run("build")
            ),
        );
        return Ok(());
    }
    let newline = if text.contains("\r\n") { "\r\n" } else { "\n" };
    if !text.is_empty() && !text.ends_with('\n') {
        text.push_str(newline);
    }
    let build = manager_of(&cx.inventory.lockfiles, app).run("build");
    text.push_str(&format!("# Generated by capsule-migrate: `{build}` writes this file"));
    text.push_str(newline);
    text.push_str(&line);
    text.push_str(newline);
    cx.files.write(&path, text.into_bytes(), &rule.id);
    Ok(())
}

/// Every HTML page of the public folder, with the `src` that loads `output` from it.
fn pages_of(cx: &mut Context, app: &App, public: &str, output: &str) -> Vec<(String, String)> {
    let prefix = if public.is_empty() { String::new() } else { format!("{public}/") };
    let pages: Vec<(String, String)> = cx
        .files
        .source()
        .entries()
        .iter()
        .filter(|e| e.kind.is_regular() && e.path.starts_with(&prefix) && e.path.ends_with(".html"))
        .filter(|e| !crate::inventory::in_node_modules(&e.path))
        .map(|e| {
            let below = parent(&e.path).strip_prefix(public).unwrap_or("");
            let ups = below.split('/').filter(|p| !p.is_empty()).count();
            (e.path.clone(), format!("{}{output}", "../".repeat(ups)))
        })
        .collect();
    if pages.is_empty() {
        cx.warnings.push(Warning::new(format!(
            "{}: no HTML page found in {}; load {output} from your page before your scripts",
            app.display_dir(),
            if public.is_empty() { "." } else { public }
        )));
    }
    pages
}

/// Each page loads the config before its own scripts.
fn load_in_pages(
    cx: &mut Context,
    rule: &Rule,
    pages: &[(String, String)],
    output: &str,
) -> Result<(), Error> {
    for (page, src) in pages {
        if !cx.files.exists(page) {
            cx.warnings.push(Warning::in_file(
                page,
                format!("not found: load {output} from your page template before your scripts"),
            ));
            continue;
        }
        let Some(html_text) = cx.read_text(page)? else { continue };
        match html::add_script(&html_text, src) {
            Some(edited) if edited != html_text => cx.files.write(page, edited.into_bytes(), &rule.id),
            Some(_) => {}
            None if html_text.contains(src.as_str()) => {}
            None => cx.warnings.push(Warning::in_file(page, format!(
                "no <head>, <body> or <script> to load {src} before; add <script src=\"{src}\"></script>"
            ))),
        }
    }
    Ok(())
}

/// `rewrite-urls`: hard-coded herokuapp origins of the repository's backends in a
/// frontend's code become the injected value; every other herokuapp address is kept and
/// named, and those in other code are reported.
pub fn rewrite_urls(cx: &mut Context, rule: &Rule, env: &str) -> Result<(), Error> {
    let inventory = cx.inventory;
    // A bundler's committed output is rebuilt from the sources: neither edited nor reported.
    let code: Vec<_> = inventory
        .code
        .iter()
        .filter(|c| !c.facts.herokuapp_urls.is_empty() && !inventory.is_build_output(&c.path))
        .collect();
    // Read in order here; parse again on every core below (tens of milliseconds on one).
    let mut edits: Vec<(&str, Code, Replacements, String)> = Vec::new();
    for file in code {
        let app = file.app.as_deref().and_then(|dir| inventory.app(dir));
        let frontend = app.and_then(|a| a.frontend.as_ref().map(|f| (a, f)));
        let kind = match (Lang::of_path(&file.path), Component::of_path(&file.path)) {
            (Some(lang), _) => Some(Code::Source(lang)),
            (None, Some(component)) => Some(Code::Component(component)),
            (None, None) => None,
        };
        let (Some((app, frontend)), Some(kind)) = (frontend, kind) else {
            if crate::inventory::docs::place_of(&file.path) == crate::inventory::docs::Place::Tests
            {
                // Test code: summarised per folder by the inventory.
                continue;
            }
            for url in &file.facts.herokuapp_urls {
                cx.warnings.push(Warning::at_line(
                    &file.path,
                    url.line,
                    format!("hard-coded Heroku URL {}: point it at the new Capsule", url.url),
                ));
            }
            continue;
        };
        // Heroku app name -> the expression that replaces its origin.
        let Some(text) = cx.read_text(&file.path)? else { continue };
        let typescript = kind.is_typescript(&text);
        let mut replacements = Vec::new();
        let env = inventory.backend_env(&app.dir, env);
        for binding in inventory.bindings(&app.dir, env) {
            let global = format!("{GLOBAL}{}", &binding.var[env.len()..]);
            let var = frontend.backend_url_var(&binding.var);
            let expression = frontend.kind.expression(&var, &global, typescript);
            for host in binding.hosts {
                replacements.push((host, expression.clone()));
            }
        }
        edits.push((&file.path, kind, replacements, text));
    }
    let rewritten = crate::pool::map_in_parallel(edits.len(), |i| {
        let (_, kind, replacements, text) = &edits[i];
        let pick = |url: &str| choose(inventory, replacements, url);
        match kind {
            Code::Source(lang) => js_urls::rewrite_herokuapp_urls_by(text, *lang, pick),
            Code::Component(component) => components::rewrite_component(text, *component, &pick),
        }
    });
    for ((path, _, replacements, _), rewrite) in edits.iter().zip(rewritten) {
        for skipped in &rewrite.skipped {
            cx.warnings.push(Warning::at_line(
                *path,
                skipped.line,
                format!("{} left as it is: {}", skipped.url, skipped.reason),
            ));
        }
        if rewrite.rewrites.is_empty() {
            continue;
        }
        let text = rewrite.text.clone();
        for done in &rewrite.rewrites {
            let name = app_name_of(&done.url).unwrap_or_default();
            let to = replacements.iter().find(|(host, _)| *host == name).map_or("", |(_, e)| e);
            cx.note(rule, format!("{path}:{}: {} -> {to}", done.line, done.url));
        }
        cx.files.write(path, text.into_bytes(), &rule.id);
    }
    Ok(())
}

/// Heroku app name -> the expression that replaces its origin in one file.
type Replacements = Vec<(String, String)>;

/// How a file with herokuapp URLs is read.
#[derive(Clone, Copy)]
enum Code {
    Source(Lang),
    Component(Component),
}

impl Code {
    /// TypeScript knows no `window.BACKEND_URL`: such files get a cast.
    fn is_typescript(self, text: &str) -> bool {
        match self {
            Code::Source(lang) => matches!(lang, Lang::TypeScript | Lang::Tsx),
            Code::Component(component) => script_blocks(component, text)
                .iter()
                .any(|b| matches!(b.lang, Lang::TypeScript | Lang::Tsx)),
        }
    }
}

/// The expression for a literal's origin, or why it stays: only the hosts of the
/// frontend's backends are rewritten.
pub(crate) fn choose(
    inventory: &crate::inventory::Inventory,
    replacements: &[(String, String)],
    url: &str,
) -> Result<String, String> {
    let Some(name) = app_name_of(url) else {
        return Err("not a Heroku app address".into());
    };
    if let Some((_, expression)) = replacements.iter().find(|(host, _)| *host == name) {
        return Ok(expression.clone());
    }
    Err(match inventory.host_role(&name) {
        HostRole::OwnApp { app } => format!(
            "{name}.herokuapp.com is the Heroku address of `{app}`, not a backend: point it \
             at that app's new Capsule by hand"
        ),
        HostRole::Backend { .. } => format!(
            "{name}.herokuapp.com is a backend this frontend's build gets no variable for: \
             point it at that backend's new Capsule by hand"
        ),
        HostRole::Unknown => format!(
            "{name}.herokuapp.com is not shown to be one of this repository's backends, so it \
             keeps working as it is (pass --backend-host {name} if it is the backend)"
        ),
    })
}
