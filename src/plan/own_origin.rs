//! A static frontend that calls its API on its own origin (`fetch('/api/x')`, `io()`):
//! named call by call, with what to write instead.
//!
//! On Heroku the Express app that served the built page answered those paths (and the
//! dev server's proxy did in development). Once the frontend is its own Frontend Capsule
//! they reach the static site. The calls are not rewritten: the backend is then called
//! from another origin, which works only once it allows that origin (CORS) and, for a
//! session cookie, sends it across sites; only the owner can judge that.

use super::build::{Context, Error};
use crate::component::{Component, line_of, script_blocks};
use crate::diag::Warning;
use crate::inventory::code::{is_not_app_code, is_runtime_path, owner};
use crate::inventory::frontend::calls::{RelativeCall, relative_calls};
use crate::inventory::frontend::{DevProxy, dev_proxy};
use crate::inventory::{App, Frontend, in_node_modules, join};
use crate::lang::Lang;

/// Files above this size are bundles, not code someone wrote (as for the code scan).
const MAX_SOURCE: u64 = 2 * 1024 * 1024;

/// Extensions of the files a page fetches from its own site (data, images, fonts...).
const ASSET_EXTENSIONS: &[&str] = &[
    "json",
    "png",
    "jpg",
    "jpeg",
    "gif",
    "svg",
    "ico",
    "webp",
    "avif",
    "css",
    "js",
    "mjs",
    "html",
    "htm",
    "txt",
    "md",
    "csv",
    "tsv",
    "xml",
    "woff",
    "woff2",
    "ttf",
    "otf",
    "mp3",
    "mp4",
    "webm",
    "wav",
    "ogg",
    "pdf",
    "wasm",
    "glb",
    "gltf",
    "yaml",
    "yml",
    "map",
    "geojson",
    "webmanifest",
];

/// Warns about each call the frontend in `app` makes to its own origin, and once about
/// what to do; returns whether there was one.
pub(super) fn warn(
    cx: &mut Context,
    app: &App,
    frontend: &Frontend,
    env: &str,
) -> Result<bool, Error> {
    let read = |name: &str| -> Option<String> {
        let bytes = cx.files.read(&app.path_of(name)).ok()??;
        String::from_utf8(bytes).ok()
    };
    let proxy = dev_proxy(&read);
    let mut calls: Vec<(String, RelativeCall)> = Vec::new();
    for path in sources(cx, app) {
        let Some(bytes) = cx.files.read(&path)? else { continue };
        let text = String::from_utf8_lossy(&bytes);
        let found = match (Lang::of_path(&path), Component::of_path(&path)) {
            (Some(lang), _) => relative_calls(&text, lang),
            (None, Some(component)) => script_blocks(component, &text)
                .iter()
                .flat_map(|block| {
                    let shift = line_of(&text, block.start) - 1;
                    relative_calls(&text[block.start..block.end], block.lang)
                        .into_iter()
                        .map(move |c| RelativeCall { line: c.line + shift, ..c })
                })
                .collect(),
            (None, None) => Vec::new(),
        };
        let own_file = |p: &str| is_own_file(cx, app, frontend, proxy.as_ref(), p);
        calls.extend(found.into_iter().filter(|c| !own_file(&c.path)).map(|c| (path.clone(), c)));
    }
    if calls.is_empty() {
        return Ok(false);
    }
    let var = frontend.backend_url_var(cx.inventory.backend_env(&app.dir, env));
    for (path, call) in &calls {
        let typescript = matches!(Lang::of_path(path), Some(Lang::TypeScript | Lang::Tsx));
        let expression = frontend.kind.expression(&var, super::frontend::GLOBAL, typescript);
        let instead = if call.path.is_empty() {
            format!("`{}({expression})`", call.call)
        } else {
            let slash = if call.path.starts_with('/') { "" } else { "/" };
            let rest = call.path.trim_start_matches("./");
            let more = if call.whole { "" } else { "..." };
            format!("`{expression} + \"{slash}{rest}{more}\"`")
        };
        let what = if call.path.is_empty() {
            format!("`{}()` connects to", call.call)
        } else {
            format!("`{}` calls `{}` on", call.call, call.path)
        };
        cx.warnings.push(Warning::at_line(
            path,
            call.line,
            format!("{what} the page's own origin, which is now the static site, not the backend: call {instead} instead"),
        ));
    }
    let injected = cx.inventory.needs_backend_url(&app.dir, env);
    cx.warnings.push(summary(cx, app, frontend, (&var, injected), calls.len(), proxy.as_ref()));
    Ok(true)
}

/// The one warning that says why the calls break and what to do. `var` is the build
/// variable for the backend's URL, with whether the migration already injects it.
fn summary(
    cx: &Context,
    app: &App,
    frontend: &Frontend,
    (var, injected): (&str, bool),
    count: usize,
    proxy: Option<&DevProxy>,
) -> Warning {
    let dir = app.display_dir();
    let backends: Vec<&App> =
        cx.inventory.apps.iter().filter(|a| a.frontend.is_none() && a.dir != app.dir).collect();
    let backend = match backends[..] {
        [one] => format!("the backend Capsule's URL (the app in `{}`)", one.display_dir()),
        _ => "the backend Capsule's URL".to_owned(),
    };
    let global = super::frontend::GLOBAL;
    let how = if frontend.kind.loads_config_script() && injected {
        format!(
            "the generated build step writes {var} (set it to {backend}) into the page as \
             `window.{global}`"
        )
    } else if frontend.kind.loads_config_script() {
        format!("have the build write {backend} into the page as `window.{global}`")
    } else {
        format!(
            "set {var} on this Capsule to {backend}, with https:// ({} bakes it in at build time)",
            frontend.kind.label()
        )
    };
    let served = served_by(cx, app);
    let heroku = match (&served, frontend.proxy_env.is_some()) {
        (_, true) => {
            " (on Heroku, heroku-buildpack-static's `proxies` in static.json forwarded them to \
             the backend)"
                .to_owned()
        }
        (Some((server, script)), false) => format!(
            " (on Heroku, `{}` answered them: its `{script}` script builds this folder, and it \
             serves the result)",
            server.display_dir()
        ),
        (None, false) => String::new(),
    };
    let development = match proxy {
        Some(p) => format!(
            " (in development, `{}` of {}:{} forwarded them)",
            p.option,
            app.path_of(&p.file),
            p.line
        ),
        None => String::new(),
    };
    let mut message = format!(
        "{dir}: {count} call(s) of its code (each named with its file and line) go to the \
         page's own origin{heroku}{development}, where this Frontend Capsule serves only files. \
         Call the backend by its URL instead: {how}, and let the backend allow this site's \
         origin (CORS; a session cookie across sites also needs `credentials: 'include'` or \
         axios's `withCredentials` and `SameSite=None; Secure`)"
    );
    if let Some((server, _)) = served {
        message.push_str(&format!(
            ". If Heroku ran only `{}`, keep it serving this folder: then this Capsule is not \
             needed",
            server.display_dir()
        ));
    }
    Warning::new(message)
}

/// The app (with the script's name) whose package.json scripts build the frontend in
/// `app`'s folder (`cd client && npm run build`, `npm run build --prefix client`): an
/// Express app that serves the build answers its calls on the same origin.
fn served_by<'a>(cx: &'a Context, app: &App) -> Option<(&'a App, String)> {
    cx.inventory.apps.iter().filter(|b| b.frontend.is_none() && b.dir != app.dir).find_map(|b| {
        let relative = if b.dir.is_empty() {
            app.dir.as_str()
        } else {
            app.dir.strip_prefix(&format!("{}/", b.dir))?
        };
        let scripts = b.package_json.as_ref()?.value.get("scripts")?.as_object()?;
        scripts.iter().find_map(|(name, script)| {
            let script = script.as_str()?;
            let words = crate::shell::simple_commands(script);
            let names = words.iter().flat_map(|c| &c.words).any(|w| {
                let w = w.trim_start_matches("./").trim_end_matches('/');
                w == relative || w.strip_prefix("--prefix=") == Some(relative)
            });
            names.then(|| (b, name.clone()))
        })
    })
}

/// The app's own code files the page runs: JS/TS and components, not tests or tooling,
/// not its build output, node_modules, vendored or minified code, nor another app's.
fn sources(cx: &Context, app: &App) -> Vec<String> {
    let inventory = cx.inventory;
    let prefix = if app.dir.is_empty() { String::new() } else { format!("{}/", app.dir) };
    cx.files
        .source()
        .entries()
        .iter()
        .filter(|e| e.kind.is_regular() && e.path.starts_with(&prefix))
        .filter(|e| e.size.is_none_or(|s| s <= MAX_SOURCE))
        .filter(|e| Lang::of_path(&e.path).is_some() || Component::of_path(&e.path).is_some())
        .filter(|e| !in_node_modules(&e.path) && !is_not_app_code(&e.path))
        .filter(|e| !inventory.is_build_output(&e.path))
        .filter(|e| owner(&inventory.apps, &e.path).as_deref() == Some(app.dir.as_str()))
        .filter(|e| is_runtime_path(app, &[], &e.path))
        // The dev server's own proxy setup, and bundler configs, never run in the page.
        .filter(|e| {
            let name = e.path.rsplit('/').next().unwrap_or(&e.path);
            !name.starts_with("setupProxy.") && !name.contains(".config.")
        })
        .map(|e| e.path.clone())
        .collect()
}

/// True when `url` (relative) is one of the site's own files: it exists in the site's
/// public folder, or has a file extension (`/data.json`, `/logo.png`) and no dev proxy
/// forwarded its path.
fn is_own_file(
    cx: &Context,
    app: &App,
    frontend: &Frontend,
    proxy: Option<&DevProxy>,
    url: &str,
) -> bool {
    let path = url.split(['?', '#']).next().unwrap_or(url);
    let path = path.trim_start_matches("./").trim_start_matches('/');
    let folders = ["public", "static", frontend.public_dir.as_str()];
    let in_folder = |folder: &str| {
        let base =
            if folder.is_empty() || folder == "." { app.dir.clone() } else { app.path_of(folder) };
        cx.files.exists(&join(&base, path))
    };
    if !path.is_empty() && folders.iter().any(|f| in_folder(f)) {
        return true;
    }
    let proxied = proxy.is_some_and(|p| {
        p.prefixes
            .iter()
            .any(|prefix| url.starts_with(prefix.trim_start_matches('^').trim_end_matches('*')))
    });
    let name = path.rsplit('/').next().unwrap_or(path);
    let extension = name.rsplit_once('.').map(|(_, e)| e.to_ascii_lowercase());
    !proxied && extension.is_some_and(|e| ASSET_EXTENSIONS.contains(&e.as_str()))
}
