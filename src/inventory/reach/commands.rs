//! Following a command line to the files it runs: shell steps, `node`, runners
//! (`ts-node`, `nodemon`, ...), `npx`, package-manager scripts, shell scripts and local
//! programs.

use std::collections::BTreeMap;

use super::modules::{normalize, read_json};
use super::{MAX_DEPTH, NO_CODE, Walk};
use crate::inventory::{in_node_modules, join, parent};
use crate::lang::Lang;

impl Walk<'_, '_> {
    /// Every simple command of a shell line, run from `cwd` (repo-relative).
    pub(super) fn line(&mut self, line: &str, cwd: &str, depth: usize) {
        if depth > MAX_DEPTH {
            self.fail("its scripts call each other too deeply to follow".into());
            return;
        }
        let Some(commands) = crate::shell::commands(line) else {
            self.fail(format!("`{}` is not readable as shell", line.trim()));
            return;
        };
        if crate::shell::variables_read(line).iter().any(|v| v == "PORT") {
            self.serve(|| format!("`{}` reads `$PORT`", line.trim()));
        }
        let mut cwd = cwd.to_owned();
        for command in commands {
            // An option whose value expands (`--max-old-space-size=${HEAP:-460}`) is still
            // an option: its raw text says so.
            let words: Vec<Option<&str>> = command
                .words
                .iter()
                .map(|w| {
                    let raw = &line[w.span.clone()];
                    w.text.as_deref().or_else(|| raw.starts_with('-').then_some(raw))
                })
                .collect();
            self.command(&words, &mut cwd, depth);
        }
    }

    pub(super) fn command(&mut self, words: &[Option<&str>], cwd: &mut String, depth: usize) {
        let Some(first) = words.first() else { return };
        let Some(program) = *first else {
            self.fail("its program is only known when the shell runs it".into());
            return;
        };
        let args = &words[1..];
        let name = program.rsplit('/').next().unwrap_or(program);
        match name {
            "cd" => match args.first() {
                Some(Some(dir)) if !dir.starts_with(['/', '~', '-']) => {
                    *cwd = normalize(&join(cwd, dir)).unwrap_or_default();
                }
                _ => self.fail("it changes into a folder only known when it runs".into()),
            },
            "exec" | "time" | "nohup" => self.command(args, cwd, depth),
            "env" => {
                let rest = args
                    .iter()
                    .position(|w| w.is_none_or(|w| !w.contains('=') && !w.starts_with('-')));
                if let Some(at) = rest {
                    self.command(&args[at..], cwd, depth);
                }
            }
            "node" | "nodejs" => self.node(args, cwd),
            "ts-node" | "ts-node-dev" | "tsnd" | "ts-node-esm" | "tsx" | "babel-node"
            | "node-dev" | "nodemon" | "esno" | "esr" | "sucrase-node" | "jiti" => {
                self.runner(name, args, cwd);
            }
            "npx" | "pnpx" => self.npx(args, cwd, depth),
            // Wrappers that set variables, then run the rest of the line.
            "cross-env" | "cross-env-shell" => {
                let at = args.iter().position(|w| w.is_none_or(|w| !w.contains('=')));
                if let Some(at) = at {
                    self.command(&args[at..], cwd, depth);
                }
            }
            "env-cmd" | "dotenv" | "dotenv-cli" => {
                if name != "env-cmd" {
                    self.packages.insert("dotenv".into());
                }
                let values =
                    ["-f", "--file", "-e", "--environments", "-r", "--rc-file", "-c", "-v"];
                let mut i = 0;
                while let Some(Some(arg)) = args.get(i) {
                    if *arg == "--" {
                        i += 1;
                        break;
                    }
                    if !arg.starts_with('-') {
                        break;
                    }
                    i += if values.contains(arg) { 2 } else { 1 };
                }
                self.command(args.get(i..).unwrap_or_default(), cwd, depth);
            }
            // Each argument is a command line of its own; `npm:x` runs the script `x`.
            "concurrently" => {
                const VALUES: &[&str] = &[
                    "-n",
                    "--names",
                    "-c",
                    "--prefix-colors",
                    "-p",
                    "--prefix",
                    "-s",
                    "--success",
                    "-m",
                    "--max-processes",
                    "-t",
                    "--timestamp-format",
                    "-l",
                    "--prefix-length",
                    "--restart-tries",
                    "--restart-after",
                ];
                let value_at = |i: usize| i > 0 && args[i - 1].is_some_and(|a| VALUES.contains(&a));
                let lines = args.iter().enumerate().filter(|(i, _)| !value_at(*i)).map(|(_, a)| a);
                for arg in lines.flatten().filter(|a| !a.starts_with('-')) {
                    let line = match arg.strip_prefix("npm:") {
                        Some(script) => format!("npm run {script}"),
                        None => (*arg).to_owned(),
                    };
                    self.line(&line, cwd, depth + 1);
                }
            }
            "npm" | "yarn" | "pnpm" => self.package_manager(name, args, cwd, depth),
            "sh" | "bash" | "dash" | "zsh" => self.shell(args, cwd, depth),
            _ if NO_CODE.contains(&name) && !program.contains('/') => {}
            _ if program.contains('/') || Lang::of_path(program).is_some() => {
                self.local_program(program, cwd, depth);
            }
            _ => {
                if let Some(server) = server_program(name, args) {
                    self.serve(|| format!("it runs `{server}`, which serves HTTP"));
                }
                self.fail(format!("it runs `{program}`, which is not a file of the repository"));
            }
        }
    }

    /// `node [options] file [args]`.
    pub(super) fn node(&mut self, args: &[Option<&str>], cwd: &str) {
        const VALUE_FLAGS: &[&str] = &[
            "--loader",
            "--experimental-loader",
            "--env-file",
            "--env-file-if-exists",
            "--conditions",
            "-C",
            "--input-type",
            "--title",
            "--inspect-port",
            "--redirect-warnings",
            "--openssl-config",
            "--icu-data-dir",
            "--diagnostic-dir",
            "--report-dir",
            "--secure-heap",
            "--watch-path",
            "--max-old-space-size",
            "--stack-size",
        ];
        self.entry_after_flags("node", args, cwd, VALUE_FLAGS, &["-e", "--eval", "-p", "--print"]);
    }

    /// TypeScript and reload runners that take the file as their first operand.
    pub(super) fn runner(&mut self, name: &str, args: &[Option<&str>], cwd: &str) {
        if name == "nodemon" {
            if args.iter().any(|a| matches!(a, Some("--exec" | "-x"))) {
                self.fail("it runs `nodemon --exec`, whose command is not followed".into());
                return;
            }
            let values = ["-e", "--ext", "-w", "--watch", "-i", "--ignore", "-d", "--delay"];
            self.entry_after_flags(name, args, cwd, &values, &[]);
            return;
        }
        // `tsx watch file.ts`, `ts-node-dev --respawn file.ts`.
        let args = match args.first() {
            Some(Some("watch")) => &args[1..],
            _ => args,
        };
        const VALUE_FLAGS: &[&str] = &[
            "-P",
            "--project",
            "-O",
            "--compiler-options",
            "-C",
            "--compiler",
            "--tsconfig",
            "--cwd",
            "--dir",
            "--scope-dir",
            "--ignore",
            "--loader",
            "--env-file",
            "--extensions",
            "-x",
            "--config-file",
            "--presets",
            "--plugins",
        ];
        self.entry_after_flags(name, args, cwd, VALUE_FLAGS, &["-e", "--eval", "-p", "--print"]);
    }

    /// The first operand after the options is the entry file; `-r`/`--require`/`--import`
    /// preload a module first.
    pub(super) fn entry_after_flags(
        &mut self,
        program: &str,
        args: &[Option<&str>],
        cwd: &str,
        value_flags: &[&str],
        eval_flags: &[&str],
    ) {
        let mut i = 0;
        while i < args.len() {
            let Some(arg) = args[i] else {
                self.fail(format!("the file `{program}` runs is only known when it runs"));
                return;
            };
            let (flag, inline) = match arg.split_once('=') {
                Some((flag, value)) if arg.starts_with('-') => (flag, Some(value)),
                _ => (arg, None),
            };
            if arg == "--" {
                i += 1;
                break;
            }
            if !arg.starts_with('-') || arg == "-" {
                break;
            }
            if eval_flags.contains(&flag) {
                self.fail(format!("it runs code given inline (`{program} {flag}`)"));
                return;
            }
            let value = match inline {
                Some(value) => Some(value),
                None if ["-r", "--require", "--import"].contains(&flag)
                    || value_flags.contains(&flag) =>
                {
                    i += 1;
                    args.get(i).copied().flatten()
                }
                None => None,
            };
            if ["-r", "--require", "--import"].contains(&flag) {
                match value {
                    Some(module) => self.load(module, cwd, &format!("`{program} {flag}`"), cwd),
                    None => self.fail("it preloads a module only known when it runs".into()),
                }
            }
            i += 1;
        }
        match args.get(i) {
            Some(Some(file)) if *file != "-" => self.entry(file, cwd),
            Some(_) => self.fail(format!("the file `{program}` runs is only known when it runs")),
            None => self.fail(format!("it starts `{program}` without a file")),
        }
    }

    /// `npx [flags] program args`: the program is a package's, or `node` and friends.
    pub(super) fn npx(&mut self, args: &[Option<&str>], cwd: &mut String, depth: usize) {
        let mut i = 0;
        while let Some(Some(arg)) = args.get(i) {
            match *arg {
                "-y" | "--yes" | "--no" | "--no-install" | "-q" | "--quiet" | "--" => i += 1,
                _ if arg.starts_with('-') => {
                    self.fail(format!("it runs `npx {arg}`, which installs or runs a package"));
                    return;
                }
                _ => break,
            }
        }
        self.command(&args[i..], cwd, depth);
    }

    /// `npm run x`, `yarn x`, `pnpm run x`, ...: the scripts of package.json it runs.
    pub(super) fn package_manager(
        &mut self,
        manager: &str,
        args: &[Option<&str>],
        cwd: &mut String,
        depth: usize,
    ) {
        let words: Vec<String> =
            args.iter().map(|w| crate::shell::quote(w.unwrap_or("$UNKNOWN"))).collect();
        let line = format!("{manager} {}", words.join(" "));
        let first = args.iter().position(|a| a.is_none_or(|a| !a.starts_with('-')));
        match first.and_then(|at| args[at].map(|word| (at, word))) {
            // `yarn node x.js`: node itself; `npm exec`, `pnpm dlx`, `yarn x`: as npx runs.
            Some((at, "node")) => return self.command(&args[at..], cwd, depth),
            Some((at, "exec" | "dlx" | "x")) => return self.npx(&args[at + 1..], cwd, depth),
            _ => {}
        }
        let calls = crate::inventory::scripts::calls(&line).unwrap_or_default();
        if calls.is_empty() {
            self.fail(format!(
                "it runs `{}`, which runs no script of its package.json",
                line.trim()
            ));
            return;
        }
        // npm, yarn and pnpm run the scripts of the nearest package.json above the folder.
        let mut package = normalize(cwd).unwrap_or_default();
        while !self.is_file(&join(&package, "package.json")) && !package.is_empty() {
            package = parent(&package).to_owned();
        }
        let scripts: BTreeMap<String, String> =
            read_json(self.source(), &join(&package, "package.json"))
                .and_then(|v| v.get("scripts").and_then(|s| s.as_object()).cloned())
                .into_iter()
                .flatten()
                .filter_map(|(k, v)| Some((k, v.as_str()?.to_owned())))
                .collect();
        let own = package == self.app.build_dir();
        for call in calls {
            self.script(&call.script, manager, depth, &package, &scripts, own);
        }
    }

    /// One package.json script (of the package in `package`, whose `scripts` are given;
    /// `own`: the app's) with the `pre`/`post` hooks npm runs around it.
    pub(super) fn script(
        &mut self,
        name: &str,
        manager: &str,
        depth: usize,
        package: &str,
        scripts: &BTreeMap<String, String>,
        own: bool,
    ) {
        if !scripts.contains_key(name) {
            // npm's default: `npm start` runs `node server.js` when there is no script.
            let server = join(package, "server.js");
            if name == "start" && self.is_file(&server) {
                self.queue.push((server, package.to_owned()));
                return;
            }
            let manifest = join(package, "package.json");
            self.fail(if manager == "npm" {
                format!("it runs the script `{name}`, which `{manifest}` does not have")
            } else {
                format!("it runs `{manager} {name}`, neither a script of `{manifest}` nor a file")
            });
            return;
        }
        for hook in [format!("pre{name}"), name.to_owned(), format!("post{name}")] {
            // Scripts of another package are named with their folder.
            let key = if own { hook.clone() } else { format!("{package}/package.json#{hook}") };
            if self.scripts.contains(&key) {
                continue;
            }
            let Some(text) = scripts.get(&hook).cloned() else { continue };
            self.scripts.push(key);
            self.line(&text, package, depth + 1);
        }
    }

    /// `bash script.sh`, `sh -c "..."`.
    pub(super) fn shell(&mut self, args: &[Option<&str>], cwd: &str, depth: usize) {
        let mut i = 0;
        while let Some(Some(arg)) = args.get(i) {
            if *arg == "-c" {
                match args.get(i + 1) {
                    Some(Some(text)) => {
                        let text = (*text).to_owned();
                        self.line(&text, cwd, depth + 1);
                    }
                    _ => self.fail("it runs shell code only known when it runs".into()),
                }
                return;
            }
            if !arg.starts_with('-') {
                break;
            }
            i += 1;
        }
        match args.get(i) {
            Some(Some(file)) => {
                let path = normalize(&join(cwd, file));
                match path.filter(|p| self.is_file(p)) {
                    Some(path) => self.shell_script(&path, cwd, depth),
                    None => self.fail(format!("it runs `{file}`, which is not in the repository")),
                }
            }
            _ => self.fail("it starts a shell without a script".into()),
        }
    }

    /// A shell script's own commands, run from the caller's folder.
    pub(super) fn shell_script(&mut self, path: &str, cwd: &str, depth: usize) {
        if !self.files.insert(path.to_owned()) {
            return;
        }
        match self.source().read(path) {
            Ok(bytes) => {
                let text = String::from_utf8_lossy(&bytes).into_owned();
                self.line(&text, cwd, depth + 1);
            }
            Err(_) => self.fail(format!("`{path}` could not be read")),
        }
    }

    /// `./bin/worker`, `scripts/job.js`: a file of the repository run as a program.
    pub(super) fn local_program(&mut self, program: &str, cwd: &str, depth: usize) {
        let path = normalize(&join(cwd, program)).filter(|p| !in_node_modules(p));
        let Some(path) = path.filter(|p| self.is_file(p)) else {
            self.fail(format!("it runs `{program}`, which is not a file of the repository"));
            return;
        };
        if Lang::of_path(&path).is_some() {
            self.queue.push((path, cwd.to_owned()));
            return;
        }
        let bytes = self.source().read(&path).ok().unwrap_or_default();
        if Lang::of_shebang(&bytes).is_some() {
            self.queue.push((path, cwd.to_owned()));
        } else if crate::lang::is_shell_shebang(&bytes) {
            self.shell_script(&path, cwd, depth);
        } else {
            self.fail(format!("it runs `{program}`, which is neither JavaScript nor shell"));
        }
    }
}

/// The command line of a program from npm that serves HTTP itself (a static server, a
/// framework's production or development server), as shown to people; `None` for any
/// other program or subcommand (`next build`).
fn server_program(name: &str, args: &[Option<&str>]) -> Option<String> {
    const ALWAYS: &[&str] = &[
        "http-server",
        "serve",
        "live-server",
        "json-server",
        "sirv",
        "remix-serve",
        "react-router-serve",
        "webpack-dev-server",
    ];
    // Frameworks whose CLI serves with these subcommands (a missing one is `vite`'s dev
    // server).
    const SUBCOMMANDS: &[(&str, &[&str])] = &[
        ("next", &["start", "dev"]),
        ("nuxt", &["start", "dev", "preview"]),
        ("nuxi", &["start", "dev", "preview"]),
        ("vite", &["", "dev", "serve", "preview"]),
        ("react-scripts", &["start"]),
        ("ng", &["serve"]),
        ("gatsby", &["serve", "develop"]),
        ("nest", &["start"]),
        ("astro", &["dev", "preview"]),
        ("strapi", &["start", "develop"]),
        ("sails", &["lift"]),
        ("webpack", &["serve"]),
    ];
    if ALWAYS.contains(&name) {
        return Some(name.to_owned());
    }
    let sub = args.iter().flatten().find(|a| !a.starts_with('-')).copied().unwrap_or("");
    let (_, serving) = SUBCOMMANDS.iter().find(|(program, _)| *program == name)?;
    serving.contains(&sub).then(|| format!("{name} {sub}").trim_end().to_owned())
}
