//! Facts from the apps' JavaScript and TypeScript, read with tree-sitter.
//!
//! Most files mention none of the few things the rules look for, so each blob gets a
//! cheap byte search first and only the files that match are parsed.

use super::{App, Error, in_node_modules, js};
use crate::component::Component;
use crate::lang::Lang;
use crate::source::{Entry, Source};

mod bundler;
mod runtime;

use bundler::drop_bundler_built_ins;
pub use runtime::{is_package_runtime_path, is_runtime_path, is_script_path};

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
    Ok(scan_all(source, apps)?.files)
}

/// Every JS/TS file with facts (see `scan`), and the files too large to parse that mention what the rules look for.
///
/// This reads most of a monorepo, so it runs on every core through
/// [`Source::read_many`]: each file is read, byte-searched and, rarely, parsed on the
/// thread that read it, and dropped before the next one.
pub fn scan_all(source: &Source, apps: &[App]) -> Result<Scan, Error> {
    enum Scanned {
        Facts(js::JsFacts),
        Unread(UnreadFile),
    }
    // The folders of frontends, whose files are also searched for calls to the page's
    // own origin here, while their bytes are at hand (see `Scan::callee_files`).
    let frontends: Vec<String> = apps
        .iter()
        .filter(|a| a.frontend.is_some())
        .map(|a| if a.dir.is_empty() { String::new() } else { format!("{}/", a.dir) })
        .collect();
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
        let names_callee = frontends.iter().any(|dir| path.starts_with(dir.as_str()))
            && crate::inventory::frontend::calls::mentioned(bytes);
        let kind = match kind {
            Kind::Script => Lang::of_shebang(bytes).map(Kind::Source),
            kind => Some(kind),
        };
        let scanned = if kind.is_none() {
            None
        } else if bytes.len() as u64 > MAX_SOURCE {
            unparsed(path, bytes).map(Scanned::Unread)
        } else if !js::worth_parsing(bytes) {
            None
        } else {
            Some(Scanned::Facts(match kind {
                Some(Kind::Source(lang)) => js::scan(path, lang, bytes),
                Some(Kind::Component(component)) => scan_component(path, component, bytes),
                Some(Kind::Script) | None => unreachable!("resolved above"),
            }))
        };
        (scanned.is_some() || names_callee).then_some((index, scanned, names_callee))
    })?;
    let mut files = Vec::new();
    let mut callee_files = Vec::new();
    for (index, item, names_callee) in scanned {
        if names_callee {
            callee_files.push(candidates[index].0.to_owned());
        }
        match item {
            Some(Scanned::Facts(facts)) => files.push(CodeFile {
                path: facts.path.clone(),
                app: owner(apps, &facts.path),
                facts,
            }),
            Some(Scanned::Unread(file)) => unread.push(file),
            None => {}
        }
    }
    unread.sort_by(|a, b| a.path.cmp(&b.path));
    drop_bundler_built_ins(source, &mut files)?;
    Ok(Scan { files, unread, callee_files })
}

/// What [`scan_all`] found.
pub struct Scan {
    /// The files with facts, in path order.
    pub files: Vec<CodeFile>,
    /// The files too large to parse that mention what the rules look for, in path order.
    pub unread: Vec<UnreadFile>,
    /// The files of frontends that name a callee of a request
    /// ([`crate::inventory::frontend::calls::mentioned`]), in path order: the only ones
    /// the search for calls to the page's own origin reads again.
    pub callee_files: Vec<String>,
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
    /// A file without an extension: a program when its `#!` line names Node
    /// ([`Lang::of_shebang`]), as `bin/www` or a Scheduler task `bin/cleanup` is.
    Script,
}

/// The path and kind of an entry worth reading: JS/TS source or a component outside
/// node_modules.
fn candidate(entry: &Entry) -> Option<(&str, Kind)> {
    let name = entry.path.rsplit('/').next().unwrap_or(&entry.path);
    let kind = match Lang::of_path(&entry.path) {
        Some(lang) => Kind::Source(lang),
        // `Procfile`, `LICENSE` and `Dockerfile` are read too: a handful of small files.
        None if !name.contains('.') && entry.size.is_none_or(|s| s <= MAX_SOURCE) => Kind::Script,
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
    // Compared without case, and without a lowered copy: every file of the repository
    // comes through here.
    let starts = |text: &str, prefix: &str| {
        text.len() >= prefix.len()
            && text.as_bytes()[..prefix.len()].eq_ignore_ascii_case(prefix.as_bytes())
    };
    let ends = |text: &str, suffix: &str| {
        text.len() >= suffix.len()
            && text.as_bytes()[text.len() - suffix.len()..].eq_ignore_ascii_case(suffix.as_bytes())
    };
    if starts(name, ".pnp.") {
        return true;
    }
    let stem = name.rsplit_once('.').map_or(name, |(s, _)| s);
    ends(stem, ".min") || ends(stem, "-min")
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
    facts.env_reads.extend(markup_env_reads(&text, &blocks));
    facts.env_reads.sort_by_key(|u| u.line);
    for (line, url) in crate::component::markup_urls(&text, &blocks) {
        urls.push(js::UrlUse { url, line });
    }
    urls.sort_by_key(|u| u.line);
    facts.herokuapp_urls = urls;
    facts
}

/// Reads in a component's markup (`{env.PUBLIC_MOTD}` in Svelte, `{import.meta.env.X}`
/// in Astro, `{{ process.env.X }}`): `import.meta.env.X` and `process.env.X`, and
/// `env.X` where a script block imports `env` from SvelteKit's `$env/dynamic/*`. Without
/// fallbacks: markup rarely gives one, and a missed one only keeps a variable required.
fn markup_env_reads(text: &str, blocks: &[crate::component::Block]) -> Vec<js::EnvUse> {
    static READ: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
        regex::Regex::new(
            r"(?:\b(import\.meta\.env|process\.env)|(?:^|[^.\w$])(env))\.([A-Za-z_][A-Za-z0-9_]*)",
        )
        .expect("a valid pattern")
    });
    let dynamic = blocks.iter().any(|b| text[b.start..b.end].contains("$env/dynamic/"));
    let in_script = |at: usize| blocks.iter().any(|b| (b.start..b.end).contains(&at));
    let mut reads = Vec::new();
    for found in READ.captures_iter(text) {
        let (Some(name), Some(whole)) = (found.get(3), found.get(0)) else { continue };
        if in_script(whole.start()) {
            continue;
        }
        let vite = found.get(1).is_some_and(|m| m.as_str() == "import.meta.env");
        if found.get(2).is_some() && !dynamic {
            continue;
        }
        if vite && ["MODE", "BASE_URL", "PROD", "DEV", "SSR"].contains(&name.as_str()) {
            continue;
        }
        let line = crate::component::line_of(text, name.start());
        let inlined = vite && name.as_str().starts_with("PUBLIC_");
        reads.push(js::EnvUse { inlined, ..js::EnvUse::new(name.as_str(), line) });
    }
    reads
}

/// The deepest app folder that holds `path`.
pub fn owner(apps: &[App], path: &str) -> Option<String> {
    apps.iter()
        // Called for every file against every app: a prefix test with no allocation.
        .filter(|a| {
            a.dir.is_empty()
                || path.strip_prefix(a.dir.as_str()).is_some_and(|rest| rest.starts_with('/'))
        })
        .max_by_key(|a| a.dir.len())
        .map(|a| a.dir.clone())
}

#[cfg(test)]
mod tests {
    use super::bundler::{defined_names, is_bundler_config};
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
        App::bare(dir)
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

    /// Reads in a component's markup count: SvelteKit's dynamic `env` (only where a script
    /// imports it), Astro's `import.meta.env.PUBLIC_*` (inlined by the build) and
    /// `process.env`; reads inside the scripts are the scripts' own, found once.
    #[test]
    fn reads_in_component_markup() {
        let svelte = "<script>\n  import { env } from '$env/dynamic/public';\n  const a = env.PUBLIC_A;\n</script>\n<p>{env.PUBLIC_MOTD ?? 'hi'}</p>\n<p>{user.env.NOT_IT}</p>\n";
        let facts =
            scan_component("web/src/routes/+page.svelte", Component::Svelte, svelte.as_bytes());
        let reads: Vec<(&str, usize, bool)> =
            facts.env_reads.iter().map(|r| (r.name.as_str(), r.line, r.inlined)).collect();
        assert_eq!(reads, [("PUBLIC_A", 3, false), ("PUBLIC_MOTD", 5, false)]);
        let astro = "---\nconst t = import.meta.env.SECRET_TITLE;\n---\n<h1>{import.meta.env.PUBLIC_SITE}</h1>\n<p>{import.meta.env.MODE} {env.NO_IMPORT}</p>\n";
        let facts =
            scan_component("site/src/pages/index.astro", Component::Astro, astro.as_bytes());
        let reads: Vec<(&str, usize, bool)> =
            facts.env_reads.iter().map(|r| (r.name.as_str(), r.line, r.inlined)).collect();
        assert_eq!(reads, [("SECRET_TITLE", 2, false), ("PUBLIC_SITE", 4, true)]);
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
