//! `<app>.herokuapp.com` addresses: Heroku's default host for an app (see Heroku's
//! "Custom Domain Names for Apps" article: every app answers at `<app>.herokuapp.com`).
//!
//! The one reader of them for code literals, component markup, documents, app.json
//! values and Scheduler job commands, so that all of them agree on where an address
//! starts and ends and which app it names.

use std::ops::Range;
use std::sync::LazyLock;

use regex::bytes::Regex;

/// What every address ends with, before its path.
pub const HOST_SUFFIX: &str = ".herokuapp.com";

/// One address found in a text, as byte ranges of that text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Found {
    /// `shop-api.herokuapp.com` (subdomains in front included), as written.
    pub host: Range<usize>,
    /// From the scheme (`https://`, `wss://`, a scheme-relative `//`), or the host when
    /// there is none, to the end of the path, query and fragment: the first whitespace,
    /// quote, `<`, `>`, `\` or `${`, less trailing punctuation (`.`, `,`, `)`, ...).
    /// Braces inside stay: map tile templates read `https://x.herokuapp.com/{z}/{x}`.
    pub url: Range<usize>,
}

/// The suffix in any letter case. The regex engine looks for it with a vectorised
/// literal search, far faster than comparing at every byte on large files.
static SUFFIX: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"(?i-u)\.herokuapp\.com").expect("a valid pattern"));

/// Whether `text` names the herokuapp domain at all (any case): a cheap test before a
/// parse.
pub fn mentioned(text: &[u8]) -> bool {
    SUFFIX.is_match(text)
}

/// Every `<name>.herokuapp.com` address in `text`, in order, in any letter case. A
/// suffix with no name before it (`*.herokuapp.com`) or that goes on as a longer host
/// (`x.herokuapp.com.evil.net`, `x.herokuapp.community`) is not one.
pub fn find(text: &[u8]) -> impl Iterator<Item = Found> + '_ {
    SUFFIX.find_iter(text).filter_map(|m| {
        let (at, host_end) = (m.start(), m.end());
        let start = text[..at].iter().rposition(|&b| !is_host_byte(b)).map_or(0, |i| i + 1);
        let longer = match text.get(host_end..) {
            Some([b'.', next, ..]) => next.is_ascii_alphanumeric(),
            Some([next, ..]) => next.is_ascii_alphanumeric() || matches!(next, b'-' | b'_'),
            _ => false,
        };
        if start == at || longer {
            return None;
        }
        let url = scheme_start(text, start)..url_end(text, host_end);
        Some(Found { host: start..host_end, url })
    })
}

/// The first address in `text`, as written from its scheme (or host) to its end.
pub fn first_url(text: &str) -> Option<&str> {
    find(text.as_bytes()).next().map(|found| &text[found.url])
}

/// The Heroku app name of an address, lowercase: `shop-api` for
/// `https://Shop-API.herokuapp.com/x` or `shop-api.herokuapp.com:443`. `None` when the host
/// is not `<name>.herokuapp.com` or the name is not one Heroku allows (lowercase
/// letters, digits and dashes). Of `a.b.herokuapp.com`, the name is `b`.
pub fn app_name(url: &str) -> Option<String> {
    let url = url.trim();
    let rest = url.split_once("://").map_or(url, |(_, r)| r);
    let rest = rest.strip_prefix("//").unwrap_or(rest);
    let host = rest.split(['/', ':', '?', '#']).next()?.to_ascii_lowercase();
    let name = host.strip_suffix(HOST_SUFFIX)?;
    let name = name.rsplit('.').next().unwrap_or(name);
    let valid = !name.is_empty()
        && name.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
    valid.then(|| name.to_owned())
}

/// The length of the `http(s)://<app>.herokuapp.com[:port]` origin at the very start of
/// `content`, when the end, a path, a query or a fragment follows it: what a rewrite
/// may replace by another origin.
pub fn origin_len(content: &str) -> Option<usize> {
    let bytes = content.as_bytes();
    let scheme = ["https://", "http://"]
        .into_iter()
        .find(|s| bytes.len() >= s.len() && bytes[..s.len()].eq_ignore_ascii_case(s.as_bytes()))?;
    let found = find(bytes).next()?;
    // One label before the suffix: a subdomain is not an app's own origin.
    let name = &bytes[scheme.len()..found.host.end - HOST_SUFFIX.len()];
    if found.host.start != scheme.len() || name.contains(&b'.') {
        return None;
    }
    let mut i = found.host.end;
    if bytes.get(i) == Some(&b':') {
        let digits = bytes[i + 1..].iter().take_while(|b| b.is_ascii_digit()).count();
        if digits == 0 {
            return None;
        }
        i += 1 + digits;
    }
    match bytes.get(i) {
        None | Some(b'/' | b'?' | b'#') => Some(i),
        _ => None,
    }
}

fn is_host_byte(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || byte == b'-' || byte == b'.'
}

/// Start of `<scheme>://` or `//` right before the host at `host_start`, or the host.
fn scheme_start(text: &[u8], host_start: usize) -> usize {
    let before = &text[..host_start];
    let Some(before_slashes) = before.strip_suffix(b"//") else {
        return host_start;
    };
    let Some(before_colon) = before_slashes.strip_suffix(b":") else {
        return host_start - 2;
    };
    let scheme_len = before_colon
        .iter()
        .rev()
        .take_while(|&&b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'-' | b'.'))
        .count();
    if scheme_len == 0 { host_start } else { host_start - 3 - scheme_len }
}

/// End of the address that goes on from `host_end`.
fn url_end(text: &[u8], host_end: usize) -> usize {
    let rest = &text[host_end..];
    let mut len = rest
        .iter()
        .enumerate()
        .take_while(|&(i, &b)| {
            let substitution = b == b'$' && rest.get(i + 1) == Some(&b'{');
            !(substitution || b.is_ascii_whitespace() || b"\"'`<>\\".contains(&b))
        })
        .count();
    // Sentence punctuation after an address is not part of it.
    while len > 0 && b".,;:!?)]}".contains(&rest[len - 1]) {
        len -= 1;
    }
    host_end + len
}

#[cfg(test)]
mod tests {
    use super::*;

    fn urls(text: &str) -> Vec<&str> {
        find(text.as_bytes()).map(|f| &text[f.url]).collect()
    }

    fn hosts(text: &str) -> Vec<&str> {
        find(text.as_bytes()).map(|f| &text[f.host]).collect()
    }

    #[test]
    fn addresses_run_from_scheme_to_the_end_of_the_path() {
        assert_eq!(
            urls("See [the app](https://shop-api.herokuapp.com/docs?a=1#x)."),
            ["https://shop-api.herokuapp.com/docs?a=1#x"]
        );
        assert_eq!(urls("wss://a.herokuapp.com:443/ws, then"), ["wss://a.herokuapp.com:443/ws"]);
        assert_eq!(urls("<img src='//cdn.herokuapp.com/i.png'>"), ["//cdn.herokuapp.com/i.png"]);
        assert_eq!(urls("`https://a.herokuapp.com/u/${id}`"), ["https://a.herokuapp.com/u/"]);
        assert_eq!(urls("API=https://a.herokuapp.com node x"), ["https://a.herokuapp.com"]);
        assert_eq!(urls("at SHOP.HEROKUAPP.COM."), ["SHOP.HEROKUAPP.COM"]);
        assert_eq!(urls("(see a.herokuapp.com/x)"), ["a.herokuapp.com/x"]);
        assert_eq!(
            urls("'https://t.herokuapp.com/{z}/{x}.png'"),
            ["https://t.herokuapp.com/{z}/{x}.png"]
        );
        assert_eq!(hosts("https://api.v2.herokuapp.com/x"), ["api.v2.herokuapp.com"]);
    }

    #[test]
    fn a_suffix_without_a_name_or_inside_a_longer_host_is_no_address() {
        assert!(urls("any *.herokuapp.com host").is_empty());
        assert!(urls("https://a.herokuapp.com.evil.net/x").is_empty());
        assert!(urls("a.herokuapp.community and a.herokuapp.com_x").is_empty());
        assert!(urls("nothing here").is_empty());
        assert_eq!(
            urls("a.herokuapp.com.\nb.herokuapp.com"),
            ["a.herokuapp.com", "b.herokuapp.com"]
        );
    }

    #[test]
    fn app_names_are_lowercase_heroku_names() {
        assert_eq!(app_name("https://Shop-API.herokuapp.com/x?y").as_deref(), Some("shop-api"));
        assert_eq!(app_name("shop-api.herokuapp.com").as_deref(), Some("shop-api"));
        assert_eq!(app_name("http://shop.herokuapp.com:443/").as_deref(), Some("shop"));
        assert_eq!(app_name("//www.shop.herokuapp.com").as_deref(), Some("shop"));
        assert_eq!(app_name("https://example.com"), None);
        assert_eq!(app_name("https://bad_name.herokuapp.com"), None);
        assert_eq!(app_name(".herokuapp.com"), None);
    }

    #[test]
    fn origins_are_scheme_app_and_port_only() {
        assert_eq!(origin_len("https://a.herokuapp.com/api"), Some(23));
        assert_eq!(origin_len("HTTP://a.herokuapp.com:8080?x"), Some(27));
        assert_eq!(origin_len("https://a.herokuapp.com"), Some(23));
        assert_eq!(origin_len("https://a.b.herokuapp.com/"), None);
        assert_eq!(origin_len("https://a.herokuapp.com:/"), None);
        assert_eq!(origin_len("https://a.herokuapp.comx"), None);
        assert_eq!(origin_len("see https://a.herokuapp.com"), None);
        assert_eq!(origin_len("//a.herokuapp.com"), None);
    }
}
