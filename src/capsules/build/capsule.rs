//! The Capsule of each kind the builder makes: a static site, a web process, another
//! process, `npm start`, the scheduler; each with its folder, commands and launch.

use super::{Builder, formation};
use crate::capsules::env::{self, EnvScope};
use crate::capsules::{
    Capsule, CapsuleKind, Launch, SCHEDULER_REPLACES, folder, is_npm_start, launch, redacted,
    release_in_prestart,
};
use crate::inventory::App;
use crate::inventory::config::{PackageManager, manager_of};
use crate::inventory::frontend::FrontendKind;
use crate::inventory::jobs::Job;
use crate::inventory::procfile::Process;

impl Builder<'_> {
    /// The package manager that builds and runs the app (see [`manager_of`]).
    pub(super) fn manager(&self, app: &App) -> PackageManager {
        manager_of(&self.inv.lockfiles, app)
    }

    pub(super) fn blank(
        &self,
        app: &App,
        name: String,
        kind: CapsuleKind,
        replaces: String,
    ) -> Capsule {
        let notes = match (&app.run_dir, &app.procfile, &app.run_reason) {
            (Some(_), Some(procfile), Some(why)) => vec![format!("`{}` {why}", procfile.path)],
            (Some(run_dir), Some(procfile), None) => vec![format!(
                "`{}` has no package.json beside it: its commands run from `{}`, the folder \
                 with the code, as Heroku's monorepo buildpack ran them",
                procfile.path,
                folder(run_dir)
            )],
            _ => Vec::new(),
        };
        Capsule {
            name,
            kind,
            app: Some(app.display_dir().to_owned()),
            replaces,
            folder: Some(folder(app.build_dir())),
            build_command: backend_build(app, self.manager(app)),
            run_command: None,
            output_folder: None,
            replicas: Some(1),
            heroku_process: None,
            heroku_size: None,
            serves_http: None,
            env_scope: EnvScope::App,
            env: Vec::new(),
            notes,
        }
    }

    pub(super) fn frontend(
        &self,
        app: &App,
        frontend: &crate::inventory::Frontend,
        name: String,
    ) -> Capsule {
        let replaces = match app.process("web") {
            Some(web) => format!("web: {}", redacted(&web.command)),
            None => "static files".to_owned(),
        };
        let mut capsule = self.blank(app, name, CapsuleKind::Frontend, replaces);
        // The app's own build, or the generated step that writes config.js; a site that
        // calls no backend and has no build script is published as it is.
        let needs_url = self.inv.needs_backend_url(&app.dir, self.backend_url_env);
        let generated_step = needs_url && frontend.kind.loads_config_script();
        let manager = self.manager(app);
        capsule.build_command =
            (generated_step || backend_build(app, manager).is_some()).then(|| manager.run("build"));
        capsule.output_folder = Some(if frontend.public_dir.is_empty() {
            ".".into()
        } else {
            frontend.public_dir.clone()
        });
        capsule.replicas = None;
        capsule.heroku_process = app.process("web").map(|_| "web".to_owned());
        if let FrontendKind::Static { server } = &frontend.kind
            && !server.is_empty()
        {
            capsule.notes.push(format!(
                "Code Capsules serves the files itself: `{server}` is no longer needed at run time"
            ));
        }
        if needs_url && !matches!(frontend.kind, FrontendKind::Static { .. }) {
            // Bundlers inline the value at build time: a value set later needs a rebuild.
            capsule.notes.push(format!(
                "built by {}: set the backend URL variable before the first build, and \
                 rebuild (redeploy) after changing it",
                frontend.kind.label()
            ));
        }
        capsule
    }

    pub(super) fn web(&self, app: &App, web: &Process, name: String) -> Capsule {
        let mut capsule =
            self.blank(app, name, CapsuleKind::Backend, format!("web: {}", redacted(&web.command)));
        capsule.heroku_process = Some("web".into());
        let launch = launch(app, web);
        // Shown and copied into Code Capsules: a credential in it becomes a variable.
        capsule.run_command = Some(redacted(&web_run_command(app, &launch, self.manager(app))));
        self.apply_launch(&mut capsule, app, web, &launch);
        capsule
    }

    pub(super) fn other_process(&self, app: &App, process: &Process, name: String) -> Capsule {
        let replaces = format!("{}: {}", process.name, redacted(&process.command));
        let mut capsule = self.blank(app, name, CapsuleKind::Backend, replaces);
        capsule.heroku_process = Some(process.name.clone());
        let launch = launch(app, process);
        capsule.run_command = Some(redacted(&launch.command));
        self.apply_launch(&mut capsule, app, process, &launch);
        capsule.notes.push(format!(
            "serves no web traffic: it is Heroku's `{}` process, a long-running background process",
            process.name
        ));
        // Heroku starts one `web` dyno by itself; every other type runs only once scaled.
        if formation(app, &process.name).is_none() {
            capsule.notes.push(format!(
                "on Heroku only `web` runs by default: `{}` ran only if someone scaled it \
                 (app.json's formation does not say); check `heroku ps -a <heroku-app>` and \
                 create this Capsule only if it ran",
                process.name
            ));
        }
        let schedules = self.schedules_in_process(app, &process.command);
        if let Some(found) = &schedules {
            capsule.notes.push(format!(
                "schedules its own tasks with {found}: it keeps doing so on this Capsule, with no \
                 Scheduler job; every replica runs every task, and a run due while the Capsule \
                 is down or redeploying is missed"
            ));
        }
        if process.name == "clock" || process.name.contains("cron") || schedules.is_some() {
            if capsule.replicas.is_some_and(|n| n > 1) {
                capsule.notes.push(format!(
                    "Heroku ran {} `{}` dynos; keep one replica or each scheduled task runs once \
                     per replica",
                    capsule.replicas.unwrap_or(1),
                    process.name
                ));
            }
            capsule.replicas = Some(1);
        }
        capsule
    }

    /// The scheduling libraries (node-cron, node-schedule, cron) the code `command`
    /// runs loads, each with the first file that loads it, for people: "`node-schedule`
    /// (`clock.js`)". `None` when it loads none, or what it runs is not known.
    pub(super) fn schedules_in_process(&self, app: &App, command: &str) -> Option<String> {
        let reach = self.inv.reach(&app.dir, command)?;
        let mut found: Vec<(&str, &str)> = Vec::new();
        for path in &reach.files {
            let Some(file) = self.inv.code.iter().find(|c| c.path == *path) else { continue };
            let facts = &file.facts;
            let libraries = [
                ("node-cron", facts.uses_node_cron),
                ("node-schedule", facts.uses_node_schedule),
                ("cron", facts.uses_cron),
            ];
            for (library, used) in libraries {
                if used && !found.iter().any(|(l, _)| *l == library) {
                    found.push((library, path));
                }
            }
        }
        let shown: Vec<String> = found.iter().map(|(l, f)| format!("`{l}` (`{f}`)")).collect();
        (!shown.is_empty()).then(|| shown.join(" and "))
    }

    /// Replicas, dyno size, and the `cd`/`VAR=value` parts of the command.
    pub(super) fn apply_launch(
        &self,
        capsule: &mut Capsule,
        app: &App,
        process: &Process,
        launch: &Launch,
    ) {
        if let Some(formation) = formation(app, &process.name) {
            capsule.replicas = Some(formation.quantity.unwrap_or(1));
            capsule.heroku_size.clone_from(&formation.size);
            if formation.quantity == Some(0) {
                capsule.notes.push(format!(
                    "app.json's formation gives `{}` 0 dynos: Heroku did not run it; create the \
                     Capsule only if you need it",
                    process.name
                ));
            }
        }
        if let Some(cd) = &launch.unresolved_cd {
            capsule.notes.push(format!(
                "the command changes into `{cd}`, which is not the app folder: it is kept in the \
                 run command so dependencies still install from the app folder"
            ));
        }
        for (name, value) in &launch.env {
            env::push_procfile_env(capsule, &process.name, name, value);
        }
    }

    pub(super) fn npm_start(&self, app: &App, name: String) -> Capsule {
        let replaces = match &app.procfile {
            Some(procfile) if app.default_web() => {
                format!("`npm start` ({} declares no processes)", procfile.path)
            }
            Some(_) => "`npm start`".to_owned(),
            None => "`npm start` (no Procfile)".to_owned(),
        };
        let mut capsule = self.blank(app, name, CapsuleKind::Backend, replaces);
        capsule.run_command = Some(self.manager(app).run("start"));
        // Without a Procfile, Heroku's web process was `npm start`.
        capsule.heroku_process = Some("web".into());
        if let Some(formation) = formation(app, "web") {
            capsule.replicas = Some(formation.quantity.unwrap_or(1));
            capsule.heroku_size.clone_from(&formation.size);
        }
        capsule
    }

    pub(super) fn scheduler(
        &mut self,
        app: &App,
        jobs: &[&Job],
        service: bool,
        base: &str,
    ) -> Capsule {
        let names: Vec<String> = jobs.iter().map(|j| format!("`{}`", j.name)).collect();
        let plural = if names.len() == 1 { "" } else { "s" };
        let replaces = format!("{SCHEDULER_REPLACES}{plural} {}", names.join(", "));
        let manager = self.manager(app);
        let (name, run) = if service {
            (self.unique_name(&format!("{base}-scheduler")), manager.run("scheduler"))
        } else {
            (self.unique_name(base), manager.run("start"))
        };
        let mut capsule = self.blank(app, name, CapsuleKind::Backend, replaces);
        capsule.run_command = Some(run);
        capsule.notes.push(
            "keep exactly one replica: every replica runs every job (node-cron has no lock \
             across Capsules)"
                .into(),
        );
        capsule
    }
}

/// The run command of the web Capsule: what Heroku ran, with the release command first.
/// `npm start` only when it runs exactly that: on Heroku a Procfile command other than
/// `npm start` never ran the `prestart` script, so `npm start` is used then only when
/// there is no `prestart` to drag along.
fn web_run_command(app: &App, launch: &Launch, manager: PackageManager) -> String {
    let pkg = app.package_json.as_ref();
    let start = pkg.and_then(|p| p.script("start"));
    let has_release = app.process("release").is_some();
    if release_in_prestart(app) {
        return manager.run("start");
    }
    if has_release {
        // The release runs once before the web command, without any lifecycle script.
        let release = app.process("release").expect("checked above");
        return format!("{} && {}", self::launch(app, release).with_env(), launch.command);
    }
    let no_prestart = pkg.is_none_or(|p| p.script("prestart").is_none());
    if is_npm_start(&launch.command) || (start == Some(launch.command.as_str()) && no_prestart) {
        manager.run("start")
    } else {
        launch.command.clone()
    }
}

/// Code Capsules runs the build script on its own, with the app's package manager (`npm
/// run build`, `yarn build`), when there is one; after the release rule, a
/// `heroku-postbuild` script is part of `build`.
fn backend_build(app: &App, manager: PackageManager) -> Option<String> {
    let pkg = app.package_json.as_ref()?;
    (pkg.script("build").is_some() || pkg.script("heroku-postbuild").is_some())
        .then(|| manager.run("build"))
}
