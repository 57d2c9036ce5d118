//! Whether a file starts a server: the calls that bind a port. A process whose code has
//! none of them (a Discord or Telegram bot that polls, a queue consumer, a scraper) serves
//! no HTTP, and on Heroku would have been a `worker`: a `web` dyno that does not bind
//! `$PORT` within 60 s is stopped (error R10, Dev Center "Error codes").
//!
//! The signs are read generously, since a false "it listens" only keeps the plan as it
//! was: any `x.listen(...)` (`app.listen`, `server.listen`, `http.createServer(...).listen`,
//! fastify, Koa, Nest), a call or `new` whose name holds `server` (`createServer`,
//! `Hapi.server`, `new WebSocketServer`, `startStandaloneServer`), `serve(...)`
//! (`@hono/node-server`, micro), and a `webhook`/`webHook` option (Telegram and Slack
//! libraries serve their webhook themselves). Reads of `PORT` are the caller's (they are
//! among [`super::JsFacts::env_reads`]).

use tree_sitter::Node;

use super::ast::{field, key_name, line, lossy, text};
use crate::lang::Lang;

/// The words one of which a file must hold before it is parsed for [`listens`].
pub const WORDS: &[&[u8]] = &[b"listen", b"erver", b"serve", b"ebhook", b"ebHook"];

/// A sign that a file listens on a port: its 1-based line and what it is, for people
/// (`calls \`app.listen\``).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Listen {
    pub line: usize,
    pub what: String,
}

/// The first sign in `source` that it starts a server, in source order.
pub fn listens(lang: Lang, source: &[u8]) -> Option<Listen> {
    if !mentioned(source) {
        return None;
    }
    first_sign(lang.parse(source)?.root_node(), source)
}

/// Whether `source` holds one of [`WORDS`], without which it has no sign.
pub fn mentioned(source: &[u8]) -> bool {
    WORDS.iter().any(|w| gix::bstr::ByteSlice::find(source, w).is_some())
}

/// [`listens`] on the tree of `source` already parsed.
pub fn first_sign(root: Node<'_>, source: &[u8]) -> Option<Listen> {
    super::ast::find_in(root, |node| sign(node, source))
}

fn sign(node: Node<'_>, source: &[u8]) -> Option<Listen> {
    let at = |what: String| Some(Listen { line: line(node), what });
    match node.kind() {
        "call_expression" | "new_expression" => {
            let callee = field(node, "function").or_else(|| field(node, "constructor"))?;
            let name = match callee.kind() {
                "member_expression" => text(field(callee, "property")?, source),
                "identifier" => text(callee, source),
                _ => return None,
            };
            let shown = || lossy(text(callee, source));
            let is_new = node.kind() == "new_expression";
            if name == b"listen" && !is_new && callee.kind() == "member_expression" {
                return at(format!("calls `{}`", short(&shown())));
            }
            if name == b"serve" && !is_new {
                return at(format!("calls `{}`", short(&shown())));
            }
            if lossy(name).to_ascii_lowercase().contains("server") {
                let new = if is_new { "new " } else { "" };
                return at(format!("calls `{new}{}`", short(&shown())));
            }
            None
        }
        "pair" => {
            let key = key_name(field(node, "key")?, source)?;
            matches!(key, b"webhook" | b"webHook")
                .then(|| Listen { line: line(node), what: format!("sets `{}`", lossy(key)) })
        }
        _ => None,
    }
}

/// A callee as people write it, without a long receiver: `http.createServer(app).listen`
/// is shown as `….listen` when the receiver spans lines or is long.
fn short(callee: &str) -> String {
    if callee.len() <= 40 && !callee.contains('\n') {
        return callee.to_owned();
    }
    match callee.rsplit_once('.') {
        Some((_, last)) => format!("….{last}"),
        None => callee.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(source: &str) -> Option<String> {
        listens(Lang::TypeScript, source.as_bytes()).map(|l| format!("{}: {}", l.line, l.what))
    }

    #[test]
    fn servers_of_every_spelling_are_found() {
        let cases = [
            ("const app = express();\napp.listen(3000);", "2: calls `app.listen`"),
            ("http.createServer(handler)\n  .listen(8080);", "1: calls `….listen`"),
            ("await fastify.listen({ port: 3000, host: '0.0.0.0' });", "1: calls `fastify.listen`"),
            (
                "const app = await NestFactory.create(AppModule);\nawait app.listen(3000);",
                "2: calls `app.listen`",
            ),
            (
                "const server = Hapi.server({ port: 3000 });\nawait server.start();",
                "1: calls `Hapi.server`",
            ),
            ("new WebSocketServer({ port: 8080 });", "1: calls `new WebSocketServer`"),
            ("serve({ fetch: app.fetch, port: 3000 });", "1: calls `serve`"),
            (
                "await startStandaloneServer(server, { listen: { port: 4000 } });",
                "1: calls `startStandaloneServer`",
            ),
            (
                "const bot = new TelegramBot(token, { webHook: { port: 443 } });",
                "1: sets `webHook`",
            ),
        ];
        for (source, expected) in cases {
            assert_eq!(found(source).as_deref(), Some(expected), "{source}");
        }
    }

    #[test]
    fn bots_and_workers_that_poll_have_no_sign() {
        let cases = [
            "const client = new Client({ intents: [] });\nclient.on('ready', () => {});\nclient.login(process.env.TOKEN);",
            "const bot = new TelegramBot(token, { polling: true });\nbot.on('message', reply);",
            "const worker = new Worker('mail', async job => send(job.data), { connection });",
            "setInterval(scrape, 60_000);\n// listen to nothing; no server here\n",
            "emitter.on('listen', () => {});\nconst listener = x => x;",
        ];
        for source in cases {
            assert_eq!(found(source), None, "{source}");
        }
    }
}
