//! The guide's "What else changes": what Heroku did that nothing in the repository
//! does on Code Capsules (release phase, build hooks, app.json's settings, the platform).

use super::Guide;
use super::capsule::dyno_memory;
use super::md::{Md, code, list};
use crate::inventory::App;
use crate::inventory::app_json::AppJson;

pub(super) fn what_else(md: &mut Md, g: &Guide) {
    md.heading("What else changes");
    for app in &g.inventory.apps {
        let dir = code(app.display_dir());
        release_and_build_hooks(md, app, &dir);
        if let Some(app_json) = &app.app_json {
            app_json_settings(md, &app_json.value, &dir);
        }
    }
    platform_differences(md);
}

/// The release phase and the `heroku-*` build scripts, which nothing runs the same way now.
fn release_and_build_hooks(md: &mut Md, app: &App, dir: &str) {
    if let Some(release) = app.process("release") {
        let now = if crate::capsules::release_in_prestart(app) {
            "is now the `prestart` script, which `npm start` runs first"
        } else {
            "now runs first in the web Capsule's run command, before the web command"
        };
        md.line(&format!(
            "- **Release phase** ({dir}): Code Capsules has none. The `release` command {} \
                 {now}: on every start of every replica, not once per release. It must be safe \
                 to run again and at the same time (migrations usually are; seeding may not be).",
            code(&crate::capsules::redacted(&release.command))
        ));
    }
    if let Some(pkg) = &app.package_json {
        for (script, what) in [
            (
                "heroku-postbuild",
                "ran instead of `build`; it is now `build`, which Code Capsules runs",
            ),
            (
                "heroku-prebuild",
                "ran before the install, and nothing runs it now: move it into `build` if \
                     the build needs it",
            ),
            ("heroku-cleanup", "trimmed Heroku's slug after the build, and nothing runs it now"),
        ] {
            if let Some(command) = pkg.script(script) {
                md.line(&format!(
                    "- **Build hook** ({dir}): `{script}` ({}) {what}.",
                    code(&crate::capsules::redacted(command))
                ));
            }
        }
    }
}

/// What app.json set up that Code Capsules does not read: `postdeploy`, the formation,
/// buildpacks, CI and review-app settings, other tools' scripts.
fn app_json_settings(md: &mut Md, value: &AppJson, dir: &str) {
    if let Some(postdeploy) = &value.scripts.postdeploy {
        md.line(&format!(
            "- **One-time setup** ({dir}): app.json's `postdeploy` ({}) ran once when Heroku \
                 created the app. Run it once after the first deploy: from your machine with the \
                 Capsule's variables (the database through the CLI proxy, as above), or by \
                 setting the run command to the command followed by `&&` and the usual run \
                 command for one deploy, then back.",
            code(&crate::capsules::redacted(&postdeploy.command))
        ));
    }
    let sized: Vec<String> = value
        .formation
        .iter()
        .map(|f| {
            let size = f.size.as_deref().map(|s| {
                let memory = dyno_memory(s).map(|m| format!(" ({m})")).unwrap_or_default();
                format!(" on {}{memory}", code(s))
            });
            format!(
                "{} × {}{}",
                code(&f.process),
                f.quantity.unwrap_or(1),
                size.unwrap_or_default()
            )
        })
        .collect();
    if !sized.is_empty() {
        md.line(&format!(
            "- **Dyno formation** ({dir}): app.json says {}. Heroku reads app.json only \
                 when it creates an app (Heroku Button, review apps, CI), and a process type \
                 it leaves out runs 0 dynos until someone scales it, so this need not be what \
                 runs in production: check `heroku ps -a <heroku-app>` and set each Capsule's \
                 replicas and size (Scale tab) to match.",
            list(&sized)
        ));
    }
    if !value.buildpacks.is_empty() {
        let packs: Vec<String> =
            value.buildpacks.iter().map(|b| code(&crate::capsules::redacted(b))).collect();
        md.line(&format!(
            "- **Buildpacks** ({dir}): {}. Code Capsules detects Node.js by itself; a \
                 buildpack that adds system packages or another language needs a Docker \
                 Capsule with a Dockerfile instead.",
            list(&packs)
        ));
    }
    // Each key by its own name, so nothing the file declares goes unmentioned.
    let mut ci: Vec<String> =
        value.environments.keys().map(|k| code(&format!("environments.{k}"))).collect();
    if value.scripts.pr_predestroy.is_some() {
        ci.push(code("scripts.pr-predestroy"));
    }
    if !ci.is_empty() {
        md.line(&format!(
            "- **Test and review settings** ({dir}): app.json's {} configured Heroku CI and \
                 review apps; nothing reads them now.",
            list(&ci)
        ));
    }
    if !value.scripts.other.is_empty() {
        let keys: Vec<String> =
            value.scripts.other.iter().map(|k| code(&format!("scripts.{k}"))).collect();
        md.line(&format!(
            "- **Other scripts** ({dir}): app.json's {} {} not Heroku's (other tools read \
                 them); nothing runs them on Code Capsules: check whether a build or run \
                 command needs them.",
            list(&keys),
            if keys.len() == 1 { "is" } else { "are" }
        ));
    }
}

/// What the platform does differently, whatever the repository holds.
fn platform_differences(md: &mut Md) {
    md.line(
        "- **Review apps and pipelines**: Code Capsules has neither. For a QA or staging \
         environment, create another set of Capsules (or another Space) that deploys a QA \
         branch, and promote by merging.",
    );
    md.line(
        "- **Custom domains**: add each domain in its Capsule's Domains tab and point the DNS \
         record (CNAME) at the address shown there instead of Heroku's; Code Capsules issues \
         the TLS certificate.",
    );
    md.line(
        "- **Deploys**: every push to a Capsule's branch builds and deploys it. There is no \
         blue/green deploy, preboot or `heroku rollback`: choose a rolling update or re-create \
         in the Capsule's settings, and roll back by deploying an earlier commit.",
    );
    md.line(
        "- **Config vars set in the dashboard**: only the variables app.json declares or the \
         code reads are listed above; compare with `heroku config -a <heroku-app>` for each app.",
    );
    md.line(
        "- **Logs and metrics**: each Capsule shows its logs and its CPU and memory use; Heroku \
         log drains and logging add-ons do not carry over.",
    );
}
