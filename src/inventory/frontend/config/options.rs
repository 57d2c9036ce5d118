//! Options of a bundler's JavaScript config (`vite.config.*`, `vue.config.js`,
//! `next.config.*`, `svelte.config.js`), read from the syntax tree.
//!
//! A text search for `outDir:` finds a plugin's option as readily as the bundler's, and
//! cannot tell `outDir: 'dist'` from `outDir: path.resolve(__dirname, '../server/public')`
//! (the common "build into the Express server's folder" setup), which it silently read
//! as the default. The tree tells both apart: an option is found by its chain of object
//! keys from the top (`build` then `outDir`), whatever wraps the object
//! (`defineConfig(...)`, an arrow function, a `const` exported later), and its value is
//! worked out when it is a literal, `__dirname`-based path code or a `const` holding one;
//! anything else is [`Computed`], which callers name in a warning.

use tree_sitter::{Node, Tree};

use crate::inventory::js::ast::{each_node, find_in, line, literal_value, lossy, text};
use crate::lang::Lang;

/// A config file of the app, parsed once.
pub(crate) struct ConfigFile {
    /// Its path relative to the app (`vite.config.ts`).
    pub name: String,
    text: String,
    tree: Tree,
}

/// A value the tool does not evaluate: where it is and how it is written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Computed {
    /// 1-based line of the value.
    pub line: usize,
    /// The value's code, on one line, shortened.
    pub code: String,
}

/// A folder an option names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Folder {
    /// The path as worked out, `/`-separated, `.` and `..` kept for the caller to
    /// resolve (`../server/public`).
    pub path: String,
    /// True when the path is relative to the config file's folder (`path.resolve(__dirname,
    /// ...)`, `new URL('./x', import.meta.url)`, `process.cwd()`), false for a plain string,
    /// which the bundler resolves against its own root.
    pub from_config_dir: bool,
    /// True when the path starts at the build's working folder (`process.cwd()`, or
    /// `path.resolve('dist')` with no `__dirname`): the app's folder, wherever the config
    /// file sits.
    pub from_cwd: bool,
}

impl ConfigFile {
    /// Parses `text` by the grammar `name`'s extension asks for (JavaScript for `.js`,
    /// `.mjs`, `.cjs`).
    pub fn parse(name: &str, text: String) -> ConfigFile {
        let lang = Lang::of_path(name).unwrap_or(Lang::JavaScript);
        let tree = lang.parse(&text).expect("parser has a language and no timeout");
        ConfigFile { name: name.to_owned(), text, tree }
    }

    /// The value node of the option at `path` (`["build", "outDir"]`): the first property
    /// in source order whose own key and whose enclosing objects' keys are exactly `path`,
    /// so a plugin's `outDir` (`plugins: [dts({ outDir })]`) is not the bundler's.
    fn value(&self, path: &[&str]) -> Option<Node<'_>> {
        self.values(path, true).into_iter().next()
    }

    /// The value nodes of every property at `path` (see `value`), in source order; only
    /// the first when `first`.
    fn values(&self, path: &[&str], first: bool) -> Vec<Node<'_>> {
        let source = self.text.as_bytes();
        let mut found = Vec::new();
        find_in(self.tree.root_node(), |node| {
            if let Some((key, value)) = property(node, source)
                && path.last() == Some(&key.as_str())
                && keys_above(node, source) == path[..path.len() - 1]
            {
                found.push(value);
            }
            (first && !found.is_empty()).then_some(())
        });
        found
    }

    /// The file's text.
    pub fn source(&self) -> &str {
        &self.text
    }

    /// The file's syntax tree.
    pub fn tree(&self) -> &Tree {
        &self.tree
    }

    /// The value node of the option at `path` of the exported config (see `value`), for
    /// an editor to find its bytes.
    pub fn option_node(&self, path: &[&str]) -> Option<Node<'_>> {
        self.value(path)
    }

    /// Every value node at `path`, in source order: a file may hold other objects with
    /// the same keys (a postcss `{ plugins: [...] }` beside webpack's).
    pub fn option_nodes(&self, path: &[&str]) -> Vec<Node<'_>> {
        self.values(path, false)
    }

    /// A string option (`output: 'export'`, `envPrefix: 'APP_'`): `None` when absent,
    /// else its text or where it is computed.
    pub fn string(&self, path: &[&str]) -> Option<Result<String, Computed>> {
        let value = self.value(path)?;
        Some(self.evaluate_string(value, 0).ok_or_else(|| self.computed(value)))
    }

    /// A folder option (`outDir`, `outputDir`, `distDir`, `pages`, `root`), its path tidied
    /// ([`tidy`]); an absolute path is [`Computed`] too: no folder of the repository.
    pub fn folder(&self, path: &[&str]) -> Option<Result<Folder, Computed>> {
        let value = self.value(path)?;
        let folder = self
            .evaluate_folder(value, 0)
            .and_then(|folder| Some(Folder { path: tidy(&folder.path)?, ..folder }));
        Some(folder.ok_or_else(|| self.computed(value)))
    }

    /// A list of strings (`envPrefix: ['APP_', 'VITE_']`); `None` when absent or not a
    /// list of strings the tool can read.
    pub fn strings(&self, path: &[&str]) -> Option<Vec<String>> {
        let value = self.resolve(self.value(path)?, 0)?;
        if value.kind() != "array" {
            return None;
        }
        let mut cursor = value.walk();
        let items: Vec<Node> = value.named_children(&mut cursor).collect();
        items.into_iter().map(|item| self.evaluate_string(item, 0)).collect()
    }

    /// The keys of an object option (`server.proxy`'s `'/api'`, `'/socket.io'`), with the
    /// 1-based line of each; `None` when absent or not an object literal.
    pub fn keys(&self, path: &[&str]) -> Option<Vec<(String, usize)>> {
        let value = self.resolve(self.value(path)?, 0)?;
        if value.kind() != "object" {
            return None;
        }
        let source = self.text.as_bytes();
        let mut cursor = value.walk();
        let keys = value
            .named_children(&mut cursor)
            .filter_map(|p| property(p, source).map(|(key, _)| (key, line(p))))
            .collect();
        Some(keys)
    }

    /// The relative paths the file requires or imports (`require('./webpack.common')`,
    /// `import common from '../webpack.common.js'`), in source order, each once.
    pub fn relative_imports(&self) -> Vec<String> {
        let source = self.text.as_bytes();
        let mut found: Vec<String> = Vec::new();
        each_node(self.tree.root_node(), |node| {
            let spec = match node.kind() {
                "import_statement" => node.child_by_field_name("source"),
                "call_expression"
                    if node
                        .child_by_field_name("function")
                        .is_some_and(|f| text(f, source) == b"require") =>
                {
                    node.child_by_field_name("arguments").and_then(|a| a.named_child(0))
                }
                _ => None,
            };
            let spec = spec.and_then(|s| literal_value(s, source)).map(lossy);
            if let Some(spec) = spec.filter(|s| s.starts_with("./") || s.starts_with("../"))
                && !found.contains(&spec)
            {
                found.push(spec);
            }
        });
        found
    }

    /// 1-based line of the option at `path`, when present.
    pub fn line_of(&self, path: &[&str]) -> Option<usize> {
        self.value(path).map(line)
    }

    fn computed(&self, node: Node) -> Computed {
        let code = lossy(text(node, self.text.as_bytes()));
        let mut code = code.split_whitespace().collect::<Vec<_>>().join(" ");
        if code.chars().count() > 60 {
            code = code.chars().take(57).collect::<String>() + "...";
        }
        Computed { line: line(node), code }
    }

    /// `node`, or the value a plain identifier is bound to by a `const`/`let`/`var` of
    /// the file (followed a few steps: `const out = dir; const dir = '...'`).
    fn resolve<'t>(&'t self, node: Node<'t>, depth: usize) -> Option<Node<'t>> {
        let name = match node.kind() {
            "identifier" | "shorthand_property_identifier" => text(node, self.text.as_bytes()),
            "parenthesized_expression" => return self.resolve(node.named_child(0)?, depth),
            _ => return Some(node),
        };
        if depth > 4 {
            return None;
        }
        let bound = self.binding(name)?;
        self.resolve(bound, depth + 1)
    }

    /// The initial value of the file's one declaration of `name`; `None` when there is
    /// none, more than one, or an assignment to it (a name bound twice has no one value).
    fn binding(&self, name: &[u8]) -> Option<Node<'_>> {
        let source = self.text.as_bytes();
        let mut found = Vec::new();
        each_node(self.tree.root_node(), |node| {
            let named = |field: &str| {
                node.child_by_field_name(field).is_some_and(|n| text(n, source) == name)
            };
            if node.kind() == "variable_declarator" && named("name") {
                found.push(node.child_by_field_name("value"));
            }
            if matches!(node.kind(), "assignment_expression" | "augmented_assignment_expression")
                && named("left")
            {
                // Reassigned: twice counts as "no one value".
                found.extend([None, None]);
            }
        });
        match found[..] {
            [only] => only,
            _ => None,
        }
    }

    fn evaluate_string(&self, node: Node, depth: usize) -> Option<String> {
        let node = self.resolve(node, depth)?;
        let source = self.text.as_bytes();
        match node.kind() {
            "string" | "template_string" => {
                // Escapes are rare in a folder name; one would be read wrong, so refuse.
                let mut cursor = node.walk();
                if node.named_children(&mut cursor).any(|c| c.kind() == "escape_sequence") {
                    return None;
                }
                literal_value(node, source).map(lossy)
            }
            "binary_expression" if operator(node, source) == Some("+") => {
                let left = self.evaluate_string(node.child_by_field_name("left")?, depth + 1)?;
                let right = self.evaluate_string(node.child_by_field_name("right")?, depth + 1)?;
                Some(left + &right)
            }
            _ => None,
        }
    }

    fn evaluate_folder(&self, node: Node, depth: usize) -> Option<Folder> {
        if depth > 8 {
            return None;
        }
        let source = self.text.as_bytes();
        // `import.meta.dirname` is ES modules' `__dirname` (Node 20.11+).
        let dirname = match node.kind() {
            "identifier" => text(node, source) == b"__dirname",
            "member_expression" => text(node, source) == b"import.meta.dirname",
            _ => false,
        };
        if dirname {
            return Some(Folder { path: ".".into(), from_config_dir: true, from_cwd: false });
        }
        let node = self.resolve(node, depth)?;
        let relative = |path: String| Folder { path, from_config_dir: false, from_cwd: false };
        match node.kind() {
            "string" | "template_string" if literal_value(node, source).is_some() => {
                self.evaluate_string(node, depth).map(relative)
            }
            // `${__dirname}/dist`
            "template_string" => {
                let mut cursor = node.walk();
                let parts: Vec<Node> = node.named_children(&mut cursor).collect();
                let (first, rest) = parts.split_first()?;
                let head =
                    first.named_child(0).filter(|_| first.kind() == "template_substitution")?;
                let base = self.evaluate_folder(head, depth + 1)?;
                let tail_start = first.end_byte();
                let tail = source.get(tail_start..node.end_byte() - 1)?;
                if !rest.iter().all(|p| p.kind() == "string_fragment") {
                    return None;
                }
                Some(Folder { path: format!("{}{}", base.path, lossy(tail)), ..base })
            }
            // `__dirname + '/dist'`
            "binary_expression" if operator(node, source) == Some("+") => {
                let base = self.evaluate_folder(node.child_by_field_name("left")?, depth + 1)?;
                let tail = self.evaluate_string(node.child_by_field_name("right")?, depth + 1)?;
                Some(Folder { path: format!("{}{tail}", base.path), ..base })
            }
            "call_expression" => self.evaluate_call(node, depth),
            _ => None,
        }
    }

    /// `path.resolve(...)`, `path.join(...)` (also imported as `resolve`/`join`),
    /// `fileURLToPath(new URL('./x', import.meta.url))` and `process.cwd()`.
    fn evaluate_call(&self, node: Node, depth: usize) -> Option<Folder> {
        let source = self.text.as_bytes();
        let callee = lossy(text(node.child_by_field_name("function")?, source));
        let arguments = node.child_by_field_name("arguments")?;
        let mut cursor = arguments.walk();
        let args: Vec<Node> = arguments.named_children(&mut cursor).collect();
        let method = callee.rsplit('.').next().unwrap_or(&callee);
        let object = callee.strip_suffix(method).map(|o| o.trim_end_matches('.'));
        // `npm run build` runs in the app's folder, where its config file is.
        if callee == "process.cwd" && args.is_empty() {
            return Some(Folder { path: ".".into(), from_config_dir: true, from_cwd: true });
        }
        if callee == "fileURLToPath" || callee == "url.fileURLToPath" {
            let url = args.first().filter(|a| a.kind() == "new_expression")?;
            let constructor = lossy(text(url.child_by_field_name("constructor")?, source));
            let url_args = url.child_by_field_name("arguments")?;
            let mut cursor = url_args.walk();
            let url_args: Vec<Node> = url_args.named_children(&mut cursor).collect();
            let [relative, base] = url_args[..] else { return None };
            if constructor != "URL" || text(base, source) != b"import.meta.url" {
                return None;
            }
            let path = self.evaluate_string(relative, depth + 1)?;
            let folder = Folder { path, from_config_dir: true, from_cwd: false };
            return (!folder.path.starts_with('/')).then_some(folder);
        }
        // `path.dirname(fileURLToPath(import.meta.url))`: the config's folder, as ES
        // modules spell `__dirname`.
        if method == "dirname"
            && let [arg] = args[..]
            && arg.kind() == "call_expression"
            && matches!(
                arg.child_by_field_name("function").map(|f| text(f, source)),
                Some(b"fileURLToPath" | b"url.fileURLToPath")
            )
            && arg
                .child_by_field_name("arguments")
                .and_then(|a| a.named_child(0))
                .is_some_and(|a| text(a, source) == b"import.meta.url")
        {
            return Some(Folder { path: ".".into(), from_config_dir: true, from_cwd: false });
        }
        let path_module = matches!(
            object,
            Some(
                "" | "path"
                    | "posix"
                    | "path.posix"
                    | "nodePath"
                    | "require('path')"
                    | "require(\"path\")"
            )
        );
        if !path_module || !matches!(method, "resolve" | "join") || args.is_empty() {
            return None;
        }
        // `path.resolve` starts at the working folder until a `__dirname` starts it over.
        let resolve = method == "resolve";
        let mut folder =
            Folder { path: String::new(), from_config_dir: resolve, from_cwd: resolve };
        for arg in args {
            let part = self.evaluate_folder(arg, depth + 1)?;
            if part.path.starts_with('/') {
                // An absolute path on the build machine: not a folder of the repository.
                return None;
            }
            if part.from_config_dir {
                // `__dirname` (or `process.cwd()`) starts the path over.
                folder = part;
            } else if folder.path.is_empty() {
                folder.path = part.path;
            } else {
                folder.path = format!("{}/{}", folder.path, part.path);
            }
        }
        if folder.path.is_empty() {
            folder.path = ".".into();
        }
        Some(folder)
    }
}

/// The key and value of an object property: `key: value`, `'key': value`, or the
/// shorthand `{ key }` (its own name as the value).
fn property<'t>(node: Node<'t>, source: &[u8]) -> Option<(String, Node<'t>)> {
    match node.kind() {
        "pair" => {
            let key = node.child_by_field_name("key")?;
            let name = match key.kind() {
                "property_identifier" => lossy(text(key, source)),
                "string" => lossy(literal_value(key, source)?),
                _ => return None,
            };
            Some((name, node.child_by_field_name("value")?))
        }
        "shorthand_property_identifier" => Some((lossy(text(node, source)), node)),
        _ => None,
    }
}

/// The keys of the properties that enclose `node`, outermost first; none when it is
/// nested deeper than a config ever is (each step up costs the node's depth in
/// tree-sitter, so a hostile file must not make this quadratic).
fn keys_above(node: Node, source: &[u8]) -> Vec<String> {
    const MAX_DEPTH: usize = 256;
    let mut keys = Vec::new();
    let mut at = node.parent();
    let mut depth = 0;
    while let Some(parent) = at {
        depth += 1;
        if depth > MAX_DEPTH {
            return Vec::new();
        }
        if parent.kind() == "pair"
            && let Some((key, _)) = property(parent, source)
        {
            keys.push(key);
        }
        at = parent.parent();
    }
    keys.reverse();
    keys
}

fn operator<'s>(node: Node, source: &'s [u8]) -> Option<&'s str> {
    std::str::from_utf8(text(node.child_by_field_name("operator")?, source)).ok()
}

/// `path` with `.` and `x/..` steps taken out; leading `..` steps stay (a folder beside
/// the app's). `None` for an absolute path.
pub(crate) fn tidy(path: &str) -> Option<String> {
    if path.starts_with('/') {
        return None;
    }
    let steps = crate::inventory::path_steps(path);
    Some(if steps.is_empty() { ".".into() } else { steps.join("/") })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn folder(name: &str, text: &str, path: &[&str]) -> Option<Result<Folder, Computed>> {
        ConfigFile::parse(name, text.to_owned()).folder(path)
    }

    fn from_config(path: &str) -> Option<Result<Folder, Computed>> {
        Some(Ok(Folder { path: path.into(), from_config_dir: true, from_cwd: false }))
    }

    fn plain(path: &str) -> Option<Result<Folder, Computed>> {
        Some(Ok(Folder { path: path.into(), from_config_dir: false, from_cwd: false }))
    }

    #[test]
    fn path_calls_from_the_config_folder_are_worked_out() {
        let out = ["build", "outDir"];
        for (config, expected) in [
            (
                "import { defineConfig } from 'vite';\nimport path from 'path';\n\
                 export default defineConfig({ build: { outDir: path.resolve(__dirname, '../server/public') } });",
                "../server/public",
            ),
            (
                "const path = require('path');\nmodule.exports = { build: { outDir: path.join(__dirname, 'www', \"site\") } };",
                "./www/site",
            ),
            (
                "import { resolve } from 'node:path';\nexport default { build: { outDir: resolve(__dirname, '..', 'api', 'static'), emptyOutDir: true } };",
                "../api/static",
            ),
            (
                "import { fileURLToPath, URL } from 'node:url';\nexport default defineConfig({ build: { outDir: fileURLToPath(new URL('../backend/dist', import.meta.url)) } });",
                "../backend/dist",
            ),
            ("export default { build: { outDir: `${__dirname}/../public` } };", "./../public"),
            ("export default { build: { outDir: __dirname + '/public' } };", "./public"),
            ("export default { build: { outDir: path.resolve(process.cwd(), 'out') } };", "out"),
        ] {
            let got = folder("vite.config.ts", config, &out);
            let tidied = got.clone().map(|r| r.map(|f| (tidy(&f.path), f.from_config_dir)));
            assert_eq!(tidied, Some(Ok((tidy(expected), true))), "{config}\n{got:?}");
        }
    }

    #[test]
    fn literals_constants_and_wrappers() {
        let out = ["build", "outDir"];
        assert_eq!(
            folder("vite.config.js", "export default { build: { outDir: 'site' } }", &out),
            plain("site")
        );
        assert_eq!(
            folder(
                "vite.config.ts",
                "const OUT = '../server/public';\nexport default defineConfig(({ mode }) => ({\n  build: { outDir: OUT },\n}));",
                &out
            ),
            plain("../server/public")
        );
        // Shorthand and a chain of constants.
        assert_eq!(
            folder(
                "vite.config.mjs",
                "const dir = 'www';\nconst outDir = dir;\nconst config = { build: { outDir } };\nexport default config;",
                &out
            ),
            plain("www")
        );
        assert_eq!(
            folder(
                "vue.config.js",
                "module.exports = { 'outputDir': \"public_html\" }",
                &["outputDir"]
            ),
            plain("public_html")
        );
        assert_eq!(
            folder(
                "vue.config.js",
                "const path = require('path')\nmodule.exports = {\n  outputDir: path.resolve(__dirname, '../server/public'),\n}",
                &["outputDir"]
            ),
            from_config("../server/public")
        );
    }

    #[test]
    fn other_objects_options_are_not_the_bundlers() {
        let config =
            "export default { plugins: [dts({ outDir: 'types' })], build: { sourcemap: true } }";
        assert_eq!(folder("vite.config.ts", config, &["build", "outDir"]), None);
        // A top-level option is only the top level's.
        let config = "module.exports = { pluginOptions: { outputDir: 'x' } }";
        assert_eq!(folder("vue.config.js", config, &["outputDir"]), None);
    }

    #[test]
    fn code_the_tool_does_not_run_is_computed_with_its_line() {
        for (config, code) in [
            (
                "export default {\n  build: {\n    outDir: process.env.OUT_DIR,\n  },\n}",
                "process.env.OUT_DIR",
            ),
            ("export default {\n  build: {\n    outDir: getOut(mode),\n  },\n}", "getOut(mode)"),
            (
                "export default {\n  build: {\n    outDir: `dist-${mode}`,\n  },\n}",
                "`dist-${mode}`",
            ),
            (
                "export default {\n  build: {\n    outDir: path.resolve('/var/www'),\n  },\n}",
                "path.resolve('/var/www')",
            ),
            ("let d = 'a';\nd = 'b';\nexport default {\n  build: {\n    outDir: d,\n  },\n}", "d"),
            ("var d = 'a';\nvar d = 'b';\nexport default {\n  build: {\n    outDir: d }\n}", "d"),
        ] {
            let got = folder("vite.config.ts", config, &["build", "outDir"]);
            let Some(Err(computed)) = got else { panic!("{config}: {got:?}") };
            assert_eq!(computed.code, code, "{config}");
            assert!(computed.line >= 3, "{config}: {computed:?}");
        }
    }

    #[test]
    fn strings_lists_and_keys() {
        let config = ConfigFile::parse(
            "vite.config.ts",
            "export default defineConfig({\n  envPrefix: ['APP_', \"X_\"],\n  server: {\n    proxy: {\n      '/api': 'http://localhost:5000',\n      \"/socket.io\": { target: 'ws://localhost:5000', ws: true },\n    },\n  },\n})"
                .into(),
        );
        assert_eq!(config.strings(&["envPrefix"]), Some(vec!["APP_".into(), "X_".into()]));
        assert_eq!(
            config.keys(&["server", "proxy"]),
            Some(vec![("/api".into(), 5), ("/socket.io".into(), 6)])
        );
        assert_eq!(config.string(&["envPrefix"]).map(|r| r.is_err()), Some(true));
        let next = ConfigFile::parse(
            "next.config.mjs",
            "const nextConfig = { output: 'export', distDir: 'site' };\nexport default nextConfig;"
                .into(),
        );
        assert_eq!(next.string(&["output"]), Some(Ok("export".into())));
    }

    #[test]
    fn broken_configs_never_panic() {
        for text in [
            "export default { build: { outDir: path.resolve(",
            "export default { build: { outDir: `",
            "export default { build: { outDir: '",
            "module.exports = { outputDir: fileURLToPath(new URL(",
            "const a = b; const b = a; export default { build: { outDir: a } }",
            "export default { build: { outDir: __dirname + } }",
        ] {
            let config = ConfigFile::parse("vite.config.js", text.to_owned());
            let _ = config.folder(&["build", "outDir"]);
            let _ = config.folder(&["outputDir"]);
            let _ = config.keys(&["server", "proxy"]);
            let _ = config.strings(&["envPrefix"]);
        }
    }

    #[test]
    fn tidy_resolves_dots_but_keeps_leading_parents() {
        assert_eq!(tidy("./a/../b/").as_deref(), Some("b"));
        assert_eq!(tidy("client/../../server/public").as_deref(), Some("../server/public"));
        assert_eq!(tidy(".").as_deref(), Some("."));
        assert_eq!(tidy("/var/www"), None);
    }
}
