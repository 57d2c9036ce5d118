//! Static frontends: how to recognise one and where its files are. The build step that
//! bakes the backend's URL into one is written by `generate::frontend`.
//!
//! On Heroku a frontend could be a small Node process serving files, so it could be told
//! the backend's URL at run time. A Code Capsules static-site Capsule runs no code: the
//! URL must be written into a file at build time, from an environment variable, and Code
//! Capsules shows URLs without `https://`, so the build step adds it.

use serde_json::Value;

use super::apps::normalize_dir;
use super::{App, Frontend, join};
use crate::diag::Warning;
use crate::shell;
use crate::source::Source;

pub(crate) mod calls;
mod config;
mod server;

use config::{
    Assumed, Output, Tool, angular_build_options, angular_output, assignment_value, build_tool,
    dotenv_value, first_config, flag_value, folder_option, next_config, nginx_root,
    static_json_root, vite_output, webpack_output,
};
pub(crate) use config::{ConfigFile, WebpackConfig, webpack_config};
pub(crate) use config::{DevProxy, dev_proxy, tidy};
pub use config::{static_json_proxies, vite_env_prefix};
use server::{Invocation, first_positional, is_static_server, normalise_dir};

/// The kind of frontend an app is, which decides where its files are and how its
/// backend URL gets in. Each is detected from the app's package.json and config files.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FrontendKind {
    /// Files served as they are. `server` is the program that served them on Heroku
    /// (`http-server`, `serve`, `heroku-buildpack-static`, ...), or empty when there was
    /// none (a bare `index.html`).
    Static { server: String },
    /// Built by Vite into `dist`.
    Vite,
    /// Built by Create React App (`react-scripts`) into `build`.
    CreateReactApp,
    /// Built by Vue CLI (`vue-cli-service build`) into `dist`.
    VueCli,
    /// Built by the Angular CLI (`ng build`) into angular.json's `outputPath`.
    Angular,
    /// SvelteKit with `@sveltejs/adapter-static`, built into `build`.
    SvelteKit,
    /// Next.js with a static export (`output: 'export'` or `next export`), into `out`.
    NextExport,
    /// Built by Parcel (`parcel build`) into `dist`.
    Parcel,
    /// Built by webpack (`webpack --mode production`, the page written by
    /// `html-webpack-plugin`) into the config's `output.path`, `dist` by default.
    Webpack,
}

impl FrontendKind {
    /// A stable id for programs (`plan --format json`).
    pub fn id(&self) -> &'static str {
        match self {
            FrontendKind::Static { .. } => "static",
            FrontendKind::Vite => "vite",
            FrontendKind::CreateReactApp => "create-react-app",
            FrontendKind::VueCli => "vue-cli",
            FrontendKind::Angular => "angular",
            FrontendKind::SvelteKit => "sveltekit",
            FrontendKind::NextExport => "next-export",
            FrontendKind::Parcel => "parcel",
            FrontendKind::Webpack => "webpack",
        }
    }

    /// The tool chain's name, as the plan shows it.
    pub fn label(&self) -> &'static str {
        match self {
            FrontendKind::Static { .. } => "static files",
            FrontendKind::Vite => "Vite",
            FrontendKind::CreateReactApp => "Create React App",
            FrontendKind::VueCli => "Vue CLI",
            FrontendKind::Angular => "Angular",
            FrontendKind::SvelteKit => "SvelteKit (static adapter)",
            FrontendKind::NextExport => "Next.js (static export)",
            FrontendKind::Parcel => "Parcel",
            FrontendKind::Webpack => "webpack",
        }
    }

    /// The variable that carries the backend URL into the build: bundlers only expose
    /// variables with their own prefix to browser code (Parcel inlines any
    /// `process.env.X`; webpack those its config's `EnvironmentPlugin` or `DefinePlugin`
    /// names, whatever their names).
    /// A name that has the prefix already (`REACT_APP_API_URL`, from a static.json proxy)
    /// keeps it once.
    pub fn backend_url_var(&self, env: &str) -> String {
        let prefix = match self {
            FrontendKind::Vite | FrontendKind::SvelteKit => "VITE_",
            FrontendKind::CreateReactApp => "REACT_APP_",
            FrontendKind::VueCli => "VUE_APP_",
            FrontendKind::NextExport => "NEXT_PUBLIC_",
            FrontendKind::Static { .. }
            | FrontendKind::Angular
            | FrontendKind::Parcel
            | FrontendKind::Webpack => "",
        };
        if env.starts_with(prefix) { env.to_owned() } else { format!("{prefix}{env}") }
    }

    /// True when the backend URL reaches the page through a generated `config.js` that
    /// the page loads (no bundler to inline a variable).
    pub fn loads_config_script(&self) -> bool {
        matches!(self, FrontendKind::Static { .. } | FrontendKind::Angular)
    }

    /// The JS expression that holds the backend URL in the browser: `var` is the build
    /// variable ([`FrontendKind::backend_url_var`]), `global` the name the config script
    /// sets on `window`. TypeScript knows no `window.BACKEND_URL`, so it gets a cast.
    pub fn expression(&self, var: &str, global: &str, typescript: bool) -> String {
        match self {
            FrontendKind::Vite | FrontendKind::SvelteKit => format!("import.meta.env.{var}"),
            FrontendKind::CreateReactApp
            | FrontendKind::VueCli
            | FrontendKind::NextExport
            | FrontendKind::Parcel
            | FrontendKind::Webpack => format!("process.env.{var}"),
            FrontendKind::Static { .. } | FrontendKind::Angular if typescript => {
                format!("(window as any).{global}")
            }
            FrontendKind::Static { .. } | FrontendKind::Angular => format!("window.{global}"),
        }
    }
}

/// Reads a file of the app by its path relative to the app folder; `None` when absent.
pub type ReadFile<'a> = &'a dyn Fn(&str) -> Option<String>;

/// What kind of frontend an app is, or `None` when it is not one (it runs its own server,
/// or nothing shows it serves files).
///
/// `web_command` is the Procfile's `web` command; without one Heroku ran `npm start`.
/// A bundler's build wins over the static server that served its output; any other
/// program (`node server.js`) means a backend, even with an `index.html`. A `static.json`
/// (heroku-buildpack-static) makes an app without a build tool a static site.
pub fn classify(
    package_json: Option<&Value>,
    web_command: Option<&str>,
    has_root_index_html: bool,
    read: ReadFile,
) -> Option<FrontendKind> {
    let tool = match package_json.map(|p| build_tool(p, read)) {
        Some(Tool::Server) => return None,
        Some(Tool::Static(kind)) => Some(kind),
        Some(Tool::None) | None => None,
    };
    let static_buildpack = read("static.json").is_some();
    let Some(command) = serve_command(package_json, web_command) else {
        return match tool {
            Some(kind) => Some(kind),
            None if static_buildpack => {
                Some(FrontendKind::Static { server: "heroku-buildpack-static".into() })
            }
            None if has_root_index_html => Some(FrontendKind::Static { server: String::new() }),
            None => None,
        };
    };
    let program = Invocation::parse(&command)?.program;
    match (program.as_str(), tool) {
        (_, Some(kind)) if is_static_server(&program) => Some(kind),
        (_, None) if is_static_server(&program) => Some(FrontendKind::Static { server: program }),
        ("start-nginx-static", Some(kind)) => Some(kind),
        ("start-nginx-static", None) => Some(FrontendKind::Static { server: "nginx".into() }),
        ("vite", _) => Some(FrontendKind::Vite),
        ("react-scripts", _) => Some(FrontendKind::CreateReactApp),
        ("vue-cli-service", _) => Some(FrontendKind::VueCli),
        ("ng", _) => Some(FrontendKind::Angular),
        ("parcel", _) => Some(FrontendKind::Parcel),
        // The dev server of a webpack site (some Heroku apps ran it as their web process).
        ("webpack-dev-server", _) => Some(FrontendKind::Webpack),
        ("webpack", Some(FrontendKind::Webpack)) => Some(FrontendKind::Webpack),
        _ => None,
    }
}

/// The command that serves the app: `web_command`, else the `start` script, with
/// `npm start`, `npm run X`, `yarn X`... followed to the script they run.
pub fn serve_command(package_json: Option<&Value>, web_command: Option<&str>) -> Option<String> {
    let script = |name: &str| package_json?.get("scripts")?.get(name)?.as_str().map(str::to_string);
    let mut command = match web_command {
        Some(command) => command.to_string(),
        None => script("start")?,
    };
    // A few levels: `npm start` -> `npm run serve` -> `http-server`. A loop of scripts
    // calling each other stops here instead of spinning.
    for _ in 0..4 {
        let Some(name) = Invocation::parse(&command).and_then(|i| i.script_run()) else {
            break;
        };
        match script(&name) {
            Some(next) => command = next,
            None => break,
        }
    }
    Some(command)
}

/// The folder, relative to the app, whose files the site serves: static.json's `root`
/// when there is one, else each bundler's output folder (read from its config where it
/// can be changed), else the serve command's folder argument (`http-server public -p
/// $PORT` gives `public`, `serve -s build` gives `build`) or `.`. Pass the resolved
/// command ([`serve_command`]), not `npm start`. With the folder comes the config option
/// that set it by code the tool does not run, when one did (the default was assumed).
pub(crate) fn public_dir(
    package_json: Option<&Value>,
    command: Option<&str>,
    kind: &FrontendKind,
    read: ReadFile,
) -> Output {
    if let Some(root) = read("static.json").as_deref().and_then(static_json_root) {
        return (normalise_dir(root), None);
    }
    let build = package_json
        .and_then(|p| p.get("scripts")?.get("build")?.as_str())
        .map(str::to_string)
        .unwrap_or_default();
    // A flag of the build script, else the config's option, else the tool's default.
    let configured =
        |flag: Option<String>, config: Option<ConfigFile>, path: &[&str], default: &str| {
            if let Some(dir) = flag {
                return (normalise_dir(dir), None);
            }
            match config.as_ref().and_then(|c| folder_option(c, path, ".")) {
                Some(Ok(dir)) => (dir, None),
                Some(Err(assumed)) => (default.to_owned(), Some(assumed)),
                None => (default.to_owned(), None),
            }
        };
    match kind {
        FrontendKind::Vite => return vite_output(&build, read),
        FrontendKind::CreateReactApp => {
            // react-scripts 4.0.2+ writes to BUILD_PATH when it is set (here: in the build
            // script, or in the .env files it loads for a production build).
            let dir = assignment_value(&build, "BUILD_PATH").or_else(|| {
                [".env.production.local", ".env.local", ".env.production", ".env"]
                    .iter()
                    .find_map(|name| dotenv_value(&read(name)?, "BUILD_PATH"))
            });
            return (normalise_dir(dir.unwrap_or_else(|| "build".into())), None);
        }
        FrontendKind::VueCli => {
            let config = first_config(
                read,
                &["vue.config.js", "vue.config.cjs", "vue.config.mjs", "vue.config.ts"],
            );
            return configured(flag_value(&build, &["--dest"]), config, &["outputDir"], "dist");
        }
        FrontendKind::Angular => return (angular_output(read("angular.json").as_deref()), None),
        FrontendKind::SvelteKit => {
            let config =
                first_config(read, &["svelte.config.js", "svelte.config.mjs", "svelte.config.ts"]);
            return configured(None, config, &["kit", "adapter", "pages"], "build");
        }
        FrontendKind::NextExport => {
            let out = flag_value(&build, &["-o", "--outdir"]);
            return configured(out, next_config(read), &["distDir"], "out");
        }
        FrontendKind::Parcel => {
            let dir = flag_value(&build, &["--dist-dir", "-d", "--out-dir"]);
            return (normalise_dir(dir.unwrap_or_else(|| "dist".into())), None);
        }
        FrontendKind::Webpack => return webpack_output(package_json, read),
        FrontendKind::Static { server } if server == "nginx" => {
            let config = ["config/nginx.conf.erb", "config/nginx-static.conf.erb"]
                .iter()
                .find_map(|name| read(name))
                .unwrap_or_default();
            return (nginx_root(&config).unwrap_or_else(|| ".".into()), None);
        }
        FrontendKind::Static { .. } => {}
    }
    let Some(invocation) = command.and_then(Invocation::parse) else {
        return (".".to_string(), None);
    };
    if !is_static_server(&invocation.program) {
        return (".".to_string(), None);
    }
    let dir = first_positional(&invocation.program, &invocation.args);
    (dir.map_or(".".to_string(), normalise_dir), None)
}

/// The folder, relative to the app, of the page template a bundler copies into its
/// output (the page that must load `config.js`), when the kind has one.
pub fn page_template(kind: &FrontendKind, read: ReadFile) -> Option<String> {
    match kind {
        FrontendKind::Angular => {
            let json: Value = serde_json::from_str(&read("angular.json")?).ok()?;
            let options = angular_build_options(&json)?;
            let index = options.get("index").and_then(|i| match i {
                Value::String(s) => Some(s.clone()),
                Value::Object(o) => o.get("input")?.as_str().map(str::to_string),
                _ => None,
            });
            Some(normalise_dir(index.unwrap_or_else(|| "src/index.html".into())))
        }
        _ => None,
    }
}

/// The static site `app` serves, if any: one a static-site buildpack served for its web
/// process, or one its package.json, config files or web command show. This is the one
/// place frontends are detected. A config option that sets the output folder by code
/// the tool does not run, and an output folder outside the app's, are warnings.
pub(super) fn detect(source: &Source, app: &App, warnings: &mut Vec<Warning>) -> Option<Frontend> {
    // Config files are small; one that cannot be read counts as absent.
    let read = |name: &str| -> Option<String> {
        // A config merged in from beside the app names `../shared/webpack.common.js`.
        let path = tidy(&app.path_of(name)).filter(|p| !p.starts_with(".."))?;
        let entry = source.entry(&path).filter(|e| e.kind.is_regular())?;
        if entry.size.is_some_and(|s| s > super::apps::MAX_READ) {
            return None;
        }
        String::from_utf8(source.read(&entry.path).ok()?).ok()
    };
    let package = app.package_json.as_ref().map(|p| Value::Object(p.value.clone()));
    let web = app.process("web").map(|p| p.command.as_str());
    let buildpack = web.and_then(|web| buildpack_server(source, app.build_dir(), web));
    let mut frontend = match buildpack {
        Some(server) => buildpack_site(server, package.as_ref(), &read),
        None => {
            let has_index = source.entry(&app.path_of("index.html")).is_some();
            let kind = classify(package.as_ref(), web, has_index, &read)?;
            let command = serve_command(package.as_ref(), web);
            let (dir, assumed) = public_dir(package.as_ref(), command.as_deref(), &kind, &read);
            let public_dir = normalize_dir(&dir);
            warnings.extend(assumed.map(|a| assumed_warning(app, &kind, &a, &dir)));
            warnings.extend(outside_warning(app, &kind, &public_dir));
            warnings.extend(pageless_webpack_warning(app, &kind, package.as_ref(), &public_dir));
            let page_template = page_template(&kind, &read).map(|p| normalize_dir(&p));
            Frontend {
                kind,
                public_dir,
                page_template,
                proxy_env: None,
                rooted_routes: false,
                env_prefix: None,
                own_origin: Vec::new(),
                dev_proxy: None,
            }
        }
    };
    (frontend.proxy_env, frontend.rooted_routes) = static_json_extras(&read);
    frontend.env_prefix = vite_env_prefix(&frontend.kind, &read);
    Some(frontend)
}

/// The config sets the output folder by code: say which folder was assumed.
fn assumed_warning(app: &App, kind: &FrontendKind, assumed: &Assumed, dir: &str) -> Warning {
    Warning::at_line(
        app.path_of(&assumed.file),
        assumed.line,
        format!(
            "`{}` is set by code capsule-migrate does not run (`{}`): it assumed {}'s output \
             folder is `{dir}`; if the build writes elsewhere, set the Frontend Capsule's \
             output directory to that folder (relative to `{}`)",
            assumed.option,
            assumed.code,
            kind.label(),
            app.display_dir()
        ),
    )
}

/// An output folder outside the app's (`../server/public`): on Heroku a server beside it
/// served the files; a Frontend Capsule publishes a folder of its own.
fn outside_warning(app: &App, kind: &FrontendKind, public_dir: &str) -> Option<Warning> {
    if !public_dir.starts_with("../") && public_dir != ".." {
        return None;
    }
    Some(Warning::new(format!(
        "{}: {} builds into `{public_dir}`, outside the app's folder (on Heroku a server beside \
         it served those files): the Frontend Capsule's output directory is that folder, \
         relative to `{}`; if Code Capsules refuses a folder outside the Capsule's, build into \
         a folder of the app's own (for example `dist`) and let the backend serve its own copy",
        app.display_dir(),
        kind.label(),
        app.display_dir()
    )))
}

/// A webpack site recognised by its dev server (`webpack-dev-server` as the web process)
/// without html-webpack-plugin or copy-webpack-plugin: the dev server served a page from
/// its own folder (`public/` by default), which `webpack` does not write into the
/// output folder a Frontend Capsule publishes.
fn pageless_webpack_warning(
    app: &App,
    kind: &FrontendKind,
    package: Option<&Value>,
    public_dir: &str,
) -> Option<Warning> {
    if *kind != FrontendKind::Webpack {
        return None;
    }
    let depends_on = |name: &str| {
        ["dependencies", "devDependencies"]
            .iter()
            .any(|section| package.and_then(|p| p.get(section)?.get(name)).is_some())
    };
    if depends_on("html-webpack-plugin") || depends_on("copy-webpack-plugin") {
        return None;
    }
    Some(Warning::new(format!(
        "{}: webpack's dev server served the page on Heroku, and `webpack` writes no HTML \
         page into `{public_dir}` (no html-webpack-plugin or copy-webpack-plugin): make the \
         build put `index.html` there (html-webpack-plugin), or the Frontend Capsule \
         publishes scripts without a page",
        app.display_dir()
    )))
}

/// A web command that only a static-site buildpack provides.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum BuildpackServer {
    /// `bin/boot`: heroku-buildpack-static (and create-react-app-buildpack on top of it);
    /// serves `static.json`'s `root`, `public_html/` by default.
    Static,
    /// `bin/start-nginx-static`: heroku-buildpack-nginx; serves the `root` of
    /// `config/nginx.conf.erb` (its preset says `/app/dist`).
    Nginx,
    /// `bin/start-nginx-solo`: heroku-buildpack-nginx running nginx alone, here with a
    /// config that serves a folder and forwards nothing.
    NginxSolo,
}

/// The buildpack server `command` starts, when it is one and the repository has no file
/// of that name (a repository's own `bin/boot` is its own program).
fn buildpack_server(source: &Source, dir: &str, command: &str) -> Option<BuildpackServer> {
    let steps = shell::simple_commands(command);
    let step = steps.iter().find(|c| !c.piped && c.words.first().is_some_and(|w| w != "cd"))?;
    let program = step.words.first()?;
    let program = program.strip_prefix("./").unwrap_or(program);
    let server = match program {
        "bin/boot" => BuildpackServer::Static,
        "bin/start-nginx-static" => BuildpackServer::Nginx,
        // `start-nginx-solo` runs nginx alone, with whatever config/nginx.conf.erb says: a
        // static site when that serves a folder and forwards nothing (a `proxy_pass` to
        // another process's socket is an app behind nginx).
        "bin/start-nginx-solo" if step.words.len() == 1 && nginx_serves_files(source, dir) => {
            BuildpackServer::NginxSolo
        }
        _ => return None,
    };
    source.entry(&join(dir, program)).is_none().then_some(server)
}

/// True when the app's `config/nginx.conf.erb` has a `root /app/...` and no `proxy_pass`.
fn nginx_serves_files(source: &Source, dir: &str) -> bool {
    let path = join(dir, "config/nginx.conf.erb");
    let Some(text) = source.read(&path).ok().and_then(|b| String::from_utf8(b).ok()) else {
        return false;
    };
    let proxies = text.lines().any(|l| {
        let code = l.split('#').next().unwrap_or_default();
        code.split(|c: char| c.is_whitespace() || c == '{' || c == ';')
            .any(|word| matches!(word, "proxy_pass" | "fastcgi_pass" | "uwsgi_pass"))
    });
    nginx_root(&text).is_some() && !proxies
}

/// The static site a buildpack `server` served: its kind (a Vite or Create React App
/// build when package.json builds one) and the folder served.
fn buildpack_site(server: BuildpackServer, package: Option<&Value>, read: ReadFile) -> Frontend {
    let static_json_root = read("static.json")
        .and_then(|text| serde_json::from_str::<serde_json::Value>(&text).ok())
        .and_then(|v| v.get("root")?.as_str().map(str::to_owned));
    let nginx_root = || read("config/nginx.conf.erb").and_then(|text| nginx_root(&text));
    let root = match server {
        BuildpackServer::Static => static_json_root.unwrap_or_else(|| "public_html".into()),
        BuildpackServer::Nginx | BuildpackServer::NginxSolo => {
            nginx_root().or(static_json_root).unwrap_or_else(|| "dist".into())
        }
    };
    let built = classify(package, None, false, read)
        .filter(|kind| !matches!(kind, FrontendKind::Static { .. }));
    let name = match server {
        BuildpackServer::Static => "bin/boot (heroku-buildpack-static)",
        BuildpackServer::Nginx => "bin/start-nginx-static (heroku-buildpack-nginx)",
        BuildpackServer::NginxSolo => "bin/start-nginx-solo (heroku-buildpack-nginx)",
    };
    let public_dir = root.trim_start_matches("./").trim_end_matches('/').to_owned();
    let public_dir = if public_dir == "." { String::new() } else { public_dir };
    // The static.json extras (proxies, routes) are read by `detect`, as for any static
    // site.
    Frontend {
        kind: built.unwrap_or(FrontendKind::Static { server: name.to_owned() }),
        public_dir,
        page_template: None,
        proxy_env: None,
        rooted_routes: false,
        env_prefix: None,
        own_origin: Vec::new(),
        dev_proxy: None,
    }
}

/// From heroku-buildpack-static's `static.json`: the variable its proxies' origin names
/// (`API_URL` for `${API_URL}`), and whether it has `routes` (a single-page app).
fn static_json_extras(read: &dyn Fn(&str) -> Option<String>) -> (Option<String>, bool) {
    let static_json = read("static.json").unwrap_or_default();
    let proxy_env = static_json_proxies(&static_json).into_iter().find_map(|(_, _, origin)| {
        let name = origin.strip_prefix("${")?.strip_suffix('}')?;
        crate::shell::is_name(name).then(|| name.to_owned())
    });
    (proxy_env, static_json.contains("\"routes\""))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn static_kind(server: &str) -> Option<FrontendKind> {
        Some(FrontendKind::Static { server: server.to_string() })
    }

    #[test]
    fn static_servers_in_the_web_command_or_start_script() {
        for (command, server) in [
            ("http-server public -p $PORT", "http-server"),
            ("serve -s build", "serve"),
            ("npx -y http-server ./public -p $PORT", "http-server"),
            ("npx --yes serve@14 -s dist", "serve"),
            ("./node_modules/.bin/live-server --port=$PORT www", "live-server"),
            ("node_modules/.bin/lite-server", "lite-server"),
            ("NODE_ENV=production static-server dist", "static-server"),
            ("npm run build && npx sirv-cli public --port $PORT", "sirv"),
        ] {
            assert_eq!(
                classify(None, Some(command), false, &|_| None),
                static_kind(server),
                "{command}"
            );
            let package = json!({ "scripts": { "start": command } });
            assert_eq!(
                classify(Some(&package), None, false, &|_| None),
                static_kind(server),
                "{command}"
            );
        }
    }

    #[test]
    fn npm_start_is_followed_to_the_script() {
        let package =
            json!({ "scripts": { "start": "npm run serve", "serve": "http-server www" } });
        assert_eq!(
            classify(Some(&package), Some("npm start"), false, &|_| None),
            static_kind("http-server")
        );
        assert_eq!(
            classify(Some(&package), Some("yarn serve"), false, &|_| None),
            static_kind("http-server")
        );
        assert_eq!(
            serve_command(Some(&package), Some("npm run start")).as_deref(),
            Some("http-server www")
        );
        // Scripts calling each other in a loop end the search instead of spinning.
        let looping = json!({ "scripts": { "start": "npm run a", "a": "npm start" } });
        assert_eq!(classify(Some(&looping), None, true, &|_| None), None);
    }

    #[test]
    fn servers_and_unknown_commands_are_not_frontends() {
        let package = json!({ "scripts": { "start": "node server.js" }, "dependencies": {} });
        assert_eq!(classify(Some(&package), None, true, &|_| None), None);
        assert_eq!(classify(None, Some("node index.js"), true, &|_| None), None);
        assert_eq!(classify(Some(&package), Some("npm start"), false, &|_| None), None);
        // A CRA build served by its own Express server is a backend too.
        let full_stack = json!({
            "scripts": { "start": "node server.js" },
            "dependencies": { "react-scripts": "5" }
        });
        assert_eq!(classify(Some(&full_stack), None, true, &|_| None), None);
    }

    #[test]
    fn build_tools_win_over_the_server_of_their_output() {
        let vite = json!({
            "scripts": { "build": "vite build", "start": "serve -s dist" },
            "devDependencies": { "vite": "^5" }
        });
        assert_eq!(classify(Some(&vite), None, true, &|_| None), Some(FrontendKind::Vite));
        let cra = json!({
            "scripts": { "start": "react-scripts start", "build": "react-scripts build" },
            "dependencies": { "react-scripts": "5.0.1" }
        });
        assert_eq!(
            classify(Some(&cra), None, false, &|_| None),
            Some(FrontendKind::CreateReactApp)
        );
        let build_only = json!({ "scripts": { "build": "tsc && vite build" } });
        assert_eq!(classify(Some(&build_only), None, false, &|_| None), Some(FrontendKind::Vite));
        let vite_dev = json!({ "scripts": { "start": "vite --port $PORT" } });
        assert_eq!(classify(Some(&vite_dev), None, false, &|_| None), Some(FrontendKind::Vite));
    }

    #[test]
    fn bundler_prefixes_are_added_once() {
        assert_eq!(FrontendKind::Vite.backend_url_var("BACKEND_URL"), "VITE_BACKEND_URL");
        assert_eq!(FrontendKind::CreateReactApp.backend_url_var("REACT_APP_API"), "REACT_APP_API");
        assert_eq!(FrontendKind::NextExport.backend_url_var("API"), "NEXT_PUBLIC_API");
        assert_eq!(FrontendKind::Angular.backend_url_var("API_URL"), "API_URL");
    }

    #[test]
    fn kinds_from_dependencies_scripts_and_config_files() {
        let none = |_: &str| None;
        let kind = |package: serde_json::Value, read: ReadFile| {
            classify(Some(&package), None, false, read)
        };
        let vue = json!({ "scripts": { "build": "vue-cli-service build" } });
        assert_eq!(kind(vue, &none), Some(FrontendKind::VueCli));
        let ng = json!({ "devDependencies": { "@angular/cli": "18" } });
        assert_eq!(kind(ng, &none), Some(FrontendKind::Angular));
        let parcel = json!({ "scripts": { "build": "parcel build index.html" } });
        assert_eq!(kind(parcel, &none), Some(FrontendKind::Parcel));
        // SvelteKit and Next.js run their own server unless built as static sites.
        let kit = json!({ "devDependencies": { "@sveltejs/kit": "2", "vite": "6" } });
        assert_eq!(kind(kit, &none), None);
        let kit_static =
            json!({ "devDependencies": { "@sveltejs/kit": "2", "@sveltejs/adapter-static": "3" } });
        assert_eq!(kind(kit_static, &none), Some(FrontendKind::SvelteKit));
        let next =
            json!({ "dependencies": { "next": "14" }, "scripts": { "build": "next build" } });
        assert_eq!(kind(next.clone(), &none), None);
        let export = |name: &str| {
            (name == "next.config.mjs")
                .then(|| "export default { output: \"export\" };".to_string())
        };
        assert_eq!(kind(next, &export), Some(FrontendKind::NextExport));
        let old_export = json!({ "dependencies": { "next": "12" }, "scripts": { "export": "next build && next export" } });
        assert_eq!(kind(old_export, &none), Some(FrontendKind::NextExport));
        // static.json alone makes a static site.
        let static_json = |name: &str| (name == "static.json").then(|| "{}".to_string());
        assert_eq!(
            classify(None, None, false, &static_json),
            Some(FrontendKind::Static { server: "heroku-buildpack-static".into() })
        );
    }

    #[test]
    fn vite_env_prefix_replaces_vite_only_when_it_leaves_it_out() {
        let prefix = |config: &str| {
            let config = config.to_owned();
            let read = move |name: &str| (name == "vite.config.ts").then(|| config.clone());
            vite_env_prefix(&FrontendKind::Vite, &read)
        };
        assert_eq!(prefix("export default { envPrefix: 'APP_' }").as_deref(), Some("APP_"));
        assert_eq!(
            prefix("export default { envPrefix: [\"PUBLIC_\", 'X_'] }").as_deref(),
            Some("PUBLIC_")
        );
        assert_eq!(prefix("export default { envPrefix: ['VITE_', 'APP_'] }"), None);
        assert_eq!(prefix("export default { envPrefix: 'VITE_' }"), None);
        assert_eq!(prefix("export default { build: { outDir: 'x' } }"), None);
        let read = |_: &str| Some("export default { envPrefix: 'APP_' }".to_owned());
        assert_eq!(vite_env_prefix(&FrontendKind::CreateReactApp, &read), None);
        let frontend = Frontend {
            kind: FrontendKind::Vite,
            public_dir: "dist".into(),
            page_template: None,
            proxy_env: None,
            rooted_routes: false,
            env_prefix: Some("APP_".into()),
            own_origin: Vec::new(),
            dev_proxy: None,
        };
        assert_eq!(frontend.backend_url_var("BACKEND_URL"), "APP_BACKEND_URL");
        assert_eq!(frontend.backend_url_var("APP_API_URL"), "APP_API_URL");
    }

    #[test]
    fn output_folders_come_from_each_tools_config() {
        let dir = |package: serde_json::Value, kind: FrontendKind, files: &[(&str, &str)]| {
            let files: Vec<(String, String)> =
                files.iter().map(|(n, t)| (n.to_string(), t.to_string())).collect();
            let read =
                move |name: &str| files.iter().find(|(n, _)| n == name).map(|(_, t)| t.clone());
            public_dir(Some(&package), None, &kind, &read).0
        };
        let none = json!({});
        assert_eq!(
            dir(
                none.clone(),
                FrontendKind::VueCli,
                &[("vue.config.js", "module.exports = { outputDir: 'www' }")]
            ),
            "www"
        );
        assert_eq!(dir(none.clone(), FrontendKind::VueCli, &[]), "dist");
        let vue_dest =
            json!({ "scripts": { "build": "vue-cli-service build --dest public_html" } });
        assert_eq!(dir(vue_dest, FrontendKind::VueCli, &[]), "public_html");
        // Vite: the flag, else the config's build.outDir, below the project root.
        assert_eq!(dir(none.clone(), FrontendKind::Vite, &[]), "dist");
        let vite_config =
            "export default defineConfig({ build: { outDir: './site/', emptyOutDir: true } })";
        assert_eq!(
            dir(none.clone(), FrontendKind::Vite, &[("vite.config.ts", vite_config)]),
            "site"
        );
        let vite_flag = json!({ "scripts": { "build": "tsc && vite build --outDir=www" } });
        assert_eq!(dir(vite_flag, FrontendKind::Vite, &[("vite.config.ts", vite_config)]), "www");
        let plugin =
            "export default { plugins: [dts({ outDir: 'types' })], build: { sourcemap: true } }";
        assert_eq!(dir(none.clone(), FrontendKind::Vite, &[("vite.config.js", plugin)]), "dist");
        let rooted = "export default { root: 'client', build: { outDir: 'public' } }";
        assert_eq!(
            dir(none.clone(), FrontendKind::Vite, &[("vite.config.mjs", rooted)]),
            "client/public"
        );
        // Create React App: BUILD_PATH in the build script or a .env file.
        let cra = json!({ "scripts": { "build": "BUILD_PATH='./dist' react-scripts build" } });
        assert_eq!(dir(cra, FrontendKind::CreateReactApp, &[]), "dist");
        let env = [(".env", "GENERATE_SOURCEMAP=false\nBUILD_PATH=\"www\"\n")];
        assert_eq!(dir(none.clone(), FrontendKind::CreateReactApp, &env), "www");
        assert_eq!(dir(none.clone(), FrontendKind::CreateReactApp, &[]), "build");
        let parcel =
            json!({ "scripts": { "build": "parcel build src/index.html --dist-dir=public/" } });
        assert_eq!(dir(parcel, FrontendKind::Parcel, &[]), "public");
        assert_eq!(
            dir(
                none.clone(),
                FrontendKind::NextExport,
                &[("next.config.js", "const c = { output: 'export', distDir: \"site\" }")]
            ),
            "site"
        );
        assert_eq!(dir(none.clone(), FrontendKind::SvelteKit, &[]), "build");
        let old_ng = r#"{ "projects": { "a": { "architect": { "build": { "builder": "@angular-devkit/build-angular:browser", "options": { "outputPath": "dist/a" } } } } } }"#;
        assert_eq!(dir(none.clone(), FrontendKind::Angular, &[("angular.json", old_ng)]), "dist/a");
        let new_ng = r#"{ "projects": { "b": { "architect": { "build": { "builder": "@angular/build:application", "options": {} } } } } }"#;
        assert_eq!(
            dir(none.clone(), FrontendKind::Angular, &[("angular.json", new_ng)]),
            "dist/b/browser"
        );
        let base = r#"{ "projects": { "c": { "architect": { "build": { "builder": "x:application", "options": { "outputPath": { "base": "out", "browser": "" } } } } } } }"#;
        assert_eq!(dir(none.clone(), FrontendKind::Angular, &[("angular.json", base)]), "out");
        // static.json's root wins; nginx's root comes from its config.
        assert_eq!(
            dir(
                none.clone(),
                FrontendKind::CreateReactApp,
                &[("static.json", r#"{ "root": "build/" }"#)]
            ),
            "build"
        );
        assert_eq!(
            dir(
                none.clone(),
                FrontendKind::Static { server: "heroku-buildpack-static".into() },
                &[("static.json", "{}")]
            ),
            "public_html"
        );
        let nginx = FrontendKind::Static { server: "nginx".into() };
        assert_eq!(
            dir(none, nginx, &[("config/nginx.conf.erb", "  root /app/public;\n")]),
            "public"
        );
    }

    #[test]
    fn output_folders_set_by_code_are_worked_out_or_named() {
        let run = |kind: FrontendKind, build: &str, name: &str, text: &str| {
            let (name, text) = (name.to_owned(), text.to_owned());
            let read = move |n: &str| (n == name).then(|| text.clone());
            let package = json!({ "scripts": { "build": build } });
            public_dir(Some(&package), None, &kind, &read)
        };
        let vue = "const path = require('path');\nmodule.exports = {\n  outputDir: path.resolve(__dirname, '../server/public'),\n};\n";
        assert_eq!(
            run(FrontendKind::VueCli, "vue-cli-service build", "vue.config.js", vue),
            ("../server/public".into(), None)
        );
        // `root` moves a plain outDir, not one resolved from the config's folder.
        let vite = "import path from 'path';\nexport default defineConfig({\n  root: 'src',\n  build: { outDir: path.join(__dirname, 'dist', 'app') },\n});\n";
        assert_eq!(
            run(FrontendKind::Vite, "vite build", "vite.config.ts", vite),
            ("dist/app".into(), None)
        );
        let vite_plain =
            "const out = '../public';\nexport default { root: 'src', build: { outDir: out } };\n";
        assert_eq!(
            run(FrontendKind::Vite, "vite build", "vite.config.js", vite_plain),
            ("public".into(), None)
        );
        let esm = "import { fileURLToPath, URL } from 'node:url'\nexport default defineConfig({ build: { outDir: fileURLToPath(new URL('../api/public', import.meta.url)) } })\n";
        assert_eq!(
            run(FrontendKind::Vite, "vite build", "vite.config.mts", esm),
            ("../api/public".into(), None)
        );
        let svelte = "import adapter from '@sveltejs/adapter-static';\nexport default { kit: { adapter: adapter({ pages: 'site', assets: 'site' }) } };\n";
        assert_eq!(
            run(FrontendKind::SvelteKit, "vite build", "svelte.config.js", svelte),
            ("site".into(), None)
        );
        // Code the tool does not run: the default, and where the option is.
        let (dir, assumed) = run(
            FrontendKind::Vite,
            "vite build",
            "vite.config.ts",
            "export default defineConfig(({ mode }) => ({\n  build: {\n    outDir: process.env.OUT_DIR ?? 'dist',\n  },\n}));\n",
        );
        assert_eq!(dir, "dist");
        let assumed = assumed.expect("the computed outDir is named");
        assert_eq!(
            (assumed.file.as_str(), assumed.line, assumed.option.as_str()),
            ("vite.config.ts", 3, "build.outDir")
        );
        assert_eq!(assumed.code, "process.env.OUT_DIR ?? 'dist'");
        let rooted = "export default { root: process.env.ROOT, build: { outDir: 'www' } };\n";
        let (dir, assumed) = run(FrontendKind::Vite, "vite build", "vite.config.js", rooted);
        assert_eq!((dir.as_str(), assumed.map(|a| a.option)), ("www", Some("root".to_owned())));
        let next = "const dir = `out-${process.env.TARGET}`;\nmodule.exports = { output: 'export', distDir: dir };\n";
        let (dir, assumed) = run(FrontendKind::NextExport, "next build", "next.config.js", next);
        assert_eq!((dir.as_str(), assumed.map(|a| a.line)), ("out", Some(2)));
        // The build script's flag wins over the config, computed or not.
        let (dir, assumed) = run(
            FrontendKind::VueCli,
            "vue-cli-service build --dest www",
            "vue.config.js",
            "module.exports = { outputDir: f() }",
        );
        assert_eq!((dir.as_str(), assumed), ("www", None));
    }

    #[test]
    fn webpack_sites_are_told_from_webpack_libraries_and_servers() {
        let none = |_: &str| None;
        let kind = |package: serde_json::Value, web: Option<&str>| {
            classify(Some(&package), web, false, &none)
        };
        let html = json!({ "devDependencies": { "html-webpack-plugin": "5" } });
        for build in [
            "webpack --mode production",
            "NODE_ENV=production npx webpack --mode production",
            "rm -rf dist && cross-env NODE_ENV=production webpack -c webpack.prod.js",
            "node_modules/.bin/webpack-cli build",
        ] {
            let mut package = html.clone();
            package["scripts"] = json!({ "build": build });
            assert_eq!(kind(package, None), Some(FrontendKind::Webpack), "{build}");
        }
        // A script the build runs.
        let nested = json!({
            "scripts": {
                "build": "npm run clean && npm run build:web",
                "build:web": "yarn bundle --progress",
                "bundle": "webpack --mode production",
                "clean": "rimraf dist"
            },
            "devDependencies": { "html-webpack-plugin": "5" }
        });
        assert_eq!(kind(nested, None), Some(FrontendKind::Webpack));
        let looping = json!({
            "scripts": { "build": "npm run build" },
            "devDependencies": { "html-webpack-plugin": "5" }
        });
        assert_eq!(kind(looping, None), None);
        // heroku-postbuild ran instead of build on Heroku.
        let postbuild = json!({
            "scripts": { "heroku-postbuild": "webpack -p", "start": "http-server dist" },
            "dependencies": { "html-webpack-plugin": "4" }
        });
        assert_eq!(kind(postbuild, None), Some(FrontendKind::Webpack));
        // A start command that builds with webpack (the nginx buildpack served the output).
        let started = json!({
            "scripts": { "build": "webpack", "start": "webpack --mode=production" },
            "devDependencies": { "html-webpack-plugin": "5" }
        });
        assert_eq!(kind(started, None), Some(FrontendKind::Webpack));
        // No page: a library or a server's bundle; an Express server: a backend.
        let library = json!({ "scripts": { "build": "webpack" } });
        assert_eq!(kind(library, None), None);
        let dev_only = json!({
            "scripts": { "build": "webpack serve" },
            "devDependencies": { "html-webpack-plugin": "5" }
        });
        assert_eq!(kind(dev_only, None), None);
        let served = json!({
            "scripts": { "build": "webpack", "start": "node server.js" },
            "dependencies": { "html-webpack-plugin": "5", "express": "4" }
        });
        assert_eq!(kind(served, None), None);
        let dev_server = json!({ "scripts": { "start": "webpack-dev-server --port $PORT" } });
        assert_eq!(kind(dev_server, None), Some(FrontendKind::Webpack));
    }

    #[test]
    fn webpack_output_comes_from_output_path_of_the_config_it_builds_with() {
        let dir = |build: &str, files: &[(&str, &str)]| {
            let files: Vec<(String, String)> =
                files.iter().map(|(n, t)| (n.to_string(), t.to_string())).collect();
            let read =
                move |name: &str| files.iter().find(|(n, _)| n == name).map(|(_, t)| t.clone());
            let package = json!({ "scripts": { "build": build } });
            public_dir(Some(&package), None, &FrontendKind::Webpack, &read)
        };
        assert_eq!(dir("webpack", &[]), ("dist".to_owned(), None));
        let cjs = "const path = require('path');\nmodule.exports = {\n  output: {\n    filename: 'main.js',\n    path: path.join(__dirname, 'dist', 'public'),\n  },\n};\n";
        assert_eq!(dir("webpack", &[("webpack.config.cjs", cjs)]).0, "dist/public");
        let esm = "import { fileURLToPath } from 'url';\nexport default (env) => ({ output: { path: fileURLToPath(new URL('./site', import.meta.url)) } });\n";
        assert_eq!(dir("webpack", &[("webpack.config.mjs", esm)]).0, "site");
        let dirname = "import path from 'path';\nimport { fileURLToPath } from 'url';\nconst here = path.dirname(fileURLToPath(import.meta.url));\nexport default { output: { path: path.resolve(here, 'www') } };\n";
        assert_eq!(dir("webpack", &[("webpack.config.mjs", dirname)]).0, "www");
        let meta = "export default { output: { path: `${import.meta.dirname}/out` } };\n";
        assert_eq!(dir("webpack", &[("webpack.config.mjs", meta)]).0, "out");
        // --config names the file; webpack-merge setups keep output in the common file.
        let prod = "const { merge } = require('webpack-merge');\nconst common = require('./webpack.common');\nmodule.exports = merge(common, { mode: 'production' });\n";
        let common = "module.exports = { output: { path: require('path').resolve(__dirname, '../build') } };\n";
        let files = [("config/webpack.prod.js", prod), ("config/webpack.common.js", common)];
        assert_eq!(dir("webpack --config config/webpack.prod.js", &files).0, "build");
        // The working folder is the app's, wherever the config sits.
        let cwd = "module.exports = { output: { path: require('path').resolve(process.cwd(), 'www') } };\n";
        assert_eq!(dir("webpack -c config/webpack.js", &[("config/webpack.js", cwd)]).0, "www");
        let bare = "module.exports = { output: { path: require('path').resolve('site') } };\n";
        assert_eq!(dir("webpack -c config/webpack.js", &[("config/webpack.js", bare)]).0, "site");
        // The command line wins; computed paths are named.
        assert_eq!(dir("webpack --output-path www", &[("webpack.config.js", cjs)]).0, "www");
        let computed = "module.exports = { output: { path: process.env.OUT } };\n";
        let (out, assumed) = dir("webpack", &[("webpack.config.js", computed)]);
        assert_eq!((out.as_str(), assumed.map(|a| a.option)), ("dist", Some("output.path".into())));
    }

    #[test]
    fn webpack_dev_server_proxies_are_read_like_vue_clis() {
        let config = "module.exports = {\n  entry: './src/index.js',\n  devServer: {\n    proxy: { '/api': 'http://localhost:3000' },\n  },\n};\n";
        let read = |name: &str| (name == "webpack.config.js").then(|| config.to_owned());
        let proxy = dev_proxy(&read).expect("the dev server's proxy");
        assert_eq!(
            (proxy.file.as_str(), proxy.line, proxy.option.as_str()),
            ("webpack.config.js", 4, "devServer.proxy")
        );
        assert_eq!(proxy.prefixes, ["/api"]);
    }

    #[test]
    fn a_bare_index_html_is_static_without_a_server() {
        assert_eq!(classify(None, None, true, &|_| None), static_kind(""));
        let no_start = json!({ "name": "site", "devDependencies": { "prettier": "3" } });
        assert_eq!(classify(Some(&no_start), None, true, &|_| None), static_kind(""));
        assert_eq!(classify(Some(&no_start), None, false, &|_| None), None);
        assert_eq!(classify(None, None, false, &|_| None), None);
    }

    #[test]
    fn public_dir_is_the_first_positional_argument() {
        let kind = FrontendKind::Static { server: "x".into() };
        for (command, dir) in [
            ("http-server public -p $PORT", "public"),
            ("http-server -p $PORT -a 0.0.0.0 -c-1 ./public/", "public"),
            ("http-server -d false -c 10 site", "site"),
            ("http-server --port 8080 --cors", "."),
            ("serve -s build", "build"),
            ("serve -l tcp://0.0.0.0:$PORT -s dist", "dist"),
            ("npx -y serve --listen $PORT 'my site'", "my site"),
            ("live-server --port=$PORT --no-browser docs", "docs"),
            ("lite-server -c bs-config.json", "."),
            ("static-server -p $PORT -i index.html www", "www"),
            ("sirv public --single --port $PORT", "public"),
            ("node server.js public", "."),
        ] {
            assert_eq!(public_dir(None, Some(command), &kind, &|_| None).0, dir, "{command}");
        }
        assert_eq!(public_dir(None, None, &kind, &|_| None).0, ".");
        assert_eq!(
            public_dir(None, Some("serve -s build"), &FrontendKind::Vite, &|_| None).0,
            "dist"
        );
        assert_eq!(public_dir(None, None, &FrontendKind::CreateReactApp, &|_| None).0, "build");
    }

    #[test]
    fn the_nginx_root_is_read_relative_to_the_app() {
        let conf =
            "http {\n  server {\n    listen <%= ENV['PORT'] %>;\n    root /app/dist;\n  }\n}\n";
        assert_eq!(nginx_root(conf).as_deref(), Some("dist"));
        assert_eq!(nginx_root("root \"/app/build/\";").as_deref(), Some("build"));
        assert_eq!(nginx_root("# no root here"), None);
        assert_eq!(nginx_root("\t\troot /app/dist; # path to your app").as_deref(), Some("dist"));
        assert_eq!(nginx_root("  # root /app/old;\n  root /app/www;").as_deref(), Some("www"));
    }
}
