//! When an app's package.json scripts and files run: while the app runs, while Code
//! Capsules builds it, or only in Heroku's own build hooks, which nothing runs after the
//! migration.
//!
//! Heroku's Node buildpack ran `heroku-prebuild`, the install (with npm's install hooks),
//! `heroku-postbuild` (or else `build`), then `heroku-cleanup` (HEROKU.md). The
//! `release-phase` rule makes `heroku-postbuild` the `build` script, which Code Capsules
//! runs as `npm run build` before the app starts; `heroku-prebuild` and `heroku-cleanup`
//! stay in package.json but nothing runs them. So a variable only those two read is no
//! setting of the Capsule, and one only the build reads must be set before the build and
//! is not read by the running app.

use std::collections::BTreeSet;

use super::{App, Inventory, code, config, reach};
use crate::source::Source;

/// When a script or file runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Phase {
    /// While the app runs (a Procfile command, `start` and its hooks, a Scheduler job),
    /// or nothing shows it runs only at another time.
    Run,
    /// Only while the app is built: `build` (what `heroku-postbuild` became) and the
    /// install hooks, with what they run.
    Build,
    /// Only in `heroku-prebuild` or `heroku-cleanup`, which Code Capsules never runs.
    Dropped,
}

/// The scripts that start the build on Code Capsules (and did on Heroku): npm's install
/// hooks, `build` and its hooks, and `heroku-postbuild`, which becomes `build`. Heroku ran
/// `heroku-postbuild` *instead of* `build`, so with it `build` counts only where something
/// calls it ([`config::runs_by_itself`]).
const BUILD_ROOTS: &[&str] =
    &["preinstall", "install", "postinstall", "prebuild", "build", "postbuild", "heroku-postbuild"];

/// Heroku-only hooks that the migration leaves in package.json and nothing runs.
pub const DROPPED_HOOKS: &[&str] = &["heroku-prebuild", "heroku-cleanup"];

/// A database migration a build step runs: it connects to the database while the
/// Capsule builds, so the connection variable must be there at build time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BuildMigration {
    /// The script that runs it (`build`, `postinstall`, `heroku-postbuild`).
    pub script: String,
    /// The tool and subcommand as written: `prisma migrate deploy`, `knex migrate:latest`.
    pub command: String,
    /// The variables the tool's configuration reads, each with where (`path:line`); the
    /// tool's documented default (`DATABASE_URL`) with the script's line when its
    /// configuration names none.
    pub vars: Vec<(String, String)>,
}

/// The phases of one app's scripts and files, for those that do not run with the app.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AppPhases {
    /// The app folder, as [`App::dir`] has it.
    pub app: String,
    /// Scripts of its package.json only the build runs.
    pub build_scripts: BTreeSet<String>,
    /// Scripts only `heroku-prebuild` / `heroku-cleanup` run.
    pub dropped_scripts: BTreeSet<String>,
    /// Repo-relative files only the build runs.
    pub build_files: BTreeSet<String>,
    /// Repo-relative files only the dropped hooks run.
    pub dropped_files: BTreeSet<String>,
    /// Database migrations the build runs.
    pub migrations: Vec<BuildMigration>,
}

impl AppPhases {
    pub fn of_script(&self, name: &str) -> Phase {
        if self.build_scripts.contains(name) {
            Phase::Build
        } else if self.dropped_scripts.contains(name) {
            Phase::Dropped
        } else {
            Phase::Run
        }
    }

    pub fn of_file(&self, path: &str) -> Phase {
        if self.build_files.contains(path) {
            Phase::Build
        } else if self.dropped_files.contains(path) {
            Phase::Dropped
        } else {
            Phase::Run
        }
    }
}

/// The phases of every app with a package.json whose build or dropped hooks run
/// something, in app order.
pub fn find(source: &Source, inv: &Inventory, reacher: &reach::LazyReacher) -> Vec<AppPhases> {
    let mut out = Vec::new();
    for app in &inv.apps {
        let Some(pkg) = &app.package_json else { continue };
        let jobs: Vec<&str> = inv.jobs_of(&app.dir).map(|j| j.command.as_str()).collect();
        let mut run_roots: Vec<String> = ["prestart", "start", "poststart"]
            .iter()
            .filter(|s| pkg.script(s).is_some())
            .map(|s| (*s).to_owned())
            .collect();
        let commands: Vec<&str> = app
            .processes()
            .iter()
            .map(|p| p.command.as_str())
            .chain(jobs.iter().copied())
            .collect();
        run_roots.extend(commands.iter().flat_map(|c| config::started(c)).map(str::to_owned));
        let run = closure(app, run_roots);
        let build_all = closure(app, roots(app, BUILD_ROOTS));
        let build: BTreeSet<String> = build_all.difference(&run).cloned().collect();
        let dropped: BTreeSet<String> = closure(app, roots(app, DROPPED_HOOKS))
            .into_iter()
            .filter(|s| !run.contains(s) && !build_all.contains(s))
            .collect();
        let migrations = build_migrations(source, inv, app, &build_all);
        if build.is_empty() && dropped.is_empty() && migrations.is_empty() {
            continue;
        }
        let reacher = reacher.get();
        let reach_all = |names: &[&str]| {
            let reaches: Vec<reach::Reach> =
                names.iter().map(|n| reacher.reach(app, &format!("npm run {n}"))).collect();
            reaches
        };
        let present = |names: &[&'static str]| -> Vec<&'static str> {
            names.iter().copied().filter(|n| config::runs_by_itself(pkg, n)).collect()
        };
        let files_of = |reaches: &[reach::Reach]| -> BTreeSet<String> {
            reaches.iter().flat_map(|r| r.files.iter().cloned()).collect()
        };
        let build_reach = files_of(&reach_all(&present(BUILD_ROOTS)));
        let dropped_reach = files_of(&reach_all(&present(DROPPED_HOOKS)));
        let (mut build_files, mut dropped_files) = (BTreeSet::new(), BTreeSet::new());
        if !build_reach.is_empty() || !dropped_reach.is_empty() {
            let mut run_commands: Vec<String> = commands.iter().map(|c| (*c).to_owned()).collect();
            if app.default_web() && pkg.script("start").is_some() {
                run_commands.push("npm start".into());
            }
            let run_reaches: Vec<reach::Reach> =
                run_commands.iter().map(|c| reacher.reach(app, c)).collect();
            let complete = run_reaches.iter().all(|r| r.unresolved.is_none());
            let run_files = files_of(&run_reaches);
            // Where the running app's code could not be followed, only files that run
            // because a command names them (`scripts/`, `tools/`, `bin/`) can be told apart.
            let only_named = |path: &&String| complete || code::is_script_path(app, path);
            build_files = build_reach
                .iter()
                .filter(|f| !run_files.contains(*f))
                .filter(only_named)
                .cloned()
                .collect();
            dropped_files = dropped_reach
                .iter()
                .filter(|f| !run_files.contains(*f) && !build_reach.contains(*f))
                .filter(only_named)
                .cloned()
                .collect();
        }
        out.push(AppPhases {
            app: app.dir.clone(),
            build_scripts: build,
            dropped_scripts: dropped,
            build_files,
            dropped_files,
            migrations,
        });
    }
    out
}

/// Those of `names` the build or Heroku's hooks run by themselves.
fn roots(app: &App, names: &[&str]) -> Vec<String> {
    let pkg = app.package_json.as_ref();
    names
        .iter()
        .filter(|n| pkg.is_some_and(|p| config::runs_by_itself(p, n)))
        .map(|n| (*n).to_owned())
        .collect()
}

/// The scripts `roots` run, themselves included: those their commands start through a
/// package manager, and npm's `pre`/`post` hooks of each.
fn closure(app: &App, roots: Vec<String>) -> BTreeSet<String> {
    let Some(pkg) = &app.package_json else { return BTreeSet::new() };
    let mut seen = BTreeSet::new();
    let mut queue = roots;
    while let Some(name) = queue.pop() {
        let Some(text) = pkg.script(&name) else { continue };
        if !seen.insert(name.clone()) {
            continue;
        }
        queue.push(format!("pre{name}"));
        queue.push(format!("post{name}"));
        queue.extend(config::started(text).into_iter().map(str::to_owned));
    }
    seen
}

/// One database migration tool: its program names, the subcommands that connect to the
/// database, the files its configuration lives in (by file name start), and the
/// variable it reads when the configuration names none.
struct Tool {
    programs: &'static [&'static str],
    subcommands: &'static [&'static str],
    configs: &'static [&'static str],
    default_var: Option<&'static str>,
}

/// The migration tools real Node apps run in their build (each tool's CLI docs).
/// Prisma reads the datasource's `env()` from the schema; node-pg-migrate and db-migrate
/// read `DATABASE_URL` unless told otherwise.
const TOOLS: &[Tool] = &[
    Tool {
        programs: &["prisma"],
        subcommands: &["migrate deploy", "migrate reset", "db push", "db seed", "migrate dev"],
        configs: &[],
        default_var: Some("DATABASE_URL"),
    },
    Tool {
        programs: &["knex"],
        subcommands: &["migrate:latest", "migrate:up", "migrate:rollback", "seed:run"],
        configs: &["knexfile"],
        default_var: Some("DATABASE_URL"),
    },
    Tool {
        programs: &["sequelize", "sequelize-cli"],
        subcommands: &["db:migrate", "db:seed:all", "db:seed"],
        configs: &[".sequelizerc", "config/config", "config/database", "models/index"],
        default_var: Some("DATABASE_URL"),
    },
    Tool {
        programs: &["typeorm", "typeorm-ts-node-commonjs", "typeorm-ts-node-esm"],
        subcommands: &["migration:run", "schema:sync"],
        configs: &["ormconfig", "data-source", "datasource", "typeorm.config"],
        default_var: Some("DATABASE_URL"),
    },
    Tool {
        programs: &["node-pg-migrate"],
        subcommands: &["up"],
        configs: &[],
        default_var: Some("DATABASE_URL"),
    },
    Tool {
        programs: &["db-migrate"],
        subcommands: &["up", "reset"],
        configs: &["database.json"],
        default_var: Some("DATABASE_URL"),
    },
    Tool {
        programs: &["drizzle-kit"],
        subcommands: &["migrate", "push"],
        configs: &["drizzle.config"],
        default_var: None,
    },
    Tool {
        programs: &["mikro-orm"],
        subcommands: &["migration:up", "schema:update"],
        configs: &["mikro-orm.config"],
        default_var: None,
    },
    Tool {
        programs: &["migrate-mongo"],
        subcommands: &["up"],
        configs: &["migrate-mongo-config"],
        default_var: None,
    },
];

/// The database migrations the scripts in `build` run.
fn build_migrations(
    source: &Source,
    inv: &Inventory,
    app: &App,
    build: &BTreeSet<String>,
) -> Vec<BuildMigration> {
    let Some(pkg) = &app.package_json else { return Vec::new() };
    let mut out = Vec::new();
    for script in build {
        let Some(text) = pkg.script(script) else { continue };
        let line = config::script_line(&pkg.text, script);
        let place = format!("{}:{line}", pkg.path);
        for command in crate::shell::simple_commands(text) {
            let words: Vec<&str> = command.launched().iter().map(String::as_str).collect();
            let Some((tool, written)) = migration(&words) else { continue };
            let mut vars = tool_vars(source, inv, app, tool, &words, &place);
            if vars.is_empty()
                && let Some(name) = tool.default_var
            {
                vars.push((name.to_owned(), place.clone()));
            }
            out.push(BuildMigration { script: script.clone(), command: written, vars });
        }
    }
    out
}

/// The tool and its command as written, when `words` (a program and its arguments,
/// after `npx`, `yarn`, `pnpm exec` and the like) run a migration.
fn migration(words: &[&str]) -> Option<(&'static Tool, String)> {
    let start = words.iter().position(|w| {
        let name = w.rsplit('/').next().unwrap_or(w);
        TOOLS.iter().any(|t| t.programs.contains(&name))
    })?;
    let name = words[start].rsplit('/').next().unwrap_or(words[start]);
    let tool = TOOLS.iter().find(|t| t.programs.contains(&name))?;
    let args: Vec<&str> =
        words[start + 1..].iter().copied().filter(|w| !w.starts_with('-')).collect();
    // Anywhere among the arguments: options with values may come first
    // (`knex --knexfile db/knexfile.js migrate:latest`).
    let sub = tool.subcommands.iter().find(|sub| {
        let parts: Vec<&str> = sub.split(' ').collect();
        args.windows(parts.len()).any(|w| w == parts.as_slice())
    })?;
    Some((tool, format!("{name} {sub}")))
}

/// The variables the tool's configuration reads: Prisma's `env()`, the env reads of its
/// config files (`knexfile.js`, `ormconfig.ts`, ...), db-migrate's `{"ENV": "X"}` and
/// sequelize's `use_env_variable`, node-pg-migrate's `--database-url-var X`.
fn tool_vars(
    source: &Source,
    inv: &Inventory,
    app: &App,
    tool: &Tool,
    words: &[&str],
    script_place: &str,
) -> Vec<(String, String)> {
    let mut vars: Vec<(String, String)> = Vec::new();
    let mut push = |name: &str, place: String| {
        if !vars.iter().any(|(n, _)| n == name) {
            vars.push((name.to_owned(), place));
        }
    };
    if tool.programs.contains(&"prisma") {
        for file in inv.config.iter().filter(|c| c.app.as_deref() == Some(app.dir.as_str())) {
            if let config::ConfigKind::Prisma { .. } = file.kind {
                for var in &file.vars {
                    push(&var.name, format!("{}:{}", file.path, var.line));
                }
            }
        }
    }
    if tool.programs.contains(&"node-pg-migrate")
        && let Some(at) = words.iter().position(|w| *w == "--database-url-var" || *w == "-d")
        && let Some(name) = words.get(at + 1).filter(|n| crate::shell::is_name(n))
    {
        push(name, script_place.to_owned());
    }
    let relative = |path: &str| -> Option<String> {
        match app.build_dir() {
            "" => Some(path.to_owned()),
            dir => path.strip_prefix(dir)?.strip_prefix('/').map(str::to_owned),
        }
    };
    // `knexfile.js` anywhere, `config/database.js` also below a folder
    // (`server/config/database.js`, where `.sequelizerc` points).
    let is_config = |path: &str| {
        relative(path).is_some_and(|rel| {
            let stem = rel.split_once('.').map_or(rel.as_str(), |(s, _)| s);
            let stem = if rel.starts_with('.') { rel.as_str() } else { stem };
            tool.configs.iter().any(|c| {
                let c = c.split_once(".json").map_or(*c, |(s, _)| s);
                stem == c
                    || stem.ends_with(&format!("/{c}"))
                    || stem.rsplit('/').next().is_some_and(|n| n.starts_with(&format!("{c}-")))
            })
        })
    };
    for file in inv.code.iter().filter(|f| !super::in_node_modules(&f.path) && is_config(&f.path)) {
        for read in &file.facts.env_reads {
            push(&read.name, format!("{}:{}", file.path, read.line));
        }
    }
    // JSON configurations name the variable as a value.
    for json in ["database.json", "config/config.json"] {
        let path = app.path_of(json);
        if !is_config(&path) {
            continue;
        }
        let Ok(bytes) = source.read(&path) else { continue };
        let text = String::from_utf8_lossy(&bytes);
        for (index, line) in text.lines().enumerate() {
            for key in ["\"ENV\"", "\"use_env_variable\""] {
                let Some(at) = line.find(key) else { continue };
                let rest = line[at + key.len()..].trim_start().trim_start_matches(':').trim_start();
                let name: String = rest
                    .trim_start_matches('"')
                    .chars()
                    .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
                    .collect();
                if crate::shell::is_name(&name) {
                    push(&name, format!("{path}:{}", index + 1));
                }
            }
        }
    }
    vars
}

#[cfg(test)]
mod tests {
    use super::*;

    fn app(package: &str) -> App {
        App::with_package("", package)
    }

    /// Heroku ran `heroku-postbuild` instead of `build`: a `build` (and its hooks) it does
    /// not call is no build step, and what only that `build` runs is not the build's; one it
    /// calls (`npm run build && ...`) is.
    #[test]
    fn a_postbuild_that_skips_build_leaves_build_out_of_the_build() {
        let files = |package: &'static str| {
            vec![
                ("package.json", package),
                ("scripts/assets.js", "console.log(process.env.CDN_URL);\n"),
                ("scripts/upload.js", "console.log(process.env.BUCKET);\n"),
                ("server.js", "require('http').createServer().listen(process.env.PORT);\n"),
            ]
        };
        let phases = |package: &'static str| {
            let repo = crate::testing::TestRepo::with_files(&files(package));
            let source = Source::Git(repo.open());
            let mut inv = Inventory { apps: vec![app(package)], ..Inventory::default() };
            inv.code = code::scan_all(&source, &inv.apps).unwrap().files;
            let found = find(&source, &inv, &reach::LazyReacher::new(&source, &inv.code));
            let p = found.into_iter().next().expect("the app has build steps");
            (
                p.build_scripts.into_iter().collect::<Vec<_>>(),
                p.build_files.into_iter().collect::<Vec<_>>(),
            )
        };
        let skips = r#"{ "scripts": { "start": "node server.js", "prebuild": "echo $PRE",
            "build": "node scripts/assets.js", "heroku-postbuild": "node scripts/upload.js" } }"#;
        assert_eq!(
            phases(skips),
            (vec!["heroku-postbuild".to_owned()], vec!["scripts/upload.js".to_owned()])
        );
        let calls = r#"{ "scripts": { "start": "node server.js", "prebuild": "echo $PRE",
            "build": "node scripts/assets.js", "heroku-postbuild": "npm run build && node scripts/upload.js" } }"#;
        assert_eq!(
            phases(calls),
            (
                vec!["build".to_owned(), "heroku-postbuild".to_owned(), "prebuild".to_owned()],
                vec!["scripts/assets.js".to_owned(), "scripts/upload.js".to_owned()]
            )
        );
        let app = app(skips);
        let pkg = app.package_json.as_ref().unwrap();
        assert!(!config::runs_by_itself(pkg, "build") && !config::runs_by_itself(pkg, "prebuild"));
        assert!(
            config::runs_by_itself(pkg, "heroku-postbuild") && config::runs_by_itself(pkg, "start")
        );
        let mut running = config::run_scripts(&app, &[]);
        running.sort_unstable();
        assert_eq!(running, ["heroku-postbuild", "start"]);
    }

    /// The variables each tool's configuration names, and `DATABASE_URL` at the script's
    /// line where it names none; migrations outside the build are not the build's.
    #[test]
    fn build_migrations_name_what_their_configuration_reads() {
        let package = r#"{
  "scripts": {
    "start": "node server.js",
    "postinstall": "knex migrate:latest",
    "heroku-postbuild": "npm run db:migrate && node-pg-migrate up -d PG_URL",
    "db:migrate": "sequelize db:migrate",
    "release": "db-migrate up"
  }
}"#;
        let repo = crate::testing::TestRepo::with_files(&[
            ("package.json", package),
            (
                "knexfile.js",
                "module.exports = { connection: process.env.KNEX_DB || 'x' };
",
            ),
            (
                "server/config/database.js",
                "module.exports = { production: { url: process.env.SEQ_DB } };
",
            ),
            (
                "server.js",
                "require('http').createServer().listen(process.env.PORT);
",
            ),
        ]);
        let source = Source::Git(repo.open());
        let apps = vec![app(package)];
        let mut inv = Inventory { apps, ..Inventory::default() };
        inv.code = code::scan_all(&source, &inv.apps).unwrap().files;
        let found = find(&source, &inv, &reach::LazyReacher::new(&source, &inv.code));
        type Row<'a> = (&'a str, &'a str, Vec<(&'a str, &'a str)>);
        let migrations: Vec<Row<'_>> = found[0]
            .migrations
            .iter()
            .map(|m| {
                let vars = m.vars.iter().map(|(n, p)| (n.as_str(), p.as_str())).collect();
                (m.script.as_str(), m.command.as_str(), vars)
            })
            .collect();
        assert_eq!(
            migrations,
            [
                (
                    "db:migrate",
                    "sequelize db:migrate",
                    vec![("SEQ_DB", "server/config/database.js:1")]
                ),
                ("heroku-postbuild", "node-pg-migrate up", vec![("PG_URL", "package.json:5")]),
                ("postinstall", "knex migrate:latest", vec![("KNEX_DB", "knexfile.js:1")]),
            ]
        );
        assert_eq!(
            found[0].build_scripts,
            ["db:migrate", "heroku-postbuild", "postinstall"].map(str::to_owned).into()
        );
    }

    #[test]
    fn migration_commands_in_every_spelling() {
        let cases = [
            ("npx prisma migrate deploy", Some("prisma migrate deploy")),
            ("prisma db push --accept-data-loss", Some("prisma db push")),
            ("prisma generate", None),
            ("node_modules/.bin/knex migrate:latest --env production", Some("knex migrate:latest")),
            ("npx sequelize-cli db:migrate", Some("sequelize-cli db:migrate")),
            ("sequelize db:seed:all", Some("sequelize db:seed:all")),
            (
                "typeorm-ts-node-commonjs migration:run -d src/data-source.ts",
                Some("typeorm-ts-node-commonjs migration:run"),
            ),
            ("node-pg-migrate up", Some("node-pg-migrate up")),
            ("node-pg-migrate create x", None),
            ("db-migrate up -e prod", Some("db-migrate up")),
            ("drizzle-kit push", Some("drizzle-kit push")),
            ("drizzle-kit generate", None),
            ("tsc && knex --help", None),
            ("knex --knexfile db/knexfile.js migrate:latest", Some("knex migrate:latest")),
            ("yarn prisma migrate deploy", Some("prisma migrate deploy")),
        ];
        for (line, expected) in cases {
            let found: Vec<String> = crate::shell::simple_commands(line)
                .iter()
                .filter_map(|c| {
                    let words: Vec<&str> = c.launched().iter().map(String::as_str).collect();
                    migration(&words).map(|(_, w)| w)
                })
                .collect();
            assert_eq!(found.first().map(String::as_str), expected, "{line}");
        }
    }
}
