//! Facts from JavaScript and TypeScript source, read with tree-sitter: environment
//! variables, hard-coded `*.herokuapp.com` URLs, the module syntax and the modules loaded,
//! disabled TLS checks and node-cron 3 options that node-cron 4 dropped.
//!
//! Monorepos hold thousands of files and parsing runs at a few MB/s, so callers first ask
//! [`worth_parsing`] (a byte search at about 1 GB/s) and [`scan`] only the files it lets
//! through. Facts come from one depth-first walk over each tree (`walk`) that compares
//! node kind ids: less than half the CPU of the tree-sitter query it replaced, which
//! also took 80 ms per language to compile on every run.

pub(crate) mod ast;
mod collect;
mod cron;
mod fallback;
mod indirect;
pub mod listen;
mod prefilter;
pub(crate) use prefilter::Search;
#[cfg(test)]
mod query;
pub mod spawns;
mod urls;
mod walk;

#[cfg(test)]
mod tests;

use tree_sitter::Node;

use crate::diag::Position;
use crate::lang::Lang;
use collect::Collector;

pub use prefilter::worth_parsing;

/// Database drivers and ORMs, by npm name: which service a file talks to.
pub const DATA_MODULES: &[&str] = &[
    "pg",
    "pg-promise",
    "postgres",
    "sequelize",
    "knex",
    "typeorm",
    "@prisma/client",
    "mongoose",
    "mongodb",
    "mysql",
    "mysql2",
    "ioredis",
    "redis",
    "bull",
    "bullmq",
];

/// One use of an environment variable.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct EnvUse {
    pub name: String,
    /// 1-based line of the variable's name.
    pub line: usize,
    /// What the code uses when the variable is unset, where this read says
    /// (`process.env.X || "d"`, `{ X = 3 } = process.env`, a schema's `.default(...)`).
    pub fallback: Option<Fallback>,
    /// The bundler copies the value into the built files where this read is: SvelteKit's
    /// `$env/static/public` and `$env/static/private`, `import.meta.env.PUBLIC_*` (Astro,
    /// SvelteKit's public prefix). Such a variable must be set before the build runs.
    pub inlined: bool,
}

impl EnvUse {
    /// A plain read of `name` at `line`: no fallback, not inlined.
    pub fn new(name: impl Into<String>, line: usize) -> EnvUse {
        EnvUse { name: name.into(), line, ..EnvUse::default() }
    }
}

/// What a read falls back to when the variable is unset.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Fallback {
    /// A literal: a string's contents as written between its quotes (escapes kept), or a
    /// number's or boolean's text.
    Value(String),
    /// An expression only known when the code runs (another variable, a call).
    Computed,
    /// Declared optional (zod's `.optional()`, Joi's `.optional()`, `|| undefined`,
    /// `|| null`): the code runs without it.
    Optional,
}

/// A hard-coded `<name>.herokuapp.com` address inside a string or template literal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UrlUse {
    /// As written: scheme (when present), host, then port and path up to the end of the
    /// literal, whitespace or a `${` substitution. Trailing punctuation is dropped.
    pub url: String,
    /// 1-based line of the address itself (it may sit deep in a multi-line template).
    pub line: usize,
}

/// One module load of a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModuleLoad {
    /// The module name as written between the quotes (`./db`, `pg`, `node:fs`), or `None`
    /// for `require(name)` / `import(\`./${x}\`)` whose argument is not a literal.
    pub specifier: Option<String>,
    /// 1-based line of the load.
    pub line: usize,
    /// For a computed name, the folder its literal start names, when it names one: the
    /// command loaders of bots (`require(\`./commands/${file}\`)`,
    /// `import(join(__dirname, "..", "commands", file))`) load files of that folder.
    pub folder: Option<spawns::Value>,
}

/// The module syntax a file is written in. This is syntax, not what Node will run: a
/// TypeScript file written with `import` may well compile to CommonJS.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum ModuleSyntax {
    /// An `import` or `export` statement. It wins over `require`, which ES modules can
    /// still get from `createRequire`; CommonJS files cannot hold import statements.
    Esm,
    /// `require(...)`, `module.exports` or `exports.x`, and no import/export statement.
    CommonJs,
    /// Neither, e.g. a script with no imports at all.
    #[default]
    Unknown,
}

/// What [`scan`] found in one file. Every list is in source order.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct JsFacts {
    /// The path given to [`scan`], so the facts can be reported on their own.
    pub path: String,
    /// `process.env.X`, `process.env["X"]`, and names destructured from `process.env`;
    /// also the indirect reads of `indirect` (aliases, constant keys, getters, envalid,
    /// zod and Joi schemas, `import.meta.env.X`). Other dynamic keys
    /// (`process.env[name]` with `name` not a constant) are not listed. `X ||= v`,
    /// `X += v` and `X++` read the old value, so they are listed here and in `env_writes`.
    pub env_reads: Vec<EnvUse>,
    /// `process.env.X = v`, compound assignments, `X++` and `delete process.env.X`.
    pub env_writes: Vec<EnvUse>,
    pub herokuapp_urls: Vec<UrlUse>,
    pub module_syntax: ModuleSyntax,
    /// Lines of `rejectUnauthorized: false` object properties.
    pub ssl_reject_unauthorized_false: Vec<usize>,
    /// `scheduled` / `runOnInit` keys (with their line) in the options of a node-cron
    /// `schedule(...)` call: node-cron 4 removed both.
    pub cron_v3_options: Vec<(String, usize)>,
    /// The file imports or requires `node-cron`, `node-schedule`, or `cron`.
    pub uses_node_cron: bool,
    pub uses_node_schedule: bool,
    pub uses_cron: bool,
    /// The database drivers and ORMs of [`DATA_MODULES`] the file imports or requires,
    /// each once, in the order first met.
    pub data_modules: Vec<String>,
    /// The file imports or requires `dotenv` (`dotenv/config` included).
    pub loads_dotenv: bool,
    /// Every module the file loads, in source order: `import ... from "x"`, `import "x"`,
    /// `export ... from "x"`, `require("x")`, `import("x")` (TypeScript's
    /// `import x = require("x")` too). What follows these through the app's own files
    /// needs every one, so a load whose name is computed is listed as well.
    pub loads: Vec<ModuleLoad>,
    /// Where the parser first met code it could not read. The facts elsewhere in the
    /// file still count; the ones inside the broken part may be missing.
    pub syntax_error: Option<Position>,
}

impl JsFacts {
    /// Reads of Heroku's own variables (`HEROKU_APP_NAME`, `HEROKU_SLUG_COMMIT`, ...),
    /// which Code Capsules does not set.
    pub fn heroku_env_reads(&self) -> impl Iterator<Item = &EnvUse> {
        self.env_reads.iter().filter(|env| env.name.starts_with("HEROKU_"))
    }
}

/// Parses `source` as `lang` and collects its facts. Any bytes are accepted: invalid
/// UTF-8 and syntax errors only cost the facts inside the unreadable parts.
///
/// `worth_parsing` ignores the module syntax; call `scan` directly on a file whose
/// module syntax matters even when it mentions none of the patterns.
pub fn scan(path: &str, lang: Lang, source: &[u8]) -> JsFacts {
    scan_with(path, lang, source, |collector, root| collector.run(lang, root), |_| ()).0
}

/// [`scan`], and the first sign that the file starts a server ([`listen::listens`]), from
/// one parse: the reach of a web process asks both of each file it follows.
pub fn scan_and_listen(path: &str, lang: Lang, source: &[u8]) -> (JsFacts, Option<listen::Listen>) {
    let (facts, sign) = scan_with(
        path,
        lang,
        source,
        |collector, root| collector.run(lang, root),
        |root| listen::first_sign(root, source),
    );
    (facts, sign.flatten())
}

/// [`scan`] with a walk that enters every subtree, for checking that the subtrees [`scan`]
/// skips hold no facts (the fuzz target `js_scan` compares the two).
#[doc(hidden)]
pub fn scan_every_node(path: &str, lang: Lang, source: &[u8]) -> JsFacts {
    scan_with(path, lang, source, |collector, root| collector.run_every_node(lang, root), |_| ()).0
}

/// Adds `more` to `uses`, in line order (the sort is stable: same-line uses keep theirs).
fn merge(uses: &mut Vec<EnvUse>, mut more: Vec<(usize, EnvUse)>) {
    if more.is_empty() {
        return;
    }
    more.sort_by_key(|(offset, _)| *offset);
    uses.extend(more.into_iter().map(|(_, u)| u));
    uses.sort_by_key(|u| u.line);
}

/// [`scan`], with the pass that feeds the collector given (the tests run the old query),
/// and `also` asked of the same tree; `None` from it only when there is no tree.
fn scan_with<'s, T>(
    path: &str,
    lang: Lang,
    source: &'s [u8],
    collect: impl for<'t> FnOnce(Collector<'t, 's>, Node<'t>) -> Collector<'t, 's>,
    also: impl for<'t> FnOnce(Node<'t>) -> T,
) -> (JsFacts, Option<T>) {
    let mut facts = JsFacts { path: path.to_owned(), ..JsFacts::default() };
    // `parse` only gives up when cancelled or without a language; neither can happen here.
    let Some(tree) = lang.parse(source) else {
        return (facts, None);
    };
    let root = tree.root_node();
    collect(Collector::new(source), root).fill(&mut facts);
    if indirect::needed(source) {
        let found = indirect::scan(root, source);
        merge(&mut facts.env_reads, found.reads);
        merge(&mut facts.env_writes, found.writes);
    }
    facts.herokuapp_urls = urls::herokuapp_urls(root, source);
    facts.syntax_error =
        ast::first_error(root).map(|node| Position::of_offset(source, node.start_byte()));
    let more = also(root);
    (facts, Some(more))
}
