//! The guide's last sections: scheduled work, warnings and notes, files, and the
//! checklist.

use super::Guide;
use super::md::{self, Md, code, list};
use crate::capsules::{Capsule, CapsuleKind, EnvSource, Replacement, SCHEDULER_REPLACES};

/// The Capsule that runs an app's Scheduler jobs.
fn scheduler_capsule<'a>(g: &'a Guide, app: &str) -> Option<&'a Capsule> {
    g.deployment.capsules_of(app).find(|c| c.replaces.starts_with(SCHEDULER_REPLACES))
}

pub(super) fn scheduler(md: &mut Md, g: &Guide) {
    let jobs = &g.inventory.jobs;
    let clocks: Vec<&Capsule> = g
        .deployment
        .capsules
        .iter()
        .filter(|c| c.heroku_process.as_deref().is_some_and(|p| p == "clock" || p.contains("cron")))
        .collect();
    let scheduler_addon =
        g.deployment.addons.iter().any(|a| a.replacement == Replacement::Scheduler);
    if jobs.is_empty() && clocks.is_empty() && !scheduler_addon {
        return;
    }
    md.heading("Scheduled work");
    if !jobs.is_empty() {
        md.line(
            "Heroku Scheduler ran each job in a one-off dyno. Code Capsules has no scheduler, so \
             a generated node-cron scheduler (`scheduler.js`) runs them as child processes of \
             its Capsule, at the same times:",
        );
        md.blank();
        md.row(&["App", "Job", "Command", "Heroku schedule", "Cron (UTC)", "Capsule"]);
        md.row(&["---"; 6]);
        for job in jobs {
            let app = if job.app.is_empty() { "." } else { job.app.as_str() };
            let capsule = scheduler_capsule(g, app).map_or("—".to_owned(), |c| code(&c.name));
            let mut command = code(&crate::capsules::redacted(&job.command));
            if let Some(process) = &job.process {
                command.push_str(&format!(" (the Procfile's `{process}`, as Heroku ran it)"));
            }
            md.row(&[
                &code(app),
                &code(&job.name),
                &command,
                &job.schedule.describe(),
                &code(&job.schedule.to_cron()),
                &capsule,
            ]);
        }
        md.blank();
        md.line("What is different from Heroku Scheduler:");
        md.blank();
        md.line("- Times stay in UTC, as on Heroku.");
        md.line(
            "- The scheduler Capsule must run exactly one replica: each replica runs every job.",
        );
        md.line(
            "- Jobs share the scheduler Capsule's memory and CPU instead of getting a dyno \
             each: size it for the heaviest job.",
        );
        md.line(
            "- A run due while the Capsule restarts or redeploys is skipped, not caught up \
             (Heroku did not guarantee runs either); a job still running when its next run is \
             due is not started twice.",
        );
        md.line(
            "- For work that must never be missed, an external cron service calling an HTTP \
             endpoint of a backend is an alternative.",
        );
        md.line(
            "- Delete the jobs from Heroku Scheduler once the scheduler Capsule runs, or each \
             job runs twice.",
        );
    } else if scheduler_addon {
        md.line(
            "app.json declares Heroku Scheduler, but no jobs were given. Its jobs live only in \
             Heroku's dashboard: copy them into a jobs file (`[[job]]` with `app`, `command` \
             and `schedule`) and run capsule-migrate again with `--jobs FILE`.",
        );
    }
    for clock in clocks {
        md.line(&format!(
            "- {} runs its own schedule in code, as the `{}` dyno did: keep it at one replica.",
            code(&clock.name),
            clock.heroku_process.as_deref().unwrap_or("clock")
        ));
    }
}

pub(super) fn warnings_and_notes(md: &mut Md, g: &Guide) {
    if !g.warnings.is_empty() {
        md.heading("Check before merging");
        for warning in g.warnings {
            let message = md::prose(&warning.message);
            match (&warning.file, warning.line) {
                (Some(file), Some(line)) => md.line(&format!("- {}:{line}: {message}", code(file))),
                (Some(file), None) => md.line(&format!("- {}: {message}", code(file))),
                _ => md.line(&format!("- {message}")),
            }
        }
    }
    quiet_mentions(md, g);
    if !g.notes.is_empty() {
        md.heading("Notes from the migration");
        for note in g.notes {
            md.line(&format!("- **{}**: {}", md::text(&note.rule), md::prose(&note.message)));
        }
    }
}

/// The lines of documentation and tests that name herokuapp hosts, one each: the
/// warnings above summarise them per folder.
fn quiet_mentions(md: &mut Md, g: &Guide) {
    let mentions = &g.inventory.quiet_mentions;
    if mentions.is_empty() {
        return;
    }
    md.heading("Heroku addresses in documentation and tests");
    md.line(
        "Nothing that runs in production reads these lines; update them once the new \
         Capsules' URLs are known (a test's address may be a fixture that can stay).",
    );
    md.blank();
    for mention in mentions {
        let hosts: Vec<String> = mention.hosts.iter().map(|h| code(h)).collect();
        md.line(&format!("- {}:{}: {}", code(&mention.path), mention.line, md::list(&hosts)));
    }
}

pub(super) fn files(md: &mut Md, g: &Guide) {
    md.heading("Files changed");
    let mut lines: Vec<(String, String)> = g
        .changes
        .iter()
        .map(|c| {
            let line = format!(
                "- {} {} ({})",
                crate::change::action_word(c.action),
                code(&c.path),
                c.rules.join(", ")
            );
            (c.path.clone(), line)
        })
        .collect();
    if let Some((path, action)) = g.own {
        let word = crate::change::action_word(action);
        lines.push((path.to_owned(), format!("- {word} {} (this guide)", code(path))));
    }
    lines.sort();
    for (_, line) in lines {
        md.line(&line);
    }
}

pub(super) fn checklist(md: &mut Md, g: &Guide) {
    md.heading("Checklist");
    let d = g.deployment;
    if !g.warnings.is_empty() {
        md.line("- [ ] Read the warnings above and fix what they ask");
    }
    // A lockfile left behind fails the frozen install: its command gets its own line.
    for item in g.checklist {
        md.line(&format!("- [ ] {item}"));
    }
    md.line(
        "- [ ] Compare each Heroku app's config vars and add-ons with this guide \
         (`heroku config -a <heroku-app>`, `heroku addons -a <heroku-app>`)",
    );
    if !d.capsules.is_empty() {
        md.line("- [ ] Create a Space on Code Capsules");
    }
    for (i, capsule) in d.capsules.iter().enumerate() {
        md.line(&format!("- [ ] {}", create_item(capsule)));
        for var in &capsule.env {
            let EnvSource::CapsuleUrl { capsule: Some(target) } = &var.source else { continue };
            let later = d.capsules.iter().skip(i + 1).any(|c| &c.name == target);
            if later {
                md.line(&format!(
                    "- [ ] Once {} exists, set {} on {} to `https://` and its URL, and restart it",
                    code(target),
                    code(&var.name),
                    code(&capsule.name)
                ));
            }
        }
    }
    for app in &g.inventory.apps {
        let postdeploy = app.app_json.as_ref().and_then(|a| a.value.scripts.postdeploy.as_ref());
        if let Some(postdeploy) = postdeploy {
            md.line(&format!(
                "- [ ] Run the one-time setup {} of {} after the first deploy",
                code(&crate::capsules::redacted(&postdeploy.command)),
                code(app.display_dir())
            ));
        }
    }
    md.line("- [ ] Check that every Capsule builds and starts, and the app works end to end");
    if !g.inventory.jobs.is_empty() {
        md.line("- [ ] Delete the jobs from Heroku Scheduler once the scheduler Capsule runs");
    }
    md.line("- [ ] Point custom domains at the Capsules");
    let scales: Vec<String> = g
        .inventory
        .apps
        .iter()
        .map(|app| {
            let command = code(&scale_to_zero(app));
            if g.inventory.apps.len() > 1 {
                format!("{command} for {}", code(app.display_dir()))
            } else {
                command
            }
        })
        .collect();
    md.line(&format!(
        "- [ ] Scale every Heroku process to zero: {}; then delete the Heroku apps and their \
         add-ons once nothing needs them",
        list(&scales)
    ));
}

/// `heroku ps:scale web=0 worker=0 -a <heroku-app>` for every process type that can run
/// (all but `release`; `web` without a Procfile or with an empty one, since Heroku then
/// ran `npm start`).
fn scale_to_zero(app: &crate::inventory::App) -> String {
    let mut types: Vec<String> = app
        .processes()
        .iter()
        .filter(|p| p.name != "release")
        .map(|p| format!("{}=0", p.name))
        .collect();
    if app.default_web() {
        types.insert(0, "web=0".into());
    }
    format!("heroku ps:scale {} -a <heroku-app>", types.join(" "))
}

fn create_item(c: &Capsule) -> String {
    let mut parts: Vec<String> = Vec::new();
    if let Some(folder) = &c.folder {
        parts.push(format!("folder {}", code(folder)));
    }
    if c.kind == CapsuleKind::Frontend {
        if let Some(build) = &c.build_command {
            parts.push(format!("build {}", code(build)));
        }
        if let Some(output) = &c.output_folder {
            parts.push(format!("output {}", code(output)));
        }
    } else if let Some(run) = &c.run_command {
        parts.push(format!("run {}", code(run)));
    }
    if let Some(replicas) = c.replicas {
        parts.push(format!("{replicas} replica{}", if replicas == 1 { "" } else { "s" }));
    }
    let settings = if parts.is_empty() { String::new() } else { format!(": {}", parts.join(", ")) };
    let vars = match c.env.len() {
        0 => String::new(),
        1 if parts.is_empty() => " and set its variable".to_owned(),
        1 => ", and set its variable".to_owned(),
        n if parts.is_empty() => format!(" and set its {n} variables"),
        n => format!(", and set its {n} variables"),
    };
    let restore = match c.kind {
        CapsuleKind::PostgreSql => " and restore the Heroku data into it",
        CapsuleKind::MySql | CapsuleKind::MongoDb => " and restore the old data into it",
        _ => "",
    };
    format!("Create {} ({}){settings}{vars}{restore}", code(&c.name), c.kind.label())
}
