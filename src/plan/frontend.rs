//! `frontend-build` and `rewrite-urls`: a static frontend gets its backend URL at build
//! time instead of a hard-coded `*.herokuapp.com` address.

use serde_json::Value;

use super::build::{Context, Error};
use crate::diag::{FileError, Warning};
use crate::edit::{html, js_urls, json};
use crate::generate::frontend::{FrontendKind, build_script};
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
        match &frontend.kind {
            FrontendKind::Static { .. } => {}
            FrontendKind::Vite | FrontendKind::CreateReactApp => {
                let var = frontend.kind.backend_url_var(env);
                cx.note(rule, format!(
                    "{}: built by {}; set {var} (with https://) on the Capsule so the build bakes it in",
                    app.display_dir(),
                    bundler_name(&frontend.kind)
                ));
                continue;
            }
        }
        let public = &frontend.public_dir;
        // Neither the script nor the file it writes may replace one of the app's own.
        let wanted = [app.path_of(script), join(&join(app.build_dir(), public), output)];
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
        let script_text = build_script(env, &output_rel, GLOBAL);
        cx.files.write(&script_path, script_text.into_bytes(), &rule.id);
        add_build_script(cx, rule, app, script)?;
        ignore_output(cx, rule, app, &output_rel)?;
        load_in_pages(cx, rule, app, &join(app.build_dir(), public), output)?;
    }
    Ok(())
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
    let current = json::get(&text, &["scripts", "build"]).ok().flatten();
    let build = match current.as_ref().and_then(Value::as_str) {
        Some(existing) if existing.contains(&step) => return Ok(()),
        Some(existing) => format!("{existing} && {step}"),
        None => step,
    };
    let edited = json::set(&text, &["scripts", "build"], &Value::String(build))
        .map_err(|e| FileError::new(&path, format!("cannot add the build script: {e}")))?;
    cx.files.write(&path, edited.into_bytes(), &rule.id);
    Ok(())
}

/// The generated config is a build output: keep it out of git.
fn ignore_output(cx: &mut Context, rule: &Rule, app: &App, output_rel: &str) -> Result<(), Error> {
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
                "{}: `npm run build` writes `{output_rel}`: add `{line}` to `{path}` so it is not \
             committed",
                app.display_dir()
            ),
        );
        return Ok(());
    }
    let newline = if text.contains("\r\n") { "\r\n" } else { "\n" };
    if !text.is_empty() && !text.ends_with('\n') {
        text.push_str(newline);
    }
    text.push_str("# Generated by capsule-migrate: `npm run build` writes this file");
    text.push_str(newline);
    text.push_str(&line);
    text.push_str(newline);
    cx.files.write(&path, text.into_bytes(), &rule.id);
    Ok(())
}

/// Every HTML page of the public folder loads the config before its own scripts.
fn load_in_pages(
    cx: &mut Context,
    rule: &Rule,
    app: &App,
    public: &str,
    output: &str,
) -> Result<(), Error> {
    let prefix = if public.is_empty() { String::new() } else { format!("{public}/") };
    let pages: Vec<String> = cx
        .files
        .source()
        .entries()
        .iter()
        .filter(|e| e.kind.is_regular() && e.path.starts_with(&prefix) && e.path.ends_with(".html"))
        .filter(|e| !crate::inventory::in_node_modules(&e.path))
        .map(|e| e.path.clone())
        .collect();
    if pages.is_empty() {
        cx.warnings.push(Warning::new(format!(
            "{}: no HTML page found in {}; load {output} from your page before your scripts",
            app.display_dir(),
            if public.is_empty() { "." } else { public }
        )));
    }
    for page in pages {
        let Some(html_text) = cx.read_text(&page)? else { continue };
        let below = parent(&page).strip_prefix(public).unwrap_or("");
        let ups = below.split('/').filter(|p| !p.is_empty()).count();
        let src = format!("{}{output}", "../".repeat(ups));
        match html::add_script(&html_text, &src) {
            Some(edited) if edited != html_text => cx.files.write(&page, edited.into_bytes(), &rule.id),
            Some(_) => {}
            None if html_text.contains(&src) => {}
            None => cx.warnings.push(Warning::in_file(&page, format!(
                "no <head>, <body> or <script> to load {src} before; add <script src=\"{src}\"></script>"
            ))),
        }
    }
    Ok(())
}

/// `rewrite-urls`: hard-coded herokuapp origins in a frontend's code become the injected
/// value; elsewhere they are reported.
pub fn rewrite_urls(cx: &mut Context, rule: &Rule, env: &str) -> Result<(), Error> {
    let code: Vec<_> =
        cx.inventory.code.iter().filter(|c| !c.facts.herokuapp_urls.is_empty()).collect();
    // Read in order here; parse again on every core below (tens of milliseconds on one).
    let mut edits: Vec<(&str, Lang, String, String)> = Vec::new();
    for file in code {
        let app = file.app.as_deref().and_then(|dir| cx.inventory.app(dir));
        let frontend = app.and_then(|a| a.frontend.as_ref());
        let (Some(frontend), Some(lang)) = (frontend, Lang::of_path(&file.path)) else {
            for url in &file.facts.herokuapp_urls {
                cx.warnings.push(Warning::at_line(
                    &file.path,
                    url.line,
                    format!("hard-coded Heroku URL {}: point it at the new Capsule", url.url),
                ));
            }
            continue;
        };
        let replacement = match &frontend.kind {
            FrontendKind::Static { .. } => format!("window.{GLOBAL}"),
            FrontendKind::Vite => format!("import.meta.env.{}", frontend.kind.backend_url_var(env)),
            FrontendKind::CreateReactApp => {
                format!("process.env.{}", frontend.kind.backend_url_var(env))
            }
        };
        let Some(text) = cx.read_text(&file.path)? else { continue };
        edits.push((&file.path, lang, replacement, text));
    }
    let rewritten = crate::source::map_in_parallel(edits.len(), |i| {
        let (_, lang, replacement, text) = &edits[i];
        js_urls::rewrite_herokuapp_urls(text, *lang, replacement)
    });
    for ((path, _, replacement, _), rewrite) in edits.iter().zip(rewritten) {
        if rewrite.rewrites.is_empty() {
            continue;
        }
        for done in &rewrite.rewrites {
            cx.note(rule, format!("{path}:{}: {} -> {replacement}", done.line, done.url));
        }
        cx.files.write(path, rewrite.text.into_bytes(), &rule.id);
    }
    Ok(())
}

fn bundler_name(kind: &FrontendKind) -> &'static str {
    match kind {
        FrontendKind::Vite => "Vite",
        FrontendKind::CreateReactApp => "Create React App",
        FrontendKind::Static { .. } => "a static server",
    }
}
