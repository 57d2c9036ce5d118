//! The Capsules to create on Code Capsules, derived from the inventory.
//!
//! Heroku kept half of a deployment outside the code: dynos per process type, add-ons,
//! config vars and Scheduler jobs. Removing the Procfile and app.json must not lose what
//! they said, so this module turns them into the Capsules a user creates by hand, each
//! with its folder, commands, replicas and environment variables. Every sink (the guide,
//! the text plan, JSON) renders the same [`Deployment`].
//!
//! Nothing here reads a secret: values are shown only when the repository already holds
//! them (a non-secret app.json default, a `VAR=value` Procfile prefix) and the name does
//! not look like a credential.

mod addons;
mod env;
mod launch;
pub mod secret;

#[cfg(test)]
mod tests;

use std::collections::BTreeSet;

use serde::Serialize;

use crate::diag::Warning;
use crate::inventory::frontend::FrontendKind;
use crate::inventory::jobs::Job;
use crate::inventory::procfile::Process;
use crate::inventory::{App, Inventory};
use crate::rules::RuleSet;

pub use addons::{AddonUse, Replacement};
pub use env::{
    CapsuleEnv, EnvScope, EnvSource, HEROKU_RUNTIME, capsule_for_heroku_app, herokuapp_default,
    is_build_time_backend_address, url_path,
};
pub use launch::{Launch, launch, redacted, shell_quote};

/// The kinds of Capsule a Heroku deployment maps to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum CapsuleKind {
    /// Data Capsules come first: the others link to them.
    #[serde(rename = "postgresql")]
    PostgreSql,
    #[serde(rename = "mysql")]
    MySql,
    #[serde(rename = "mongodb")]
    MongoDb,
    Redis,
    Backend,
    /// A static site: built once, served without a Node process.
    Frontend,
}

impl CapsuleKind {
    /// The type as Code Capsules names it in its "New Capsule" dialog.
    pub fn label(self) -> &'static str {
        match self {
            CapsuleKind::PostgreSql => "PostgreSQL",
            CapsuleKind::MySql => "MySQL",
            CapsuleKind::MongoDb => "MongoDB",
            CapsuleKind::Redis => "Redis",
            CapsuleKind::Backend => "Backend",
            CapsuleKind::Frontend => "Frontend (static site)",
        }
    }

    pub fn is_data(self) -> bool {
        matches!(
            self,
            CapsuleKind::PostgreSql
                | CapsuleKind::MySql
                | CapsuleKind::MongoDb
                | CapsuleKind::Redis
        )
    }
}

/// One Capsule to create.
#[derive(Debug, Clone, Serialize)]
pub struct Capsule {
    /// A suggested name, unique in the deployment; other Capsules refer to it.
    pub name: String,
    pub kind: CapsuleKind,
    /// The app folder it deploys (`.` for the root); `None` for data Capsules.
    pub app: Option<String>,
    /// What it replaces on Heroku, for people: `web: node server.js`, an add-on, jobs.
    pub replaces: String,
    /// The project path Code Capsules builds from, like `/` or `/backend`.
    pub folder: Option<String>,
    pub build_command: Option<String>,
    /// What Code Capsules runs, with credential-looking parts as `***` ([`redacted`]).
    pub run_command: Option<String>,
    /// Where a static site's files are after the build, relative to `folder`.
    pub output_folder: Option<String>,
    /// `None` for data Capsules and static sites, which have no processes to scale.
    pub replicas: Option<u64>,
    /// The Heroku process type it runs (`web`, `worker`, ...); `None` for data Capsules
    /// and the scheduler, which replace add-ons.
    pub heroku_process: Option<String>,
    /// The dyno size Heroku's formation gave the process, to pick a similar Capsule size.
    pub heroku_size: Option<String>,
    /// Whose variables `env` lists: the app's, or only those its commands' code reads.
    pub env_scope: EnvScope,
    pub env: Vec<CapsuleEnv>,
    /// What to know or do when creating it, one sentence each.
    pub notes: Vec<String>,
}

/// What became of one Procfile process: a Capsule, or a note saying where it went.
#[derive(Debug, Clone, Serialize)]
pub struct ProcessUse {
    /// The app folder, `.` for the root.
    pub app: String,
    pub name: String,
    pub command: String,
    /// The Capsule that runs it, when one does.
    pub capsule: Option<String>,
    /// Where it went, one sentence.
    pub note: String,
}

/// Everything a user creates on Code Capsules, in the order to create it.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Deployment {
    /// Data Capsules, then backends, then frontends; apps in folder order within each.
    pub capsules: Vec<Capsule>,
    /// Every Procfile process of every app, in app and Procfile order.
    pub processes: Vec<ProcessUse>,
    /// Every app.json add-on of every app, in app and declaration order.
    pub addons: Vec<AddonUse>,
    /// What the plan must warn about the Capsules (the same command run by two of them).
    #[serde(skip)]
    pub warnings: Vec<Warning>,
}

impl Capsule {
    /// Whether it runs the generated node-cron scheduler that replaces Heroku Scheduler.
    pub fn runs_scheduler(&self) -> bool {
        self.replaces.starts_with(SCHEDULER_REPLACES)
    }
}

impl Deployment {
    pub fn capsule(&self, name: &str) -> Option<&Capsule> {
        self.capsules.iter().find(|c| c.name == name)
    }

    /// The Capsules that deploy the app in `dir` (`.` for the root).
    pub fn capsules_of<'a>(&'a self, dir: &str) -> impl Iterator<Item = &'a Capsule> + 'a {
        let dir = dir.to_owned();
        self.capsules.iter().filter(move |c| c.app.as_deref() == Some(dir.as_str()))
    }
}

/// Derives the Capsules for `inventory`, with the variable names the rules use.
pub fn derive(inventory: &Inventory, rules: &RuleSet) -> Deployment {
    let backend_url_env = rules.backend_url_env().unwrap_or("BACKEND_URL");
    let mut builder = Builder {
        inv: inventory,
        backend_url_env,
        names: BTreeSet::new(),
        out: Deployment::default(),
    };
    let data = addons::plan_data(inventory, &mut |base| builder.unique_name(base));
    builder.out.addons = data.uses.clone();
    builder.out.capsules.extend(data.capsules.iter().cloned());
    for app in &inventory.apps {
        builder.app(app, &data);
    }
    env::link_capsules(&mut builder.out, inventory, backend_url_env);
    scheduler_advice(&mut builder.out);
    // A stable sort keeps folder order within each kind.
    builder.out.capsules.sort_by_key(|c| c.kind);
    builder.out
}

struct Builder<'a> {
    inv: &'a Inventory,
    /// The frontends' backend URL variable before any bundler prefix (`BACKEND_URL`).
    backend_url_env: &'a str,
    names: BTreeSet<String>,
    out: Deployment,
}

impl Builder<'_> {
    fn unique_name(&mut self, base: &str) -> String {
        let base = kebab(base);
        let mut name = base.clone();
        let mut n = 2;
        while !self.names.insert(name.clone()) {
            name = format!("{base}-{n}");
            n += 1;
        }
        name
    }

    fn app(&mut self, app: &App, data: &addons::DataPlan) {
        let base = base_name(app);
        let first_process = self.out.processes.len();
        let jobs: Vec<&Job> = self.inv.jobs_of(&app.dir).collect();
        let service = self.inv.runs_a_service(app);
        let mut app_capsules: Vec<Capsule> =
            self.main_capsule(app, &base, service, jobs.is_empty()).into_iter().collect();
        let job_processes = self.other_processes(app, &base, &jobs, &mut app_capsules);
        if !jobs.is_empty() && app.package_json.is_some() {
            let mut capsule = self.scheduler(app, &jobs, service, &base);
            if !job_processes.replaced.is_empty() {
                let list = job_processes.replaced.join(", ");
                capsule.replaces.push_str(&format!(" (and {list})"));
            }
            capsule.notes.extend(job_processes.notes);
            for (process, job, process_capsule) in &job_processes.twice {
                self.runs_twice(app, process, job, process_capsule, &capsule.name);
                let worker = app_capsules.iter_mut().find(|c| &c.name == process_capsule);
                if let Some(worker) = worker {
                    worker.notes.push(format!(
                        "the Scheduler job `{}` runs the same code in `{}`: create this \
                         Capsule only if `heroku ps -a <heroku-app>` lists `{}` dynos",
                        job.name, capsule.name, process.name
                    ));
                }
            }
            app_capsules.push(capsule);
        }

        // The web process was handled first; report them all in Procfile order.
        let order = |name: &str| app.processes().iter().position(|p| p.name == name);
        self.out.processes[first_process..].sort_by_key(|p| order(&p.name));

        let (app_env, env_notes) = env::app_env(self.inv, app, data);
        for capsule in &mut app_capsules {
            match self.commands_of(capsule, app) {
                Some(commands) => {
                    env::add_narrowed_env(capsule, self.inv, app, &app_env, &commands)
                }
                None => env::add_app_env(capsule, &app_env),
            }
            self.add_shell_reads(capsule, app);
            for (note, dotenv) in &env_notes {
                let lists = |file: &String| {
                    capsule.env.iter().any(|v| v.source == EnvSource::DotEnv { file: file.clone() })
                };
                if dotenv.as_ref().is_none_or(lists) {
                    capsule.notes.push(note.clone());
                }
            }
        }
        self.out.capsules.extend(app_capsules);
    }

    /// The Capsule that serves the app: its static site, its web process, or `npm start`
    /// when there is no Procfile (Heroku's default web process).
    fn main_capsule(
        &mut self,
        app: &App,
        base: &str,
        service: bool,
        no_jobs: bool,
    ) -> Option<Capsule> {
        if let Some(frontend) = &app.frontend {
            let name = self.unique_name(base);
            if let Some(web) = app.process("web") {
                let note = "served as a static site: no Node process runs it on Code Capsules";
                self.process_use(app, web, Some(&name), note);
            }
            Some(self.frontend(app, frontend, name))
        } else if let Some(web) = app.process("web") {
            let name = self.unique_name(base);
            self.process_use(app, web, Some(&name), "runs in its own Backend Capsule");
            Some(self.web(app, web, name))
        } else if (app.procfile.is_none() && service)
            || (!service && no_jobs && has_start_script(app))
        {
            let name = self.unique_name(base);
            Some(self.npm_start(app, name))
        } else {
            None
        }
    }

    /// A Capsule or a note for every process but `web`; returns what the scheduler Capsule
    /// must say about the processes that run a Scheduler job's command.
    ///
    /// Heroku starts one `web` dyno by itself and every other type only when scaled
    /// (Dev Center "scaling"); app.json's `formation` shows the quantities meant when the
    /// app was created. A process that runs a job's command keeps its Capsule when the
    /// formation gives it dynos (and both are named in a warning, since both then run the
    /// command); otherwise the scheduler runs it, and the guide says to check `heroku ps`.
    fn other_processes(
        &mut self,
        app: &App,
        base: &str,
        jobs: &[&Job],
        capsules: &mut Vec<Capsule>,
    ) -> JobProcesses {
        let mut out = JobProcesses::default();
        for process in app.processes().iter().filter(|p| p.name != "web") {
            let job =
                jobs.iter().find(|j| crate::shell::same_command(&j.command, &process.command));
            if process.name == "release" {
                self.process_use(app, process, None, &release_note(app));
            } else if let Some(job) = job
                && !app.formation_runs(&process.name)
            {
                let shown = format!("`{}: {}`", process.name, redacted(&process.command));
                let formation_says = match formation(app, &process.name) {
                    Some(_) => format!(
                        "app.json's formation gives `{}` 0 dynos, but Heroku reads it only when \
                         an app is created",
                        process.name
                    ),
                    None => format!(
                        "Heroku runs a type other than `web` only once someone scales it, and \
                         {} does not say whether anyone scaled `{}`",
                        if app.app_json.is_some() {
                            "app.json's formation"
                        } else {
                            "the repository"
                        },
                        process.name
                    ),
                };
                let note = format!(
                    "runs the same command as the Scheduler job `{}`: the node-cron scheduler \
                     runs it on its schedule, so it gets no Capsule of its own ({formation_says}: \
                     if `heroku ps -a <heroku-app>` lists `{}` dynos, give it a Capsule too)",
                    job.name, process.name
                );
                self.process_use(app, process, None, &note);
                out.notes.push(format!(
                    "{shown} runs the same command as the Scheduler job `{}` and gets no Capsule \
                     of its own: {formation_says}. Check `heroku ps -a <heroku-app>`: if it \
                     lists `{}` dynos, Heroku ran the command all the time as well as on the \
                     schedule, so create a Backend Capsule for it too (same folder, run `{}`)",
                    job.name,
                    process.name,
                    redacted(&launch(app, process).command)
                ));
                out.replaced.push(shown);
            } else {
                let name = self.unique_name(&format!("{base}-{}", process.name));
                self.process_use(app, process, Some(&name), "runs in its own Backend Capsule");
                capsules.push(self.other_process(app, process, name.clone()));
                // The same command, or another spelling that runs the same files
                // (`worker: npm run worker` and the job `node worker.js`).
                let same_code =
                    || jobs.iter().find(|j| self.same_code(app, &j.command, &process.command));
                if let Some(job) = job.or_else(same_code) {
                    out.twice.push((process.clone(), (*job).clone(), name));
                }
            }
        }
        out
    }

    /// Whether two commands of `app` run exactly the same files of the repository, all of
    /// them known (see [`crate::inventory::reach`]).
    fn same_code(&self, app: &App, a: &str, b: &str) -> bool {
        let (Some(a), Some(b)) = (self.inv.reach(&app.dir, a), self.inv.reach(&app.dir, b)) else {
            return false;
        };
        a.unresolved.is_none()
            && b.unresolved.is_none()
            && !a.files.is_empty()
            && a.files == b.files
    }

    /// Warns that `process` (in Capsule `process_capsule`) and `job` (in the scheduler
    /// Capsule `scheduler`) run the same command: both keep running it on Code Capsules.
    fn runs_twice(
        &mut self,
        app: &App,
        process: &Process,
        job: &Job,
        process_capsule: &str,
        scheduler: &str,
    ) {
        let procfile = app.procfile.as_ref().map_or("Procfile", |p| p.path.as_str());
        let what = if crate::shell::same_command(&job.command, &process.command) {
            "the same command".to_owned()
        } else {
            let files = self.inv.reach(&app.dir, &job.command).map(|r| r.files.clone());
            let files: Vec<String> =
                files.unwrap_or_default().iter().map(|f| format!("`{f}`")).collect();
            format!("the same code ({}, as `{}`)", files.join(", "), redacted(&job.command))
        };
        let formation_says = match formation(app, &process.name) {
            Some(f) => {
                let quantity = f.quantity.unwrap_or(1);
                format!(
                    "app.json's formation gives `{}` {quantity} dyno{}, but Heroku reads it only \
                     when an app is created",
                    process.name,
                    if quantity == 1 { "" } else { "s" }
                )
            }
            None => format!(
                "Heroku runs `{}` only once someone scales it, and nothing in the repository says \
                 whether anyone did",
                process.name
            ),
        };
        self.out.warnings.push(Warning::at_line(
            procfile,
            process.line,
            format!(
                "`{}: {}` (Capsule `{process_capsule}`) and the Scheduler job `{}` (Capsule \
                 `{scheduler}`) run {what}, so both run it on Code Capsules: all the time and on \
                 the job's schedule. {formation_says}: check `heroku ps -a <heroku-app>`, and if \
                 it lists no `{}` dynos, do not create `{process_capsule}`",
                process.name,
                redacted(&process.command),
                job.name,
                process.name,
            ),
        ));
    }

    /// What a Capsule that runs only some commands of the app runs, each with how people
    /// know it (`the Scheduler job `x``, ``worker``): the scheduler's jobs, or the command
    /// of a process other than `web`. `None` for the Capsules that keep the whole app's
    /// variables: the web process (which may run any of the app's code), a static site.
    fn commands_of(&self, capsule: &Capsule, app: &App) -> Option<Vec<(String, String)>> {
        if capsule.kind != CapsuleKind::Backend {
            return None;
        }
        if capsule.runs_scheduler() {
            let jobs = self.inv.jobs_of(&app.dir);
            return Some(
                jobs.map(|j| (format!("the Scheduler job `{}`", j.name), j.command.clone()))
                    .collect(),
            );
        }
        let process = app.process(capsule.heroku_process.as_deref()?)?;
        (process.name != "web")
            .then(|| vec![(format!("`{}`", process.name), process.command.clone())])
    }

    /// The variables the commands a Capsule runs read through the shell (`$BOT_NAME` in
    /// `bin/bot --name $BOT_NAME`, the release command's `$DEBUG_RELEASE`): Heroku's values,
    /// listed where nothing else lists them yet.
    fn add_shell_reads(&self, capsule: &mut Capsule, app: &App) {
        let procfile = app.procfile.as_ref().map_or("Procfile", |p| p.path.as_str());
        let mut commands: Vec<(String, String)> = Vec::new();
        if let Some(process) = capsule.heroku_process.as_deref().and_then(|p| app.process(p)) {
            commands.push((process.command.clone(), format!("{procfile}:{}", process.line)));
            if process.name == "web"
                && let Some(release) = app.process("release")
            {
                commands.push((release.command.clone(), format!("{procfile}:{}", release.line)));
            }
        } else if capsule.replaces.starts_with(SCHEDULER_REPLACES) {
            for job in self.inv.jobs_of(&app.dir) {
                commands.push((job.command.clone(), format!("the Scheduler job `{}`", job.name)));
            }
        }
        for (command, place) in commands {
            for name in crate::shell::variables_read(&command) {
                if SHELL_OWN.contains(&name.as_str()) || capsule.env.iter().any(|v| v.name == name)
                {
                    continue;
                }
                capsule.env.push(CapsuleEnv {
                    name,
                    source: EnvSource::Code,
                    description: None,
                    required: None,
                    value: None,
                    hidden: false,
                    build_time: false,
                    read_by: vec![place.clone()],
                });
            }
        }
    }

    fn process_use(&mut self, app: &App, process: &Process, capsule: Option<&str>, note: &str) {
        self.out.processes.push(ProcessUse {
            app: app.display_dir().to_owned(),
            name: process.name.clone(),
            command: redacted(&process.command),
            capsule: capsule.map(str::to_owned),
            note: note.to_owned(),
        });
    }

    fn blank(&self, app: &App, name: String, kind: CapsuleKind, replaces: String) -> Capsule {
        let notes = match (&app.run_dir, &app.procfile) {
            (Some(run_dir), Some(procfile)) => vec![format!(
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
            build_command: backend_build(app),
            run_command: None,
            output_folder: None,
            replicas: Some(1),
            heroku_process: None,
            heroku_size: None,
            env_scope: EnvScope::App,
            env: Vec::new(),
            notes,
        }
    }

    fn frontend(&self, app: &App, frontend: &crate::inventory::Frontend, name: String) -> Capsule {
        let replaces = match app.process("web") {
            Some(web) => format!("web: {}", redacted(&web.command)),
            None => "static files".to_owned(),
        };
        let mut capsule = self.blank(app, name, CapsuleKind::Frontend, replaces);
        // The app's own build, or the generated step that writes config.js; a site that
        // calls no backend and has no build script is published as it is.
        let needs_url = self.inv.needs_backend_url(&app.dir, self.backend_url_env);
        let generated_step = needs_url && frontend.kind.loads_config_script();
        capsule.build_command =
            (generated_step || backend_build(app).is_some()).then(|| "npm run build".to_owned());
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

    fn web(&self, app: &App, web: &Process, name: String) -> Capsule {
        let mut capsule =
            self.blank(app, name, CapsuleKind::Backend, format!("web: {}", redacted(&web.command)));
        capsule.heroku_process = Some("web".into());
        let launch = launch(app, web);
        // Shown and copied into Code Capsules: a credential in it becomes a variable.
        capsule.run_command = Some(redacted(&web_run_command(app, &launch)));
        self.apply_launch(&mut capsule, app, web, &launch);
        capsule
    }

    fn other_process(&self, app: &App, process: &Process, name: String) -> Capsule {
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
        if process.name == "clock" || process.name.contains("cron") {
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

    /// Replicas, dyno size, and the `cd`/`VAR=value` parts of the command.
    fn apply_launch(&self, capsule: &mut Capsule, app: &App, process: &Process, launch: &Launch) {
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

    fn npm_start(&self, app: &App, name: String) -> Capsule {
        let replaces = "`npm start` (no Procfile)".to_owned();
        let mut capsule = self.blank(app, name, CapsuleKind::Backend, replaces);
        capsule.run_command = Some("npm start".into());
        // Without a Procfile, Heroku's web process was `npm start`.
        capsule.heroku_process = Some("web".into());
        if let Some(formation) = formation(app, "web") {
            capsule.replicas = Some(formation.quantity.unwrap_or(1));
            capsule.heroku_size.clone_from(&formation.size);
        }
        capsule
    }

    fn scheduler(&mut self, app: &App, jobs: &[&Job], service: bool, base: &str) -> Capsule {
        let names: Vec<String> = jobs.iter().map(|j| format!("`{}`", j.name)).collect();
        let plural = if names.len() == 1 { "" } else { "s" };
        let replaces = format!("{SCHEDULER_REPLACES}{plural} {}", names.join(", "));
        let (name, run) = if service {
            (self.unique_name(&format!("{base}-scheduler")), "npm run scheduler")
        } else {
            (self.unique_name(base), "npm start")
        };
        let mut capsule = self.blank(app, name, CapsuleKind::Backend, replaces);
        capsule.run_command = Some(run.into());
        capsule.notes.push(
            "keep exactly one replica: every replica runs every job (node-cron has no lock \
             across Capsules)"
                .into(),
        );
        capsule
    }
}

/// What the scheduler Capsule of an app must say about the processes that run one of its
/// jobs' commands.
#[derive(Default)]
struct JobProcesses {
    /// `worker: node job.js` for each process the scheduler now runs instead.
    replaced: Vec<String>,
    /// One note per such process: what to check on Heroku.
    notes: Vec<String>,
    /// Processes that keep their Capsule although a job runs the same command: the
    /// process, the job, and the process's Capsule.
    twice: Vec<(Process, Job, String)>,
}

/// Says, for each Heroku Scheduler add-on, which Capsule runs its jobs now.
fn scheduler_advice(out: &mut Deployment) {
    for i in 0..out.addons.len() {
        if out.addons[i].replacement != Replacement::Scheduler {
            continue;
        }
        let runner = out
            .capsules_of(&out.addons[i].app)
            .find(|c| c.replaces.starts_with(SCHEDULER_REPLACES))
            .map(|c| c.name.clone());
        out.addons[i].advice = match &runner {
            Some(name) => format!(
                "the jobs from the jobs file run in `{name}`; delete them from Heroku Scheduler \
                 once it runs, or every job runs twice"
            ),
            None => "no jobs were given for this app: copy them from the Scheduler dashboard \
                     (`heroku addons:open scheduler -a <heroku-app>`) into a jobs file and run \
                     capsule-migrate again with `--jobs FILE`"
                .to_owned(),
        };
        out.addons[i].capsule = runner;
    }
}

/// Variables the shell, the system or Code Capsules sets: a command that reads them needs
/// no config var.
const SHELL_OWN: &[&str] = &["PORT", "NODE_ENV", "PATH", "HOME", "PWD", "USER", "SHELL", "TMPDIR"];

/// How a scheduler Capsule's `replaces` starts (`job` or `jobs`, then their names).
pub const SCHEDULER_REPLACES: &str = "Heroku Scheduler job";

/// The run command of the web Capsule: what Heroku ran, with the release command first.
/// `npm start` only when it runs exactly that: on Heroku a Procfile command other than
/// `npm start` never ran the `prestart` script, so `npm start` is used then only when
/// there is no `prestart` to drag along.
pub fn web_run_command(app: &App, launch: &Launch) -> String {
    let pkg = app.package_json.as_ref();
    let start = pkg.and_then(|p| p.script("start"));
    let has_release = app.process("release").is_some();
    if release_in_prestart(app) {
        return "npm start".into();
    }
    if has_release {
        // The release runs once before the web command, without any lifecycle script.
        let release = app.process("release").expect("checked above");
        return format!("{} && {}", self::launch(app, release).with_env(), launch.command);
    }
    let no_prestart = pkg.is_none_or(|p| p.script("prestart").is_none());
    if is_npm_start(&launch.command) || (start == Some(launch.command.as_str()) && no_prestart) {
        "npm start".into()
    } else {
        launch.command.clone()
    }
}

/// True when the release command becomes (part of) the `prestart` script: the web process
/// is `npm start` (which ran `prestart` on Heroku too), or `npm start` will run the web
/// command and there is no `prestart` whose meaning would change. An app without a web
/// process keeps the `prestart` route (the guide says when to run it by hand).
pub fn release_in_prestart(app: &App) -> bool {
    let Some(pkg) = &app.package_json else { return false };
    if app.process("release").is_none() {
        return false;
    }
    let Some(web) = app.process("web") else { return true };
    let web = launch(app, web).command;
    let start = pkg.script("start");
    is_npm_start(&web)
        || (pkg.script("prestart").is_none() && (start.is_none() || start == Some(web.as_str())))
}

/// The web command the release rule makes the `start` script, when there is none: without
/// it `npm start` (and so `prestart`) would not run the web process.
pub fn start_script_to_add(app: &App) -> Option<String> {
    let pkg = app.package_json.as_ref()?;
    if pkg.script("start").is_some() || !release_in_prestart(app) {
        return None;
    }
    let web = app.process("web")?;
    let launch = launch(app, web);
    (!is_npm_start(&launch.command)).then_some(launch.command)
}

/// `npm start` and its spellings, read with the shell grammar (`npm  start`, `"npm" start`).
pub fn is_npm_start(command: &str) -> bool {
    let steps = crate::shell::simple_commands(command);
    let [step] = steps.as_slice() else { return false };
    if !step.assignments.is_empty() {
        return false;
    }
    let words: Vec<&str> = step.words.iter().map(String::as_str).collect();
    matches!(
        words.as_slice(),
        ["npm", "start"]
            | ["npm", "run", "start"]
            | ["npm", "run-script", "start"]
            | ["yarn", "start"]
            | ["yarn", "run", "start"]
            | ["pnpm", "start"]
            | ["pnpm", "run", "start"]
    )
}

fn release_note(app: &App) -> String {
    if app.package_json.is_some() && app.process("web").is_some() && !release_in_prestart(app) {
        return "runs first in the web Capsule's run command, once per start, before the web \
                command (not as `prestart`: `npm start` would run scripts Heroku never ran here)"
            .into();
    }
    match (&app.package_json, app.process("web")) {
        (Some(_), Some(_)) => "becomes the `prestart` script: `npm start` runs it before the web \
                               process, as Heroku's release phase did"
            .into(),
        (Some(_), None) => "becomes the `prestart` script, but there is no web process: it runs \
                            only before `npm start`; run it by hand before each deploy otherwise"
            .into(),
        (None, Some(_)) => "runs first in the web Capsule's run command, once per start, before \
                            the web command (there is no package.json to hold a `prestart`)"
            .into(),
        (None, None) => "has no package.json to hold a `prestart` script and there is no web \
                         process: run it by hand before each deploy"
            .into(),
    }
}

fn formation<'a>(app: &'a App, process: &str) -> Option<&'a crate::inventory::app_json::Formation> {
    app.app_json.as_ref()?.value.formation.iter().find(|f| f.process == process)
}

fn has_start_script(app: &App) -> bool {
    app.package_json.as_ref().is_some_and(|p| p.script("start").is_some())
}

/// Code Capsules runs `npm run build` on its own when there is a build script; after the
/// release rule, a `heroku-postbuild` script is part of `build`.
fn backend_build(app: &App) -> Option<String> {
    let pkg = app.package_json.as_ref()?;
    (pkg.script("build").is_some() || pkg.script("heroku-postbuild").is_some())
        .then(|| "npm run build".to_owned())
}

/// The project path for an app folder.
pub fn folder(dir: &str) -> String {
    format!("/{dir}")
}

/// The name people know the app by: app.json's name, package.json's name (without an npm
/// scope), the folder's name, or `app`.
fn base_name(app: &App) -> String {
    let from_app_json = app.app_json.as_ref().and_then(|a| a.value.name.clone());
    let from_package = app.package_json.as_ref().and_then(|p| {
        let name = p.value.get("name")?.as_str()?;
        Some(name.rsplit('/').next().unwrap_or(name).to_owned())
    });
    let from_dir = app.dir.rsplit('/').next().filter(|d| !d.is_empty()).map(str::to_owned);
    let base = [from_app_json, from_package, from_dir.clone()]
        .into_iter()
        .flatten()
        .map(|n| kebab(&n))
        .find(|n| !n.is_empty())
        .unwrap_or_else(|| "app".into());
    // A name from files shared with other apps (the app.json APP_BASE / PROCFILE sits in,
    // the package.json it runs from) names the repository: add the app's folder.
    let shared = app.run_dir.is_some()
        || app.app_json.as_ref().is_some_and(|a| crate::inventory::parent(&a.path) != app.dir);
    match from_dir {
        Some(folder) if shared && !base.ends_with(&kebab(&folder)) => {
            format!("{base}-{}", kebab(&folder))
        }
        _ => base,
    }
}

/// Lowercase letters, digits and single dashes, as Capsule names take them.
pub(crate) fn kebab(text: &str) -> String {
    let mut out = String::new();
    for c in text.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    out.trim_end_matches('-').to_owned()
}
