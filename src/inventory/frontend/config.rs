//! The build tools' config files and the static-site buildpacks' settings: which tool
//! builds the app, and where each puts its output (`vue.config.js`, `next.config.js`,
//! `vite.config.*`, `angular.json`, `static.json`, `nginx.conf.erb`, `.env`).

use serde_json::Value;

use super::server::normalise_dir;
use super::{FrontendKind, ReadFile};

mod options;

pub(crate) use options::{ConfigFile, tidy};

/// What a package's dependencies and build script say it is.
pub(super) enum Tool {
    /// A bundler that builds a static site of this kind.
    Static(FrontendKind),
    /// A framework that runs its own Node server (Next.js without a static export,
    /// SvelteKit without the static adapter): a backend.
    Server,
    None,
}

/// The build tool a package builds with, judged by its `build` script, then by its
/// dependencies and config files.
pub(super) fn build_tool(package_json: &Value, read: ReadFile) -> Tool {
    let build = package_json.get("scripts").and_then(|s| s.get("build")).and_then(Value::as_str);
    let runs = |words: [&str; 2]| {
        build.is_some_and(|b| {
            let steps = crate::shell::simple_commands(b);
            steps.iter().any(|c| c.words.windows(2).any(|w| w == words))
        })
    };
    let depends_on = |name: &str| {
        ["dependencies", "devDependencies"]
            .iter()
            .any(|section| package_json.get(section).and_then(|d| d.get(name)).is_some())
    };
    let any_script_runs = |words: [&str; 2]| {
        package_json.get("scripts").and_then(Value::as_object).is_some_and(|scripts| {
            scripts
                .values()
                .filter_map(Value::as_str)
                .any(|s| s.split_whitespace().collect::<Vec<_>>().windows(2).any(|w| w == words))
        })
    };
    if depends_on("@sveltejs/kit") {
        return if depends_on("@sveltejs/adapter-static") {
            Tool::Static(FrontendKind::SvelteKit)
        } else {
            Tool::Server
        };
    }
    if depends_on("next") || runs(["next", "build"]) {
        let exports = any_script_runs(["next", "export"])
            || next_config(read).and_then(|c| c.string(&["output"])) == Some(Ok("export".into()));
        return if exports { Tool::Static(FrontendKind::NextExport) } else { Tool::Server };
    }
    let found = [
        (["vite", "build"], "vite", FrontendKind::Vite),
        (["react-scripts", "build"], "react-scripts", FrontendKind::CreateReactApp),
        (["vue-cli-service", "build"], "@vue/cli-service", FrontendKind::VueCli),
        (["ng", "build"], "@angular/cli", FrontendKind::Angular),
        (["parcel", "build"], "parcel", FrontendKind::Parcel),
    ];
    if let Some((_, _, kind)) = found.iter().find(|(words, _, _)| runs(*words)) {
        return Tool::Static(kind.clone());
    }
    if let Some((_, _, kind)) = found.iter().find(|(_, dep, _)| depends_on(dep)) {
        return Tool::Static(kind.clone());
    }
    if depends_on("parcel-bundler") {
        return Tool::Static(FrontendKind::Parcel);
    }
    // webpack alone also bundles libraries and servers; html-webpack-plugin writes the
    // page that makes its output a site.
    if webpack_build(package_json).is_some() && depends_on("html-webpack-plugin") {
        return Tool::Static(FrontendKind::Webpack);
    }
    Tool::None
}

/// The scripts a webpack site is built by on Heroku: `build`, or `heroku-postbuild`,
/// which Heroku ran instead.
const WEBPACK_SCRIPTS: [&str; 2] = ["build", "heroku-postbuild"];

/// The arguments of the first step of the `build` (else `heroku-postbuild`) script that
/// runs a webpack build: `webpack`, `webpack-cli` or `webpack build`, directly or through
/// `npx`, `cross-env` or `node_modules/.bin/`, or in a script it runs (`npm run
/// build:prod`, `yarn build:web`); not the dev server (`webpack serve`). webpack has no
/// `build` subcommand to look for, unlike the other bundlers.
fn webpack_build(package_json: &Value) -> Option<Vec<String>> {
    let scripts = package_json.get("scripts")?;
    WEBPACK_SCRIPTS.iter().find_map(|name| webpack_in_script(scripts, name, 0))
}

/// The webpack build `scripts[name]` runs, following the scripts it runs a few levels
/// (a loop of scripts stops there).
fn webpack_in_script(scripts: &Value, name: &str, depth: usize) -> Option<Vec<String>> {
    if depth > 3 {
        return None;
    }
    let script = scripts.get(name)?.as_str()?;
    crate::shell::simple_commands(script).into_iter().find_map(|step| {
        let mut words = step.words.into_iter().skip_while(|w| {
            w == "cross-env"
                || w == "npx"
                || w.starts_with('-')
                || w.split_once('=').is_some_and(|(n, _)| crate::shell::is_name(n))
        });
        let program = words.next()?;
        let program = program.rsplit('/').next().unwrap_or(&program).to_owned();
        let args: Vec<String> = words.collect();
        let mut plain = args.iter().filter(|a| !a.starts_with('-'));
        let run = match (program.as_str(), plain.next().map(String::as_str)) {
            ("npm" | "pnpm", Some("run" | "run-script")) => plain.next().cloned(),
            ("yarn", Some("run")) => plain.next().cloned(),
            ("yarn" | "pnpm", Some(script)) if scripts.get(script).is_some() => {
                Some(script.to_owned())
            }
            _ => None,
        };
        if let Some(run) = run {
            return webpack_in_script(scripts, &run, depth + 1);
        }
        let serves = args.first().is_some_and(|a| matches!(a.as_str(), "serve" | "s" | "server"));
        (matches!(program.as_str(), "webpack" | "webpack-cli") && !serves).then_some(args)
    })
}

/// The config files webpack-cli reads when the build names none.
const WEBPACK_CONFIGS: [&str; 5] = [
    "webpack.config.js",
    "webpack.config.cjs",
    "webpack.config.mjs",
    "webpack.config.ts",
    "webpack.config.babel.js",
];

/// A webpack config the build reads, parsed, with the local configs it merges in
/// (`require('./webpack.common')`, as webpack-merge setups do), in that order.
pub(crate) struct WebpackConfig {
    /// The config named by `--config` (else `webpack.config.js`, `.cjs`, `.mjs`, `.ts`).
    pub main: ConfigFile,
    /// The files `main` requires or imports by a relative path, each parsed.
    pub merged: Vec<ConfigFile>,
}

/// The webpack config of the app whose package.json is `package_json`: the `--config`
/// (`-c`) file of its webpack build, else the first `webpack.config.*` webpack-cli looks
/// for; `None` when there is none.
pub(crate) fn webpack_config(
    package_json: Option<&Value>,
    read: ReadFile,
) -> Option<WebpackConfig> {
    let args = package_json.and_then(webpack_build).unwrap_or_default();
    let named = flag_in(&args, &["--config", "-c"]).map(normalise_dir);
    let main = match named {
        Some(name) => ConfigFile::parse(&name, read(&name)?),
        None => first_config(read, &WEBPACK_CONFIGS)?,
    };
    let folder = main.name.rsplit_once('/').map_or("", |(dir, _)| dir).to_owned();
    let merged = main
        .relative_imports()
        .into_iter()
        .filter_map(|spec| {
            let joined = if folder.is_empty() { spec } else { format!("{folder}/{spec}") };
            let base = options::tidy(&joined)?;
            ["", ".js", ".cjs", ".mjs", ".ts"].iter().find_map(|ext| {
                let name = format!("{base}{ext}");
                Some(ConfigFile::parse(&name, read(&name)?))
            })
        })
        .collect();
    Some(WebpackConfig { main, merged })
}

/// webpack's output folder: `--output-path` (`-o`) of its build, else `output.path` of
/// its config (or of a config it merges in), else `dist`. webpack wants an absolute
/// `output.path`, so configs write `path.resolve(__dirname, 'dist')`.
pub(super) fn webpack_output(package_json: Option<&Value>, read: ReadFile) -> Output {
    let args = package_json.and_then(webpack_build).unwrap_or_default();
    if let Some(dir) = flag_in(&args, &["--output-path", "-o"]) {
        return (normalise_dir(dir), None);
    }
    let Some(config) = webpack_config(package_json, read) else {
        return ("dist".to_owned(), None);
    };
    let found = std::iter::once(&config.main)
        .chain(&config.merged)
        .find_map(|c| folder_option(c, &["output", "path"], "."));
    match found {
        Some(Ok(dir)) => (dir, None),
        Some(Err(assumed)) => ("dist".to_owned(), Some(assumed)),
        None => ("dist".to_owned(), None),
    }
}

/// next.config.js, .mjs, .cjs or .ts, whichever exists, parsed.
pub(super) fn next_config(read: ReadFile) -> Option<ConfigFile> {
    first_config(read, &["next.config.js", "next.config.mjs", "next.config.cjs", "next.config.ts"])
}

/// The first of `names` the app has, parsed.
pub(super) fn first_config(read: ReadFile, names: &[&str]) -> Option<ConfigFile> {
    names.iter().find_map(|name| Some(ConfigFile::parse(name, read(name)?)))
}

/// The prefix a Vite-built frontend (Vite, SvelteKit) exposes to the page when
/// vite.config's `envPrefix` replaces `VITE_` (`envPrefix: 'APP_'`, or a list without
/// `'VITE_'`: its first entry); `None` when `VITE_` variables reach the page.
pub fn vite_env_prefix(kind: &FrontendKind, read: ReadFile) -> Option<String> {
    if !matches!(kind, FrontendKind::Vite | FrontendKind::SvelteKit) {
        return None;
    }
    let config = vite_config(read)?;
    let prefixes = match config.string(&["envPrefix"]) {
        Some(Ok(one)) => vec![one],
        _ => config.strings(&["envPrefix"])?,
    };
    let valid: Vec<String> = prefixes.into_iter().filter(|p| !p.is_empty()).collect();
    if valid.iter().any(|p| p == "VITE_") {
        return None;
    }
    valid.into_iter().next()
}

/// The first vite.config file the app has, parsed.
pub(super) fn vite_config(read: ReadFile) -> Option<ConfigFile> {
    let names = [
        "vite.config.js",
        "vite.config.ts",
        "vite.config.mjs",
        "vite.config.mts",
        "vite.config.cjs",
        "vite.config.cts",
    ];
    first_config(read, &names)
}

/// A folder option of a config file that is set by code the tool does not run: the
/// output folder was assumed instead, and a warning says so.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Assumed {
    /// The config file, relative to the app.
    pub file: String,
    /// 1-based line of the value.
    pub line: usize,
    /// The option as the tool names it (`build.outDir`).
    pub option: String,
    /// The value's code, shortened.
    pub code: String,
}

/// An output folder read from a tool's config, with what was assumed where the config
/// sets it by code.
pub(crate) type Output = (String, Option<Assumed>);

/// The folder option at `path` of `config`, relative to the app: a plain string as the
/// tool resolves it (against `root`), a `__dirname`-based one against the config's folder
/// (the app's). `Err` names the code when it cannot be worked out (or is an absolute path).
pub(super) fn folder_option(
    config: &ConfigFile,
    path: &[&str],
    root: &str,
) -> Option<Result<String, Assumed>> {
    let assumed = |line: usize, code: String| Assumed {
        file: config.name.clone(),
        line,
        option: path.join("."),
        code,
    };
    // A config below the app (`config/webpack.prod.js`) resolves `__dirname` there.
    let config_dir = config.name.rsplit_once('/').map(|(dir, _)| dir);
    Some(match config.folder(path)? {
        Ok(folder) => {
            let joined = if let (true, false, Some(dir)) =
                (folder.from_config_dir, folder.from_cwd, config_dir)
            {
                format!("{dir}/{}", folder.path)
            } else if folder.from_config_dir || root == "." {
                folder.path.clone()
            } else {
                format!("{root}/{}", folder.path)
            };
            match options::tidy(&joined) {
                Some(dir) => Ok(dir),
                None => Err(assumed(config.line_of(path).unwrap_or(1), folder.path)),
            }
        }
        Err(computed) => Err(assumed(computed.line, computed.code)),
    })
}

/// Vite's output folder: `build.outDir` (`--outDir` on the command line, else `outDir` in
/// vite.config), `dist` by default, relative to the project's `root` (`--root` or the
/// config's `root`) when one is set.
pub(super) fn vite_output(build: &str, read: ReadFile) -> Output {
    let config = vite_config(read);
    // A `root` set by code counts as the app's folder, and is named like a computed outDir.
    let (root, root_assumed) = match flag_value(build, &["--root"]) {
        Some(root) => (normalise_dir(root), None),
        None => match config.as_ref().and_then(|c| folder_option(c, &["root"], ".")) {
            Some(Ok(root)) => (root, None),
            Some(Err(assumed)) => (".".to_owned(), Some(assumed)),
            None => (".".to_owned(), None),
        },
    };
    let default =
        || normalise_dir(if root == "." { "dist".into() } else { format!("{root}/dist") });
    if let Some(out) = flag_value(build, &["--outDir"]) {
        let joined =
            if root == "." || out.starts_with('/') { out } else { format!("{root}/{out}") };
        return (options::tidy(&joined).unwrap_or(joined), root_assumed);
    }
    let Some(config) = config else { return (default(), None) };
    match folder_option(&config, &["build", "outDir"], &root) {
        Some(Ok(dir)) => (dir, root_assumed),
        Some(Err(assumed)) => (default(), Some(assumed)),
        None => (default(), root_assumed),
    }
}

/// The literal value a command's `NAME=value` prefix gives `name`.
pub(super) fn assignment_value(command: &str, name: &str) -> Option<String> {
    crate::shell::simple_commands(command)
        .into_iter()
        .flat_map(|c| c.assignments)
        .find(|a| a.name == name)
        .and_then(|a| a.literal)
}

/// The value of `NAME=value` in a .env file's text (quotes removed).
pub(super) fn dotenv_value(text: &str, name: &str) -> Option<String> {
    text.lines().find_map(|line| {
        let line = line.trim().strip_prefix("export ").unwrap_or(line.trim());
        let (key, value) = line.split_once('=')?;
        (key.trim() == name).then(|| value.trim().trim_matches(['"', '\'']).to_owned())
    })
}

/// The value after one of `flags` in a command (`--dist-dir www` or `--dist-dir=www`).
pub(super) fn flag_value(command: &str, flags: &[&str]) -> Option<String> {
    let words: Vec<String> =
        crate::shell::simple_commands(command).into_iter().flat_map(|c| c.words).collect();
    flag_in(&words, flags)
}

/// The value after one of `flags` in a command's words.
fn flag_in(words: &[String], flags: &[&str]) -> Option<String> {
    for (i, word) in words.iter().enumerate() {
        for flag in flags {
            if word == flag {
                return words.get(i + 1).cloned();
            }
            if let Some(value) = word.strip_prefix(&format!("{flag}=")) {
                return Some(value.to_string());
            }
        }
    }
    None
}

/// The folder of an nginx config's first `root /app/<dir>;` (the nginx buildpack runs the
/// app from `/app`), relative to the app, quotes removed; `.` for `/app` itself.
pub(crate) fn nginx_root(config: &str) -> Option<String> {
    config.lines().find_map(|line| {
        // `root /app/dist; # the site` ends at its `;`, before any comment.
        let line = line.split('#').next().unwrap_or_default();
        let rest = line.trim().strip_prefix("root")?;
        let rest = rest.split(';').next().unwrap_or_default();
        let path = rest.trim().trim_matches(['"', '\'']);
        let dir = path.strip_prefix("/app").filter(|d| d.is_empty() || d.starts_with('/'))?;
        Some(normalise_dir(dir.trim_start_matches('/').to_string()))
    })
}

/// The proxies of a heroku-buildpack-static `static.json`, as (1-based line, path,
/// origin), in file order: the static site forwarded these paths to another app.
pub fn static_json_proxies(text: &str) -> Vec<(usize, String, String)> {
    let Ok(json) = serde_json::from_str::<Value>(text) else { return Vec::new() };
    let Some(proxies) = json.get("proxies").and_then(Value::as_object) else { return Vec::new() };
    let mut found = Vec::new();
    for (path, proxy) in proxies {
        let Some(origin) = proxy.get("origin").and_then(Value::as_str) else { continue };
        let needle = serde_json::to_string(path).unwrap_or_default();
        let line = text.find(&needle).map_or(1, |at| text[..at].matches('\n').count() + 1);
        found.push((line, path.clone(), origin.to_string()));
    }
    found.sort();
    found
}

/// heroku-buildpack-static's `root` (default `public_html/`).
pub(super) fn static_json_root(text: &str) -> Option<String> {
    let json: Value = serde_json::from_str(text).ok()?;
    Some(json.get("root").and_then(Value::as_str).unwrap_or("public_html/").to_string())
}

/// The build options of angular.json's default (else first) project.
pub(super) fn angular_build_options(json: &Value) -> Option<&serde_json::Map<String, Value>> {
    let projects = json.get("projects")?.as_object()?;
    let default = json.get("defaultProject").and_then(Value::as_str);
    let project = default.and_then(|d| projects.get(d)).or_else(|| projects.values().next())?;
    let build = project.get("architect").or_else(|| project.get("targets"))?.get("build")?;
    build.get("options")?.as_object()
}

/// Where `ng build` writes the site: `outputPath` (a string, or `{base, browser}`), with
/// the `browser` folder the application builder (Angular 17+) adds.
pub(super) fn angular_output(angular_json: Option<&str>) -> String {
    let Some(json) = angular_json.and_then(|t| serde_json::from_str::<Value>(t).ok()) else {
        return "dist".into();
    };
    let project_name = json
        .get("defaultProject")
        .and_then(Value::as_str)
        .or_else(|| json.get("projects")?.as_object()?.keys().next().map(String::as_str))
        .unwrap_or("app")
        .to_string();
    let projects = json.get("projects").and_then(Value::as_object);
    let project = projects.and_then(|p| p.get(&project_name));
    let build = project
        .and_then(|p| p.get("architect").or_else(|| p.get("targets")))
        .and_then(|a| a.get("build"));
    let builder = build.and_then(|b| b.get("builder")).and_then(Value::as_str).unwrap_or("");
    let application = builder.ends_with(":application");
    let output = angular_build_options(&json).and_then(|o| o.get("outputPath"));
    let dir = match output {
        Some(Value::String(path)) if application => format!("{path}/browser"),
        Some(Value::String(path)) => path.clone(),
        Some(Value::Object(o)) => {
            let base = o.get("base").and_then(Value::as_str).unwrap_or("dist");
            let browser = o.get("browser").and_then(Value::as_str).unwrap_or("browser");
            if browser.is_empty() { base.to_string() } else { format!("{base}/{browser}") }
        }
        _ if application => format!("dist/{project_name}/browser"),
        _ => format!("dist/{project_name}"),
    };
    normalise_dir(dir)
}

/// A development server's proxy: in development it forwarded the page's calls to the
/// backend; a built site has none.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct DevProxy {
    /// The file, relative to the app (`package.json`, `vite.config.ts`).
    pub file: String,
    /// 1-based line of the setting.
    pub line: usize,
    /// The setting as the tool names it (`proxy`, `server.proxy`, `devServer.proxy`).
    pub option: String,
    /// The path prefixes forwarded (`/api`); empty when every unknown path was (Create
    /// React App's `"proxy": "http://localhost:3001"`, a Vue CLI proxy string).
    pub prefixes: Vec<String>,
}

/// The dev-server proxy of a Create React App (`"proxy"` in package.json, or a
/// `src/setupProxy.js`), Vite (`server.proxy`), Vue CLI (`devServer.proxy`) or webpack
/// (webpack.config's `devServer.proxy`) app.
pub(crate) fn dev_proxy(read: ReadFile) -> Option<DevProxy> {
    let proxy = |file: &str, line: usize, option: &str, prefixes: Vec<String>| DevProxy {
        file: file.to_owned(),
        line,
        option: option.to_owned(),
        prefixes,
    };
    if let Some(text) = read("package.json") {
        let json: Value = serde_json::from_str(&text).unwrap_or_default();
        if json.get("proxy").is_some_and(Value::is_string) {
            let line = text.find("\"proxy\"").map_or(1, |at| text[..at].matches('\n').count() + 1);
            return Some(proxy("package.json", line, "proxy", Vec::new()));
        }
    }
    for (config, path) in [
        (vite_config(read), ["server", "proxy"]),
        (
            first_config(read, &["vue.config.js", "vue.config.cjs", "vue.config.mjs"]),
            ["devServer", "proxy"],
        ),
        // webpack-dev-server's, in the config a plain webpack site builds with.
        (first_config(read, &WEBPACK_CONFIGS), ["devServer", "proxy"]),
    ] {
        let Some(config) = config else { continue };
        let Some(line) = config.line_of(&path) else { continue };
        let prefixes = config.keys(&path).unwrap_or_default().into_iter().map(|(k, _)| k).collect();
        return Some(proxy(&config.name, line, &path.join("."), prefixes));
    }
    ["src/setupProxy.js", "src/setupProxy.ts"]
        .iter()
        .find(|name| read(name).is_some())
        .map(|name| proxy(name, 1, "setupProxy", Vec::new()))
}
