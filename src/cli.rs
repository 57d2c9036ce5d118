//! Command-line flags, turned into settings in one place, and the run of one command.

use std::ffi::OsString;
use std::io::Write;
use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::app::{self, Settings};

#[derive(Debug, Parser)]
#[command(
    name = "capsule-migrate",
    version,
    about = "Rewrite a Git repository of Heroku Node.js apps so they deploy on Code Capsules",
    long_about = "Rewrite a Git repository of Heroku Node.js apps so they deploy on Code Capsules.\n\n\
        `plan` shows what it found and will change, `diff` prints the change as a patch, and \
        `apply` writes it as one commit on a new branch. The working tree, the index and HEAD \
        are never touched."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
    /// Show no progress bar (one is drawn on stderr only when it is a terminal).
    #[arg(long, short, global = true)]
    quiet: bool,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Show the apps, processes and jobs found, and every change with the rule that makes it.
    Plan {
        #[command(flatten)]
        common: Common,
        /// Output for people (text), the migration guide (markdown, as committed in
        /// CODE_CAPSULES.md), or for programs (json, documented in docs/plan-json.md).
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
    /// Print the change as a git-style patch (`git apply` accepts it on a clean checkout).
    Diff {
        #[command(flatten)]
        common: Common,
        /// Exit with 1 when there are changes, 0 when there are none.
        #[arg(long)]
        exit_code: bool,
        /// Colour the patch: auto colours only on a terminal and never when NO_COLOR is set.
        #[arg(long, value_enum, default_value_t = ColorChoice::Auto)]
        color: ColorChoice,
    },
    /// Write the change as one commit on a new branch whose parent is HEAD.
    Apply {
        #[command(flatten)]
        common: Common,
        /// The branch to create.
        #[arg(long, default_value = "code-capsules-migration", value_name = "NAME")]
        branch: String,
        /// Replace the branch if it exists (never the branch HEAD is on).
        #[arg(long)]
        force: bool,
        /// Read the repository again even when the last plan or diff saved the plan for
        /// this commit and these options.
        #[arg(long)]
        rescan: bool,
    },
}

/// The options every command takes.
#[derive(Debug, Args)]
struct Common {
    /// The repository (or, for plan and diff, a plain folder) to migrate.
    #[arg(default_value = ".")]
    repo: PathBuf,
    /// A TOML file listing the Heroku Scheduler jobs ([[job]] app, command, schedule).
    #[arg(long, value_name = "FILE")]
    jobs: Option<PathBuf>,
    /// Treat this folder (relative to the repository root) as an app too; repeatable.
    #[arg(long = "app", value_name = "DIR")]
    apps: Vec<String>,
    /// The Node major to pin in engines.node [default: 24, from the rules].
    #[arg(long, value_name = "MAJOR", value_parser = parse_node_major)]
    node: Option<u32>,
    /// The environment variable that carries the backend URL into a static frontend's
    /// build [default: BACKEND_URL, from the rules].
    #[arg(long, value_name = "NAME", value_parser = parse_env_name)]
    backend_url_env: Option<String>,
    /// Use the rule files of this folder instead of the built-in rules.
    #[arg(long, value_name = "DIR")]
    rules: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    Text,
    Json,
    Markdown,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

fn parse_node_major(text: &str) -> Result<u32, String> {
    let major: u32 = text
        .trim()
        .parse()
        .map_err(|_| format!("`{text}` is not a Node major version such as 24"))?;
    crate::rules::check_node_major(major)?;
    Ok(major)
}

fn parse_env_name(text: &str) -> Result<String, String> {
    crate::rules::check_env_name(text)?;
    Ok(text.to_owned())
}

impl Common {
    fn into_settings(self) -> Settings {
        Settings {
            repo: self.repo,
            jobs: self.jobs,
            apps: self.apps,
            node: self.node,
            backend_url_env: self.backend_url_env,
            rules: self.rules,
        }
    }
}

/// Runs one command line, writing to `stdout` and `stderr`; returns the exit code.
pub fn run<I, T>(args: I, stdout: &mut dyn Write, stderr: &mut dyn Write) -> i32
where
    I: IntoIterator<Item = T>,
    T: Into<OsString> + Clone,
{
    let cli = match Cli::try_parse_from(args) {
        Ok(cli) => cli,
        Err(e) => {
            let text = e.render().to_string();
            let code = if e.use_stderr() { 2 } else { 0 };
            let out: &mut dyn Write = if e.use_stderr() { stderr } else { stdout };
            let _ = out.write_all(text.as_bytes());
            return code;
        }
    };
    crate::progress::set_quiet(cli.quiet);
    let result = match cli.command {
        Command::Plan { common, format } => app::plan(&common.into_settings(), format, stdout),
        Command::Diff { common, exit_code, color } => {
            let color = use_color(color);
            app::diff(&common.into_settings(), exit_code, color, stdout)
        }
        Command::Apply { common, branch, force, rescan } => {
            let reuse = if rescan { app::Reuse::Rescan } else { app::Reuse::Saved };
            app::apply(&common.into_settings(), &branch, force, reuse, stdout)
        }
    };
    match result {
        Ok(outcome) => {
            for warning in &outcome.stderr {
                let _ = writeln!(stderr, "{warning}");
            }
            outcome.code
        }
        // A closed pipe (`capsule-migrate diff | head`) is the reader's choice, not an error.
        Err(e) if is_broken_pipe(&e) => 0,
        Err(e) => {
            let _ = writeln!(stderr, "error: {e:#}");
            2
        }
    }
}

fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|cause| {
        cause
            .downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}

fn use_color(choice: ColorChoice) -> bool {
    use std::io::IsTerminal;
    if std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty()) {
        return false;
    }
    match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => std::io::stdout().is_terminal(),
    }
}

pub fn main() -> std::process::ExitCode {
    let stdout = std::io::stdout();
    // stderr is not locked for the whole run: the progress bar's thread draws on it.
    let code = run(std::env::args_os(), &mut stdout.lock(), &mut std::io::stderr());
    std::process::ExitCode::from(u8::try_from(code).unwrap_or(2))
}
