//! Command-line flags, turned into settings in one place, and the run of one command.

use std::ffi::OsString;
use std::io::Write;
use std::path::{Path, PathBuf};

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::app;
use crate::many;
use crate::publish::{self, forge::HostEnv};
use crate::settings::{Format, Settings};
use crate::sink::summary::Row;

#[derive(Debug, Parser)]
#[command(
    name = "capsule-migrate",
    version,
    about = "Rewrite a Git repository of Heroku Node.js apps so they deploy on Code Capsules",
    long_about = "Rewrite a Git repository of Heroku Node.js apps so they deploy on Code Capsules.\n\n\
        `plan` shows what it found and will change, `diff` prints the change as a patch, and \
        `apply` writes it as one commit on a new branch. The working tree, the index and HEAD \
        are never touched. `verify` builds and starts the branch's Capsules before you push it."
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
        common: Several,
        /// Output for people (text), the migration guide (markdown, as committed in
        /// CODE_CAPSULES.md), or for programs (json, documented in docs/plan-json.md).
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
    },
    /// Print the change as a git-style patch (`git apply` accepts it on a clean checkout).
    Diff {
        #[command(flatten)]
        common: Several,
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
        common: Several,
        /// The branch to create.
        #[arg(long, default_value = "code-capsules-migration", value_name = "NAME")]
        branch: String,
        /// Replace the branch if it exists (never the branch HEAD is on); with --push, the
        /// remote one too, if it is where this clone last saw it.
        #[arg(long)]
        force: bool,
        /// Read the repository again even when the last plan or diff saved the plan for
        /// this commit and these options.
        #[arg(long)]
        rescan: bool,
        /// Push the branch to the remote git would push to (pushRemote, pushDefault, the
        /// upstream's remote, origin), with git and your credentials.
        #[arg(long)]
        push: bool,
        /// Push, then open the pull (merge) request with the migration guide as its
        /// description: with gh or glab when installed, else GitHub's or GitLab's API
        /// with GH_TOKEN/GITHUB_TOKEN or GITLAB_TOKEN.
        #[arg(long)]
        open_pr: bool,
        /// The branch the pull request merges into [default: the repository's default
        /// branch].
        #[arg(long, value_name = "NAME", requires = "open_pr")]
        base: Option<String>,
    },
    #[cfg(unix)]
    /// Build and start each Capsule of the migration branch as Code Capsules would.
    ///
    /// The branch is written to a temporary folder; each Backend and Frontend Capsule is
    /// installed, built and started there with the Node its engines.node asks for. This
    /// runs the repository's own scripts. Give it the options you gave apply.
    Verify {
        #[command(flatten)]
        common: Common,
        /// The migration branch to verify.
        #[arg(long, default_value = "code-capsules-migration", value_name = "NAME")]
        branch: String,
        /// Verify only this Capsule (a name from the plan); repeatable.
        #[arg(long = "capsule", value_name = "NAME")]
        capsules: Vec<String>,
        /// Keep the logs and the written files even when every step passed.
        #[arg(long)]
        keep: bool,
        /// The time limit of each step, in seconds; a web process must answer HTTP within it.
        #[arg(long, value_name = "SECONDS", default_value_t = crate::verify::DEFAULT_TIMEOUT_SECONDS,
              value_parser = clap::value_parser!(u64).range(1..))]
        timeout: u64,
        /// Also run a failing Capsule's steps on the commit the branch is based on, and say
        /// whether each failure is new or was there before the migration.
        #[arg(long)]
        baseline: bool,
    },
}

/// The repositories plan, diff and apply take, each handled as if alone, and the options.
#[derive(Debug, Args)]
struct Several {
    /// The repositories (or, for plan and diff, plain folders) to migrate; with several,
    /// a summary table follows.
    #[arg(value_name = "REPO", default_value = ".")]
    repos: Vec<PathBuf>,
    #[command(flatten)]
    options: Options,
}

/// One repository and the options every command takes.
#[derive(Debug, Args)]
#[allow(dead_code)] // For commands that take one repository.
struct Common {
    /// The repository (or, for plan and diff, a plain folder) to migrate.
    #[arg(default_value = ".")]
    repo: PathBuf,
    #[command(flatten)]
    options: Options,
}

/// The options every command takes.
#[derive(Debug, Args)]
struct Options {
    /// A TOML file listing the Heroku Scheduler jobs (`[[job]]` app, command, schedule).
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
    /// A `*.herokuapp.com` host (or its app name) that is one of the repository's backends;
    /// repeatable. Only these hosts in frontend code are pointed at the injected backend
    /// URL; every other herokuapp host is kept, with a warning. Without it the backend's
    /// hosts are decided from evidence (app.json names, READMEs, the only host called).
    #[arg(long = "backend-host", value_name = "HOST", value_parser = parse_backend_host)]
    backend_hosts: Vec<String>,
    /// Use the rule files of this folder instead of the built-in rules.
    #[arg(long, value_name = "DIR")]
    rules: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub(crate) enum ColorChoice {
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

/// `shop-api-1a2b.herokuapp.com`, `https://shop-api-1a2b.herokuapp.com/` or `shop-api-1a2b`
/// as the app name `shop-api-1a2b`.
fn parse_backend_host(text: &str) -> Result<String, String> {
    crate::inventory::hosts::app_name_of(text).ok_or_else(|| {
        format!("`{text}` is not a Heroku app host such as my-api-1a2b.herokuapp.com")
    })
}

fn parse_env_name(text: &str) -> Result<String, String> {
    crate::rules::check_env_name(text)?;
    Ok(text.to_owned())
}

impl Options {
    fn settings_for(&self, repo: &Path) -> Settings {
        Settings {
            repo: repo.to_owned(),
            jobs: self.jobs.clone(),
            apps: self.apps.clone(),
            node: self.node,
            backend_url_env: self.backend_url_env.clone(),
            backend_hosts: self.backend_hosts.clone(),
            rules: self.rules.clone(),
        }
    }
}

#[allow(dead_code)] // For commands that take one repository.
impl Common {
    fn into_settings(self) -> Settings {
        self.options.settings_for(&self.repo)
    }
}

impl Several {
    /// The settings of the one repository, or `None` when there are several.
    fn single(&self) -> Option<Settings> {
        match self.repos.as_slice() {
            [repo] => Some(self.options.settings_for(repo)),
            _ => None,
        }
    }

    /// Runs `one` on each repository, then prints the summary ([`many`]).
    fn each<F>(
        &self,
        layout: &many::Layout,
        stdout: &mut dyn Write,
        stderr: &mut dyn Write,
        mut one: F,
    ) -> i32
    where
        F: FnMut(&Settings, &mut dyn Write) -> anyhow::Result<(crate::migration::Outcome, Row)>,
    {
        let repos: Vec<&Path> = self.repos.iter().map(PathBuf::as_path).collect();
        many::run_each(&repos, layout, stdout, stderr, |repo, out| {
            one(&self.options.settings_for(repo), out)
        })
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
    // People read stderr, the text plan and what `apply` prints: control characters from
    // the repository are shown escaped there. A patch, JSON and the guide (its own
    // escaping) are for programs and stay byte-exact.
    let mut stderr = crate::terminal::Escaping::new(stderr);
    let result = match cli.command {
        Command::Plan { common, format } => {
            // Only the text plan is for people; JSON and the guide escape on their own.
            let mut escaping;
            let out: &mut dyn Write = if format == Format::Text {
                escaping = crate::terminal::Escaping::new(stdout);
                &mut escaping
            } else {
                stdout
            };
            match common.single() {
                Some(settings) => app::plan(&settings, format, out),
                None => {
                    let json = format == Format::Json;
                    let layout = many::Layout { headers: !json, summary_on_stdout: !json };
                    return common.each(&layout, out, &mut stderr, |settings, out| {
                        let repo = settings.repo.display().to_string();
                        app::plan_row(settings, format, json.then_some(repo.as_str()), out)
                    });
                }
            }
        }
        Command::Diff { common, exit_code, color } => {
            let color = use_color(color);
            match common.single() {
                Some(settings) => app::diff(&settings, exit_code, color, stdout),
                None => {
                    let layout = many::Layout { headers: true, summary_on_stdout: false };
                    return common.each(&layout, stdout, &mut stderr, |settings, out| {
                        app::diff_row(settings, exit_code, color, out)
                    });
                }
            }
        }
        Command::Apply { common, branch, force, rescan, push, open_pr, base } => {
            let reuse = if rescan { app::Reuse::Rescan } else { app::Reuse::Saved };
            let mut stdout = crate::terminal::Escaping::new(stdout);
            let options = publish::Options { open_pr, base };
            let request = app::ApplyRequest {
                branch: &branch,
                force,
                reuse,
                publish: (push || open_pr).then_some(&options),
            };
            let env = HostEnv::from_process();
            match common.single() {
                Some(settings) => app::apply_row(&settings, &request, &env, &mut stdout)
                    .map(|(outcome, _)| outcome),
                None => {
                    let layout = many::Layout { headers: true, summary_on_stdout: true };
                    return common.each(&layout, &mut stdout, &mut stderr, |settings, out| {
                        app::apply_row(settings, &request, &env, out)
                    });
                }
            }
        }
        #[cfg(unix)]
        Command::Verify { common, branch, capsules, keep, timeout, baseline } => {
            let options = crate::verify::Options {
                branch,
                capsules,
                keep,
                timeout: std::time::Duration::from_secs(timeout),
                baseline,
            };
            // Build logs and names come from the repository: escaped like the rest.
            let mut stdout = crate::terminal::Escaping::new(stdout);
            crate::verify::verify(&common.into_settings(), &options, &mut stdout, &mut stderr)
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
        Err(e) if crate::diag::is_broken_pipe(&e) => 0,
        Err(e) => {
            let _ = writeln!(stderr, "error: {e:#}");
            2
        }
    }
}

/// Whether `diff` colours its patch. `auto` follows the conventions clap follows too
/// (through anstream): a terminal on stdout, `NO_COLOR`, `CLICOLOR`, `CLICOLOR_FORCE`,
/// `TERM=dumb`. `NO_COLOR` wins even over `--color always`, as it always has here.
fn use_color(choice: ColorChoice) -> bool {
    match choice {
        ColorChoice::Never => false,
        ColorChoice::Always => !anstyle_query::no_color(),
        ColorChoice::Auto => {
            anstream::AutoStream::choice(&std::io::stdout()) != anstream::ColorChoice::Never
        }
    }
}

pub fn main() -> std::process::ExitCode {
    let stdout = std::io::stdout();
    // stderr is not held locked: `verify`'s spinner and the progress bar draw on it from
    // threads of their own.
    let code = run(std::env::args_os(), &mut stdout.lock(), &mut std::io::stderr());
    std::process::ExitCode::from(u8::try_from(code).unwrap_or(2))
}
