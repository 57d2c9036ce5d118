//! The guide's sections after the Capsules: add-ons, the database, Heroku-only settings,
//! what else changes, scheduled work, warnings and notes, files, and the checklist.

use super::Guide;
use super::capsule::dyno_memory;
use super::md::{self, Md, code, list};
use crate::capsules::{
    Capsule, CapsuleKind, EnvSource, HEROKU_RUNTIME, Replacement, SCHEDULER_REPLACES,
    capsule_for_heroku_app, url_path,
};
use crate::herokuapp;
use crate::inventory::code::{CodeFile, is_runtime_path};
use crate::inventory::hosts::HostRole;
use crate::rules::RuleKind;

pub(super) fn addons(md: &mut Md, g: &Guide) {
    md.heading("Add-ons");
    let addons = &g.deployment.addons;
    if !addons.is_empty() {
        md.row(&["App", "Add-on", "On Code Capsules", "What to do"]);
        md.row(&["---"; 4]);
        for addon in addons {
            let (target, advice) = match addon.replacement {
                Replacement::DataCapsule => {
                    let kind = capsule_kind(g, addon.capsule.as_deref());
                    let name = addon.capsule.as_deref().map(code).unwrap_or_default();
                    (format!("{kind} Capsule {name}"), addon.advice.clone())
                }
                Replacement::Scheduler => {
                    ("the node-cron scheduler in the app".to_owned(), addon.advice.clone())
                }
                Replacement::NoEquivalent => {
                    ("no direct equivalent".to_owned(), addon.advice.clone())
                }
            };
            md.row(&[&code(&addon.app), &code(&addon.spec()), &target, &md::prose(&advice)]);
        }
        md.blank();
    }
    md.line(
        "Add-ons attached in Heroku's dashboard are not in the repository: compare with \
         `heroku addons -a <heroku-app>` for each app.",
    );
}

fn capsule_kind(g: &Guide, name: Option<&str>) -> &'static str {
    name.and_then(|n| g.deployment.capsule(n)).map_or("a", |c| c.kind.label())
}

/// The Capsule that runs an app's Scheduler jobs.
fn scheduler_capsule<'a>(g: &'a Guide, app: &str) -> Option<&'a Capsule> {
    g.deployment.capsules_of(app).find(|c| c.replaces.starts_with(SCHEDULER_REPLACES))
}

pub(super) fn database(md: &mut Md, g: &Guide) {
    let databases: Vec<&Capsule> =
        g.deployment.capsules.iter().filter(|c| c.kind == CapsuleKind::PostgreSql).collect();
    // The code may read a database URL that an add-on attached in the dashboard set.
    let maybe_postgres = g
        .deployment
        .capsules
        .iter()
        .flat_map(|c| &c.env)
        .any(|v| v.source == EnvSource::Code && v.name == "DATABASE_URL");
    if databases.is_empty() && !maybe_postgres {
        return;
    }
    let env = databases
        .first()
        .and_then(|db| {
            g.deployment.addons.iter().find(|a| a.capsule.as_deref() == Some(db.name.as_str()))
        })
        .and_then(|a| a.env.clone())
        .unwrap_or_else(|| "DATABASE_URL".into());
    md.heading("Moving the database");
    if databases.is_empty() {
        md.line(
            "The code reads `DATABASE_URL`, and app.json declares no database. If it is a Heroku \
             Postgres add-on attached in the dashboard (`heroku addons -a <heroku-app>`), create \
             a PostgreSQL Capsule, link it to the Capsules that read `DATABASE_URL`, and move \
             the data once, at the cutover. The simplest way is a short downtime:",
        );
    } else {
        let names: Vec<String> = databases.iter().map(|c| code(&c.name)).collect();
        let from_addon = databases.iter().all(|db| {
            g.deployment.addons.iter().any(|a| a.capsule.as_deref() == Some(db.name.as_str()))
        });
        let from = if from_addon {
            "Heroku Postgres"
        } else {
            "the current PostgreSQL database (a Heroku Postgres add-on attached in the dashboard, \
             or another host: then skip the `heroku pg:backups` commands and use `pg_dump`)"
        };
        md.line(&format!(
            "The data moves once, at the cutover, from {from} into {}. The simplest way is a \
             short downtime, step by step below (once per database):",
            list(&names)
        ));
    }
    md.blank();
    md.line(
        "**1. Stop writes on Heroku**, so nothing changes after the backup: \
         `heroku maintenance:on -a <heroku-app>`, and scale background processes to zero \
         (`heroku ps:scale worker=0 -a <heroku-app>`, with each process type `heroku ps` \
         lists).",
    );
    md.blank();
    md.line("**2. Back up the Heroku database** (the download is `latest.dump`):");
    md.blank();
    md.commands(&[
        "heroku pg:backups:capture -a <heroku-app>",
        "heroku pg:backups:download -a <heroku-app>",
    ]);
    md.blank();
    md.line(
        "For a small database, a direct dump works too (with `pg_dump` of the server's major \
         version or newer):",
    );
    md.blank();
    let dump = format!(
        "pg_dump -Fc --no-acl --no-owner \"$(heroku config:get {env} -a <heroku-app>)\" -f latest.dump"
    );
    md.commands(&[&dump]);
    md.blank();
    md.line(
        "**3. Restore it into the PostgreSQL Capsule.** Database Capsules have no public \
         address: reach them through the Code Capsules CLI's proxy. Copy the exact proxy \
         command (Space slug and Capsule id) and the connection string from the Capsule's \
         details page; while the proxy runs, the database answers on `localhost`:",
    );
    md.blank();
    md.commands(&[
        "npm install -g @codecapsules/cli",
        "codecaps login -e <your-email>",
        "codecaps proxy capsule -s <space-slug> -c <capsule-id> -P 5432",
        "# in a second terminal, with the connection string's host replaced by localhost:5432",
        "pg_restore --no-acl --no-owner -d \"postgresql://<user>:<password>@localhost:5432/<database>\" latest.dump",
    ]);
    md.blank();
    md.line(
        "**4. Check the data** (row counts of the main tables), start the Capsules that use \
         it, and only then take the Heroku apps out of service.",
    );
    md.blank();
    md.line(
        "If the app cannot go offline, use dual writes instead: create the new database and \
         deploy the Capsules first; copy tables that never change in advance; make the \
         application write new data to both databases while it still reads Heroku's; copy \
         the remaining rows, switch reads to the new database, then retire Heroku's. \
         Reconciling the two copies is the hard part: rehearse it before relying on it.",
    );
}

/// Moving MongoDB and MySQL data: a dump from the old host, restored through the Code
/// Capsules CLI's proxy, as for PostgreSQL.
pub(super) fn other_databases(md: &mut Md, g: &Guide) {
    for (kind, port, dump, restore) in [
        (
            CapsuleKind::MongoDb,
            27017,
            "mongodump --uri \"<old connection string>\" --archive=dump.archive --gzip",
            "mongorestore --uri \"mongodb://<user>:<password>@localhost:27017/<database>?authSource=admin\" --archive=dump.archive --gzip",
        ),
        (
            CapsuleKind::MySql,
            3306,
            "mysqldump --single-transaction --routines -h <old host> -u <user> -p <database> > dump.sql",
            "mysql -h 127.0.0.1 -P 3306 -u <user> -p <database> < dump.sql",
        ),
    ] {
        let capsules: Vec<String> = g
            .deployment
            .capsules
            .iter()
            .filter(|c| c.kind == kind)
            .map(|c| code(&c.name))
            .collect();
        if capsules.is_empty() {
            continue;
        }
        md.heading(&format!("Moving the {} data", kind.label()));
        md.line(&format!(
            "The data moves once, at the cutover, into {}: stop writes on Heroku \
             (`heroku maintenance:on -a <heroku-app>`, background processes scaled to zero), \
             dump the old database with the connection string from `heroku config -a \
             <heroku-app>`, restore it through the Code Capsules CLI's proxy (the exact proxy \
             command and the connection string are on the Capsule's details page), check the \
             data, then start the Capsules that use it:",
            list(&capsules)
        ));
        md.blank();
        md.commands(&[
            dump,
            &format!("codecaps proxy capsule -s <space-slug> -c <capsule-id> -P {port}"),
            "# in a second terminal, with the connection string's host replaced by localhost",
            restore,
        ]);
    }
}

/// The code files that run in a deployed Capsule: not tests, fixtures or tooling.
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
    let mut heroku_vars: Vec<(String, String)> = Vec::new();
    for file in runtime_code(g) {
        for read in file.facts.env_reads.iter().filter(|r| is_heroku_variable(&r.name)) {
            heroku_vars.push((read.name.clone(), format!("{}:{}", file.path, read.line)));
        }
    }
    if !heroku_vars.is_empty() {
        found = true;
        let uses: Vec<String> =
            heroku_vars.iter().map(|(n, at)| format!("{} ({})", code(n), code(at))).collect();
        md.line(&format!(
            "- **Heroku's own variables** {}: Heroku's dynos set these at run time and Code \
             Capsules does not; the Capsule tables above say what each becomes. The Capsule's \
             own URL is in `APP_URL` (without `https://`).",
            list(&uses)
        ));
    }
    for file in &g.inventory.unread_code {
        found = true;
        md.line(&format!(
            "- **Not read** {}: larger than 2 MiB (a generated bundle?), so it was neither \
             parsed nor edited; see [Check before merging](#check-before-merging) for what it \
             mentions. Rebuild it from its sources after the migration, or change it by hand.",
            code(&file.path)
        ));
    }
    if !found {
        md.line(
            "None found: the code has no `rejectUnauthorized: false` and reads no variable \
             that only Heroku's dynos set; neither the code, app.json nor the jobs name a \
             `*.herokuapp.com` address.",
        );
    }
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

pub(super) fn what_else(md: &mut Md, g: &Guide) {
    md.heading("What else changes");
    for app in &g.inventory.apps {
        let dir = code(app.display_dir());
        if let Some(release) = app.process("release") {
            let now = if crate::capsules::release_in_prestart(app) {
                "is now the `prestart` script, which `npm start` runs first"
            } else {
                "now runs first in the web Capsule's run command, before the web command"
            };
            md.line(&format!(
                "- **Release phase** ({dir}): Code Capsules has none. The `release` command {} \
                 {now}: on every start of every replica, not once per release. It must be safe \
                 to run again and at the same time (migrations usually are; seeding may not be).",
                code(&crate::capsules::redacted(&release.command))
            ));
        }
        if let Some(pkg) = &app.package_json {
            for (script, what) in [
                (
                    "heroku-postbuild",
                    "ran instead of `build`; it is now `build`, which Code Capsules runs",
                ),
                (
                    "heroku-prebuild",
                    "ran before the install, and nothing runs it now: move it into `build` if \
                     the build needs it",
                ),
                (
                    "heroku-cleanup",
                    "trimmed Heroku's slug after the build, and nothing runs it now",
                ),
            ] {
                if let Some(command) = pkg.script(script) {
                    md.line(&format!(
                        "- **Build hook** ({dir}): `{script}` ({}) {what}.",
                        code(&crate::capsules::redacted(command))
                    ));
                }
            }
        }
        let Some(app_json) = &app.app_json else { continue };
        if let Some(postdeploy) = &app_json.value.scripts.postdeploy {
            md.line(&format!(
                "- **One-time setup** ({dir}): app.json's `postdeploy` ({}) ran once when Heroku \
                 created the app. Run it once after the first deploy: from your machine with the \
                 Capsule's variables (the database through the CLI proxy, as above), or by \
                 setting the run command to the command followed by `&&` and the usual run \
                 command for one deploy, then back.",
                code(&crate::capsules::redacted(&postdeploy.command))
            ));
        }
        let sized: Vec<String> = app_json
            .value
            .formation
            .iter()
            .map(|f| {
                let size = f.size.as_deref().map(|s| {
                    let memory = dyno_memory(s).map(|m| format!(" ({m})")).unwrap_or_default();
                    format!(" on {}{memory}", code(s))
                });
                format!(
                    "{} × {}{}",
                    code(&f.process),
                    f.quantity.unwrap_or(1),
                    size.unwrap_or_default()
                )
            })
            .collect();
        if !sized.is_empty() {
            md.line(&format!(
                "- **Dyno formation** ({dir}): app.json says {}. Heroku reads app.json only \
                 when it creates an app (Heroku Button, review apps, CI), and a process type \
                 it leaves out runs 0 dynos until someone scales it, so this need not be what \
                 runs in production: check `heroku ps -a <heroku-app>` and set each Capsule's \
                 replicas and size (Scale tab) to match.",
                list(&sized)
            ));
        }
        if !app_json.value.buildpacks.is_empty() {
            let packs: Vec<String> = app_json
                .value
                .buildpacks
                .iter()
                .map(|b| code(&crate::capsules::redacted(b)))
                .collect();
            md.line(&format!(
                "- **Buildpacks** ({dir}): {}. Code Capsules detects Node.js by itself; a \
                 buildpack that adds system packages or another language needs a Docker \
                 Capsule with a Dockerfile instead.",
                list(&packs)
            ));
        }
        // Each key by its own name, so nothing the file declares goes unmentioned.
        let value = &app_json.value;
        let mut ci: Vec<String> =
            value.environments.keys().map(|k| code(&format!("environments.{k}"))).collect();
        if value.scripts.pr_predestroy.is_some() {
            ci.push(code("scripts.pr-predestroy"));
        }
        if !ci.is_empty() {
            md.line(&format!(
                "- **Test and review settings** ({dir}): app.json's {} configured Heroku CI and \
                 review apps; nothing reads them now.",
                list(&ci)
            ));
        }
        if !value.scripts.other.is_empty() {
            let keys: Vec<String> =
                value.scripts.other.iter().map(|k| code(&format!("scripts.{k}"))).collect();
            md.line(&format!(
                "- **Other scripts** ({dir}): app.json's {} {} not Heroku's (other tools read \
                 them); nothing runs them on Code Capsules: check whether a build or run \
                 command needs them.",
                list(&keys),
                if keys.len() == 1 { "is" } else { "are" }
            ));
        }
    }
    md.line(
        "- **Review apps and pipelines**: Code Capsules has neither. For a QA or staging \
         environment, create another set of Capsules (or another Space) that deploys a QA \
         branch, and promote by merging.",
    );
    md.line(
        "- **Custom domains**: add each domain in its Capsule's Domains tab and point the DNS \
         record (CNAME) at the address shown there instead of Heroku's; Code Capsules issues \
         the TLS certificate.",
    );
    md.line(
        "- **Deploys**: every push to a Capsule's branch builds and deploys it. There is no \
         blue/green deploy, preboot or `heroku rollback`: choose a rolling update or re-create \
         in the Capsule's settings, and roll back by deploying an earlier commit.",
    );
    md.line(
        "- **Config vars set in the dashboard**: only the variables app.json declares or the \
         code reads are listed above; compare with `heroku config -a <heroku-app>` for each app.",
    );
    md.line(
        "- **Logs and metrics**: each Capsule shows its logs and its CPU and memory use; Heroku \
         log drains and logging add-ons do not carry over.",
    );
}

pub(super) fn scheduler(md: &mut Md, g: &Guide) {
    let jobs = &g.inventory.jobs;
    let clocks: Vec<&Capsule> = g
        .deployment
        .capsules
        .iter()
        .filter(|c| c.heroku_process.as_deref().is_some_and(|p| p == "clock" || p.contains("cron")))
        .collect();
    let scheduler_addon =
        g.deployment.addons.iter().any(|a| a.replacement == Replacement::Scheduler);
    if jobs.is_empty() && clocks.is_empty() && !scheduler_addon {
        return;
    }
    md.heading("Scheduled work");
    if !jobs.is_empty() {
        md.line(
            "Heroku Scheduler ran each job in a one-off dyno. Code Capsules has no scheduler, so \
             a generated node-cron scheduler (`scheduler.js`) runs them as child processes of \
             its Capsule, at the same times:",
        );
        md.blank();
        md.row(&["App", "Job", "Command", "Heroku schedule", "Cron (UTC)", "Capsule"]);
        md.row(&["---"; 6]);
        for job in jobs {
            let app = if job.app.is_empty() { "." } else { job.app.as_str() };
            let capsule = scheduler_capsule(g, app).map_or("—".to_owned(), |c| code(&c.name));
            md.row(&[
                &code(app),
                &code(&job.name),
                &code(&crate::capsules::redacted(&job.command)),
                &job.schedule.describe(),
                &code(&job.schedule.to_cron()),
                &capsule,
            ]);
        }
        md.blank();
        md.line("What is different from Heroku Scheduler:");
        md.blank();
        md.line("- Times stay in UTC, as on Heroku.");
        md.line(
            "- The scheduler Capsule must run exactly one replica: each replica runs every job.",
        );
        md.line(
            "- Jobs share the scheduler Capsule's memory and CPU instead of getting a dyno \
             each: size it for the heaviest job.",
        );
        md.line(
            "- A run due while the Capsule restarts or redeploys is skipped, not caught up \
             (Heroku did not guarantee runs either); a job still running when its next run is \
             due is not started twice.",
        );
        md.line(
            "- For work that must never be missed, an external cron service calling an HTTP \
             endpoint of a backend is an alternative.",
        );
        md.line(
            "- Delete the jobs from Heroku Scheduler once the scheduler Capsule runs, or each \
             job runs twice.",
        );
    } else if scheduler_addon {
        md.line(
            "app.json declares Heroku Scheduler, but no jobs were given. Its jobs live only in \
             Heroku's dashboard: copy them into a jobs file (`[[job]]` with `app`, `command` \
             and `schedule`) and run capsule-migrate again with `--jobs FILE`.",
        );
    }
    for clock in clocks {
        md.line(&format!(
            "- {} runs its own schedule in code, as the `{}` dyno did: keep it at one replica.",
            code(&clock.name),
            clock.heroku_process.as_deref().unwrap_or("clock")
        ));
    }
}

pub(super) fn warnings_and_notes(md: &mut Md, g: &Guide) {
    if !g.warnings.is_empty() {
        md.heading("Check before merging");
        for warning in g.warnings {
            let message = md::prose(&warning.message);
            match (&warning.file, warning.line) {
                (Some(file), Some(line)) => md.line(&format!("- {}:{line}: {message}", code(file))),
                (Some(file), None) => md.line(&format!("- {}: {message}", code(file))),
                _ => md.line(&format!("- {message}")),
            }
        }
    }
    if !g.notes.is_empty() {
        md.heading("Notes from the migration");
        for note in g.notes {
            md.line(&format!("- **{}**: {}", md::text(&note.rule), md::prose(&note.message)));
        }
    }
}

pub(super) fn files(md: &mut Md, g: &Guide) {
    md.heading("Files changed");
    let mut lines: Vec<(String, String)> = g
        .changes
        .iter()
        .map(|c| {
            let line = format!(
                "- {} {} ({})",
                crate::change::action_word(c.action),
                code(&c.path),
                c.rules.join(", ")
            );
            (c.path.clone(), line)
        })
        .collect();
    if let Some((path, action)) = g.own {
        let word = crate::change::action_word(action);
        lines.push((path.to_owned(), format!("- {word} {} (this guide)", code(path))));
    }
    lines.sort();
    for (_, line) in lines {
        md.line(&line);
    }
}

pub(super) fn checklist(md: &mut Md, g: &Guide) {
    md.heading("Checklist");
    let d = g.deployment;
    if !g.warnings.is_empty() {
        md.line("- [ ] Read the warnings above and fix what they ask");
    }
    // A lockfile left behind fails the frozen install: its command gets its own line.
    for item in g.checklist {
        md.line(&format!("- [ ] {item}"));
    }
    md.line(
        "- [ ] Compare each Heroku app's config vars and add-ons with this guide \
         (`heroku config -a <heroku-app>`, `heroku addons -a <heroku-app>`)",
    );
    if !d.capsules.is_empty() {
        md.line("- [ ] Create a Space on Code Capsules");
    }
    for (i, capsule) in d.capsules.iter().enumerate() {
        md.line(&format!("- [ ] {}", create_item(capsule)));
        for var in &capsule.env {
            let EnvSource::CapsuleUrl { capsule: Some(target) } = &var.source else { continue };
            let later = d.capsules.iter().skip(i + 1).any(|c| &c.name == target);
            if later {
                md.line(&format!(
                    "- [ ] Once {} exists, set {} on {} to `https://` and its URL, and restart it",
                    code(target),
                    code(&var.name),
                    code(&capsule.name)
                ));
            }
        }
    }
    for app in &g.inventory.apps {
        let postdeploy = app.app_json.as_ref().and_then(|a| a.value.scripts.postdeploy.as_ref());
        if let Some(postdeploy) = postdeploy {
            md.line(&format!(
                "- [ ] Run the one-time setup {} of {} after the first deploy",
                code(&crate::capsules::redacted(&postdeploy.command)),
                code(app.display_dir())
            ));
        }
    }
    md.line("- [ ] Check that every Capsule builds and starts, and the app works end to end");
    if !g.inventory.jobs.is_empty() {
        md.line("- [ ] Delete the jobs from Heroku Scheduler once the scheduler Capsule runs");
    }
    md.line("- [ ] Point custom domains at the Capsules");
    let scales: Vec<String> = g
        .inventory
        .apps
        .iter()
        .map(|app| {
            let command = code(&scale_to_zero(app));
            if g.inventory.apps.len() > 1 {
                format!("{command} for {}", code(app.display_dir()))
            } else {
                command
            }
        })
        .collect();
    md.line(&format!(
        "- [ ] Scale every Heroku process to zero: {}; then delete the Heroku apps and their \
         add-ons once nothing needs them",
        list(&scales)
    ));
}

/// `heroku ps:scale web=0 worker=0 -a <heroku-app>` for every process type that can run
/// (all but `release`; `web` without a Procfile, since Heroku then ran `npm start`).
fn scale_to_zero(app: &crate::inventory::App) -> String {
    let mut types: Vec<String> = app
        .processes()
        .iter()
        .filter(|p| p.name != "release")
        .map(|p| format!("{}=0", p.name))
        .collect();
    if app.procfile.is_none() {
        types.insert(0, "web=0".into());
    }
    format!("heroku ps:scale {} -a <heroku-app>", types.join(" "))
}

fn create_item(c: &Capsule) -> String {
    let mut parts: Vec<String> = Vec::new();
    if let Some(folder) = &c.folder {
        parts.push(format!("folder {}", code(folder)));
    }
    if c.kind == CapsuleKind::Frontend {
        if let Some(build) = &c.build_command {
            parts.push(format!("build {}", code(build)));
        }
        if let Some(output) = &c.output_folder {
            parts.push(format!("output {}", code(output)));
        }
    } else if let Some(run) = &c.run_command {
        parts.push(format!("run {}", code(run)));
    }
    if let Some(replicas) = c.replicas {
        parts.push(format!("{replicas} replica{}", if replicas == 1 { "" } else { "s" }));
    }
    let settings = if parts.is_empty() { String::new() } else { format!(": {}", parts.join(", ")) };
    let vars = match c.env.len() {
        0 => String::new(),
        1 if parts.is_empty() => " and set its variable".to_owned(),
        1 => ", and set its variable".to_owned(),
        n if parts.is_empty() => format!(" and set its {n} variables"),
        n => format!(", and set its {n} variables"),
    };
    let restore = match c.kind {
        CapsuleKind::PostgreSql => " and restore the Heroku data into it",
        CapsuleKind::MySql | CapsuleKind::MongoDb => " and restore the old data into it",
        _ => "",
    };
    format!("Create {} ({}){settings}{vars}{restore}", code(&c.name), c.kind.label())
}
