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
pub fn code(text: &str) -> String {
    let longest = text.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    if longest == 0 {
        return format!("`{text}`");
    }
    let fence = "`".repeat(longest + 1);
    format!("{fence} {text} {fence}")
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
