//! Herokuapp URLs in single-file components (`.vue`, `.svelte`, `.astro`): rewritten in
//! their script blocks like any JS/TS, named in their markup.
//!
//! A template attribute cannot take the same expression everywhere (Vue needs a bound
//! `:href`, Svelte `{...}`, Astro reads only frontmatter variables), so markup URLs are
//! listed for the user with file and line rather than guessed at.

use super::js_urls::{self, Rewrite, SkippedUrl, UrlRewrite};
use crate::component::{Component, line_of, markup_urls, script_blocks};

/// Rewrites the herokuapp origins of the component's script blocks with the expression
/// `choose` gives for each URL (see [`js_urls::rewrite_herokuapp_urls_by`]); URLs in the
/// markup are listed in `skipped`. Lines are the whole file's.
pub fn rewrite_component(
    text: &str,
    component: Component,
    choose: &dyn Fn(&str) -> Result<String, String>,
) -> Rewrite {
    let blocks = script_blocks(component, text);
    let mut out = String::with_capacity(text.len());
    let mut result = Rewrite { text: String::new(), rewrites: Vec::new(), skipped: Vec::new() };
    let mut at = 0;
    for block in &blocks {
        let shift = line_of(text, block.start) - 1;
        let inner =
            js_urls::rewrite_herokuapp_urls_by(&text[block.start..block.end], block.lang, choose);
        out.push_str(&text[at..block.start]);
        out.push_str(&inner.text);
        at = block.end;
        result
            .rewrites
            .extend(inner.rewrites.into_iter().map(|r| UrlRewrite { line: r.line + shift, ..r }));
        result
            .skipped
            .extend(inner.skipped.into_iter().map(|s| SkippedUrl { line: s.line + shift, ..s }));
    }
    out.push_str(&text[at..]);
    for (line, url) in markup_urls(text, &blocks) {
        let reason = match choose(&url) {
            Ok(expression) => format!(
                "in the component's markup, which is not rewritten: read the backend URL from \
                 `{expression}` in the script block and use it here"
            ),
            Err(reason) => reason,
        };
        result.skipped.push(SkippedUrl { line, url, reason });
    }
    result.skipped.sort_by_key(|s| s.line);
    result.text = out;
    result
}

#[cfg(test)]
mod tests {
    use super::*;

    fn backend_only(url: &str) -> Result<String, String> {
        if url.contains("shop-api") {
            Ok("import.meta.env.VITE_BACKEND_URL".into())
        } else {
            Err("not the backend".into())
        }
    }

    #[test]
    fn vue_script_blocks_are_rewritten_and_markup_named() {
        let vue = "<template>\n  <a href=\"https://shop-api.herokuapp.com/docs\">Docs</a>\n</template>\n\n<script setup lang=\"ts\">\nconst api = \"https://shop-api.herokuapp.com/orders\";\nconst maps = \"https://tiles.herokuapp.com/z\";\n</script>\n\n<style>a { color: red }</style>\n";
        let out = rewrite_component(vue, Component::Vue, &backend_only);
        let expected = vue.replace(
            "\"https://shop-api.herokuapp.com/orders\"",
            "import.meta.env.VITE_BACKEND_URL + \"/orders\"",
        );
        assert_eq!(out.text, expected);
        assert_eq!(out.rewrites.iter().map(|r| r.line).collect::<Vec<_>>(), [6]);
        let skipped: Vec<(usize, &str)> =
            out.skipped.iter().map(|s| (s.line, s.url.as_str())).collect();
        assert_eq!(
            skipped,
            [(2, "https://shop-api.herokuapp.com/docs"), (7, "https://tiles.herokuapp.com/z")]
        );
        assert!(out.skipped[0].reason.contains("markup"), "{:?}", out.skipped[0]);
        assert_eq!(out.skipped[1].reason, "not the backend");
    }

    #[test]
    fn svelte_and_astro_keep_every_byte_outside_the_literal() {
        let svelte = "<script>\r\n  const res = fetch(`https://shop-api.herokuapp.com/items/${id}`);\r\n</script>\r\n<p>{res}</p>";
        let out = rewrite_component(svelte, Component::Svelte, &backend_only);
        assert_eq!(
            out.text,
            svelte.replace(
                "https://shop-api.herokuapp.com/items",
                "${import.meta.env.VITE_BACKEND_URL}/items"
            )
        );
        let astro =
            "---\nconst r = await fetch('https://shop-api.herokuapp.com/');\n---\n<p>ok</p>\n";
        let out = rewrite_component(astro, Component::Astro, &backend_only);
        assert_eq!(
            out.text,
            astro.replace(
                "'https://shop-api.herokuapp.com/'",
                "import.meta.env.VITE_BACKEND_URL + '/'"
            )
        );
        assert_eq!(out.rewrites[0].line, 2);
    }
}
