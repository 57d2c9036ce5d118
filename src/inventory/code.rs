//! Facts from the apps' JavaScript and TypeScript, read with tree-sitter.
//!
//! Most files mention none of the few things the rules look for, so each blob gets a
//! cheap byte search first and only the files that match are parsed.

use super::{App, Error, in_node_modules, js};
use crate::lang::Lang;
use crate::source::Source;

/// Source files larger than this are generated bundles, not code people wrote.
const MAX_SOURCE: u64 = 2 * 1024 * 1024;

/// One source file worth reporting on.
#[derive(Debug, Clone)]
pub struct CodeFile {
    pub path: String,
    /// The folder of the app the file belongs to (the deepest app folder holding it).
    pub app: Option<String>,
    pub facts: js::JsFacts,
}

/// Scans every JS/TS file outside node_modules; returns the files with facts.
pub fn scan(source: &Source, apps: &[App]) -> Result<Vec<CodeFile>, Error> {
    let mut files = Vec::new();
    for entry in source.entries() {
        let Some(lang) = Lang::of_path(&entry.path) else { continue };
        if !entry.kind.is_regular() || in_node_modules(&entry.path) {
            continue;
        }
        if entry.size.is_some_and(|s| s > MAX_SOURCE) {
            continue;
        }
        let bytes = source.read(&entry.path)?;
        if bytes.len() as u64 > MAX_SOURCE || !js::worth_parsing(&bytes) {
            continue;
        }
        let facts = js::scan(&entry.path, lang, &bytes);
        files.push(CodeFile { path: entry.path.clone(), app: owner(apps, &entry.path), facts });
    }
    Ok(files)
}

/// The deepest app folder that holds `path`.
pub fn owner(apps: &[App], path: &str) -> Option<String> {
    apps.iter()
        .filter(|a| a.dir.is_empty() || path.starts_with(&format!("{}/", a.dir)))
        .max_by_key(|a| a.dir.len())
        .map(|a| a.dir.clone())
}
