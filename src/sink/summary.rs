//! The table printed after a run over several repositories: one row per repository, in
//! the order given, so a reader sees at a glance which ones need attention.

use std::io::{self, Write};

/// What one repository's run came to. Counts are `None` when the run stopped before it
/// knew them (a repository that could not be read, say).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Row {
    /// The `REPO` argument as given.
    pub repo: String,
    pub apps: Option<usize>,
    pub capsules: Option<usize>,
    /// Files the migration creates, modifies or deletes.
    pub files: Option<usize>,
    pub warnings: Option<usize>,
    /// One short phrase: `planned`, `nothing to do`, `committed`, `pushed`, `failed: ...`.
    pub result: String,
    /// The pull (merge) request's URL, or the page to open one, with `--open-pr`.
    pub pr: Option<String>,
    /// Whether this repository counts as failed for the exit code.
    pub failed: bool,
}

impl Row {
    /// The row of a repository whose run ended in `error` (its first line is kept: the
    /// whole message was printed when it happened).
    pub fn failed(repo: &str, error: &str) -> Row {
        let first = error.lines().next().unwrap_or_default();
        Row {
            repo: repo.to_owned(),
            result: format!("failed: {}", shorten(first, 60)),
            failed: true,
            ..Row::default()
        }
    }
}

/// Cuts `text` to at most `max` characters, marking the cut with `...`.
fn shorten(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_owned();
    }
    let kept: String = text.chars().take(max.saturating_sub(3)).collect();
    format!("{kept}...")
}

/// Writes the rows as an aligned text table; the PR column appears only when a row has
/// one.
pub fn write_table(rows: &[Row], out: &mut dyn Write) -> io::Result<()> {
    let count = |n: Option<usize>| n.map_or_else(|| "-".to_owned(), |n| n.to_string());
    let with_pr = rows.iter().any(|r| r.pr.is_some());
    let mut table: Vec<Vec<String>> = vec![
        ["repository", "apps", "Capsules", "files changed", "warnings", "result"]
            .iter()
            .map(|s| (*s).to_owned())
            .collect(),
    ];
    if with_pr {
        table[0].push("pull request".to_owned());
    }
    for row in rows {
        let mut cells = vec![
            row.repo.clone(),
            count(row.apps),
            count(row.capsules),
            count(row.files),
            count(row.warnings),
            row.result.clone(),
        ];
        if with_pr {
            cells.push(row.pr.clone().unwrap_or_else(|| "-".to_owned()));
        }
        table.push(cells);
    }
    let columns = table[0].len();
    let widths: Vec<usize> = (0..columns)
        .map(|c| table.iter().map(|cells| cells[c].chars().count()).max().unwrap_or(0))
        .collect();
    let failed = rows.iter().filter(|r| r.failed).count();
    writeln!(out)?;
    writeln!(out, "Summary ({} repositories, {failed} failed):", rows.len())?;
    for cells in &table {
        let mut line = String::from(" ");
        for (c, cell) in cells.iter().enumerate() {
            // Numbers align right, text left; the last column is not padded.
            let numeric = (1..=4).contains(&c);
            let pad = widths[c] - cell.chars().count();
            line.push(' ');
            if numeric {
                line.push_str(&" ".repeat(pad));
                line.push_str(cell);
            } else if c + 1 == columns {
                line.push_str(cell);
            } else {
                line.push_str(cell);
                line.push_str(&" ".repeat(pad));
            }
            line.push(' ');
        }
        writeln!(out, "{}", line.trim_end())?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn render(rows: &[Row]) -> String {
        let mut out = Vec::new();
        write_table(rows, &mut out).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn rows_line_up_and_unknown_counts_show_a_dash() {
        let ok = Row {
            repo: "shop".into(),
            apps: Some(3),
            capsules: Some(4),
            files: Some(14),
            warnings: Some(2),
            result: "committed".into(),
            ..Row::default()
        };
        let bad = Row::failed("../broken-one", "Procfile:3: bad line\nmore detail");
        let text = render(&[ok, bad]);
        let expected = "
Summary (2 repositories, 1 failed):
  repository     apps  Capsules  files changed  warnings  result
  shop              3         4             14         2  committed
  ../broken-one     -         -              -         -  failed: Procfile:3: bad line
";
        assert_eq!(text, expected);
    }

    #[test]
    fn the_pull_request_column_appears_only_when_one_is_known() {
        let row = |pr: Option<&str>| Row {
            repo: "a".into(),
            result: "pushed".into(),
            pr: pr.map(str::to_owned),
            ..Row::default()
        };
        assert!(!render(&[row(None)]).contains("pull request"));
        let text = render(&[row(Some("https://github.com/o/a/pull/7")), row(None)]);
        assert!(text.contains("result  pull request\n"), "{text}");
        assert!(text.contains("pushed  https://github.com/o/a/pull/7\n"), "{text}");
        assert!(text.ends_with("pushed  -\n"), "{text}");
    }

    #[test]
    fn long_errors_are_cut() {
        let row = Row::failed("r", &"x".repeat(100));
        assert_eq!(row.result.chars().count(), "failed: ".len() + 60);
        assert!(row.result.ends_with("..."));
    }
}
