//! The jobs file (`--jobs FILE`): the Heroku Scheduler jobs to replace with node-cron.
//!
//! Scheduler jobs live only in Heroku's dashboard (there is no API to export them), so the
//! user writes them down:
//!
//! ```toml
//! [[job]]
//! app = "emailer"                # app folder relative to the repo root, "." for the root
//! command = "node job.ts"
//! schedule = "every hour at :00" # Heroku's wording or a cron expression
//! name = "send-digest"           # optional; unique per app
//! ```
//!
//! The file is read twice: serde into raw structs refuses unknown keys, missing keys and
//! wrong types with toml_edit's own messages and spans; the parsed document then gives the
//! spans that point our own checks (app folder, schedule, names) at the offending value.

mod schedule;

pub use schedule::{ACCEPTED, Schedule};

use std::ops::Range;

use serde::Deserialize;
use toml_edit::{Document, Item, TableLike};

use crate::diag::{FileError, Position};

/// One validated job.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Job {
    /// The app folder relative to the repository root, `/`-separated, without `./` or a
    /// trailing `/`; the root is `""` (so `format!("{app}/...")` needs a check, see
    /// [`Job::app_path`]).
    pub app: String,
    /// Unique within its app: the given name, or one derived from the command.
    pub name: String,
    /// The command, trimmed; it runs in the app folder.
    pub command: String,
    pub schedule: Schedule,
    /// The 1-based line of the job's `[[job]]` header (or inline table).
    pub line: usize,
}

impl Job {
    /// The `*.herokuapp.com` address the job only requests, when it is a keep-alive ping
    /// (`curl -s https://my-app.herokuapp.com/ > /dev/null`, `wget -qO- ...`): a job that
    /// kept a free dyno awake, with nothing to do once the app runs on a Capsule.
    pub fn keep_alive_target(&self) -> Option<String> {
        let steps = crate::shell::simple_commands(&self.command);
        let [step] = steps.as_slice() else { return None };
        let program = step.program()?;
        if !matches!(program, "curl" | "wget" | "http" | "https") {
            return None;
        }
        let urls: Vec<&String> = step.words[1..].iter().filter(|w| !w.starts_with('-')).collect();
        match urls.as_slice() {
            [url] if crate::herokuapp::app_name(url).is_some() => Some((*url).clone()),
            _ => None,
        }
    }

    /// The repo-relative path of `file` inside the job's app folder.
    pub fn app_path(&self, file: &str) -> String {
        if self.app.is_empty() { file.to_string() } else { format!("{}/{file}", self.app) }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    /// The jobs, one `[[job]]` table each.
    #[serde(default)]
    job: Vec<RawJob>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawJob {
    /// The app folder, relative to the repository root; `.` for the root.
    app: String,
    /// The command Heroku Scheduler ran.
    command: String,
    /// Heroku's wording or a cron expression.
    schedule: String,
    /// Optional; derived from the command when absent.
    name: Option<String>,
}

/// Byte spans of one job's table and values, for error positions.
#[derive(Debug, Default, Clone)]
struct Spans {
    table: Option<Range<usize>>,
    app: Option<Range<usize>>,
    command: Option<Range<usize>>,
    schedule: Option<Range<usize>>,
    name: Option<Range<usize>>,
}

/// Reads the jobs file `file` (named in errors). `app_exists` is asked about each
/// normalised app folder (`""` for the root). A file without jobs gives an empty list.
pub fn parse(
    file: &str,
    text: &str,
    app_exists: &dyn Fn(&str) -> bool,
) -> Result<Vec<Job>, FileError> {
    let at = Locator { file, text };
    let doc = Document::parse(text).map_err(|e| at.error(&e.span(), e.message()))?;
    if let Some(Item::Table(table)) = doc.get("job") {
        let message = "`[job]` is a single table; write `[[job]]` (two brackets) before each job";
        return Err(at.error(&table.span(), message));
    }
    let raw: RawFile =
        toml_edit::de::from_str(text).map_err(|e| at.error(&e.span(), e.message()))?;
    let spans = job_spans(&doc);
    let mut jobs = Vec::with_capacity(raw.job.len());
    let mut given_names = Vec::with_capacity(raw.job.len());
    for (index, raw) in raw.job.into_iter().enumerate() {
        let spans = spans.get(index).cloned().unwrap_or_default();
        let (job, name) = check_job(&at, raw, &spans, app_exists)?;
        jobs.push(job);
        given_names.push((name, spans.name));
    }
    name_jobs(&at, &mut jobs, &given_names)?;
    Ok(jobs)
}

/// Turns byte spans of the jobs file into positioned errors.
struct Locator<'a> {
    file: &'a str,
    text: &'a str,
}

impl Locator<'_> {
    fn error(&self, span: &Option<Range<usize>>, message: impl Into<String>) -> FileError {
        match span {
            Some(span) => {
                FileError::at_offset(self.file, self.text.as_bytes(), span.start, message)
            }
            None => FileError::new(self.file, message),
        }
    }
}

/// Validates one job; its name is left empty for [`name_jobs`], which gets the given name.
fn check_job(
    at: &Locator,
    raw: RawJob,
    spans: &Spans,
    app_exists: &dyn Fn(&str) -> bool,
) -> Result<(Job, Option<String>), FileError> {
    let line = spans.table.as_ref().map_or(0, |s| line_of(at.text, s.start));
    let app = normalise_app(&raw.app).map_err(|why| at.error(&spans.app, why))?;
    if !app_exists(&app) {
        let message = format!(
            "app folder `{}` does not exist in the repository (folders are relative to the \
             repository root; use \".\" for the root)",
            raw.app
        );
        return Err(at.error(&spans.app, message));
    }
    let command = raw.command.trim().to_string();
    if command.is_empty() {
        return Err(at.error(&spans.command, "the job's command is empty"));
    }
    let schedule = Schedule::parse(&raw.schedule).map_err(|why| at.error(&spans.schedule, why))?;
    let name = match raw.name {
        Some(name) => Some(check_name(&name).map_err(|why| at.error(&spans.name, why))?),
        None => None,
    };
    let job = Job { app, name: String::new(), command, schedule, line };
    Ok((job, name))
}

/// The 1-based line of byte `offset`.
fn line_of(text: &str, offset: usize) -> usize {
    Position::of_offset(text.as_bytes(), offset).line
}

/// The spans of each job, whether written as `[[job]]` tables or as `job = [{...}]`.
fn job_spans(doc: &Document<&str>) -> Vec<Spans> {
    let of = |table: &dyn TableLike, span: Option<Range<usize>>| {
        let value = |key: &str| table.get(key).and_then(Item::span);
        Spans {
            table: span,
            app: value("app"),
            command: value("command"),
            schedule: value("schedule"),
            name: value("name"),
        }
    };
    match doc.get("job") {
        Some(Item::ArrayOfTables(tables)) => {
            tables.iter().map(|t| of(t, t.span().or_else(|| header_span(t)))).collect()
        }
        Some(Item::Value(toml_edit::Value::Array(array))) => array
            .iter()
            .map(|v| match v.as_inline_table() {
                Some(t) => of(t, v.span()),
                None => Spans { table: v.span(), ..Spans::default() },
            })
            .collect(),
        _ => Vec::new(),
    }
}

/// A table's position when toml_edit gives it no span: its first key's.
fn header_span(table: &toml_edit::Table) -> Option<Range<usize>> {
    table
        .iter()
        .filter_map(|(key, _)| table.key(key).and_then(|k| k.span()))
        .min_by_key(|s| s.start)
}

/// `./emailer/` => `emailer`, `.` => ``; refuses paths that leave the repository.
fn normalise_app(app: &str) -> Result<String, String> {
    let app = app.trim();
    if app.starts_with('/') || app.contains('\\') {
        return Err(format!(
            "app folder `{app}` must be relative to the repository root, with `/` separators"
        ));
    }
    let mut parts = Vec::new();
    for part in app.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                return Err(format!("app folder `{app}` must stay inside the repository"));
            }
            _ => parts.push(part),
        }
    }
    Ok(parts.join("/"))
}

fn check_name(name: &str) -> Result<String, String> {
    let name = name.trim();
    if name.is_empty() {
        return Err("the job's name is empty; give a name or leave `name` out".to_string());
    }
    if name.chars().any(char::is_control) {
        return Err(format!("the job's name {name:?} contains a control character"));
    }
    Ok(name.to_string())
}

/// Gives each job its name: given names must be unique within an app; derived names take
/// `-2`, `-3`, ... to stay clear of every other name in the app.
fn name_jobs(
    at: &Locator,
    jobs: &mut [Job],
    given: &[(Option<String>, Option<Range<usize>>)],
) -> Result<(), FileError> {
    for (index, (name, span)) in given.iter().enumerate() {
        let Some(name) = name else { continue };
        let app = &jobs[index].app;
        let earlier = jobs[..index].iter().find(|j| &j.app == app && &j.name == name);
        if let Some(earlier) = earlier {
            let message = format!(
                "job name `{name}` is already used in this app by the job on line {}; names \
                 must be unique per app",
                earlier.line
            );
            return Err(at.error(span, message));
        }
        jobs[index].name = name.clone();
    }
    for index in 0..jobs.len() {
        if given[index].0.is_some() {
            continue;
        }
        let base = default_name(&jobs[index].command);
        let taken = |candidate: &str| {
            jobs.iter()
                .enumerate()
                .any(|(i, j)| i != index && j.app == jobs[index].app && j.name == candidate)
        };
        let mut name = base.clone();
        let mut n = 2;
        while taken(&name) {
            name = format!("{base}-{n}");
            n += 1;
        }
        jobs[index].name = name;
    }
    Ok(())
}

/// Programs that run the job's real target rather than being it: `node x.js` is named `x`.
const RUNNERS: &[&str] = &[
    "node",
    "nodejs",
    "npm",
    "npx",
    "yarn",
    "pnpm",
    "bun",
    "deno",
    "tsx",
    "ts-node",
    "sh",
    "bash",
    "exec",
    "run",
    "run-script",
    "--",
];

/// A name from the command: its first word that is not a runner or a flag, without
/// folders or extension, as lowercase letters, digits and `-` (`node jobs/Send_Mail.js`
/// gives `send-mail`); `job` when nothing is left.
pub fn default_name(command: &str) -> String {
    let steps = crate::shell::simple_commands(command);
    // The step after any `cd DIR &&`: the one that runs the job.
    let words = steps.iter().find(|c| c.words.first().is_some_and(|w| w != "cd"));
    let target = words
        .into_iter()
        .flat_map(|c| c.words.iter().map(String::as_str))
        .find(|w| !w.starts_with('-') && !RUNNERS.contains(w) && !w.is_empty())
        .unwrap_or("");
    let file = target.rsplit('/').next().unwrap_or(target);
    let stem = match file.rsplit_once('.') {
        Some((stem, _)) if !stem.is_empty() => stem,
        _ => file,
    };
    let mut name = String::new();
    for c in stem.chars() {
        let c = if c.is_ascii_alphanumeric() { c.to_ascii_lowercase() } else { '-' };
        if !(c == '-' && (name.is_empty() || name.ends_with('-'))) {
            name.push(c);
        }
    }
    let name = name.trim_end_matches('-');
    if name.is_empty() { "job".to_string() } else { name.to_string() }
}

#[cfg(test)]
mod keep_alive_tests {
    use super::*;

    fn job(command: &str) -> Job {
        let schedule = Schedule::EveryTenMinutes;
        Job { app: String::new(), name: "ping".into(), command: command.into(), schedule, line: 1 }
    }

    #[test]
    fn a_lone_request_to_a_herokuapp_address_is_a_keep_alive() {
        for command in [
            "curl https://my-app.herokuapp.com",
            "curl -s https://my-app.herokuapp.com/health > /dev/null",
            "wget -q -O- 'http://my-app.herokuapp.com/?ping=1'",
        ] {
            assert!(job(command).keep_alive_target().is_some(), "{command}");
        }
        for command in [
            "curl https://api.example.com/ping",
            "curl https://a.herokuapp.com && node report.js",
            "node ping.js",
            "curl https://a.herokuapp.com.evil.net",
        ] {
            assert_eq!(job(command).keep_alive_target(), None, "{command}");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const FILE: &str = "jobs.toml";

    fn apps(app: &str) -> bool {
        ["", "emailer", "apps/worker"].contains(&app)
    }

    fn ok(text: &str) -> Vec<Job> {
        parse(FILE, text, &apps).expect("valid jobs file")
    }

    fn err(text: &str) -> FileError {
        parse(FILE, text, &apps).expect_err("invalid jobs file")
    }

    fn at(line: usize, column: usize) -> Option<Position> {
        Some(Position { line, column })
    }

    #[test]
    fn reads_jobs_with_normalised_apps_and_header_lines() {
        let jobs = ok(r#"
# Scheduler jobs from the Heroku dashboard
[[job]]
app = "emailer"
command = "  node job.ts  "
schedule = "every hour at :00"
name = "send-digest"

[[job]]
app = "."
command = "npm run cleanup"
schedule = "0 3 * * 1"

[[job]]
app = "./apps/worker/"
command = "node tick.js"
schedule = "Every 10 minutes"
"#);
        let expected = [
            Job {
                app: "emailer".into(),
                name: "send-digest".into(),
                command: "node job.ts".into(),
                schedule: Schedule::Hourly { minute: 0 },
                line: 3,
            },
            Job {
                app: String::new(),
                name: "cleanup".into(),
                command: "npm run cleanup".into(),
                schedule: Schedule::Cron("0 3 * * 1".into()),
                line: 9,
            },
            Job {
                app: "apps/worker".into(),
                name: "tick".into(),
                command: "node tick.js".into(),
                schedule: Schedule::EveryTenMinutes,
                line: 14,
            },
        ];
        assert_eq!(jobs, expected);
        assert_eq!(jobs[0].app_path("package.json"), "emailer/package.json");
        assert_eq!(jobs[1].app_path("package.json"), "package.json");
    }

    #[test]
    fn inline_tables_and_an_empty_file_are_fine() {
        let jobs = ok(
            "job = [\n  { app = \"emailer\", command = \"node a.js\", schedule = \"every 10 minutes\" },\n]\n",
        );
        assert_eq!((jobs[0].name.as_str(), jobs[0].line), ("a", 2));
        assert!(ok("").is_empty());
        assert!(ok("# no jobs yet\n").is_empty());
    }

    #[test]
    fn unknown_keys_missing_fields_and_wrong_types_are_refused_with_positions() {
        let e =
            err("[[job]]\napp = \"emailer\"\ncomand = \"x\"\nschedule = \"every 10 minutes\"\n");
        assert_eq!(e.file, FILE);
        assert!(e.message.contains("unknown field `comand`"), "{}", e.message);
        assert_eq!(e.position.map(|p| p.line), Some(3));

        let e = err("[[job]]\napp = \"emailer\"\ncommand = \"x\"\n");
        assert!(e.message.contains("missing field `schedule`"), "{}", e.message);
        assert!(e.position.is_some());

        let e = err("[[job]]\napp = 3\ncommand = \"x\"\nschedule = \"every 10 minutes\"\n");
        assert!(e.message.contains("invalid type"), "{}", e.message);
        assert_eq!(e.position, at(2, 7));

        let e = err("[[jobs]]\napp = \"emailer\"\n");
        assert!(e.message.contains("unknown field `jobs`"), "{}", e.message);
        assert_eq!(e.position.map(|p| p.line), Some(1));
    }

    #[test]
    fn toml_syntax_errors_and_single_tables_have_positions() {
        let e = err("[[job]]\napp = \"emailer\ncommand = \"x\"\n");
        assert_eq!(e.position.map(|p| p.line), Some(2));
        let e = err("[job]\napp = \"emailer\"\n");
        assert!(e.message.contains("[[job]]"), "{}", e.message);
        assert_eq!(e.position.map(|p| p.line), Some(1));
    }

    #[test]
    fn a_missing_app_folder_points_at_the_app_value() {
        let e =
            err("[[job]]\ncommand = \"x\"\napp   = \"mailer\"\nschedule = \"every 10 minutes\"\n");
        assert_eq!(e.position, at(3, 9));
        assert!(e.message.contains("`mailer` does not exist"), "{}", e.message);
        for app in ["../x", "/emailer", "a\\\\b"] {
            let text = format!(
                "[[job]]\napp = \"{app}\"\ncommand = \"x\"\nschedule = \"every 10 minutes\"\n"
            );
            assert_eq!(err(&text).position, at(2, 7), "{app}");
        }
    }

    #[test]
    fn a_bad_schedule_points_at_its_value_and_lists_the_wordings() {
        let e =
            err("[[job]]\napp = \"emailer\"\ncommand = \"x\"\nschedule = \"every hour at :15\"\n");
        assert_eq!(e.position, at(4, 12));
        assert!(e.message.contains("every day at HH:MM"), "{}", e.message);
        let e = err("[[job]]\napp = \"emailer\"\ncommand = \"x\"\nschedule = \"61 * * * *\"\n");
        assert!(e.message.contains("minute"), "{}", e.message);
        assert_eq!(e.to_string().split(':').nth(1), Some("4"));
    }

    #[test]
    fn an_empty_command_or_name_is_refused() {
        let e =
            err("[[job]]\napp = \"emailer\"\ncommand = \"  \"\nschedule = \"every 10 minutes\"\n");
        assert_eq!(e.position, at(3, 11));
        assert!(e.message.contains("command is empty"));
        let e = err(
            "[[job]]\napp = \"emailer\"\ncommand = \"x\"\nschedule = \"every 10 minutes\"\nname = \"\"\n",
        );
        assert_eq!(e.position, at(5, 8));
    }

    #[test]
    fn duplicate_given_names_in_one_app_are_refused_at_the_second() {
        let job = |app: &str, name: &str| {
            format!(
                "[[job]]\napp = \"{app}\"\ncommand = \"node a.js\"\nschedule = \"every 10 minutes\"\nname = \"{name}\"\n"
            )
        };
        let text =
            [job("emailer", "digest"), job(".", "digest"), job("emailer", "digest")].concat();
        let e = err(&text);
        assert_eq!(e.position, at(15, 8));
        assert!(e.message.contains("line 1"), "{}", e.message);
        // The same name in different apps is fine.
        assert_eq!(ok(&[job("emailer", "digest"), job(".", "digest")].concat()).len(), 2);
    }

    #[test]
    fn derived_names_are_unique_per_app_and_avoid_given_names() {
        let job = |app: &str, command: &str, name: Option<&str>| {
            let name = name.map(|n| format!("name = \"{n}\"\n")).unwrap_or_default();
            format!(
                "[[job]]\napp = \"{app}\"\ncommand = \"{command}\"\nschedule = \"every 10 minutes\"\n{name}"
            )
        };
        let text = [
            job("emailer", "node send.js", None),
            job("emailer", "node send.js --again", None),
            job("emailer", "node other.js", Some("send-3")),
            job("emailer", "node lib/send.mjs", None),
            job(".", "node send.js", None),
        ]
        .concat();
        let names: Vec<_> = ok(&text).into_iter().map(|j| (j.app, j.name)).collect();
        let expected = [
            ("emailer", "send"),
            ("emailer", "send-2"),
            ("emailer", "send-3"),
            ("emailer", "send-4"),
            ("", "send"),
        ];
        let expected: Vec<_> =
            expected.iter().map(|(a, n)| (a.to_string(), n.to_string())).collect();
        assert_eq!(names, expected);
    }

    #[test]
    fn default_names_skip_runners_flags_cd_and_env() {
        let cases = [
            ("node job.ts", "job"),
            ("npm run send-digest", "send-digest"),
            ("npx ts-node --transpile-only scripts/Clean_Up.ts", "clean-up"),
            ("cd api && NODE_ENV=production node dist/jobs/report.js --days 3", "report"),
            ("yarn", "job"),
            ("./bin/.hidden", "hidden"),
            ("python3 manage.py", "python3"),
        ];
        for (command, name) in cases {
            assert_eq!(default_name(command), name, "{command}");
        }
    }
}
