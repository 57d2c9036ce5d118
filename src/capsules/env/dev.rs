//! Defaults that only serve a developer's machine: an address on `localhost`, and the
//! placeholders apps give their credentials and identifiers (`'changeme'`, `'myAppId'`,
//! `'keyboard cat'`). Deployed, such a default is a database that is not there, or an app
//! that runs with a made-up key: the variable must be set, whatever the code falls back to.

use serde::Serialize;

use super::secret;

/// Why a default (the code's, or app.json's `value`) is no value to deploy with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum DevDefault {
    /// It names this machine (`localhost`, `127.0.0.1`, `[::1]`, `*.localhost`,
    /// `host.docker.internal`): nothing answers there on Code Capsules.
    Local,
    /// A credential's or an identifier's placeholder (`changeme`, `secret`, `dev`,
    /// `your-secret-here`, `myAppId`, ...): the app would run with a made-up value.
    Placeholder,
}

/// What `value`, the default of the variable `name`, is when it only serves development.
/// An empty value is no default at all, and a value shaped like a real credential is
/// judged by [`secret`] instead.
pub fn dev_default(name: &str, value: &str) -> Option<DevDefault> {
    let value = value.trim();
    if value.is_empty() {
        return None;
    }
    if is_local_address(value) {
        return Some(DevDefault::Local);
    }
    let judged = secret::name_looks_secret(name) || names_an_identifier(name);
    (judged && is_placeholder(name, value)).then_some(DevDefault::Placeholder)
}

/// Whether the variable `name` holds an identifier a service issues (`APP_ID`,
/// `CLIENT_ID`, `CMD_IMGUR_CLIENTID`, `ACCOUNT_SID`) or a login (`DB_USER`, `USERNAME`).
pub fn names_an_identifier(name: &str) -> bool {
    let upper = name.to_ascii_uppercase();
    upper.split(|c: char| !c.is_ascii_alphanumeric()).filter(|w| !w.is_empty()).any(|word| {
        matches!(word, "ID" | "SID" | "UUID" | "GUID" | "USER" | "USERNAME" | "LOGIN" | "ACCOUNT")
            || word.strip_suffix("ID").is_some_and(|noun| ID_NOUNS.contains(&noun))
    })
}

/// What an identifier written as one word names (`CLIENTID`, `APPID`): a word that merely
/// ends in `ID` (`VALID`, `PAID`, `ANDROID`) is none.
const ID_NOUNS: &[&str] = &[
    "CLIENT",
    "APP",
    "APPLICATION",
    "USER",
    "ACCOUNT",
    "PROJECT",
    "TENANT",
    "ORG",
    "TEAM",
    "CHAT",
    "GUILD",
    "CHANNEL",
    "SENDER",
    "SITE",
    "TRACKING",
    "MEASUREMENT",
    "PROPERTY",
    "KEY",
    "SPACE",
    "WORKSPACE",
    "BOT",
    "API",
];

/// Whether `value` names this machine: the host of a URL (every host of a MongoDB seed
/// list), or of `host:port`.
pub fn is_local_address(value: &str) -> bool {
    let rest = value.split_once("://").map_or(value, |(_, rest)| rest);
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let hosts = authority.rsplit_once('@').map_or(authority, |(_, hosts)| hosts);
    hosts.split(',').any(|host| is_local_host(strip_port(host)))
}

fn strip_port(host: &str) -> &str {
    if let Some(inner) = host.strip_prefix('[') {
        return inner.split(']').next().unwrap_or_default();
    }
    // A bare IPv6 address has several colons; `host:port` has one.
    match host.matches(':').count() {
        1 => host.split(':').next().unwrap_or_default(),
        _ => host,
    }
}

fn is_local_host(host: &str) -> bool {
    let host = host.trim().trim_end_matches('.').to_ascii_lowercase();
    let loopback_v4 = host.strip_prefix("127.").is_some_and(|rest| {
        rest.split('.').count() == 3 && rest.split('.').all(|p| p.parse::<u8>().is_ok())
    });
    host == "localhost"
        || host.ends_with(".localhost")
        || host == "host.docker.internal"
        || host == "::1"
        || loopback_v4
}

/// Words placeholders are made of; a value made only of these and of the words of its
/// variable's name (`APP_ID`: `myAppId`; `SESSION_SECRET`: `session-secret`) names no
/// real credential. Longest first, so `secret` is taken before `sec`.
const PLACEHOLDER_WORDS: &[&str] = &[
    "development",
    "placeholder",
    "changethis",
    "changeme",
    "insecure",
    "keyboard",
    "password",
    "username",
    "example",
    "replace",
    "secrets",
    "session",
    "default",
    "testing",
    "develop",
    "sample",
    "secret",
    "master",
    "passwd",
    "signing",
    "shhhhh",
    "client",
    "cookie",
    "insert",
    "change",
    "s3cr3t",
    "secr3t",
    "shhhh",
    "dummy",
    "token",
    "local",
    "admin",
    "value",
    "super",
    "your",
    "here",
    "fake",
    "demo",
    "test",
    "todo",
    "pass",
    "user",
    "root",
    "this",
    "shhh",
    "very",
    "some",
    "salt",
    "key",
    "keys",
    "app",
    "api",
    "jwt",
    "dev",
    "foo",
    "bar",
    "baz",
    "abc",
    "cat",
    "not",
    "top",
    "the",
    "pwd",
    "shh",
    "tbd",
    "my",
    "id",
    "me",
    "it",
    "so",
];

/// Whether `value` reads as a stand-in for the real value of `name`: built only from
/// placeholder words, the words of the name and digits (`abc123`, `password1`), all one
/// character (`xxxxxx`, `******`), wrapped in `<...>` or `{...}`, or a well-known run of
/// digits (`123456`). A random-looking or token-shaped value never is.
pub fn is_placeholder(name: &str, value: &str) -> bool {
    let value = value.trim();
    if secret::value_looks_secret(value) {
        return false;
    }
    if (value.starts_with('<') && value.ends_with('>'))
        || (value.starts_with('{') && value.ends_with('}'))
    {
        return true;
    }
    let mut chars = value.chars().filter(|c| !c.is_whitespace());
    if let Some(first) = chars.next()
        && value.chars().count() >= 3
        && chars.all(|c| c == first)
    {
        return true;
    }
    let lower: String =
        value.chars().filter(char::is_ascii_alphanumeric).map(|c| c.to_ascii_lowercase()).collect();
    if lower.is_empty() {
        return false;
    }
    if lower.chars().all(|c| c.is_ascii_digit()) {
        return matches!(lower.as_str(), "123" | "1234" | "12345" | "123456" | "0000" | "000000");
    }
    let mut words: Vec<String> = name
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| w.len() >= 2)
        .map(str::to_ascii_lowercase)
        .collect();
    words.extend(PLACEHOLDER_WORDS.iter().map(|w| (*w).to_owned()));
    words.sort_by_key(|w| std::cmp::Reverse(w.len()));
    // Take words off the front, longest first: what is left must be digits at most.
    let mut rest = lower.as_str();
    'strip: while !rest.is_empty() {
        for word in &words {
            if let Some(after) = rest.strip_prefix(word.as_str()) {
                rest = after;
                continue 'strip;
            }
        }
        break;
    }
    rest.chars().all(|c| c.is_ascii_digit()) && rest.len() <= 4
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every spelling of an address on this machine, and look-alikes that are not.
    #[test]
    fn local_addresses_in_every_spelling() {
        for value in [
            "mongodb://localhost:27017/dev",
            "http://localhost:1337/parse",
            "localhost",
            "localhost:6379",
            "127.0.0.1",
            "redis://127.0.0.1:6379/0",
            "postgres://user:pw@127.0.0.1:5432/app",
            "http://[::1]:3000",
            "::1",
            "http://api.localhost:8080",
            "mongodb://db1.example.com:27017,localhost:27018/app",
            "http://host.docker.internal:9000",
            "LOCALHOST",
        ] {
            assert!(is_local_address(value), "{value}");
        }
        for value in [
            "0.0.0.0",
            "https://api.example.com",
            "mongodb+srv://cluster0.mongodb.net/app",
            "localhost-proxy.example.com",
            "127.0.0.1.example.com",
            "info",
            "/var/lib/localhost",
            "http://example.com/?next=localhost",
        ] {
            assert!(!is_local_address(value), "{value}");
        }
    }

    /// The placeholders real apps give credentials and identifiers, and real-looking
    /// defaults that are not placeholders.
    #[test]
    fn placeholders_of_credentials_and_identifiers() {
        for (name, value) in [
            ("APP_ID", "myAppId"),
            ("MASTER_KEY", "myMasterKey"),
            ("SECRET", "changeme"),
            ("SESSION_SECRET", "your-secret-here"),
            ("SESSION_SECRET", "keyboard cat"),
            ("JWT_SECRET", "secret"),
            ("JWT_SECRET", "dev"),
            ("JWT_SECRET", "jwt-secret"),
            ("COOKIE_SECRET", "supersecret"),
            ("API_KEY", "<your api key>"),
            ("API_KEY", "YOUR_API_KEY_HERE"),
            ("CLIENT_ID", "your-client-id"),
            ("ADMIN_PASSWORD", "admin"),
            ("DB_PASSWORD", "password123"),
            ("DB_USER", "user"),
            ("TOKEN", "xxxxxxxx"),
            ("SECRET_KEY", "dev_secret_key"),
            ("SALT", "abc123"),
            ("PIN", "123456"),
        ] {
            assert!(is_placeholder(name, value), "{name}={value}");
        }
        for (name, value) in [
            ("GA_ID", "UA-1234567-1"),
            ("DB_USER", "postgres"),
            ("WORKER_ID", "0"),
            ("SHARD_ID", "1"),
            ("API_KEY", "sk_live_4eC39HqLyjWDarjtT1zdp7dc"),
            ("SESSION_SECRET", "f3a9c1d27b4e8a6c0d5f2e9b7a1c4d8e"),
            ("CLIENT_ID", "1234567890-abc.apps.googleusercontent.com"),
        ] {
            assert!(!is_placeholder(name, value), "{name}={value}");
        }
    }

    /// Only credentials and identifiers are judged for placeholders; any variable for a
    /// local address.
    #[test]
    fn which_defaults_serve_only_development() {
        assert_eq!(dev_default("APP_ID", "myAppId"), Some(DevDefault::Placeholder));
        assert_eq!(dev_default("SECRET", "changeme"), Some(DevDefault::Placeholder));
        assert_eq!(dev_default("LOG_LEVEL", "dev"), None);
        assert_eq!(dev_default("MODE", "test"), None);
        assert_eq!(
            dev_default("SERVER_URL", "http://localhost:1337/parse"),
            Some(DevDefault::Local)
        );
        assert_eq!(dev_default("REDIS_HOST", "127.0.0.1"), Some(DevDefault::Local));
        assert_eq!(dev_default("PARSE_MOUNT", "/parse"), None);
        assert_eq!(dev_default("TOKEN", ""), None);
        assert!(names_an_identifier("CMD_IMGUR_CLIENTID") && names_an_identifier("ACCOUNT_SID"));
        assert!(!names_an_identifier("DB_PORT") && !names_an_identifier("PAID_PLAN"));
        assert!(!names_an_identifier("VALID_HOSTS") && !names_an_identifier("ANDROID_HOME"));
    }
}
