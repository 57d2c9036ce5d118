use super::*;

const FILE: &str = "app.json";

fn ok(text: &str) -> AppJson {
    parse(FILE, text.as_bytes()).expect("valid app.json")
}

fn err(text: &[u8]) -> FileError {
    parse(FILE, text).expect_err("invalid app.json")
}

fn at(line: usize, column: usize) -> Option<Position> {
    Some(Position { line, column })
}

const FULL: &str = r#"{
  "name": "Small Sharp Tool",
  "description": "Does one thing",
  "keywords": ["productivity", "node"],
  "website": "https://example.com/",
  "repository": "https://github.com/jane/tool",
  "logo": "https://example.com/logo.svg",
  "success_url": "/welcome",
  "stack": "heroku-24",
  "image": "heroku/nodejs",
  "scripts": {
    "postdeploy": "npm run migrate",
    "pr-predestroy": {"command": "npm run drop", "size": "standard-1x"}
  },
  "env": {
    "ZED": "last-by-key-first-by-order",
    "SECRET_TOKEN": {"description": "Signs cookies", "generator": "secret"},
    "WEB_CONCURRENCY": {"description": "Processes", "value": "5", "required": false},
    "API_KEY": {"description": "From the vendor"}
  },
  "formation": {
    "web": {"quantity": 1, "size": "standard-1x"},
    "worker": {"quantity": 0}
  },
  "addons": [
    "heroku-redis",
    "heroku-postgresql:essential-0",
    {"plan": "papertrail:choklad", "as": "LOGS", "options": {"version": "1"}}
  ],
  "buildpacks": [{"url": "heroku/nodejs"}, {"url": "https://github.com/x/y"}],
  "environments": {"test": {"scripts": {"test": "npm test"}}, "review": {"addons": []}}
}"#;

#[test]
fn script_keys_heroku_does_not_run_are_kept_by_name_with_a_warning() {
    let app = ok(r#"{ "scripts": { "dokku": { "predeploy": "x" }, "pr-predeploy": "y" } }"#);
    assert_eq!(app.scripts.other, ["dokku", "pr-predeploy"]);
    assert_eq!(app.warnings.len(), 2, "{:?}", app.warnings);
    assert!(app.warnings[1].message.contains("`pr-predeploy`"), "{:?}", app.warnings);
}

#[test]
fn reads_every_documented_key() {
    let app = ok(FULL);
    assert!(app.warnings.is_empty(), "{:?}", app.warnings);
    assert_eq!(app.name.as_deref(), Some("Small Sharp Tool"));
    assert_eq!(app.description.as_deref(), Some("Does one thing"));
    assert_eq!(app.keywords, ["productivity", "node"]);
    assert_eq!(app.website.as_deref(), Some("https://example.com/"));
    assert_eq!(app.repository.as_deref(), Some("https://github.com/jane/tool"));
    assert_eq!(app.logo.as_deref(), Some("https://example.com/logo.svg"));
    assert_eq!(app.success_url.as_deref(), Some("/welcome"));
    assert_eq!(app.stack.as_deref(), Some("heroku-24"));
    assert_eq!(app.image.as_deref(), Some("heroku/nodejs"));
    let postdeploy = Script { command: "npm run migrate".into(), size: None };
    let predestroy = Script { command: "npm run drop".into(), size: Some("standard-1x".into()) };
    assert_eq!(
        app.scripts,
        Scripts {
            postdeploy: Some(postdeploy),
            pr_predestroy: Some(predestroy),
            other: Vec::new()
        }
    );
    let formation = [
        Formation { process: "web".into(), quantity: Some(1), size: Some("standard-1x".into()) },
        Formation { process: "worker".into(), quantity: Some(0), size: None },
    ];
    assert_eq!(app.formation, formation);
    assert_eq!(app.buildpacks, ["heroku/nodejs", "https://github.com/x/y"]);
    let names: Vec<_> = app.environments.keys().map(String::as_str).collect();
    assert_eq!(names, ["review", "test"]);
    assert_eq!(app.environments["test"]["scripts"]["test"], "npm test");
}

#[test]
fn env_keeps_declaration_order_and_defaults() {
    let app = ok(FULL);
    let names: Vec<_> = app.env.iter().map(|v| v.name.as_str()).collect();
    assert_eq!(names, ["ZED", "SECRET_TOKEN", "WEB_CONCURRENCY", "API_KEY"]);
    let var = |name: &str| app.env_var(name).expect(name).clone();
    assert_eq!(
        var("ZED"),
        EnvVar {
            name: "ZED".into(),
            description: None,
            value: Some("last-by-key-first-by-order".into()),
            required: true,
            required_stated: false,
            secret: false,
        }
    );
    let secret = var("SECRET_TOKEN");
    assert!(secret.secret && secret.required && secret.value.is_none());
    let concurrency = var("WEB_CONCURRENCY");
    assert_eq!((concurrency.value.as_deref(), concurrency.required), (Some("5"), false));
    assert_eq!(var("API_KEY").description.as_deref(), Some("From the vendor"));
}

#[test]
fn addons_split_service_plan_and_alias() {
    let app = ok(FULL);
    let addon = |service: &str, plan: Option<&str>, alias: Option<&str>| Addon {
        service: service.into(),
        plan: plan.map(Into::into),
        alias: alias.map(Into::into),
        options: None,
    };
    assert_eq!(app.addons[0], addon("heroku-redis", None, None));
    assert_eq!(app.addons[1], addon("heroku-postgresql", Some("essential-0"), None));
    let papertrail = Addon {
        options: Some(serde_json::json!({"version": "1"})),
        ..addon("papertrail", Some("choklad"), Some("LOGS"))
    };
    assert_eq!(app.addons[2], papertrail);
    assert_eq!(Addon::from_spec(":plan"), None);
    assert_eq!(Addon::from_spec("redis:"), None);
}

#[test]
fn unknown_keys_are_warnings_with_their_line() {
    let app = ok(
        "{\n  \"nmae\": \"x\",\n  \"env\": {\"A\": {\"value\": \"1\", \"secret\": true}},\n  \"environments\": {\"staging\": {}}\n}",
    );
    let found: Vec<_> = app.warnings.iter().map(|w| (w.line, w.message.as_str())).collect();
    assert_eq!(found.len(), 3, "{found:?}");
    assert_eq!(found[0].0, Some(2));
    assert!(found[0].1.contains("unknown key `nmae` in app.json"), "{}", found[0].1);
    assert_eq!(found[1].0, Some(3));
    assert!(found[1].1.contains("`secret` in `env.A`"), "{}", found[1].1);
    assert!(found[2].1.contains("`staging`"), "{}", found[2].1);
    assert_eq!(app.env_var("A").and_then(|v| v.value.as_deref()), Some("1"));
}

#[test]
fn wrong_types_are_errors_at_the_value() {
    let cases: [(&str, (usize, usize), &str); 10] = [
        ("{\n  \"env\": [\"A\"]\n}", (2, 10), "`env` must be an object"),
        ("{\"addons\": [\"redis\", 3]}", (1, 22), "`addons[]` must be \"service[:plan]\""),
        ("{\"addons\": [{\"as\": \"X\"}]}", (1, 13), "no \"plan\""),
        ("{\"addons\": [\"\"]}", (1, 13), "not of the form"),
        ("{\"env\": {\"A\": 5}}", (1, 15), "`env.A` must be a string value"),
        ("{\"env\": {\"A\": {\"required\": \"no\"}}}", (1, 28), "true or false"),
        ("{\"formation\": {\"web\": {\"quantity\": 1.5}}}", (1, 36), "whole number"),
        ("{\"scripts\": {\"postdeploy\": {\"size\": \"x\"}}}", (1, 28), "no \"command\""),
        ("{\"buildpacks\": [\"heroku/nodejs\"]}", (1, 17), "`buildpacks[]` must be an object"),
        ("{\"keywords\": [\"a\", false]}", (1, 20), "`keywords[]` must be a string"),
    ];
    for (text, (line, column), needle) in cases {
        let e = err(text.as_bytes());
        assert_eq!(e.file, FILE);
        assert_eq!(e.position, at(line, column), "{text}: {}", e.message);
        assert!(e.message.contains(needle), "{text}: {}", e.message);
    }
}

#[test]
fn the_document_must_be_a_nonempty_json_object() {
    let e = err(b" \n ");
    assert!(e.message.contains("empty") && e.position.is_none(), "{e}");
    let e = err(b"\n  [1, 2]");
    assert_eq!(e.position, at(2, 3));
    assert!(e.message.contains("must be a JSON object"), "{}", e.message);
}

#[test]
fn syntax_errors_have_character_columns() {
    let e = err("{\n  \"name\": \"é\" \"x\"\n}".as_bytes());
    assert_eq!(e.position, at(2, 15), "{}", e.message);
    assert!(!e.message.contains(" at line "), "{}", e.message);
    assert_eq!(err(b"{\"a\": 1").position.map(|p| p.line), Some(1));
}

#[test]
fn non_utf8_bom_nulls_and_repeated_keys() {
    let e = err(b"{\"name\": \"caf\xE9\"}");
    assert_eq!(e.position, at(1, 14));
    assert!(e.message.contains("0xE9"), "{}", e.message);

    let app = ok("\u{feff}{\"name\": null, \"env\": null, \"addons\": null}");
    assert_eq!(app.name, None);
    assert!(app.env.is_empty() && app.addons.is_empty());
    assert!(app.warnings[0].message.contains("byte order mark"));
    assert_eq!(err("\u{feff}[]".as_bytes()).position, at(1, 1));

    let app = ok("{\"name\": \"a\",\n \"name\": \"b\"}");
    assert_eq!(app.name.as_deref(), Some("b"));
    assert_eq!(app.warnings.len(), 1);
    assert!(app.warnings[0].message.contains("appears again on line 2"));
}

#[test]
fn an_unknown_generator_is_a_warning() {
    let app = ok("{\"env\": {\"A\": {\"generator\": \"uuid\"}}}");
    assert!(!app.env[0].secret);
    assert!(app.warnings[0].message.contains("only knows \"secret\""));
}
