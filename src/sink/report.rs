//! The report for people: the text plan, the commit message and what `apply` prints.

use std::io::{self, Write};

use crate::capsules::{
    Capsule, CapsuleEnv, Deployment, DevDefault, EnvScope, EnvSource, Replacement,
};
use crate::migration::Migration;
use crate::source::GitRepo;

/// The text plan: apps, processes, jobs, each change with its rule, notes and warnings.
pub fn write_text(m: &Migration, out: &mut dyn Write) -> io::Result<()> {
    let mut text = Vec::new();
    write_text_unredacted(m, &mut text)?;
    // The last line of defence behind the redaction of each command and value.
    let text = String::from_utf8_lossy(&text);
    out.write_all(crate::capsules::secret::redact_known(&text).as_bytes())
}

fn write_text_unredacted(m: &Migration, out: &mut dyn Write) -> io::Result<()> {
    writeln!(out, "{}", source_line(m))?;
    let inv = &m.inventory;
    if inv.apps.is_empty() {
        writeln!(out)?;
        writeln!(out, "{}", crate::migration::nothing_to_do(m))?;
        return write_warnings(m, out);
    }
    writeln!(out)?;
    writeln!(out, "Apps ({}):", inv.apps.len())?;
    for app in &inv.apps {
        write_app(m, app, out)?;
    }
    // Nothing to do lists nothing to create.
    if !m.plan.is_empty() {
        write_capsules(m, out)?;
    }
    writeln!(out)?;
    if m.plan.is_empty() {
        writeln!(out, "{}", crate::migration::nothing_to_do(m))?;
    } else {
        write_changes(m, out)?;
    }
    if !m.plan.notes.is_empty() {
        writeln!(out)?;
        writeln!(out, "Notes:")?;
        for note in &m.plan.notes {
            writeln!(out, "  [{}] {}", note.rule, note.message)?;
        }
    }
    write_warnings(m, out)
}

/// One app: why it is one, its Node version, frontend, processes (and what runs each
/// now), jobs, add-ons and variables.
fn write_app(m: &Migration, app: &crate::inventory::App, out: &mut dyn Write) -> io::Result<()> {
    writeln!(out, "  {}", crate::terminal::quote_path(app.display_dir()))?;
    for why in &app.evidence {
        writeln!(out, "    found: {why}")?;
    }
    if let Some(node) = app.package_json.as_ref().and_then(|p| p.engines_node()) {
        writeln!(out, "    engines.node: {node}")?;
    }
    if let Some(frontend) = &app.frontend {
        writeln!(out, "    frontend: {}", frontend_summary(frontend))?;
    }
    let deployment = &m.plan.capsules;
    for process in app.processes() {
        let command = crate::capsules::redacted(&process.command);
        writeln!(out, "    process {}: {command}", process.name)?;
        let used = deployment
            .processes
            .iter()
            .find(|p| p.app == app.display_dir() && p.name == process.name);
        match used {
            Some(used) if used.capsule.is_some() => {
                let capsule = used.capsule.as_deref().unwrap_or_default();
                writeln!(out, "      -> Capsule {capsule}: {}", used.note)?;
            }
            Some(used) => writeln!(out, "      -> {}", used.note)?,
            None => {}
        }
    }
    for job in m.inventory.jobs_of(&app.dir) {
        let schedule = job.schedule.describe();
        let command = crate::capsules::redacted(&job.command);
        let process = match &job.process {
            Some(process) => format!(", the Procfile's `{process}` process, as Heroku ran it"),
            None => String::new(),
        };
        writeln!(out, "    job {}: {command} ({schedule}, UTC{process})", job.name)?;
    }
    for addon in deployment.addons.iter().filter(|a| a.app == app.display_dir()) {
        let target = match (addon.replacement, &addon.capsule) {
            (Replacement::DataCapsule, Some(capsule)) => format!("Capsule {capsule}"),
            (Replacement::Scheduler, Some(capsule)) => {
                format!("the node-cron scheduler in Capsule {capsule}")
            }
            (Replacement::Scheduler, None) => {
                "the node-cron scheduler, once its jobs are given with --jobs".to_owned()
            }
            _ => "no direct equivalent (see the guide)".to_owned(),
        };
        // The escaping writer keeps line breaks; names from JSON may hold them.
        let spec = addon.spec();
        writeln!(out, "    add-on {} -> {target}", crate::terminal::escape(&spec))?;
    }
    let names = env_names(deployment, app.display_dir());
    if !names.is_empty() {
        writeln!(out, "    env: {}", crate::terminal::escape(&names.join(", ")))?;
    }
    Ok(())
}

/// The changed files with their rules, and what each rule is for.
fn write_changes(m: &Migration, out: &mut dyn Write) -> io::Result<()> {
    writeln!(out, "Changes ({} files):", m.plan.changes.len())?;
    let paths: Vec<_> =
        m.plan.changes.iter().map(|c| crate::terminal::quote_path(&c.path)).collect();
    let width = paths.iter().map(|p| p.chars().count()).max().unwrap_or(0);
    for (change, path) in m.plan.changes.iter().zip(&paths) {
        let action = crate::change::action_word(change.action);
        let rules = change.rules.join(", ");
        writeln!(out, "  {action:<6}  {path:<width$}  [{rules}]")?;
    }
    writeln!(out)?;
    writeln!(out, "Rules:")?;
    for id in m.plan.rules_applied(&m.rules) {
        if let Some(rule) = m.rules.get(id) {
            writeln!(out, "  {id}: {}", rule.description)?;
            writeln!(out, "    why: {}", one_line(&rule.reason))?;
        }
    }
    Ok(())
}

/// Every variable the app's Capsules need, each once, in Capsule order.
fn env_names(deployment: &Deployment, app: &str) -> Vec<String> {
    let mut names: Vec<String> = Vec::new();
    for capsule in deployment.capsules_of(app) {
        for var in &capsule.env {
            if !names.contains(&var.name) {
                names.push(var.name.clone());
            }
        }
    }
    names
}

/// The Capsules to create, in order, each with its settings and variables.
fn write_capsules(m: &Migration, out: &mut dyn Write) -> io::Result<()> {
    let capsules = &m.plan.capsules.capsules;
    if capsules.is_empty() {
        return Ok(());
    }
    writeln!(out)?;
    writeln!(out, "Capsules to create ({}), in this order:", capsules.len())?;
    for (i, capsule) in capsules.iter().enumerate() {
        let (number, name, kind) = (i + 1, &capsule.name, capsule.kind.label());
        writeln!(out, "  {number}. {name} [{kind}]{}", settings(capsule))?;
        writeln!(out, "       replaces {}", capsule.replaces)?;
        if capsule.serves_http == Some(false) && capsule.heroku_process.as_deref() == Some("web") {
            writeln!(
                out,
                "       serves no HTTP: its code never listens on a port (no port or health check; see the guide)"
            )?;
        }
        if let Some(scope) = env_scope(&capsule.env_scope) {
            writeln!(out, "       variables: {}", crate::terminal::escape(&scope))?;
        }
        if !capsule.env.is_empty() {
            let vars: Vec<String> = capsule.env.iter().map(env_summary).collect();
            writeln!(out, "       env: {}", crate::terminal::escape(&vars.join(", ")))?;
        }
    }
    if let Some(file) = m.rules.guide_file()
        && m.plan.changes.iter().any(|c| c.path == file)
    {
        writeln!(
            out,
            "  How to create each one: {file}, written by the migration (also `plan --format markdown`)."
        )?;
    }
    Ok(())
}

fn settings(c: &Capsule) -> String {
    let mut parts: Vec<String> = Vec::new();
    if let Some(folder) = &c.folder {
        parts.push(format!("folder {folder}"));
    }
    if let Some(build) = &c.build_command {
        parts.push(format!("build `{build}`"));
    }
    if let Some(run) = &c.run_command {
        parts.push(format!("run `{run}`"));
    }
    if let Some(output) = &c.output_folder {
        parts.push(format!("output {output}"));
    }
    if let Some(replicas) = c.replicas {
        parts.push(format!("{replicas} replica{}", if replicas == 1 { "" } else { "s" }));
    }
    if parts.is_empty() { String::new() } else { format!(" {}", parts.join(", ")) }
}

/// Whose variables a Capsule lists, when not simply the app's: one line.
fn env_scope(scope: &EnvScope) -> Option<String> {
    match scope {
        EnvScope::App => None,
        EnvScope::Code { files, .. } if files.is_empty() => {
            Some("only those its command reads (it runs no code of the repository)".into())
        }
        EnvScope::Code { files, .. } => {
            let shown: Vec<&str> = files.iter().take(4).map(String::as_str).collect();
            let more = match files.len() - shown.len() {
                0 => String::new(),
                n => format!(" and {n} more"),
            };
            Some(format!("those read by the code it runs ({}{more})", shown.join(", ")))
        }
        EnvScope::Fallback { reason } => Some(format!("the whole app's, since {reason}")),
    }
}

/// A variable and, briefly, where its value comes from, then when it is read and what
/// the code does without it.
fn env_summary(var: &CapsuleEnv) -> String {
    let mut tags: Vec<String> = Vec::new();
    if !var.run_time {
        tags.push("build only".into());
    } else if !var.build_reads.is_empty() {
        tags.push("also at build".into());
    }
    let linked = matches!(var.source, EnvSource::DataCapsule { .. });
    let shown = |var: &CapsuleEnv| match &var.default {
        Some(value) => format!(" {}", crate::capsules::shown_default(value)),
        None => String::new(),
    };
    if linked {
        // The link sets it; the code's fallback never applies.
        if var.dev_default == Some(DevDefault::Local) {
            tags.push(format!("set by the link; code default{} is local only", shown(var)));
        }
    } else if var.default_secret {
        tags.push("a secret's default is in the code: set it".into());
    } else if let Some(dev) = var.dev_default {
        tags.push(match dev {
            DevDefault::Local => format!("code default{} is local only: set it", shown(var)),
            DevDefault::Placeholder => {
                format!("required; code default{} is a placeholder", shown(var))
            }
        });
    } else if var.default_hidden {
        tags.push("optional, default not shown".into());
    } else if var.optional {
        tags.push(match &var.default {
            Some(value) => format!("optional, default {}", crate::capsules::shown_default(value)),
            None => "optional".into(),
        });
    }
    match var.dev_value {
        Some(DevDefault::Local) => tags.push("app.json's default is local only".into()),
        Some(DevDefault::Placeholder) => tags.push("app.json's default is a placeholder".into()),
        None => {}
    }
    let summary = source_summary(var);
    if tags.is_empty() { summary } else { format!("{summary} [{}]", tags.join("; ")) }
}

fn source_summary(var: &CapsuleEnv) -> String {
    let name = &var.name;
    match &var.source {
        EnvSource::DataCapsule { capsule } => format!("{name} (link {capsule})"),
        EnvSource::CapsuleUrl { capsule: Some(capsule) } => format!("{name} (URL of {capsule})"),
        EnvSource::CapsuleUrl { capsule: None } => format!("{name} (a Capsule's URL)"),
        EnvSource::Procfile { .. } => match &var.value {
            Some(value) => format!("{name}={value}"),
            None => format!("{name} (Procfile; a credential, not shown)"),
        },
        EnvSource::AppJson { secret: false } if var.hidden => {
            format!("{name} (app.json holds a credential, not shown)")
        }
        EnvSource::AppJson { secret: true } => format!("{name} (secret)"),
        EnvSource::Addon { service } => format!("{name} ({service})"),
        EnvSource::Heroku => format!("{name} (Heroku only)"),
        EnvSource::DotEnv { file } => format!("{name} (committed in {file})"),
        EnvSource::HerokuBuild => format!("{name} (not needed)"),
        EnvSource::CodeCapsules => format!("{name} (set by Code Capsules)"),
        EnvSource::AppJson { secret: false } | EnvSource::Code => name.clone(),
    }
}

fn write_warnings(m: &Migration, out: &mut dyn Write) -> io::Result<()> {
    if m.plan.warnings.is_empty() {
        return Ok(());
    }
    writeln!(out)?;
    writeln!(out, "Warnings:")?;
    for warning in &m.plan.warnings {
        writeln!(out, "  {warning}")?;
    }
    Ok(())
}

fn source_line(m: &Migration) -> String {
    match m.source.git() {
        Some(git) => {
            let id = git.head_commit_id();
            let short = &id[..id.len().min(7)];
            let head = match git.head_ref_name() {
                Some(branch) => format!("HEAD {short} (branch {branch})"),
                None => format!("HEAD {short} (detached)"),
            };
            match (git.scope(), git.workdir()) {
                (Some(folder), Some(root)) => format!(
                    "Based on {head} of the git repository at {}: the folder {folder} of that \
                     commit (paths in the patch are from the repository's root; run `apply` on \
                     the root).",
                    root.display()
                ),
                _ => format!("Based on {head}."),
            }
        }
        None => {
            "Plain folder (not a git repository): `apply` needs git; plan and diff work.".to_owned()
        }
    }
}

fn one_line(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// The commit message: what was migrated and the rules applied.
/// The subject line of the migration commit; `verify` finds the commit by it.
pub const COMMIT_SUBJECT: &str = "Migrate from Heroku to Code Capsules";

pub fn commit_message(m: &Migration) -> String {
    let mut msg = format!("{COMMIT_SUBJECT}\n\n");
    let apps: Vec<&str> = m.inventory.apps.iter().map(|a| a.display_dir()).collect();
    msg.push_str(&format!("Apps: {}\n\n", apps.join(", ")));
    msg.push_str("Rules applied:\n");
    for id in m.plan.rules_applied(&m.rules) {
        let description = m.rules.get(id).map_or("", |r| r.description.as_str());
        msg.push_str(&format!("- {id}: {description}\n"));
    }
    if let Some(file) = m.rules.guide_file()
        && m.plan.changes.iter().any(|c| c.path == file)
    {
        msg.push_str(&format!("\nWhat to create on Code Capsules, and how: {file}.\n"));
    }
    msg.push_str("\nGenerated by capsule-migrate.\n");
    msg
}

/// What `apply` made, for [`write_applied`].
pub struct Applied<'a> {
    pub files_changed: usize,
    /// The guide's path when the commit writes one.
    pub guide: Option<&'a str>,
    pub plan: PlanFrom,
    /// `--push` or `--open-pr` does what the printed commands would: they are left out.
    pub publishing: bool,
}

/// Where the plan `apply` committed came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PlanFrom {
    /// The plan the last `plan` or `diff` saved for this commit and these options.
    Saved,
    /// Read and planned now, and no `plan` or `diff` had saved a plan (or `--rescan`).
    Read,
    /// Read and planned now, although a plan was saved: the last `plan` or `diff` was for
    /// another commit or other options (or its file is damaged), so this need not be the
    /// change it showed.
    Afresh,
}

/// What `apply` prints: the commit, the branch, how to push it and open the pull request.
pub fn write_applied(
    git: &GitRepo,
    applied: &Applied,
    done: &crate::sink::commit::Outcome,
    out: &mut dyn Write,
) -> io::Result<()> {
    let n = applied.files_changed;
    // `git show B` and `git push origin B` fail ("matches more than one") or pick a tag
    // when another ref has the branch's short name.
    let branch = crate::sink::commit::unambiguous_branch(git, &done.branch);
    writeln!(out, "Created commit {} on branch {} ({n} files changed).", done.commit, done.branch)?;
    match &done.replaced {
        // The same tree, parent, message and second give the same commit id.
        Some(old) if *old == done.commit => {
            writeln!(out, "The branch already pointed at this commit (--force changed nothing).")?;
        }
        Some(old) => writeln!(out, "The branch was at {old} before (--force).")?,
        None => {}
    }
    if let Some(signer) = &done.signed {
        writeln!(out, "It is signed with the {signer}, as commit.gpgsign asks.")?;
    }
    if branch != done.branch {
        writeln!(
            out,
            "A tag or another ref is also named {}: the commands below name the branch in full.",
            done.branch
        )?;
    }
    match applied.plan {
        PlanFrom::Saved => writeln!(
            out,
            "It is the change the last plan or diff showed for this commit (saved in {}; \
             --rescan reads the repository again).",
            git.repo().git_dir().join(crate::saved::FILE).display()
        )?,
        PlanFrom::Afresh => writeln!(
            out,
            "It was planned afresh: the plan the last plan or diff saved is for another \
             commit or other options, or unreadable; review this commit (git show {}) \
             before you {}.",
            branch,
            if applied.publishing { "merge it" } else { "push it" }
        )?,
        PlanFrom::Read => {}
    }
    writeln!(out, "Your working tree, index and HEAD are unchanged.")?;
    if !applied.publishing {
        write_push_hints(git, &branch, &done.branch, out)?;
    }
    let Some(file) = applied.guide else { return Ok(()) };
    writeln!(out, "The migration guide is {file} on the branch; read it with:")?;
    writeln!(out, "  git show {branch}:{file}")?;
    writeln!(
        out,
        "It doubles as the pull request's description: paste it there (or `gh pr create --body-file` a copy)."
    )?;
    Ok(())
}

/// How to push `branch` (its unambiguous name for git commands, `short` for the pull
/// request page) and open the pull request.
fn write_push_hints(
    git: &GitRepo,
    branch: &str,
    short: &str,
    out: &mut dyn Write,
) -> io::Result<()> {
    match crate::remote::push_remote(git) {
        Some((remote, url)) => {
            writeln!(out, "Push it with:\n  git push -u {remote} {branch}")?;
            let base = git.head_ref_name().unwrap_or_else(|| "main".to_owned());
            if let Some(pr) = crate::remote::pull_request_url(&url, &base, short) {
                writeln!(out, "Then open the pull request:\n  {pr}")?;
            }
        }
        None => {
            writeln!(
                out,
                "Push it with (after adding a remote):\n  git push -u origin {}",
                branch
            )?;
        }
    }
    Ok(())
}

/// `Vue CLI, output dist` or `static files served by http-server, folder public`.
fn frontend_summary(frontend: &crate::inventory::Frontend) -> String {
    use crate::inventory::frontend::FrontendKind;
    let folder = if frontend.public_dir.is_empty() { "." } else { &frontend.public_dir };
    let mut text = match &frontend.kind {
        FrontendKind::Static { server } if server.is_empty() => {
            format!("static files, folder {folder}")
        }
        FrontendKind::Static { server } => {
            format!("static files served by {server}, folder {folder}")
        }
        kind => format!("{}, output {folder}", kind.label()),
    };
    if let Some(template) = &frontend.page_template {
        text.push_str(&format!(", page template {template}"));
    }
    text
}
