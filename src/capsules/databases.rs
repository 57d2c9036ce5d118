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
    let mut sub_packages: Vec<(&str, &[String])> = Vec::new();
    for file in inv.config_of(app) {
        if let ConfigKind::SubPackage { dependencies, .. } = &file.kind {
            sub_packages.push((&file.path, dependencies));
        }
    }
    // Only `dependencies` run: devDependencies are pruned after the build. Drivers come
    // before the queue libraries built on them (`ioredis` before `bullmq`).
    // A workspace member run from the workspace's root loads its own dependencies.
    let manifests = [&app.package_json, &app.member_package];
    let all_deps = manifests.into_iter().flatten().filter_map(|p| p.value.get("dependencies"));
    for deps in all_deps.filter_map(|d| d.as_object()) {
        for name in DRIVERS.iter().filter(|d| deps.contains_key(**d)) {
            if let Some(kind) = driver_kind(name) {
                add(kind, format!("`{name}`"));
            }
        }
    }
    // A package inside the app that its build installs (`cd server && npm install`)
    // holds the server's dependencies; it counts when the app's own code in it talks to
    // a database (through the driver, or an ORM that needs it), so a frontend package
    // beside it does not.
    // The repository's packages the app loads (`packages/db` with `pg`) run inside it.
    let packages = inv.workspace_packages_of(app);
    let in_packages = |path: &str| {
        let folder = crate::inventory::parent(path);
        packages.iter().any(|p| p == folder || folder.starts_with(&format!("{p}/")))
    };
    for file in inv.config.iter().filter(|c| c.app.as_deref() != Some(app.dir.as_str())) {
        if !in_packages(&file.path) {
            continue;
        }
        match &file.kind {
            ConfigKind::Prisma { database: Some(database) } => {
                add(kind_of(*database), format!("the Prisma schema `{}`", file.path));
            }
            ConfigKind::SubPackage { dependencies, .. } => {
                for name in DRIVERS.iter().filter(|d| dependencies.iter().any(|n| n == *d)) {
                    if let Some(kind) = driver_kind(name) {
                        add(kind, format!("`{name}` in `{}`", file.path));
                    }
                }
            }
            _ => {}
        }
    }
    for (path, deps) in sub_packages {
        let folder = format!("{}/", crate::inventory::parent(path));
        let talks = inv.code_of(&app.dir).any(|f| {
            f.path.starts_with(&folder)
                && !f.facts.data_modules.is_empty()
                && crate::inventory::code::is_runtime_path(app, &[], &f.path)
        });
        if !talks {
            continue;
        }
        for name in DRIVERS.iter().filter(|d| deps.iter().any(|n| n == *d)) {
            if let Some(kind) = driver_kind(name) {
                add(kind, format!("`{name}` in `{path}`"));
            }
        }
    }
    found
}

/// Words of a variable name that make it a setting of a connection rather than its
/// address.
const CONNECTION_SETTINGS: &[&str] =
    &["POOL", "MAX", "MIN", "TIMEOUT", "SIZE", "RETRIES", "RETRY", "TTL", "LIMIT", "IDLE", "COUNT"];

/// Whether `name` looks like the connection string of a `kind` database. `DATABASE_URL`,
/// `DATABASE_URI` and the like count for the only database kind the app uses
/// (`db_kinds` is how many it uses).
pub(super) fn names_connection(kind: CapsuleKind, name: &str, db_kinds: usize) -> bool {
    let url_like = ["URL", "URI", "CONNECTION", "DSN"].iter().any(|w| name.contains(w));
    // A setting of the connection (`DATABASE_CONNECTION_POOL_MAX`, `REDIS_URL_TIMEOUT`) is
    // a number the app reads, not the connection string.
    let setting = name.split('_').any(|w| CONNECTION_SETTINGS.contains(&w));
    // Prisma's shadow database only exists for `prisma migrate dev`.
    if !url_like || setting || name.contains("SHADOW") {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn connection_strings_and_not_their_settings() {
        let pg = |name: &str| names_connection(CapsuleKind::PostgreSql, name, 1);
        for name in ["DATABASE_URL", "POSTGRES_URI", "PG_CONNECTION_STRING", "DATABASE_CONNECTION"]
        {
            assert!(pg(name), "{name}");
        }
        for name in [
            "DATABASE_CONNECTION_POOL_MAX",
            "DATABASE_CONNECTION_POOL_MIN",
            "DATABASE_URL_TIMEOUT",
            "PG_CONNECTION_RETRIES",
            "SHADOW_DATABASE_URL",
            "DATABASE_NAME",
        ] {
            assert!(!pg(name), "{name}");
        }
        assert!(names_connection(CapsuleKind::Redis, "REDIS_COLLABORATION_URL", 1));
        assert!(!names_connection(CapsuleKind::Redis, "REDIS_POOL_SIZE", 1));
    }
}
