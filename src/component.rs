//! Single-file components (`.vue`, `.svelte`, `.astro`): the JS/TS inside them, found
//! without a grammar for the markup around it.
//!
//! Frontend frameworks keep most of their code in these files, so a herokuapp URL in a
//! component's `<script>` is as much the frontend's backend address as one in a `.js`
//! file. The script blocks are parsed and edited as JS/TS (byte offsets into the whole
//! file, so an edit keeps every byte around it); the markup is only searched, since
//! what a template attribute can hold differs by framework.

use crate::lang::Lang;

/// A component format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Component {
    Vue,
    Svelte,
    /// Astro: a `---` frontmatter block of TypeScript, then markup with `<script>` tags.
    Astro,
}

impl Component {
    /// The format of a path, by extension.
    pub fn of_path(path: &str) -> Option<Component> {
        let name = path.rsplit('/').next().unwrap_or(path);
        match name.rsplit_once('.')?.1 {
            "vue" => Some(Component::Vue),
            "svelte" => Some(Component::Svelte),
            "astro" => Some(Component::Astro),
            _ => None,
        }
    }
}

/// One region of JS/TS inside a component: bytes `start..end` of the file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Block {
    pub start: usize,
    pub end: usize,
    pub lang: Lang,
}

/// The script regions of a component, in file order: the body of each `<script>` element
/// (TypeScript with `lang="ts"`, or always in Astro, whose scripts are TypeScript), and
/// Astro's frontmatter. A `<script>` with a `src` or a non-JS `type` (JSON data) holds
/// no code and is left out; an unclosed one runs to the end of the file.
pub fn script_blocks(component: Component, text: &str) -> Vec<Block> {
    let mut blocks = Vec::new();
    let mut from = 0;
    if component == Component::Astro
        && let Some(block) = frontmatter(text)
    {
        from = block.end;
        blocks.push(block);
    }
    let lower = text.to_ascii_lowercase();
    while let Some(at) = lower[from..].find("<script") {
        let open = from + at;
        let after_name = open + "<script".len();
        // `<scripts>` or `<script-x>` is another element.
        if lower[after_name..].chars().next().is_some_and(|c| c.is_ascii_alphanumeric() || c == '-')
        {
            from = after_name;
            continue;
        }
        let Some(close_tag) = lower[after_name..].find('>') else { break };
        let attributes = &lower[after_name..after_name + close_tag];
        let start = after_name + close_tag + 1;
        let end = lower[start..].find("</script").map_or(text.len(), |e| start + e);
        from = end;
        if attributes.trim_end().ends_with('/') || has_attribute(attributes, "src") {
            continue;
        }
        let kind = attribute_value(attributes, "type");
        if kind.as_deref().is_some_and(|t| !matches!(t, "module" | "text/javascript" | "ts")) {
            continue;
        }
        let lang = match attribute_value(attributes, "lang").as_deref() {
            Some("ts" | "typescript") => Lang::TypeScript,
            Some("tsx") => Lang::Tsx,
            _ if component == Component::Astro => Lang::TypeScript,
            _ => Lang::JavaScript,
        };
        blocks.push(Block { start, end, lang });
    }
    blocks
}

/// Astro's leading `---` ... `---` block.
fn frontmatter(text: &str) -> Option<Block> {
    let body = text.trim_start_matches('\u{feff}');
    let skipped = text.len() - body.len();
    let leading = body.len() - body.trim_start().len();
    let rest = &body[leading..];
    let first_line_end = rest.find('\n')?;
    if rest[..first_line_end].trim_end() != "---" {
        return None;
    }
    let start = skipped + leading + first_line_end + 1;
    let mut offset = start;
    for line in text[start..].split_inclusive('\n') {
        if line.trim_end() == "---" {
            return Some(Block { start, end: offset, lang: Lang::TypeScript });
        }
        offset += line.len();
    }
    None
}

fn has_attribute(attributes: &str, name: &str) -> bool {
    attribute_value(attributes, name).is_some()
        || attributes.split_whitespace().any(|word| word == name)
}

/// The value of `name="value"` (or `'value'`, or unquoted) in a tag's attribute text.
fn attribute_value(attributes: &str, name: &str) -> Option<String> {
    let mut from = 0;
    while let Some(at) = attributes[from..].find(name) {
        let start = from + at;
        from = start + name.len();
        let before = attributes[..start].chars().next_back();
        if before.is_some_and(|c| !c.is_whitespace()) {
            continue;
        }
        let rest = attributes[from..].trim_start();
        let Some(value) = rest.strip_prefix('=') else { continue };
        let value = value.trim_start();
        return Some(match value.chars().next() {
            Some(q @ ('"' | '\'')) => value[1..].split(q).next().unwrap_or("").to_string(),
            _ => value.split(|c: char| c.is_whitespace() || c == '>').next()?.to_string(),
        });
    }
    None
}

/// The herokuapp URLs of the markup (outside `blocks`): template attributes and text, as
/// (1-based line, URL as written; see [`crate::herokuapp::Found`]).
pub(crate) fn markup_urls(text: &str, blocks: &[Block]) -> Vec<(usize, String)> {
    crate::herokuapp::find(text.as_bytes())
        .filter(|found| !blocks.iter().any(|b| (b.start..b.end).contains(&found.host.start)))
        .map(|found| (line_of(text, found.url.start), text[found.url].to_owned()))
        .collect()
}

/// The 1-based line of byte `offset`.
pub(crate) fn line_of(text: &str, offset: usize) -> usize {
    text.as_bytes()[..offset.min(text.len())].iter().filter(|&&b| b == b'\n').count() + 1
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bodies(component: Component, text: &str) -> Vec<(&str, Lang)> {
        script_blocks(component, text).iter().map(|b| (&text[b.start..b.end], b.lang)).collect()
    }

    #[test]
    fn vue_and_svelte_script_blocks_with_their_language() {
        let vue = "<template><a href=\"x\">x</a></template>\n<script setup lang=\"ts\">\nconst a: number = 1;\n</script>\n<script>\nexport default {};\n</SCRIPT>\n";
        assert_eq!(
            bodies(Component::Vue, vue),
            [
                ("\nconst a: number = 1;\n", Lang::TypeScript),
                ("\nexport default {};\n", Lang::JavaScript)
            ]
        );
        let svelte = "<script context=\"module\">\nexport const x = 1;\n</script>\n<script lang='ts'>let y = 2;</script>\n<h1>{y}</h1>\n";
        assert_eq!(
            bodies(Component::Svelte, svelte),
            [("\nexport const x = 1;\n", Lang::JavaScript), ("let y = 2;", Lang::TypeScript)]
        );
    }

    #[test]
    fn scripts_without_code_are_left_out() {
        let text = "<script src=\"/a.js\"></script><script type=\"application/ld+json\">{}</script><scripts>no</scripts><script type=\"module\">go()</script>";
        assert_eq!(bodies(Component::Vue, text), [("go()", Lang::JavaScript)]);
        // An unclosed script runs to the end.
        assert_eq!(bodies(Component::Svelte, "<script>let a"), [("let a", Lang::JavaScript)]);
    }

    #[test]
    fn astro_frontmatter_and_scripts_are_typescript() {
        let astro = "---\nconst api = \"x\";\n---\n<main>{api}</main>\n<script>\nconsole.log(1);\n</script>\n";
        assert_eq!(
            bodies(Component::Astro, astro),
            [("const api = \"x\";\n", Lang::TypeScript), ("\nconsole.log(1);\n", Lang::TypeScript)]
        );
        assert_eq!(bodies(Component::Astro, "<p>no frontmatter</p>"), []);
    }

    #[test]
    fn markup_urls_outside_the_scripts() {
        let text = "<script>\nconst a = \"https://api-1.herokuapp.com/x\";\n</script>\n<a href=\"https://docs-2.herokuapp.com/guide?a=1\">docs</a>\n<img src='//cdn.herokuapp.com/i.png'> see shop.herokuapp.com.\n";
        let blocks = script_blocks(Component::Vue, text);
        assert_eq!(
            markup_urls(text, &blocks),
            [
                (4, "https://docs-2.herokuapp.com/guide?a=1".to_string()),
                (5, "//cdn.herokuapp.com/i.png".to_string()),
                (5, "shop.herokuapp.com".to_string())
            ]
        );
    }

    #[test]
    fn components_are_known_by_extension_and_lines_count_from_one() {
        assert_eq!(Component::of_path("src/App.vue"), Some(Component::Vue));
        assert_eq!(Component::of_path("src/routes/+page.svelte"), Some(Component::Svelte));
        assert_eq!(Component::of_path("src/pages/index.astro"), Some(Component::Astro));
        assert_eq!(Component::of_path("src/app.js"), None);
        assert_eq!(line_of("a\nb\nc", 4), 3);
    }
}
