//! The inventory's warnings about files it does not edit: text files that name
//! herokuapp hosts, and source files too large to read.

use crate::diag::Warning;
use crate::inventory::Inventory;

/// One warning per line of a text file that names herokuapp hosts: those the migration
/// retires must be updated; the others are named so the user can tell.
pub(super) fn mention_warning(
    inv: &Inventory,
    mention: &crate::inventory::docs::Mention,
) -> Warning {
    let (retired, kept): (Vec<&String>, Vec<&String>) = mention.hosts.iter().partition(|host| {
        crate::inventory::hosts::app_name_of(host).is_some_and(|n| inv.host_role(&n).is_retired())
    });
    let list = |hosts: &[&String]| hosts.iter().map(|h| h.as_str()).collect::<Vec<_>>().join(", ");
    let message = match (retired.is_empty(), kept.is_empty()) {
        (false, true) => {
            format!(
                "mentions the Heroku address {}: update it to the new Capsule's",
                list(&retired)
            )
        }
        (false, false) => format!(
            "mentions the Heroku address {}: update it to the new Capsule's; {} is not shown to \
             be one of this repository's apps (kept)",
            list(&retired),
            list(&kept)
        ),
        _ => format!(
            "mentions the Heroku address {}, which is not shown to be one of this repository's \
             apps: if it is, update it to the new Capsule's (or pass --backend-host)",
            list(&kept)
        ),
    };
    Warning::at_line(&mention.path, mention.line, message)
}

/// Names a source file too large to parse and what it holds that nothing edits.
pub(super) fn unread_warning(file: &crate::inventory::code::UnreadFile) -> Warning {
    let mib = file.size as f64 / (1024.0 * 1024.0);
    let Some(hosts) = &file.herokuapp_hosts else {
        return Warning::in_file(
            &file.path,
            format!(
                "is {mib:.0} MiB, too large to read: it was not searched for Heroku addresses \
                 or variables; check it by hand"
            ),
        );
    };
    let mut held: Vec<String> = hosts.iter().map(|(h, l)| format!("`{h}` (line {l})")).collect();
    held.extend(file.other_mentions.iter().map(|m| format!("`{m}`")));
    let line = hosts.first().map(|(_, l)| *l);
    let message = format!(
        "is {mib:.1} MiB, a generated bundle?, so it is not parsed or edited, and it mentions \
         {}: rebuild it from its sources after the migration, or change it by hand",
        held.join(", ")
    );
    match line {
        Some(line) => Warning::at_line(&file.path, line, message),
        None => Warning::in_file(&file.path, message),
    }
}
