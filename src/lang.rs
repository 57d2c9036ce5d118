//! The source languages read with tree-sitter, chosen by file extension.

use std::cell::RefCell;

/// A JavaScript-family language with its own tree-sitter grammar.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Lang {
    JavaScript,
    TypeScript,
    /// TypeScript with JSX: the plain TypeScript grammar cannot parse JSX.
    Tsx,
}

impl Lang {
    /// The language of a path, or `None` for files that are not JS or TS source.
    /// `.d.ts` declaration files hold no runtime code and are skipped.
    pub fn of_path(path: &str) -> Option<Lang> {
        let name = path.rsplit('/').next().unwrap_or(path);
        if name.ends_with(".d.ts") || name.ends_with(".d.mts") || name.ends_with(".d.cts") {
            return None;
        }
        let ext = name.rsplit_once('.')?.1;
        match ext {
            "js" | "mjs" | "cjs" | "jsx" => Some(Lang::JavaScript),
            "ts" | "mts" | "cts" => Some(Lang::TypeScript),
            "tsx" => Some(Lang::Tsx),
            _ => None,
        }
    }

    pub fn grammar(self) -> tree_sitter::Language {
        match self {
            Lang::JavaScript => tree_sitter_javascript::LANGUAGE.into(),
            Lang::TypeScript => tree_sitter_typescript::LANGUAGE_TYPESCRIPT.into(),
            Lang::Tsx => tree_sitter_typescript::LANGUAGE_TSX.into(),
        }
    }

    /// Parses `source` with this thread's parser for the language, made on first use: a
    /// parser keeps its buffers from one file to the next. `None` only when cancelled,
    /// which nothing here asks for.
    pub fn parse(self, source: impl AsRef<[u8]>) -> Option<tree_sitter::Tree> {
        thread_local! {
            static PARSERS: RefCell<[Option<tree_sitter::Parser>; 3]> =
                const { RefCell::new([None, None, None]) };
        }
        PARSERS.with_borrow_mut(|parsers| {
            let parser = parsers[self as usize].get_or_insert_with(|| self.parser());
            parser.parse(source, None)
        })
    }

    fn parser(self) -> tree_sitter::Parser {
        let mut parser = tree_sitter::Parser::new();
        // The grammars are compiled into this binary against the same tree-sitter ABI.
        parser.set_language(&self.grammar()).expect("bundled grammar matches tree-sitter");
        parser
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn languages_follow_extensions() {
        assert_eq!(Lang::of_path("a/server.ts"), Some(Lang::TypeScript));
        assert_eq!(Lang::of_path("a/App.tsx"), Some(Lang::Tsx));
        assert_eq!(Lang::of_path("job.mjs"), Some(Lang::JavaScript));
        assert_eq!(Lang::of_path("types/index.d.ts"), None);
        assert_eq!(Lang::of_path("README.md"), None);
        assert_eq!(Lang::of_path("Procfile"), None);
    }

    #[test]
    fn every_grammar_loads() {
        for lang in [Lang::JavaScript, Lang::TypeScript, Lang::Tsx] {
            let tree = lang.parse("const a = 1;").unwrap();
            assert!(!tree.root_node().has_error());
        }
    }
}
