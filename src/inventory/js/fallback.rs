//! What the code uses when a variable is unset: the default it gives a read.
//!
//! Real apps spell it many ways: `process.env.X || "d"`, `?? "d"`, through a conversion
//! (`Number(process.env.X) || 5`, `parseInt(process.env.X, 10) || 5`), a destructuring
//! default (`const { PORT = 3000 } = process.env`), lodash's `get(process.env, "X", "d")`,
//! a conditional that tests the variable (`process.env.X ? process.env.X : "d"`,
//! `process.env.X !== undefined ? Number(process.env.X) : 3000`, `typeof process.env.X
//! === "string" ? ... : ...`, `!process.env.X ? "d" : process.env.X`), and schemas:
//! envalid's `str({ default: "d" })`, zod's and Joi's `.default("d")` and `.optional()`. A variable every read of which falls back is optional for the
//! deployed app; the guide shows the default (never for a secret's name).

use tree_sitter::Node;

use super::Fallback;
use super::ast::{self, lossy};

/// Calls that turn a variable's text into another type and keep "unset" falsy, so a
/// fallback after them still applies to the variable.
const CONVERSIONS: &[&[u8]] = &[
    b"Number",
    b"parseInt",
    b"parseFloat",
    b"Number.parseInt",
    b"Number.parseFloat",
    b"String",
    b"Boolean",
    b"JSON.parse",
];

/// Wrappers that leave the value as it is: parentheses and TypeScript's type syntax.
const TRANSPARENT: &[&str] = &[
    "parenthesized_expression",
    "as_expression",
    "non_null_expression",
    "satisfies_expression",
    "type_assertion",
];

/// How many wrappers (parentheses, conversions, `||` chains) [`of_read`] looks through
/// above a read: real code has a handful.
const MAX_CLIMB: usize = 64;

/// The fallback of the read `expression` (`process.env.X`, `env.X`, `import.meta.env.X`):
/// the right side of the outermost `||` / `??` it is the left side of, through
/// parentheses, type assertions, conversions (`Number(...)`), unary `+` and string
/// methods (`process.env.X?.trim()`). In `a ?? b ?? "d"` both fall back to `"d"`. In a
/// conditional that tests the variable (see [`presence_test`]), the branch taken when it
/// is unset is the fallback of the test's read and of the other branch's read.
pub fn of_read(expression: Node<'_>, source: &[u8]) -> Option<Fallback> {
    if let Some(fallback) = of_tested_read(expression, source) {
        return Some(fallback);
    }
    let mut node = expression;
    let mut found = None;
    // tree-sitter finds a node's parent from the root down, so each step costs the
    // node's depth: a bounded climb keeps 50,000 nested parentheses from taking minutes.
    for _ in 0..MAX_CLIMB {
        let Some(parent) = node.parent() else { break };
        let kind = parent.kind();
        if TRANSPARENT.contains(&kind)
            || (kind == "unary_expression" && operator(parent) == Some("+"))
        {
            node = parent;
        } else if kind == "arguments" {
            let Some(call) = parent.parent().filter(|c| c.kind() == "call_expression") else {
                break;
            };
            let callee = call.child_by_field_name("function").map(|f| ast::text(f, source));
            let first = parent.named_child(0) == Some(node);
            if !first || !callee.is_some_and(|c| CONVERSIONS.contains(&c)) {
                break;
            }
            node = call;
        } else if kind == "member_expression" && ast::is_field(parent, "object", node) {
            // `process.env.X.trim()`: only a method call keeps the value.
            match parent.parent().filter(|c| c.kind() == "call_expression") {
                Some(call) if ast::is_field(call, "function", parent) => node = call,
                _ => break,
            }
        } else if kind == "binary_expression" && matches!(operator(parent), Some("||" | "??")) {
            // On the right (`a ?? process.env.B ?? "d"`), a later fallback still applies.
            if ast::is_field(parent, "left", node) {
                found = parent.child_by_field_name("right");
            }
            node = parent;
        } else if kind == "ternary_expression" && !ast::is_field(parent, "condition", node) {
            // `process.env.X ? process.env.X : "d"`: the branch taken when the variable is
            // set reads it, the other is its fallback.
            let Some(test) = parent.child_by_field_name("condition") else { break };
            let name = ast::text(expression, source);
            let Some((read, set_branch)) = presence_test(test, name, source) else { break };
            let branch = if set_branch { "consequence" } else { "alternative" };
            let other = if set_branch { "alternative" } else { "consequence" };
            if ast::text(read, source) != ast::text(expression, source)
                || !ast::is_field(parent, branch, node)
            {
                break;
            }
            found = parent.child_by_field_name(other);
            node = parent;
        } else {
            break;
        }
    }
    found.map(|right| of_expression(right, source))
}

/// The fallback of a read that is itself the test of a conditional (`process.env.X ?
/// ... : "d"`, `!process.env.X ? "d" : ...`, `typeof process.env.X === "string" ? ...`):
/// the branch taken when it is unset, when the other branch reads the same variable;
/// else the variable only switches between two results (`process.env.DEBUG ? "debug" :
/// "info"`), and the app runs without it.
fn of_tested_read(expression: Node<'_>, source: &[u8]) -> Option<Fallback> {
    let mut test = expression;
    // The test is the read under a few operators: `!`, `typeof`, a comparison.
    for _ in 0..4 {
        let parent = test.parent()?;
        if parent.kind() == "ternary_expression" {
            if !ast::is_field(parent, "condition", test) {
                return None;
            }
            let (read, set_branch) = presence_test(test, ast::text(expression, source), source)?;
            // `R !== undefined && R !== ""` tests one variable with two reads.
            if ast::text(read, source) != ast::text(expression, source) {
                return None;
            }
            let (set, unset) = if set_branch {
                ("consequence", "alternative")
            } else {
                ("alternative", "consequence")
            };
            let unset = parent.child_by_field_name(unset)?;
            let set = parent.child_by_field_name(set)?;
            let name = ast::text(expression, source);
            return Some(if reads(set, name, source) {
                of_expression(unset, source)
            } else {
                Fallback::Optional
            });
        }
        test = parent;
    }
    None
}

/// Whether `node` holds the expression whose text is `read` (a read of the variable).
/// Iterative, with a bound on the nodes visited: a branch is a small expression, and
/// pathological code (thousands of nested parentheses) must not exhaust the stack.
fn reads(node: Node<'_>, read: &[u8], source: &[u8]) -> bool {
    let mut stack = vec![node];
    let mut visited = 0;
    while let Some(node) = stack.pop() {
        visited += 1;
        if visited > 4096 {
            return false;
        }
        if ast::text(node, source) == read {
            return true;
        }
        let mut cursor = node.walk();
        stack.extend(
            node.named_children(&mut cursor).filter(|c| c.byte_range().len() >= read.len()),
        );
    }
    false
}

/// A conditional's test that asks whether a variable is set: the read it tests, and
/// whether the `consequence` (true) or the `alternative` (false) is taken when it is.
/// `R`, `!!R`, `R !== undefined`, `R != null`, `R !== ""`, `typeof R === "string"`,
/// `typeof R !== "undefined"` (and the negations: `!R`, `R === undefined`, `R == null`,
/// `typeof R === "undefined"`), through parentheses, either side of the comparison; and
/// such a test joined by `&&` (set) or `||` (unset) to another condition.
/// Only reads whose text is `read` count (`process.env.A && process.env.B ? ...` tests
/// both, each for its own read).
pub fn presence_test<'t>(test: Node<'t>, read: &[u8], source: &[u8]) -> Option<(Node<'t>, bool)> {
    presence_test_within(test, read, source, 0)
}

/// How deep [`presence_test`] looks through `!`, `&&` and `||`: real tests are a few
/// operators deep, and pathological code must not exhaust the stack.
const MAX_TEST_DEPTH: usize = 16;

fn presence_test_within<'t>(
    test: Node<'t>,
    read: &[u8],
    source: &[u8],
    depth: usize,
) -> Option<(Node<'t>, bool)> {
    if depth > MAX_TEST_DEPTH {
        return None;
    }
    let node = unwrap(test);
    let is_read = |n: Node<'_>| {
        matches!(n.kind(), "member_expression" | "subscript_expression")
            && ast::text(n, source) == read
    };
    match node.kind() {
        "member_expression" | "subscript_expression" => is_read(node).then_some((node, true)),
        "unary_expression" if operator(node) == Some("!") => {
            let argument = node.child_by_field_name("argument")?;
            let (found, set) = presence_test_within(argument, read, source, depth + 1)?;
            Some((found, !set))
        }
        "binary_expression" if matches!(operator(node), Some("&&" | "||")) => {
            // `R && R.length > 0 ? R : "d"`: the consequence needs it set; `!R || x ? "d"
            // : R`: the alternative does. The other operand narrows, it never widens.
            let wanted = operator(node) == Some("&&");
            ["left", "right"].iter().find_map(|side| {
                let operand = node.child_by_field_name(side)?;
                let (found, set) = presence_test_within(operand, read, source, depth + 1)?;
                (set == wanted).then_some((found, set))
            })
        }
        "binary_expression" => {
            let op = operator(node)?;
            let equal = match op {
                "===" | "==" => true,
                "!==" | "!=" => false,
                _ => return None,
            };
            let left = unwrap(node.child_by_field_name("left")?);
            let right = unwrap(node.child_by_field_name("right")?);
            let (subject, other) = if is_absent_value(right, source) || right.kind() == "string" {
                (left, right)
            } else {
                (right, left)
            };
            if subject.kind() == "unary_expression" && operator(subject) == Some("typeof") {
                let tested = unwrap(subject.child_by_field_name("argument")?);
                let type_name = ast::literal_value(other, source)?;
                let set = match type_name {
                    b"undefined" => !equal,
                    b"string" => equal,
                    _ => return None,
                };
                return is_read(tested).then_some((tested, set));
            }
            let absent = is_absent_value(other, source)
                || ast::literal_value(other, source).is_some_and(<[u8]>::is_empty);
            (absent && is_read(subject)).then_some((subject, !equal))
        }
        _ => None,
    }
}

/// `undefined` or `null`.
fn is_absent_value(node: Node<'_>, source: &[u8]) -> bool {
    matches!(node.kind(), "undefined" | "null")
        || (node.kind() == "identifier" && ast::text(node, source) == b"undefined")
}

/// The expression inside parentheses and TypeScript's type syntax.
fn unwrap(node: Node<'_>) -> Node<'_> {
    let mut node = node;
    while TRANSPARENT.contains(&node.kind()) {
        match node.named_child(0) {
            Some(inner) => node = inner,
            None => break,
        }
    }
    node
}

/// The default of a destructured key: `{ X = 3 }` or `{ X: x = 3 }`.
pub fn of_pattern_key(key: Node<'_>, source: &[u8]) -> Option<Fallback> {
    let entry = key.parent()?;
    let value = match entry.kind() {
        "object_assignment_pattern" => entry.child_by_field_name("right")?,
        "pair_pattern" => {
            let value = entry.child_by_field_name("value")?;
            if value.kind() != "assignment_pattern" {
                return None;
            }
            value.child_by_field_name("right")?
        }
        _ => return None,
    };
    Some(of_expression(value, source))
}

/// The fallback a schema entry's value declares: envalid's `str({ default: "d" })` (its
/// `devDefault` applies only outside production, so it is none), and the method chains
/// of zod and Joi: `.default("d")` wins over `.optional()` / `.nullish()` anywhere in
/// the chain.
pub fn of_schema_value(value: Node<'_>, source: &[u8]) -> Option<Fallback> {
    let mut node = value;
    let mut optional = false;
    // A chain is a few calls long; the bound only guards against pathological input.
    for _ in 0..64 {
        if node.kind() != "call_expression" {
            break;
        }
        let function = node.child_by_field_name("function")?;
        let arguments = node.child_by_field_name("arguments")?;
        let first = first_argument(arguments);
        if function.kind() == "member_expression" {
            match ast::field(function, "property").map(|p| ast::text(p, source)) {
                Some(b"default") => {
                    return Some(first.map_or(Fallback::Optional, |a| of_expression(a, source)));
                }
                Some(b"optional" | b"nullish") => optional = true,
                _ => {}
            }
            match ast::field(function, "object") {
                Some(object) => node = object,
                None => break,
            }
        } else {
            // envalid: `str({ default: ... })`.
            let options = first.filter(|a| a.kind() == "object");
            if let Some(value) = options.and_then(|o| pair_value(o, b"default", source)) {
                return Some(of_expression(value, source));
            }
            break;
        }
    }
    optional.then_some(Fallback::Optional)
}

/// What an expression given as a default is: a literal's value, `undefined` (optional),
/// or something only known when the code runs.
pub fn of_expression(node: Node<'_>, source: &[u8]) -> Fallback {
    let mut node = node;
    while TRANSPARENT.contains(&node.kind()) {
        match node.named_child(0) {
            Some(inner) => node = inner,
            None => return Fallback::Computed,
        }
    }
    if let Some(text) = ast::literal_value(node, source) {
        return Fallback::Value(lossy(text));
    }
    let text = ast::text(node, source);
    match node.kind() {
        "number" | "true" | "false" => Fallback::Value(lossy(text)),
        "null" => Fallback::Optional,
        "unary_expression"
            if operator(node) == Some("-")
                && node.child_by_field_name("argument").is_some_and(|a| a.kind() == "number") =>
        {
            Fallback::Value(lossy(text))
        }
        "undefined" => Fallback::Optional,
        "identifier" if text == b"undefined" => Fallback::Optional,
        // `cond ? "a" : "a"` gives one value; two different ones depend on the run.
        "ternary_expression" => {
            let branch =
                |field: &str| node.child_by_field_name(field).map(|b| of_expression(b, source));
            match (branch("consequence"), branch("alternative")) {
                (Some(Fallback::Value(a)), Some(Fallback::Value(b))) if a == b => {
                    Fallback::Value(a)
                }
                _ => Fallback::Computed,
            }
        }
        _ => Fallback::Computed,
    }
}

fn operator<'t>(node: Node<'t>) -> Option<&'t str> {
    node.child_by_field_name("operator").map(|op| op.kind())
}

fn first_argument(arguments: Node<'_>) -> Option<Node<'_>> {
    let mut cursor = arguments.walk();
    arguments.named_children(&mut cursor).find(|c| c.kind() != "comment")
}

/// The value of the key `name` in an object literal.
fn pair_value<'t>(object: Node<'t>, name: &[u8], source: &[u8]) -> Option<Node<'t>> {
    let mut cursor = object.walk();
    object.named_children(&mut cursor).filter(|e| e.kind() == "pair").find_map(|pair| {
        let key = pair.child_by_field_name("key")?;
        (ast::key_name(key, source) == Some(name)).then(|| pair.child_by_field_name("value"))?
    })
}
