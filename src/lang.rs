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

    /// The language of a program without an extension, from its `#!` line:
    /// `#!/usr/bin/env node`, `#!/usr/bin/node`, `#!/usr/bin/env -S node --flag`,
    /// `nodejs`; `ts-node`, `tsx` and `bun` run TypeScript too, so those are TypeScript.
    /// `None` for other interpreters (`sh`, `python`) and files without one.
    pub fn of_shebang(bytes: &[u8]) -> Option<Lang> {
        match shebang_program(bytes)? {
            "node" | "nodejs" => Some(Lang::JavaScript),
            "ts-node" | "tsx" | "bun" => Some(Lang::TypeScript),
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
        self.parse_after(source, None)
    }

    /// [`Lang::parse`] of `source` after edits already told to `old` with
    /// [`tree_sitter::Tree::edit`]: the parser reuses what the edits left untouched, so
    /// checking a few rewritten literals costs a fraction of a new parse. The tree is
    /// the one a new parse would give.
    pub fn parse_after(
        self,
        source: impl AsRef<[u8]>,
        old: Option<&tree_sitter::Tree>,
    ) -> Option<tree_sitter::Tree> {
        thread_local! {
            static PARSERS: RefCell<[Option<tree_sitter::Parser>; 3]> =
                const { RefCell::new([None, None, None]) };
        }
        PARSERS.with_borrow_mut(|parsers| {
            let parser = parsers[self as usize].get_or_insert_with(|| self.parser());
            parser.parse(source, old)
        })
    }

    fn parser(self) -> tree_sitter::Parser {
        let mut parser = tree_sitter::Parser::new();
        // The grammars are compiled into this binary against the same tree-sitter ABI.
        parser.set_language(&self.grammar()).expect("bundled grammar matches tree-sitter");
        parser
    }
}

/// The interpreter a `#!` line names, by file name: `node` for `#!/usr/bin/env node`,
/// `#!/usr/bin/node` or `#!/usr/bin/env -S node --flag`, `bash` for `#!/bin/bash -e`.
/// `None` without a `#!` line.
pub fn shebang_program(bytes: &[u8]) -> Option<&str> {
    let rest = bytes.strip_prefix(b"#!")?;
    let line = rest.split(|&b| b == b'\n').next().unwrap_or_default();
    let line = std::str::from_utf8(line).ok()?;
    let mut words = line.split_whitespace();
    let program = words.next()?.rsplit('/').next()?;
    if program != "env" {
        return Some(program);
    }
    // `env -S node --flag`, `env NODE_ENV=production node`.
    words.find(|w| !w.starts_with('-') && !w.contains('='))
}

/// A `#!` line that names a POSIX shell (`sh`, `bash`, `dash`, `zsh`).
pub fn is_shell_shebang(bytes: &[u8]) -> bool {
    matches!(shebang_program(bytes), Some("sh" | "bash" | "dash" | "zsh"))
}

/// `text` as a JavaScript string literal in double quotes: the one way this crate writes
/// a JS string (the generated scheduler and build step, rewritten URLs). See
/// [`js_string_in`].
pub fn js_string(text: &str) -> String {
    js_string_in(text, '"')
}

/// `text` as a JavaScript string literal between `quote`s (`"` or `'`). Escapes as JSON
/// does (serde_json's bytes exactly, for `"`): the backslash, the quote, control
/// characters; and U+2028 and U+2029 too, which JSON leaves alone but which end a line,
/// and so a `//` comment, in JavaScript.
pub fn js_string_in(text: &str, quote: char) -> String {
    use std::fmt::Write as _;
    let mut out = String::with_capacity(text.len() + 2);
    out.push(quote);
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            c if c == quote => {
                out.push('\\');
                out.push(c);
            }
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            c if c < ' ' || c == '\u{2028}' || c == '\u{2029}' => {
                write!(out, "\\u{:04x}", u32::from(c)).expect("writing to a String")
            }
            c => out.push(c),
        }
    }
    out.push(quote);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn js_strings_escape_as_json_does_and_end_no_line() {
        let text = "a\"b'c\\d\n\r\t\u{8}\u{c}\u{1}\u{1f}\u{7f}é😀";
        assert_eq!(js_string(text), serde_json::to_string(text).unwrap());
        assert_eq!(js_string("x\u{2028}y\u{2029}"), "\"x\\u2028y\\u2029\"");
        assert_eq!(js_string_in("it's \"a\"\\", '\''), r#"'it\'s "a"\\'"#);
    }

    #[test]
    fn languages_follow_extensions() {
        assert_eq!(Lang::of_path("a/server.ts"), Some(Lang::TypeScript));
        assert_eq!(Lang::of_path("bin/www"), None);
        assert_eq!(Lang::of_path("a/App.tsx"), Some(Lang::Tsx));
        assert_eq!(Lang::of_path("job.mjs"), Some(Lang::JavaScript));
        assert_eq!(Lang::of_path("types/index.d.ts"), None);
        assert_eq!(Lang::of_path("README.md"), None);
        assert_eq!(Lang::of_path("Procfile"), None);
    }

    #[test]
    fn programs_without_an_extension_follow_their_shebang() {
        let cases: &[(&str, Option<Lang>)] = &[
            ("#!/usr/bin/env node\nrequire('x')", Some(Lang::JavaScript)),
            ("#!/usr/bin/node", Some(Lang::JavaScript)),
            ("#! /usr/local/bin/nodejs --harmony\n", Some(Lang::JavaScript)),
            ("#!/usr/bin/env -S node --enable-source-maps\n", Some(Lang::JavaScript)),
            ("#!/usr/bin/env NODE_ENV=production node\n", Some(Lang::JavaScript)),
            ("#!/usr/bin/env ts-node\n", Some(Lang::TypeScript)),
            ("#!/usr/bin/env tsx\n", Some(Lang::TypeScript)),
            ("#!/usr/bin/env bash\nnode x.js", None),
            ("#!/bin/sh\n", None),
            ("#!/usr/bin/env python3\n", None),
            ("node server.js\n", None),
            ("", None),
            ("#!", None),
        ];
        for (text, lang) in cases {
            assert_eq!(Lang::of_shebang(text.as_bytes()), *lang, "{text:?}");
        }
        for shell in ["#!/bin/sh\n", "#!/bin/bash -e\n", "#!/usr/bin/env bash\n", "#!/bin/zsh"] {
            assert!(is_shell_shebang(shell.as_bytes()), "{shell}");
        }
        for other in ["#!/usr/bin/env node\n", "#!/usr/bin/python3", "sh start.sh", ""] {
            assert!(!is_shell_shebang(other.as_bytes()), "{other}");
        }
    }

    #[test]
    fn every_grammar_loads() {
        for lang in [Lang::JavaScript, Lang::TypeScript, Lang::Tsx] {
            let tree = lang.parse("const a = 1;").unwrap();
            assert!(!tree.root_node().has_error());
        }
    }
}
