//! Module names a project maps to its own files, so that a reach follows them instead of
//! giving up: package.json `imports` (`#app/db`, Node's subpath imports), tsconfig.json or
//! jsconfig.json `compilerOptions.paths` and `baseUrl` (`@/lib/db`, `~/x`, `lib/db`, as
//! `tsconfig-paths`, `tsx`, bundlers and `tsc-alias` apply them), and module-alias's
//! `_moduleAliases` in package.json (`@models/user`).

use std::collections::BTreeMap;

use std::borrow::Cow;

use jsonc_parser::{JsonValue, Map, ParseOptions};

/// A parsed JSON object, keys in file order.
type Object<'t> = Map<Cow<'t, str>, JsonValue<'t>>;

use super::Walk;
use super::modules::normalize;
use crate::inventory::{join, parent};

/// How deep `extends` chains are followed: real ones are one or two deep.
const MAX_EXTENDS: usize = 8;

/// What a project's alias settings make of a module name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Mapped {
    /// Repository paths to try in order, as Node or TypeScript resolves a file (with
    /// extensions, a folder's index).
    Paths(Vec<String>),
    /// Another module name: a package (`"#dep": "some-package"`).
    Bare(String),
    /// The settings name it, but it cannot be followed; the sentence says why.
    Unfollowed(String),
}

/// `paths` patterns, each with its targets in the order they are tried.
type Patterns = Vec<(String, Vec<String>)>;

/// The compiler options of one tsconfig.json or jsconfig.json, `extends` applied.
#[derive(Debug, Clone, Default)]
pub(super) struct TsPaths {
    /// The config file that applies, for messages.
    file: String,
    /// `baseUrl`, as a repository folder.
    base_url: Option<String>,
    /// `paths` patterns and their targets, with the folder the targets are relative to
    /// (`baseUrl`, else the folder of the config file that set `paths`).
    paths: Patterns,
    paths_base: String,
}

impl Walk<'_, '_> {
    /// The files package.json `imports` maps `specifier` (`#…`) to, from the package
    /// scope of `dir` (the nearest package.json above it, as Node reads it).
    pub(super) fn subpath_import(&self, specifier: &str, dir: &str) -> Mapped {
        let mut folder = dir.to_owned();
        let manifest = loop {
            let path = join(&folder, "package.json");
            if self.is_file(&path) {
                break path;
            }
            if folder.is_empty() {
                return Mapped::Unfollowed("no package.json declares `imports`".into());
            }
            folder = parent(&folder).to_owned();
        };
        let Some(text) = self.read_text(&manifest) else {
            return Mapped::Unfollowed(format!("`{manifest}` could not be read"));
        };
        let imports = match parse(&text).and_then(|mut root| root.remove("imports")) {
            Some(JsonValue::Object(imports)) => imports.take_inner(),
            _ => return Mapped::Unfollowed(format!("`{manifest}` has no `imports`")),
        };
        match best_match(specifier, imports.iter().map(|(k, v)| (k.as_ref(), v))) {
            Some((target, star)) => target_of(target, star, &folder)
                .unwrap_or_else(|| Mapped::Unfollowed(format!("`{manifest}` maps it to nothing"))),
            None => Mapped::Unfollowed(format!("`{manifest}`'s `imports` has no entry for it")),
        }
    }

    /// What tsconfig.json/jsconfig.json `paths` (then `baseUrl`) make of the bare name
    /// `specifier` loaded from `dir`; `None` when no config maps it.
    pub(super) fn ts_alias(&mut self, specifier: &str, dir: &str) -> Option<Mapped> {
        let config = self.ts_paths(dir)?;
        let entries = config.paths.iter().map(|(k, v)| (k.as_str(), v));
        if let Some((targets, star)) = best_match(specifier, entries) {
            let paths: Vec<String> = targets
                .iter()
                .filter_map(|t| normalize(&join(&config.paths_base, &t.replace('*', star))))
                .collect();
            return Some(if paths.is_empty() {
                Mapped::Unfollowed(format!("`{}` maps it outside the repository", config.file))
            } else {
                Mapped::Paths(paths)
            });
        }
        let base = config.base_url.as_ref()?;
        let path = normalize(&join(base, specifier))?;
        // `baseUrl` alone: only a file that is there wins over a package.
        self.resolve(&path).map(|found| Mapped::Paths(vec![found]))
    }

    /// module-alias's `_moduleAliases` of the nearest package.json above `dir` that has
    /// them: `"@models": "src/models"` makes `@models/user` `src/models/user`.
    pub(super) fn module_alias(&self, specifier: &str, dir: &str) -> Option<Mapped> {
        let mut folder = dir.to_owned();
        loop {
            let manifest = join(&folder, "package.json");
            let text = self.read_text(&manifest);
            let aliases = text.as_deref().and_then(parse).and_then(|mut root| {
                match root.remove("_moduleAliases")? {
                    JsonValue::Object(aliases) => Some(aliases.take_inner()),
                    _ => None,
                }
            });
            if let Some(aliases) = aliases {
                for (alias, target) in &aliases {
                    let rest = match specifier.strip_prefix(alias.as_ref()) {
                        Some("") => "",
                        Some(rest) if rest.starts_with('/') => rest,
                        _ => continue,
                    };
                    let JsonValue::String(target) = target else { continue };
                    let path = normalize(&format!("{}{rest}", join(&folder, target.as_ref())))?;
                    return Some(Mapped::Paths(vec![path]));
                }
                return None;
            }
            if folder.is_empty() {
                return None;
            }
            folder = parent(&folder).to_owned();
        }
    }

    /// The tsconfig.json or jsconfig.json nearest above `dir` (each folder's answer is
    /// read once per command).
    fn ts_paths(&mut self, dir: &str) -> Option<TsPaths> {
        if let Some(known) = self.ts_configs.get(dir) {
            return known.clone();
        }
        let own = ["tsconfig.json", "jsconfig.json"]
            .iter()
            .map(|name| join(dir, name))
            .find(|path| self.is_file(path));
        let found = match own {
            Some(path) => Some(self.read_ts_config(&path, 0)),
            None if dir.is_empty() => None,
            None => self.ts_paths(parent(dir)),
        };
        self.ts_configs.insert(dir.to_owned(), found.clone());
        found
    }

    /// One config file with what its relative `extends` give it (TypeScript: a setting
    /// of the file wins over the one it extends; relative paths are read from the file
    /// that holds them).
    fn read_ts_config(&self, path: &str, depth: usize) -> TsPaths {
        let dir = parent(path);
        let mut out =
            TsPaths { file: path.to_owned(), paths_base: dir.to_owned(), ..Default::default() };
        let Some(text) = self.read_text(path) else { return out };
        let Some(root) = parse(&text) else { return out };
        let mut paths_from: Option<(Patterns, String)> = None;
        let extends: Vec<String> = match root.get("extends") {
            Some(JsonValue::String(one)) => vec![one.to_string()],
            Some(JsonValue::Array(many)) => many
                .iter()
                .filter_map(|v| match v {
                    JsonValue::String(s) => Some(s.to_string()),
                    _ => None,
                })
                .collect(),
            _ => Vec::new(),
        };
        for base in extends.iter().filter(|e| e.starts_with("./") || e.starts_with("../")) {
            if depth >= MAX_EXTENDS {
                break;
            }
            let Some(mut file) = normalize(&join(dir, base)) else { continue };
            if !self.is_file(&file) && self.is_file(&format!("{file}.json")) {
                file.push_str(".json");
            }
            let inherited = self.read_ts_config(&file, depth + 1);
            if inherited.base_url.is_some() {
                out.base_url = inherited.base_url;
            }
            if !inherited.paths.is_empty() {
                paths_from = Some((inherited.paths, inherited.paths_base));
            }
        }
        if let Some(JsonValue::Object(options)) = root.get("compilerOptions") {
            if let Some(JsonValue::String(base)) = options.get("baseUrl") {
                out.base_url = normalize(&join(dir, base.as_ref()));
            }
            if let Some(JsonValue::Object(paths)) = options.get("paths") {
                let mut list = Vec::new();
                for (pattern, targets) in paths.clone().take_inner() {
                    let JsonValue::Array(targets) = targets else { continue };
                    let targets = targets
                        .iter()
                        .filter_map(|t| match t {
                            JsonValue::String(s) => Some(s.to_string()),
                            _ => None,
                        })
                        .collect();
                    list.push((pattern.into_owned(), targets));
                }
                paths_from = Some((list, dir.to_owned()));
            }
        }
        if let Some((paths, base)) = paths_from {
            out.paths = paths;
            out.paths_base = base;
        }
        // Targets are relative to `baseUrl` when there is one (TypeScript 4.1+: else to
        // the file that set `paths`).
        if let Some(base) = &out.base_url {
            out.paths_base = base.clone();
        }
        out
    }

    /// A file's text, without a byte order mark.
    fn read_text(&self, path: &str) -> Option<String> {
        let bytes = self.source().read(path).ok()?;
        let text = String::from_utf8(bytes).ok()?;
        Some(text.strip_prefix('\u{feff}').map(str::to_owned).unwrap_or(text))
    }
}

/// A JSON or JSONC text's top-level object (comments and trailing commas allowed, as
/// TypeScript reads its config files).
fn parse(text: &str) -> Option<Object<'_>> {
    match jsonc_parser::parse_to_value(text, &ParseOptions::default()).ok()?? {
        JsonValue::Object(object) => Some(object.take_inner()),
        _ => None,
    }
}

/// The entry of a pattern map (`imports`, `paths`) for `specifier`: an exact key, else the
/// `*` pattern with the longest prefix (as Node and TypeScript pick), with what `*` stood for.
fn best_match<'v, 's, V>(
    specifier: &'s str,
    entries: impl Iterator<Item = (&'v str, V)>,
) -> Option<(V, &'s str)> {
    let mut best: Option<(usize, V, &'s str)> = None;
    for (key, value) in entries {
        if key == specifier {
            return Some((value, ""));
        }
        let Some((prefix, suffix)) = key.split_once('*') else { continue };
        let matches = specifier.len() >= prefix.len() + suffix.len()
            && specifier.starts_with(prefix)
            && specifier.ends_with(suffix);
        if matches && best.as_ref().is_none_or(|(len, _, _)| prefix.len() > *len) {
            let star = &specifier[prefix.len()..specifier.len() - suffix.len()];
            best = Some((prefix.len(), value, star));
        }
    }
    best.map(|(_, value, star)| (value, star))
}

/// An `imports` target from the package in `folder`: `./path` (with `*` filled in), a
/// package name, conditions (the first that Node, loading for either module system,
/// takes, in the object's order), or fallbacks (an array: the first that maps).
fn target_of(target: &JsonValue<'_>, star: &str, folder: &str) -> Option<Mapped> {
    const CONDITIONS: &[&str] = &["node", "import", "require", "module-sync", "default"];
    match target {
        JsonValue::String(text) if text.starts_with("./") => {
            let path = normalize(&join(folder, &text.replace('*', star)))?;
            Some(Mapped::Paths(vec![path]))
        }
        JsonValue::String(text) => Some(Mapped::Bare(text.replace('*', star))),
        JsonValue::Object(conditions) => conditions
            .clone()
            .take_inner()
            .iter()
            .find(|(key, _)| CONDITIONS.contains(&key.as_ref()))
            .and_then(|(_, value)| target_of(value, star, folder)),
        JsonValue::Array(fallbacks) => fallbacks.iter().find_map(|t| target_of(t, star, folder)),
        _ => None,
    }
}

/// Per-folder answers of [`Walk::ts_paths`].
pub(super) type TsConfigs = BTreeMap<String, Option<TsPaths>>;
