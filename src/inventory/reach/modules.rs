//! Following a file to the files it loads: relative specifiers resolved as Node does,
//! bare ones to the packages installed for the folder, compiled output to its source.

use std::collections::{BTreeMap, BTreeSet};

use super::{MAX_SOURCE, Walk};
use crate::inventory::js::spawns::{SPAWN_MODULES, spawns};
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

    pub(super) fn found(&mut self, path: String) {
        if Lang::of_path(&path).is_some() {
            self.queue.push(path);
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

    /// A module named in `by` (a file and line, or a preload option) from the folder `dir`.
    pub(super) fn load(&mut self, specifier: &str, dir: &str, by: &str) {
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
        while let Some(path) = self.queue.pop() {
            if !self.files.insert(path.clone()) {
                continue;
            }
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
            let lang = Lang::of_path(&path).unwrap_or(Lang::JavaScript);
            let facts = crate::inventory::js::scan(&path, lang, &bytes);
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
