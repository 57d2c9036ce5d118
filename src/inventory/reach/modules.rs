//! Following a file to the files it loads: relative specifiers resolved as Node does,
//! bare ones to the packages installed for the folder, compiled output to its source.

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet};

use super::aliases::Mapped;
use super::{MAX_SOURCE, Walk};
use crate::inventory::js::listen;
use crate::inventory::js::spawns::{SPAWN_MODULES, Value, spawns};
use crate::inventory::{join, parent};
use crate::lang::Lang;
use crate::source::Source;

impl Walk<'_, '_> {
    /// The file `node` (or a runner) is given, relative to `cwd`. A file the build makes
    /// (`dist/job.js` from `src/job.ts`) stands for its TypeScript source when the app
    /// compiles with `tsc`.
    pub(super) fn entry(&mut self, file: &str, cwd: &str) {
        let Some(path) = normalize(&join(cwd, file)) else {
            self.fail(format!("it runs `{file}`, outside the repository"));
            return;
        };
        if let Some(found) = self.resolve(&path) {
            self.found(found, cwd);
            return;
        }
        if let Some(found) = self.built_from(&path) {
            self.found(found, cwd);
            return;
        }
        self.fail(format!(
            "it runs `{file}`, which is not in the repository (the build makes it?)"
        ));
    }

    /// A file to read, run by a process whose working folder is `cwd`. Node runs a file
    /// without an extension (`node bin/www`, `require("./config")` found as `config`) as
    /// JavaScript; JSON and native addons hold no code to follow.
    pub(super) fn found(&mut self, path: String, cwd: &str) {
        let name = path.rsplit('/').next().unwrap_or(&path);
        if Lang::of_path(&path).is_some() || !name.contains('.') {
            self.queue.push((path, cwd.to_owned()));
        }
    }

    /// The TypeScript source of a missing `dist/x.js`-style file: the same path under
    /// `src/` or the app folder itself, when the app has a `tsconfig.json`.
    pub(super) fn built_from(&self, path: &str) -> Option<String> {
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

    /// A module named in `by` (a file and line, or a preload option) from the folder `dir`,
    /// in a process whose working folder is `cwd`.
    pub(super) fn load(&mut self, specifier: &str, dir: &str, by: &str, cwd: &str) {
        if specifier.starts_with("./")
            || specifier.starts_with("../")
            || specifier == "."
            || specifier == ".."
        {
            let path = normalize(&join(dir, specifier));
            let found =
                path.as_deref().and_then(|p| self.resolve(p).or_else(|| self.built_from(p)));
            match found {
                Some(path) => self.found(path, cwd),
                // A JSON file runs no code and reads no variable (a missing `config.json`
                // is read inside a `try`, or fails at once).
                None if specifier.ends_with(".json") => {}
                None => self.fail(format!(
                    "{by} loads `{specifier}`, which is not in the repository (built or \
                     generated?)"
                )),
            }
            return;
        }
        if specifier.starts_with('#') {
            let mapped = self.subpath_import(specifier, dir);
            self.mapped(specifier, mapped, dir, by, cwd);
            return;
        }
        if specifier.starts_with('/') {
            self.fail(format!("{by} loads `{specifier}`, which is not followed"));
            return;
        }
        let bare = specifier.strip_prefix("node:");
        if bare.is_some() || is_builtin(specifier) {
            return;
        }
        // A path alias of tsconfig.json/jsconfig.json wins over a package of that name, as
        // it does for TypeScript and tsconfig-paths.
        if let Some(mapped) = self.ts_alias(specifier, dir) {
            self.mapped(specifier, mapped, dir, by, cwd);
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
                Some(path) => self.found(path, cwd),
                None => self.fail(format!(
                    "{by} loads `{specifier}`, the repository's own package in `{folder}`, \
                     whose files are built"
                )),
            }
            return;
        }
        if self.can_load(dir, package) {
            if SERVER_PACKAGES.contains(&package) {
                self.serve(|| format!("{by} loads `{package}`, which serves HTTP"));
            }
            self.packages.insert(package.to_owned());
            return;
        }
        if let Some(mapped) = self.module_alias(specifier, dir) {
            self.mapped(specifier, mapped, dir, by, cwd);
            return;
        }
        self.fail(format!(
            "{by} loads `{specifier}`, which is neither a file nor a dependency of the app (a \
             path alias?)"
        ));
    }

    /// The code files under the folder a computed load names (see
    /// [`crate::inventory::js::spawns::folder_of`]), from the loading file's folder `dir`
    /// (`./x/`, `__dirname`) or the working folder `cwd` (`process.cwd()`); `None` when it
    /// is no folder of the repository, or holds no code.
    fn folder_files(&self, folder: &Value, dir: &str, cwd: &str) -> Option<Vec<String>> {
        let path = match folder {
            Value::File(p) => normalize(&join(dir, p))?,
            Value::Cwd(p) if p.starts_with("./") || p.starts_with("../") => {
                normalize(&join(dir, p))?
            }
            Value::Cwd(p) if !p.starts_with('/') && !p.is_empty() => normalize(&join(cwd, p))?,
            Value::Cwd(_) => return None,
        };
        let prefix = if path.is_empty() { String::new() } else { format!("{path}/") };
        // A file loading its own siblings (Sequelize's `models/index.js`) loads its folder's
        // files, not those of every folder below it.
        let own_folder = path == dir;
        let files: Vec<String> = self
            .source()
            .entries()
            .iter()
            .filter(|e| e.kind.is_regular() && e.path.starts_with(&prefix))
            .filter(|e| !own_folder || !e.path[prefix.len()..].contains('/'))
            .filter(|e| !crate::inventory::in_node_modules(&e.path))
            .filter(|e| Lang::of_path(&e.path).is_some() && !e.path.ends_with(".d.ts"))
            .map(|e| e.path.clone())
            .collect();
        (!files.is_empty()).then_some(files)
    }

    /// Follows what an alias setting made of `specifier` ([`super::aliases`]).
    fn mapped(&mut self, specifier: &str, mapped: Mapped, dir: &str, by: &str, cwd: &str) {
        match mapped {
            Mapped::Paths(paths) => {
                let found =
                    paths.iter().find_map(|p| self.resolve(p).or_else(|| self.built_from(p)));
                match found {
                    Some(path) => self.found(path, cwd),
                    None => self.fail(format!(
                        "{by} loads `{specifier}`, an alias for `{}`, which is not in the \
                         repository (built or generated?)",
                        paths.join("`, `")
                    )),
                }
            }
            // `"#db": "pg"`: a package, or another alias, loaded from the same place.
            Mapped::Bare(name) if !name.starts_with('#') => self.load(&name, dir, by, cwd),
            Mapped::Bare(name) => {
                self.fail(format!("{by} loads `{specifier}`, which names `{name}` in turn"))
            }
            Mapped::Unfollowed(why) => {
                self.fail(format!("{by} loads `{specifier}`, which is not followed: {why}"))
            }
        }
    }

    /// Whether code in `dir` can load the npm package `package`: a package.json or a
    /// lockfile of `dir` or a folder above it has it. Each folder's files are read once.
    pub(super) fn can_load(&mut self, dir: &str, package: &str) -> bool {
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
    pub(super) fn follow(&mut self) {
        while let Some((path, cwd)) = self.queue.pop() {
            if self.until_serving && self.serves.is_some() {
                return;
            }
            // A file run from two working folders may start different files from each.
            if !self.followed.insert((path.clone(), cwd.clone())) {
                continue;
            }
            self.files.insert(path.clone());
            // A vendored library or a minified file reads none of the app's variables
            // (the code scan skips it too) and loads only its own kind.
            if crate::inventory::code::is_not_app_code(&path) {
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
            let lang = Lang::of_path(&path).or_else(|| Lang::of_shebang(&bytes));
            let lang = lang.unwrap_or(Lang::JavaScript);
            // The code scan has the facts of most files that matter already (the same
            // `js::scan` of the same blob); each file is parsed at most once here.
            let want_sign = self.serves.is_none() && listen::mentioned(&bytes);
            let reacher = self.reacher;
            let scanned = Lang::of_path(&path).and_then(|_| reacher.scanned(&path));
            let (facts, sign) = match scanned {
                Some(facts) => {
                    let reads_port = facts.env_reads.iter().any(|r| r.name == "PORT");
                    let sign = want_sign && !reads_port;
                    (Cow::Borrowed(facts), sign.then(|| listen::listens(lang, &bytes)).flatten())
                }
                None if want_sign => {
                    let (facts, sign) = crate::inventory::js::scan_and_listen(&path, lang, &bytes);
                    (Cow::Owned(facts), sign)
                }
                None => (Cow::Owned(crate::inventory::js::scan(&path, lang, &bytes)), None),
            };
            if let Some(read) = facts.env_reads.iter().find(|r| r.name == "PORT") {
                self.serve(|| format!("`{path}:{}` reads `PORT`", read.line));
            } else if self.serves.is_none()
                && let Some(sign) = sign
            {
                self.serve(|| format!("`{path}:{}` {}", sign.line, sign.what));
            }
            let dir = parent(&path).to_owned();
            let starts_code = facts.loads.iter().any(|load| {
                let name = load.specifier.as_deref().unwrap_or_default();
                let name = name.strip_prefix("node:").unwrap_or(name);
                SPAWN_MODULES.contains(&package_name(name).0)
            });
            for load in &facts.loads {
                let by = format!("`{path}:{}`", load.line);
                match &load.specifier {
                    Some(specifier) => self.load(specifier, &dir, &by, &cwd),
                    None => {
                        match load.folder.as_ref().and_then(|f| self.folder_files(f, &dir, &cwd)) {
                            // A loader of every file in a folder (a bot's commands): all of them.
                            Some(files) => {
                                for file in files {
                                    self.found(file, &cwd);
                                }
                            }
                            None => {
                                self.fail(format!("{by} loads a module whose name is computed"))
                            }
                        }
                    }
                }
            }
            if starts_code {
                for spawn in spawns(lang, &bytes) {
                    self.spawn(&path, &cwd, spawn);
                }
            }
        }
    }

    /// The file Node loads for `path`: the file itself, with an extension added, the
    /// TypeScript file a `.js` name stands for, or the folder's entry.
    pub(super) fn resolve(&self, path: &str) -> Option<String> {
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
    pub(super) fn resolve_folder(&self, folder: &str) -> Option<String> {
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

/// Server frameworks and apps built on them: code that loads one serves HTTP, or starts a
/// server inside the package where no listen call of the app's own shows it (`probot`'s
/// `run`, Keystone's and LoopBack's `start`, Sails' `lift`, Bolt's `app.start`). Read
/// generously: a false "it serves" only keeps the plan as it was. Client libraries that
/// share a name with a server (`ws`) are left out; their servers are found by their calls.
const SERVER_PACKAGES: &[&str] = &[
    "express",
    "fastify",
    "koa",
    "@hapi/hapi",
    "hapi",
    "restify",
    "polka",
    "micro",
    "@nestjs/core",
    "@nestjs/platform-express",
    "next",
    "nuxt",
    "@remix-run/express",
    "apollo-server",
    "@apollo/server",
    "graphql-yoga",
    "socket.io",
    "probot",
    "@slack/bolt",
    "botkit",
    "@keystonejs/keystone",
    "@keystone-6/core",
    "strapi",
    "@strapi/strapi",
    "sails",
    "loopback",
    "@loopback/core",
    "@loopback/rest",
    "ghost",
    "parse-server",
    "node-red",
];

/// The package a bare specifier names, and the path inside it: `@scope/pkg/x` ->
/// (`@scope/pkg`, `x`), `dotenv/config` -> (`dotenv`, `config`).
pub(super) fn package_name(specifier: &str) -> (&str, &str) {
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
pub(super) struct Installed {
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

pub(super) fn read_json(source: &Source, path: &str) -> Option<serde_json::Value> {
    let entry = source.entry(path)?;
    if !entry.kind.is_regular() {
        return None;
    }
    serde_json::from_slice(&source.read(path).ok()?).ok()
}

/// `a/./b/../c` -> `a/c`; `None` when it climbs above the repository's root.
pub(crate) fn normalize(path: &str) -> Option<String> {
    let steps = crate::inventory::path_steps(path);
    // `path_steps` keeps a `..` only where it would climb above the root.
    (steps.first() != Some(&"..")).then(|| steps.join("/"))
}

/// Node's built-in modules (Node 20-24 docs, "Modules: node:module API",
/// `builtinModules`), which may be loaded without the `node:` prefix.
pub(super) fn is_builtin(specifier: &str) -> bool {
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
