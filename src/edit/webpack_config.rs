//! The webpack config edit that lets a bundle read the backend URL.
//!
//! webpack leaves `process.env.BACKEND_URL` in browser code as it is (webpack 5 no longer
//! stands in for Node's `process`), so the page would throw or call `undefined/api`. Only
//! the variables its config hands to `EnvironmentPlugin` or `DefinePlugin` are replaced by
//! their build-time values. So the config gets `new webpack.EnvironmentPlugin([...])`
//! naming the variables the rewritten code reads: webpack then inlines each value, and
//! fails the build (an error naming the variable) when one is unset, rather than
//! shipping a site that calls nothing.
//!
//! The edit is one insertion into the exported config's `plugins` array (or a `plugins`
//! key beside its `output`), plus an `import` line in an ES module config that has no
//! binding of webpack yet; every other byte is kept.

use tree_sitter::Node;

use crate::inventory::frontend::{ConfigFile, WebpackConfig};
use crate::inventory::js::ast::{literal_value, lossy, text};
use crate::lang::js_string;

/// What the config needs for `names` to reach the bundle.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Exposure {
    /// Its `EnvironmentPlugin`, `DefinePlugin` or `Dotenv({ systemvars: true })` already
    /// hands every one to the bundle.
    Already,
    /// `file` (relative to the app), edited to add the plugin.
    Edited { file: String, text: String },
    /// No `plugins` array or config object the tool can find: the user adds `plugin`.
    NoPlace { file: String, plugin: String },
}

/// The edit that hands `names` (environment variables) to the bundle webpack builds with
/// `config`: a plugin added to the first `plugins` array of the config or of a config it
/// merges in, else a `plugins` key added to the object that holds `output` (or `entry`,
/// `mode`, `module`).
pub(crate) fn expose(config: &WebpackConfig, names: &[String]) -> Exposure {
    let files: Vec<&ConfigFile> = std::iter::once(&config.main).chain(&config.merged).collect();
    let missing: Vec<&String> =
        names.iter().filter(|name| !files.iter().any(|f| exposes(f, name))).collect();
    if missing.is_empty() {
        return Exposure::Already;
    }
    let list = missing.iter().map(|n| js_string(n)).collect::<Vec<_>>().join(", ");
    let plugins = files.iter().find_map(|f| {
        let source = f.source().as_bytes();
        let node = f
            .option_nodes(&["plugins"])
            .into_iter()
            .find(|n| n.kind() == "array" && is_webpack_plugins(*n, source))?;
        Some((*f, node))
    });
    if let Some((file, array)) = plugins {
        let (plugin, import) = plugin_expression(file, &list);
        let mut edits = append(file.source(), array, &plugin);
        edits.extend(import);
        return Exposure::Edited { file: file.name.clone(), text: apply(file.source(), edits) };
    }
    let main = &config.main;
    let (plugin, import) = plugin_expression(main, &list);
    let object = ["output", "entry", "mode", "module"]
        .iter()
        .find_map(|key| {
            let value = main.option_node(&[key])?;
            // `{ output }` is its own value; `output: ...` sits in a pair.
            match value.kind() {
                "shorthand_property_identifier" => value.parent(),
                _ => value.parent()?.parent(),
            }
        })
        .filter(|o| o.kind() == "object");
    let Some(object) = object else {
        return Exposure::NoPlace { file: main.name.clone(), plugin };
    };
    let mut edits = append(main.source(), object, &format!("plugins: [{plugin}]"));
    edits.extend(import);
    Exposure::Edited { file: main.name.clone(), text: apply(main.source(), edits) }
}

/// Keys only a webpack config object has beside `plugins`.
const WEBPACK_KEYS: [&str; 10] = [
    "entry",
    "output",
    "module",
    "mode",
    "resolve",
    "devServer",
    "devtool",
    "target",
    "optimization",
    "performance",
];

/// True when `array` is webpack's `plugins`: its object has a key only webpack configs
/// have, or it is empty or holds `new X(...)` or a spread (a webpack-merge fragment has
/// only `plugins`); not postcss's or babel's `plugins`, which hold calls and names.
fn is_webpack_plugins(array: Node, source: &[u8]) -> bool {
    let object = array.parent().and_then(|pair| pair.parent());
    let webpack_key = object.is_some_and(|object| {
        let mut cursor = object.walk();
        object.named_children(&mut cursor).any(|pair| {
            pair.child_by_field_name("key").is_some_and(|k| {
                let key = lossy(literal_value(k, source).unwrap_or(text(k, source)));
                WEBPACK_KEYS.contains(&key.as_str())
            })
        })
    });
    let mut cursor = array.walk();
    let items: Vec<Node> =
        array.named_children(&mut cursor).filter(|n| n.kind() != "comment").collect();
    let plugins = items.is_empty()
        || items.iter().any(|item| matches!(item.kind(), "new_expression" | "spread_element"));
    webpack_key || plugins
}

/// True when a plugin of `file` hands `name` to the bundle: `EnvironmentPlugin` or
/// `DefinePlugin` naming it (as `'NAME'`, `NAME:` or `'process.env.NAME'`), a
/// `DefinePlugin` given the whole `process.env`, or dotenv-webpack reading the
/// environment (`systemvars: true`).
fn exposes(file: &ConfigFile, name: &str) -> bool {
    let source = file.source().as_bytes();
    let exposing = |node: Node<'_>| {
        if node.kind() != "new_expression" {
            return None;
        }
        let constructor = node.child_by_field_name("constructor")?;
        let args = node.child_by_field_name("arguments")?;
        let constructor = lossy(text(constructor, source));
        let class = constructor.trim_end_matches(')').rsplit('.').next().unwrap_or_default();
        let args: String = lossy(text(args, source)).split_whitespace().collect();
        let found = match class {
            "EnvironmentPlugin" => names_word(&args, name),
            "DefinePlugin" => {
                names_word(&args, name) || args.contains("JSON.stringify(process.env)")
            }
            "Dotenv" => args.contains("systemvars:true"),
            _ => false,
        };
        found.then_some(())
    };
    crate::inventory::js::ast::find_in(file.tree().root_node(), exposing).is_some()
}

/// True when `text` holds `name` as a whole word (not `API_URL` inside `OLD_API_URL`).
fn names_word(text: &str, name: &str) -> bool {
    let word = |c: char| c.is_ascii_alphanumeric() || c == '_' || c == '$';
    text.match_indices(name).any(|(at, _)| {
        let before = text[..at].chars().next_back();
        let after = text[at + name.len()..].chars().next();
        !before.is_some_and(word) && !after.is_some_and(word)
    })
}

/// The plugin's code for `file`, and the import it needs, if any: `webpack` as the file
/// already binds it (`require('webpack')`, `import webpack from 'webpack'`, or the class
/// itself from `{ EnvironmentPlugin }`); else `require` in CommonJS and a new import line
/// in an ES module (default import in JavaScript, where webpack is CommonJS; a namespace
/// import in TypeScript, which needs no `esModuleInterop`).
fn plugin_expression(file: &ConfigFile, list: &str) -> (String, Option<Edit>) {
    match webpack_binding(file) {
        Some(Binding::Class(class)) => (format!("new {class}([{list}])"), None),
        Some(Binding::Module(module)) => {
            (format!("new {module}.EnvironmentPlugin([{list}])"), None)
        }
        None if !is_module(file) => {
            (format!("new (require(\"webpack\").EnvironmentPlugin)([{list}])"), None)
        }
        None => {
            let typescript = file.name.ends_with(".ts") || file.name.ends_with(".mts");
            let import = if typescript {
                "import * as webpack from \"webpack\";"
            } else {
                "import webpack from \"webpack\";"
            };
            let plugin = format!("new webpack.EnvironmentPlugin([{list}])");
            (plugin, Some(import_edit(file, import)))
        }
    }
}

/// How a config file names webpack's `EnvironmentPlugin`.
enum Binding {
    /// `const webpack = require('webpack')`, `import webpack from 'webpack'`,
    /// `import * as webpack from 'webpack'`.
    Module(String),
    /// `const { EnvironmentPlugin } = require('webpack')`, `import { EnvironmentPlugin }
    /// from 'webpack'`.
    Class(String),
}

fn webpack_binding(file: &ConfigFile) -> Option<Binding> {
    let source = file.source().as_bytes();
    let is_webpack = |node: Node| literal_value(node, source) == Some(b"webpack".as_slice());
    let mut cursor = file.tree().walk();
    let mut found = None;
    loop {
        let node = cursor.node();
        match node.kind() {
            "variable_declarator" => {
                let value = node.child_by_field_name("value");
                let required = value.filter(|v| v.kind() == "call_expression").and_then(|call| {
                    let function = call.child_by_field_name("function")?;
                    let arg = call.child_by_field_name("arguments")?.named_child(0)?;
                    (text(function, source) == b"require" && is_webpack(arg)).then_some(())
                });
                if let (Some(()), Some(name)) = (required, node.child_by_field_name("name")) {
                    found = found.or_else(|| bound_name(name, source));
                }
            }
            "import_statement"
                if node.child_by_field_name("source").is_some_and(is_webpack)
                    && !lossy(text(node, source)).starts_with("import type") =>
            {
                let mut inner = node.walk();
                let clause = node.named_children(&mut inner).find(|c| c.kind() == "import_clause");
                if let Some(clause) = clause {
                    found = found.or_else(|| imported_name(clause, source));
                }
            }
            _ => {}
        }
        if cursor.goto_first_child() {
            continue;
        }
        while !cursor.goto_next_sibling() {
            if !cursor.goto_parent() {
                return found;
            }
        }
    }
}

/// The binding a `require('webpack')` declarator makes: the module's name, or the
/// `EnvironmentPlugin` it destructures.
fn bound_name(name: Node, source: &[u8]) -> Option<Binding> {
    match name.kind() {
        "identifier" => Some(Binding::Module(lossy(text(name, source)))),
        "object_pattern" => {
            let mut cursor = name.walk();
            let names: Vec<Node> = name.named_children(&mut cursor).collect();
            names.into_iter().find_map(|p| match p.kind() {
                "shorthand_property_identifier_pattern"
                    if text(p, source) == b"EnvironmentPlugin" =>
                {
                    Some(Binding::Class("EnvironmentPlugin".into()))
                }
                "pair_pattern"
                    if p.child_by_field_name("key")
                        .is_some_and(|k| text(k, source) == b"EnvironmentPlugin") =>
                {
                    let value = p.child_by_field_name("value")?;
                    (value.kind() == "identifier")
                        .then(|| Binding::Class(lossy(text(value, source))))
                }
                _ => None,
            })
        }
        _ => None,
    }
}

/// The binding an `import ... from 'webpack'` clause makes.
fn imported_name(clause: Node, source: &[u8]) -> Option<Binding> {
    let mut cursor = clause.walk();
    let parts: Vec<Node> = clause.named_children(&mut cursor).collect();
    for part in parts {
        match part.kind() {
            "identifier" => return Some(Binding::Module(lossy(text(part, source)))),
            "namespace_import" => {
                let name = part.named_child(0)?;
                return Some(Binding::Module(lossy(text(name, source))));
            }
            "named_imports" => {
                let mut inner = part.walk();
                let specifiers: Vec<Node> = part.named_children(&mut inner).collect();
                for specifier in specifiers {
                    let name = specifier.child_by_field_name("name");
                    if name.is_none_or(|n| text(n, source) != b"EnvironmentPlugin") {
                        continue;
                    }
                    let local = specifier.child_by_field_name("alias").or(name)?;
                    return Some(Binding::Class(lossy(text(local, source))));
                }
            }
            _ => {}
        }
    }
    None
}

/// True for an ES module config: `.mjs`, `.mts` or `.ts`, or one with `import` or
/// `export` statements (a `.js` config under `"type": "module"`).
fn is_module(file: &ConfigFile) -> bool {
    if [".mjs", ".mts", ".ts"].iter().any(|ext| file.name.ends_with(ext)) {
        return true;
    }
    if file.name.ends_with(".cjs") || file.name.ends_with(".cts") {
        return false;
    }
    let root = file.tree().root_node();
    let mut cursor = root.walk();
    root.named_children(&mut cursor)
        .any(|n| matches!(n.kind(), "import_statement" | "export_statement"))
}

/// An insertion: bytes `text` at byte `at`.
type Edit = (usize, String);

/// `import_line` on a line of its own after the file's last top-level import, else first.
fn import_edit(file: &ConfigFile, import_line: &str) -> Edit {
    let source = file.source();
    let newline = if source.contains("\r\n") { "\r\n" } else { "\n" };
    let root = file.tree().root_node();
    let mut cursor = root.walk();
    let last = root.named_children(&mut cursor).filter(|n| n.kind() == "import_statement").last();
    match last {
        Some(last) => {
            let end = last.end_byte();
            let eol = source[end..].find('\n').map_or(source.len(), |i| end + i);
            (eol, format!("{newline}{import_line}"))
        }
        None => (0, format!("{import_line}{newline}")),
    }
}

/// The insertions that add `item` as the last element of `list` (an array or object
/// literal), in the list's style: on a line of its own at the last element's indentation
/// in a multi-line list (keeping a trailing comma), else after `, `.
fn append(source: &str, list: Node, item: &str) -> Vec<Edit> {
    let close = list.end_byte() - 1;
    let mut cursor = list.walk();
    let items: Vec<Node> =
        list.named_children(&mut cursor).filter(|n| n.kind() != "comment").collect();
    let Some(last) = items.last() else {
        // `[]` or `{}`: the item alone between the brackets.
        return vec![(list.start_byte() + 1, item.to_owned())];
    };
    let newline = if source.contains("\r\n") { "\r\n" } else { "\n" };
    let comma = last.next_sibling().filter(|n| n.kind() == ",");
    let multiline = source[list.start_byte()..list.end_byte()].contains('\n');
    if !multiline {
        return match comma {
            Some(comma) => vec![(comma.end_byte(), format!(" {item},"))],
            None => vec![(last.end_byte(), format!(", {item}"))],
        };
    }
    let line_start = source[..last.start_byte()].rfind('\n').map_or(0, |i| i + 1);
    let indent: String =
        source[line_start..last.start_byte()].chars().take_while(|c| c.is_whitespace()).collect();
    // After a comment that ends the last element's line, not before it.
    let from = comma.map_or(last.end_byte(), |c| c.end_byte());
    let eol = source[from..close].find(['\r', '\n']).map_or(close, |i| from + i);
    let on_own_line = eol < close;
    let placed = if on_own_line { format!("{newline}{indent}") } else { " ".to_owned() };
    match comma {
        Some(_) => vec![(eol, format!("{placed}{item},"))],
        None => vec![(last.end_byte(), ",".to_owned()), (eol, format!("{placed}{item}"))],
    }
}

/// `source` with `edits` inserted (positions in the original; edits at one position keep
/// their order).
fn apply(source: &str, edits: Vec<Edit>) -> String {
    let mut ordered: Vec<(usize, Edit)> = edits.into_iter().enumerate().collect();
    // From the end, so earlier positions stay valid; at one position, the later edit first.
    ordered.sort_by(|(i, a), (j, b)| b.0.cmp(&a.0).then(j.cmp(i)));
    let mut text = source.to_owned();
    for (_, (at, insert)) in ordered {
        text.insert_str(at, &insert);
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(name: &str, text: &str) -> WebpackConfig {
        WebpackConfig { main: ConfigFile::parse(name, text.to_owned()), merged: Vec::new() }
    }

    fn edited(name: &str, text: &str) -> String {
        match expose(&config(name, text), &["BACKEND_URL".to_owned()]) {
            Exposure::Edited { text, .. } => text,
            other => panic!("not edited: {other:?}"),
        }
    }

    #[test]
    fn the_plugin_joins_the_plugins_array_in_its_style() {
        let cjs = "const path = require('path');\nconst webpack = require('webpack');\n\nmodule.exports = {\n  entry: './src/app.js',\n  plugins: [\n    new HtmlWebpackPlugin({ template: './src/index.html' }), // the page\n  ],\n};\n";
        assert_eq!(
            edited("webpack.config.js", cjs),
            cjs.replace(
                "// the page\n",
                "// the page\n    new webpack.EnvironmentPlugin([\"BACKEND_URL\"]),\n"
            )
        );
        let no_comma = "module.exports = {\n\tplugins: [\n\t\tnew A(),\n\t\tnew B()\n\t]\n};\n";
        assert_eq!(
            edited("webpack.config.js", no_comma),
            "module.exports = {\n\tplugins: [\n\t\tnew A(),\n\t\tnew B(),\n\t\tnew (require(\"webpack\").EnvironmentPlugin)([\"BACKEND_URL\"])\n\t]\n};\n"
        );
        let inline = "module.exports = { plugins: [new A()] };";
        assert_eq!(
            edited("webpack.config.cjs", inline),
            "module.exports = { plugins: [new A(), new (require(\"webpack\").EnvironmentPlugin)([\"BACKEND_URL\"])] };"
        );
        let empty = "module.exports = (env) => ({ plugins: [] });";
        assert_eq!(
            edited("webpack.config.js", empty),
            "module.exports = (env) => ({ plugins: [new (require(\"webpack\").EnvironmentPlugin)([\"BACKEND_URL\"])] });"
        );
    }

    #[test]
    fn a_module_config_imports_webpack_once() {
        let esm = "import path from 'path';\nimport HtmlWebpackPlugin from 'html-webpack-plugin';\n\nexport default {\n  plugins: [new HtmlWebpackPlugin()],\n};\n";
        assert_eq!(
            edited("webpack.config.mjs", esm),
            "import path from 'path';\nimport HtmlWebpackPlugin from 'html-webpack-plugin';\nimport webpack from \"webpack\";\n\nexport default {\n  plugins: [new HtmlWebpackPlugin(), new webpack.EnvironmentPlugin([\"BACKEND_URL\"])],\n};\n"
        );
        let named = "import { EnvironmentPlugin as Env } from 'webpack';\nexport default { plugins: [] };\n";
        assert_eq!(
            edited("webpack.config.js", named),
            "import { EnvironmentPlugin as Env } from 'webpack';\nexport default { plugins: [new Env([\"BACKEND_URL\"])] };\n"
        );
        let ts = "import type { Configuration } from 'webpack';\nconst config: Configuration = { plugins: [] };\nexport default config;\n";
        assert!(edited("webpack.config.ts", ts).starts_with(
            "import type { Configuration } from 'webpack';\nimport * as webpack from \"webpack\";\n"
        ));
        let destructured = "const { EnvironmentPlugin } = require('webpack');\nmodule.exports = { plugins: [] };\n";
        assert!(
            edited("webpack.config.js", destructured)
                .contains("[new EnvironmentPlugin([\"BACKEND_URL\"])]")
        );
    }

    #[test]
    fn a_postcss_plugins_list_is_not_webpacks() {
        let text = "const postcss = { plugins: [autoprefixer()] };\nmodule.exports = {\n  entry: './src/index.js',\n  plugins: [],\n};\n";
        let got = edited("webpack.config.js", text);
        assert!(got.contains("const postcss = { plugins: [autoprefixer()] };"), "{got}");
        assert!(
            got.contains(
                "  plugins: [new (require(\"webpack\").EnvironmentPlugin)([\"BACKEND_URL\"])],"
            ),
            "{got}"
        );
    }

    #[test]
    fn without_plugins_a_key_is_added_beside_output() {
        let text = "const path = require('path');\nmodule.exports = {\n  entry: './src/index.js',\n  output: { path: path.resolve(__dirname, 'dist') }\n};\n";
        assert_eq!(
            edited("webpack.config.js", text),
            "const path = require('path');\nmodule.exports = {\n  entry: './src/index.js',\n  output: { path: path.resolve(__dirname, 'dist') },\n  plugins: [new (require(\"webpack\").EnvironmentPlugin)([\"BACKEND_URL\"])]\n};\n"
        );
        let computed = "module.exports = makeConfig();\n";
        assert_eq!(
            expose(&config("webpack.config.js", computed), &["BACKEND_URL".to_owned()]),
            Exposure::NoPlace {
                file: "webpack.config.js".into(),
                plugin: "new (require(\"webpack\").EnvironmentPlugin)([\"BACKEND_URL\"])".into()
            }
        );
    }

    #[test]
    fn variables_already_handed_to_the_bundle_are_left_alone() {
        let names = ["API_URL".to_owned()];
        for text in [
            "module.exports = { plugins: [new webpack.EnvironmentPlugin(['API_URL', 'X'])] };",
            "module.exports = { plugins: [new webpack.EnvironmentPlugin({ API_URL: null })] };",
            "module.exports = { plugins: [new webpack.DefinePlugin({ 'process.env.API_URL': JSON.stringify(process.env.API_URL) })] };",
            "module.exports = { plugins: [new webpack.DefinePlugin({ 'process.env': { API_URL: JSON.stringify(x) } })] };",
            "module.exports = { plugins: [new DefinePlugin({ 'process.env': JSON.stringify(process.env) })] };",
            "module.exports = { plugins: [new Dotenv({ systemvars: true })] };",
        ] {
            assert_eq!(
                expose(&config("webpack.config.js", text), &names),
                Exposure::Already,
                "{text}"
            );
        }
        for text in [
            "module.exports = { plugins: [new webpack.EnvironmentPlugin(['OLD_API_URL'])] };",
            "module.exports = { plugins: [new Dotenv()] };",
        ] {
            assert!(
                matches!(
                    expose(&config("webpack.config.js", text), &names),
                    Exposure::Edited { .. }
                ),
                "{text}"
            );
        }
        // The edit is seen as done on the next run.
        let once = edited("webpack.config.js", "module.exports = { plugins: [] };");
        let again = expose(&config("webpack.config.js", &once), &["BACKEND_URL".to_owned()]);
        assert_eq!(again, Exposure::Already);
    }

    #[test]
    fn a_merged_config_gets_the_plugin_where_its_plugins_are() {
        let main = ConfigFile::parse(
            "webpack.prod.js",
            "const { merge } = require('webpack-merge');\nconst common = require('./webpack.common.js');\nmodule.exports = merge(common, { mode: 'production' });\n".into(),
        );
        let common = ConfigFile::parse(
            "webpack.common.js",
            "const webpack = require('webpack');\nmodule.exports = { plugins: [new X()] };\n"
                .into(),
        );
        let config = WebpackConfig { main, merged: vec![common] };
        let Exposure::Edited { file, text } = expose(&config, &["BACKEND_URL".to_owned()]) else {
            panic!("not edited")
        };
        assert_eq!(file, "webpack.common.js");
        assert!(text.contains("[new X(), new webpack.EnvironmentPlugin([\"BACKEND_URL\"])]"));
    }
}
