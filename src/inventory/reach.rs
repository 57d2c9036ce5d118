//! Which files of the repository a command runs, so that a Capsule running only that
//! command (a Scheduler job, a worker) is given only the variables those files read.
//!
//! The command is read with the shell grammar ([`crate::shell`]): `node x.js` and its
//! options (`-r dotenv/config`, `--import ./setup.mjs`), `ts-node`/`tsx`-style runners,
//! `npx`, `npm run x` / `yarn x` / `pnpm x` through package.json's scripts (and their
//! `pre`/`post` hooks), `VAR=value` and `env` prefixes, `cd DIR &&`, and shell scripts it
//! starts. From each entry file, every module it loads is followed as Node resolves it:
//! relative paths with the extensions `.js`, `.mjs`, `.cjs`, `.ts`, `.tsx`, `.jsx`
//! (`./x.js` written in TypeScript for `./x.ts`), a folder's `package.json` `main` or its
//! `index`, and packages of the repository's own workspaces. Code those files start is
//! followed too ([`super::js::spawns`]): `child_process.fork(path)`, `new Worker(path)`,
//! `cluster.setupPrimary({ exec })` as another entry (a literal path from the working
//! folder or the file's, `__dirname`, `require.resolve`, `import.meta.url`), and
//! `spawn`/`execFile`/`execa`/`cross-spawn` programs and `exec` shell lines as commands.
//! Vendored and minified files ([`super::code::is_not_app_code`]) are not read.
//!
//! What could run code this cannot see makes the reach incomplete, with the reason in
//! one sentence: a program that is not a file of the repository, a module whose name is
//! computed (`require(name)`), a name that is neither a file nor a dependency (a path
//! alias), a file the build makes, code started from a computed path. The caller then keeps the whole app's variables.

use std::collections::{BTreeMap, BTreeSet};

use super::js::spawns::{SPAWN_MODULES, Spawn, Started, Value, spawns};
use super::{App, in_node_modules, join, parent};
use crate::lang::Lang;
use crate::source::Source;

/// Source files larger than this are bundles, not code people wrote (as in
/// [`super::code`]): a command that reaches one is not followed further.
const MAX_SOURCE: u64 = 2 * 1024 * 1024;

/// How deep scripts may call scripts (and shell scripts start others) before the reach
/// gives up: real chains are two or three deep; a cycle would never end.
const MAX_DEPTH: usize = 12;

/// What one command of an app runs.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Reach {
    /// The app folder, as [`App::dir`] has it.
    pub app: String,
    /// The command as written in the Procfile or the jobs file.
    pub command: String,
    /// The repository's files the command runs, repo-relative, in path order: JavaScript
    /// and TypeScript sources, and the shell scripts it starts.
    pub files: Vec<String>,
    /// The npm packages (not files) the reached code loads, each once, in name order:
    /// `dotenv`, `config` (node-config), `@prisma/client`, ...
    pub packages: Vec<String>,
    /// The package.json scripts the command runs, hooks included, in the order met: the
    /// app's by name, another package's as `folder/package.json#name`.
    pub scripts: Vec<String>,
    /// Why `files` may not be everything the command runs, one sentence; `None` when
    /// every step was followed.
    pub unresolved: Option<String>,
}

impl Reach {
    /// True when the code loads `package` (or one of its subpaths, `dotenv/config`).
    pub fn loads(&self, package: &str) -> bool {
        self.packages.iter().any(|p| p == package)
    }
}

/// Finds what commands reach; holds what every command of a repository shares.
pub struct Reacher<'a> {
    source: &'a Source,
    /// `name` of every package.json outside node_modules -> its folder: the packages of
    /// the repository's workspaces, which an app loads by name but are its own files.
    local_packages: BTreeMap<String, String>,
}

impl<'a> Reacher<'a> {
    pub fn new(source: &'a Source) -> Reacher<'a> {
        let mut local_packages = BTreeMap::new();
        for entry in source.entries() {
            let path = entry.path.as_str();
            let is_manifest = path == "package.json" || path.ends_with("/package.json");
            if !is_manifest || !entry.kind.is_regular() || in_node_modules(path) {
                continue;
            }
            if let Some(name) = read_json(source, path)
                .and_then(|v| v.get("name").and_then(|n| n.as_str()).map(str::to_owned))
            {
                local_packages.entry(name).or_insert_with(|| parent(path).to_owned());
            }
        }
        Reacher { source, local_packages }
    }

    /// What `command` runs when started in `app`'s folder (the one with its package.json).
    pub fn reach(&self, app: &App, command: &str) -> Reach {
        let mut walk = Walk {
            reacher: self,
            app,
            files: BTreeSet::new(),
            packages: BTreeSet::new(),
            scripts: Vec::new(),
            unresolved: None,
            queue: Vec::new(),
            installed: BTreeMap::new(),
        };
        walk.line(command, app.build_dir(), 0);
        walk.follow();
        Reach {
            app: app.dir.clone(),
            command: command.to_owned(),
            files: walk.files.into_iter().collect(),
            packages: walk.packages.into_iter().collect(),
            scripts: walk.scripts,
            unresolved: walk.unresolved,
        }
    }
}

struct Walk<'r, 'a> {
    reacher: &'r Reacher<'a>,
    app: &'r App,
    files: BTreeSet<String>,
    packages: BTreeSet<String>,
    scripts: Vec<String>,
    unresolved: Option<String>,
    /// JavaScript files found but not yet read.
    queue: Vec<String>,
    /// What each folder's package.json and lockfiles let code load, by folder, as read.
    installed: BTreeMap<String, Installed>,
}

/// Programs that run no code of the repository and read none of the app's variables
/// (what their words read, `$TOKEN` in `curl -H "Authorization: $TOKEN"`, the Capsule
/// lists from the command itself).
const NO_CODE: &[&str] = &[
    "echo",
    "printf",
    "true",
    "false",
    ":",
    "sleep",
    "exit",
    "export",
    "set",
    "unset",
    "test",
    "[",
    "date",
    "mkdir",
    "rm",
    "cp",
    "mv",
    "cat",
    "touch",
    "ls",
    "wait",
    "curl",
    "wget",
    // Build, lint and file tools from npm: they compile, check or copy the code, never
    // run it.
    "eslint",
    "tslint",
    "prettier",
    "tsc",
    "rimraf",
    "mkdirp",
    "copyfiles",
    "cpx",
    "shx",
];

impl Walk<'_, '_> {
    /// Notes the first reason the reach is incomplete.
    fn fail(&mut self, reason: String) {
        self.unresolved.get_or_insert(reason);
    }

    fn source(&self) -> &Source {
        self.reacher.source
    }

    fn is_file(&self, path: &str) -> bool {
        self.source().entry(path).is_some_and(|e| e.kind.is_regular())
    }

    /// Every simple command of a shell line, run from `cwd` (repo-relative).
    fn line(&mut self, line: &str, cwd: &str, depth: usize) {
        if depth > MAX_DEPTH {
            self.fail("its scripts call each other too deeply to follow".into());
            return;
        }
        let Some(commands) = crate::shell::commands(line) else {
            self.fail(format!("`{}` is not readable as shell", line.trim()));
            return;
        };
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

    fn command(&mut self, words: &[Option<&str>], cwd: &mut String, depth: usize) {
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
            _ => self.fail(format!("it runs `{program}`, which is not a file of the repository")),
        }
    }

    /// `node [options] file [args]`.
    fn node(&mut self, args: &[Option<&str>], cwd: &str) {
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
    fn runner(&mut self, name: &str, args: &[Option<&str>], cwd: &str) {
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
    fn entry_after_flags(
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
                    Some(module) => self.load(module, cwd, &format!("`{program} {flag}`")),
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
    fn npx(&mut self, args: &[Option<&str>], cwd: &mut String, depth: usize) {
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
    fn package_manager(
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
    fn script(
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
                self.queue.push(server);
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
    fn shell(&mut self, args: &[Option<&str>], cwd: &str, depth: usize) {
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
    fn shell_script(&mut self, path: &str, cwd: &str, depth: usize) {
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
    fn local_program(&mut self, program: &str, cwd: &str, depth: usize) {
        let path = normalize(&join(cwd, program)).filter(|p| !in_node_modules(p));
        let Some(path) = path.filter(|p| self.is_file(p)) else {
            self.fail(format!("it runs `{program}`, which is not a file of the repository"));
            return;
        };
        if Lang::of_path(&path).is_some() {
            self.queue.push(path);
            return;
        }
        let first_line = self.source().read(&path).ok().map(|bytes| {
            let line = bytes.split(|&b| b == b'\n').next().unwrap_or_default().to_vec();
            String::from_utf8_lossy(&line).into_owned()
        });
        match first_line.as_deref() {
            Some(line) if line.starts_with("#!") && line.contains("node") => self.queue.push(path),
            Some(line)
                if line.starts_with("#!")
                    && ["sh", "bash", "dash", "zsh"].iter().any(|s| line.ends_with(s)) =>
            {
                self.shell_script(&path, cwd, depth);
            }
            _ => self.fail(format!("it runs `{program}`, which is neither JavaScript nor shell")),
        }
    }

    /// The file `node` (or a runner) is given, relative to `cwd`. A file the build makes
    /// (`dist/job.js` from `src/job.ts`) stands for its TypeScript source when the app
    /// compiles with `tsc`.
    fn entry(&mut self, file: &str, cwd: &str) {
        let Some(path) = normalize(&join(cwd, file)) else {
            self.fail(format!("it runs `{file}`, outside the repository"));
            return;
        };
        if let Some(found) = self.resolve(&path) {
            self.found(found);
            return;
        }
        if let Some(found) = self.built_from(&path) {
            self.found(found);
            return;
        }
        self.fail(format!(
            "it runs `{file}`, which is not in the repository (the build makes it?)"
        ));
    }

    fn found(&mut self, path: String) {
        if Lang::of_path(&path).is_some() {
            self.queue.push(path);
        }
    }

    /// The TypeScript source of a missing `dist/x.js`-style file: the same path under
    /// `src/` or the app folder itself, when the app has a `tsconfig.json`.
    fn built_from(&self, path: &str) -> Option<String> {
        let base = self.app.build_dir();
        if !self.is_file(&join(base, "tsconfig.json")) {
            return None;
        }
        let relative = if base.is_empty() { path } else { path.strip_prefix(&format!("{base}/"))? };
        let (top, rest) = relative.split_once('/')?;
        if !matches!(top, "dist" | "build" | "built" | "lib" | "out") {
            return None;
        }
        let stem =
            [".js", ".mjs", ".cjs"].iter().find_map(|e| rest.strip_suffix(e)).unwrap_or(rest);
        ["src", ""].iter().find_map(|root| {
            let candidate = join(base, &join(root, stem));
            // `allowJs` copies JavaScript sources too; `built/src/bot` may be a folder.
            ["ts", "mts", "cts", "tsx", "js"]
                .iter()
                .map(|ext| format!("{candidate}.{ext}"))
                .find(|p| self.is_file(p))
                .or_else(|| self.resolve_folder(&candidate))
        })
    }

    /// A module named in `by` (a file and line, or a preload option) from the folder `dir`.
    fn load(&mut self, specifier: &str, dir: &str, by: &str) {
        if specifier.starts_with("./")
            || specifier.starts_with("../")
            || specifier == "."
            || specifier == ".."
        {
            let path = normalize(&join(dir, specifier));
            let found =
                path.as_deref().and_then(|p| self.resolve(p).or_else(|| self.built_from(p)));
            match found {
                Some(path) => self.found(path),
                None => self.fail(format!(
                    "{by} loads `{specifier}`, which is not in the repository (built or \
                     generated?)"
                )),
            }
            return;
        }
        if specifier.starts_with('/') || specifier.starts_with('#') {
            self.fail(format!("{by} loads `{specifier}`, which is not followed"));
            return;
        }
        let bare = specifier.strip_prefix("node:");
        if bare.is_some() || is_builtin(specifier) {
            return;
        }
        let (package, subpath) = package_name(specifier);
        if let Some(folder) = self.reacher.local_packages.get(package).cloned()
            && folder != self.app.build_dir()
        {
            let found = if subpath.is_empty() {
                self.resolve_folder(&folder)
            } else {
                self.resolve(&join(&folder, subpath))
            };
            match found {
                Some(path) => self.found(path),
                None => self.fail(format!(
                    "{by} loads `{specifier}`, the repository's own package in `{folder}`, \
                     whose files are built"
                )),
            }
            return;
        }
        if self.can_load(dir, package) {
            self.packages.insert(package.to_owned());
            return;
        }
        self.fail(format!(
            "{by} loads `{specifier}`, which is neither a file nor a dependency of the app (a \
             path alias?)"
        ));
    }

    /// Whether code in `dir` can load the npm package `package`: a package.json or a
    /// lockfile of `dir` or a folder above it has it. Each folder's files are read once.
    fn can_load(&mut self, dir: &str, package: &str) -> bool {
        let source = self.reacher.source;
        let mut folder = dir.to_owned();
        loop {
            let installed = self
                .installed
                .entry(folder.clone())
                .or_insert_with(|| Installed::of(source, &folder));
            if installed.contains(package) {
                return true;
            }
            if folder.is_empty() {
                return false;
            }
            folder = parent(&folder).to_owned();
        }
    }

    /// Reads each queued file and follows what it loads.
    fn follow(&mut self) {
        while let Some(path) = self.queue.pop() {
            if !self.files.insert(path.clone()) {
                continue;
            }
            // A vendored library or a minified file reads none of the app's variables
            // (the code scan skips it too) and loads only its own kind.
            if super::code::is_not_app_code(&path) {
                continue;
            }
            let too_large =
                self.source().entry(&path).and_then(|e| e.size).unwrap_or(0) > MAX_SOURCE;
            let bytes = match self.source().read(&path) {
                Ok(bytes) if !too_large => bytes,
                _ => {
                    self.fail(format!("`{path}` is too large to read (a bundle?)"));
                    continue;
                }
            };
            let lang = Lang::of_path(&path).unwrap_or(Lang::JavaScript);
            let facts = super::js::scan(&path, lang, &bytes);
            let dir = parent(&path).to_owned();
            let starts_code = facts.loads.iter().any(|load| {
                let name = load.specifier.as_deref().unwrap_or_default();
                let name = name.strip_prefix("node:").unwrap_or(name);
                SPAWN_MODULES.contains(&package_name(name).0)
            });
            for load in facts.loads {
                let by = format!("`{path}:{}`", load.line);
                match load.specifier {
                    Some(specifier) => self.load(&specifier, &dir, &by),
                    None => self.fail(format!("{by} loads a module whose name is computed")),
                }
            }
            if starts_code {
                for spawn in spawns(lang, &bytes) {
                    self.spawn(&path, spawn);
                }
            }
        }
    }

    /// What a call in `path` starts (see [`spawns`]): a Node file is another entry, a
    /// program or a shell line is read as a command run from the app's folder (the
    /// process's working folder). What is computed makes the reach incomplete.
    fn spawn(&mut self, path: &str, spawn: Spawn) {
        let by = format!("`{path}:{}` starts", spawn.line);
        let call = &spawn.call;
        let dir = parent(path).to_owned();
        let cwd = self.app.build_dir().to_owned();
        match spawn.started {
            Started::Module(Some(value)) => {
                // Node resolves a relative path against the working folder; code written
                // for another folder names it from its own file. Follow whichever exists.
                let candidates = match &value {
                    Value::File(p) => vec![normalize(&join(&dir, p))],
                    Value::Cwd(p) if p.starts_with('/') => vec![None],
                    Value::Cwd(p) => vec![normalize(&join(&cwd, p)), normalize(&join(&dir, p))],
                };
                let found: Vec<String> = candidates
                    .into_iter()
                    .flatten()
                    .filter_map(|p| self.resolve(&p).or_else(|| self.built_from(&p)))
                    .collect();
                if found.is_empty() {
                    let (Value::File(p) | Value::Cwd(p)) = &value;
                    self.fail(format!("{by} `{p}` (`{call}`), which is not in the repository"));
                }
                for file in found {
                    self.found(file);
                }
            }
            Started::Shell(Some(line)) => self.line(&line, &cwd, 1),
            Started::Program(Some(values)) => {
                let mut words = Vec::new();
                for value in values {
                    let word = match value {
                        Value::Cwd(word) => Some(word),
                        // A path from the file's folder, as the working folder names it.
                        Value::File(p) => normalize(&join(&dir, &p)).and_then(|abs| {
                            if cwd.is_empty() {
                                Some(abs)
                            } else {
                                abs.strip_prefix(&format!("{cwd}/")).map(str::to_owned)
                            }
                        }),
                    };
                    let Some(word) = word else {
                        self.fail(format!("{by} a file outside the app's folder (`{call}`)"));
                        return;
                    };
                    words.push(word);
                }
                let words: Vec<Option<&str>> = words.iter().map(|w| Some(w.as_str())).collect();
                self.command(&words, &mut cwd.clone(), 1);
            }
            Started::Module(None) | Started::Shell(None) | Started::Program(None) => {
                self.fail(format!("{by} code whose path or command is computed (`{call}`)"));
            }
        }
    }

    /// The file Node loads for `path`: the file itself, with an extension added, the
    /// TypeScript file a `.js` name stands for, or the folder's entry.
    fn resolve(&self, path: &str) -> Option<String> {
        const EXTENSIONS: &[&str] =
            &["js", "mjs", "cjs", "ts", "tsx", "jsx", "mts", "cts", "json", "node"];
        if self.is_file(path) {
            return Some(path.to_owned());
        }
        // TypeScript's ESM style names the output: `./db.js` for `./db.ts`.
        let (stem, ext) = path.rsplit_once('.').unwrap_or((path, ""));
        let typescript: &[&str] = match ext {
            "js" => &["ts", "tsx"],
            "jsx" => &["tsx"],
            "mjs" => &["mts"],
            "cjs" => &["cts"],
            _ => &[],
        };
        let swapped = typescript.iter().map(|e| format!("{stem}.{e}"));
        let added = EXTENSIONS.iter().map(|e| format!("{path}.{e}"));
        swapped.chain(added).find(|p| self.is_file(p)).or_else(|| self.resolve_folder(path))
    }

    /// A folder's entry: its package.json `main`, else its `index` file.
    fn resolve_folder(&self, folder: &str) -> Option<String> {
        let manifest = join(folder, "package.json");
        if let Some(main) = read_json(self.source(), &manifest)
            .and_then(|v| v.get("main").and_then(|m| m.as_str()).map(str::to_owned))
            && let Some(path) = normalize(&join(folder, &main))
            && path != folder
            && let Some(found) = self.resolve(&path)
        {
            return Some(found);
        }
        ["js", "mjs", "cjs", "ts", "tsx", "jsx", "json"]
            .iter()
            .map(|e| format!("{}.{e}", join(folder, "index")))
            .find(|p| self.is_file(p))
    }
}

/// The package a bare specifier names, and the path inside it: `@scope/pkg/x` ->
/// (`@scope/pkg`, `x`), `dotenv/config` -> (`dotenv`, `config`).
fn package_name(specifier: &str) -> (&str, &str) {
    let parts = if specifier.starts_with('@') { 2 } else { 1 };
    let mut end = 0;
    for (n, part) in specifier.split('/').enumerate() {
        if n == parts {
            break;
        }
        end += part.len() + usize::from(n > 0);
    }
    let end = end.min(specifier.len());
    (&specifier[..end], specifier[end..].trim_start_matches('/'))
}

/// The packages one folder's package.json declares and its lockfiles hold. Code in a
/// folder can load those of its folder and of every folder above it (a workspace's root
/// declares shared ones); a lockfile also holds what those depend on (code that loads a
/// dependency's dependency works with npm's flat node_modules).
struct Installed {
    declared: BTreeSet<String>,
    lockfiles: Vec<String>,
    /// Answers already given for names that are not declared: a lockfile can be
    /// megabytes, and the same name is loaded from many files.
    found: std::cell::RefCell<BTreeMap<String, bool>>,
}

impl Installed {
    /// What `dir`'s own package.json and lockfiles say.
    fn of(source: &Source, dir: &str) -> Installed {
        const SECTIONS: &[&str] =
            &["dependencies", "devDependencies", "peerDependencies", "optionalDependencies"];
        const LOCKFILES: &[&str] =
            &["package-lock.json", "npm-shrinkwrap.json", "yarn.lock", "pnpm-lock.yaml"];
        let mut out = Installed {
            declared: BTreeSet::new(),
            lockfiles: Vec::new(),
            found: Default::default(),
        };
        if let Some(value) = read_json(source, &join(dir, "package.json")) {
            for section in SECTIONS {
                if let Some(deps) = value.get(*section).and_then(|d| d.as_object()) {
                    out.declared.extend(deps.keys().cloned());
                }
            }
        }
        for name in LOCKFILES {
            if let Ok(bytes) = source.read(&join(dir, name)) {
                out.lockfiles.push(String::from_utf8_lossy(&bytes).into_owned());
            }
        }
        out
    }

    /// Whether `package` is declared, or installed as another package's dependency: a
    /// lockfile has an entry for it (npm's `"node_modules/x"` or v1 `"x": {`, yarn's
    /// `x@`, pnpm's `/x@` or `x@`). A path alias (`@/lib`, `~/x`) has none.
    fn contains(&self, package: &str) -> bool {
        if self.declared.contains(package) {
            return true;
        }
        if self.lockfiles.is_empty() {
            return false;
        }
        if let Some(known) = self.found.borrow().get(package) {
            return *known;
        }
        let keys = [
            format!("\"node_modules/{package}\""),
            format!("\"{package}\": {{"),
            format!("\n{package}@"),
            format!("\n\"{package}@"),
            format!("/{package}@"),
            format!(" {package}@"),
            format!("'{package}@"),
        ];
        let known =
            self.lockfiles.iter().any(|text| keys.iter().any(|k| text.contains(k.as_str())));
        self.found.borrow_mut().insert(package.to_owned(), known);
        known
    }
}

fn read_json(source: &Source, path: &str) -> Option<serde_json::Value> {
    let entry = source.entry(path)?;
    if !entry.kind.is_regular() {
        return None;
    }
    serde_json::from_slice(&source.read(path).ok()?).ok()
}

/// `a/./b/../c` -> `a/c`; `None` when it climbs above the repository's root.
fn normalize(path: &str) -> Option<String> {
    let mut parts: Vec<&str> = Vec::new();
    for part in path.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            _ => parts.push(part),
        }
    }
    Some(parts.join("/"))
}

/// Node's built-in modules (Node 20-24 docs, "Modules: node:module API",
/// `builtinModules`), which may be loaded without the `node:` prefix.
fn is_builtin(specifier: &str) -> bool {
    const BUILTINS: &[&str] = &[
        "assert",
        "async_hooks",
        "buffer",
        "child_process",
        "cluster",
        "console",
        "constants",
        "crypto",
        "dgram",
        "diagnostics_channel",
        "dns",
        "domain",
        "events",
        "fs",
        "http",
        "http2",
        "https",
        "inspector",
        "module",
        "net",
        "os",
        "path",
        "perf_hooks",
        "process",
        "punycode",
        "querystring",
        "readline",
        "repl",
        "stream",
        "string_decoder",
        "sys",
        "timers",
        "tls",
        "trace_events",
        "tty",
        "url",
        "util",
        "v8",
        "vm",
        "wasi",
        "worker_threads",
        "zlib",
    ];
    let top = specifier.split('/').next().unwrap_or(specifier);
    BUILTINS.contains(&top)
}

#[cfg(test)]
mod tests;
