//! The environment every verify step runs in: the Capsule's variables, with placeholders
//! where the repository holds no safe value, and the chosen Node first on PATH.
//!
//! A value comes from the repository when it gives one: app.json's `value` or a Procfile
//! prefix, else an env template (`.env.example`, `.env.sample`, `.env.template`,
//! `.env.dist`, `sample.env`) in the Capsule's folder or above it, else the literal default
//! the code gives it. A real `.env` is never read: it holds secrets. Otherwise the value
//! is a placeholder of the shape the name asks for (`LOG_LEVEL` -> `info`, `*_PORT` -> a
//! port number, `*_URL` -> a URL), since a logger or a config schema refuses a marked
//! string; every placeholder is recorded, so a failure it causes can be labelled.

use std::path::Path;
use std::process::Command;

use super::node::Node;
use super::probe::free_port;
use crate::capsules::{Capsule, CapsuleEnv, EnvSource};

/// The host every Capsule URL is set to: `.invalid` never resolves (RFC 2606).
pub(crate) const PLACEHOLDER_HOST: &str = "capsule-migrate-verify.invalid";

/// The value of every variable that has no safe value in the repository.
pub(crate) const PLACEHOLDER: &str = "capsule-migrate-verify-placeholder";

/// The env templates read for values, nearest folder first. Never `.env` itself.
const TEMPLATES: &[&str] =
    &[".env.example", ".env.sample", ".env.template", ".env.dist", "sample.env"];

/// Log levels the common loggers (pino, winston, bunyan, log4js, npmlog) accept.
const LOG_LEVELS: &[&str] = &[
    "fatal", "error", "warn", "warning", "info", "http", "verbose", "debug", "trace", "silly",
    "silent", "notice", "critical", "alert", "emerg", "off", "all",
];

/// The environment of every step: the Capsule's variables (placeholders where the value
/// is not in the repository) and PATH with the chosen Node first.
pub(crate) struct Env {
    pub(super) vars: Vec<(String, String)>,
    /// The variables set to a placeholder verify made up, with that value, in the
    /// Capsule's order.
    pub(super) placeholders: Vec<(String, String)>,
}

impl Env {
    /// The environment of `capsule`'s steps in the written tree at `root`.
    pub(super) fn for_capsule(capsule: &Capsule, node: &Node, root: &Path) -> Env {
        let folder = capsule.folder.as_deref().unwrap_or("/").trim_start_matches('/');
        let templates = template_values(root, folder);
        let mut placeholders = Vec::new();
        // What Heroku itself set (dyno metadata, buildpack settings) Code Capsules does
        // not: those stay unset, as they will be there.
        let mut vars: Vec<(String, String)> = capsule
            .env
            .iter()
            .filter(|var| !matches!(var.source, EnvSource::Heroku | EnvSource::HerokuBuild))
            .map(|var| {
                let (value, made_up) = value_of(var, &templates);
                if made_up {
                    placeholders.push((var.name.clone(), value.clone()));
                }
                (var.name.clone(), value)
            })
            .collect();
        if let Some(bin) = &node.bin_dir {
            let path = std::env::var_os("PATH").unwrap_or_default();
            let mut dirs = vec![bin.clone()];
            dirs.extend(std::env::split_paths(&path));
            let joined = std::env::join_paths(dirs).unwrap_or(path);
            vars.push(("PATH".into(), joined.to_string_lossy().into_owned()));
        }
        // Quieter logs, and no question from npx.
        for (name, value) in [
            ("npm_config_update_notifier", "false"),
            ("npm_config_fund", "false"),
            ("npm_config_audit", "false"),
            ("npm_config_yes", "true"),
            ("COREPACK_ENABLE_DOWNLOAD_PROMPT", "0"),
        ] {
            vars.push((name.into(), value.into()));
        }
        Env { vars, placeholders }
    }

    /// Sets `name` to `value`, replacing an earlier value.
    pub(super) fn set(&mut self, name: &str, value: &str) {
        self.vars.retain(|(n, _)| n != name);
        self.vars.push((name.to_owned(), value.to_owned()));
    }

    /// Puts `dir` first on the steps' PATH.
    pub(super) fn put_first_on_path(&mut self, dir: &Path) {
        let current = match self.get("PATH") {
            Some(path) => path.into(),
            None => std::env::var_os("PATH").unwrap_or_default(),
        };
        let mut dirs = vec![dir.to_path_buf()];
        dirs.extend(std::env::split_paths(&current));
        let joined = std::env::join_paths(dirs).unwrap_or(current);
        self.vars.retain(|(n, _)| n != "PATH");
        self.vars.push(("PATH".into(), joined.to_string_lossy().into_owned()));
    }

    pub(super) fn apply(&self, command: &mut Command) {
        for (name, value) in &self.vars {
            command.env(name, value);
        }
    }

    pub(super) fn get(&self, name: &str) -> Option<&str> {
        self.vars.iter().find(|(n, _)| n == name).map(|(_, v)| v.as_str())
    }
}

/// The value a variable gets (see the module's doc), and whether verify made it up.
/// URLs of Capsules point at a host that never resolves; a database link, or a name
/// that says it is one, is a URL of its scheme to a closed local port, so a client fails
/// fast and never reaches a database running on this machine.
pub(crate) fn value_of(var: &CapsuleEnv, templates: &[(String, String)]) -> (String, bool) {
    let shape = Shape::of(&var.name);
    // Before any value of the repository: app.json's `postgres://localhost/dev` would reach
    // a database running on this machine.
    if matches!(var.source, EnvSource::DataCapsule { .. }) || shape == Shape::DatabaseUrl {
        return (database_url(&var.name), true);
    }
    if let Some(value) = &var.value {
        return (value.clone(), false);
    }
    if matches!(var.source, EnvSource::CapsuleUrl { .. } | EnvSource::CodeCapsules) {
        // Without a scheme, as Code Capsules shows a Capsule's URL.
        return (PLACEHOLDER_HOST.to_owned(), true);
    }
    let template = templates.iter().find(|(n, _)| *n == var.name).map(|(_, v)| v);
    if let Some(value) = template.filter(|v| shape.fits(v)) {
        return (value.clone(), false);
    }
    let simple_default = var.default.as_ref().filter(|d| !d.contains('\\') && shape.fits(d));
    if let Some(value) = simple_default.filter(|_| !var.default_hidden) {
        return (value.clone(), false);
    }
    (shape.placeholder(), true)
}

/// A URL of the database the name says (MongoDB, Redis, MySQL, RabbitMQ, else
/// PostgreSQL) to a closed port on 127.0.0.1.
fn database_url(name: &str) -> String {
    let upper = name.to_ascii_uppercase();
    let scheme = [
        ("REDIS", "redis"),
        ("MONGO", "mongodb"),
        ("MYSQL", "mysql"),
        ("JAWSDB", "mysql"),
        ("CLEARDB", "mysql"),
        ("AMQP", "amqp"),
        ("RABBIT", "amqp"),
    ]
    .iter()
    .find(|(word, _)| upper.contains(word))
    .map_or("postgresql", |(_, scheme)| scheme);
    format!("{scheme}://{PLACEHOLDER}@127.0.0.1:9/{PLACEHOLDER}")
}

/// The kind of value a variable's name asks for, by the conventions apps and their
/// libraries follow.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Shape {
    NodeEnv,
    LogLevel,
    /// A TCP port.
    Port,
    Host,
    /// A connection string of a database, cache or queue.
    DatabaseUrl,
    Url,
    Boolean,
    /// A count, size or duration.
    Number,
    Email,
    TimeZone,
    /// Anything: a marked string.
    Text,
}

impl Shape {
    pub(crate) fn of(name: &str) -> Shape {
        let n = name.to_ascii_uppercase();
        let ends = |suffixes: &[&str]| suffixes.iter().any(|s| n == s[1..] || n.ends_with(s));
        let starts = |prefixes: &[&str]| prefixes.iter().any(|p| n.starts_with(p));
        if n == "NODE_ENV" || n == "APP_ENV" || n == "ENVIRONMENT" {
            Shape::NodeEnv
        } else if ends(&["_LOG_LEVEL", "_LOGLEVEL", "_LOGGING_LEVEL"]) {
            Shape::LogLevel
        } else if ends(&["_PORT"]) {
            Shape::Port
        } else if ends(&["_HOST", "_HOSTNAME"]) {
            Shape::Host
        } else if ends(&["_URL", "_URI", "_DSN", "_CONNECTION_STRING"])
            && n.split('_').any(|part| {
                ["PG", "DATABASE", "MYSQL", "POSTGRES", "POSTGRESQL", "RABBIT", "RABBITMQ"]
                    .contains(&part)
                    || ["MONGO", "REDIS"].iter().any(|p| part.starts_with(p))
                    || part.ends_with("DB")
                    || part.ends_with("AMQP")
            })
        {
            Shape::DatabaseUrl
        } else if ends(&["_URL", "_URI", "_ENDPOINT", "_ORIGIN", "_WEBHOOK"]) {
            Shape::Url
        } else if starts(&[
            "ENABLE_", "DISABLE_", "USE_", "IS_", "HAS_", "ALLOW_", "SHOULD_", "SKIP_",
        ]) || ends(&["_ENABLED", "_DISABLED", "_ENABLE", "_DISABLE"])
        {
            Shape::Boolean
        } else if ends(&[
            "_TIMEOUT",
            "_TTL",
            "_MS",
            "_SECONDS",
            "_SECS",
            "_MINUTES",
            "_HOURS",
            "_DAYS",
            "_COUNT",
            "_LIMIT",
            "_MAX",
            "_MIN",
            "_SIZE",
            "_CONCURRENCY",
            "_RETRIES",
            "_ATTEMPTS",
            "_INTERVAL",
            "_WORKERS",
            "_THREADS",
            "_ROUNDS",
        ]) {
            Shape::Number
        } else if ends(&["_EMAIL", "_MAIL_FROM", "_EMAIL_FROM"]) {
            Shape::Email
        } else if n == "TZ" || ends(&["_TIMEZONE", "_TZ"]) {
            Shape::TimeZone
        } else {
            Shape::Text
        }
    }

    /// True when `value` (from a template or the code) is of this shape; a template's
    /// `<your log level>` is not a log level.
    fn fits(self, value: &str) -> bool {
        let value = value.trim();
        let lower = value.to_ascii_lowercase();
        !value.is_empty()
            && match self {
                Shape::NodeEnv => value.chars().all(|c| c.is_ascii_alphanumeric() || c == '-'),
                Shape::LogLevel => LOG_LEVELS.contains(&lower.as_str()),
                Shape::Port | Shape::Number => value.parse::<u64>().is_ok(),
                Shape::Host => !value.contains(['<', '>', ' ', '/']),
                Shape::DatabaseUrl | Shape::Url => {
                    value.contains("://") && !value.contains(['<', '>', ' '])
                }
                Shape::Boolean => {
                    ["true", "false", "1", "0", "yes", "no", "on", "off"].contains(&lower.as_str())
                }
                Shape::Email => value.contains('@') && !value.contains(['<', '>', ' ']),
                Shape::TimeZone => !value.contains(['<', '>', ' ']),
                Shape::Text => true,
            }
    }

    /// The placeholder of this shape: it parses as what the name asks for and leads
    /// nowhere (a host that never resolves, a closed or free local port).
    fn placeholder(self) -> String {
        match self {
            Shape::NodeEnv => "production".into(),
            Shape::LogLevel => "info".into(),
            // A port nothing listens on: a client is refused at once, a server can bind it.
            Shape::Port => free_port().unwrap_or(49_151).to_string(),
            Shape::Host => "127.0.0.1".into(),
            Shape::DatabaseUrl => database_url("DATABASE_URL"),
            Shape::Url => format!("https://{PLACEHOLDER_HOST}"),
            Shape::Boolean => "false".into(),
            Shape::Number => "10".into(),
            Shape::Email => format!("verify@{PLACEHOLDER_HOST}"),
            Shape::TimeZone => "UTC".into(),
            Shape::Text => PLACEHOLDER.into(),
        }
    }
}

/// `NAME=value` pairs of the env templates in `folder` of `root` and each folder above
/// it, nearest first; a name without a value is left out.
pub(crate) fn template_values(root: &Path, folder: &str) -> Vec<(String, String)> {
    let mut values = Vec::new();
    let mut dir = Some(Path::new(folder));
    while let Some(here) = dir {
        for name in TEMPLATES {
            let Ok(text) = std::fs::read_to_string(root.join(here).join(name)) else { continue };
            values.extend(dotenv_pairs(&text));
        }
        dir = here.parent();
    }
    values
}

/// The `NAME=value` lines of a dotenv file: `export ` allowed, quotes removed (`\n` in
/// double quotes is a newline, as dotenv reads it), a ` #` comment after an unquoted
/// value dropped; empty values left out.
fn dotenv_pairs(text: &str) -> Vec<(String, String)> {
    let mut pairs = Vec::new();
    for line in text.lines() {
        let line = line.trim_start();
        let line = line.strip_prefix("export ").map_or(line, str::trim_start);
        let Some((name, raw)) = line.split_once('=') else { continue };
        let name = name.trim_end();
        if !crate::shell::is_name(name) {
            continue;
        }
        let raw = raw.trim();
        let value = match raw.chars().next() {
            Some(q @ ('"' | '\'')) => match raw[1..].find(q) {
                Some(end) if q == '"' => raw[1..=end].replace("\\n", "\n"),
                Some(end) => raw[1..=end].to_owned(),
                None => continue,
            },
            _ => raw.split(" #").next().unwrap_or("").trim().to_owned(),
        };
        if !value.is_empty() {
            pairs.push((name.to_owned(), value));
        }
    }
    pairs
}

#[cfg(test)]
mod tests {
    use super::*;

    fn var(name: &str, source: EnvSource, value: Option<&str>) -> CapsuleEnv {
        CapsuleEnv { value: value.map(str::to_owned), ..CapsuleEnv::new(name, source) }
    }

    fn code(name: &str) -> CapsuleEnv {
        var(name, EnvSource::Code, None)
    }

    #[test]
    fn links_and_capsule_urls_lead_nowhere() {
        let db = var("DATABASE_URL", EnvSource::DataCapsule { capsule: "db".into() }, None);
        let (value, made_up) = value_of(&db, &[]);
        assert!(value.starts_with("postgresql://capsule-migrate-verify-placeholder@127.0.0.1:9/"));
        assert!(made_up);
        let redis = var("REDIS_URL", EnvSource::DataCapsule { capsule: "cache".into() }, None);
        assert!(value_of(&redis, &[]).0.starts_with("redis://"));
        let url = var("BACKEND_URL", EnvSource::CapsuleUrl { capsule: None }, None);
        assert_eq!(value_of(&url, &[]).0, PLACEHOLDER_HOST);
        let known = var("LOG_LEVEL", EnvSource::AppJson { secret: false }, Some("debug"));
        assert_eq!(value_of(&known, &[]), ("debug".into(), false));
        let secret = var("SESSION_SECRET", EnvSource::AppJson { secret: true }, None);
        assert_eq!(value_of(&secret, &[]), (PLACEHOLDER.into(), true));
        // A template's local database is not used: verify must never reach a real one.
        let local = [("MONGO_URI".to_owned(), "mongodb://localhost:27017/app".to_owned())];
        assert!(value_of(&code("MONGO_URI"), &local).0.contains("127.0.0.1:9"));
        let shown = var(
            "DATABASE_URL",
            EnvSource::AppJson { secret: false },
            Some("postgres://localhost/dev"),
        );
        assert!(value_of(&shown, &[]).0.contains("127.0.0.1:9"));
    }

    /// pino refuses an unknown level at start: a placeholder must be of the name's shape.
    #[test]
    fn a_placeholder_has_the_shape_its_name_asks_for() {
        let cases = [
            ("LOG_LEVEL", "info"),
            ("PINO_LOG_LEVEL", "info"),
            ("NODE_ENV", "production"),
            ("REDIS_HOST", "127.0.0.1"),
            ("API_URL", "https://capsule-migrate-verify.invalid"),
            ("ENABLE_SIGNUPS", "false"),
            ("FEATURE_X_ENABLED", "false"),
            ("SESSION_TIMEOUT", "10"),
            ("BCRYPT_ROUNDS", "10"),
            ("ADMIN_EMAIL", "verify@capsule-migrate-verify.invalid"),
            ("TZ", "UTC"),
            ("STRIPE_KEY", PLACEHOLDER),
        ];
        for (name, expected) in cases {
            assert_eq!(value_of(&code(name), &[]), (expected.to_owned(), true), "{name}");
        }
        let port = value_of(&code("SMTP_PORT"), &[]).0;
        assert!(port.parse::<u16>().is_ok_and(|p| p > 1023), "{port}");
        for (name, scheme) in [
            ("MONGODB_URI", "mongodb://"),
            ("JAWSDB_URL", "mysql://"),
            ("CLOUDAMQP_URL", "amqp://"),
            ("PG_CONNECTION_STRING", "postgresql://"),
        ] {
            assert!(value_of(&code(name), &[]).0.starts_with(scheme), "{name}");
        }
        // `UPGRADE_URL` names no database, though it holds "PG".
        assert!(value_of(&code("UPGRADE_URL"), &[]).0.starts_with("https://"));
    }

    #[test]
    fn a_template_value_is_taken_when_it_has_the_right_shape() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path();
        std::fs::create_dir_all(root.join("api")).unwrap();
        std::fs::write(
            root.join(".env.example"),
            "LOG_LEVEL=warn\nJWT_SECRET=\nCACHE_TTL=<seconds>\nGREETING=root\n",
        )
        .unwrap();
        std::fs::write(
            root.join("api/sample.env"),
            "export GREETING=\"hello world\" # shown\nAPI_URL='https://api.example.com' \nCOLOR=blue # a comment\n",
        )
        .unwrap();
        // A real `.env` holds secrets: never read.
        std::fs::write(root.join("api/.env"), "STRIPE_KEY=sk_live_real\n").unwrap();
        let templates = template_values(root, "api");
        let value = |name: &str| value_of(&code(name), &templates);
        assert_eq!(value("GREETING"), ("hello world".into(), false), "the nearest template wins");
        assert_eq!(value("API_URL"), ("https://api.example.com".into(), false));
        assert_eq!(value("COLOR"), ("blue".into(), false));
        assert_eq!(value("LOG_LEVEL"), ("warn".into(), false));
        assert_eq!(value("CACHE_TTL"), ("10".into(), true), "`<seconds>` is no number");
        assert_eq!(value("JWT_SECRET"), (PLACEHOLDER.into(), true));
        assert_eq!(value("STRIPE_KEY"), (PLACEHOLDER.into(), true));
    }

    #[test]
    fn the_code_default_is_taken_when_the_repository_gives_no_value() {
        let level = CapsuleEnv { default: Some("debug".into()), ..code("LOG_LEVEL") };
        assert_eq!(value_of(&level, &[]), ("debug".into(), false));
        let odd = CapsuleEnv { default: Some("verbose\\n".into()), ..code("LOG_LEVEL") };
        assert_eq!(value_of(&odd, &[]), ("info".into(), true));
    }
}
