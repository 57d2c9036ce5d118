//! Removing what a killed run left in the git folder.

use std::path::Path;

use super::GitRepo;

impl GitRepo {
    /// Removes the temporaries a killed run of this tool left behind: a half-written
    /// saved plan (`<plan_file>.<pid>.tmp` in the git folder; the saved plan's module
    /// names the file, so the source need not know it) whose process is
    /// gone, and gix's half-written loose objects (`objects/.tmpXXXXXX`). Nothing that
    /// a live process may still be writing goes: a plan temporary only when its process
    /// no longer runs (or it is an hour old, so its pid was reused), an object temporary
    /// only when it is an hour old (a write takes milliseconds; git's own `tmp_obj_*`
    /// are left to `git gc`). Best effort: a file that cannot go stays.
    pub fn remove_stale_temporaries(&self, plan_file: &str) {
        let repo = self.repo();
        let plan_prefix = format!("{plan_file}.");
        for dir in [repo.git_dir(), repo.common_dir()] {
            remove_matching(dir, |name, age| {
                let Some(pid) =
                    name.strip_prefix(&plan_prefix).and_then(|r| r.strip_suffix(".tmp"))
                else {
                    return false;
                };
                let Ok(pid) = pid.parse::<u32>() else { return false };
                pid != std::process::id() && (!process_runs(pid) || age >= STALE_AFTER)
            });
        }
        remove_matching(repo.objects.store_ref().path(), |name, age| {
            let random = name.strip_prefix(".tmp").unwrap_or_default();
            random.len() == 6
                && random.bytes().all(|b| b.is_ascii_alphanumeric())
                && age >= STALE_AFTER
        });
    }
}

/// How old a temporary must be before it is taken as abandoned whatever else is known.
const STALE_AFTER: std::time::Duration = std::time::Duration::from_secs(60 * 60);

/// Removes the regular files of `dir` for which `stale(name, age)` holds.
fn remove_matching(dir: &Path, stale: impl Fn(&str, std::time::Duration) -> bool) {
    let Ok(entries) = std::fs::read_dir(dir) else { return };
    for entry in entries.flatten() {
        let Ok(meta) = entry.metadata() else { continue };
        let name = entry.file_name();
        let Some(name) = name.to_str() else { continue };
        let age = meta.modified().ok().and_then(|m| m.elapsed().ok()).unwrap_or_default();
        if meta.is_file() && stale(name, age) {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

/// Whether process `pid` runs, where the system says (`/proc`); elsewhere it is assumed
/// to, and only the age decides.
fn process_runs(pid: u32) -> bool {
    let proc = Path::new("/proc");
    !proc.join("self").exists() || proc.join(pid.to_string()).exists()
}
