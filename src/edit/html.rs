//! Adds a `<script src>` line to an HTML page, keeping every other byte.
//!
//! The backend URL file written by the frontend's build step is a classic script that
//! sets a global, so it must load before any script that reads the global: the new tag
//! goes before the page's first `<script`. This is a byte scanner, not an HTML parser:
//! it only needs to find a few tags and to ignore `<!-- -->` comments.

/// `html` with `<script src="{src}"></script>` added before the first `<script` tag
/// (in head or body, any case), else before `</head>`, else before `</body>`.
///
/// When the tag it goes before starts its line, the new tag gets a line of its own with
/// that line's indentation and newline style (CRLF stays CRLF). When the tag is in the
/// middle of a line (a minified page), the new tag is put just before it on that line.
///
/// `None` when the page already loads `src` (so running twice changes nothing, see
/// [`has_script`]) or when it has none of the three anchors (not a full page: the caller
/// must tell the user to add the tag by hand).
pub fn add_script(html: &str, src: &str) -> Option<String> {
    if has_script(html, src) {
        return None;
    }
    let comments = comment_ranges(html);
    let before_script = find_tag(html, "<script", &comments);
    let at = before_script
        .or_else(|| find_tag(html, "</head", &comments))
        .or_else(|| find_tag(html, "</body", &comments))?;
    let tag = format!("<script src=\"{}\"></script>", escape_attribute(src));

    let line_start = html[..at].rfind('\n').map_or(bom_len(html), |i| i + 1);
    let indent_len = html[line_start..at].bytes().take_while(|b| *b == b' ' || *b == b'\t').count();
    let mut out = String::with_capacity(html.len() + tag.len() + 8);
    if line_start + indent_len == at {
        // Before a closing tag, the new line is one of the element's children: it takes
        // the indentation of the line above when that is deeper.
        let above_indent = match html[..line_start].strip_suffix('\n') {
            Some(before) if before_script.is_none() => {
                let above = before.rfind('\n').map_or(bom_len(html), |i| i + 1);
                let line = &before[above.min(before.len())..];
                &line[..line.bytes().take_while(|b| *b == b' ' || *b == b'\t').count()]
            }
            _ => "",
        };
        let indent =
            if above_indent.len() > indent_len { above_indent } else { &html[line_start..at] };
        out.push_str(&html[..line_start]);
        out.push_str(indent);
        out.push_str(&tag);
        out.push_str(newline_at(html, at));
        out.push_str(&html[line_start..]);
    } else {
        out.push_str(&html[..at]);
        out.push_str(&tag);
        out.push_str(&html[at..]);
    }
    Some(out)
}

/// Whether a `<script>` tag outside comments already has `src` as its `src` (a leading
/// `./` on either side is ignored).
pub fn has_script(html: &str, src: &str) -> bool {
    let comments = comment_ranges(html);
    let wanted = src.strip_prefix("./").unwrap_or(src);
    let escaped = escape_attribute(wanted);
    let mut from = 0;
    while let Some(at) = find_tag_from(html, "<script", &comments, from) {
        let body = tag_body(&html[at + "<script".len()..]);
        let found = attributes(body)
            .into_iter()
            .find(|(name, _)| name.eq_ignore_ascii_case("src"))
            .map(|(_, value)| value.strip_prefix("./").unwrap_or(value));
        if found.is_some_and(|v| v == wanted || v == escaped) {
            return true;
        }
        from = at + 1;
    }
    false
}

/// The byte ranges of `<!-- ... -->` comments; an unclosed comment runs to the end.
fn comment_ranges(html: &str) -> Vec<(usize, usize)> {
    let mut ranges = Vec::new();
    let mut from = 0;
    while let Some(start) = html[from..].find("<!--").map(|i| from + i) {
        let end = html[start + 4..].find("-->").map_or(html.len(), |i| start + 4 + i + 3);
        ranges.push((start, end));
        from = end;
    }
    ranges
}

fn find_tag(html: &str, open: &str, comments: &[(usize, usize)]) -> Option<usize> {
    find_tag_from(html, open, comments, 0)
}

/// The first `open` (such as `<script` or `</head`) at or after `from`, matched without
/// regard to case, ending the tag name, and outside comments.
fn find_tag_from(
    html: &str,
    open: &str,
    comments: &[(usize, usize)],
    from: usize,
) -> Option<usize> {
    let bytes = html.as_bytes();
    let needle = open.as_bytes();
    (from..bytes.len().saturating_sub(needle.len() - 1)).find(|&i| {
        bytes[i..i + needle.len()].eq_ignore_ascii_case(needle)
            // `<scripts>` or `<headline>` are other tags.
            && bytes.get(i + needle.len()).is_none_or(|b| b.is_ascii_whitespace() || b"/>".contains(b))
            && !comments.iter().any(|&(start, end)| start <= i && i < end)
    })
}

/// The text of a tag after its name, up to (not including) the `>` outside quotes.
fn tag_body(rest: &str) -> &str {
    let mut quote = None;
    for (i, c) in rest.char_indices() {
        match (quote, c) {
            (None, '"' | '\'') => quote = Some(c),
            (Some(q), _) if q == c => quote = None,
            (None, '>') => return &rest[..i],
            _ => {}
        }
    }
    rest
}

/// The attributes of a tag body as (name, raw value); a bare attribute has value "".
fn attributes(body: &str) -> Vec<(&str, &str)> {
    let mut found = Vec::new();
    let mut rest = body;
    loop {
        // A stray `>` (left in the body by an unclosed quote) starts no attribute and
        // must be skipped, or the loop below would not advance.
        rest = rest.trim_start_matches(|c: char| c.is_ascii_whitespace() || c == '/' || c == '>');
        if rest.is_empty() {
            return found;
        }
        let name_len = rest.find(|c: char| c.is_ascii_whitespace() || "=/>".contains(c));
        let (name, after) = rest.split_at(name_len.unwrap_or(rest.len()));
        let after = after.trim_start();
        let Some(value_part) = after.strip_prefix('=') else {
            found.push((name, ""));
            rest = after;
            continue;
        };
        let value_part = value_part.trim_start();
        let (value, next) = match value_part.chars().next() {
            Some(q @ ('"' | '\'')) => {
                let end = value_part[1..].find(q).map_or(value_part.len(), |i| i + 1);
                (&value_part[1..end], value_part.get(end + 1..).unwrap_or(""))
            }
            _ => {
                let end =
                    value_part.find(|c: char| c.is_ascii_whitespace()).unwrap_or(value_part.len());
                value_part.split_at(end)
            }
        };
        found.push((name, value));
        rest = next;
    }
}

/// The newline that ends the line holding `at`, or the page's last one before it.
fn newline_at(html: &str, at: usize) -> &'static str {
    let newline = match html[at..].find('\n') {
        Some(i) => Some(at + i),
        None => html[..at].rfind('\n'),
    };
    match newline {
        Some(i) if i > 0 && html.as_bytes()[i - 1] == b'\r' => "\r\n",
        _ => "\n",
    }
}

fn bom_len(html: &str) -> usize {
    if html.starts_with('\u{feff}') { '\u{feff}'.len_utf8() } else { 0 }
}

fn escape_attribute(value: &str) -> String {
    value.replace('&', "&amp;").replace('"', "&quot;")
}

#[cfg(test)]
mod tests {
    use super::*;

    const TAG: &str = "<script src=\"config.js\"></script>";

    #[test]
    fn goes_on_its_own_line_before_the_first_script_with_its_indentation() {
        let html = "<html>\n  <head>\n    <title>t</title>\n  </head>\n  <body>\n\t<SCRIPT src=\"app.js\"></SCRIPT>\n  </body>\n</html>\n";
        let expected = "<html>\n  <head>\n    <title>t</title>\n  </head>\n  <body>\n\t<script src=\"config.js\"></script>\n\t<SCRIPT src=\"app.js\"></SCRIPT>\n  </body>\n</html>\n";
        assert_eq!(add_script(html, "config.js").as_deref(), Some(expected));
    }

    #[test]
    fn without_scripts_it_goes_before_the_end_of_head_then_body() {
        let head = "<head>\n    <title>t</title>\n  </HEAD >\n<body></body>";
        assert_eq!(
            add_script(head, "config.js").unwrap(),
            // The new line is a child of head: it takes its sibling's indentation.
            format!("<head>\n    <title>t</title>\n    {TAG}\n  </HEAD >\n<body></body>")
        );
        let body = "<body>\n  <p>hi</p>\n</body>\n";
        assert_eq!(
            add_script(body, "config.js").unwrap(),
            format!("<body>\n  <p>hi</p>\n  {TAG}\n</body>\n")
        );
    }

    #[test]
    fn a_fragment_without_anchors_gives_none() {
        assert_eq!(add_script("<p>just a fragment</p>\n", "config.js"), None);
        assert!(!has_script("<p>just a fragment</p>\n", "config.js"));
    }

    #[test]
    fn crlf_pages_keep_crlf() {
        let html = "<head>\r\n  <script src=\"a.js\"></script>\r\n</head>\r\n";
        assert_eq!(
            add_script(html, "config.js").unwrap(),
            format!("<head>\r\n  {TAG}\r\n  <script src=\"a.js\"></script>\r\n</head>\r\n")
        );
    }

    #[test]
    fn a_missing_final_newline_is_kept_missing() {
        let html = "<head>\n</head>";
        assert_eq!(add_script(html, "config.js").unwrap(), format!("<head>\n{TAG}\n</head>"));
    }

    #[test]
    fn a_minified_page_gets_the_tag_inline() {
        let html = "<html><head><title>t</title><script src=\"a.js\"></script></head></html>";
        assert_eq!(
            add_script(html, "config.js").unwrap(),
            format!(
                "<html><head><title>t</title>{TAG}<script src=\"a.js\"></script></head></html>"
            )
        );
    }

    #[test]
    fn commented_out_tags_are_not_anchors_and_not_matches() {
        let html = "<head>\n  <!-- <script src=\"config.js\"></script>\n  <script src=\"old.js\"> -->\n  <script src=\"app.js\"></script>\n</head>\n";
        let out = add_script(html, "config.js").unwrap();
        assert_eq!(
            out,
            format!(
                "<head>\n  <!-- <script src=\"config.js\"></script>\n  <script src=\"old.js\"> -->\n  {TAG}\n  <script src=\"app.js\"></script>\n</head>\n"
            )
        );
    }

    #[test]
    fn adding_twice_changes_nothing() {
        let html = "<head>\n  <script type=\"module\" src=\"/src/main.js\"></script>\n</head>\n";
        let once = add_script(html, "config.js").unwrap();
        assert!(has_script(&once, "config.js"));
        assert_eq!(add_script(&once, "config.js"), None);
        assert_eq!(add_script(&once, "./config.js"), None);
        // A different file is still added.
        assert!(add_script(&once, "other.js").is_some());
    }

    #[test]
    fn existing_tags_are_found_in_any_attribute_style() {
        for html in [
            "<script defer src='config.js'></script>",
            "<script src=config.js></script>",
            "<SCRIPT SRC = \"./config.js\" >",
            "<script\n  type=\"text/javascript\"\n  src=\"config.js\"\n></script>",
        ] {
            assert!(has_script(html, "config.js"), "{html}");
        }
        assert!(!has_script("<script data-src=\"config.js\"></script>", "config.js"));
        assert!(!has_script("<scripts src=\"config.js\">", "config.js"));
    }

    #[test]
    fn a_bom_stays_first() {
        let html = "\u{feff}<script src=\"a.js\"></script>\n";
        assert_eq!(
            add_script(html, "config.js").unwrap(),
            format!("\u{feff}{TAG}\n<script src=\"a.js\"></script>\n")
        );
    }

    #[test]
    fn the_src_is_escaped_as_an_attribute() {
        let out = add_script("<head>\n</head>", "c.js?a=1&b=\"2\"").unwrap();
        assert!(out.contains("<script src=\"c.js?a=1&amp;b=&quot;2&quot;\"></script>"));
        assert!(has_script(&out, "c.js?a=1&b=\"2\""));
    }
}
