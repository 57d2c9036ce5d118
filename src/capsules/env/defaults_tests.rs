//! What the code's defaults and app.json's declarations make of a variable: optional,
//! or to be set, and why.

use crate::capsules::tests::deployment;
use crate::capsules::{CapsuleEnv, DevDefault, EnvSource};

const PACKAGE: &str = r#"{ "name": "notes", "scripts": { "start": "node server.js" },
  "dependencies": { "mongodb": "6.0.0" } }"#;

/// The web Capsule's variables for `server.js` (and an optional app.json).
fn web_env(server: &str, app_json: Option<&str>) -> Vec<CapsuleEnv> {
    let mut files = vec![("Procfile", "web: node server.js\n"), ("package.json", PACKAGE)];
    files.push(("server.js", server));
    if let Some(app_json) = app_json {
        files.push(("app.json", app_json));
    }
    let d = deployment(&files, None);
    let web = d.capsules.iter().find(|c| c.name == "notes").expect("the web Capsule");
    web.env.clone()
}

fn get<'a>(env: &'a [CapsuleEnv], name: &str) -> &'a CapsuleEnv {
    env.iter().find(|v| v.name == name).unwrap_or_else(|| panic!("{name} in {env:?}"))
}

/// (optional, default shown, development default) of a variable.
fn verdict(var: &CapsuleEnv) -> (bool, Option<&str>, Option<DevDefault>) {
    (var.optional, var.default.as_deref(), var.dev_default)
}

/// A variable a linked data Capsule sets is never optional, whatever the code falls back
/// to; its `localhost` fallback is named as the development default it is.
#[test]
fn a_linked_variable_is_set_by_the_link_not_by_its_local_fallback() {
    let server = "const uri = process.env.MONGODB_URI || 'mongodb://localhost:27017/dev';\n";
    let env = web_env(server, None);
    let uri = get(&env, "MONGODB_URI");
    assert!(matches!(uri.source, EnvSource::DataCapsule { .. }), "{uri:?}");
    assert_eq!(
        verdict(uri),
        (false, Some("mongodb://localhost:27017/dev"), Some(DevDefault::Local))
    );
}

/// A default on this machine, in every spelling the code scan reads (`||`, `??`, a
/// destructuring default, envalid, zod, a conditional), keeps any variable required.
#[test]
fn a_local_default_is_never_the_way_to_run() {
    let server = r#"const a = process.env.API_URL || 'http://localhost:4000';
const b = process.env.CACHE_HOST ?? '127.0.0.1';
const { SMTP_URL = 'smtp://localhost:1025' } = process.env;
const env = cleanEnv(process.env, { SEARCH_URL: url({ default: 'http://[::1]:9200' }) });
const s = z.object({ QUEUE_URL: z.string().default('amqp://localhost') }).parse(process.env);
const c = process.env.CALLBACK_URL ? process.env.CALLBACK_URL : 'http://localhost:3000/cb';
const d = process.env.LOG_LEVEL || 'info';
"#;
    let env = web_env(server, None);
    for name in ["API_URL", "CACHE_HOST", "SMTP_URL", "SEARCH_URL", "QUEUE_URL", "CALLBACK_URL"] {
        let v = get(&env, name);
        assert_eq!((v.optional, v.dev_default), (false, Some(DevDefault::Local)), "{name}");
    }
    assert_eq!(verdict(get(&env, "LOG_LEVEL")), (true, Some("info"), None));
}

/// A credential's or identifier's placeholder keeps it required, in every spelling of a
/// default (`||`, envalid's `default`, zod's and Joi's `.default()`); a real-looking
/// default of an identifier, and any default of an ordinary setting, stay optional.
#[test]
fn a_placeholder_credential_or_identifier_stays_required() {
    let server = r#"const appId = process.env.APP_ID || 'myAppId';
const secret = process.env.SECRET || 'changeme';
const session = process.env.SESSION_SECRET || 'keyboard cat';
const env = cleanEnv(process.env, { JWT_SECRET: str({ default: 'dev' }), CLIENT_ID: str({ default: 'your-client-id' }) });
const s = z.object({ API_TOKEN: z.string().default('your-token-here') }).parse(process.env);
const j = Joi.object({ DB_USER: Joi.string().default('user') }).validate(process.env);
const ga = process.env.GA_ID || 'UA-1234567-1';
const mode = process.env.MODE || 'dev';
"#;
    let env = web_env(server, None);
    assert_eq!(
        verdict(get(&env, "APP_ID")),
        (false, Some("myAppId"), Some(DevDefault::Placeholder))
    );
    assert_eq!(
        verdict(get(&env, "CLIENT_ID")),
        (false, Some("your-client-id"), Some(DevDefault::Placeholder))
    );
    assert_eq!(verdict(get(&env, "DB_USER")), (false, Some("user"), Some(DevDefault::Placeholder)));
    // Names that say secret: the value is never shown, and still required.
    for name in ["SECRET", "SESSION_SECRET", "JWT_SECRET", "API_TOKEN"] {
        let v = get(&env, name);
        assert_eq!(
            (v.optional, v.default.as_deref(), v.default_hidden),
            (false, None, true),
            "{name}"
        );
        assert_eq!(v.dev_default, Some(DevDefault::Placeholder), "{name}");
    }
    assert_eq!(verdict(get(&env, "GA_ID")), (true, Some("UA-1234567-1"), None));
    assert_eq!(verdict(get(&env, "MODE")), (true, Some("dev"), None));
}

/// Heroku's app.json schema: `required` defaults to true. Unwritten, it keeps a variable
/// required over the code's fallback, except that a `value` equal to that fallback lets
/// it stand (Heroku ran the app with that very value); `"required": false` leaves it to
/// the code; a `generator` secret stays required.
#[test]
fn app_json_required_defaults_to_true() {
    let server = r#"const a = process.env.BASE_PATH || '/app';
const b = process.env.REGION || 'eu';
const c = process.env.THEME || 'light';
const d = process.env.PAGE_SIZE || '20';
const e = process.env.COOKIE_SECRET || '';
const f = process.env.FEATURES || 'none';
"#;
    let app_json = r#"{ "env": {
  "BASE_PATH": { "description": "where it is mounted" },
  "REGION": { "value": "us" },
  "THEME": { "value": "light" },
  "PAGE_SIZE": { "value": "50", "required": false },
  "COOKIE_SECRET": { "generator": "secret" },
  "FEATURES": { "required": true, "value": "none" }
} }"#;
    let env = web_env(server, Some(app_json));
    let optional = |name: &str| get(&env, name).optional;
    assert!(!optional("BASE_PATH"), "no value: someone typed one in on Heroku");
    assert!(!optional("REGION"), "Heroku ran it with us, the code falls back to eu");
    assert!(optional("THEME"), "Heroku's value and the code's fallback agree");
    assert!(optional("PAGE_SIZE"), "required: false leaves it to the code");
    assert!(!optional("COOKIE_SECRET"));
    assert!(!optional("FEATURES"), "required: true written out wins");
    assert_eq!(get(&env, "REGION").default, None, "a required variable's default is not offered");
}

/// app.json's placeholder, local or empty value is not offered as the value to set, and
/// neither a placeholder nor an empty value is a credential to rotate.
#[test]
fn app_json_development_values_are_not_offered() {
    let app_json = r#"{ "env": {
  "APP_ID": { "value": "myAppId" },
  "MASTER_KEY": { "value": "myMasterKey" },
  "ALLOW_ORIGIN": { "value": "localhost", "required": false },
  "REAL_KEY": { "value": "f3a9c1d27b4e8a6c0d5f2e9b7a1c4d8e" },
  "SITE_NAME": { "value": "Notes" },
  "MAIL_PASSWORD": { "value": "", "required": false }
} }"#;
    let env = web_env("console.log('hi');\n", Some(app_json));
    let seen = |name: &str| {
        let v = get(&env, name);
        (v.value.as_deref(), v.dev_value, v.hidden)
    };
    assert_eq!(seen("APP_ID"), (None, Some(DevDefault::Placeholder), false));
    assert_eq!(seen("MASTER_KEY"), (None, Some(DevDefault::Placeholder), false));
    assert_eq!(seen("ALLOW_ORIGIN"), (None, Some(DevDefault::Local), false));
    assert_eq!(seen("REAL_KEY"), (None, None, true));
    assert_eq!(seen("SITE_NAME"), (Some("Notes"), None, false));
    // An empty value is neither a value to copy nor a credential to rotate.
    assert_eq!(seen("MAIL_PASSWORD"), (None, None, false));
}
