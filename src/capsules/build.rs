//! Builds the [`Deployment`]: a Capsule (or a note) for every process of every app, the
//! scheduler Capsule for its jobs, the data Capsules for its add-ons, and their names,
//! unique across the repository.

use std::collections::BTreeSet;

use crate::diag::Warning;
use crate::inventory::config::PackageManager;
use crate::inventory::jobs::Job;
use crate::inventory::procfile::Process;
use crate::inventory::{App, Inventory};
use crate::rules::RuleSet;

mod capsule;

use super::env::EnvSource;
use super::{
    Capsule, CapsuleKind, Deployment, ProcessUse, Replacement, SCHEDULER_REPLACES, addons,
    base_name, env, kebab, launch, redacted, release_in_prestart,
};

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
    builder.out.warnings.extend(data.warnings.iter().cloned());
    builder.out.capsules.extend(data.capsules.iter().cloned());
    for app in &inventory.apps {
        builder.app(app, &data);
    }
    super::links::link_capsules(&mut builder.out, inventory, backend_url_env);
    scheduler_advice(&mut builder.out);
    // A stable sort keeps folder order within each kind.
    builder.out.capsules.sort_by_key(|c| c.kind);
    builder.out
}

/// The warning for a Procfile that declares processes but no `web`: Heroku's Node.js
/// buildpack still gave the app its default web process, `npm start` (its `bin/release`
/// prints `default_process_types: web: npm start` unless the Procfile has an `mcp*`
/// type), and Heroku starts one web dyno on an app's first deploy (HEROKU.md). When
/// that command is none of the Procfile's, it may have served the app beside them. Not
/// when another app built in the same folder (a multi-procfile sibling) has a `web`
/// process: its Capsule runs that command.
fn default_web_beside(inv: &Inventory, app: &App) -> Option<Warning> {
    let procfile = app.procfile.as_ref()?;
    let processes = app.processes();
    let mcp = processes.iter().any(|p| p.name.to_ascii_lowercase().starts_with("mcp"));
    if processes.is_empty() || app.process("web").is_some() || mcp {
        return None;
    }
    let start = app.package_json.as_ref()?.script("start")?;
    let runs_start = |p: &Process| {
        super::is_npm_start(&p.command) || crate::shell::same_command(&p.command, start)
    };
    let sibling_web = inv.apps.iter().any(|other| {
        other.dir != app.dir
            && other.build_dir() == app.build_dir()
            && other.process("web").is_some()
    });
    if processes.iter().any(runs_start) || sibling_web {
        return None;
    }
    Some(Warning::in_file(
        &procfile.path,
        format!(
            "has no `web` process, so Heroku's Node.js buildpack gave the app its default \
             one, `npm start` (`{}`), and Heroku starts one web dyno on an app's first \
             deploy: if `heroku ps -a <heroku-app>` lists `web` dynos, that command ran too; \
             give it a Backend Capsule running `npm start`",
            redacted(start)
        ),
    ))
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
        self.out.warnings.extend(default_web_beside(self.inv, app));
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
    /// when there is no Procfile or it declares no processes (Heroku's default web process).
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
            let mut capsule = self.web(app, web, name.clone());
            let note = match self.judge_listening(app, &web.command, &mut capsule) {
                Some(false) => {
                    "runs in its own Backend Capsule; its code never listens on a \
                                port, so it serves no HTTP (a background process in all but name)"
                }
                _ => "runs in its own Backend Capsule",
            };
            self.process_use(app, web, Some(&name), note);
            Some(capsule)
        } else if (app.default_web() && service) || (!service && no_jobs && has_start_script(app)) {
            let name = self.unique_name(base);
            let mut capsule = self.npm_start(app, name);
            if app.default_web() {
                self.judge_listening(app, crate::inventory::reach::DEFAULT_WEB, &mut capsule);
            }
            Some(capsule)
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
            // A job that names the process type (`worker 42`) runs it too, as the same
            // command does.
            let job = jobs.iter().find(|j| {
                j.process.as_deref() == Some(process.name.as_str())
                    || crate::shell::same_command(&j.command, &process.command)
            });
            if process.name == "release" {
                self.process_use(app, process, None, &release_note(app, self.manager(app)));
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
                let same = if crate::shell::same_command(&job.command, &process.command) {
                    "runs the same command as"
                } else {
                    "is the process run (with arguments) by"
                };
                let note = format!(
                    "{same} the Scheduler job `{}`: the node-cron scheduler \
                     runs it on its schedule, so it gets no Capsule of its own ({formation_says}: \
                     if `heroku ps -a <heroku-app>` lists `{}` dynos, give it a Capsule too)",
                    job.name, process.name
                );
                self.process_use(app, process, None, &note);
                out.notes.push(format!(
                    "{shown} {same} the Scheduler job `{}` and gets no Capsule \
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
                let mut capsule = self.other_process(app, process, name.clone());
                self.judge_listening(app, &process.command, &mut capsule);
                if !jobs.is_empty() {
                    self.warn_schedules_twice(app, process, &name);
                }
                capsules.push(capsule);
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

    /// Sets whether the Capsule's web `command` serves on a port, from the code it runs
    /// ([`crate::inventory::reach::Reach::listening`]), and when it does not, says so and
    /// what that means on Code Capsules. Returns what was found (`None`: unknown).
    fn judge_listening(&self, app: &App, command: &str, capsule: &mut Capsule) -> Option<bool> {
        use crate::inventory::reach::Listening;
        let reach = if capsule.heroku_process.as_deref() == Some("web") {
            self.inv.web_reach(&app.dir, command)?
        } else {
            self.inv.reach(&app.dir, command)?
        };
        match reach.listening() {
            Listening::Yes(_) => capsule.serves_http = Some(true),
            Listening::No => {
                capsule.serves_http = Some(false);
                // Other process types already say they serve no web traffic.
                if capsule.heroku_process.as_deref() == Some("web") {
                    capsule.notes.push(no_http_note(&reach.command, &reach.files));
                }
            }
            Listening::Unknown => {}
        }
        capsule.serves_http
    }

    /// Warns when `process` (in Capsule `capsule`) schedules tasks in its own code while
    /// Scheduler jobs are given for its app: the generated scheduler runs the jobs beside
    /// it, so a job that repeats one of its tasks runs twice.
    fn warn_schedules_twice(&mut self, app: &App, process: &Process, capsule: &str) {
        let Some(found) = self.schedules_in_process(app, &process.command) else { return };
        let procfile = app.procfile.as_ref().map_or("Procfile", |p| p.path.as_str());
        self.out.warnings.push(Warning::at_line(
            procfile,
            process.line,
            format!(
                "`{}: {}` (Capsule `{capsule}`) schedules its own tasks with {found}, and \
                 Scheduler jobs are given for `{}`: the generated scheduler runs those jobs \
                 too, so a job that repeats one of its tasks now runs twice; leave such a job \
                 out of the jobs file",
                process.name,
                redacted(&process.command),
                app.display_dir(),
            ),
        ));
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
            let chosen = crate::inventory::workspace::member_variables(&command);
            if !chosen.is_empty() {
                let vars: Vec<String> = chosen.iter().map(|n| format!("`{n}`")).collect();
                capsule.notes.push(format!(
                    "{place} picks the workspace package to run by {}: Heroku ran one app per \
                     package from this repository, each with its own value (`heroku config -a \
                     <heroku-app>` shows it). Create one Capsule per package, each with the \
                     folder `/` and its own value set before the first build",
                    vars.join(" and ")
                ));
            }
            for name in crate::shell::variables_read(&command) {
                if SHELL_OWN.contains(&name.as_str()) {
                    continue;
                }
                // Known already (a build step's read, say): the process's own command
                // reads it too, so the running Capsule needs it as well.
                if let Some(var) = capsule.env.iter_mut().find(|v| v.name == name) {
                    var.run_time = true;
                    if !var.read_by.contains(&place) {
                        var.read_by.push(place.clone());
                    }
                    continue;
                }
                let mut var = super::env::blank(&name, EnvSource::Code);
                var.build_time = false;
                var.read_by = vec![place.clone()];
                capsule.env.push(var);
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

fn release_note(app: &App, manager: PackageManager) -> String {
    let start = manager.run("start");
    if let (Some(why), Some(_)) = (app.skips_pre_scripts, app.process("web")) {
        return format!(
            "runs first in the web Capsule's run command, once per start, before the web \
             command (not as `prestart`: {why})"
        );
    }
    if app.package_json.is_some() && app.process("web").is_some() && !release_in_prestart(app) {
        return format!(
            "runs first in the web Capsule's run command, once per start, before the web \
             command (not as `prestart`: `{start}` would run scripts Heroku never ran here)"
        );
    }
    match (&app.package_json, app.process("web")) {
        (Some(_), Some(_)) => format!(
            "becomes the `prestart` script: `{start}` runs it before the web process, as \
             Heroku's release phase did"
        ),
        (Some(_), None) => format!(
            "becomes the `prestart` script, but there is no web process: it runs only before \
             `{start}`; run it by hand before each deploy otherwise"
        ),
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

/// What a web Capsule whose code never listens must know. Heroku: a `web` dyno that binds
/// no `$PORT` within 60 s is stopped (Dev Center "Error codes", R10 Boot timeout).
/// Code Capsules (docs.codecapsules.io, Backend Capsule > Configure): the Network Port,
/// default 3000, is the port the app "must be configured to listen on"; the docs do not
/// say what happens to a Capsule that never listens, so the note says so.
fn no_http_note(command: &str, files: &[String]) -> String {
    let shown: Vec<String> = files.iter().take(3).map(|f| format!("`{f}`")).collect();
    let more = match files.len().saturating_sub(3) {
        0 => String::new(),
        n => format!(" and {n} more"),
    };
    format!(
        "serves no HTTP: every file `{}` runs was read ({}{more}) and none listens on a port \
         or reads `PORT`, so it is a background process (a bot that polls, a queue consumer), \
         a `worker` in Heroku's terms; on Heroku a `web` process that binds no `$PORT` within \
         60 s is stopped (error R10), so check with `heroku ps -a <heroku-app>` how it ran. \
         Code Capsules' docs ask a Backend Capsule's app to listen on its Network Port \
         (default 3000) and do not say what happens to one that never does: after the first \
         deploy, check in its Logs tab that it keeps running. Nothing should call its URL \
         (`APP_URL`)",
        redacted(command),
        shown.join(", ")
    )
}
