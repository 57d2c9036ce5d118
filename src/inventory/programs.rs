//! The programs Procfile commands run, and where they come from.
//!
//! A command names a program that must exist when the Capsule starts: a file of the
//! repository, a binary of an npm dependency, or a tool every Node image has. Some names
//! only existed inside Heroku's build: `bin/boot` (heroku-buildpack-static and
//! create-react-app-buildpack) and `bin/start-nginx-static` (heroku-buildpack-nginx's
//! static mode) are written by those buildpacks and serve a folder of static files. Copied
//! as they are, they become run commands that cannot start.

use super::{App, join};
use crate::diag::Warning;
use crate::shell;
use crate::source::Source;

/// Programs every Node image on Code Capsules has, and shell builtins.
const SYSTEM_TOOLS: &[&str] = &[
    "node", "npm", "npx", "yarn", "pnpm", "corepack", "bash", "sh", "cd", "exec", "env", "echo",
    "export", "set", "true", "false", "test", "[", "sleep", "cat", "cp", "mv", "rm", "mkdir", "ls",
    "touch", "chmod", "printf", "trap", "wait", "kill", "curl", "wget", "tar", "gzip", "git",
    "sed", "grep", "awk", "tee", "python", "python3", ".", "source", "if", "exit", "nohup", "time",
    "xargs", "find", "date", "timeout",
];

/// Binaries whose package has another name.
const BINARIES: &[(&str, &str)] = &[
    ("tsc", "typescript"),
    ("nest", "@nestjs/cli"),
    ("nf", "foreman"),
    ("sirv", "sirv-cli"),
    ("ng", "@angular/cli"),
    ("prisma", "prisma"),
    ("sequelize", "sequelize-cli"),
    ("knex", "knex"),
    ("typeorm", "typeorm"),
    ("tsx", "tsx"),
];

/// A warning for each program a process runs that is neither a file of the repository,
/// nor an npm dependency's binary, nor a common system tool (nor a buildpack server the
/// migration replaces): it will not be there when the Capsule starts.
pub fn unknown_programs(source: &Source, app: &App) -> Vec<Warning> {
    let mut warnings = Vec::new();
    let Some(procfile) = &app.procfile else { return warnings };
    for process in app.processes() {
        if process.name == "web" && app.frontend.is_some() {
            continue;
        }
        for step in shell::simple_commands(&process.command) {
            let Some(program) = program_of(&step.words) else { continue };
            if !is_known(source, app, program) {
                warnings.push(Warning::at_line(
                    &procfile.path,
                    process.line,
                    format!(
                        "process `{}` runs `{program}`, which is not in the repository, not a \
                         dependency and not a common system tool: Heroku's build provided it \
                         (a buildpack), so the Capsule cannot start it; replace the command",
                        process.name
                    ),
                ));
            }
        }
    }
    warnings
}

/// The program a step runs, after `exec` and the like; `None` for `npx`.
fn program_of(words: &[String]) -> Option<&str> {
    let mut words = words.iter().map(String::as_str).peekable();
    while let Some(&word) = words.peek() {
        match word {
            // npx downloads a package it does not find: whatever it names will be there.
            "npx" => return None,
            "exec" | "nohup" | "time" => {
                words.next();
                while words.peek().is_some_and(|w| w.starts_with('-')) {
                    words.next();
                }
            }
            _ => break,
        }
    }
    words.next().filter(|w| !w.contains('$') && !w.is_empty())
}

fn is_known(source: &Source, app: &App, program: &str) -> bool {
    if program.contains('/') {
        let path = program.strip_prefix("./").unwrap_or(program);
        // Absolute paths are the image's; relative ones must be in the repository.
        return program.starts_with('/')
            || source.entry(&join(app.build_dir(), path)).is_some()
            || source.entry(path).is_some();
    }
    if SYSTEM_TOOLS.contains(&program) {
        return true;
    }
    let Some(pkg) = &app.package_json else { return false };
    let depends_on = |name: &str| {
        ["dependencies", "devDependencies", "optionalDependencies"]
            .iter()
            .any(|section| pkg.value.get(*section).and_then(|d| d.get(name)).is_some())
    };
    let package = BINARIES.iter().find(|(bin, _)| *bin == program).map_or(program, |(_, p)| p);
    depends_on(package)
        || depends_on(program)
        || pkg.value.get("bin").is_some_and(|b| b.get(program).is_some() || b.is_string())
}
