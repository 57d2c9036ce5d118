//! `*.herokuapp.com` addresses outside the code (READMEs, HTML pages): reported, never
//! rewritten, since only the user knows what each should become.

use super::{Error, in_node_modules};
use crate::diag::Warning;
use crate::source::Source;

/// Documents larger than this are not searched.
const MAX_DOC: u64 = 1024 * 1024;

const NEEDLE: &[u8] = b".herokuapp.com";

/// One warning per line of a Markdown or HTML file that names a herokuapp.com host.
pub fn herokuapp_mentions(source: &Source) -> Result<Vec<Warning>, Error> {
    let mut warnings = Vec::new();
    for entry in source.entries() {
        let lower = entry.path.to_ascii_lowercase();
        let is_doc = [".md", ".markdown", ".html", ".htm"].iter().any(|ext| lower.ends_with(ext));
        if !is_doc || !entry.kind.is_regular() || in_node_modules(&entry.path) {
            continue;
        }
        if entry.size.is_some_and(|s| s > MAX_DOC) {
            continue;
        }
        let bytes = source.read(&entry.path)?;
        for (index, line) in bytes.split(|&b| b == b'\n').enumerate() {
            if let Some(host) = herokuapp_host(line) {
                warnings.push(Warning::at_line(
                    &entry.path,
                    index + 1,
                    format!("mentions the Heroku address {host}: update it to the new Capsule's"),
                ));
            }
        }
    }
    Ok(warnings)
}

/// The first `<name>.herokuapp.com` host on the line.
fn herokuapp_host(line: &[u8]) -> Option<String> {
    let at = line.windows(NEEDLE.len()).position(|w| w.eq_ignore_ascii_case(NEEDLE))?;
    let is_host_byte = |b: &u8| b.is_ascii_alphanumeric() || *b == b'-' || *b == b'.';
    let start = line[..at].iter().rposition(|b| !is_host_byte(b)).map_or(0, |i| i + 1);
    if start == at {
        return None; // `.herokuapp.com` alone names no app
    }
    Some(String::from_utf8_lossy(&line[start..at + NEEDLE.len()]).into_owned())
}

#[cfg(test)]
mod tests {
    use super::herokuapp_host;

    #[test]
    fn finds_the_host_on_a_line() {
        assert_eq!(
            herokuapp_host(b"See [the app](https://shop-api.herokuapp.com/docs)."),
            Some("shop-api.herokuapp.com".into())
        );
        assert_eq!(
            herokuapp_host(b"Deployed at SHOP.HEROKUAPP.COM"),
            Some("SHOP.HEROKUAPP.COM".into())
        );
        assert_eq!(herokuapp_host(b"any *.herokuapp.com host"), None);
        assert_eq!(herokuapp_host(b"nothing here"), None);
    }
}
