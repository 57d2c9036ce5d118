//! The one tree-sitter query a scan runs, compiled once per language.
//!
//! All patterns live in one query so a file's tree is walked once. Each pattern names
//! one node for the collector (a capture without `_`); `_` captures only feed the
//! `#eq?` predicates. The rest of the judgement (is it an assignment? is that object
//! node-cron?) needs the neighbours of a node and is done in Rust.

use std::sync::OnceLock;

use tree_sitter::Query;

use crate::lang::Lang;

/// What a captured node is; the collector decides what it means.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Capture {
    /// `process.env.X`: the outer member expression.
    EnvMember,
    /// `process.env[...]`: the subscript expression.
    EnvSubscript,
    /// The object pattern of `{ A, B: b } = process.env`.
    EnvPattern,
    /// `process.exit(...)`: the call.
    ExitCall,
    /// `key: false`: the pair (the key is checked by the collector).
    FalsePair,
    /// Any `import` statement (TypeScript's `import x = require("y")` included).
    Import,
    /// Any `export` statement.
    Export,
    /// A call of a plain name: `require(...)`, or `schedule(...)` imported by name.
    NameCall,
    /// `import(...)`.
    DynamicImport,
    /// `x.schedule(...)`.
    ScheduleMethodCall,
    /// `module.exports` or `exports.x`.
    CommonJsExport,
}

impl Capture {
    fn from_name(name: &str) -> Option<Capture> {
        Some(match name {
            "env.member" => Capture::EnvMember,
            "env.subscript" => Capture::EnvSubscript,
            "env.pattern" => Capture::EnvPattern,
            "exit.call" => Capture::ExitCall,
            "false.pair" => Capture::FalsePair,
            "import" => Capture::Import,
            "export" => Capture::Export,
            "name.call" => Capture::NameCall,
            "dynamic.import" => Capture::DynamicImport,
            "schedule.call" => Capture::ScheduleMethodCall,
            "cjs.export" => Capture::CommonJsExport,
            _ => return None,
        })
    }
}

/// Node kinds and fields used here exist with the same names in the JavaScript,
/// TypeScript and TSX grammars, so one text serves all three.
const SOURCE: &str = r#"
((member_expression
   object: (member_expression object: (identifier) @_process property: (property_identifier) @_env)
   property: (property_identifier)) @env.member
 (#eq? @_process "process") (#eq? @_env "env"))

((subscript_expression
   object: (member_expression object: (identifier) @_process property: (property_identifier) @_env)) @env.subscript
 (#eq? @_process "process") (#eq? @_env "env"))

((variable_declarator
   name: (object_pattern) @env.pattern
   value: (member_expression object: (identifier) @_process property: (property_identifier) @_env))
 (#eq? @_process "process") (#eq? @_env "env"))

((assignment_expression
   left: (object_pattern) @env.pattern
   right: (member_expression object: (identifier) @_process property: (property_identifier) @_env))
 (#eq? @_process "process") (#eq? @_env "env"))

((call_expression
   function: (member_expression object: (identifier) @_process property: (property_identifier) @_exit)
   arguments: (arguments)) @exit.call
 (#eq? @_process "process") (#eq? @_exit "exit"))

(pair value: (false)) @false.pair

(import_statement) @import
(export_statement) @export

(call_expression function: (identifier) arguments: (arguments)) @name.call
(call_expression function: (import) arguments: (arguments)) @dynamic.import

((call_expression
   function: (member_expression property: (property_identifier) @_schedule)
   arguments: (arguments)) @schedule.call
 (#eq? @_schedule "schedule"))

((member_expression object: (identifier) @_module property: (property_identifier) @_exports) @cjs.export
 (#eq? @_module "module") (#eq? @_exports "exports"))
((member_expression object: (identifier) @_exports) @cjs.export
 (#eq? @_exports "exports"))
"#;

/// The compiled query and, per capture index, what that capture is.
pub struct Compiled {
    pub query: Query,
    captures: Vec<Option<Capture>>,
}

impl Compiled {
    fn new(lang: Lang) -> Compiled {
        // The text is a constant checked by the tests for every language, so failing
        // here is a bug in this file, not something a user's input can cause.
        let query = Query::new(&lang.grammar(), SOURCE)
            .unwrap_or_else(|e| panic!("built-in {lang:?} query does not compile: {e}"));
        let captures = query.capture_names().iter().map(|name| Capture::from_name(name)).collect();
        Compiled { query, captures }
    }

    pub fn capture(&self, index: u32) -> Option<Capture> {
        self.captures.get(index as usize).copied().flatten()
    }
}

/// The query for `lang`, compiled on first use. `Query` is `Send + Sync`, so scans on
/// several threads share it.
pub fn compiled(lang: Lang) -> &'static Compiled {
    static JAVASCRIPT: OnceLock<Compiled> = OnceLock::new();
    static TYPESCRIPT: OnceLock<Compiled> = OnceLock::new();
    static TSX: OnceLock<Compiled> = OnceLock::new();
    let cell = match lang {
        Lang::JavaScript => &JAVASCRIPT,
        Lang::TypeScript => &TYPESCRIPT,
        Lang::Tsx => &TSX,
    };
    cell.get_or_init(|| Compiled::new(lang))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_compiles_for_every_language_and_names_every_capture_kind() {
        for lang in [Lang::JavaScript, Lang::TypeScript, Lang::Tsx] {
            let compiled = compiled(lang);
            let named = compiled.captures.iter().flatten().count();
            // Eleven kinds, `cjs.export` used by two patterns but one capture name.
            assert_eq!(named, 11, "{lang:?}");
            assert!(std::ptr::eq(compiled, super::compiled(lang)), "compiled once");
        }
    }
}
