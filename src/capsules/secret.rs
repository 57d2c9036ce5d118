//! Credentials recognised by their name or their shape, and text with them hidden.
//!
//! A repository that deploys on Heroku often holds credentials where they should not be:
//! an app.json default, a `VAR=value` Procfile prefix, a `PGPASSWORD=...` in a
//! `postdeploy` or `heroku-postbuild` command. Whatever the tool shows or commits (the
//! plan, its JSON, CODE_CAPSULES.md) must not copy them: a push could be rejected by
//! secret scanning, and once merged the credential is in one more place. So a value is
//! hidden when its name says it is a credential (`*PASS*`, `*SECRET*`, `*TOKEN*`,
//! `*KEY*`, ...) or when its shape does, whatever its name:
//!
//! - the well-known token prefixes of the services Heroku apps use (Stripe `sk_live_`,
//!   GitHub `ghp_`/`gho_`/`github_pat_`, Slack `xoxb-`/`xoxp-`, AWS `AKIA...`, Google
//!   `AIza...`, SendGrid `SG.`, npm `npm_`, GitLab `glpat-`, ...), each from the issuer's
//!   documented token format;
//! - JSON Web Tokens (`eyJ...` header, payload and signature);
//! - Slack, Discord and Microsoft Teams incoming-webhook URLs (the URL is the credential);
//! - PEM private key blocks (`-----BEGIN ... PRIVATE KEY-----`);
//! - the password (or token) in the userinfo of a URL (`postgres://u:pw@host/db`);
//! - long random-looking strings: 20 or more characters of letters and digits (base64 or
//!   hex alphabets) with at least 3.5 bits of entropy per character (3 for hex).
//!
//! Hidden parts read `***`; the guide says where the value must come from instead.

use std::ops::Range;
use std::sync::LazyLock;

use regex::Regex;

/// What a hidden part of a text is replaced with.
pub const MASK: &str = "***";

/// Words in a variable name that say its value is a credential. `PASS` covers
/// `PASSWORD`, `PGPASS`, `PASSPHRASE`, `DB_PASS`.
const SECRET_WORDS: &[&str] = &[
    "SECRET",
    "PASS",
    "PWD",
    "TOKEN",
    "KEY",
    "CREDENTIAL",
    "PRIVATE",
    "AUTH",
    "SALT",
    "SIGNATURE",
    "COOKIE",
    "DSN",
];

/// Names that contain a secret word but hold no credential.
const NOT_SECRET_NAMES: &[&str] = &["PASSPORT", "KEYWORDS", "AUTHOR", "BYPASS", "KEYSPACE"];

/// The words of [`SECRET_WORDS`] that name the secret itself, not something about
/// authentication (`OAUTH_RESPONSE_TYPE`, `AUTH_URL`), a cookie's settings or a DSN.
const SECRET_VALUE_WORDS: &[&str] =
    &["SECRET", "PASS", "PWD", "TOKEN", "KEY", "CREDENTIAL", "PRIVATE", "SALT"];

/// Whether a variable called `name` is itself a secret (`*_SECRET`, `*_KEY`, `*TOKEN*`,
/// `*PASSWORD*`, ...): a default for it written in the code is a secret anyone with the
/// repository can read. Narrower than [`name_looks_secret`], which decides what is
/// never printed.
pub fn name_is_a_secret(name: &str) -> bool {
    let mut upper = name.to_ascii_uppercase();
    for harmless in NOT_SECRET_NAMES {
        upper = upper.replace(harmless, "_");
    }
    SECRET_VALUE_WORDS.iter().any(|word| upper.contains(word))
}

/// Whether a variable called `name` holds a credential, by its name alone.
pub fn name_looks_secret(name: &str) -> bool {
    let mut upper = name.to_ascii_uppercase();
    // The shell's working directories, not passwords.
    if matches!(upper.as_str(), "PWD" | "OLDPWD") {
        return false;
    }
    for harmless in NOT_SECRET_NAMES {
        upper = upper.replace(harmless, "_");
    }
    SECRET_WORDS.iter().any(|word| upper.contains(word))
}

/// Whether `value` is, or holds, something shaped like a credential.
pub fn value_looks_secret(value: &str) -> bool {
    !secret_spans(value, true).is_empty()
}

/// `text` with every credential-shaped part, and the value of every `NAME=value`
/// assignment whose name looks like a credential, replaced with [`MASK`]. Everything
/// else is kept byte for byte, so a command stays readable.
pub fn redact(text: &str) -> String {
    redact_spans(text, true)
}

/// Like [`redact`] but without the random-string check, for whole documents that also
/// hold paths and names (`bundle.8f14e45fceea167a5a36.js` is a file, not a key): the
/// tool's last line of defence over the guide, the text plan and its JSON, behind the
/// redaction of each command and value.
pub fn redact_known(text: &str) -> String {
    redact_spans(text, false)
}

fn redact_spans(text: &str, random: bool) -> String {
    let mut spans = secret_spans(text, random);
    spans.extend(assignment_spans(text));
    if spans.is_empty() {
        return text.to_owned();
    }
    spans.sort_by_key(|s| (s.start, std::cmp::Reverse(s.end)));
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for span in spans {
        if span.end <= at {
            continue;
        }
        let start = span.start.max(at);
        out.push_str(&text[at..start]);
        if !out.ends_with(MASK) {
            out.push_str(MASK);
        }
        at = span.end;
    }
    out.push_str(&text[at..]);
    out
}

/// Known token formats. Each starts at a word boundary and needs enough characters after
/// its prefix that a mention of the prefix alone ("keys start with sk_live_") is kept.
static TOKENS: LazyLock<Regex> = LazyLock::new(|| {
    let patterns = [
        // Stripe secret, restricted and webhook-signing keys.
        r"(?:sk|rk)_(?:live|test)_[0-9A-Za-z]{10,}",
        r"whsec_[0-9A-Za-z]{16,}",
        // GitHub: classic (ghp_, gho_, ghu_, ghs_, ghr_) and fine-grained tokens.
        r"gh[pousr]_[0-9A-Za-z]{20,}",
        r"github_pat_[0-9A-Za-z_]{20,}",
        // GitLab personal access tokens.
        r"glpat-[0-9A-Za-z_\-]{20,}",
        // Slack bot, user, app and refresh tokens.
        r"xox[abeoprs]-[0-9A-Za-z\-]{10,}",
        r"xapp-[0-9A-Za-z\-]{10,}",
        // AWS access key ids.
        r"(?:AKIA|ASIA|AGPA|AIDA|AROA|ANPA|ANVA|AIPA)[0-9A-Z]{16}",
        // Google API keys.
        r"AIza[0-9A-Za-z_\-]{35}",
        // SendGrid.
        r"SG\.[0-9A-Za-z_\-]{16,}\.[0-9A-Za-z_\-]{16,}",
        // npm, Shopify, DigitalOcean, Heroku's own API keys (HRKU-), Twilio API keys.
        r"npm_[0-9A-Za-z]{30,}",
        r"shp(?:at|ss|ca|pa)_[0-9a-fA-F]{20,}",
        r"do[opr]_v1_[0-9a-f]{40,}",
        r"HRKU-[0-9A-Za-z_\-]{20,}",
        r"SK[0-9a-f]{32}",
        // Mailgun, Mailchimp-like `key-...`.
        r"key-[0-9a-zA-Z]{32}",
        // OpenAI and Anthropic keys.
        r"sk-(?:proj-|ant-)?[0-9A-Za-z_\-]{20,}",
        // JSON Web Tokens: header and payload are base64url JSON objects.
        r"eyJ[0-9A-Za-z_\-]{4,}\.eyJ[0-9A-Za-z_\-]{4,}\.[0-9A-Za-z_\-]*",
    ];
    let body = patterns.join("|");
    Regex::new(&format!(r"(?:^|[^0-9A-Za-z_\-])({body})")).expect("the token patterns compile")
});

/// Incoming-webhook URLs: anyone holding one can post as the app.
static WEBHOOKS: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r#"(?i)(?:hooks\.slack\.com/(?:services|workflows|triggers)/|(?:discord|discordapp)\.com/api/webhooks/|\.webhook\.office\.com/webhookb2/|outlook\.office\.com/webhook/)([^\s"'`<>]+)"#,
    )
    .expect("the webhook pattern compiles")
});

/// PEM private keys, up to their end line or the end of the text.
static PRIVATE_KEYS: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?s)-----BEGIN [A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?-----.*?(?:-----END [A-Z0-9 ]*-----|\z)",
    )
    .expect("the private key pattern compiles")
});

/// `scheme://userinfo@host`: the part between `//` and the last `@` of the authority.
static USERINFO: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"[A-Za-z][A-Za-z0-9+.\-]*://([^\s/?#@"'`<>]+)@"#)
        .expect("the userinfo pattern compiles")
});

/// Runs of the alphabets random tokens are written in (base64, base64url, hex).
static CANDIDATES: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"[0-9A-Za-z+/_\-]{20,}={0,2}").expect("the candidate pattern compiles")
});

/// The byte ranges of `text` that are shaped like credentials.
fn secret_spans(text: &str, random: bool) -> Vec<Range<usize>> {
    let mut spans: Vec<Range<usize>> = Vec::new();
    for caps in TOKENS.captures_iter(text) {
        spans.push(caps.get(1).expect("group 1 always matches").range());
    }
    for caps in WEBHOOKS.captures_iter(text) {
        spans.push(caps.get(1).expect("group 1 always matches").range());
    }
    spans.extend(PRIVATE_KEYS.find_iter(text).map(|m| m.range()));
    for caps in USERINFO.captures_iter(text) {
        let info = caps.get(1).expect("group 1 always matches");
        // `user:password`: the password; a lone user part is a token only by its shape
        // (`https://ghp_...@github.com`), which the other checks see.
        if let Some(colon) = info.as_str().find(':')
            && colon + 1 < info.len()
        {
            spans.push(info.start() + colon + 1..info.end());
        }
    }
    if !random {
        return spans;
    }
    for m in CANDIDATES.find_iter(text) {
        // Paths and dotted names are made of words; a random token is one piece.
        for piece in split_ranges(m.as_str(), '/') {
            let piece_text = &m.as_str()[piece.clone()];
            if looks_random(piece_text) {
                spans.push(m.start() + piece.start..m.start() + piece.end);
            }
        }
    }
    spans
}

/// `text` split at `separator`, as byte ranges.
fn split_ranges(text: &str, separator: char) -> Vec<Range<usize>> {
    let mut out = Vec::new();
    let mut start = 0;
    for (i, c) in text.char_indices() {
        if c == separator {
            out.push(start..i);
            start = i + c.len_utf8();
        }
    }
    out.push(start..text.len());
    out
}

/// A long run of letters and digits that reads as random: both letters and digits, few
/// word separators, and a high entropy per character. Identifiers (`MY_SERVICE_V2_URL`),
/// camelCase words and version strings fail one of these.
fn looks_random(piece: &str) -> bool {
    let body = piece.trim_end_matches('=');
    if body.len() < 20 {
        return false;
    }
    let letters = body.bytes().filter(u8::is_ascii_alphabetic).count();
    let digits = body.bytes().filter(u8::is_ascii_digit).count();
    if letters == 0 || digits < 2 {
        return false;
    }
    // Word separators: `some-long-package-name-2024` is words, not a token.
    let separators = body.bytes().filter(|b| matches!(b, b'_' | b'-')).count();
    if separators * 8 > body.len() {
        return false;
    }
    let hex = body.bytes().all(|b| b.is_ascii_hexdigit());
    let threshold = if hex { 3.0 } else { 3.5 };
    entropy(body) >= threshold
}

/// Shannon entropy of `text`'s bytes, in bits per byte.
fn entropy(text: &str) -> f64 {
    let mut counts = [0usize; 256];
    for b in text.bytes() {
        counts[usize::from(b)] += 1;
    }
    let len = text.len() as f64;
    counts
        .iter()
        .filter(|&&n| n > 0)
        .map(|&n| {
            let p = n as f64 / len;
            -p * p.log2()
        })
        .sum()
}

/// The values of `NAME=value` shell assignments (`PGPASSWORD=x psql`, `export API_KEY=x`)
/// whose name looks like a credential.
fn assignment_spans(text: &str) -> Vec<Range<usize>> {
    static ASSIGNMENT: LazyLock<Regex> = LazyLock::new(|| {
        // A backquote opens a Markdown code span around a command in notes and the guide.
        Regex::new(r"(?:^|[\s;&|(`])([A-Za-z_][A-Za-z0-9_]*)=").expect("the pattern compiles")
    });
    let mut spans = Vec::new();
    for caps in ASSIGNMENT.captures_iter(text) {
        let name = caps.get(1).expect("group 1 always matches");
        if !name_looks_secret(name.as_str()) {
            continue;
        }
        let start = caps.get(0).expect("the match").end();
        let len = shell_word_len(&text[start..]);
        if len > 0 && !is_reference(&text[start..start + len]) {
            spans.push(start..start + len);
        }
    }
    spans
}

/// `$NAME`, `${NAME}` or either in double quotes: the value comes from another variable,
/// and the command says nothing secret by naming it.
pub fn is_reference(value: &str) -> bool {
    let value = value.strip_prefix('"').and_then(|v| v.strip_suffix('"')).unwrap_or(value);
    let Some(name) = value.strip_prefix('$') else { return false };
    let name = name.strip_prefix('{').and_then(|n| n.strip_suffix('}')).unwrap_or(name);
    !name.is_empty() && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
}

/// The byte length of the shell word at the start of `text`, quotes included.
pub(super) fn shell_word_len(text: &str) -> usize {
    let mut quote: Option<char> = None;
    for (i, c) in text.char_indices() {
        match (quote, c) {
            (None, c) if c.is_whitespace() || matches!(c, ';' | '&' | '|' | ')') => return i,
            (None, '\'' | '"') => quote = Some(c),
            (Some(q), _) if c == q => quote = None,
            _ => {}
        }
    }
    text.len()
}

#[cfg(test)]
mod tests {

    /// A default for these is a secret in the repository; for the others (`AUTH` in an
    /// OAuth setting's name) it is only not printed.
    #[test]
    fn names_that_are_secrets_themselves() {
        for name in [
            "JWT_SECRET",
            "STRIPE_API_KEY",
            "GITHUB_TOKEN",
            "DB_PASSWORD",
            "PGPASS",
            "PRIVATE_KEY_PEM",
            "PASSWORD_SALT",
        ] {
            assert!(name_is_a_secret(name), "{name}");
            assert!(name_looks_secret(name), "{name}");
        }
        for name in [
            "CUSTOM_OAUTH_RESPONSE_TYPE",
            "AUTH_URL",
            "SENTRY_DSN",
            "COOKIE_DOMAIN",
            "PASSPORT_STRATEGY",
            "KEYWORDS",
        ] {
            assert!(!name_is_a_secret(name), "{name}");
        }
    }

    use super::*;

    #[test]
    fn known_token_shapes_are_secret_whatever_their_name() {
        // Each value, and the part of it that must not be shown.
        let secrets = [
            ("sk_live_51HabcdefghijKLMNOP0123", "51Habcdefghij"),
            ("rk_test_4eC39HqLyjWDarjtT1zdp7dc", "4eC39HqLyj"),
            ("ghp_abcdefghijklmnopqrstuvwxyz0123456789", "abcdefghijklmnop"),
            ("gho_16C7e42F292c6912E7710c838347Ae178B4a", "16C7e42F292c"),
            ("github_pat_11ABCDEFG0123456789_abcdefghijklmnop", "11ABCDEFG"),
            ("xoxb-123456789012-123456789012-AbCdEfGhIjKlMnOp", "AbCdEfGh"),
            ("xoxp-1234-5678-abcdefghij", "abcdefghij"),
            ("AKIAIOSFODNN7EXAMPLE", "IOSFODNN7"),
            ("AIzaSyA1234567890abcdefghijklmnopqrstuv", "SyA1234567890"),
            ("eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.sig_nature-1", "eyJzdWIiOiIxIn0"),
            ("https://hooks.slack.com/services/T000/B000/XXXXXXXX", "T000/B000"),
            ("https://discord.com/api/webhooks/123/abcDEF", "123/abcDEF"),
            ("-----BEGIN RSA PRIVATE KEY-----\nMIIE\n-----END RSA PRIVATE KEY-----", "MIIE"),
            ("-----BEGIN OPENSSH PRIVATE KEY-----", "OPENSSH"),
            ("postgres://user:pa55word@db.example.com:5432/app", "pa55word"),
            ("8f14e45fceea167a5a36dedd4bea2543", "8f14e45f"),
            ("Zm9vYmFyYmF6cXV4MTIzNDU2Nzg5MA", "Zm9vYmFy"),
        ];
        for (value, hidden) in secrets {
            assert!(value_looks_secret(value), "{value}");
            assert!(!redact(value).contains(hidden), "{value}: {}", redact(value));
        }
    }

    #[test]
    fn ordinary_values_are_not_secret() {
        let plain = [
            "production",
            "https://shop-backend.herokuapp.com/api",
            "postgres://localhost:5432/app",
            "https://user@github.com/acme/shop.git",
            "node --max-old-space-size=4096 dist/server.js",
            "MY_SERVICE_V2_ENDPOINT_URL_2024",
            "webpack --config webpack.config.production.js",
            "@babel/plugin-proposal-class-properties",
            "keys start with sk_live_",
            "node_modules/.bin/some-long-package-name-2024",
            "aVeryLongCamelCaseIdentifierName",
            "1.2.3-beta.4+build.20240101",
            "NODE_OPTIONS=--max_old_space_size=2560 node server.js",
            "node -r dotenv/config build/server.js dotenv_config_path=/etc/secrets/.env",
            "sequelize db:migrate --url $DATABASE_URL",
            "SECRET_KEY_BASE=$SECRET_KEY_BASE API_TOKEN=\"${TOKEN}\" node x.js",
            "npx prisma migrate deploy && node dist/main.8f14e45f.js",
            "cross-env NODE_ENV=production webpack --config ./config/webpack.prod.babel.js",
            "node --experimental-specifier-resolution=node dist/index.js",
            "ts-node -r tsconfig-paths/register src/main.ts",
        ];
        for value in plain {
            assert!(!value_looks_secret(value), "{value}");
            assert_eq!(redact(value), value);
        }
    }

    proptest::proptest! {
        /// Any text: no panic, and what is hidden stays hidden when redacted again.
        #[test]
        fn redaction_is_total_and_stable(text in "\\PC{0,80}|[A-Za-z_=:/@ .-]{0,80}") {
            let once = redact(&text);
            proptest::prop_assert_eq!(redact(&once), once.clone());
            proptest::prop_assert_eq!(redact_known(&redact_known(&text)), redact_known(&text));
        }
    }

    #[test]
    fn names_with_credential_words_are_secret() {
        for name in ["PGPASSWORD", "DB_PASS", "SESSION_SECRET", "API_KEY", "AUTH0_TOKEN"] {
            assert!(name_looks_secret(name), "{name}");
        }
        for name in ["PORT", "PASSPORT_CALLBACK_URL", "NODE_ENV", "AUTHOR_NAME"] {
            assert!(!name_looks_secret(name), "{name}");
        }
    }

    #[test]
    fn redaction_keeps_everything_but_the_credential() {
        assert_eq!(
            redact("PGPASSWORD=pgpass123 psql -f seed.sql"),
            "PGPASSWORD=*** psql -f seed.sql"
        );
        assert_eq!(
            redact("npm run build && export API_KEY='a b'; node x.js"),
            "npm run build && export API_KEY=***; node x.js"
        );
        assert_eq!(
            redact("psql postgres://admin:hunter2@db.example.com/app -c 'select 1'"),
            "psql postgres://admin:***@db.example.com/app -c 'select 1'"
        );
        assert_eq!(
            redact("MY_OPT=sk_live_51HabcdefghijKLMNOP0123 node index.js"),
            "MY_OPT=*** node index.js"
        );
        assert_eq!(
            redact("curl \"https://hooks.slack.com/services/T0/B0/XYZ\""),
            "curl \"https://hooks.slack.com/services/***\""
        );
    }
}
