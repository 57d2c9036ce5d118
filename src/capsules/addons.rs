//! Heroku add-ons and what replaces each on Code Capsules.
//!
//! Databases become data Capsules that other Capsules link to; Heroku Scheduler becomes
//! the generated node-cron scheduler; everything else has no direct equivalent, and the
//! user decides whether to keep the service under their own account.

use serde::Serialize;

use super::databases::{alias_env, connection_reads, connection_var, data_kind, used_databases};
use super::{Capsule, CapsuleKind, base_name, kebab};
use crate::inventory::app_json::Addon;
use crate::inventory::{App, Inventory};

/// What replaces an add-on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Replacement {
    /// A PostgreSQL or Redis Capsule, linked to the Capsules that used the add-on.
    DataCapsule,
    /// The node-cron scheduler generated from the jobs file.
    Scheduler,
    /// Nothing on Code Capsules does the same.
    NoEquivalent,
}

/// One add-on of one app.
#[derive(Debug, Clone, Serialize)]
pub struct AddonUse {
    /// The app folder, `.` for the root.
    pub app: String,
    pub service: String,
    pub plan: Option<String>,
    /// The attachment name from app.json's `as`.
    pub alias: Option<String>,
    pub replacement: Replacement,
    /// The Capsule that replaces it, when one does.
    pub capsule: Option<String>,
    /// The variable the add-on set on Heroku, when known (`DATABASE_URL`).
    pub env: Option<String>,
    /// What to do or decide, one or two sentences.
    pub advice: String,
}

impl AddonUse {
    /// `service:plan`, as app.json writes it.
    pub fn spec(&self) -> String {
        match &self.plan {
            Some(plan) => format!("{}:{plan}", self.service),
            None => self.service.clone(),
        }
    }
}

/// The data Capsules and which app links which variable to which of them.
#[derive(Debug, Default)]
pub(super) struct DataPlan {
    pub capsules: Vec<Capsule>,
    pub uses: Vec<AddonUse>,
    /// (app folder as displayed, variable, data Capsule).
    pub links: Vec<(String, String, String)>,
    /// About drivers that make no Capsule of their own.
    pub warnings: Vec<crate::diag::Warning>,
}

impl DataPlan {
    pub fn links_of<'a>(&'a self, app: &'a str) -> impl Iterator<Item = (&'a str, &'a str)> + 'a {
        self.links.iter().filter(move |l| l.0 == app).map(|l| (l.1.as_str(), l.2.as_str()))
    }
}

/// What replaces an add-on of `service`.
pub(super) fn replacement(service: &str) -> Replacement {
    if data_kind(service).is_some() {
        Replacement::DataCapsule
    } else if service == "scheduler" {
        Replacement::Scheduler
    } else {
        Replacement::NoEquivalent
    }
}

/// Builds the data Capsules: one per kind and variable, shared by every app that declares
/// the same add-on (Heroku apps often attach one database to several apps).
pub(super) fn plan_data(inv: &Inventory, unique: &mut dyn FnMut(&str) -> String) -> DataPlan {
    let mut plan = DataPlan::default();
    // (kind, variable) -> the apps that declare it, in first-seen order.
    let mut groups: Groups = Vec::new();
    for app in &inv.apps {
        let Some(app_json) = &app.app_json else { continue };
        for addon in &app_json.value.addons {
            let display = app.display_dir().to_owned();
            let mut used = AddonUse {
                app: display.clone(),
                service: addon.service.clone(),
                plan: addon.plan.clone(),
                alias: addon.alias.clone(),
                replacement: Replacement::NoEquivalent,
                capsule: None,
                env: None,
                advice: String::new(),
            };
            if let Some((kind, default_env)) = data_kind(&addon.service) {
                // Apps often copied an add-on's URL into the name their code reads
                // (`heroku config:set DATABASE_URI=$MONGOLAB_URI`): link what the code reads.
                let reads = super::env::app_reads(inv, app);
                let names: Vec<&String> = reads.reads.keys().collect();
                let db_kinds = 1 + used_databases(inv, app)
                    .iter()
                    .filter(|(k, _)| *k != kind && *k != CapsuleKind::Redis)
                    .count();
                let mut code_names = connection_reads(kind, &names, db_kinds);
                let (env, also) = match &addon.alias {
                    Some(alias) => (alias_env(kind, alias), Vec::new()),
                    None if names.iter().any(|n| *n == default_env) || code_names.is_empty() => {
                        code_names.retain(|n| n != default_env);
                        (default_env.to_owned(), code_names)
                    }
                    None => (code_names.remove(0), code_names),
                };
                used.replacement = Replacement::DataCapsule;
                used.env = Some(env.clone());
                let member = Member {
                    app: display,
                    base: base_name(app),
                    addon: Some(addon.clone()),
                    driver: None,
                    env_name: env.clone(),
                    also,
                };
                let key = (kind, env);
                match groups.iter_mut().find(|(k, _)| *k == key) {
                    Some((_, members)) => members.push(member),
                    None => groups.push((key, vec![member])),
                }
            } else if addon.service == "scheduler" {
                used.replacement = Replacement::Scheduler;
            } else {
                used.advice = no_equivalent_advice(&addon.service);
            }
            plan.uses.push(used);
        }
    }
    for app in &inv.apps {
        driver_members(inv, app, &mut groups, &mut plan.warnings);
    }
    for ((kind, env), members) in groups {
        let capsule = data_capsule(kind, &members, unique);
        for member in &members {
            plan.links.push((member.app.clone(), env.clone(), capsule.name.clone()));
            for name in &member.also {
                plan.links.push((member.app.clone(), name.clone(), capsule.name.clone()));
            }
        }
        for used in plan.uses.iter_mut() {
            let same = used.env.as_deref() == Some(env.as_str())
                && data_kind(&used.service).is_some_and(|(k, _)| k == kind);
            if same {
                used.capsule = Some(capsule.name.clone());
                used.advice = data_advice(kind, &capsule.name, &env);
            }
        }
        plan.capsules.push(capsule);
    }
    plan
}

/// Adds a group member for each database the app's code uses that none of its add-ons
/// provides: Heroku apps often got theirs from an add-on attached in the dashboard, or
/// from a hosted service (MongoDB Atlas), which app.json does not show.
fn driver_members(
    inv: &Inventory,
    app: &App,
    groups: &mut Groups,
    warnings: &mut Vec<crate::diag::Warning>,
) {
    let used = used_databases(inv, app);
    if used.is_empty() {
        return;
    }
    let display = app.display_dir().to_owned();
    let provided: Vec<CapsuleKind> = app
        .app_json
        .iter()
        .flat_map(|a| &a.value.addons)
        .filter_map(|a| data_kind(&a.service).map(|(k, _)| k))
        .collect();
    let reads = super::env::app_reads(inv, app);
    let names: Vec<&String> = reads.reads.keys().collect();
    let db_kinds = used.iter().filter(|(k, _)| *k != CapsuleKind::Redis).count();
    let sql = |kind: &CapsuleKind| matches!(kind, CapsuleKind::PostgreSql | CapsuleKind::MySql);
    for (kind, why) in used {
        if provided.contains(&kind) {
            continue;
        }
        // ORMs speak several SQL dialects (Sequelize, Knex, TypeORM), so apps list the
        // drivers of each; the SQL add-on Heroku attached says which one the app ran on.
        if sql(&kind)
            && let Some(other) = provided.iter().find(|p| sql(p))
        {
            warnings.push(crate::diag::Warning::in_file(
                app.path_of("package.json"),
                format!(
                    "{why} is a dependency too, but app.json's add-ons give the app a {} \
                     database, so no {} Capsule is planned: create one only if the app also \
                     uses {} (its code or config says which database it opens)",
                    other.label(),
                    kind.label(),
                    kind.label()
                ),
            ));
            continue;
        }
        let (env, read) = connection_var(kind, &names, db_kinds);
        let also = connection_reads(kind, &names, db_kinds).into_iter().skip(1).collect();
        let member = Member {
            app: display.clone(),
            base: base_name(app),
            addon: None,
            driver: Some(Driver { why, env_read: read }),
            env_name: env,
            also,
        };
        let key = (kind, member.env_name.clone());
        match groups.iter_mut().find(|(k, _)| *k == key) {
            Some((_, members)) => members.push(member),
            None => groups.push((key, vec![member])),
        }
    }
}

/// (kind, variable) -> the apps that use such a database under that variable.
type Groups = Vec<((CapsuleKind, String), Vec<Member>)>;

/// One app that uses a data Capsule: through an add-on, or through its code.
struct Member {
    /// The app folder as displayed.
    app: String,
    /// The app's base name, for the Capsule's name.
    base: String,
    addon: Option<Addon>,
    driver: Option<Driver>,
    /// The variable it links the Capsule as.
    env_name: String,
    /// Other variables the app reads for the same connection string
    /// (`DATABASE_URI || MONGODB_URI`): linked too.
    also: Vec<String>,
}

/// How the code shows a database without an add-on.
struct Driver {
    /// `` `mongoose` `` or "the Prisma schema `prisma/schema.prisma`".
    why: String,
    /// The app reads the variable it is linked as (else it is the usual name, a guess).
    env_read: bool,
}

fn data_capsule(
    kind: CapsuleKind,
    members: &[Member],
    unique: &mut dyn FnMut(&str) -> String,
) -> Capsule {
    let bases: Vec<&str> = members.iter().map(|m| m.base.as_str()).collect();
    let suffix = match kind {
        CapsuleKind::PostgreSql => "db",
        CapsuleKind::MySql => "mysql",
        CapsuleKind::MongoDb => "mongo",
        _ => "redis",
    };
    let alias = members[0].addon.as_ref().and_then(|a| a.alias.as_deref()).map(kebab);
    let stem = common_stem(&bases);
    let name = match alias {
        Some(alias) => unique(&format!("{stem}-{alias}")),
        None => unique(&format!("{stem}-{suffix}")),
    };
    let replaces = replaces_text(kind, members);
    let mut notes = Vec::new();
    if members.len() > 1 {
        let apps: Vec<String> = members.iter().map(|m| format!("`{}`", m.app)).collect();
        let declare = if members.iter().all(|m| m.addon.is_some()) {
            "declare this add-on"
        } else {
            "use it"
        };
        notes.push(format!(
            "{} each {declare}: one Capsule serves them all (link it to each app's \
             Capsules), as one Heroku database attached to several apps did; if they had \
             separate databases on Heroku, create one Capsule per app instead",
            apps.join(" and ")
        ));
    }
    for member in members {
        if let Some(Driver { why, env_read }) = &member.driver {
            let env = &member.env_name;
            notes.push(if *env_read {
                format!(
                    "the app `{}` uses it through {why}, with the connection string in `{env}`; no \
                     add-on in app.json provides it: on Heroku it came from an add-on attached \
                     in the dashboard or a hosted service (`heroku addons -a <heroku-app>` and \
                     `heroku config:get {env} -a <heroku-app>` tell which)",
                    member.app
                )
            } else {
                format!(
                    "the app `{}` uses it through {why}, but no variable it reads names the connection \
                     string: link it under the name its configuration expects (`{env}` is the \
                     usual one)",
                    member.app
                )
            });
        }
    }
    match kind {
        CapsuleKind::PostgreSql => notes.push(
            "restore the Heroku data into it before the backends go live (see Moving the database)"
                .into(),
        ),
        CapsuleKind::MySql | CapsuleKind::MongoDb => notes.push(format!(
            "restore the old data into it before the backends go live (see Moving the {} data)",
            kind.label()
        )),
        _ => notes.push(
            "Redis usually holds a cache or queues that start empty; copy its data only if the \
             app keeps state there that it cannot rebuild"
                .into(),
        ),
    }
    let mut plans: Vec<&str> =
        members.iter().filter_map(|m| m.addon.as_ref()?.plan.as_deref()).collect();
    plans.dedup();
    if !plans.is_empty() {
        notes.push(format!(
            "Heroku plan {}: pick a Capsule size with room for the data and connections",
            plans.iter().map(|p| format!("`{p}`")).collect::<Vec<_>>().join(", ")
        ));
    }
    Capsule {
        serves_http: None,
        name,
        kind,
        app: None,
        replaces,
        folder: None,
        build_command: None,
        run_command: None,
        output_folder: None,
        replicas: None,
        heroku_size: None,
        env_scope: Default::default(),
        env: Vec::new(),
        heroku_process: None,
        notes,
    }
}

/// `the add-on `spec`` or the database the code uses, with the apps when there are
/// several.
fn replaces_text(kind: CapsuleKind, members: &[Member]) -> String {
    let mut specs: Vec<(String, Vec<String>)> = Vec::new();
    for Member { app, addon, driver, .. } in members {
        let spec = match (addon, driver) {
            (Some(addon), _) => match &addon.plan {
                Some(plan) => format!("the add-on `{}:{plan}`", addon.service),
                None => format!("the add-on `{}`", addon.service),
            },
            (None, Some(driver)) => {
                format!("the {} database the code uses through {}", kind.label(), driver.why)
            }
            (None, None) => "a database".to_owned(),
        };
        match specs.iter_mut().find(|(s, _)| *s == spec) {
            Some((_, apps)) => apps.push(format!("`{app}`")),
            None => specs.push((spec, vec![format!("`{app}`")])),
        }
    }
    let several_apps = members.len() > 1;
    let parts: Vec<String> = specs
        .into_iter()
        .map(
            |(spec, apps)| {
                if several_apps { format!("{spec} of {}", apps.join(" and ")) } else { spec }
            },
        )
        .collect();
    parts.join(", ")
}

/// The dash-separated words every name starts with (`shop-backend`, `shop-emailer` ->
/// `shop`), or the first name when they share none.
fn common_stem(names: &[&str]) -> String {
    let first: Vec<&str> = names[0].split('-').collect();
    let mut len = first.len();
    for name in &names[1..] {
        let words: Vec<&str> = name.split('-').collect();
        len = len.min(first.iter().zip(&words).take_while(|(a, b)| a == b).count());
    }
    if len == 0 { names[0].to_owned() } else { first[..len].join("-") }
}

fn data_advice(kind: CapsuleKind, capsule: &str, env: &str) -> String {
    format!("create the {} Capsule `{capsule}` and link it as `{env}`", kind.label())
}

/// What to decide for an add-on Code Capsules has no Capsule for.
pub(super) fn no_equivalent_advice(service: &str) -> String {
    let keep = "The add-on's account ends with the Heroku app: if you keep the service, sign up \
                with the provider directly and set its variables on the Capsules that use it";
    let specific = match service {
        "papertrail" | "logentries" | "logdna" | "mezmo" | "sumologic" | "coralogix"
        | "solarwinds" | "loggly" => Some(
            "log management: Code Capsules shows each Capsule's logs in its dashboard; a log \
             service now needs the app to send logs to it (syslog or HTTP)",
        ),
        "newrelic" | "scout" | "appsignal" | "sentry" | "honeybadger" | "rollbar" | "bugsnag"
        | "raygun" => Some(
            "monitoring: Code Capsules shows CPU and memory per Capsule; the service keeps \
             working through its Node agent and key",
        ),
        "sendgrid" | "mailgun" | "postmark" | "mailtrap" | "mailersend" => {
            Some("email delivery: keep sending through the provider with your own account")
        }
        "cloudamqp" => {
            Some("RabbitMQ: run it in a Docker Capsule, or keep CloudAMQP under your own account")
        }
        "heroku-kafka" => Some("Kafka: there is no Kafka Capsule; use a hosted Kafka service"),
        "memcachier" => {
            Some("Memcached: use a Redis Capsule as the cache, or keep MemCachier directly")
        }
        "bucketeer" | "cloudcube" => Some(
            "S3 object storage: keep the bucket under your own AWS account, or move the files \
             to a Storage Capsule (a folder mounted at PERSISTENT_STORAGE_DIR; the code then \
             reads and writes files instead of calling S3)",
        ),
        _ => None,
    };
    match specific {
        Some(what) => format!("{what}. {keep}."),
        None => format!("no direct equivalent: keep it, replace it or drop it. {keep}."),
    }
}

/// The prefix of the variables an add-on sets: `papertrail` -> `PAPERTRAIL_`.
pub(super) fn env_prefix(service: &str) -> String {
    format!("{}_", service.to_ascii_uppercase().replace('-', "_"))
}
