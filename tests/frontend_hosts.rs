//! Issue 14: only the backend's herokuapp host is rewritten in frontend code, decided from
//! evidence or `--backend-host`; every other host is kept byte for byte and named.

use crate::support::repo::{TempRepo, run_tool};

const APP_JS: &str = "const A = \"https://orders-77.herokuapp.com/orders\";\n\
                      const B = 'https://fx-rates.herokuapp.com/latest';\n";

/// A static frontend calling two herokuapp hosts, with an optional backend folder.
fn frontend_calling_two_hosts(extra: &[(&str, &str)]) -> TempRepo {
    let repo = TempRepo::new();
    repo.write("web/Procfile", "web: npx http-server public -p $PORT\n");
    repo.write("web/package.json", r#"{ "name": "web", "scripts": {} }"#);
    repo.write(
        "web/public/index.html",
        "<html><head><script src=\"app.js\"></script></head></html>\n",
    );
    repo.write("web/public/app.js", APP_JS);
    for (path, text) in extra {
        repo.write(path, text);
    }
    repo.commit_all("two hosts");
    repo
}

fn diff(repo: &TempRepo, flags: &[&str]) -> (String, String) {
    let path = repo.path.display().to_string();
    let mut args = vec!["diff", path.as_str()];
    args.extend(flags);
    let (code, out, err) = run_tool(&args);
    assert_eq!(code, 0, "{err}");
    (out, err)
}

#[test]
fn two_hosts_without_evidence_are_both_kept_and_named() {
    let repo = frontend_calling_two_hosts(&[]);
    let (out, err) = diff(&repo, &[]);
    assert!(!out.contains("diff --git a/web/public/app.js"), "app.js must not change:\n{out}");
    for (line, host) in [(1, "orders-77"), (2, "fx-rates")] {
        let expected = format!("warning: web/public/app.js:{line}: https://{host}.herokuapp.com");
        assert!(err.contains(&expected), "no warning for {host}:\n{err}");
        assert!(err.contains(&format!("--backend-host {host}")), "{err}");
    }
}

#[test]
fn backend_host_flag_picks_the_one_to_rewrite() {
    let repo = frontend_calling_two_hosts(&[]);
    let (out, err) = diff(&repo, &["--backend-host", "https://Orders-77.herokuapp.com/"]);
    assert!(out.contains("+const A = window.BACKEND_URL + \"/orders\";"), "{out}");
    // The other line is context, byte for byte, not a change.
    assert!(out.contains("\n const B = 'https://fx-rates.herokuapp.com/latest';"), "{out}");
    assert!(
        err.contains("web/public/app.js:2: https://fx-rates.herokuapp.com/latest left as it is")
    );
    assert!(!err.contains("app.js:1:"), "{err}");
}

#[test]
fn a_backend_named_in_app_json_is_the_backend_and_the_rest_is_kept() {
    let repo = frontend_calling_two_hosts(&[
        ("api/Procfile", "web: node server.js\n"),
        ("api/package.json", r#"{ "name": "api" }"#),
        ("api/app.json", r#"{ "name": "orders" }"#),
    ]);
    let (out, _) = diff(&repo, &[]);
    assert!(out.contains("+const A = window.BACKEND_URL + \"/orders\";"), "{out}");
    assert!(out.contains("\n const B = 'https://fx-rates.herokuapp.com/latest';"), "{out}");
}

#[test]
fn a_readme_naming_the_backend_folder_decides() {
    let readme = "# Shop\n\nThe orders API in `api/` answers at https://orders-77.herokuapp.com.\n";
    let repo = frontend_calling_two_hosts(&[
        ("README.md", readme),
        ("api/Procfile", "web: node server.js\n"),
        ("api/package.json", r#"{ "name": "backend" }"#),
    ]);
    let (out, err) = diff(&repo, &[]);
    assert!(out.contains("+const A = window.BACKEND_URL + \"/orders\";"), "{out}");
    assert!(
        err.contains("README.md:3: mentions the Heroku address orders-77.herokuapp.com: update")
    );

    // The same README line in the backend's own folder is evidence too.
    let repo = frontend_calling_two_hosts(&[
        ("api/README.md", "Deployed at https://orders-77.herokuapp.com\n"),
        ("api/Procfile", "web: node server.js\n"),
        ("api/package.json", r#"{ "name": "backend" }"#),
    ]);
    let (out, _) = diff(&repo, &[]);
    assert!(out.contains("+const A = window.BACKEND_URL + \"/orders\";"), "{out}");
}

#[test]
fn text_files_name_each_line_once_and_code_files_are_not_repeated() {
    let repo = frontend_calling_two_hosts(&[
        (
            "web/.env.production",
            "API=https://orders-77.herokuapp.com https://orders-77.herokuapp.com/x\n",
        ),
        ("web/config.yml", "rates: https://fx-rates.herokuapp.com\n"),
    ]);
    let (_, err) = diff(&repo, &["--backend-host", "orders-77"]);
    assert_eq!(err.matches("web/.env.production:1:").count(), 1, "{err}");
    assert!(err.contains(
        "web/.env.production:1: mentions the Heroku address orders-77.herokuapp.com: update"
    ));
    assert!(err.contains(
        "web/config.yml:1: mentions the Heroku address fx-rates.herokuapp.com, which is not shown"
    ));
    assert_eq!(err.matches("web/public/app.js:2:").count(), 1, "{err}");
}

#[test]
fn a_bad_backend_host_is_a_usage_error() {
    let (code, _, err) = run_tool(&["plan", ".", "--backend-host", "example.com"]);
    assert_eq!(code, 2);
    assert!(err.contains("`example.com` is not a Heroku app host"), "{err}");
}

/// Seen in a real Vue CLI repository: `dist/` committed next to the sources, with the
/// bundle calling both the backend and (in a vendor chunk) another host. The bundle is
/// output that `npm run build` writes again: it is neither edited nor counted as a call.
#[test]
fn a_bundlers_committed_output_is_not_read_as_code() {
    let repo = TempRepo::new();
    repo.write("Procfile", "web: npx serve -s dist -l $PORT\n");
    repo.write("package.json", r#"{ "name": "ui", "scripts": { "build": "vite build" } }"#);
    repo.write("src/api.js", "export const API = 'https://ui-api-8.herokuapp.com/v1';\n");
    repo.write(
        "dist/assets/index-1a2b.js",
        "fetch(\"https://ui-api-8.herokuapp.com/v1\");fetch(\"https://cdn-x.herokuapp.com/a\");\n",
    );
    repo.commit_all("vite with dist");
    let (out, err) = diff(&repo, &[]);
    assert!(out.contains("+export const API = import.meta.env.VITE_BACKEND_URL + '/v1';"), "{out}");
    assert!(!out.contains("diff --git a/dist/"), "{out}");
    assert!(!err.contains("dist/assets"), "{err}");
}

/// `--app` without a Procfile or app.json still decides the hosts: the only one the
/// frontend calls is its backend.
#[test]
fn an_app_named_with_app_alone_still_gets_its_only_host_rewritten() {
    let repo = TempRepo::new();
    repo.write(
        "package.json",
        r#"{ "name": "ui", "devDependencies": { "@vue/cli-service": "5" } }"#,
    );
    repo.write("src/main.js", "axios.defaults.baseURL = \"https://ui-api-8.herokuapp.com\";\n");
    repo.commit_all("vue cli without heroku files");
    let (out, _) = diff(&repo, &["--app", "."]);
    assert!(out.contains("+axios.defaults.baseURL = process.env.VUE_APP_BACKEND_URL;"), "{out}");
}
