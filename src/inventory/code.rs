//! Facts from the apps' JavaScript and TypeScript, read with tree-sitter.
//!
//! Most files mention none of the few things the rules look for, so each blob gets a
//! cheap byte search first and only the files that match are parsed.

use super::{App, Error, in_node_modules, js};
use crate::component::Component;
use crate::lang::Lang;
use crate::source::{Entry, Source};

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

/// Scans every JS/TS file outside node_modules; returns the files with facts, in path
/// order.
///
/// This reads most of a monorepo, so it runs on every core through
/// [`Source::read_many`]: each file is read, byte-searched and, rarely, parsed on the
/// thread that read it, and dropped before the next one.
pub fn scan(source: &Source, apps: &[App]) -> Result<Vec<CodeFile>, Error> {
    let candidates: Vec<(&str, Kind)> = source.entries().iter().filter_map(candidate).collect();
    let paths: Vec<&str> = candidates.iter().map(|(path, _)| *path).collect();
    let facts = source.read_many(&paths, |index, bytes| {
        let (path, kind) = candidates[index];
        if bytes.len() as u64 > MAX_SOURCE || !js::worth_parsing(bytes) {
            return None;
        }
        Some(match kind {
            Kind::Source(lang) => js::scan(path, lang, bytes),
            Kind::Component(component) => scan_component(path, component, bytes),
        })
    })?;
    let files = facts.into_iter().map(|facts| CodeFile {
        path: facts.path.clone(),
        app: owner(apps, &facts.path),
        facts,
    });
    Ok(files.collect())
}

/// What a source file is read as.
#[derive(Debug, Clone, Copy)]
enum Kind {
    Source(Lang),
    Component(Component),
}

/// The path and kind of an entry worth reading: JS/TS source or a component outside
/// node_modules and not known to be a bundle.
fn candidate(entry: &Entry) -> Option<(&str, Kind)> {
    let kind = match Lang::of_path(&entry.path) {
        Some(lang) => Kind::Source(lang),
        None => Kind::Component(Component::of_path(&entry.path)?),
    };
    let wanted = entry.kind.is_regular()
        && !in_node_modules(&entry.path)
        && entry.size.is_none_or(|size| size <= MAX_SOURCE);
    wanted.then_some((entry.path.as_str(), kind))
}

/// The facts of a component's script blocks, at their lines in the whole file, and the
/// herokuapp URLs of its markup (which count as addresses the frontend calls). A
/// component that is not UTF-8 is read as far as it is.
fn scan_component(path: &str, component: Component, bytes: &[u8]) -> js::JsFacts {
    let text = String::from_utf8_lossy(bytes);
    let blocks = crate::component::script_blocks(component, &text);
    let mut facts = js::JsFacts { path: path.to_owned(), ..js::JsFacts::default() };
    let mut urls = Vec::new();
    for block in &blocks {
        let shift = crate::component::line_of(&text, block.start) - 1;
        let part = js::scan(path, block.lang, &text.as_bytes()[block.start..block.end]);
        let moved = |uses: Vec<js::EnvUse>| {
            uses.into_iter().map(move |u| js::EnvUse { line: u.line + shift, ..u })
        };
        facts.env_reads.extend(moved(part.env_reads));
        facts.env_writes.extend(moved(part.env_writes));
        urls.extend(
            part.herokuapp_urls.into_iter().map(|u| js::UrlUse { line: u.line + shift, ..u }),
        );
        facts.uses_node_cron |= part.uses_node_cron;
        if facts.module_syntax == js::ModuleSyntax::Unknown {
            facts.module_syntax = part.module_syntax;
        }
    }
    for (line, url) in crate::component::markup_urls(&text, &blocks) {
        urls.push(js::UrlUse { url, line });
    }
    urls.sort_by_key(|u| u.line);
    facts.herokuapp_urls = urls;
    facts
}

/// The deepest app folder that holds `path`.
pub fn owner(apps: &[App], path: &str) -> Option<String> {
    apps.iter()
        .filter(|a| a.dir.is_empty() || path.starts_with(&format!("{}/", a.dir)))
        .max_by_key(|a| a.dir.len())
        .map(|a| a.dir.clone())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::sink::commit::testing::TestRepo;

    fn app(dir: &str) -> App {
        App {
            dir: dir.into(),
            evidence: Vec::new(),
            procfile: None,
            app_json: None,
            package_json: None,
            node_version_file: None,
            frontend: None,
        }
    }

    /// Enough files that the scan runs on every core of the machine running the test;
    /// each file's fact carries the file's number, so a fact attached to the wrong file
    /// shows.
    #[test]
    fn a_scan_on_all_cores_finds_every_fact_in_path_order() {
        let mut files = Vec::new();
        for i in 0..400_usize {
            let dir = if i.is_multiple_of(2) { "api" } else { "web/src" };
            let (ext, body) = match i % 5 {
                0 => ("js", format!("const v = process.env.VAR_{i};\n")),
                1 => ("ts", format!("const u: string = \"https://app-{i}.herokuapp.com/x\";\n")),
                _ => ("js", format!("export const n{i} = {i};\n")),
            };
            files.push((format!("{dir}/f{i:03}.{ext}"), body));
        }
        files.push(("api/notes.md".into(), "process.env.IGNORED\n".into()));
        files.push(("api/types.d.ts".into(), "declare const x: typeof process.env.NO;\n".into()));
        let borrowed: Vec<(&str, &str)> =
            files.iter().map(|(p, c)| (p.as_str(), c.as_str())).collect();
        let repo = TestRepo::with_files(&borrowed);
        let source = Source::Git(repo.open());

        let found = scan(&source, &[app("api"), app("web")]).unwrap();

        // Sources with a fact; not the Markdown file, not the declaration file.
        let mut expected_paths: Vec<&str> = files
            .iter()
            .filter(|(path, body)| {
                Lang::of_path(path).is_some()
                    && (body.contains("process.env") || body.contains("herokuapp"))
            })
            .map(|(path, _)| path.as_str())
            .collect();
        expected_paths.sort();
        let paths: Vec<&str> = found.iter().map(|f| f.path.as_str()).collect();
        assert_eq!(paths, expected_paths);
        assert_eq!(found.len(), 160);
        for file in &found {
            assert_eq!(file.facts.path, file.path);
            let i: usize = file.path[file.path.len() - 6..file.path.len() - 3].parse().unwrap();
            let app = if i.is_multiple_of(2) { "api" } else { "web" };
            assert_eq!(file.app.as_deref(), Some(app), "{}", file.path);
            if i.is_multiple_of(5) {
                let names: Vec<&str> =
                    file.facts.env_reads.iter().map(|e| e.name.as_str()).collect();
                assert_eq!(names, [format!("VAR_{i}")], "{}", file.path);
            } else {
                let url = &file.facts.herokuapp_urls[0].url;
                assert_eq!(url, &format!("https://app-{i}.herokuapp.com/x"), "{}", file.path);
            }
        }
    }
}
