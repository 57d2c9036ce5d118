//! Small Markdown writing helpers: headings, table rows, code spans that survive any text.

/// A Markdown document being written, one line at a time.
#[derive(Default)]
pub struct Md {
    text: String,
}

impl Md {
    pub fn line(&mut self, text: &str) {
        self.text.push_str(text);
        self.text.push('\n');
    }

    pub fn blank(&mut self) {
        self.text.push('\n');
    }

    /// A `##` heading after a blank line.
    pub fn heading(&mut self, title: &str) {
        self.blank();
        self.line(&format!("## {title}"));
        self.blank();
    }

    /// A `###` heading after a blank line.
    pub fn subheading(&mut self, title: &str) {
        self.blank();
        self.line(&format!("### {title}"));
        self.blank();
    }

    /// A table row; cells are escaped so a `|` or line break in them cannot end the cell.
    pub fn row(&mut self, cells: &[&str]) {
        let cells: Vec<String> = cells.iter().map(|c| cell(c)).collect();
        self.line(&format!("| {} |", cells.join(" | ")));
    }

    /// A fenced block of shell commands.
    pub fn commands(&mut self, lines: &[&str]) {
        self.line("```sh");
        for line in lines {
            self.line(line);
        }
        self.line("```");
    }

    /// The document, with exactly one final newline.
    pub fn finish(self) -> String {
        let mut text = self.text.trim_end().to_owned();
        text.push('\n');
        text
    }
}

/// `text` as an inline code span, with a fence longer than any run of backticks inside.
/// Nothing in `text` can end the span early or act as Markdown or HTML: a line break or
/// other control character is shown escaped (`\n`, `\033`), as git quotes names.
pub fn code(text: &str) -> String {
    let text = crate::terminal::escape(text);
    let longest = text.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    if longest == 0 && !text.is_empty() {
        return format!("`{text}`");
    }
    let fence = "`".repeat(longest + 1);
    format!("{fence} {text} {fence}")
}

/// Plain words from the repository as Markdown text: every character that could start a
/// link, an image, HTML, an autolink or a mention is backslash-escaped (`[`, `]`, `<`,
/// `` ` ``, `\\`, `@`, the `:` of `://` and the `.` of `www.`), control characters are
/// shown escaped. Emphasis and the like stay: they cannot link or run anything.
pub fn text(words: &str) -> String {
    let words = crate::terminal::escape(words);
    let mut out = String::with_capacity(words.len() + 8);
    for (i, c) in words.char_indices() {
        let autolink = (c == ':' && words[i..].starts_with("://"))
            || (c == '.' && words[..i].to_ascii_lowercase().ends_with("www"));
        if autolink || matches!(c, '\\' | '`' | '[' | ']' | '<' | '@') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// A sentence of the tool's (a note, a warning) that quotes things from the repository
/// in backtick code spans: the spans are kept, as CommonMark pairs them; the rest is
/// escaped like [`text`], so a quoted command cannot open a link or HTML even when it
/// holds backticks itself.
pub fn prose(sentence: &str) -> String {
    let mut out = String::with_capacity(sentence.len() + 8);
    let mut rest = sentence;
    while let Some(open) = rest.find('`') {
        out.push_str(&text(&rest[..open]));
        let run = rest[open..].len() - rest[open..].trim_start_matches('`').len();
        let fence = &rest[open..open + run];
        let after = &rest[open + run..];
        // The closing fence is a backtick run of exactly the same length.
        let close = (0..after.len()).find(|&i| {
            after[i..].starts_with(fence)
                && !after[i + run..].starts_with('`')
                && (i == 0 || !after[..i].ends_with('`'))
        });
        match close {
            Some(i) => {
                out.push_str(fence);
                out.push_str(&crate::terminal::escape(&after[..i]));
                out.push_str(fence);
                rest = &after[i + run..];
            }
            None => {
                out.push_str(&text(fence));
                rest = after;
            }
        }
    }
    out.push_str(&text(rest));
    out
}

/// A table cell: `|` escaped (GitHub needs it even inside code spans), lines joined.
fn cell(text: &str) -> String {
    text.replace('|', "\\|").replace("\r\n", " ").replace('\n', " ")
}

/// `a`, `a and b`, `a, b and c`.
pub fn list(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn code_spans_hold_backticks() {
        assert_eq!(code("npm start"), "`npm start`");
        assert_eq!(code("echo `date`"), "`` echo `date` ``");
    }

    #[test]
    fn code_spans_show_control_characters() {
        assert_eq!(code("a\nb\x1b[2K"), "`a\\nb\\033[2K`");
        assert_eq!(code(""), "`  `");
    }

    #[test]
    fn words_from_the_repository_cannot_make_links_or_html() {
        let escaped = text("[click](https://evil.example) <img src=x> www.x.io a@b.c");
        assert_eq!(escaped, r"\[click\](https\://evil.example) \<img src=x> www\.x.io a\@b.c");
        assert_eq!(text("The port."), "The port.");
    }

    #[test]
    fn prose_keeps_its_code_spans_and_escapes_the_rest() {
        assert_eq!(prose("run `a <b>` now"), "run `a <b>` now");
        assert_eq!(prose("see <b>"), "see \\<b>");
        // An unpaired backtick is text, so what follows it is escaped too.
        assert_eq!(prose("x `[a](b)"), "x \\`\\[a\\](b)");
        assert_eq!(prose("`` a`b `` c"), "`` a`b `` c");
    }

    #[test]
    fn cells_escape_pipes_and_newlines() {
        let mut md = Md::default();
        md.row(&["a | b", "c\nd"]);
        assert_eq!(md.finish(), "| a \\| b | c d |\n");
    }

    #[test]
    fn lists_read_as_sentences() {
        let items: Vec<String> = ["a", "b", "c"].iter().map(|s| s.to_string()).collect();
        assert_eq!(list(&items[..1]), "a");
        assert_eq!(list(&items[..2]), "a and b");
        assert_eq!(list(&items), "a, b and c");
    }
}
