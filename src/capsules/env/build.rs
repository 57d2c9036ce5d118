//! What the build needs, and what nothing runs any more: the notes about a database
//! migration in the build and about variables only Heroku's dropped hooks read.

use std::collections::BTreeMap;

use super::{CapsuleEnv, EnvSource, blank};
use crate::inventory::{App, Inventory};

/// What the build needs and what nothing runs any more: a database migration in the
/// build marks its variables build-time (adding them when no other read names them),
/// with a note saying where to set them; variables only `heroku-prebuild` /
/// `heroku-cleanup` read get a note instead of a row.
pub(super) fn build_notes(
    inv: &Inventory,
    app: &App,
    vars: &mut Vec<CapsuleEnv>,
    dropped: &BTreeMap<String, Vec<String>>,
) -> Vec<(String, Option<String>)> {
    let mut notes = Vec::new();
    if !dropped.is_empty() {
        let names: Vec<String> = dropped.keys().map(|n| format!("`{n}`")).collect();
        let hooks: Vec<String> =
            crate::inventory::phases::DROPPED_HOOKS.iter().map(|h| format!("`{h}`")).collect();
        let hooks = hooks.join(" or ");
        notes.push((
            format!(
                "{} {} read only by {hooks} (or what they run), which Code Capsules does not \
                 run: not listed; if you move such a step into `build`, set {} before the build",
                names.join(", "),
                if names.len() == 1 { "is" } else { "are" },
                if names.len() == 1 { "it" } else { "them" },
            ),
            None,
        ));
    }
    let Some(phases) = inv.phases_of(&app.dir) else { return notes };
    for migration in &phases.migrations {
        let mut names = Vec::new();
        for (name, place) in &migration.vars {
            let entry = match vars.iter_mut().find(|v| &v.name == name) {
                Some(entry) => entry,
                None => {
                    vars.push(blank(name, EnvSource::Code));
                    vars.last_mut().expect("just pushed")
                }
            };
            entry.build_time = true;
            if !place.is_empty() && !entry.build_reads.contains(place) {
                entry.build_reads.push(place.clone());
            }
            if !place.is_empty() && !entry.read_by.contains(place) {
                entry.read_by.push(place.clone());
            }
            names.push(format!("`{name}`"));
        }
        let names = if names.is_empty() {
            "the database connection its configuration reads".to_owned()
        } else {
            names.join(", ")
        };
        // `release-phase` makes `heroku-postbuild` the `build` script.
        let script = match migration.script.as_str() {
            "heroku-postbuild" => "`build` script (Heroku's `heroku-postbuild`)".to_owned(),
            name => format!("`{name}` script"),
        };
        notes.push((
            format!(
                "the {script} runs `{}`, which connects to the database while the Capsule \
                 builds: {names} must be set (the database Capsule linked) before the first \
                 build, not only for the running app. Code Capsules' documentation does not say \
                 whether a Capsule's variables reach its build, nor whether the build can reach \
                 a database Capsule; its own migration guide runs migrations from the run \
                 command. If the build fails to connect, move `{}` to the start of the run \
                 command (or a `prestart` script)",
                migration.command, migration.command
            ),
            None,
        ));
    }
    notes
}
