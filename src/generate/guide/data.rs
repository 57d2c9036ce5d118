//! The guide's sections on add-ons and on moving the data of each database.

use super::Guide;
use super::md::{self, Md, code, list};
use crate::capsules::{Capsule, CapsuleKind, EnvSource, Replacement};

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
    database_intro(md, g, &databases);
    md.blank();
    downtime_steps(md, &env);
    md.blank();
    md.line(
        "If the app cannot go offline, use dual writes instead: create the new database and \
         deploy the Capsules first; copy tables that never change in advance; make the \
         application write new data to both databases while it still reads Heroku's; copy \
         the remaining rows, switch reads to the new database, then retire Heroku's. \
         Reconciling the two copies is the hard part: rehearse it before relying on it.",
    );
}

/// Where the data comes from and goes to: the PostgreSQL Capsules, or one to create when
/// the code reads `DATABASE_URL` of an add-on the repository does not show.
fn database_intro(md: &mut Md, g: &Guide, databases: &[&Capsule]) {
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
}

/// The four steps of a move with a short downtime; `env` is the variable that holds
/// the Heroku database's URL.
fn downtime_steps(md: &mut Md, env: &str) {
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
