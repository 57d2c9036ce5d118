//! The guide's section on what in the code only works on Heroku: TLS without checks,
//! `*.herokuapp.com` addresses, Heroku's own variables, files too large to read.

use super::Guide;
use super::md::{Md, code, list};
use crate::capsules::{HEROKU_RUNTIME, capsule_for_heroku_app, url_path};
use crate::herokuapp;
use crate::inventory::code::{CodeFile, is_runtime_path};
use crate::inventory::hosts::HostRole;
use crate::rules::RuleKind;

fn runtime_code<'a>(g: &'a Guide) -> impl Iterator<Item = &'a CodeFile> + 'a {
    g.inventory.code.iter().filter(|file| {
        let Some(app) = file.app.as_deref().and_then(|dir| g.inventory.app(dir)) else {
            return true;
        };
        let jobs: Vec<&str> = g.inventory.jobs_of(&app.dir).map(|j| j.command.as_str()).collect();
        is_runtime_path(app, &jobs, &file.path)
    })
}

/// The service a `rejectUnauthorized: false` at `line` is for: the one whose variable the
/// file reads nearest to it (within a few lines), else the only kind of driver it imports.
fn tls_service(file: &CodeFile, line: usize) -> Option<&'static str> {
    let kind_of_var = |name: &str| {
        if name.contains("REDIS") {
            Some("Redis")
        } else if name.contains("MONGO") {
            Some("MongoDB")
        } else if ["MYSQL", "CLEARDB", "JAWSDB"].iter().any(|w| name.contains(w)) {
            Some("MySQL")
        } else if name.contains("DATABASE") || name.contains("POSTGRES") || name.starts_with("PG") {
            Some("PostgreSQL")
        } else {
            None
        }
    };
    let nearest = file
        .facts
        .env_reads
        .iter()
        .filter_map(|r| Some((r.line.abs_diff(line), kind_of_var(&r.name)?)))
        .filter(|(distance, _)| *distance <= 8)
        .min_by_key(|(distance, _)| *distance);
    if let Some((_, kind)) = nearest {
        return Some(kind);
    }
    let mut kinds: Vec<&'static str> = file
        .facts
        .data_modules
        .iter()
        .filter_map(|m| match m.as_str() {
            "pg" | "pg-promise" | "postgres" => Some("PostgreSQL"),
            "mysql" | "mysql2" => Some("MySQL"),
            "mongoose" | "mongodb" => Some("MongoDB"),
            "ioredis" | "redis" | "bull" | "bullmq" => Some("Redis"),
            _ => None,
        })
        .collect();
    kinds.dedup();
    match kinds.as_slice() {
        [one] => Some(one),
        _ => None,
    }
}

/// What to do about a disabled certificate check, for each service.
fn tls_advice(service: Option<&str>) -> String {
    match service {
        Some("PostgreSQL") => "Heroku Postgres needs TLS with its self-signed certificate; a \
            PostgreSQL Capsule, reached inside the Space, may not offer TLS at all (\"The \
            server does not support SSL connections\"). Make it come from configuration, for \
            example `ssl: process.env.DATABASE_SSL === \"true\" ? { rejectUnauthorized: false } : false`, \
            and set `DATABASE_SSL` only where the database needs TLS"
            .into(),
        Some("Redis") => "Heroku Redis serves TLS (`rediss://` URLs) with a self-signed \
            certificate; a Redis Capsule's connection string says whether it uses TLS. Turn \
            TLS options on only for `rediss://` URLs, for example \
            `tls: url.startsWith(\"rediss://\") ? { rejectUnauthorized: false } : undefined`"
            .into(),
        Some(service) => format!(
            "the check was turned off for the old {service} host's certificate; connect to the \
             {service} Capsule as its connection string says, and make the TLS options come \
             from configuration rather than hard-coding them"
        ),
        None => "the check was turned off for a certificate the old host used; make the TLS \
            options come from configuration, and check what the service on Code Capsules \
            offers"
            .into(),
    }
}

pub(super) fn heroku_only(md: &mut Md, g: &Guide) {
    md.heading("Heroku-only settings in the code");
    // Every kind is listed, so no short-circuit.
    let found = [
        tls_without_checks(md, g),
        addresses_in_code(md, g),
        addresses_in_settings(md, g),
        heroku_variables(md, g),
        unread_files(md, g),
    ];
    if !found.contains(&true) {
        md.line(
            "None found: the code has no `rejectUnauthorized: false` and reads no variable \
             that only Heroku's dynos set; neither the code, app.json nor the jobs name a \
             `*.herokuapp.com` address.",
        );
    }
}

/// `rejectUnauthorized: false` in runtime code, grouped by the service it connects to;
/// true when there is any.
fn tls_without_checks(md: &mut Md, g: &Guide) -> bool {
    let mut found = false;
    let mut by_service: Vec<(Option<&'static str>, Vec<String>)> = Vec::new();
    for file in runtime_code(g) {
        for &line in &file.facts.ssl_reject_unauthorized_false {
            let service = tls_service(file, line);
            let at = code(&format!("{}:{line}", file.path));
            match by_service.iter_mut().find(|(s, _)| *s == service) {
                Some((_, places)) => places.push(at),
                None => by_service.push((service, vec![at])),
            }
        }
    }
    for (service, places) in by_service {
        found = true;
        let what = service.map_or(String::new(), |s| format!(" for {s}"));
        md.line(&format!(
            "- **TLS without certificate checks**{what} (`rejectUnauthorized: false`) in {}: {}.",
            list(&places),
            tls_advice(service)
        ));
    }
    found
}

/// The `*.herokuapp.com` URLs in the code, rewritten, kept or still to change; true
/// when there is any.
fn addresses_in_code(md: &mut Md, g: &Guide) -> bool {
    let mut found = false;
    let rewrite_rules: Vec<&str> = g
        .rules
        .rules
        .iter()
        .filter(|r| r.kind == RuleKind::RewriteUrls)
        .map(|r| r.id.as_str())
        .collect();
    for file in &g.inventory.code {
        let rewritten = g.changes.iter().any(|c| {
            c.path == file.path && c.rules.iter().any(|r| rewrite_rules.contains(&r.as_str()))
        });
        for url in &file.facts.herokuapp_urls {
            // Summarised documentation and test lines have a section of their own.
            let listed = g
                .inventory
                .quiet_mentions
                .iter()
                .any(|m| m.path == file.path && m.line == url.line);
            if listed {
                continue;
            }
            found = true;
            let at = code(&format!("{}:{}", file.path, url.line));
            let name = crate::inventory::hosts::app_name_of(&url.url).unwrap_or_default();
            let role = g.inventory.host_role(&name);
            let what = if rewritten && matches!(role, HostRole::Backend { .. }) {
                "now reads the backend URL injected at build time".to_owned()
            } else if !role.is_retired() {
                "kept: nothing shows it is one of this repository's apps, so it is taken for \
                 a service that stays on Heroku (`--backend-host` says otherwise)"
                    .to_owned()
            } else {
                format!(
                    "still hard-coded: point it at {}, ideally through an environment variable",
                    new_address(g, &url.url, None)
                )
            };
            md.line(&format!("- **Heroku address** {} in {at}: {what}.", code(&url.url)));
        }
    }
    found
}

/// The `*.herokuapp.com` URLs in app.json defaults and Scheduler jobs; true when there
/// is any.
fn addresses_in_settings(md: &mut Md, g: &Guide) -> bool {
    let mut found = false;
    for app in &g.inventory.apps {
        let Some(app_json) = &app.app_json else { continue };
        for var in &app_json.value.env {
            let Some(url) = var.value.as_deref().and_then(herokuapp::first_url) else { continue };
            found = true;
            md.line(&format!(
                "- **Heroku address** {} as app.json's default of {} ({}): set {} to {} instead \
                 (the Capsule's table above says so).",
                code(url),
                code(&var.name),
                code(&app_json.path),
                code(&var.name),
                new_address(g, url, Some(app.display_dir()))
            ));
        }
    }
    for job in &g.inventory.jobs {
        let Some(url) = herokuapp::first_url(&job.command) else { continue };
        found = true;
        md.line(&format!(
            "- **Heroku address** {} in the Scheduler job {}: the generated scheduler runs the \
             command as written; change the job to call {} and run capsule-migrate again.",
            code(url),
            code(&job.name),
            new_address(g, url, Some(if job.app.is_empty() { "." } else { &job.app }))
        ));
    }
    found
}

/// Reads of variables only Heroku's dynos set; true when there is any.
fn heroku_variables(md: &mut Md, g: &Guide) -> bool {
    let mut heroku_vars: Vec<(String, String)> = Vec::new();
    for file in runtime_code(g) {
        for read in file.facts.env_reads.iter().filter(|r| is_heroku_variable(&r.name)) {
            heroku_vars.push((read.name.clone(), format!("{}:{}", file.path, read.line)));
        }
    }
    if heroku_vars.is_empty() {
        return false;
    }
    let uses: Vec<String> =
        heroku_vars.iter().map(|(n, at)| format!("{} ({})", code(n), code(at))).collect();
    md.line(&format!(
        "- **Heroku's own variables** {}: Heroku's dynos set these at run time and Code \
         Capsules does not; the Capsule tables above say what each becomes. The Capsule's \
         own URL is in `APP_URL` (without `https://`).",
        list(&uses)
    ));
    true
}

/// The source files too large to read; true when there is any.
fn unread_files(md: &mut Md, g: &Guide) -> bool {
    for file in &g.inventory.unread_code {
        md.line(&format!(
            "- **Not read** {}: larger than 2 MiB (a generated bundle?), so it was neither \
             parsed nor edited; see [Check before merging](#check-before-merging) for what it \
             mentions. Rebuild it from its sources after the migration, or change it by hand.",
            code(&file.path)
        ));
    }
    !g.inventory.unread_code.is_empty()
}

/// What replaces a `*.herokuapp.com` URL: `https://` and the URL of the Capsule that
/// replaces that Heroku app (else of the web Capsule of `app`, the app that names it,
/// as `yourappname.herokuapp.com` placeholders mean), with the same path.
fn new_address(g: &Guide, url: &str, app: Option<&str>) -> String {
    let host = herokuapp::app_name(url).unwrap_or_default();
    let path = url_path(url);
    let then = if path.is_empty() { String::new() } else { format!(", then {}", code(path)) };
    let own_web = || {
        g.deployment
            .capsules_of(app?)
            .find(|c| c.heroku_process.as_deref() == Some("web"))
            .map(|c| c.name.clone())
    };
    match capsule_for_heroku_app(g.deployment, g.inventory, &host).or_else(own_web) {
        Some(capsule) => format!("`https://` followed by the URL of {}{then}", code(&capsule)),
        None => format!(
            "`https://` followed by the URL of the Capsule that replaces that Heroku app{then}"
        ),
    }
}

/// Variables only Heroku's dynos have.
fn is_heroku_variable(name: &str) -> bool {
    HEROKU_RUNTIME.contains(&name)
}
