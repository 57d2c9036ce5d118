//! The node-cron scheduler that replaces Heroku Scheduler jobs.
//!
//! Heroku Scheduler runs each job as a one-off dyno: a fresh process running the job's
//! command. Code Capsules has no such add-on, so the migration writes a small plain
//! JavaScript file into the app that does the same with node-cron 4: one task per job,
//! each run a child process through the shell, in UTC, never overlapping itself. Plain
//! JavaScript (not TypeScript) so it runs on any Node from 20 up, whatever the app is
//! written in; only the import style follows the app's module system.
//!
//! This module is pure: it turns the jobs into the file's text. Checking that a cron
//! expression is valid is the caller's job (the generated file also refuses to start
//! with an invalid one, naming the job).

use crate::lang::js_string;

/// How the app's `.js` files are loaded, which decides `import` or `require`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ModuleSystem {
    /// `"type": "module"` in package.json.
    Esm,
    /// No `type`, or `"type": "commonjs"`.
    CommonJs,
}

/// One Heroku Scheduler job, already translated to a cron expression.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ScheduledJob {
    /// The name logged with each run and given to node-cron.
    pub name: String,
    /// The shell command Heroku ran, run the same way here.
    pub command: String,
    /// A node-cron expression: 5 fields, or 6 with leading seconds; read in UTC.
    pub cron: String,
    /// The schedule as the user gave it (Heroku's wording), kept for the reader.
    pub schedule_text: String,
    /// The Procfile process (type, command) the jobs file named, whose command `command`
    /// runs: written into the file (see [`crate::inventory::jobs::GENERATED_PROCFILE`]) so
    /// a run on the migrated tree, whose Procfile is gone, expands the job the same way.
    pub procfile: Option<(String, String)>,
}

/// The scheduler file for `jobs`, in the given module system. Same input, same bytes;
/// the text ends with a newline.
pub fn scheduler_js(jobs: &[ScheduledJob], module: ModuleSystem) -> String {
    let mut out = header(jobs);
    out.push('\n');
    out.push_str(match module {
        ModuleSystem::Esm => ESM_PREAMBLE,
        ModuleSystem::CommonJs => CJS_PREAMBLE,
    });
    out.push('\n');
    out.push_str(&job_table(jobs));
    out.push('\n');
    out.push_str(BODY);
    out
}

/// The comment a reader of the generated file (or of the pull request) sees first: where
/// the file comes from, what it replaces, and how it differs from Heroku Scheduler.
fn header(jobs: &[ScheduledJob]) -> String {
    let mut out = String::from(crate::inventory::jobs::GENERATED_SCHEDULER);
    out.push_str(
        "\n\
         //\n\
         // It replaces these Heroku Scheduler jobs (schedule on Heroku, cron here, command):\n",
    );
    if jobs.is_empty() {
        out.push_str("//   (none)\n");
    }
    for job in jobs {
        // Escaped like string literals: a newline or U+2028 in a command would otherwise
        // end the comment and turn the rest of the command into code.
        out.push_str(&format!(
            "//   - {}: {} -> cron {}: {}\n",
            js_string(&job.name),
            js_string(&job.schedule_text),
            js_string(&job.cron),
            js_string(&job.command),
        ));
    }
    out.push_str(TRADE_OFFS);
    out
}

const TRADE_OFFS: &str = "\
//
// How it runs, and what differs from Heroku Scheduler:
// - Each run is a child process running the command through the shell, in this file's
//   folder, with this process's environment, like a one-off dyno: a job that exits or
//   crashes cannot stop the scheduler. Start, end, exit status and duration are logged,
//   one line each, prefixed [scheduler].
// - Times are UTC, as on Heroku. A run still going when its next time comes is skipped.
// - A restart or redeploy loses nothing but the run in progress: on SIGTERM or SIGINT no
//   new run starts, running jobs get up to 30 s to finish (SCHEDULER_SHUTDOWN_TIMEOUT_MS
//   changes the bound), then they are killed and the exit status is 1.
// - Runs missed while this process is down are not caught up.
// - Every replica runs every job: keep the Capsule that runs this file at one replica,
//   or each job runs once per replica.
";

/// The jobs as a JavaScript array literal, one object per job.
fn job_table(jobs: &[ScheduledJob]) -> String {
    let mut out = String::from("const JOBS = [\n");
    for job in jobs {
        out.push_str(&format!(
            "  {{\n    name: {},\n    cron: {},\n    heroku: {},\n    command: {},\n  }},\n",
            js_string(&job.name),
            js_string(&job.cron),
            js_string(&job.schedule_text),
            js_string(&job.command),
        ));
        if let Some((process, command)) = &job.procfile {
            // Only read back by capsule-migrate: the Procfile is gone after the migration.
            let at = out.len() - "  },\n".len();
            out.insert_str(
                at,
                &format!(
                    "{}[{}, {}],\n",
                    crate::inventory::jobs::GENERATED_PROCFILE,
                    js_string(process),
                    js_string(command)
                ),
            );
        }
    }
    out.push_str("];\n");
    out
}

const ESM_PREAMBLE: &str = "\
import { spawn } from 'node:child_process';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import cron from 'node-cron';

// Jobs run in this file's folder (the app's root), wherever the process was started.
// (import.meta.dirname needs Node 20.11; this works on every Node 20.)
const here = dirname(fileURLToPath(import.meta.url));
";

const CJS_PREAMBLE: &str = "\
'use strict';

const { spawn } = require('node:child_process');
const cron = require('node-cron');

// Jobs run in this file's folder (the app's root), wherever the process was started.
const here = __dirname;
";

/// Everything after the job table; the same for every app.
const BODY: &str = r#"const DEFAULT_SHUTDOWN_TIMEOUT_MS = 30000;

// On POSIX each job gets its own process group, so that a kill past the shutdown bound
// reaches everything the job's shell started, and a Ctrl-C in a terminal reaches only
// the scheduler, which then lets running jobs finish.
const ownGroup = process.platform !== 'win32';

const tasks = [];
const active = new Map(); // child process -> promise settled when its run is over
let stopping = false;

function log(message) {
  console.log(`[scheduler] ${message}`);
}

function logError(message) {
  console.error(`[scheduler] ${message}`);
}

function report(job, startedAt, failure) {
  const took = `${Date.now() - startedAt} ms`;
  if (failure) {
    logError(`job ${JSON.stringify(job.name)} failed: ${failure} after ${took}`);
  } else {
    log(`job ${JSON.stringify(job.name)} finished: exit code 0 after ${took}`);
  }
}

// Resolves (never rejects) when the run is over, so a failing job is only logged and
// node-cron keeps the task scheduled.
function runJob(job) {
  if (stopping) return Promise.resolve();
  const startedAt = Date.now();
  log(`job ${JSON.stringify(job.name)} started: ${JSON.stringify(job.command)}`);
  let child;
  try {
    child = spawn(job.command, {
      shell: true,
      cwd: here,
      env: process.env,
      stdio: 'inherit',
      detached: ownGroup,
    });
  } catch (error) {
    report(job, startedAt, `could not start (${error.message})`);
    return Promise.resolve();
  }
  const run = new Promise((resolve) => {
    let settled = false;
    const settle = (failure) => {
      if (settled) return;
      settled = true;
      active.delete(child);
      report(job, startedAt, failure);
      resolve();
    };
    // 'exit' may or may not follow 'error'; whichever comes first ends the run.
    child.once('error', (error) => settle(`could not run (${error.message})`));
    child.once('exit', (code, signal) => {
      if (signal) settle(`killed by signal ${signal}`);
      else settle(code === 0 ? null : `exit code ${code}`);
    });
  });
  active.set(child, run);
  return run;
}

function kill(child) {
  if (child.pid === undefined) return;
  try {
    if (ownGroup) process.kill(-child.pid, 'SIGKILL');
    else child.kill('SIGKILL');
  } catch (error) {
    logError(`could not kill process ${child.pid}: ${error.message}`);
  }
}

function shutdownTimeoutMs() {
  const raw = process.env.SCHEDULER_SHUTDOWN_TIMEOUT_MS;
  if (raw === undefined || raw === '') return DEFAULT_SHUTDOWN_TIMEOUT_MS;
  const ms = Number(raw);
  if (Number.isInteger(ms) && ms >= 0) return ms;
  logError(`SCHEDULER_SHUTDOWN_TIMEOUT_MS=${JSON.stringify(raw)} is not a whole number of milliseconds; using ${DEFAULT_SHUTDOWN_TIMEOUT_MS}`);
  return DEFAULT_SHUTDOWN_TIMEOUT_MS;
}

async function shutdown(signal) {
  if (stopping) {
    log(`${signal} received again; already stopping`);
    return;
  }
  stopping = true;
  for (const task of tasks) task.stop();
  const timeoutMs = shutdownTimeoutMs();
  log(`${signal} received: no new runs; waiting up to ${timeoutMs} ms for ${active.size} running job(s)`);
  let timer;
  const late = await Promise.race([
    Promise.all(active.values()).then(() => false),
    new Promise((resolve) => {
      timer = setTimeout(() => resolve(true), timeoutMs);
    }),
  ]);
  clearTimeout(timer);
  if (!late) {
    log('stopped');
    process.exit(0);
  }
  logError(`killing ${active.size} job(s) still running after ${timeoutMs} ms`);
  for (const child of active.keys()) kill(child);
  process.exit(1);
}

for (const signal of ['SIGTERM', 'SIGINT']) {
  process.on(signal, () => {
    shutdown(signal).catch((error) => {
      logError(`shutdown failed: ${error.stack || error}`);
      process.exit(1);
    });
  });
}

// Refuse to start with any bad expression rather than run only some of the jobs.
for (const job of JOBS) {
  if (!cron.validate(job.cron)) {
    logError(`job ${JSON.stringify(job.name)}: invalid cron expression ${JSON.stringify(job.cron)}`);
    process.exit(1);
  }
}

for (const job of JOBS) {
  const task = cron.schedule(job.cron, () => runJob(job), {
    name: job.name,
    timezone: 'Etc/UTC',
    noOverlap: true,
  });
  task.on('execution:overlap', () => {
    log(`job ${JSON.stringify(job.name)} skipped: the previous run is still going`);
  });
  tasks.push(task);
  log(`job ${JSON.stringify(job.name)} scheduled: ${JSON.stringify(job.cron)} UTC (Heroku: ${job.heroku})`);
}
"#;

#[cfg(test)]
mod tests {
    use super::*;

    fn job(name: &str, command: &str) -> ScheduledJob {
        ScheduledJob {
            name: name.to_string(),
            command: command.to_string(),
            cron: "0 30 2 * * *".to_string(),
            schedule_text: "every day at 02:30".to_string(),
            procfile: None,
        }
    }

    fn two_jobs() -> Vec<ScheduledJob> {
        vec![job("report", "node report.js"), job("cleanup", "npm run cleanup")]
    }

    #[test]
    fn same_input_gives_same_bytes_ending_in_a_newline() {
        for module in [ModuleSystem::Esm, ModuleSystem::CommonJs] {
            let first = scheduler_js(&two_jobs(), module);
            assert_eq!(first, scheduler_js(&two_jobs(), module));
            assert!(first.ends_with("}\n") && !first.ends_with("\n\n"), "{first}");
        }
    }

    #[test]
    fn job_order_is_kept() {
        let js = scheduler_js(&two_jobs(), ModuleSystem::Esm);
        let report = js.find(r#"name: "report""#).expect("report in the table");
        let cleanup = js.find(r#"name: "cleanup""#).expect("cleanup in the table");
        assert!(report < cleanup);
    }

    #[test]
    fn esm_imports_and_cjs_requires() {
        let esm = scheduler_js(&two_jobs(), ModuleSystem::Esm);
        assert!(esm.contains("import cron from 'node-cron';"));
        assert!(esm.contains("import { spawn } from 'node:child_process';"));
        assert!(esm.contains("import.meta.url"));
        assert!(!esm.contains("require("));
        assert!(!esm.contains("__dirname"));

        let cjs = scheduler_js(&two_jobs(), ModuleSystem::CommonJs);
        assert!(cjs.contains("const cron = require('node-cron');"));
        assert!(cjs.contains("require('node:child_process')"));
        assert!(cjs.contains("const here = __dirname;"));
        assert!(!cjs.contains("import "));
        assert!(!cjs.contains("import.meta"));
    }

    #[test]
    fn tasks_use_utc_names_and_no_overlap() {
        let js = scheduler_js(&two_jobs(), ModuleSystem::CommonJs);
        assert!(js.contains("timezone: 'Etc/UTC'"));
        assert!(js.contains("noOverlap: true"));
        assert!(js.contains("name: job.name"));
        assert!(js.contains("shell: true"));
        assert!(js.contains("SCHEDULER_SHUTDOWN_TIMEOUT_MS"));
        assert!(js.contains(r#"cron: "0 30 2 * * *","#));
    }

    #[test]
    fn quotes_backslashes_and_newlines_stay_inside_the_literals() {
        let nasty = "echo \"hi\" 'there' \\ $HOME `date` ${x}\nrm -rf /tmp/x\u{2028}*/ done";
        let js = scheduler_js(&[job("a\"b\nc", nasty)], ModuleSystem::Esm);
        let literal = r#""echo \"hi\" 'there' \\ $HOME `date` ${x}\nrm -rf /tmp/x\u2028*/ done""#;
        assert!(js.contains(&format!("command: {literal},")), "{js}");
        assert!(js.contains(r#"name: "a\"b\nc","#));
        // The header lists the job too, still on one comment line.
        assert!(js.contains(&format!("cron \"0 30 2 * * *\": {literal}\n")));
        assert!(!js.contains("\nrm -rf"), "a raw newline escaped into the code");
        assert!(!js.contains('\u{2028}'));
        for line in js.lines().filter(|line| line.contains("rm -rf")) {
            let trimmed = line.trim_start();
            assert!(trimmed.starts_with("//") || trimmed.starts_with("command:"), "{line}");
        }
    }

    #[test]
    fn header_lists_each_job_with_its_heroku_schedule_and_the_trade_offs() {
        let js = scheduler_js(&two_jobs(), ModuleSystem::Esm);
        let header: Vec<&str> = js.lines().take_while(|line| line.starts_with("//")).collect();
        let header = header.join("\n");
        assert!(header.contains("Generated by capsule-migrate"));
        assert!(header.contains("Heroku Scheduler"));
        assert!(header.contains(
            r#"//   - "report": "every day at 02:30" -> cron "0 30 2 * * *": "node report.js""#
        ));
        assert!(header.contains(r#""cleanup""#));
        for needle in ["one replica", "not caught up", "UTC", "run in progress"] {
            assert!(header.contains(needle), "header lacks {needle:?}:\n{header}");
        }
    }

    #[test]
    fn no_jobs_still_gives_a_complete_file() {
        let js = scheduler_js(&[], ModuleSystem::CommonJs);
        assert!(js.contains("//   (none)\n"));
        assert!(js.contains("const JOBS = [\n];\n"));
        assert!(js.ends_with("}\n"));
    }
}
