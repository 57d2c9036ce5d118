//! The variables of a Capsule that runs only some of an app's commands (a worker, the
//! scheduler): those the code it runs reads, when that code can be followed.

use std::collections::BTreeSet;

use super::{
    CapsuleEnv, EnvScope, EnvSource, SET_BY_PLATFORM, add_app_env, blank, code_source,
    is_test_variant,
};
use crate::capsules::{Capsule, redacted};
use crate::inventory::config::{self, ConfigKind};
use crate::inventory::reach::Reach;
use crate::inventory::{App, Inventory};

/// Adds to a Capsule that runs only `commands` (each with how people know it) the app's
/// variables its code reads ([`EnvScope::Code`]), or all of them when what a command runs
/// cannot be followed ([`EnvScope::Fallback`]); says which in its `env_scope` and a note.
pub(in crate::capsules) fn add_narrowed_env(
    capsule: &mut Capsule,
    inv: &Inventory,
    app: &App,
    app_env: &[CapsuleEnv],
    commands: &[(String, String)],
) {
    let reaches: Vec<&Reach> =
        commands.iter().filter_map(|(_, c)| inv.reach(&app.dir, c)).collect();
    let unresolved = commands.iter().zip(&reaches).find_map(|((who, command), reach)| {
        let reason = reach.unresolved.as_deref()?;
        Some(format!("the code {who} (`{}`) runs cannot be followed: {reason}", redacted(command)))
    });
    if reaches.len() != commands.len() || commands.is_empty() || unresolved.is_some() {
        let reason = unresolved.unwrap_or_else(|| "its commands were not followed".into());
        capsule.notes.push(format!("its variables are the whole app's, since {reason}"));
        capsule.env_scope = EnvScope::Fallback { reason };
        add_app_env(capsule, app_env);
        return;
    }
    let files: BTreeSet<&str> =
        reaches.iter().flat_map(|r| r.files.iter().map(String::as_str)).collect();
    let loads = |package: &str| reaches.iter().any(|r| r.loads(package));
    let pkg = app.package_json.as_ref();
    // Shell reads (`$X`) of the package.json scripts the commands run.
    let mut script_reads: Vec<(String, usize)> = Vec::new();
    for reach in &reaches {
        for script in &reach.scripts {
            let Some((pkg, text)) = pkg.and_then(|p| Some((p, p.script(script)?))) else {
                continue;
            };
            let line = config::script_line(&pkg.text, script);
            for read in config::shell_env(text).reads {
                if !script_reads.iter().any(|(n, _)| *n == read.name) {
                    script_reads.push((read.name, line + read.line - 1));
                }
            }
        }
    }
    let package_json = pkg.map(|p| p.path.as_str());
    // What a place (`path:line`) is: read by the code it runs, read by other code, or a
    // declaration (`.env.example`) that says nothing about who reads it.
    let place_kind = |name: &str, place: &str| -> Place {
        let path = place.rsplit_once(':').map_or(place, |(p, _)| p);
        if files.contains(path) {
            return Place::Reached;
        }
        if Some(path) == package_json {
            return if script_reads.iter().any(|(n, _)| n == name) {
                Place::Reached
            } else {
                Place::Other
            };
        }
        match inv.config.iter().find(|c| c.path == path).map(|c| &c.kind) {
            Some(ConfigKind::EnvTemplate | ConfigKind::DotEnv) => Place::Declared,
            Some(ConfigKind::NodeConfig) if loads("config") => Place::Reached,
            Some(ConfigKind::Prisma { .. }) if loads("@prisma/client") || loads("prisma") => {
                Place::Reached
            }
            _ => Place::Other,
        }
    };
    // A variable the app declares but no code reads is read by a library, if by anything:
    // code that loads no package needs none of them.
    let loads_a_package = reaches.iter().any(|r| !r.packages.is_empty());
    let mut kept: Vec<CapsuleEnv> = Vec::new();
    let mut left_out: Vec<String> = Vec::new();
    // Declared, read by no code, and nothing it runs loads a library.
    let mut unread: Vec<String> = Vec::new();
    for var in app_env {
        let kinds: Vec<Place> = var.read_by.iter().map(|p| place_kind(&var.name, p)).collect();
        let reached = kinds.contains(&Place::Reached);
        if !reached && kinds.contains(&Place::Other) {
            left_out.push(var.name.clone());
            continue;
        }
        if !reached && !loads_a_package {
            unread.push(var.name.clone());
            continue;
        }
        let mut var = var.clone();
        let places = var.read_by.iter().zip(&kinds);
        var.read_by = places.filter(|(_, k)| **k != Place::Other).map(|(p, _)| p.clone()).collect();
        kept.push(var);
    }
    // Reads in reached files the app's list does not hold: a workspace package's, which
    // belongs to no app or another one.
    for file in inv.code.iter().filter(|f| files.contains(f.path.as_str())) {
        for read in &file.facts.env_reads {
            let name = &read.name;
            if SET_BY_PLATFORM.contains(&name.as_str())
                || is_test_variant(name)
                || kept.iter().any(|v| &v.name == name)
                || left_out.contains(name)
                || unread.contains(name)
            {
                continue;
            }
            let mut var = blank(name, code_source(name, &[]));
            var.read_by = vec![format!("{}:{}", file.path, read.line)];
            kept.push(var);
        }
    }
    if let Some(pkg) = pkg {
        for (name, line) in &script_reads {
            if SET_BY_PLATFORM.contains(&name.as_str()) || kept.iter().any(|v| &v.name == name) {
                continue;
            }
            let mut var = blank(name, EnvSource::Code);
            var.read_by = vec![format!("{}:{line}", pkg.path)];
            kept.push(var);
        }
    }
    let code =
        |names: &[&str]| names.iter().map(|n| format!("`{n}`")).collect::<Vec<_>>().join(", ");
    let shown: Vec<&str> = files.iter().take(4).copied().collect();
    let more = files.len() - shown.len();
    let read_by = match (shown.is_empty(), more) {
        (true, _) => "its variables are those its command reads: it runs no code of the \
                      repository"
            .to_owned(),
        (false, 0) => {
            format!("its variables are those read by the code it runs ({})", code(&shown))
        }
        (false, n) => {
            format!(
                "its variables are those read by the code it runs ({} and {n} more)",
                code(&shown)
            )
        }
    };
    let declared: Vec<&str> = kept
        .iter()
        .filter(|v| v.read_by.iter().all(|p| place_kind(&v.name, p) != Place::Reached))
        .map(|v| v.name.as_str())
        .collect();
    let declared = if declared.is_empty() {
        String::new()
    } else {
        format!(
            ", and {}, which the app declares and no code reads (a library may)",
            code(&declared)
        )
    };
    let left: Vec<&str> = left_out.iter().map(String::as_str).collect();
    let without = if left.is_empty() {
        String::new()
    } else {
        let them = if left.len() == 1 { "it" } else { "them" };
        format!("; not {}: only code it does not run reads {them}", code(&left))
    };
    let unread_names: Vec<&str> = unread.iter().map(String::as_str).collect();
    let without = if unread_names.is_empty() {
        without
    } else {
        format!(
            "{without}; not {}, which the app declares: no code reads {}, and what it runs \
             loads no library that could",
            code(&unread_names),
            if unread_names.len() == 1 { "it" } else { "them" }
        )
    };
    capsule.notes.push(format!("{read_by}{declared}{without}"));
    left_out.extend(unread);
    capsule.env_scope =
        EnvScope::Code { files: files.iter().map(|f| (*f).to_owned()).collect(), left_out };
    add_app_env(capsule, &kept);
}

/// What one place a variable is named at says about a narrowed Capsule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Place {
    /// Code (or a config file, a script) the Capsule's commands run.
    Reached,
    /// Code the Capsule does not run.
    Other,
    /// A declaration of the app's variables: `.env.example`, a committed `.env`.
    Declared,
}
