//! Configuration read outside JavaScript: variables declared in `.env.example` and its
//! siblings, a committed `.env`, node-config's `config/custom-environment-variables.json`,
//! Prisma's `env("…")`, and shell (`$X`, `${X}`) in package.json scripts, Procfile
//! commands and the wrapper scripts they start. Also the lockfiles, which say which
//! package manager installs each app.

use std::collections::BTreeSet;

use serde_json::Value;

use super::js::EnvUse;
use super::{App, Error, code::owner, in_node_modules, join, parent};
use crate::source::Source;

mod manager;
mod scripts;

pub use manager::{PackageManager, manager_of, package_manager};
pub use scripts::{command_warnings, run_scripts, runs_by_itself, script_line, started};

/// Config files larger than this are not read.
const MAX_CONFIG: u64 = 256 * 1024;

/// What a config file is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConfigKind {
    /// `.env.example`, `.env.sample`, `.env.template`, `.env.dist`, `sample.env`: the
    /// names an app expects, with placeholder values.
    EnvTemplate,
    /// A committed `.env`: real values, in git history.
    DotEnv,
    /// node-config's `config/custom-environment-variables.json`: which variables override
    /// which settings.
    NodeConfig,
    /// A Prisma schema: `env("…")` reads, and the datasource's database.
    Prisma { database: Option<Database> },
    /// A shell script a run command starts; `assigned` are the variables it sets itself.
    Shell { assigned: Vec<String> },
    /// The package.json of a package inside an app's folder that is not an app itself (a
    /// `server/` the root's build installs with `cd server && npm install`): the names in
    /// its `dependencies`, which run with the app, and whether a bundler builds it (a
    /// frontend: react-scripts, Vite, Next.js, Vue CLI, Angular, Parcel).
    SubPackage { dependencies: Vec<String>, bundled: bool },
}

/// A database a Capsule type exists for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Database {
    PostgreSql,
    MySql,
    MongoDb,
}

/// One config file with the variables it names.
#[derive(Debug, Clone)]
pub struct ConfigFile {
    pub path: String,
    /// The app that holds it (the deepest app folder); `None` for a file of a workspace
    /// package outside every app (a template, node-config's mapping, a Prisma schema, its
    /// package.json).
    pub app: Option<String>,
    pub kind: ConfigKind,
    /// The variables it reads or declares, with their line. Never values.
    pub vars: Vec<EnvUse>,
}

/// Every config file of the apps, in path order, and the lockfiles by folder.
pub fn scan(source: &Source, apps: &[App]) -> Result<(Vec<ConfigFile>, Vec<String>), Error> {
    let mut files = Vec::new();
    let mut lockfiles = Vec::new();
    let wrappers = wrapper_scripts(source, apps);
    for entry in source.entries() {
        if !entry.kind.is_regular() || in_node_modules(&entry.path) {
            continue;
        }
        if entry.size.is_some_and(|s| s > MAX_CONFIG) {
            continue;
        }
        let path = entry.path.as_str();
        let name = path.rsplit('/').next().unwrap_or(path);
        if matches!(
            name,
            "package-lock.json" | "npm-shrinkwrap.json" | "yarn.lock" | "pnpm-lock.yaml"
        ) {
            lockfiles.push(path.to_owned());
            continue;
        }
        let kind = match name {
            ".env.example" | ".env.sample" | ".env.template" | ".env.dist" | "sample.env" => {
                ConfigKind::EnvTemplate
            }
            ".env" => ConfigKind::DotEnv,
            "custom-environment-variables.json" if parent(path).ends_with("config") => {
                ConfigKind::NodeConfig
            }
            // Prisma's early `migrate` copied the schema into each migration's folder: a
            // snapshot of the past, not what the app connects to.
            _ if name.ends_with(".prisma") && !path.split('/').any(|f| f == "migrations") => {
                ConfigKind::Prisma { database: None }
            }
            _ if wrappers.contains(path) => ConfigKind::Shell { assigned: Vec::new() },
            "package.json" => ConfigKind::SubPackage { dependencies: Vec::new(), bundled: false },
            _ => continue,
        };
        // A workspace package outside every app (`packages/db`) declares and reads
        // variables for the apps that load it (`inventory::workspace`).
        let outside_apps = matches!(
            kind,
            ConfigKind::EnvTemplate
                | ConfigKind::NodeConfig
                | ConfigKind::Prisma { .. }
                | ConfigKind::SubPackage { .. }
        );
        let app = owner(apps, path);
        if app.is_none() && !outside_apps {
            continue;
        }
        if let ConfigKind::SubPackage { .. } = kind {
            if apps.iter().any(|a| a.path_of("package.json") == path) {
                continue;
            }
            let (dependencies, bundled) = sub_package_dependencies(source, path)?;
            let kind = ConfigKind::SubPackage { dependencies, bundled };
            files.push(ConfigFile { path: path.to_owned(), app, kind, vars: Vec::new() });
            continue;
        }
        let bytes = source.read(path)?;
        let text = String::from_utf8_lossy(&bytes);
        let (kind, vars) = match kind {
            ConfigKind::EnvTemplate | ConfigKind::DotEnv => (kind, dotenv_names(&text)),
            ConfigKind::NodeConfig => (kind, node_config_names(&text)),
            ConfigKind::Prisma { .. } => {
                let (database, vars) = prisma(&text);
                (ConfigKind::Prisma { database }, vars)
            }
            ConfigKind::Shell { .. } => {
                let shell = shell_env(&text);
                (ConfigKind::Shell { assigned: shell.assigned }, shell.reads)
            }
            ConfigKind::SubPackage { .. } => unreachable!("handled above"),
        };
        files.push(ConfigFile { path: path.to_owned(), app, kind, vars });
    }
    Ok((files, lockfiles))
}

/// Packages whose presence means a bundler builds the package: a frontend.
pub(crate) const BUNDLERS: &[&str] = &[
    "react-scripts",
    "vite",
    "next",
    "@vue/cli-service",
    "@angular/core",
    "parcel",
    "parcel-bundler",
    "@sveltejs/kit",
    "gatsby",
];

/// The names in the `dependencies` of the package.json at `path`, and whether a bundler
/// of [`BUNDLERS`] is among its dependencies or devDependencies; none when it is not
/// JSON (the app's own package.json is checked elsewhere; a broken inner one only loses
/// these facts).
fn sub_package_dependencies(source: &Source, path: &str) -> Result<(Vec<String>, bool), Error> {
    let bytes = source.read(path)?;
    let value: Value = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
    let deps = value.get("dependencies").and_then(Value::as_object);
    let names: Vec<String> = deps.map(|d| d.keys().cloned().collect()).unwrap_or_default();
    let bundled = ["dependencies", "devDependencies"].iter().any(|section| {
        let map = value.get(*section).and_then(Value::as_object);
        map.is_some_and(|m| BUNDLERS.iter().any(|b| m.contains_key(*b)))
    });
    Ok((names, bundled))
}

/// The frontend packages inside `app`'s folder (see [`ConfigKind::SubPackage`]) that none
/// of its commands names: no Procfile line, no run-time script (`cd client && npm run
/// build`, `--prefix client`) and no Scheduler job mentions the folder. The app never
/// builds or serves them (they deploy elsewhere), so what their code reads is not the
/// app's. Folders are repo-relative.
pub fn unbuilt_frontends<'a>(
    files: impl Iterator<Item = &'a ConfigFile>,
    app: &App,
    jobs: &[&str],
) -> Vec<String> {
    let mut commands: Vec<&str> = app.processes().iter().map(|p| p.command.as_str()).collect();
    commands.extend(jobs.iter().copied());
    if let Some(pkg) = &app.package_json {
        commands.extend(run_scripts(app, jobs).iter().filter_map(|s| pkg.script(s)));
    }
    let mentions = |folder: &str| {
        let relative = match app.build_dir() {
            "" => folder,
            dir => folder.strip_prefix(dir).and_then(|f| f.strip_prefix('/')).unwrap_or(folder),
        };
        let last = relative.rsplit('/').next().unwrap_or(relative);
        commands.iter().any(|c| {
            c.split(|ch: char| ch.is_whitespace() || "&;|'\"=()".contains(ch)).any(|word| {
                let word = word.trim_start_matches("./").trim_start_matches("../");
                let word = word.trim_end_matches('/');
                word == relative
                    || word == last
                    || word.starts_with(&format!("{relative}/"))
                    || word.starts_with(&format!("{last}/"))
            })
        })
    };
    files
        .filter_map(|f| match f.kind {
            ConfigKind::SubPackage { bundled: true, .. } => Some(parent(&f.path)),
            _ => None,
        })
        .filter(|folder| !mentions(folder))
        .map(str::to_owned)
        .collect()
}

/// The shell scripts the apps' run commands start: `./start.sh`, `bash bin/web`,
/// `sh scripts/run.sh`, from the Procfile and the `start` scripts.
fn wrapper_scripts(source: &Source, apps: &[App]) -> BTreeSet<String> {
    let mut found = BTreeSet::new();
    for app in apps {
        let mut commands: Vec<&str> = app.processes().iter().map(|p| p.command.as_str()).collect();
        if let Some(pkg) = &app.package_json {
            commands.extend(run_scripts(app, &[]).iter().filter_map(|s| pkg.script(s)));
        }
        for word in commands.iter().flat_map(|c| c.split_whitespace()) {
            let word = word.trim_matches(['"', '\'', ';', '&', '(', ')']);
            let relative = word.strip_prefix("./").unwrap_or(word);
            let looks_like_script = relative.ends_with(".sh")
                || relative.starts_with("bin/")
                || relative.starts_with("scripts/");
            if !looks_like_script || relative.contains("..") {
                continue;
            }
            let path = join(&app.dir, relative);
            let is_shell = path.ends_with(".sh")
                || source.read(&path).is_ok_and(|b| crate::lang::is_shell_shebang(&b));
            if is_shell {
                found.insert(path);
            }
        }
    }
    found
}

/// `NAME=value` and `export NAME=value` lines; comments and blank lines skipped.
fn dotenv_names(text: &str) -> Vec<EnvUse> {
    let mut vars = Vec::new();
    for (index, line) in text.lines().enumerate() {
        let line = line.trim_start();
        let line = line.strip_prefix("export ").map_or(line, str::trim_start);
        let Some((name, _)) = line.split_once('=') else { continue };
        let name = name.trim_end();
        if crate::shell::is_name(name) {
            vars.push(EnvUse::new(name, index + 1));
        }
    }
    vars
}

/// The string leaves of node-config's mapping (`"port": "PORT"`, or
/// `{ "__name": "X", "__format": "json" }`), each a variable name. A file that is not
/// JSON names nothing: node-config would fail on it at start, which is not ours to report.
fn node_config_names(text: &str) -> Vec<EnvUse> {
    let Ok(value) = serde_json::from_str::<Value>(text) else { return Vec::new() };
    let mut names = Vec::new();
    leaves(&value, &mut names);
    let mut vars: Vec<EnvUse> = names
        .into_iter()
        .filter(|n| crate::shell::is_name(n))
        .map(|name| {
            let line = line_of_string(text, &name);
            EnvUse::new(name, line)
        })
        .collect();
    // serde_json's map is sorted by key: the file's order is the lines'.
    vars.sort_by_key(|v| v.line);
    vars
}

fn leaves(value: &Value, out: &mut Vec<String>) {
    match value {
        Value::String(name) => out.push(name.clone()),
        Value::Object(map) => {
            for (key, child) in map {
                if key == "__format" {
                    continue;
                }
                leaves(child, out);
            }
        }
        _ => {}
    }
}

/// The line of the first `"name"` string in `text`, 1 when not found.
fn line_of_string(text: &str, name: &str) -> usize {
    let quoted = format!("\"{name}\"");
    text.find(&quoted).map_or(1, |at| text[..at].matches('\n').count() + 1)
}

/// The datasource's database and every `env("X")` in a Prisma schema.
fn prisma(text: &str) -> (Option<Database>, Vec<EnvUse>) {
    let mut database = None;
    let mut vars = Vec::new();
    let mut in_datasource = false;
    for (index, line) in text.lines().enumerate() {
        let code = line.split("//").next().unwrap_or_default().trim();
        if code.starts_with("datasource ") {
            in_datasource = true;
        } else if code.starts_with('}') {
            in_datasource = false;
        }
        if in_datasource
            && let Some(value) = code.strip_prefix("provider")
            && let Some(value) = value.trim_start().strip_prefix('=')
        {
            database = match value.trim().trim_matches('"') {
                "postgresql" | "postgres" => Some(Database::PostgreSql),
                "mysql" => Some(Database::MySql),
                "mongodb" => Some(Database::MongoDb),
                _ => None,
            };
        }
        let mut rest = code;
        while let Some(at) = rest.find("env(") {
            rest = &rest[at + 4..];
            let inner = rest.trim_start().trim_start_matches('"');
            let name: String =
                inner.chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_').collect();
            if crate::shell::is_name(&name) {
                vars.push(EnvUse::new(name, index + 1));
            }
        }
    }
    (database, vars)
}

/// Variables a shell command reads and sets.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct ShellEnv {
    /// `$X`, `${X}`, `${X:-default}`, in order, with the line inside the text (1-based).
    /// Upper-case names only: lower-case ones are the script's own locals.
    pub reads: Vec<EnvUse>,
    /// `X=...` and `export X=...`, each once.
    pub assigned: Vec<String>,
}

/// Reads and assignments of shell text, through the tool's one shell grammar
/// ([`crate::shell::variables`]): `'$X'` reads nothing.
pub fn shell_env(text: &str) -> ShellEnv {
    let found = crate::shell::variables(text);
    let reads = found
        .reads
        .into_iter()
        .filter(|r| is_config_name(&r.name))
        .map(|r| EnvUse::new(r.name, r.line))
        .collect();
    ShellEnv { reads, assigned: found.assigned }
}

/// Upper-case names that are not the shell's or npm's own.
fn is_config_name(name: &str) -> bool {
    const SHELL: &[&str] = &[
        "HOME",
        "PATH",
        "PWD",
        "OLDPWD",
        "USER",
        "SHELL",
        "TMPDIR",
        "HOSTNAME",
        "INIT_CWD",
        "RANDOM",
        "LINENO",
        "SECONDS",
        "IFS",
        "BASH_SOURCE",
        "UID",
        "TERM",
        "LANG",
    ];
    crate::shell::is_name(name)
        && !name.chars().any(|c| c.is_ascii_lowercase())
        && !SHELL.contains(&name)
}

#[cfg(test)]
mod tests {
    use super::scripts::started_scripts;
    use super::*;

    fn names(vars: &[EnvUse]) -> Vec<(&str, usize)> {
        vars.iter().map(|v| (v.name.as_str(), v.line)).collect()
    }

    #[test]
    fn dotenv_lines_give_names_never_values() {
        let text = "# comment\nAPI_KEY=abc\n\nexport  MONGO_URI = mongodb://x\nnot a line\n=x\n";
        assert_eq!(names(&dotenv_names(text)), [("API_KEY", 2), ("MONGO_URI", 4)]);
    }

    #[test]
    fn node_config_leaves_are_variable_names() {
        let text = "{\n  \"port\": \"PORT\",\n  \"db\": { \"url\": \"MONGODB_URI\",\n    \"opts\": { \"__name\": \"DB_OPTS\", \"__format\": \"json\" } }\n}\n";
        assert_eq!(
            names(&node_config_names(text)),
            [("PORT", 2), ("MONGODB_URI", 3), ("DB_OPTS", 4)]
        );
        assert!(node_config_names("{ not json").is_empty());
    }

    #[test]
    fn prisma_gives_the_provider_and_env_reads() {
        let text = "generator client {\n  provider = \"prisma-client-js\"\n}\n\ndatasource db {\n  provider = \"postgresql\" // managed\n  url      = env(\"DATABASE_URL\")\n  directUrl = env( \"DIRECT_URL\" )\n}\n";
        let (database, vars) = prisma(text);
        assert_eq!(database, Some(Database::PostgreSql));
        assert_eq!(names(&vars), [("DATABASE_URL", 7), ("DIRECT_URL", 8)]);
        assert_eq!(prisma("datasource db {\n provider = \"sqlite\"\n}\n").0, None);
    }

    #[test]
    fn shell_reads_and_assignments() {
        let text = "#!/bin/sh\nexport CMD_DB_URL=\"$DATABASE_URL?ssl=true\"\nPORT=${PORT:-3000} node s.js '$NOT_READ' \"${SECRET}\" $1 $home\n";
        let env = shell_env(text);
        assert_eq!(names(&env.reads), [("DATABASE_URL", 2), ("PORT", 3), ("SECRET", 3)]);
        assert_eq!(env.assigned, ["CMD_DB_URL", "PORT"]);
    }

    #[test]
    fn scripts_started_by_run_commands_run_too() {
        assert_eq!(
            started_scripts("npm run migrate && yarn seed:prod; pnpm run x -- --y"),
            ["migrate", "seed:prod", "x"]
        );
        assert_eq!(started_scripts("yarn --frozen-lockfile && npm run-script build"), ["build"]);
        assert!(started_scripts("node server.js").is_empty());
    }
}
