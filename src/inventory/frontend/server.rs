//! The command lines of static file servers (`http-server`, `serve`, `sirv`, ...): which
//! program a command runs and which folder it serves.

/// The programs that only serve files (`sirv` is sirv-cli's command).
const STATIC_SERVERS: [&str; 6] =
    ["http-server", "serve", "live-server", "lite-server", "static-server", "sirv"];

pub(super) fn is_static_server(program: &str) -> bool {
    STATIC_SERVERS.contains(&program)
}

/// A shell command reduced to the program it runs and that program's arguments.
#[derive(Debug, PartialEq)]
pub(super) struct Invocation {
    pub(super) program: String,
    pub(super) args: Vec<String>,
}

impl Invocation {
    /// The last `&&`/`;` step of `command` (the one left running), read with the shell
    /// grammar, without environment
    /// assignments, `cross-env`, `npx` and its flags, a `node_modules/.bin/` path or an
    /// `@version` suffix.
    pub(super) fn parse(command: &str) -> Option<Invocation> {
        // The shell grammar has already taken the assignments off each step.
        // A pipeline's later commands only read its output (`serve -s build | tee log`).
        let steps = crate::shell::simple_commands(command);
        let step = steps.into_iter().rfind(|c| !c.piped)?;
        let mut words = step.words.into_iter().peekable();
        loop {
            let word = words.peek()?;
            let assignment =
                word.split_once('=').is_some_and(|(name, _)| crate::shell::is_name(name));
            if assignment || word == "cross-env" || word == "exec" {
                words.next();
            } else if word == "npx" {
                words.next();
                while words.peek().is_some_and(|w| w.starts_with('-')) {
                    let flag = words.next()?;
                    if flag == "-p" || flag == "--package" {
                        words.next();
                    }
                }
            } else {
                break;
            }
        }
        let path = words.next()?;
        let name = path.rsplit('/').next().unwrap_or(&path);
        // `serve@14` but not a scoped `@scope/pkg` (already cut at the `/`).
        let name = match name.rfind('@') {
            Some(at) if at > 0 => &name[..at],
            _ => name,
        };
        let program = if name == "sirv-cli" { "sirv" } else { name }.to_string();
        Some(Invocation { program, args: words.collect() })
    }

    /// The package script this runs, for `npm start`, `npm run X`, `yarn X`, `pnpm X`.
    pub(super) fn script_run(&self) -> Option<String> {
        let mut args = self.args.iter().filter(|a| !a.starts_with('-'));
        let first = args.next()?;
        match (self.program.as_str(), first.as_str()) {
            ("npm" | "yarn" | "pnpm", "start") => Some("start".to_string()),
            ("npm" | "yarn" | "pnpm", "run" | "run-script") => args.next().cloned(),
            ("yarn" | "pnpm", script) if !script.contains('/') => Some(script.to_string()),
            _ => None,
        }
    }
}

/// The flags of each server that take the next word as their value. live-server takes
/// values only as `--name=value`; lite-server takes no folder argument at all.
fn value_flags(server: &str) -> &'static [&'static str] {
    match server {
        "http-server" => &[
            "-p",
            "--port",
            "-a",
            "-c",
            "-e",
            "--ext",
            "-P",
            "--proxy",
            "-C",
            "--cert",
            "-K",
            "--key",
            "-t",
            "--timeout",
            "--username",
            "--password",
            "--mimetypes",
        ],
        "serve" => &[
            "-l",
            "--listen",
            "-p",
            "--port",
            "-c",
            "--config",
            "--ssl-cert",
            "--ssl-key",
            "--ssl-pass",
        ],
        "static-server" => {
            &["-p", "--port", "-i", "--index", "-n", "--not-found", "-c", "--cors", "-H", "--host"]
        }
        "sirv" => {
            &["-p", "--port", "-H", "--host", "-m", "--maxage", "-C", "--cert", "-K", "--key"]
        }
        _ => &[],
    }
}

/// The server's first argument that is neither a flag nor a flag's value.
pub(super) fn first_positional(server: &str, args: &[String]) -> Option<String> {
    if server == "lite-server" {
        return None;
    }
    let takes_value = value_flags(server);
    let mut args = args.iter().peekable();
    while let Some(arg) = args.next() {
        if !arg.starts_with('-') || arg == "-" {
            return Some(arg.clone());
        }
        // `-d false` is how http-server's switches are turned off.
        let boolean_value = args.peek().is_some_and(|next| *next == "true" || *next == "false");
        if takes_value.contains(&arg.as_str()) || boolean_value {
            args.next();
        }
    }
    None
}

/// `./public/` as `public`; an empty path as `.`.
pub(super) fn normalise_dir(dir: String) -> String {
    let mut dir = dir.as_str();
    while let Some(rest) = dir.strip_prefix("./") {
        dir = rest;
    }
    match dir.trim_end_matches('/') {
        "" if dir.starts_with('/') => "/".to_string(),
        "" => ".".to_string(),
        trimmed => trimmed.to_string(),
    }
}
