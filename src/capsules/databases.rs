//! Which databases an app uses and under which variables: the database add-ons Code
//! Capsules has a Capsule type for, the npm drivers, Prisma schemas, and the variable
//! names that hold a connection string.

use super::CapsuleKind;
use crate::inventory::config::{ConfigKind, Database};
use crate::inventory::{App, Inventory};

/// The database add-ons Code Capsules has a Capsule type for, and the variable each set
/// (each add-on's Dev Center page: mLab's `MONGOLAB_URI`, ClearDB's
/// `CLEARDB_DATABASE_URL`, ...).
pub(super) fn data_kind(service: &str) -> Option<(CapsuleKind, &'static str)> {
    match service {
        "heroku-postgresql" => Some((CapsuleKind::PostgreSql, "DATABASE_URL")),
        "heroku-redis" => Some((CapsuleKind::Redis, "REDIS_URL")),
        "rediscloud" => Some((CapsuleKind::Redis, "REDISCLOUD_URL")),
        "redistogo" => Some((CapsuleKind::Redis, "REDISTOGO_URL")),
        "mongolab" => Some((CapsuleKind::MongoDb, "MONGOLAB_URI")),
        "mongohq" => Some((CapsuleKind::MongoDb, "MONGOHQ_URL")),
        "ormongo" => Some((CapsuleKind::MongoDb, "ORMONGO_URL")),
        "objectrocket" => Some((CapsuleKind::MongoDb, "OBJECTROCKET_MONGODB_URL")),
        "cleardb" => Some((CapsuleKind::MySql, "CLEARDB_DATABASE_URL")),
        "jawsdb" => Some((CapsuleKind::MySql, "JAWSDB_URL")),
        "jawsdb-maria" => Some((CapsuleKind::MySql, "JAWSDB_MARIA_URL")),
        _ => None,
    }
}

/// The variable an add-on attached `as` ALIAS set: `ALIAS_URL`, `ALIAS_URI` for MongoDB
/// (whose add-ons named their variables `*_URI`).
pub(super) fn alias_env(kind: CapsuleKind, alias: &str) -> String {
    let suffix = if kind == CapsuleKind::MongoDb { "URI" } else { "URL" };
    format!("{}_{suffix}", alias.to_ascii_uppercase().replace('-', "_"))
}

/// The Capsule kind of a database the inventory found.
pub(super) fn kind_of(database: Database) -> CapsuleKind {
    match database {
        Database::PostgreSql => CapsuleKind::PostgreSql,
        Database::MySql => CapsuleKind::MySql,
        Database::MongoDb => CapsuleKind::MongoDb,
    }
}

/// The packages [`driver_kind`] knows, drivers first.
const DRIVERS: &[&str] = &[
    "pg",
    "pg-promise",
    "postgres",
    "mysql2",
    "mysql",
    "mongoose",
    "mongodb",
    "ioredis",
    "redis",
    "bullmq",
    "bull",
];

/// npm packages that talk to one kind of database. ORMs that speak several (Sequelize,
/// Knex, TypeORM) need one of these as their driver, so the driver decides.
pub(super) fn driver_kind(package: &str) -> Option<CapsuleKind> {
    match package {
        "pg" | "pg-promise" | "postgres" => Some(CapsuleKind::PostgreSql),
        "mysql" | "mysql2" => Some(CapsuleKind::MySql),
        "mongoose" | "mongodb" => Some(CapsuleKind::MongoDb),
        "ioredis" | "redis" | "bull" | "bullmq" => Some(CapsuleKind::Redis),
        _ => None,
    }
}

/// The databases the app's dependencies or Prisma schema use, each with what shows it.
pub(super) fn used_databases(inv: &Inventory, app: &App) -> Vec<(CapsuleKind, String)> {
    let mut found: Vec<(CapsuleKind, String)> = Vec::new();
    let mut add = |kind: CapsuleKind, why: String| {
        if !found.iter().any(|(k, _)| *k == kind) {
            found.push((kind, why));
        }
    };
    for file in inv.config_of(app) {
        if let ConfigKind::Prisma { database: Some(database) } = &file.kind {
            add(kind_of(*database), format!("the Prisma schema `{}`", file.path));
        }
    }
    // Only `dependencies` run: devDependencies are pruned after the build. Drivers come
    // before the queue libraries built on them (`ioredis` before `bullmq`).
    let deps = app.package_json.as_ref().and_then(|p| p.value.get("dependencies"));
    if let Some(deps) = deps.and_then(|d| d.as_object()) {
        for name in DRIVERS.iter().filter(|d| deps.contains_key(**d)) {
            if let Some(kind) = driver_kind(name) {
                add(kind, format!("`{name}`"));
            }
        }
    }
    found
}

/// Whether `name` looks like the connection string of a `kind` database. `DATABASE_URL`,
/// `DATABASE_URI` and the like count for the only database kind the app uses
/// (`db_kinds` is how many it uses).
pub(super) fn names_connection(kind: CapsuleKind, name: &str, db_kinds: usize) -> bool {
    let url_like = ["URL", "URI", "CONNECTION", "DSN"].iter().any(|w| name.contains(w));
    // Prisma's shadow database only exists for `prisma migrate dev`.
    if !url_like || name.contains("SHADOW") {
        return false;
    }
    match kind {
        CapsuleKind::MongoDb => {
            name.contains("MONGO") || (db_kinds == 1 && name.contains("DATABASE"))
        }
        CapsuleKind::Redis => name.contains("REDIS"),
        CapsuleKind::MySql => {
            ["MYSQL", "CLEARDB", "JAWSDB", "MARIADB"].iter().any(|w| name.contains(w))
                || (db_kinds == 1 && name.contains("DATABASE"))
        }
        CapsuleKind::PostgreSql => {
            name.contains("POSTGRES")
                || name.starts_with("PG")
                || (db_kinds == 1 && name.contains("DATABASE"))
        }
        _ => false,
    }
}

/// The variables the app reads that name a `kind` database's connection string.
pub(super) fn connection_reads(
    kind: CapsuleKind,
    reads: &[&String],
    db_kinds: usize,
) -> Vec<String> {
    reads.iter().filter(|n| names_connection(kind, n, db_kinds)).map(|n| (*n).clone()).collect()
}

/// The variable a data Capsule is linked as when no add-on says: the one the app reads,
/// else the usual name.
pub(super) fn connection_var(
    kind: CapsuleKind,
    reads: &[&String],
    db_kinds: usize,
) -> (String, bool) {
    match connection_reads(kind, reads, db_kinds).into_iter().next() {
        Some(name) => (name, true),
        None => {
            let usual = match kind {
                CapsuleKind::MongoDb => "MONGODB_URI",
                CapsuleKind::Redis => "REDIS_URL",
                _ => "DATABASE_URL",
            };
            (usual.to_owned(), false)
        }
    }
}
