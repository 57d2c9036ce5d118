//! The inventory's warnings about files it does not edit: text files that name
//! herokuapp hosts (documentation and tests summarised per folder), and source files too
//! large to read.

use crate::diag::Warning;
use crate::inventory::{Inventory, docs};

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

/// The herokuapp URLs of test code outside a frontend, as mentions: nothing edits them
/// (a frontend's own code is rewritten instead), and they do not run in production.
/// Code below a `docs` folder may well run (a site built into `docs/` for GitHub Pages,
/// or served from there), so only tests count.
pub(super) fn quiet_code_urls(inv: &Inventory) -> Vec<docs::Mention> {
    let mut found = Vec::new();
    for file in &inv.code {
        let in_frontend =
            file.app.as_deref().and_then(|d| inv.app(d)).is_some_and(|a| a.frontend.is_some());
        if in_frontend || docs::place_of(&file.path) != docs::Place::Tests {
            continue;
        }
        for url in &file.facts.herokuapp_urls {
            let host = url.url.split("://").last().unwrap_or(&url.url);
            let host = host.split(['/', ':', '?', '#']).next().unwrap_or(host).to_owned();
            match found
                .iter_mut()
                .find(|m: &&mut docs::Mention| m.path == file.path && m.line == url.line)
            {
                Some(mention) if !mention.hosts.contains(&host) => mention.hosts.push(host),
                Some(_) => {}
                None => found.push(docs::Mention {
                    path: file.path.clone(),
                    line: url.line,
                    hosts: vec![host],
                    context: String::new(),
                }),
            }
        }
    }
    found
}

/// A folder's documentation or test lines naming herokuapp hosts are summarised from
/// this many on; fewer keep a warning each.
const SUMMARISED_FROM: usize = 4;

/// One warning per folder and place for the documentation and test lines that name
/// herokuapp hosts (a folder with fewer than [`SUMMARISED_FROM`] keeps a warning per
/// line): they ask for no change before the switch. With the lines summarised, which
/// the guide lists one by one.
pub(super) fn quiet_summaries(
    inv: &Inventory,
    quiet: &[docs::Mention],
) -> (Vec<Warning>, Vec<docs::Mention>) {
    let mut groups: Vec<((String, docs::Place), Vec<&docs::Mention>)> = Vec::new();
    for mention in quiet {
        let folder = mention.path.rsplit_once('/').map_or("", |(dir, _)| dir).to_owned();
        let key = (folder, docs::place_of(&mention.path));
        match groups.iter_mut().find(|(k, _)| *k == key) {
            Some((_, members)) => members.push(mention),
            None => groups.push((key, vec![mention])),
        }
    }
    let mut warnings = Vec::new();
    let mut summarised = Vec::new();
    for ((folder, place), members) in groups {
        if members.len() < SUMMARISED_FROM {
            warnings.extend(members.iter().map(|m| mention_warning(inv, m)));
            continue;
        }
        summarised.extend(members.iter().map(|m| (*m).clone()));
        let mut files: Vec<&str> = members.iter().map(|m| m.path.as_str()).collect();
        files.dedup();
        let mut hosts: Vec<String> = Vec::new();
        for host in members.iter().flat_map(|m| &m.hosts) {
            let host = host.to_ascii_lowercase();
            if !hosts.contains(&host) {
                hosts.push(host);
            }
        }
        let (retired, kept): (Vec<String>, Vec<String>) = hosts.into_iter().partition(|h| {
            crate::inventory::hosts::app_name_of(h).is_some_and(|n| inv.host_role(&n).is_retired())
        });
        let plural = |hosts: &[String]| if hosts.len() == 1 { "" } else { "es" };
        let what = match (retired.is_empty(), kept.is_empty()) {
            (false, true) => format!(
                "the Heroku address{} {}: update them once the new Capsules' URLs are known",
                plural(&retired),
                retired.join(", ")
            ),
            (true, _) => format!(
                "the Heroku address{} {}, not shown to be one of this repository's apps: if \
                 one is, update it",
                plural(&kept),
                kept.join(", ")
            ),
            (false, false) => format!(
                "the Heroku address{} {}, which the migration retires (update them once the new \
                 Capsules' URLs are known), and {}, not shown to be this repository's (kept)",
                plural(&retired),
                retired.join(", "),
                kept.join(", ")
            ),
        };
        // A few files are named; more are counted.
        let names: Vec<&str> = files.iter().map(|f| f.rsplit('/').next().unwrap_or(f)).collect();
        let within = match names[..] {
            [one] => format!("{one} ({})", place.label()),
            _ if names.len() <= 3 => format!("{} ({})", names.join(", "), place.label()),
            _ => format!("{} {} files", names.len(), place.label()),
        };
        let message = format!(
            "{} lines in {within} mention {what}; CODE_CAPSULES.md lists each line",
            members.len(),
        );
        warnings.push(match folder.as_str() {
            "" => Warning::new(message),
            folder => Warning::in_file(format!("{folder}/"), message),
        });
    }
    (warnings, summarised)
}
