//! A static frontend that calls its API on its own origin (`fetch('/api/x')`, `io()`):
//! named call by call, with what to write instead (`inventory::frontend::calls` finds them).
//!
//! On Heroku the Express app that served the built page answered those paths (and the
//! dev server's proxy did in development). Once the frontend is its own Frontend Capsule
//! they reach the static site. The calls are not rewritten: the backend is then called
//! from another origin, which works only once it allows that origin (CORS) and, for a
//! session cookie, sends it across sites; only the owner can judge that.

use super::build::Context;
use crate::diag::Warning;
use crate::inventory::frontend::DevProxy;
use crate::inventory::{App, Frontend};
use crate::lang::Lang;

/// Warns about each call the frontend in `app` makes to its own origin (found by the
/// inventory), and once about what to do.
pub(super) fn warn(cx: &mut Context, app: &App, frontend: &Frontend, env: &str) {
    let calls = &frontend.own_origin;
    let proxy = frontend.dev_proxy.clone();
    if calls.is_empty() {
        return;
    }
    let var = frontend.backend_url_var(cx.inventory.backend_env(&app.dir, env));
    for (path, call) in calls {
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
