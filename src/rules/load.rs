//! Reading rule files: raw serde structs first, then validation into [`Rule`].

use std::collections::BTreeSet;
use std::path::Path;

use serde::Deserialize;

use super::{EMBEDDED, Error, Rule, RuleKind, RuleSet};
use crate::diag::{FileError, Position};
use crate::edit::lockfile::Release;

/// A rule file as written. Every key is documented here; unknown keys are refused.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRule {
    /// Unique kebab-case id, e.g. `pin-node-engine`.
    id: String,
    /// What the implementation does: one of the kinds of [`RuleKind`].
    kind: String,
    /// One line shown next to each change.
    description: String,
    /// What breaks on Code Capsules without the rule.
    reason: String,
    /// The kind's parameters.
    #[serde(default)]
    params: RawParams,
}

/// The union of every kind's parameters; validation checks which belong to the kind.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawParams {
    /// remove-files: file names to delete.
    files: Option<Vec<String>>,
    /// pin-node: the Node major to pin.
    major: Option<u32>,
    /// pin-node: the Node majors the platform runs; an engines.node that admits one of
    /// them (and can run the app) is kept.
    platform_majors: Option<Vec<u32>>,
    /// frontend-build: the environment variable that carries the backend URL.
    env: Option<String>,
    /// frontend-build: the generated build script's file name.
    script: Option<String>,
    /// frontend-build: the file the build writes into the public folder.
    output: Option<String>,
    /// scheduler: the generated scheduler's file name; guide: the guide's file name.
    file: Option<String>,
    /// scheduler: the node-cron version range to depend on.
    node_cron: Option<String>,
    /// scheduler: what lockfiles record for the node-cron release `node_cron` resolves
    /// to; without it, lockfiles are reported instead of updated.
    node_cron_lock: Option<RawRelease>,
}

/// A published release as `npm view <name>@<version> dist engines license` shows it.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRelease {
    version: String,
    /// `dist.tarball`.
    resolved: String,
    /// `dist.integrity` (`sha512-...`).
    integrity: String,
    /// `dist.shasum` (40 hex digits).
    shasum: String,
    /// `engines.node`, when the release declares it.
    engines_node: Option<String>,
    license: Option<String>,
}

/// The parameter names each kind takes, all required but `node_cron_lock`.
const KIND_PARAMS: &[(&str, &[&str])] = &[
    ("remove-files", &["files"]),
    ("pin-node", &["major", "platform_majors"]),
    ("frontend-build", &["env", "script", "output"]),
    ("rewrite-urls", &[]),
    ("scheduler", &["file", "node_cron", "node_cron_lock"]),
    ("release-phase", &[]),
    ("guide", &["file"]),
];

/// The rule set compiled into the binary.
pub fn embedded() -> Result<RuleSet, Error> {
    let files: Vec<(String, String)> =
        EMBEDDED.iter().map(|(name, text)| (format!("rules/{name}"), (*text).to_owned())).collect();
    from_files(&files)
}

/// Every `*.toml` file of `dir`, in file name order, replacing the embedded set.
pub fn load_dir(dir: &Path) -> Result<RuleSet, Error> {
    let dir_error = |message: String| Error::Dir { dir: dir.display().to_string(), message };
    let read = std::fs::read_dir(dir).map_err(|e| dir_error(e.to_string()))?;
    let mut paths = Vec::new();
    for entry in read {
        let path = entry.map_err(|e| dir_error(e.to_string()))?.path();
        if path.extension().is_some_and(|e| e == "toml") && path.is_file() {
            paths.push(path);
        }
    }
    paths.sort();
    if paths.is_empty() {
        return Err(dir_error("it holds no *.toml rule files".into()));
    }
    let mut files = Vec::new();
    for path in paths {
        let name = path.display().to_string();
        let text = std::fs::read_to_string(&path)
            .map_err(|e| Error::Invalid(FileError::new(&name, format!("cannot read: {e}"))))?;
        files.push((name, text));
    }
    from_files(&files)
}

fn from_files(files: &[(String, String)]) -> Result<RuleSet, Error> {
    let mut rules: Vec<Rule> = Vec::new();
    let mut ids = BTreeSet::new();
    for (name, text) in files {
        let rule = parse_rule(name, text)?;
        if !ids.insert(rule.id.clone()) {
            let offset = text.find(&rule.id).unwrap_or(0);
            let message = format!("rule id `{}` is used by another rule file too", rule.id);
            return Err(FileError::at_offset(name, text.as_bytes(), offset, message).into());
        }
        rules.push(rule);
    }
    Ok(RuleSet { rules })
}

/// Parses and validates one rule file.
pub(super) fn parse_rule(file: &str, text: &str) -> Result<Rule, FileError> {
    let raw: RawRule = toml_edit::de::from_str(text).map_err(|e| {
        let offset = e.span().map_or(0, |s| s.start);
        FileError::at_offset(file, text.as_bytes(), offset, e.message().trim().to_owned())
    })?;
    // A second, span-keeping parse locates the keys that validation complains about.
    let doc = toml_edit::Document::parse(text).map_err(|e| FileError::new(file, e.to_string()))?;
    let at_key = |path: &[&str], message: String| -> FileError {
        let position = key_position(&doc, text, path).unwrap_or(Position { line: 1, column: 1 });
        FileError::at(file, position, message)
    };
    let allowed = check_header(&raw, &at_key)?;
    check_param_names(&doc, &raw.kind, allowed, &at_key)?;
    let kind = build_kind(&raw.kind, raw.params, &at_key)?;
    Ok(Rule {
        id: raw.id,
        description: raw.description.trim().to_owned(),
        reason: raw.reason.trim().to_owned(),
        kind,
    })
}

/// Builds the error for a key path of the rule file (`["params", "file"]`), placed at it.
type AtKey<'a> = dyn Fn(&[&str], String) -> FileError + 'a;

/// Checks the id, description, reason and kind; gives the parameters the kind takes.
fn check_header(raw: &RawRule, at_key: &AtKey) -> Result<&'static [&'static str], FileError> {
    if !is_kebab_id(&raw.id) {
        let message = format!("rule id `{}` must be lowercase kebab-case, like pin-node", raw.id);
        return Err(at_key(&["id"], message));
    }
    if raw.description.trim().is_empty() || raw.description.contains('\n') {
        return Err(at_key(&["description"], "description must be one non-empty line".into()));
    }
    if raw.reason.trim().is_empty() {
        return Err(at_key(&["reason"], "reason must say what breaks without the rule".into()));
    }
    let Some((_, allowed)) = KIND_PARAMS.iter().find(|(k, _)| *k == raw.kind) else {
        let kinds: Vec<&str> = KIND_PARAMS.iter().map(|(k, _)| *k).collect();
        let message =
            format!("unknown rule kind `{}`; expected one of: {}", raw.kind, kinds.join(", "));
        return Err(at_key(&["kind"], message));
    };
    Ok(allowed)
}

/// Refuses a parameter the rule's kind does not take, naming the ones it does.
fn check_param_names(
    doc: &toml_edit::Document<&str>,
    kind: &str,
    allowed: &[&str],
    at_key: &AtKey,
) -> Result<(), FileError> {
    if let Some(params) = doc.get("params").and_then(|p| p.as_table_like()) {
        for (key, _) in params.iter() {
            if !allowed.contains(&key) {
                let message = format!(
                    "`{key}` is not a parameter of a {} rule; it takes: {}",
                    kind,
                    allowed.join(", ")
                );
                return Err(at_key(&["params", key], message));
            }
        }
    }
    Ok(())
}

/// The rule's kind with its parameters, each checked.
fn build_kind(kind: &str, p: RawParams, at_key: &AtKey) -> Result<RuleKind, FileError> {
    let missing = |param: &str| at_key(&["kind"], format!("a {kind} rule needs params.{param}"));
    let kind = match kind {
        "remove-files" => {
            let files = p.files.ok_or_else(|| missing("files"))?;
            for name in &files {
                check_file_name(name).map_err(|m| at_key(&["params", "files"], m))?;
            }
            RuleKind::RemoveFiles { files }
        }
        "pin-node" => {
            let major = p.major.ok_or_else(|| missing("major"))?;
            check_node_major(major).map_err(|m| at_key(&["params", "major"], m))?;
            let platform_majors = p.platform_majors.ok_or_else(|| missing("platform_majors"))?;
            if platform_majors.is_empty() || platform_majors.iter().any(|m| !(1..=99).contains(m)) {
                let message = "list the Node majors Code Capsules runs, such as [20, 22, 24]";
                return Err(at_key(&["params", "platform_majors"], message.into()));
            }
            RuleKind::PinNode { major, platform_majors }
        }
        "frontend-build" => {
            let env = p.env.ok_or_else(|| missing("env"))?;
            check_env_name(&env).map_err(|m| at_key(&["params", "env"], m))?;
            let script = p.script.ok_or_else(|| missing("script"))?;
            let output = p.output.ok_or_else(|| missing("output"))?;
            for (key, name) in [("script", &script), ("output", &output)] {
                check_file_name(name).map_err(|m| at_key(&["params", key], m))?;
            }
            if !script.ends_with(".cjs") {
                let message = "the build script must end in .cjs so it runs as CommonJS everywhere";
                return Err(at_key(&["params", "script"], message.into()));
            }
            RuleKind::FrontendBuild { env, script, output }
        }
        "rewrite-urls" => RuleKind::RewriteUrls,
        "scheduler" => {
            let file = p.file.ok_or_else(|| missing("file"))?;
            check_file_name(&file).map_err(|m| at_key(&["params", "file"], m))?;
            let node_cron = p.node_cron.ok_or_else(|| missing("node_cron"))?;
            let lock = p
                .node_cron_lock
                .map(|raw| release("node-cron", raw, &node_cron))
                .transpose()
                .map_err(|m| at_key(&["params", "node_cron_lock"], m))?;
            RuleKind::Scheduler { file, node_cron, lock }
        }
        "release-phase" => RuleKind::ReleasePhase,
        "guide" => {
            let file = p.file.ok_or_else(|| missing("file"))?;
            check_file_name(&file).map_err(|m| at_key(&["params", "file"], m))?;
            if !file.ends_with(".md") {
                let message = "the guide is Markdown: its file name must end in .md";
                return Err(at_key(&["params", "file"], message.into()));
            }
            RuleKind::Guide { file }
        }
        other => unreachable!("kind `{other}` is listed in KIND_PARAMS but not built"),
    };
    Ok(kind)
}

/// Checks a release's facts: the version is one the dependency range admits, the
/// tarball is an https URL, the hashes have their shapes.
fn release(name: &str, raw: RawRelease, range: &str) -> Result<Release, String> {
    if !crate::semver::satisfies(range, &raw.version) {
        return Err(format!(
            "version `{}` is not in the range `{range}` the rule adds",
            raw.version
        ));
    }
    if !raw.resolved.starts_with("https://") || !raw.resolved.ends_with(".tgz") {
        return Err(format!("resolved `{}` is not an https URL of a .tgz", raw.resolved));
    }
    if !raw.integrity.starts_with("sha512-") {
        return Err("integrity must be the sha512 of `npm view ... dist.integrity`".into());
    }
    if raw.shasum.len() != 40 || !raw.shasum.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err("shasum must be the 40 hex digits of `npm view ... dist.shasum`".into());
    }
    Ok(Release {
        name: name.to_owned(),
        version: raw.version,
        resolved: raw.resolved,
        integrity: raw.integrity,
        shasum: raw.shasum,
        engines_node: raw.engines_node,
        license: raw.license,
    })
}

/// The Node majors this tool pins: the even (long-term support) release lines from 20 on
/// that exist as of 2026-11 (nodejs.org's release schedule: 26 became LTS in October
/// 2026). node-cron 4 needs 20 or later; odd majors are short-lived and never LTS.
pub const SUPPORTED_NODE_MAJORS: &[u32] = &[20, 22, 24, 26];

/// `major` when it is one of `SUPPORTED_NODE_MAJORS`; else the message that lists them.
pub fn check_node_major(major: u32) -> Result<(), String> {
    if SUPPORTED_NODE_MAJORS.contains(&major) {
        return Ok(());
    }
    let list: Vec<String> = SUPPORTED_NODE_MAJORS.iter().map(u32::to_string).collect();
    Err(format!(
        "Node major {major} is not supported; use one of {} (24 is the default)",
        list.join(", ")
    ))
}

/// An environment variable name as shells accept it.
pub fn check_env_name(name: &str) -> Result<(), String> {
    if crate::shell::is_name(name) {
        Ok(())
    } else {
        Err(format!("`{name}` is not an environment variable name (letters, digits and _)"))
    }
}

fn check_file_name(name: &str) -> Result<(), String> {
    if name.is_empty() || name.contains(['/', '\\']) || name == "." || name == ".." {
        Err(format!("`{name}` must be a plain file name, without folders"))
    } else {
        Ok(())
    }
}

fn is_kebab_id(id: &str) -> bool {
    !id.is_empty()
        && !id.starts_with('-')
        && !id.ends_with('-')
        && id.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

fn key_position(doc: &toml_edit::Document<&str>, text: &str, path: &[&str]) -> Option<Position> {
    let (last, parents) = path.split_last()?;
    let mut table = doc.as_table() as &dyn toml_edit::TableLike;
    for name in parents {
        table = table.get(name)?.as_table_like()?;
    }
    let span = table.key(last)?.span()?;
    Some(Position::of_offset(text.as_bytes(), span.start))
}

#[cfg(test)]
mod tests;
