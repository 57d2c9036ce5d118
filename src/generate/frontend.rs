//! Static frontends: how to recognise one, where its files are, and the build step that
//! bakes the backend's URL into it.
//!
//! On Heroku a frontend could be a small Node process serving files, so it could be told
//! the backend's URL at run time. A Code Capsules static-site Capsule runs no code: the
//! URL must be written into a file at build time, from an environment variable, and Code
//! Capsules shows URLs without `https://`, so the build step adds it.

use serde_json::Value;

/// The kind of frontend an app is, which decides where its files are and how its
/// backend URL gets in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FrontendKind {
    /// Files served as they are. `server` is the program that served them on Heroku
    /// (`http-server`, `serve`, ...), or empty when there was none (a bare `index.html`).
    Static { server: String },
    /// Built by Vite into `dist`.
    Vite,
    /// Built by Create React App (`react-scripts`) into `build`.
    CreateReactApp,
}

impl FrontendKind {
    /// The variable that carries the backend URL into the build: bundlers only expose
    /// variables with their own prefix to browser code.
    pub fn backend_url_var(&self, env: &str) -> String {
        match self {
            FrontendKind::Vite => format!("VITE_{env}"),
            FrontendKind::CreateReactApp => format!("REACT_APP_{env}"),
            FrontendKind::Static { .. } => env.to_owned(),
        }
    }
}

/// The programs that only serve files (`sirv` is sirv-cli's command).
const STATIC_SERVERS: [&str; 6] =
    ["http-server", "serve", "live-server", "lite-server", "static-server", "sirv"];

/// What kind of frontend an app is, or `None` when it is not one (it runs its own server,
/// or nothing shows it serves files).
///
/// `web_command` is the Procfile's `web` command; without one Heroku ran `npm start`.
/// A Vite or Create React App build wins over the static server that served its output;
/// any other program (`node server.js`) means a backend, even with an `index.html`.
pub fn classify(
    package_json: Option<&Value>,
    web_command: Option<&str>,
    has_root_index_html: bool,
) -> Option<FrontendKind> {
    let tool = package_json.and_then(build_tool);
    let Some(command) = serve_command(package_json, web_command) else {
        return match tool {
            Some(kind) => Some(kind),
            None if has_root_index_html => Some(FrontendKind::Static { server: String::new() }),
            None => None,
        };
    };
    let program = Invocation::parse(&command)?.program;
    match (program.as_str(), tool) {
        (_, Some(kind)) if is_static_server(&program) => Some(kind),
        (_, None) if is_static_server(&program) => Some(FrontendKind::Static { server: program }),
        ("vite", _) => Some(FrontendKind::Vite),
        ("react-scripts", _) => Some(FrontendKind::CreateReactApp),
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

/// The folder, relative to the app, whose files the site serves: `dist` for Vite,
/// `build` for Create React App, else the serve command's folder argument
/// (`http-server public -p $PORT` gives `public`, `serve -s build` gives `build`) or `.`.
/// Pass the resolved command ([`serve_command`]), not `npm start`.
pub fn public_dir(command: Option<&str>, kind: &FrontendKind) -> String {
    match kind {
        FrontendKind::Vite => return "dist".to_string(),
        FrontendKind::CreateReactApp => return "build".to_string(),
        FrontendKind::Static { .. } => {}
    }
    let Some(invocation) = command.and_then(Invocation::parse) else {
        return ".".to_string();
    };
    if !is_static_server(&invocation.program) {
        return ".".to_string();
    }
    first_positional(&invocation.program, &invocation.args).map_or(".".to_string(), normalise_dir)
}

/// The build tool a package builds with, judged by its `build` script, then by its
/// dependencies.
fn build_tool(package_json: &Value) -> Option<FrontendKind> {
    let build = package_json.get("scripts").and_then(|s| s.get("build")).and_then(Value::as_str);
    let runs = |words: [&str; 2]| {
        build.is_some_and(|b| {
            let steps = crate::shell::simple_commands(b);
            steps.iter().any(|c| c.words.windows(2).any(|w| w == words))
        })
    };
    if runs(["vite", "build"]) {
        return Some(FrontendKind::Vite);
    }
    if runs(["react-scripts", "build"]) {
        return Some(FrontendKind::CreateReactApp);
    }
    let depends_on = |name: &str| {
        ["dependencies", "devDependencies"]
            .iter()
            .any(|section| package_json.get(section).and_then(|d| d.get(name)).is_some())
    };
    if depends_on("vite") {
        Some(FrontendKind::Vite)
    } else if depends_on("react-scripts") {
        Some(FrontendKind::CreateReactApp)
    } else {
        None
    }
}

fn is_static_server(program: &str) -> bool {
    STATIC_SERVERS.contains(&program)
}

/// A shell command reduced to the program it runs and that program's arguments.
#[derive(Debug, PartialEq)]
struct Invocation {
    program: String,
    args: Vec<String>,
}

impl Invocation {
    /// The last `&&`/`;` step of `command` (the one left running), read with the shell
    /// grammar, without environment
    /// assignments, `cross-env`, `npx` and its flags, a `node_modules/.bin/` path or an
    /// `@version` suffix.
    fn parse(command: &str) -> Option<Invocation> {
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
    fn script_run(&self) -> Option<String> {
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
fn first_positional(server: &str, args: &[String]) -> Option<String> {
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
fn normalise_dir(dir: String) -> String {
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

/// The build step's script: dependency-free CommonJS (name it `*.cjs` so it stays
/// CommonJS under `"type": "module"`), run with `node` before the site is published.
///
/// It reads `env_var`, adds `https://` when the value has no scheme, drops trailing
/// slashes, checks it is an http(s) URL, and writes `window.<global_name> = "<url>";` to
/// `output_file` (a `/`-separated path relative to the script, whose folder it creates).
/// An unset, empty or invalid value fails the build (exit 1) with a message naming the
/// variable, rather than shipping a site that calls the wrong backend.
pub fn build_script(env_var: &str, output_file: &str, global_name: &str) -> String {
    let global = if is_js_identifier(global_name) {
        format!("window.{global_name}")
    } else {
        format!("window[{}]", js_string(global_name))
    };
    BUILD_SCRIPT
        .replace("__VARIABLE_TEXT__", &comment_text(env_var))
        .replace("__OUTPUT_TEXT__", &comment_text(output_file))
        .replace("__GLOBAL_TEXT__", &comment_text(&global))
        .replace("__VARIABLE__", &js_string(env_var))
        .replace("__OUTPUT__", &js_string(output_file))
        .replace("__GLOBAL__", &js_string(&global))
}

/// The script; `__NAME__` are JS string literals, `__NAME_TEXT__` the same text escaped
/// for a `//` comment (no line breaks).
const BUILD_SCRIPT: &str = r#"// Generated by capsule-migrate. Writes the backend's URL into __OUTPUT_TEXT__ as
// __GLOBAL_TEXT__, because a static site cannot read environment variables once deployed.
// Set __VARIABLE_TEXT__ on this Capsule to the backend Capsule's URL (with or without https://),
// for example __VARIABLE_TEXT__=my-api.codecapsules.space, and run this script in the build:
//   node <this file>
"use strict";

const fs = require("fs");
const path = require("path");

const VARIABLE = __VARIABLE__;
const OUTPUT = __OUTPUT__;
const GLOBAL = __GLOBAL__;

function fail(message) {
  console.error("error: " + message);
  process.exit(1);
}

function backendUrl() {
  const raw = (process.env[VARIABLE] || "").trim();
  if (raw === "") {
    fail(VARIABLE + " is not set: set it to the backend's URL (for example " +
      VARIABLE + "=my-api.codecapsules.space)");
  }
  // Code Capsules shows URLs without a scheme.
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(raw) ? raw : "https://" + raw;
  // The frontend appends paths that start with "/".
  const url = withScheme.replace(/\/+$/, "");
  let parsed;
  try {
    parsed = new URL(url);
  } catch (error) {
    fail(VARIABLE + " is not a valid URL: " + JSON.stringify(raw));
  }
  if (parsed.protocol !== "https:" && parsed.protocol !== "http:") {
    fail(VARIABLE + " must be an http or https URL, not " + JSON.stringify(raw));
  }
  return url;
}

const url = backendUrl();
const target = path.join(__dirname, OUTPUT);
fs.mkdirSync(path.dirname(target), { recursive: true });
fs.writeFileSync(
  target,
  "// Generated at build time from " + VARIABLE + " by a capsule-migrate build step. Do not edit.\n" +
    GLOBAL + " = " + JSON.stringify(url) + ";\n",
);
console.log("wrote " + OUTPUT + ": " + GLOBAL + " = " + JSON.stringify(url));
"#;

/// `text` as a JS string literal. JSON strings are JS strings (since ES2019 even with
/// U+2028), and serde_json escapes quotes, backslashes and control characters.
fn js_string(text: &str) -> String {
    serde_json::to_string(text).expect("a string always serialises")
}

/// `text` escaped to stay on one `//` comment line.
fn comment_text(text: &str) -> String {
    let literal = js_string(text);
    // JS also ends lines at U+2028 and U+2029, which JSON leaves as they are.
    literal[1..literal.len() - 1].replace('\u{2028}', "\\u2028").replace('\u{2029}', "\\u2029")
}

fn is_js_identifier(name: &str) -> bool {
    let mut chars = name.chars();
    chars.next().is_some_and(|c| c.is_ascii_alphabetic() || c == '_' || c == '$')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '$')
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
            assert_eq!(classify(None, Some(command), false), static_kind(server), "{command}");
            let package = json!({ "scripts": { "start": command } });
            assert_eq!(classify(Some(&package), None, false), static_kind(server), "{command}");
        }
    }

    #[test]
    fn npm_start_is_followed_to_the_script() {
        let package =
            json!({ "scripts": { "start": "npm run serve", "serve": "http-server www" } });
        assert_eq!(classify(Some(&package), Some("npm start"), false), static_kind("http-server"));
        assert_eq!(classify(Some(&package), Some("yarn serve"), false), static_kind("http-server"));
        assert_eq!(
            serve_command(Some(&package), Some("npm run start")).as_deref(),
            Some("http-server www")
        );
        // Scripts calling each other in a loop end the search instead of spinning.
        let looping = json!({ "scripts": { "start": "npm run a", "a": "npm start" } });
        assert_eq!(classify(Some(&looping), None, true), None);
    }

    #[test]
    fn servers_and_unknown_commands_are_not_frontends() {
        let package = json!({ "scripts": { "start": "node server.js" }, "dependencies": {} });
        assert_eq!(classify(Some(&package), None, true), None);
        assert_eq!(classify(None, Some("node index.js"), true), None);
        assert_eq!(classify(Some(&package), Some("npm start"), false), None);
        // A CRA build served by its own Express server is a backend too.
        let full_stack = json!({
            "scripts": { "start": "node server.js" },
            "dependencies": { "react-scripts": "5" }
        });
        assert_eq!(classify(Some(&full_stack), None, true), None);
    }

    #[test]
    fn build_tools_win_over_the_server_of_their_output() {
        let vite = json!({
            "scripts": { "build": "vite build", "start": "serve -s dist" },
            "devDependencies": { "vite": "^5" }
        });
        assert_eq!(classify(Some(&vite), None, true), Some(FrontendKind::Vite));
        let cra = json!({
            "scripts": { "start": "react-scripts start", "build": "react-scripts build" },
            "dependencies": { "react-scripts": "5.0.1" }
        });
        assert_eq!(classify(Some(&cra), None, false), Some(FrontendKind::CreateReactApp));
        let build_only = json!({ "scripts": { "build": "tsc && vite build" } });
        assert_eq!(classify(Some(&build_only), None, false), Some(FrontendKind::Vite));
        let vite_dev = json!({ "scripts": { "start": "vite --port $PORT" } });
        assert_eq!(classify(Some(&vite_dev), None, false), Some(FrontendKind::Vite));
    }

    #[test]
    fn a_bare_index_html_is_static_without_a_server() {
        assert_eq!(classify(None, None, true), static_kind(""));
        let no_start = json!({ "name": "site", "devDependencies": { "prettier": "3" } });
        assert_eq!(classify(Some(&no_start), None, true), static_kind(""));
        assert_eq!(classify(Some(&no_start), None, false), None);
        assert_eq!(classify(None, None, false), None);
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
            assert_eq!(public_dir(Some(command), &kind), dir, "{command}");
        }
        assert_eq!(public_dir(None, &kind), ".");
        assert_eq!(public_dir(Some("serve -s build"), &FrontendKind::Vite), "dist");
        assert_eq!(public_dir(None, &FrontendKind::CreateReactApp), "build");
    }

    #[test]
    fn build_script_names_its_inputs_and_is_deterministic() {
        let script = build_script("BACKEND_URL", "public/config.js", "BACKEND_URL");
        assert_eq!(script, build_script("BACKEND_URL", "public/config.js", "BACKEND_URL"));
        assert!(script.starts_with("// Generated by capsule-migrate."));
        assert!(script.contains("const VARIABLE = \"BACKEND_URL\";\n"));
        assert!(script.contains("const OUTPUT = \"public/config.js\";\n"));
        assert!(script.contains("const GLOBAL = \"window.BACKEND_URL\";\n"));
        assert!(script.contains("// Set BACKEND_URL on this Capsule"));
        for placeholder in ["__VARIABLE", "__OUTPUT", "__GLOBAL"] {
            assert!(!script.contains(placeholder), "{placeholder} was left:\n{script}");
        }
    }

    #[test]
    fn build_script_escapes_what_it_embeds() {
        let script = build_script("API\"URL", "out/a\nb.js", "my-global");
        assert!(script.contains(r#"const VARIABLE = "API\"URL";"#));
        assert!(script.contains(r#"const OUTPUT = "out/a\nb.js";"#));
        assert!(script.contains(r#"const GLOBAL = "window[\"my-global\"]";"#));
        // The comment header stays comments: every line before the code starts with `//`.
        let header: Vec<&str> = script.lines().take_while(|l| !l.starts_with("\"use")).collect();
        assert!(header.iter().all(|l| l.starts_with("//")), "{header:#?}");
    }
}
