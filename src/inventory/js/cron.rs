//! node-cron 3 options in `schedule(...)` calls: node-cron 4 dropped `scheduled` and
//! `runOnInit`, so a job relying on them silently changes behaviour after an upgrade.
//!
//! Only calls made through node-cron count: the file must import or require it, and the
//! call must go through the name it was bound to (`cron.schedule`, any local name), a
//! `schedule` imported by name, or `require("node-cron").schedule`. Other libraries'
//! `schedule` methods (agenda, node-schedule) take different options.

use tree_sitter::Node;

use super::ast::{self, lossy};

const REMOVED_OPTIONS: [&[u8]; 2] = [b"scheduled", b"runOnInit"];

/// node-cron imports and the calls that may go through them, gathered during the walk.
#[derive(Default)]
pub struct NodeCron<'t> {
    /// Import statements, and `require(...)` / `import(...)` calls, of node-cron.
    imports: Vec<Node<'t>>,
    /// `x.schedule(...)` and `name(...)` calls.
    calls: Vec<Node<'t>>,
}

impl<'t> NodeCron<'t> {
    pub fn add_import(&mut self, node: Node<'t>) {
        self.imports.push(node);
    }

    pub fn add_call(&mut self, call: Node<'t>) {
        self.calls.push(call);
    }

    /// The removed options passed to node-cron's `schedule`, with offset and line.
    pub fn v3_options(&self, source: &[u8]) -> Vec<(usize, (String, usize))> {
        if self.imports.is_empty() {
            return Vec::new();
        }
        let bindings = Bindings::of(&self.imports, source);
        let mut found = Vec::new();
        for &call in &self.calls {
            if bindings.is_schedule(call, source) {
                removed_options(call, source, &mut found);
            }
        }
        found
    }
}

/// The local names node-cron is known by in one file.
struct Bindings<'a, 's> {
    imports: &'a [Node<'a>],
    /// Names of the module object: `cron` in `import cron from`, `import * as cron`,
    /// `const cron = require(...)`.
    modules: Vec<&'s [u8]>,
    /// Names of its `schedule` function: `import { schedule as every }` gives `every`.
    schedules: Vec<&'s [u8]>,
}

impl<'a, 's> Bindings<'a, 's> {
    fn of(imports: &'a [Node<'a>], source: &'s [u8]) -> Self {
        let mut bindings = Bindings { imports, modules: Vec::new(), schedules: Vec::new() };
        for &import in imports {
            if import.kind() == "import_statement" {
                bindings.bind_statement(import, source);
            } else {
                bindings.bind_call(import, source);
            }
        }
        bindings
    }

    fn bind_statement(&mut self, statement: Node<'_>, source: &'s [u8]) {
        let mut cursor = statement.walk();
        for child in statement.named_children(&mut cursor) {
            match child.kind() {
                "import_clause" => self.bind_clause(child, source),
                // TypeScript: `import cron = require("node-cron")`.
                "import_require_clause" => self.bind_target(child.named_child(0), source),
                _ => {}
            }
        }
    }

    fn bind_clause(&mut self, clause: Node<'_>, source: &'s [u8]) {
        let mut cursor = clause.walk();
        for part in clause.named_children(&mut cursor) {
            match part.kind() {
                "identifier" => self.modules.push(ast::text(part, source)),
                "namespace_import" => self.bind_target(part.named_child(0), source),
                "named_imports" => self.bind_named_imports(part, source),
                _ => {}
            }
        }
    }

    fn bind_named_imports(&mut self, named: Node<'_>, source: &'s [u8]) {
        let mut cursor = named.walk();
        for specifier in named.named_children(&mut cursor) {
            let Some(name) = specifier.child_by_field_name("name") else {
                continue;
            };
            let local = specifier.child_by_field_name("alias").unwrap_or(name);
            match ast::text(name, source) {
                b"schedule" => self.schedules.push(ast::text(local, source)),
                b"default" => self.modules.push(ast::text(local, source)),
                _ => {}
            }
        }
    }

    /// `const cron = require("node-cron")`, `const { schedule } = await import(...)`,
    /// `cron = require(...)`.
    fn bind_call(&mut self, call: Node<'_>, source: &'s [u8]) {
        let mut value = call;
        if let Some(parent) = value.parent()
            && parent.kind() == "await_expression"
        {
            value = parent;
        }
        let Some(parent) = value.parent() else {
            return;
        };
        let target = match parent.kind() {
            "variable_declarator" if ast::is_field(parent, "value", value) => {
                parent.child_by_field_name("name")
            }
            "assignment_expression" if ast::is_field(parent, "right", value) => {
                parent.child_by_field_name("left")
            }
            _ => None,
        };
        self.bind_target(target, source);
    }

    /// Binds the name or destructuring pattern a node-cron module value is stored in.
    fn bind_target(&mut self, target: Option<Node<'_>>, source: &'s [u8]) {
        let Some(target) = target else {
            return;
        };
        match target.kind() {
            "identifier" => self.modules.push(ast::text(target, source)),
            "object_pattern" => self.bind_pattern(target, source),
            _ => {}
        }
    }

    /// `{ schedule }`, `{ schedule: every }`, `{ default: cron }`.
    fn bind_pattern(&mut self, pattern: Node<'_>, source: &'s [u8]) {
        let mut cursor = pattern.walk();
        for entry in pattern.named_children(&mut cursor) {
            let (key, local) = match entry.kind() {
                "shorthand_property_identifier_pattern" => (entry, entry),
                "pair_pattern" => {
                    let key = entry.child_by_field_name("key");
                    // `{ schedule: every }`; a nested pattern or default is not a name.
                    match (key, entry.child_by_field_name("value")) {
                        (Some(key), Some(value)) if value.kind() == "identifier" => (key, value),
                        _ => continue,
                    }
                }
                _ => continue,
            };
            match ast::key_name(key, source) {
                Some(b"schedule") => self.schedules.push(ast::text(local, source)),
                Some(b"default") => self.modules.push(ast::text(local, source)),
                _ => {}
            }
        }
    }

    /// `call` is node-cron's `schedule` under one of its local names.
    fn is_schedule(&self, call: Node<'_>, source: &[u8]) -> bool {
        let Some(function) = call.child_by_field_name("function") else {
            return false;
        };
        match function.kind() {
            "identifier" => self.schedules.contains(&ast::text(function, source)),
            "member_expression" => match function.child_by_field_name("object") {
                Some(object) => self.is_module(object, source),
                None => false,
            },
            _ => false,
        }
    }

    /// `object` is the node-cron module: a bound name, `name.default`, or the
    /// `require("node-cron")` call itself.
    fn is_module(&self, object: Node<'_>, source: &[u8]) -> bool {
        match object.kind() {
            "identifier" => self.modules.contains(&ast::text(object, source)),
            "call_expression" => self.imports.contains(&object),
            "member_expression" => {
                let property = object.child_by_field_name("property");
                let inner = object.child_by_field_name("object");
                property.is_some_and(|p| ast::text(p, source) == b"default")
                    && inner.is_some_and(|inner| inner.kind() == "identifier")
                    && inner.is_some_and(|inner| self.is_module(inner, source))
            }
            _ => false,
        }
    }
}

/// Pushes each removed option key in the object literals passed to `call`.
fn removed_options(call: Node<'_>, source: &[u8], found: &mut Vec<(usize, (String, usize))>) {
    let Some(arguments) = call.child_by_field_name("arguments") else {
        return;
    };
    let mut cursor = arguments.walk();
    for object in arguments.named_children(&mut cursor).filter(|a| a.kind() == "object") {
        let mut entries = object.walk();
        for entry in object.named_children(&mut entries) {
            let key = match entry.kind() {
                "pair" => entry.child_by_field_name("key"),
                "shorthand_property_identifier" => Some(entry),
                _ => None,
            };
            let Some(key) = key else {
                continue;
            };
            if let Some(name) = ast::key_name(key, source)
                && REMOVED_OPTIONS.contains(&name)
            {
                found.push((key.start_byte(), (lossy(name), ast::line(key))));
            }
        }
    }
}
