//! Turns the nodes the walk finds into facts: environment uses, TLS checks,
//! module syntax and imports. node-cron calls are handed to [`super::cron`].

use tree_sitter::Node;

use super::ast::{self, lossy};
use super::cron::NodeCron;
use super::fallback;
use super::walk::{self, Capture};
use super::{EnvUse, JsFacts, ModuleLoad, ModuleSyntax};
use crate::lang::Lang;

/// How an expression naming an environment variable uses it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Access {
    Read,
    Write,
    /// `X += v`, `X ||= v`, `X++`: the old value is read, then replaced.
    ReadWrite,
    /// `process.env.hasOwnProperty(...)`: a method of the object, not a variable.
    Method,
}

/// Facts gathered during the walk, each with the byte offset that orders it.
pub struct Collector<'t, 's> {
    source: &'s [u8],
    env_reads: Vec<(usize, EnvUse)>,
    env_writes: Vec<(usize, EnvUse)>,
    tls_checks_off: Vec<(usize, usize)>,
    esm: bool,
    common_js: bool,
    uses_node_cron: bool,
    uses_node_schedule: bool,
    uses_cron: bool,
    data_modules: Vec<String>,
    loads_dotenv: bool,
    loads: Vec<(usize, ModuleLoad)>,
    node_cron: NodeCron<'t>,
}

impl<'t, 's> Collector<'t, 's> {
    pub fn new(source: &'s [u8]) -> Self {
        Collector {
            source,
            env_reads: Vec::new(),
            env_writes: Vec::new(),
            tls_checks_off: Vec::new(),
            esm: false,
            common_js: false,
            uses_node_cron: false,
            uses_node_schedule: false,
            uses_cron: false,
            data_modules: Vec::new(),
            loads_dotenv: false,
            loads: Vec::new(),
            node_cron: NodeCron::default(),
        }
    }

    /// Walks the whole tree once.
    pub fn run(mut self, lang: Lang, root: Node<'t>) -> Self {
        let source = self.source;
        walk::walk(lang, root, source, |kind, node| self.add(kind, node));
        self
    }

    /// [`Collector::run`] into every subtree, even those without a landmark.
    pub fn run_every_node(mut self, lang: Lang, root: Node<'t>) -> Self {
        let source = self.source;
        walk::walk_everything(lang, root, source, |kind, node| self.add(kind, node));
        self
    }

    /// [`Collector::run`] with the query the walk replaced, for the tests to compare.
    #[cfg(test)]
    pub fn run_query(mut self, lang: Lang, root: Node<'t>) -> Self {
        let source = self.source;
        super::query::captures(lang, root, source, |kind, node| self.add(kind, node));
        self
    }

    fn add(&mut self, kind: Capture, node: Node<'t>) {
        match kind {
            Capture::EnvMember => {
                if let Some(property) = ast::field(node, "property") {
                    self.env_use(node, property, ast::text(property, self.source));
                }
            }
            Capture::EnvSubscript => {
                let index = node.child_by_field_name("index");
                // Only literal keys name a variable; `process.env[name]` is dynamic.
                if let Some(index) = index
                    && let Some(name) = ast::literal_value(index, self.source)
                {
                    self.env_use(node, index, name);
                }
            }
            Capture::EnvPattern => self.env_destructured(node),
            Capture::FalsePair => {
                let key = node.child_by_field_name("key");
                if key.and_then(|key| ast::key_name(key, self.source))
                    == Some(b"rejectUnauthorized")
                {
                    self.tls_checks_off.push((node.start_byte(), ast::line(node)));
                }
            }
            Capture::Import => self.import_statement(node),
            Capture::Export => {
                self.esm = true;
                // `export { x } from "y"` loads "y" too.
                if let Some(source) = node.child_by_field_name("source") {
                    self.module_specifier(source);
                    self.note_load(node, ast::literal_value(source, self.source));
                }
            }
            Capture::NameCall => self.name_call(node),
            Capture::DynamicImport => {
                self.note_call_load(node);
                if self.module_specifier_of_call(node) {
                    self.node_cron.add_import(node);
                }
            }
            Capture::ScheduleMethodCall => self.node_cron.add_call(node),
            Capture::CommonJsExport => self.common_js = true,
        }
    }

    /// Records `name`, found at `name_node` inside `expression`, as read and/or written.
    fn env_use(&mut self, expression: Node<'t>, name_node: Node<'t>, name: &[u8]) {
        let access = access(expression);
        let found = (name_node.start_byte(), EnvUse::new(lossy(name), ast::line(name_node)));
        match access {
            Access::Read => {
                let fallback = fallback::of_read(expression, self.source);
                self.env_reads.push((found.0, EnvUse { fallback, ..found.1 }));
            }
            Access::Write => self.env_writes.push(found),
            Access::ReadWrite => {
                self.env_reads.push(found.clone());
                self.env_writes.push(found);
            }
            Access::Method => {}
        }
    }

    /// `{ A, B: b, C = "d", D: d = "e" } = process.env` reads A, B, C and D. Computed
    /// keys and `...rest` name nothing in particular.
    fn env_destructured(&mut self, pattern: Node<'t>) {
        for (key, name) in ast::destructured_keys(pattern, self.source) {
            let found = EnvUse {
                fallback: fallback::of_pattern_key(key, self.source),
                ..EnvUse::new(lossy(name), ast::line(key))
            };
            self.env_reads.push((key.start_byte(), found));
        }
    }

    fn import_statement(&mut self, statement: Node<'t>) {
        let mut cursor = statement.walk();
        let require_clause =
            statement.named_children(&mut cursor).find(|c| c.kind() == "import_require_clause");
        // TypeScript's `import x = require("y")` is CommonJS written with `import`.
        let source = match require_clause {
            Some(clause) => {
                self.common_js = true;
                clause.child_by_field_name("source")
            }
            None => {
                self.esm = true;
                statement.child_by_field_name("source")
            }
        };
        if let Some(source) = source {
            self.note_load(statement, ast::literal_value(source, self.source));
            if self.module_specifier(source) {
                self.node_cron.add_import(statement);
            }
        }
    }

    /// Records that `node` loads the module named `specifier` (`None`: a computed name).
    fn note_load(&mut self, node: Node<'t>, specifier: Option<&[u8]>) {
        let folder = match specifier {
            Some(_) => None,
            None => first_argument(node).and_then(|a| super::spawns::folder_of(a, self.source)),
        };
        let load = ModuleLoad { specifier: specifier.map(lossy), line: ast::line(node), folder };
        self.loads.push((node.start_byte(), load));
    }

    /// Records the module a `require(...)` or `import(...)` call loads; a call with no
    /// argument loads nothing.
    fn note_call_load(&mut self, call: Node<'t>) {
        let Some(arguments) = call.child_by_field_name("arguments") else { return };
        let mut cursor = arguments.walk();
        if arguments.named_children(&mut cursor).any(|c| c.kind() != "comment") {
            self.note_load(call, ast::first_string_argument(call, self.source));
        }
    }

    fn name_call(&mut self, call: Node<'t>) {
        let function = call.child_by_field_name("function");
        let is_require = function.is_some_and(|f| ast::text(f, self.source) == b"require");
        if !is_require {
            // Maybe `schedule(...)` imported by name from node-cron.
            self.node_cron.add_call(call);
            return;
        }
        self.common_js = true;
        self.note_call_load(call);
        if self.module_specifier_of_call(call) {
            self.node_cron.add_import(call);
        }
    }

    /// Notes the module a `require(...)` or `import(...)` call loads; true for node-cron.
    fn module_specifier_of_call(&mut self, call: Node<'t>) -> bool {
        match ast::first_string_argument(call, self.source) {
            Some(specifier) => self.note_module(specifier),
            None => false,
        }
    }

    /// Notes the module a string literal names; true for node-cron.
    fn module_specifier(&mut self, literal: Node<'t>) -> bool {
        match ast::literal_value(literal, self.source) {
            Some(specifier) => self.note_module(specifier),
            None => false,
        }
    }

    fn note_module(&mut self, specifier: &[u8]) -> bool {
        // "node-cron/src/x" is node-cron too.
        let is = |package: &[u8]| {
            specifier.strip_prefix(package).is_some_and(|rest| rest.is_empty() || rest[0] == b'/')
        };
        if is(b"node-cron") {
            self.uses_node_cron = true;
            return true;
        }
        if let Some(driver) = super::DATA_MODULES.iter().find(|m| is(m.as_bytes()))
            && !self.data_modules.iter().any(|d| d == driver)
        {
            self.data_modules.push((*driver).to_owned());
        }
        self.loads_dotenv |= is(b"dotenv");
        self.uses_node_schedule |= is(b"node-schedule");
        self.uses_cron |= is(b"cron");
        false
    }

    /// Moves everything into `facts`, each list in source order.
    pub fn fill(self, facts: &mut JsFacts) {
        facts.cron_v3_options = in_order(self.node_cron.v3_options(self.source));
        facts.env_reads = in_order(self.env_reads);
        facts.env_writes = in_order(self.env_writes);
        facts.ssl_reject_unauthorized_false = in_order(self.tls_checks_off);
        facts.module_syntax = match (self.esm, self.common_js) {
            (true, _) => ModuleSyntax::Esm,
            (false, true) => ModuleSyntax::CommonJs,
            (false, false) => ModuleSyntax::Unknown,
        };
        facts.uses_node_cron = self.uses_node_cron;
        facts.uses_node_schedule = self.uses_node_schedule;
        facts.uses_cron = self.uses_cron;
        facts.data_modules = self.data_modules;
        facts.loads_dotenv = self.loads_dotenv;
        facts.loads = in_order(self.loads);
    }
}

/// How the expression `process.env.X` / `process.env["X"]` is used by its parent.
pub(super) fn access(expression: Node<'_>) -> Access {
    let Some(parent) = expression.parent() else {
        return Access::Read;
    };
    let operator = || parent.child_by_field_name("operator").map(|op| op.kind());
    match parent.kind() {
        "assignment_expression" if ast::is_field(parent, "left", expression) => Access::Write,
        "augmented_assignment_expression" if ast::is_field(parent, "left", expression) => {
            Access::ReadWrite
        }
        "update_expression" => Access::ReadWrite,
        "unary_expression" if operator() == Some("delete") => Access::Write,
        "call_expression" if ast::is_field(parent, "function", expression) => Access::Method,
        _ => Access::Read,
    }
}

/// The walk finds a destructuring pattern before the uses inside its defaults, and
/// node-cron options only at the end: sort by offset.
fn in_order<T>(mut found: Vec<(usize, T)>) -> Vec<T> {
    found.sort_by_key(|(offset, _)| *offset);
    found.into_iter().map(|(_, item)| item).collect()
}

/// The first argument of a call (`require(x)`, `import(x)`), comments left out.
fn first_argument(call: Node<'_>) -> Option<Node<'_>> {
    let arguments = call.child_by_field_name("arguments")?;
    let mut cursor = arguments.walk();
    arguments.named_children(&mut cursor).find(|c| c.kind() != "comment")
}
