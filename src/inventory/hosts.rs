//! Which `*.herokuapp.com` hosts are the repository's own backends.
//!
//! A frontend's code names herokuapp hosts; some are the backend the migration moves,
//! others are public APIs that happen to live on Heroku and keep working. Rewriting a
//! third-party host to the backend's URL breaks that feature without a sound, so a host
//! counts as a backend only on evidence:
//!
//! 1. `--backend-host HOST` (then nothing else counts);
//! 2. the host is the name of an app of the repository: its app.json or package.json
//!    `name`, alone or with the suffix Heroku adds (`shop-api-1a2b`);
//! 3. a text file of a backend's folder (its README, app.json, `.env.example`) names it,
//!    or a line of the root README names it together with the backend's folder or name;
//! 4. it is the only herokuapp host a frontend calls (the common one-frontend,
//!    one-backend repository).
//!
//! Every other host is [`HostRole::Unknown`]: kept byte for byte, with a warning.

use super::code::CodeFile;
use super::docs::Mention;
use super::{App, Inventory};

/// A herokuapp host the repository names, and what it is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HerokuHost {
    /// The Heroku app name, lowercase: `shop-api-1a2b` for `shop-api-1a2b.herokuapp.com`.
    pub name: String,
    pub role: HostRole,
    /// Why, for the report: `backend/app.json names shop-api`.
    pub evidence: String,
}

/// What a herokuapp host is to this repository.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HostRole {
    /// A backend the frontends call: the app folder when it is in this repository (`None`
    /// for a backend kept elsewhere, named with `--backend-host` or as the only host).
    /// Frontend code that calls it is pointed at the injected backend URL.
    Backend { app: Option<String> },
    /// Another app of this repository (a frontend's own address): it goes away with the
    /// migration, but no variable replaces it.
    OwnApp { app: String },
    /// Nothing shows it is this repository's: kept as it is.
    Unknown,
}

impl HostRole {
    /// True when the host goes away with the migration.
    pub fn is_retired(&self) -> bool {
        !matches!(self, HostRole::Unknown)
    }
}

/// The Heroku app name of a host, URL or bare name, lowercase:
/// `https://Shop-API.herokuapp.com/x` and `shop-api` give `shop-api`. `None` when it is
/// not a herokuapp host or the name is not one Heroku allows.
pub fn app_name_of(text: &str) -> Option<String> {
    let text = text.trim();
    let bare = !text.contains(['.', '/', ':']);
    if bare {
        return crate::herokuapp::app_name(&format!("{text}{}", crate::herokuapp::HOST_SUFFIX));
    }
    crate::herokuapp::app_name(text)
}

/// One variable a frontend's build gets: the backend URL of one backend it calls.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Binding {
    /// The variable's name before any bundler prefix: `BACKEND_URL`, or
    /// `BACKEND_URL_<APP>` when the frontend calls two backends or more.
    pub var: String,
    /// The backend's app folder, when it is in this repository.
    pub backend: Option<String>,
    /// The Heroku app names this variable replaces, lowercase.
    pub hosts: Vec<String>,
}

impl Inventory {
    /// The role of a Heroku app name (lowercase); unknown names are [`HostRole::Unknown`].
    pub fn host_role(&self, name: &str) -> &HostRole {
        self.hosts.iter().find(|h| h.name == name).map_or(&HostRole::Unknown, |h| &h.role)
    }

    /// True when `path` lies in a bundler's output folder (`dist/`, `build/`): a build
    /// result that `npm run build` writes again, not code to read or edit. A static
    /// site's folder is its source, so it never counts.
    pub fn is_build_output(&self, path: &str) -> bool {
        let Some(dir) = super::code::owner(&self.apps, path) else { return false };
        let Some(frontend) = self.app(&dir).and_then(|a| a.frontend.as_ref()) else {
            return false;
        };
        let bundled =
            !matches!(frontend.kind, crate::inventory::frontend::FrontendKind::Static { .. });
        let output = super::join(&dir, &frontend.public_dir);
        bundled && !frontend.public_dir.is_empty() && path.starts_with(&format!("{output}/"))
    }

    /// The herokuapp hosts the code of the app in `dir` calls, lowercase, each once, in
    /// the order of first appearance.
    pub fn hosts_called_by(&self, dir: &str) -> Vec<String> {
        let mut names: Vec<String> = Vec::new();
        let sources = self.code_of(dir).filter(|c| !self.is_build_output(&c.path));
        for url in sources.flat_map(|c| &c.facts.herokuapp_urls) {
            if let Some(name) = app_name_of(&url.url)
                && !names.contains(&name)
            {
                names.push(name);
            }
        }
        names
    }

    /// The variable that carries the backend URL into the build of the frontend in `dir`:
    /// its static.json proxy's variable, else `env`.
    pub fn backend_env<'a>(&'a self, dir: &str, env: &'a str) -> &'a str {
        let proxied = self.app(dir).and_then(|a| a.frontend.as_ref()?.proxy_env.as_deref());
        proxied.or_else(|| self.own_backend_var(dir)).unwrap_or(env)
    }

    /// The build-time variable the bundled frontend in `dir` already reads for its backend's
    /// address (`REACT_APP_API_URL`, `VITE_BACKEND_URL`, `VUE_APP_GRAPHQL_URI`), when it
    /// calls no herokuapp host and exactly one such variable is read: the backend's URL
    /// goes there instead of a new variable no code reads. A name counts when, after the
    /// bundler's prefix, it names a backend (`API`, `BACKEND`, `SERVER`, `GRAPHQL`, ...)
    /// and an address (`URL`, `URI`, `HOST`, `ENDPOINT`, ...), or is just `API`/`BACKEND`/`SERVER`.
    fn own_backend_var<'a>(&'a self, dir: &str) -> Option<&'a str> {
        let frontend = self.app(dir)?.frontend.as_ref()?;
        if frontend.kind.loads_config_script() || !self.hosts_called_by(dir).is_empty() {
            return None;
        }
        let prefix = frontend.backend_url_var("");
        let mut found: Vec<&str> = Vec::new();
        // Not `code_of`, whose items borrow `dir` too.
        let own = |c: &&CodeFile| c.app.as_deref() == Some(dir) && !self.is_build_output(&c.path);
        for read in self.code.iter().filter(own).flat_map(|c| &c.facts.env_reads) {
            let Some(rest) = read.name.strip_prefix(prefix.as_str()) else { continue };
            if names_a_backend_address(rest) && !found.contains(&read.name.as_str()) {
                found.push(&read.name);
            }
        }
        match found[..] {
            [only] => Some(only),
            _ => None,
        }
    }

    /// True when the frontend in `dir` needs its backend's URL at build time: its code
    /// calls a backend of the repository (see [`Inventory::bindings`]) or its own origin
    /// (`fetch('/api/x')`), its `static.json` forwarded paths to one, or, for a bundled frontend, its code already reads the
    /// variable the build would get (`REACT_APP_BACKEND_URL`, or its own
    /// `REACT_APP_API_URL`). A starter page that calls nothing reads no variable, so none
    /// is required of the user and no build step is added for it.
    pub fn needs_backend_url(&self, dir: &str, env: &str) -> bool {
        let Some(frontend) = self.app(dir).and_then(|a| a.frontend.as_ref()) else {
            return false;
        };
        // Calls to its own origin must go to the backend's URL instead (a warning per call
        // says how), so the build gets the variable that will carry it.
        if frontend.proxy_env.is_some()
            || !frontend.own_origin.is_empty()
            || !self.bindings(dir, env).is_empty()
        {
            return true;
        }
        if frontend.kind.loads_config_script() {
            // Only the generated config script sets the global such a page would read.
            return false;
        }
        let var = frontend.backend_url_var(self.backend_env(dir, env));
        self.code_of(dir)
            .filter(|c| !self.is_build_output(&c.path))
            .any(|c| c.facts.env_reads.iter().any(|r| r.name == var))
    }

    /// The backend URL variables of the frontend in `dir`: one per backend its code
    /// calls, named `env` when there is one (or none), else `env_<APP>` each. A
    /// static.json proxy's variable ([`super::Frontend::proxy_env`]) replaces `env`.
    pub fn bindings(&self, dir: &str, env: &str) -> Vec<Binding> {
        let env = self.backend_env(dir, env);
        let mut bindings: Vec<Binding> = Vec::new();
        for name in self.hosts_called_by(dir) {
            let HostRole::Backend { app } = self.host_role(&name) else { continue };
            // Hosts of one app share a variable; a backend kept elsewhere is its host.
            match bindings.iter_mut().find(|b| b.backend.is_some() && &b.backend == app) {
                Some(binding) => binding.hosts.push(name),
                None => bindings.push(Binding {
                    var: String::new(),
                    backend: app.clone(),
                    hosts: vec![name],
                }),
            }
        }
        let several = bindings.len() > 1;
        for binding in &mut bindings {
            binding.var = if several {
                let label = match &binding.backend {
                    Some(dir) => dir.rsplit('/').next().unwrap_or(dir).to_owned(),
                    None => binding.hosts[0].clone(),
                };
                format!("{env}_{}", screaming(&label))
            } else {
                env.to_owned()
            };
        }
        bindings.sort_by(|a, b| a.var.cmp(&b.var));
        bindings
    }
}

/// True for a variable name (without its bundler prefix) that names a backend's address:
/// `API_URL`, `API_BASE_URL`, `BACKEND_HOST`, `GRAPHQL_URI`, `SERVER_ENDPOINT`, `API`.
pub(crate) fn names_a_backend_address(name: &str) -> bool {
    const BACKEND: &[&str] = &["API", "BACKEND", "SERVER", "GRAPHQL", "GQL", "BASE"];
    const ADDRESS: &[&str] = &["URL", "URI", "HOST", "ENDPOINT", "ORIGIN", "ADDRESS", "ROOT"];
    let words: Vec<&str> = name.split('_').collect();
    matches!(name, "API" | "BACKEND" | "SERVER")
        || (words.iter().any(|w| BACKEND.contains(w)) && words.iter().any(|w| ADDRESS.contains(w)))
}

/// Decides the role of every herokuapp host the code or text files name.
pub fn classify(inv: &Inventory, mentions: &[Mention], manual: &[String]) -> Vec<HerokuHost> {
    let mut names: Vec<String> = Vec::new();
    let code_names = inv.code.iter().flat_map(|c| &c.facts.herokuapp_urls);
    let all = code_names
        .filter_map(|u| app_name_of(&u.url))
        .chain(mentions.iter().flat_map(Mention::names));
    for name in all {
        if !names.contains(&name) {
            names.push(name);
        }
    }
    names.sort();
    let mut hosts: Vec<HerokuHost> = names
        .into_iter()
        .map(|name| {
            let (role, evidence) = match decide(inv, mentions, manual, &name) {
                Some((role, evidence)) => (role, evidence),
                None => (HostRole::Unknown, String::new()),
            };
            HerokuHost { name, role, evidence }
        })
        .collect();
    if manual.is_empty() {
        only_host_called(inv, &mut hosts);
    }
    hosts
}

/// Evidence 1 to 3 for one host.
fn decide(
    inv: &Inventory,
    mentions: &[Mention],
    manual: &[String],
    name: &str,
) -> Option<(HostRole, String)> {
    let named_app = inv.apps.iter().find_map(|app| {
        let names = app_names(app);
        let matched = names.iter().find(|n| is_app_host(name, n))?;
        Some((app, format!("{} is named `{matched}`", app.display_dir())))
    });
    if !manual.is_empty() {
        if !manual.iter().any(|m| m == name) {
            return named_app.map(|(app, why)| (own_app(app), why));
        }
        let app = named_app.map(|(app, _)| app).or_else(|| only_web_backend(inv));
        let role = HostRole::Backend { app: app.map(|a| a.dir.clone()) };
        return Some((role, "named with --backend-host".into()));
    }
    if let Some((app, why)) = named_app {
        let role = if app.frontend.is_some() {
            own_app(app)
        } else {
            HostRole::Backend { app: Some(app.dir.clone()) }
        };
        return Some((role, why));
    }
    for mention in mentions.iter().filter(|m| m.names().any(|n| n == name)) {
        if let Some(app) = backend_named_by(inv, mention) {
            let why = format!("{}:{} names it", mention.path, mention.line);
            return Some((HostRole::Backend { app: Some(app.dir.clone()) }, why));
        }
    }
    None
}

/// Evidence 4: a frontend that calls exactly one herokuapp host, which nothing else
/// explains, calls its backend.
fn only_host_called(inv: &Inventory, hosts: &mut [HerokuHost]) {
    for frontend in inv.apps.iter().filter(|a| a.frontend.is_some()) {
        let called = inv.hosts_called_by(&frontend.dir);
        let [only] = called.as_slice() else { continue };
        let Some(host) = hosts.iter_mut().find(|h| &h.name == only) else { continue };
        if host.role == HostRole::Unknown {
            host.role = HostRole::Backend { app: only_web_backend(inv).map(|a| a.dir.clone()) };
            host.evidence = format!("the only herokuapp host {} calls", frontend.display_dir());
        }
    }
}

/// The backend app whose own text files name the host, or whose folder or name the root
/// README's line names next to it.
fn backend_named_by<'a>(inv: &'a Inventory, mention: &Mention) -> Option<&'a App> {
    let owner = super::code::owner(&inv.apps, &mention.path);
    if let Some(app) = owner.as_deref().filter(|o| !o.is_empty()).and_then(|o| inv.app(o)) {
        return app.frontend.is_none().then_some(app);
    }
    let file = mention.path.rsplit('/').next().unwrap_or(&mention.path);
    if mention.path.contains('/') || !file.to_ascii_lowercase().starts_with("readme") {
        // A root app's own files name its own host.
        let app = inv.app(owner.as_deref()?)?;
        return (app.frontend.is_none() && inv.apps.len() == 1).then_some(app);
    }
    let words: Vec<&str> =
        mention.context.split(|c: char| !(c.is_ascii_alphanumeric() || c == '-')).collect();
    let backends = inv.apps.iter().filter(|a| a.frontend.is_none() && !a.dir.is_empty());
    let named: Vec<&App> = backends
        .filter(|a| {
            let folder = a.dir.rsplit('/').next().unwrap_or(&a.dir).to_ascii_lowercase();
            let mut names = app_names(a);
            names.push(folder);
            names.iter().any(|n| words.contains(&n.as_str()))
        })
        .collect();
    match named[..] {
        [one] => Some(one),
        _ => None,
    }
}

/// app.json's and package.json's `name` (without an npm scope), as Heroku app names.
fn app_names(app: &App) -> Vec<String> {
    let app_json = app.app_json.as_ref().and_then(|a| a.value.name.clone());
    let package = app.package_json.as_ref().and_then(|p| {
        let name = p.value.get("name")?.as_str()?;
        Some(name.rsplit('/').next().unwrap_or(name).to_owned())
    });
    let mut names: Vec<String> = Vec::new();
    for name in [app_json, package].into_iter().flatten().map(|n| heroku_name(&n)) {
        if !name.is_empty() && !names.contains(&name) {
            names.push(name);
        }
    }
    names
}

/// True when `host` is the app `name`, or `name` with the suffix Heroku or its user
/// added to make it unique: a dash and a few letters and digits with at least one digit
/// (`shop-api-1a2b`, `shop-api-84113`). `shop-api-prices` is another app.
fn is_app_host(host: &str, name: &str) -> bool {
    if host == name {
        return true;
    }
    let Some(suffix) = host.strip_prefix(name).and_then(|s| s.strip_prefix('-')) else {
        return false;
    };
    (1..=12).contains(&suffix.len())
        && suffix.bytes().all(|b| b.is_ascii_alphanumeric())
        && suffix.bytes().any(|b| b.is_ascii_digit())
}

/// The only app with a web process that is not a frontend, if there is exactly one.
fn only_web_backend(inv: &Inventory) -> Option<&App> {
    let mut web = inv.apps.iter().filter(|a| a.frontend.is_none() && a.process("web").is_some());
    match (web.next(), web.next()) {
        (Some(one), None) => Some(one),
        _ => None,
    }
}

fn own_app(app: &App) -> HostRole {
    HostRole::OwnApp { app: app.display_dir().to_owned() }
}

/// A name as Heroku app names are written: lowercase letters, digits and single dashes.
fn heroku_name(text: &str) -> String {
    let mut out = String::new();
    for c in text.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
    }
    out.trim_end_matches('-').to_owned()
}

/// `users-api` as `USERS_API`.
fn screaming(text: &str) -> String {
    let mut out = String::new();
    for c in text.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_uppercase());
        } else if !out.is_empty() && !out.ends_with('_') {
            out.push('_');
        }
    }
    out.trim_end_matches('_').to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn variable_names_of_backend_addresses_are_told_from_other_urls_and_keys() {
        for name in ["API_URL", "API_BASE_URL", "BACKEND_HOST", "GRAPHQL_URI", "SERVER", "BASE_URL"]
        {
            assert!(names_a_backend_address(name), "{name}");
        }
        for name in ["GOOGLE_MAPS_URL", "TITLE", "API_KEY", "VAPID_PUBLIC_KEY", "SENTRY_DSN"] {
            assert!(!names_a_backend_address(name), "{name}");
        }
    }

    #[test]
    fn app_names_from_hosts_urls_and_names() {
        assert_eq!(app_name_of("https://Shop-API.herokuapp.com/x?y").as_deref(), Some("shop-api"));
        assert_eq!(app_name_of("shop-api.herokuapp.com").as_deref(), Some("shop-api"));
        assert_eq!(app_name_of("shop-api").as_deref(), Some("shop-api"));
        assert_eq!(app_name_of("http://shop.herokuapp.com:443/").as_deref(), Some("shop"));
        assert_eq!(app_name_of("example.com"), None);
        assert_eq!(app_name_of("bad_name"), None);
        assert_eq!(app_name_of(""), None);
    }

    #[test]
    fn a_host_is_an_app_alone_or_with_a_unique_suffix() {
        assert!(is_app_host("shop-api", "shop-api"));
        assert!(is_app_host("shop-api-1a2b", "shop-api"));
        assert!(is_app_host("shop-api-84113", "shop-api"));
        assert!(is_app_host("shop-api-a1b2c3d4e5f6", "shop-api"));
        assert!(!is_app_host("shop-api-prices", "shop-api"));
        assert!(!is_app_host("shop-api-1a2b-x", "shop-api"));
        assert!(!is_app_host("shop-apis", "shop-api"));
        assert!(!is_app_host("shop", "shop-api"));
    }

    #[test]
    fn variable_suffixes_are_screaming_snake_case() {
        assert_eq!(screaming("users-api"), "USERS_API");
        assert_eq!(screaming("auth.v2"), "AUTH_V2");
        assert_eq!(heroku_name("@Acme Shop_API"), "acme-shop-api");
    }
}
