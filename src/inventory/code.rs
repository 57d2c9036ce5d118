//! Facts from the apps' JavaScript and TypeScript, read with tree-sitter.
//!
//! Most files mention none of the few things the rules look for, so each blob gets a
//! cheap byte search first and only the files that match are parsed.

use super::{App, Error, in_node_modules, js};
use crate::component::Component;
use crate::lang::Lang;
use crate::source::{Entry, Source};

/// Source files larger than this are generated bundles, not code people wrote: they are
/// not parsed or edited, only searched for what the guide reports ([`UnreadFile`]).
const MAX_SOURCE: u64 = 2 * 1024 * 1024;

/// Source files larger than this are not even searched (a byte search of 64 MiB takes
/// tens of milliseconds; holding several in memory at once is the concern).
const MAX_SEARCHED: u64 = 64 * 1024 * 1024;

/// What the guide says about the code, looked for by bytes in files too large to parse:
/// a hit means the guide cannot say "none found" for that file.
const UNPARSED_PATTERNS: &[&str] =
    &[crate::herokuapp::HOST_SUFFIX, "rejectUnauthorized", "HEROKU_"];

/// One source file worth reporting on.
#[derive(Debug, Clone)]
pub struct CodeFile {
    pub path: String,
    /// The folder of the app the file belongs to (the deepest app folder holding it).
    pub app: Option<String>,
    pub facts: js::JsFacts,
}

/// A source file too large to parse (over 2 MiB, usually a committed bundle) that may
/// hold what the rules look for: it is neither parsed nor edited, and is named instead.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnreadFile {
    pub path: String,
    /// Its size in bytes.
    pub size: u64,
    /// `None` when it was not searched at all (over 64 MiB); else the Heroku addresses
    /// (`name.herokuapp.com`) it mentions, each once with its first line.
    pub herokuapp_hosts: Option<Vec<(String, usize)>>,
    /// Which of `rejectUnauthorized`, `HEROKU_` it mentions.
    pub other_mentions: Vec<&'static str>,
}

/// Scans every JS/TS file outside node_modules; returns the files with facts, in path
/// order. The inventory uses [`scan_all`]; the tests use this.
#[cfg(test)]
pub fn scan(source: &Source, apps: &[App]) -> Result<Vec<CodeFile>, Error> {
    Ok(scan_all(source, apps)?.0)
}

/// Every JS/TS file with facts (see `scan`), and the files too large to parse that mention what the rules look for.
///
/// This reads most of a monorepo, so it runs on every core through
/// [`Source::read_many`]: each file is read, byte-searched and, rarely, parsed on the
/// thread that read it, and dropped before the next one.
pub fn scan_all(source: &Source, apps: &[App]) -> Result<(Vec<CodeFile>, Vec<UnreadFile>), Error> {
    enum Scanned {
        Facts(js::JsFacts),
        Unread(UnreadFile),
    }
    let mut unread: Vec<UnreadFile> = Vec::new();
    let mut candidates: Vec<(&str, Kind)> = Vec::new();
    for entry in source.entries() {
        let Some((path, kind)) = candidate(entry) else { continue };
        match entry.size {
            Some(size) if size > MAX_SEARCHED => unread.push(UnreadFile {
                path: path.to_owned(),
                size,
                herokuapp_hosts: None,
                other_mentions: Vec::new(),
            }),
            _ => candidates.push((path, kind)),
        }
    }
    let paths: Vec<&str> = candidates.iter().map(|(path, _)| *path).collect();
    let scanned = source.read_many(&paths, |index, bytes| {
        let (path, kind) = candidates[index];
        if bytes.len() as u64 > MAX_SOURCE {
            return unparsed(path, bytes).map(Scanned::Unread);
        }
        if !js::worth_parsing(bytes) {
            return None;
        }
        Some(Scanned::Facts(match kind {
            Kind::Source(lang) => js::scan(path, lang, bytes),
            Kind::Component(component) => scan_component(path, component, bytes),
        }))
    })?;
    let mut files = Vec::new();
    for item in scanned {
        match item {
            Scanned::Facts(facts) => files.push(CodeFile {
                path: facts.path.clone(),
                app: owner(apps, &facts.path),
                facts,
            }),
            Scanned::Unread(file) => unread.push(file),
        }
    }
    unread.sort_by(|a, b| a.path.cmp(&b.path));
    drop_bundler_built_ins(source, &mut files)?;
    Ok((files, unread))
}

/// What a frontend bundler sets in `process.env` itself, by the package that builds with
/// it: nobody sets these on a Capsule. Create React App sets `PUBLIC_URL` from
/// package.json's `homepage` (CRA docs, "Using the Public Folder"); Vue CLI sets
/// `BASE_URL` from `publicPath` (Vue CLI docs, "Modes and Environment Variables").
const BUNDLER_BUILT_INS: &[(&str, &str)] =
    &[("react-scripts", "PUBLIC_URL"), ("@vue/cli-service", "BASE_URL")];

/// Removes from each file the reads of variables its package's bundler sets (see
/// [`BUNDLER_BUILT_INS`]), or that its webpack or Vite config defines with a value of its
/// own (see [`defined_names`]): the package is the nearest package.json above the file.
/// A server's `BASE_URL` is a setting like any other, so only a bundled package's counts.
fn drop_bundler_built_ins(source: &Source, files: &mut [CodeFile]) -> Result<(), Error> {
    let manifests: Vec<&str> = source
        .entries()
        .iter()
        .filter(|e| e.kind.is_regular())
        .map(|e| e.path.as_str())
        .filter(|p| (*p == "package.json" || p.ends_with("/package.json")) && !in_node_modules(p))
        .collect();
    if manifests.is_empty() || files.iter().all(|f| f.facts.env_reads.is_empty()) {
        return Ok(());
    }
    // (folder, the built-in names of its bundler), for every package.json.
    let mut packages: Vec<(&str, Vec<String>)> = source
        .read_many(&manifests, |index, bytes| {
            let value: serde_json::Value = serde_json::from_slice(bytes).ok()?;
            let has = |name: &str| {
                ["dependencies", "devDependencies"]
                    .iter()
                    .any(|section| value.get(*section).and_then(|d| d.get(name)).is_some())
            };
            let names =
                BUNDLER_BUILT_INS.iter().filter(|(d, _)| has(d)).map(|(_, n)| n.to_string());
            Some((super::parent(manifests[index]), names.collect()))
        })?
        .into_iter()
        .collect();
    let configs: Vec<&str> = source
        .entries()
        .iter()
        .filter(|e| e.kind.is_regular() && !in_node_modules(&e.path))
        .map(|e| e.path.as_str())
        .filter(|p| is_bundler_config(p))
        .collect();
    let defined = source.read_many(&configs, |index, bytes| {
        let names = defined_names(&String::from_utf8_lossy(bytes));
        (!names.is_empty()).then(|| (configs[index], names))
    })?;
    for (config, names) in defined {
        let mut folder = super::parent(config);
        loop {
            if let Some((_, known)) = packages.iter_mut().find(|(dir, _)| *dir == folder) {
                known.extend(names);
                break;
            }
            if folder.is_empty() {
                break;
            }
            folder = super::parent(folder);
        }
    }
    for file in files {
        let mut folder = super::parent(&file.path);
        let names = loop {
            if let Some((_, names)) = packages.iter().find(|(dir, _)| *dir == folder) {
                break names.as_slice();
            }
            if folder.is_empty() {
                break &[][..];
            }
            folder = super::parent(folder);
        };
        file.facts.env_reads.retain(|read| !names.contains(&read.name));
    }
    Ok(())
}

/// A webpack or Vite config: `webpack.config.js`, `webpack.prod.js`, any script in a
/// `webpack/` folder, `vite.config.ts`.
fn is_bundler_config(path: &str) -> bool {
    let name = path.rsplit('/').next().unwrap_or(path);
    let script = [".js", ".cjs", ".mjs", ".ts", ".mts", ".cts"].iter().any(|e| name.ends_with(e));
    script
        && (name.starts_with("webpack")
            || name.starts_with("vite.config")
            || path.split('/').rev().skip(1).any(|f| f == "webpack"))
}

/// The `process.env` names a bundler config defines with a value of its own, which the
/// bundler writes into the code it builds: webpack's `DefinePlugin({ 'process.env': {
/// version: JSON.stringify(pkg.version) } })` or `{ 'process.env.BUILD_ID': ... }`, Vite's
/// `define` alike. A definition whose value reads `process.env` passes the build's own
/// variable through, which still has to be set, so it is not listed.
fn defined_names(text: &str) -> Vec<String> {
    use std::sync::LazyLock;
    static ONE: LazyLock<regex::Regex> = LazyLock::new(|| {
        regex::Regex::new(r#"['"`]process\.env\.([A-Za-z_$][\w$]*)['"`]\s*:([^,\n}]*)"#).unwrap()
    });
    static OBJECT: LazyLock<regex::Regex> =
        LazyLock::new(|| regex::Regex::new(r#"['"`]?process\.env['"`]?\s*:\s*\{"#).unwrap());
    let mut out = Vec::new();
    for found in ONE.captures_iter(text) {
        if !found[2].contains("process.env") {
            out.push(found[1].to_owned());
        }
    }
    for found in OBJECT.find_iter(text) {
        // The object's top-level `key: value` entries, up to its closing brace.
        let body = &text[found.end()..];
        let (mut depth, mut start) = (0usize, 0usize);
        let mut entries = Vec::new();
        for (i, c) in body.char_indices() {
            match c {
                '{' | '(' | '[' => depth += 1,
                '}' | ')' | ']' if depth == 0 => {
                    entries.push(&body[start..i]);
                    break;
                }
                '}' | ')' | ']' => depth -= 1,
                ',' if depth == 0 => {
                    entries.push(&body[start..i]);
                    start = i + 1;
                }
                _ => {}
            }
        }
        for entry in entries {
            let Some((key, value)) = entry.split_once(':') else { continue };
            let key = key.trim().trim_matches(['\'', '"', '`']);
            let is_name = !key.is_empty()
                && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '$');
            if is_name && !value.contains("process.env") {
                out.push(key.to_owned());
            }
        }
    }
    out
}

/// What a byte search finds in a file too large to parse, or `None` when it mentions
/// nothing the guide reports on.
fn unparsed(path: &str, bytes: &[u8]) -> Option<UnreadFile> {
    let finds = |pattern: &str| gix::bstr::ByteSlice::find(bytes, pattern).is_some();
    if !UNPARSED_PATTERNS.iter().any(|p| finds(p)) {
        return None;
    }
    let mut hosts: Vec<(String, usize)> = Vec::new();
    for found in crate::herokuapp::find(bytes) {
        // Host bytes are ASCII.
        let host = String::from_utf8_lossy(&bytes[found.host.clone()]).to_ascii_lowercase();
        if !hosts.iter().any(|(h, _)| *h == host) {
            let line = bytes[..found.host.start].iter().filter(|&&b| b == b'\n').count() + 1;
            hosts.push((host, line));
        }
    }
    let other_mentions = UNPARSED_PATTERNS[1..].iter().copied().filter(|p| finds(p)).collect();
    Some(UnreadFile {
        path: path.to_owned(),
        size: bytes.len() as u64,
        herokuapp_hosts: Some(hosts),
        other_mentions,
    })
}

/// What a source file is read as.
#[derive(Debug, Clone, Copy)]
enum Kind {
    Source(Lang),
    Component(Component),
}

/// The path and kind of an entry worth reading: JS/TS source or a component outside
/// node_modules.
fn candidate(entry: &Entry) -> Option<(&str, Kind)> {
    let kind = match Lang::of_path(&entry.path) {
        Some(lang) => Kind::Source(lang),
        None => Kind::Component(Component::of_path(&entry.path)?),
    };
    // Files too large to parse are still searched by bytes (`scan_all`), never skipped.
    let wanted =
        entry.kind.is_regular() && !in_node_modules(&entry.path) && !is_not_app_code(&entry.path);
    wanted.then_some((entry.path.as_str(), kind))
}

/// Folders that hold other projects' code committed as it was shipped: package managers'
/// own install trees (Bower, jspm, Snowpack's `web_modules`) and the usual names of a
/// vendored-libraries folder. Their files read variables of their own (`DEBUG`,
/// `NODE_DEBUG`, ...), never the app's.
const VENDOR_DIRS: &[&str] = &[
    "bower_components",
    "jspm_packages",
    "web_modules",
    "vendor",
    "vendors",
    "third_party",
    "third-party",
    "thirdparty",
];

/// Whether `path` (repo-relative) is code the repository carries but nobody wrote for the
/// app, so it is never read for facts: Yarn Berry's committed release and plugins
/// (`.yarn/releases/yarn-4.x.cjs`, `.yarn/plugins/**`, also its `sdks`, `cache`,
/// `unplugged` folders) and Plug'n'Play loaders (`.pnp.cjs`, `.pnp.js`,
/// `.pnp.loader.mjs`), which are megabyte bundles full of `process.env` reads; vendored
/// libraries (see [`VENDOR_DIRS`]); and minified files (`*.min.js`), which only a build
/// or a download makes. Listing their reads would hand every Capsule hundreds of names
/// nobody sets.
pub(crate) fn is_not_app_code(path: &str) -> bool {
    let (folders, name) = path.rsplit_once('/').unwrap_or(("", path));
    if folders.split('/').any(|f| f == ".yarn" || VENDOR_DIRS.contains(&f)) {
        return true;
    }
    let lower = name.to_ascii_lowercase();
    if lower.starts_with(".pnp.") {
        return true;
    }
    let stem = lower.rsplit_once('.').map_or(lower.as_str(), |(s, _)| s);
    stem.ends_with(".min") || stem.ends_with("-min")
}

/// The facts of a component's script blocks, at their lines in the whole file, and the
/// herokuapp URLs of its markup (which count as addresses the frontend calls). A
/// component that is not UTF-8 is read as far as it is.
fn scan_component(path: &str, component: Component, bytes: &[u8]) -> js::JsFacts {
    let text = String::from_utf8_lossy(bytes);
    let blocks = crate::component::script_blocks(component, &text);
    let mut facts = js::JsFacts { path: path.to_owned(), ..js::JsFacts::default() };
    let mut urls = Vec::new();
    for block in &blocks {
        let shift = crate::component::line_of(&text, block.start) - 1;
        let part = js::scan(path, block.lang, &text.as_bytes()[block.start..block.end]);
        let moved = |uses: Vec<js::EnvUse>| {
            uses.into_iter().map(move |u| js::EnvUse { line: u.line + shift, ..u })
        };
        facts.env_reads.extend(moved(part.env_reads));
        facts.env_writes.extend(moved(part.env_writes));
        urls.extend(
            part.herokuapp_urls.into_iter().map(|u| js::UrlUse { line: u.line + shift, ..u }),
        );
        facts.uses_node_cron |= part.uses_node_cron;
        if facts.module_syntax == js::ModuleSyntax::Unknown {
            facts.module_syntax = part.module_syntax;
        }
    }
    for (line, url) in crate::component::markup_urls(&text, &blocks) {
        urls.push(js::UrlUse { url, line });
    }
    urls.sort_by_key(|u| u.line);
    facts.herokuapp_urls = urls;
    facts
}

/// Folders whose code never runs in a deployed Capsule: tests, fixtures, mocks, CI.
const NOT_RUNTIME_DIRS: &[&str] = &[
    "test",
    "tests",
    "__tests__",
    "spec",
    "specs",
    "__mocks__",
    "mocks",
    "fixtures",
    "__fixtures__",
    "e2e",
    "cypress",
    "playwright",
    "examples",
    "example",
    "bench",
    "benchmark",
    "benchmarks",
    ".github",
    ".circleci",
    ".husky",
];

/// Tooling configs: read by test runners, linters, release tools, task runners.
const TOOLING_CONFIGS: &[&str] = &[
    "release.config",
    ".releaserc",
    "jest.config",
    "jest.setup",
    "vitest.config",
    "playwright.config",
    "cypress.config",
    "babel.config",
    ".babelrc",
    "eslint.config",
    ".eslintrc",
    "prettier.config",
    ".prettierrc",
    "commitlint.config",
    "lint-staged.config",
    ".lintstagedrc",
    "karma.conf",
    ".mocharc",
    "nyc.config",
    ".nycrc",
    "stryker.conf",
    "gulpfile",
    "Gruntfile",
    "wallaby",
    "danger",
    "dangerfile",
];

/// Whether the code in `path` (a file of `app`) runs in the deployed app: not a test,
/// spec, fixture or mock, not a CI or tooling config, and not a script under `scripts/`
/// or `tools/` unless a Procfile command, a job (`jobs`: the app's Scheduler job
/// commands) or a run-time package.json script names it.
pub fn is_runtime_path(app: &App, jobs: &[&str], path: &str) -> bool {
    let relative = match app.dir.as_str() {
        "" => path,
        dir => path.strip_prefix(dir).and_then(|p| p.strip_prefix('/')).unwrap_or(path),
    };
    let (folders, name) = relative.rsplit_once('/').unwrap_or(("", relative));
    if folders.split('/').any(|f| NOT_RUNTIME_DIRS.contains(&f)) {
        return false;
    }
    let stem = name.split('.').next().unwrap_or(name);
    let dotted = name.rsplit_once('.').map_or(name, |(s, _)| s);
    // `config/env/test.js` and the like: the settings loaded only under NODE_ENV=test.
    let is_test = [".test.", ".spec.", ".e2e.", ".stories."].iter().any(|m| name.contains(m))
        || matches!(stem, "test" | "testing" | "setupTests" | "test-setup" | "test-utils");
    let is_tooling = TOOLING_CONFIGS.iter().any(|t| {
        dotted == *t || (!stem.is_empty() && stem == *t) || name.starts_with(&format!("{t}."))
    });
    if is_test || is_tooling {
        return false;
    }
    let first = folders.split('/').next().unwrap_or_default();
    if matches!(first, "scripts" | "script" | "tools") {
        return named_by_a_run_command(app, jobs, relative);
    }
    true
}

/// A Procfile command, a Scheduler job's command or a package.json script that runs on the
/// platform (see [`super::config::run_scripts`]) mentions `relative`.
fn named_by_a_run_command(app: &App, jobs: &[&str], relative: &str) -> bool {
    let without_ext = relative.rsplit_once('.').map_or(relative, |(s, _)| s);
    let mentions = |command: &str| command.contains(relative) || command.contains(without_ext);
    let in_procfile =
        app.processes().iter().any(|p| mentions(&p.command)) || jobs.iter().any(|c| mentions(c));
    let in_scripts = app.package_json.as_ref().is_some_and(|pkg| {
        let running = super::config::run_scripts(app, jobs);
        running.iter().filter_map(|s| pkg.script(s)).any(mentions)
    });
    in_procfile || in_scripts
}

/// The deepest app folder that holds `path`.
pub fn owner(apps: &[App], path: &str) -> Option<String> {
    apps.iter()
        .filter(|a| a.dir.is_empty() || path.starts_with(&format!("{}/", a.dir)))
        .max_by_key(|a| a.dir.len())
        .map(|a| a.dir.clone())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::TestRepo;

    #[test]
    fn names_a_bundler_config_defines_itself() {
        let webpack = r#"
            plugins: [
              new webpack.DefinePlugin({
                'process.env': {
                  version: JSON.stringify(pkg.version),
                  "BUILT_AT": JSON.stringify(new Date().toISOString()),
                  API_URL: JSON.stringify(process.env.API_URL),
                },
              }),
              new webpack.DefinePlugin({ 'process.env.COMMIT': JSON.stringify(sha), "process.env.SENTRY_DSN": JSON.stringify(process.env.SENTRY_DSN) }),
            ]"#;
        assert_eq!(defined_names(webpack), ["COMMIT", "version", "BUILT_AT"]);
        let vite = "export default { define: { 'process.env.APP_VERSION': JSON.stringify(v) } }";
        assert_eq!(defined_names(vite), ["APP_VERSION"]);
        assert!(defined_names("const port = process.env.PORT || 3000;").is_empty());
        for (path, config) in [
            ("webpack.config.js", true),
            ("client/webpack.prod.cjs", true),
            ("webpack/base.config.js", true),
            ("web/vite.config.ts", true),
            ("src/webpack-helpers.md", false),
            ("server/index.js", false),
        ] {
            assert_eq!(is_bundler_config(path), config, "{path}");
        }
    }

    fn app(dir: &str) -> App {
        App {
            dir: dir.into(),
            evidence: Vec::new(),
            procfile: None,
            app_json: None,
            package_json: None,
            node_version_file: None,
            frontend: None,
            run_dir: None,
            skips_pre_scripts: None,
        }
    }

    #[test]
    fn tests_fixtures_tooling_and_unreferenced_scripts_are_not_runtime_code() {
        let mut api = app("api");
        api.procfile = Some(crate::inventory::Located {
            path: "api/Procfile".into(),
            value: crate::inventory::procfile::parse(
                "api/Procfile",
                b"web: node src/server.js\nrelease: npm run db:migrate\n",
            )
            .unwrap(),
        });
        let package = r#"{ "scripts": { "db:migrate": "node scripts/migrate.js",
            "postinstall": "yarn gen", "gen": "node scripts/gen.mjs", "lint": "node scripts/lint.js" } }"#;
        api.package_json = Some(
            crate::inventory::package_json::PackageJson::parse(
                "api/package.json",
                package.as_bytes(),
            )
            .unwrap(),
        );
        let jobs = ["node tools/nightly.js"];
        for (path, runtime) in [
            ("api/src/server.js", true),
            ("api/src/config/index.ts", true),
            ("api/scripts/migrate.js", true),
            ("api/scripts/gen.mjs", true),
            ("api/scripts/lint.js", false),
            ("api/tools/nightly.js", true),
            ("api/scripts/seed.js", false),
            ("api/test/app.js", false),
            ("api/src/__tests__/a.js", false),
            ("api/src/user.test.ts", false),
            ("api/src/user.spec.js", false),
            ("api/cypress/e2e/login.cy.js", false),
            ("api/fixtures/data.js", false),
            ("api/release.config.js", false),
            ("api/jest.config.ts", false),
            ("api/.eslintrc.js", false),
            ("api/.github/scripts/notify.js", false),
            ("api/Gruntfile.js", false),
            ("api/config/env/test.js", false),
            ("api/config/env/production.js", true),
        ] {
            assert_eq!(is_runtime_path(&api, &jobs, path), runtime, "{path}");
        }
    }

    /// `PUBLIC_URL` under a Create React App package and `BASE_URL` under a Vue CLI one
    /// are the bundler's own; the same names read by a server are settings to list.
    #[test]
    fn variables_a_bundler_sets_are_not_reads_of_its_package() {
        let repo = TestRepo::with_files(&[
            ("package.json", r#"{ "dependencies": { "express": "4" } }"#),
            ("server/app.js", "const base = process.env.BASE_URL + process.env.PUBLIC_URL;\n"),
            ("web/package.json", r#"{ "dependencies": { "react-scripts": "5.0.1" } }"#),
            (
                "web/src/sw.js",
                "const u = new URL(process.env.PUBLIC_URL);\nfetch(process.env.REACT_APP_API);\n",
            ),
            ("admin/package.json", r#"{ "devDependencies": { "@vue/cli-service": "~5.0.0" } }"#),
            (
                "admin/src/router/index.js",
                "createWebHistory(process.env.BASE_URL);\nconst p = process.env.PUBLIC_URL;\n",
            ),
        ]);
        let found = scan(&Source::Git(repo.open()), &[app("")]).unwrap();
        let reads: Vec<(&str, Vec<&str>)> = found
            .iter()
            .map(|f| (f.path.as_str(), f.facts.env_reads.iter().map(|r| r.name.as_str()).collect()))
            .collect();
        assert_eq!(
            reads,
            [
                ("admin/src/router/index.js", vec!["PUBLIC_URL"]),
                ("server/app.js", vec!["BASE_URL", "PUBLIC_URL"]),
                ("web/src/sw.js", vec!["REACT_APP_API"]),
            ]
        );
    }

    /// Yarn's committed release, its plugins and Plug'n'Play loaders, vendored libraries
    /// and minified files are read for nothing: their `process.env` reads are theirs.
    #[test]
    fn yarn_releases_pnp_loaders_vendored_and_minified_files_are_not_scanned() {
        let env = "module.exports = process.env.NOT_THE_APPS || 'x.herokuapp.com';\n";
        let mut files = vec![("api/src/server.js", "const k = process.env.STRIPE_KEY;\n")];
        for junk in [
            ".yarn/releases/yarn-4.1.0.cjs",
            ".yarn/plugins/@yarnpkg/plugin-workspace-tools.cjs",
            ".yarn/sdks/typescript/lib/tsserver.js",
            ".pnp.cjs",
            ".pnp.js",
            ".pnp.loader.mjs",
            "api/.pnp.cjs",
            "api/public/vendor/jquery.js",
            "api/public/js/vendors/chart.js",
            "api/lib/third_party/sha1.js",
            "bower_components/moment/moment.js",
            "api/static/app.min.js",
            "api/static/socket.io-min.js",
            "api/static/Bundle.MIN.mjs",
        ] {
            files.push((junk, env));
        }
        // Names that only look alike are the app's code.
        files.push(("api/src/vendors.ts", "export const v = process.env.VENDOR_API;\n"));
        files.push(("api/src/admin.js", "export const a = process.env.ADMIN_EMAIL;\n"));
        let repo = TestRepo::with_files(&files);
        let found = scan(&Source::Git(repo.open()), &[app("api")]).unwrap();
        let paths: Vec<&str> = found.iter().map(|f| f.path.as_str()).collect();
        assert_eq!(paths, ["api/src/admin.js", "api/src/server.js", "api/src/vendors.ts"]);
        assert!(!is_not_app_code("api/src/minify.js"));
        assert!(!is_not_app_code("api/src/yarn/index.js"));
    }

    /// Enough files that the scan runs on every core of the machine running the test;
    /// each file's fact carries the file's number, so a fact attached to the wrong file
    /// shows.
    #[test]
    fn a_scan_on_all_cores_finds_every_fact_in_path_order() {
        let mut files = Vec::new();
        for i in 0..400_usize {
            let dir = if i.is_multiple_of(2) { "api" } else { "web/src" };
            let (ext, body) = match i % 5 {
                0 => ("js", format!("const v = process.env.VAR_{i};\n")),
                1 => ("ts", format!("const u: string = \"https://app-{i}.herokuapp.com/x\";\n")),
                _ => ("js", format!("export const n{i} = {i};\n")),
            };
            files.push((format!("{dir}/f{i:03}.{ext}"), body));
        }
        files.push(("api/notes.md".into(), "process.env.IGNORED\n".into()));
        files.push(("api/types.d.ts".into(), "declare const x: typeof process.env.NO;\n".into()));
        let borrowed: Vec<(&str, &str)> =
            files.iter().map(|(p, c)| (p.as_str(), c.as_str())).collect();
        let repo = TestRepo::with_files(&borrowed);
        let source = Source::Git(repo.open());

        let found = scan(&source, &[app("api"), app("web")]).unwrap();

        // Sources with a fact; not the Markdown file, not the declaration file.
        let mut expected_paths: Vec<&str> = files
            .iter()
            .filter(|(path, body)| {
                Lang::of_path(path).is_some()
                    && (body.contains("process.env") || body.contains("herokuapp"))
            })
            .map(|(path, _)| path.as_str())
            .collect();
        expected_paths.sort();
        let paths: Vec<&str> = found.iter().map(|f| f.path.as_str()).collect();
        assert_eq!(paths, expected_paths);
        assert_eq!(found.len(), 160);
        for file in &found {
            assert_eq!(file.facts.path, file.path);
            let i: usize = file.path[file.path.len() - 6..file.path.len() - 3].parse().unwrap();
            let app = if i.is_multiple_of(2) { "api" } else { "web" };
            assert_eq!(file.app.as_deref(), Some(app), "{}", file.path);
            if i.is_multiple_of(5) {
                let names: Vec<&str> =
                    file.facts.env_reads.iter().map(|e| e.name.as_str()).collect();
                assert_eq!(names, [format!("VAR_{i}")], "{}", file.path);
            } else {
                let url = &file.facts.herokuapp_urls[0].url;
                assert_eq!(url, &format!("https://app-{i}.herokuapp.com/x"), "{}", file.path);
            }
        }
    }
}
