//! Links between Capsules: each frontend gets its backend's URL, each backend the origin
//! of its frontends, and each app.json default that named a Heroku app the Capsule that
//! replaces it.

use super::env::{EnvSource, app_dir, blank};
use super::{Capsule, CapsuleKind, Deployment};
use crate::inventory::Inventory;

/// Links Capsules to each other: each frontend gets, for each backend its code calls, that
/// backend's URL in the variable its build reads, and each backend that names a frontend
/// origin (CORS) gets the frontend's.
pub(super) fn link_capsules(out: &mut Deployment, inv: &Inventory, backend_url_env: &str) {
    let mut frontend_links: Vec<(String, Option<String>)> = Vec::new();
    let mut variables: Vec<(String, String, Option<String>, Vec<String>)> = Vec::new();
    for capsule in out.capsules.iter().filter(|c| c.kind == CapsuleKind::Frontend) {
        let dir = capsule.app.as_deref().map(app_dir).unwrap_or_default();
        let bindings = inv.bindings(dir, backend_url_env);
        if bindings.is_empty() {
            let backend = pick_backend(out);
            frontend_links.push((capsule.name.clone(), backend.clone()));
            // A frontend that neither calls a backend nor reads the variable would be
            // asked for a value no code uses.
            if inv.needs_backend_url(dir, backend_url_env) {
                let env = inv.backend_env(dir, backend_url_env).to_owned();
                variables.push((capsule.name.clone(), env, backend, Vec::new()));
            }
        }
        for binding in bindings {
            let backend = match &binding.backend {
                Some(app) => web_capsule_of(out, app),
                None => None,
            };
            frontend_links.push((capsule.name.clone(), backend.clone()));
            variables.push((capsule.name.clone(), binding.var, backend, binding.hosts));
        }
    }
    link_backends(out, inv, &variables);
    link_origins(out, &frontend_links);
    link_heroku_defaults(out, inv);
}

/// An app.json default that named a `*.herokuapp.com` address: the URL of the Capsule
/// that replaces that Heroku app, else that of the app's own web Capsule (Parse's
/// `SERVER_URL` = `https://yourappname.herokuapp.com/parse` names the app itself).
fn link_heroku_defaults(out: &mut Deployment, inv: &Inventory) {
    let mut targets: Vec<(usize, usize, Option<String>)> = Vec::new();
    for (i, capsule) in out.capsules.iter().enumerate() {
        let Some(dir) = capsule.app.as_deref() else { continue };
        for (j, var) in capsule.env.iter().enumerate() {
            if var.source != (EnvSource::CapsuleUrl { capsule: None }) {
                continue;
            }
            let Some(url) = herokuapp_default(inv, dir, &var.name) else { continue };
            let host = crate::herokuapp::app_name(url).unwrap_or_default();
            let own_web = out.capsules.iter().find(|c| {
                c.app.as_deref() == Some(dir) && c.heroku_process.as_deref() == Some("web")
            });
            let target =
                capsule_for_heroku_app(out, inv, &host).or_else(|| own_web.map(|c| c.name.clone()));
            targets.push((i, j, target));
        }
    }
    for (i, j, target) in targets {
        out.capsules[i].env[j].source = EnvSource::CapsuleUrl { capsule: target };
    }
}

/// The `*.herokuapp.com` URL app.json gives as the default of `name` in the app `dir`
/// (as displayed).
pub fn herokuapp_default<'a>(inv: &'a Inventory, dir: &str, name: &str) -> Option<&'a str> {
    let app = inv.app(app_dir(dir))?;
    let var = app.app_json.as_ref()?.value.env.iter().find(|v| v.name == name)?;
    var.value.as_deref().and_then(crate::herokuapp::first_url)
}

/// The web Capsule that replaces the Heroku app `host` (`shop-api-1a2b` of
/// `shop-api-1a2b.herokuapp.com`): the one whose name or app.json name it starts with.
pub fn capsule_for_heroku_app(out: &Deployment, inv: &Inventory, host: &str) -> Option<String> {
    let matching: Vec<&Capsule> = out
        .capsules
        .iter()
        .filter(|c| c.heroku_process.as_deref() == Some("web"))
        .filter(|c| {
            heroku_names(inv, c).iter().any(|n| host == n || host.starts_with(&format!("{n}-")))
        })
        .collect();
    match matching.as_slice() {
        [one] => Some(one.name.clone()),
        _ => None,
    }
}

/// Each frontend's build variables get the URL of the backend each replaces: (frontend
/// Capsule, variable before the bundler prefix, backend Capsule, Heroku app names).
fn link_backends(
    out: &mut Deployment,
    inv: &Inventory,
    variables: &[(String, String, Option<String>, Vec<String>)],
) {
    for (frontend, base, backend, hosts) in variables.iter().rev() {
        let Some(capsule) = out.capsules.iter_mut().find(|c| &c.name == frontend) else {
            continue;
        };
        let app = capsule.app.as_deref().and_then(|d| inv.app(app_dir(d)));
        let frontend = app.and_then(|a| a.frontend.as_ref());
        let name = frontend.map_or_else(|| base.clone(), |f| f.backend_url_var(base));
        let source = EnvSource::CapsuleUrl { capsule: backend.clone() };
        // Which Heroku backend the frontend called tells the user which Capsule replaces it.
        let description = (!hosts.is_empty()).then(|| {
            let hosts: Vec<String> = hosts.iter().map(|h| format!("`{h}.herokuapp.com`")).collect();
            format!("on Heroku the frontend called {}", hosts.join(" and "))
        });
        match capsule.env.iter_mut().find(|v| v.name == name) {
            Some(existing) => {
                existing.source = source;
                existing.description = existing.description.take().or(description);
            }
            None => {
                let mut var = blank(&name, source);
                // A bundler inlines it, whatever its prefix (vite.config's envPrefix).
                var.build_time |= frontend.is_some_and(|f| !f.kind.loads_config_script());
                var.required = Some(true);
                var.description = description;
                capsule.env.insert(0, var);
            }
        }
    }
}

/// Each backend's CORS-like variables get the URL of the frontend that calls it.
fn link_origins(out: &mut Deployment, frontend_links: &[(String, Option<String>)]) {
    if frontend_links.is_empty() {
        return;
    }
    for capsule in out.capsules.iter_mut().filter(|c| c.kind == CapsuleKind::Backend) {
        let calling: Vec<&str> = frontend_links
            .iter()
            .filter(|(_, b)| b.as_deref() == Some(capsule.name.as_str()))
            .map(|(f, _)| f.as_str())
            .collect();
        let target = match (calling.as_slice(), frontend_links) {
            ([one], _) => Some((*one).to_owned()),
            ([], [(only, _)]) => Some(only.clone()),
            _ => None,
        };
        for var in capsule.env.iter_mut().filter(|v| names_frontend_origin(&v.name)) {
            if matches!(var.source, EnvSource::AppJson { .. } | EnvSource::Code) {
                var.source = EnvSource::CapsuleUrl { capsule: target.clone() };
            }
        }
    }
}

/// Variables that usually hold the frontend's origin, for CORS.
fn names_frontend_origin(name: &str) -> bool {
    name.contains("FRONTEND")
        || name.contains("CORS")
        || name.contains("ORIGIN")
        || matches!(name, "CLIENT_URL" | "WEB_URL")
}

/// The backend of a frontend whose code names no backend host: the only web backend.
fn pick_backend(out: &Deployment) -> Option<String> {
    let mut web = out
        .capsules
        .iter()
        .filter(|c| c.kind == CapsuleKind::Backend && c.heroku_process.as_deref() == Some("web"));
    match (web.next(), web.next()) {
        (Some(only), None) => Some(only.name.clone()),
        _ => None,
    }
}

/// The names a backend's Heroku app may have had: app.json's name and the Capsule's.
fn heroku_names(inv: &Inventory, capsule: &Capsule) -> Vec<String> {
    let mut names = vec![capsule.name.clone()];
    let app = capsule.app.as_deref().and_then(|d| inv.app(app_dir(d)));
    if let Some(name) = app.and_then(|a| a.app_json.as_ref()).and_then(|j| j.value.name.clone()) {
        names.push(super::kebab(&name));
    }
    names
}

/// The Capsule that runs the web process of the app in `dir`.
fn web_capsule_of(out: &Deployment, dir: &str) -> Option<String> {
    let display = if dir.is_empty() { "." } else { dir };
    out.capsules
        .iter()
        .find(|c| {
            c.kind == CapsuleKind::Backend
                && c.app.as_deref() == Some(display)
                && c.heroku_process.as_deref() == Some("web")
        })
        .map(|c| c.name.clone())
}
