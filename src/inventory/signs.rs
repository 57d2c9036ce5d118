//! Signs that a folder deploys on Heroku besides a Procfile and an app.json: a package.json
//! script that deploys there or runs the Heroku CLI (`"deploy": "git push heroku main"`,
//! `"logs": "heroku logs --tail --remote staging"`), one of Heroku's build hooks
//! (`heroku-postbuild`), and a GitHub Actions workflow that deploys to Heroku
//! (`akhileshns/heroku-deploy`, a `run:` line that pushes to Heroku). Heroku runs such an app
//! without a Procfile as the Node.js buildpack's default web process, `npm start`.
//! A Node package without any of these is no Heroku app.

use yaml_rust2::{Yaml, YamlLoader};

use super::apps::normalize_dir;
use super::{code, package_manifests, parent};
use crate::shell;
use crate::source::Source;

/// One sign that the app in `dir` deploys on Heroku.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Sign {
    /// The app's folder, repo-relative (`""` for the root).
    pub dir: String,
    /// What shows it, for the plan: "package.json's script `deploy` deploys to Heroku
    /// (`git push heroku main`)".
    pub why: String,
    /// The file that shows it, for the list of Heroku markers.
    pub file: String,
}

/// What a command does with Heroku that nothing replaces: it deploys there (`git push
/// heroku main`, `git subtree push --prefix api heroku main`, a push to
/// `https://git.heroku.com/...`), or it runs the Heroku CLI (`heroku logs --tail`,
/// `npx heroku run ...`). `None` for anything else, `heroku local` included (see
/// `plan::remove_files::runs_foreman` for the one that reads the Procfile).
pub(crate) fn heroku_use(command: &str) -> Option<String> {
    let is_heroku_remote = |w: &str| w.starts_with("heroku") || w.contains("git.heroku.com");
    for step in shell::simple_commands(command) {
        let words: Vec<&str> = step.launched().iter().map(String::as_str).collect();
        let words = match words.as_slice() {
            ["yarn" | "pnpm", "exec", rest @ ..] => rest,
            all => all,
        };
        match words {
            ["git", "push", args @ ..] | ["git", "subtree", "push", args @ ..]
                if args.iter().any(|w| is_heroku_remote(w)) =>
            {
                return Some("deploys to Heroku".into());
            }
            // `heroku local` runs on the developer's machine: with the Procfile it is
            // foreman's case, with another file (`-f Procfile.dev`) it still works.
            [program, sub, ..]
                if program.rsplit('/').next() == Some("heroku") && *sub != "local" =>
            {
                return Some(format!("runs the Heroku CLI (`heroku {sub}`)"));
            }
            _ => {}
        }
    }
    None
}

/// The folder `git subtree push --prefix <dir> heroku ...` deploys (Heroku then sees that
/// folder as the whole repository), normalised; `None` for any other command.
pub(crate) fn subtree_prefix(command: &str) -> Option<String> {
    for step in shell::simple_commands(command) {
        let words: Vec<&str> = step.launched().iter().map(String::as_str).collect();
        let ["git", "subtree", "push", args @ ..] = words.as_slice() else { continue };
        let prefix = args.iter().enumerate().find_map(|(i, w)| match *w {
            "--prefix" | "-P" => args.get(i + 1).copied(),
            w => w.strip_prefix("--prefix="),
        });
        if let Some(prefix) = prefix {
            return Some(normalize_dir(prefix));
        }
    }
    None
}

/// Every sign of a Heroku deployment in the package.json scripts and GitHub workflows of
/// the repository, in path order. Packages of tests, examples and fixtures are left out:
/// they are not what the repository deploys.
pub(crate) fn heroku_signs(source: &Source) -> Vec<Sign> {
    let mut signs = Vec::new();
    for path in package_manifests(source) {
        if !code::is_package_runtime_path("", path) {
            continue;
        }
        let Ok(bytes) = source.read(path) else { continue };
        let Ok(value) = serde_json::from_slice::<serde_json::Value>(&bytes) else { continue };
        let Some(scripts) = value.get("scripts").and_then(serde_json::Value::as_object) else {
            continue;
        };
        let dir = parent(path);
        for (name, command) in scripts {
            let Some(command) = command.as_str() else { continue };
            let why = if name.starts_with("heroku-") {
                format!("{path} has the Heroku script `{name}`")
            } else if let Some(what) = heroku_use(command) {
                // The command is not quoted: a script may carry a credential, and the
                // remove-files rule names it (with secrets hidden) in a warning.
                format!("{path}'s script `{name}` {what}")
            } else {
                continue;
            };
            // git subtree runs from the repository's top level: its prefix is from there.
            let target = subtree_prefix(command).unwrap_or_else(|| dir.to_owned());
            signs.push(Sign { dir: target, why, file: path.to_owned() });
        }
    }
    signs.extend(static_json_signs(source));
    for entry in source.entries() {
        let path = entry.path.as_str();
        let in_workflows = parent(path) == ".github/workflows";
        if !in_workflows || !(path.ends_with(".yml") || path.ends_with(".yaml")) {
            continue;
        }
        if !entry.kind.is_regular() || entry.size.is_some_and(|s| s > 1024 * 1024) {
            continue;
        }
        let Ok(bytes) = source.read(path) else { continue };
        signs.extend(workflow_signs(path, &String::from_utf8_lossy(&bytes)));
    }
    signs
}

/// The keys of heroku-buildpack-static's `static.json` (also read by
/// create-react-app-buildpack, which serves a React build with it).
const STATIC_JSON_KEYS: &[&str] = &[
    "root",
    "routes",
    "proxies",
    "clean_urls",
    "https_only",
    "headers",
    "redirects",
    "error_page",
];

/// Each `static.json` beside a package.json whose keys are heroku-buildpack-static's: only
/// Heroku's static buildpacks read that file, so its folder was a Heroku app (a static
/// site, built there: heroku-buildpack-monorepo's `APP_BASE` points at such a folder).
fn static_json_signs(source: &Source) -> Vec<Sign> {
    let mut signs = Vec::new();
    for path in package_manifests(source) {
        let dir = parent(path);
        let file = super::join(dir, "static.json");
        if !code::is_package_runtime_path("", path) || source.entry(&file).is_none() {
            continue;
        }
        let Ok(bytes) = source.read(&file) else { continue };
        let Ok(value) = serde_json::from_slice::<serde_json::Value>(&bytes) else { continue };
        let Some(object) = value.as_object() else { continue };
        if !object.is_empty() && object.keys().all(|k| STATIC_JSON_KEYS.contains(&k.as_str())) {
            let why = format!("{file} configures Heroku's static buildpack");
            signs.push(Sign { dir: dir.to_owned(), why, file });
        }
    }
    signs
}

/// The Heroku deploys of one GitHub Actions workflow: a step that `uses` an action named
/// for Heroku (`akhileshns/heroku-deploy@v3.13.15`, whose `appdir` input names the folder
/// it deploys), or `run:`s a command that deploys to Heroku or runs its CLI. A workflow
/// that does not read as YAML shows nothing.
fn workflow_signs(path: &str, text: &str) -> Vec<Sign> {
    let Ok(docs) = YamlLoader::load_from_str(text) else { return Vec::new() };
    let mut signs = Vec::new();
    let jobs = docs
        .iter()
        .filter_map(|d| Some((d, d["jobs"].as_hash()?)))
        .flat_map(|(doc, jobs)| jobs.values().map(move |job| (doc, job)));
    let steps = jobs.filter_map(|(doc, job)| Some((doc, job, job["steps"].as_vec()?)));
    for (doc, job, step) in steps.flat_map(|(d, j, steps)| steps.iter().map(move |s| (d, j, s))) {
        if let Some(action) = step["uses"].as_str() {
            let name = action.split('@').next().unwrap_or(action).to_lowercase();
            // A Docker deploy (`usedocker: true`, heroku-docker-deploy) ran the image's own
            // command, not the Node.js buildpack's `npm start`; `justlogin` deploys nothing.
            let flag = |key: &str| match &step["with"][key] {
                Yaml::Boolean(b) => *b,
                Yaml::String(s) => s == "true",
                _ => false,
            };
            let docker = name.contains("docker") || flag("usedocker") || flag("justlogin");
            if !docker && name.split('/').nth(1).is_some_and(|repo| repo.contains("heroku")) {
                let appdir = step["with"]["appdir"].as_str().unwrap_or_default();
                // `appdir: ${{ env.APP_DIR }}`: the step's, job's or workflow's `env`;
                // another expression (a secret) names a folder nobody can read here.
                let appdir = match env_expression(appdir) {
                    Some(name) => [&step["env"], &job["env"], &doc["env"]]
                        .iter()
                        .find_map(|env| env[name].as_str())
                        .unwrap_or("${{"),
                    None => appdir,
                };
                if !appdir.contains("${{") {
                    let why = format!("{path} deploys it with the action `{action}`");
                    let dir = normalize_dir(appdir);
                    signs.push(Sign { dir, why, file: path.to_owned() });
                }
            }
        }
        let Some(run) = step["run"].as_str() else { continue };
        for raw in run.lines() {
            // GitHub fills in `${{ secrets.KEY }}` before the shell reads the line.
            let line = &github_expressions_filled(raw);
            let Some(what) = heroku_use(line) else { continue };
            if what.contains("`heroku container:") {
                // A Docker image pushed to Heroku: its Dockerfile said what ran.
                continue;
            }
            let dir = subtree_prefix(line).unwrap_or_default();
            // Not quoted: a pushed URL often carries the API key (`https://heroku:KEY@...`).
            let why = format!("{path} runs a command that {what}");
            signs.push(Sign { dir, why, file: path.to_owned() });
        }
    }
    signs
}

/// `NAME` for a value that is exactly `${{ env.NAME }}`.
fn env_expression(value: &str) -> Option<&str> {
    let inner = value.trim().strip_prefix("${{")?.strip_suffix("}}")?.trim();
    inner.strip_prefix("env.").filter(|name| crate::shell::is_name(name))
}

/// `line` with each `${{ ... }}` expression of GitHub Actions replaced by a plain word, as
/// the runner replaces it with its value before the shell reads the line.
fn github_expressions_filled(line: &str) -> String {
    let mut out = String::new();
    let mut rest = line;
    while let Some(start) = rest.find("${{") {
        let Some(len) = rest[start..].find("}}") else { break };
        out.push_str(&rest[..start]);
        out.push_str("EXPR");
        rest = &rest[start + len + 2..];
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A static.json of heroku-buildpack-static's keys beside a package.json is a sign; one
    /// of other keys, one without a package.json beside it, or in an example, is not.
    #[test]
    fn static_json_of_the_static_buildpack() {
        let files = [
            ("web/package.json", "{}"),
            ("web/static.json", r#"{ "root": "build/", "routes": { "/**": "index.html" } }"#),
            ("data/package.json", "{}"),
            ("data/static.json", r#"{ "root": "x", "items": [] }"#),
            ("docs/static.json", r#"{ "root": "site/" }"#),
            ("examples/cra/package.json", "{}"),
            ("examples/cra/static.json", r#"{ "root": "build/" }"#),
        ];
        let repo = crate::testing::TestRepo::with_files(&files);
        let source = Source::Git(repo.open());
        let signs = static_json_signs(&source);
        let dirs: Vec<&str> = signs.iter().map(|s| s.dir.as_str()).collect();
        assert_eq!(dirs, ["web"]);
        assert_eq!(signs[0].file, "web/static.json");
    }

    #[test]
    fn a_subtree_push_names_the_folder_heroku_sees() {
        assert_eq!(subtree_prefix("git subtree push --prefix api heroku main").unwrap(), "api");
        assert_eq!(
            subtree_prefix("git subtree push --prefix=./srv/api/ heroku main").unwrap(),
            "srv/api"
        );
        assert_eq!(subtree_prefix("git subtree push -P web heroku-web main").unwrap(), "web");
        assert_eq!(subtree_prefix("git push heroku main"), None);
    }

    /// The deploy action's `appdir`, the action without it, `run:` lines that push or run
    /// the CLI (in a block of several lines), and steps that have nothing to do with Heroku.
    #[test]
    fn workflow_steps_that_deploy_to_heroku() {
        let text = r#"
name: deploy
on: { push: { branches: [main] } }
jobs:
  api:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - uses: AkhileshNS/heroku-deploy@v3.13.15
        with:
          heroku_api_key: ${{ secrets.HEROKU_API_KEY }}
          heroku_app_name: "shop-api"
          appdir: "services/api"
  web:
    runs-on: ubuntu-latest
    steps:
      - uses: akhileshns/heroku-deploy@v3
        with: { heroku_app_name: shop-web }
      - run: |
          npm ci
          git push https://heroku:${{ secrets.KEY }}@git.heroku.com/shop-web.git HEAD:main
      - run: npm test
      - run: heroku config:set GIT_SHA=$GITHUB_SHA -a shop-web
  worker:
    runs-on: ubuntu-latest
    env: { WORKER_DIR: jobs/worker }
    steps:
      - uses: akhileshns/heroku-deploy@v3
        with: { heroku_app_name: shop-worker, appdir: "${{ env.WORKER_DIR }}" }
      - uses: akhileshns/heroku-deploy@v3
        with: { heroku_app_name: shop-other, appdir: "${{ secrets.DIR }}" }
  image:
    runs-on: ubuntu-latest
    steps:
      - uses: akhileshns/heroku-deploy@v3.13.15
        with: { heroku_app_name: shop-img, usedocker: true, appdir: image }
      - uses: gonuit/heroku-docker-deploy@v1.3.3
      - run: heroku container:push web -a shop-img
"#;
        let signs = workflow_signs(".github/workflows/deploy.yml", text);
        let dirs: Vec<&str> = signs.iter().map(|s| s.dir.as_str()).collect();
        assert_eq!(dirs, ["services/api", "", "", "", "jobs/worker"]);
        assert!(signs[0].why.contains("`AkhileshNS/heroku-deploy@v3.13.15`"), "{}", signs[0].why);
        assert!(signs[2].why.contains("runs a command that deploys to Heroku"), "{}", signs[2].why);
        assert!(signs[3].why.contains("`heroku config:set`"), "{}", signs[3].why);
        assert!(workflow_signs("x.yml", "jobs: [").is_empty());
        assert!(
            workflow_signs("x.yml", "jobs:\n  a:\n    steps:\n      - run: npm test\n").is_empty()
        );
    }
}
