#!/usr/bin/env python3
"""Writes a synthetic Heroku monorepo for the capsule-migrate benchmark.

    python3 bench/gen.py OUT_DIR --jobs-file JOBS [--apps 40] [--files 500] [--seed 7]

OUT_DIR (which must not exist) gets one folder per app (`apps/app-NN/`) with a
package.json, a Procfile, an app.json and FILES JavaScript/TypeScript sources of about
12.5 KB each. JOBS gets two Heroku Scheduler jobs for the `--jobs` flag: they live in
Heroku's dashboard, not in the repository. The output depends only on the
arguments: the same seed gives the same bytes, so the benchmark can cache the packed
repository and compare figures between runs and machines.

Most files mention nothing capsule-migrate looks for, as in a real monorepo. A few
percent of the backend files read `process.env` (3%), fewer hard-code a
`*.herokuapp.com` address (0.5% of all files) or call `process.exit` (0.3%), so the
tool's byte prefilter lets a realistic share through to the parser. Each backend's
`src/server.js`, its web process, listens on `$PORT`. The last four apps are static
frontends, whose herokuapp URLs get rewritten.
"""

import argparse
import json
import os
import random

# Plain words for identifiers, comments and strings. None of them, alone or glued to a
# neighbour, spells a pattern the prefilter looks for (process.env, .herokuapp.com,
# rejectUnauthorized, cron with a quote, node-schedule): those go in on purpose only.
WORDS = """
account active address admin amount apply array async audit author avatar balance
basket batch billing block body booking bucket buffer build bundle cache cancel card
cart catalog channel charge check client close code column comment config connect
context count coupon create credit cursor customer data debit decode default delete
delivery detail device digest discount draft driver email entry error event expire
export feature fetch field filter flag format frame gateway group handle header health
history hook image import index input invoice item job journal key label layout ledger
limit line link list load locale lock log lookup manager media member message meta
method metric mode model module monitor name node notice number offer order origin
owner page panel parse partner payload payment pending period plan point policy pool
post price print product profile promo query queue quota rate reader record refund
region render report request reset resource result retry review role route row rule
sale scope score search secret section select session setting shift shipment signal
size slot source stage state status stock store stream subject summary supply sync
table tag target task tax team template tenant ticket timer token topic total track
trade transfer trigger update upload usage user value vendor version view visit
voucher wallet warning webhook widget window worker zone
""".split()

ENV_NAMES = """
DATABASE_URL REDIS_URL PORT NODE_ENV SESSION_SECRET SENTRY_DSN STRIPE_KEY LOG_LEVEL
SMTP_HOST SMTP_USER API_TOKEN FRONTEND_URL CACHE_TTL HEROKU_APP_NAME HEROKU_SLUG_COMMIT
""".split()

SOURCE_DIRS = ["src", "src/routes", "src/models", "src/services", "src/lib", "src/util"]
FRONTEND_DIRS = ["public", "public/js", "public/js/views", "public/js/lib"]
# Extension mix of a TypeScript-leaning Node monorepo.
EXTENSIONS = ["js"] * 9 + ["ts"] * 7 + ["tsx"] * 2 + ["mjs", "cjs"]
FRONTEND_EXTENSIONS = ["js"]

# Shares of files carrying what the tool looks for, in permille.
ENV_PERMILLE = 30
HEROKUAPP_PERMILLE = 5
EXIT_PERMILLE = 3

MEAN_FILE_SIZE = 12_500


class Writer:
    """Builds one source file from blocks of plausible code."""

    def __init__(self, rng, ext):
        self.rng = rng
        self.ext = ext
        self.typed = ext in ("ts", "tsx")
        self.esm = ext in ("ts", "tsx", "mjs")
        self.parts = []
        self.size = 0
        # CommonJS files export at the end, in one `module.exports`.
        self.exports = []
        self.export = "export " if self.esm else ""

    def add(self, text):
        self.parts.append(text)
        self.size += len(text)

    def word(self):
        return self.rng.choice(WORDS)

    def ident(self, words=2):
        first = self.word()
        rest = "".join(self.word().capitalize() for _ in range(words - 1))
        return first + rest

    def type_name(self):
        return self.word().capitalize() + self.word().capitalize()

    def sentence(self, n):
        return " ".join(self.word() for _ in range(n))

    def header(self):
        for _ in range(self.rng.randint(2, 6)):
            name, module = self.ident(), f"./{self.word()}/{self.ident()}"
            if self.esm:
                self.add(f'import {{ {name} }} from "{module}";\n')
            else:
                self.add(f'const {{ {name} }} = require("{module}");\n')
        self.add("\n")

    def function(self):
        rng = self.rng
        name, a, b = self.ident(3), self.ident(), self.ident()
        sig = f"{a}: {self.type_name()}, {b}: number" if self.typed else f"{a}, {b}"
        lines = [f"/**\n * {self.sentence(rng.randint(6, 14))}.\n */\n"]
        ret = f": Promise<{self.type_name()}[]>" if self.typed else ""
        self.exports.append(name)
        lines.append(f"{self.export}async function {name}({sig}){ret} {{\n")
        for _ in range(rng.randint(3, 9)):
            lines.append(self.statement(a, b))
        lines.append(f"  return {a}.{self.ident()}.slice(0, {b});\n}}\n\n")
        self.add("".join(lines))

    def statement(self, a, b):
        rng, local = self.rng, self.ident()
        kind = rng.randrange(5)
        if kind == 0:
            return f"  const {local} = {a}.{self.ident()}.map((item) => item.{self.ident()} * {rng.randint(2, 999)});\n"
        if kind == 1:
            return (
                f"  if ({b} > {rng.randint(1, 500)} && {a}.{self.ident()} !== \"{self.sentence(3)}\") {{\n"
                f"    {a}.{self.ident()}.push({{ {self.ident()}: {b}, {self.ident()}: \"{self.word()}\" }});\n"
                f"  }}\n"
            )
        if kind == 2:
            return f"  // {self.sentence(rng.randint(5, 16))}\n"
        if kind == 3:
            return (
                f"  for (const {local} of {a}.{self.ident()}) {{\n"
                f"    {b} += {local}.{self.ident()} ?? {rng.randint(0, 99)};\n"
                f"  }}\n"
            )
        return f"  const {local} = await {self.ident(3)}({a}, `{self.word()}-${{{b}}}-{self.word()}`);\n"

    def class_block(self):
        rng, name = self.rng, self.type_name()
        self.exports.append(name)
        self.add(f"{self.export}class {name} {{\n")
        fields = [self.ident() for _ in range(rng.randint(2, 5))]
        if self.typed:
            for field in fields:
                self.add(f"  private {field}: {self.type_name()} | null = null;\n")
        self.add("\n  constructor(options) {\n" if not self.typed else "\n  constructor(options: Record<string, unknown>) {\n")
        for field in fields:
            self.add(f"    this.{field} = options.{self.ident()} ?? null;\n")
        self.add("  }\n")
        for _ in range(rng.randint(1, 4)):
            method = self.ident(2)
            self.add(f"\n  async {method}(limit) {{\n" if not self.typed else f"\n  async {method}(limit: number): Promise<void> {{\n")
            self.add(f"    const rows = await this.{rng.choice(fields)}.{self.ident()}({{ limit, {self.word()}: \"{self.sentence(2)}\" }});\n")
            self.add(f"    return rows.filter((row) => row.{self.ident()} > {rng.randint(0, 1000)});\n  }}\n")
        self.add("}\n\n")

    def interface(self):
        self.add(f"export interface {self.type_name()} {{\n")
        for _ in range(self.rng.randint(3, 8)):
            self.add(f"  {self.ident()}{self.rng.choice(['', '?'])}: {self.rng.choice(['string', 'number', 'boolean', self.type_name()])};\n")
        self.add("}\n\n")

    def component(self):
        name = self.type_name()
        self.add(f"export function {name}({{ {self.ident()}, {self.ident()} }}: {self.type_name()}) {{\n")
        self.add("  return (\n")
        self.add(f"    <section className=\"{self.word()}-{self.word()}\">\n")
        for _ in range(self.rng.randint(2, 6)):
            self.add(f"      <p title=\"{self.sentence(2)}\">{self.sentence(self.rng.randint(3, 9))}</p>\n")
        self.add("    </section>\n  );\n}\n\n")

    def table(self):
        name = self.ident().upper()
        self.exports.append(name)
        self.add(f"{self.export}const {name} = [\n")
        for _ in range(self.rng.randint(4, 16)):
            self.add(f"  {{ id: {self.rng.randint(1, 99999)}, {self.word()}: \"{self.sentence(3)}\", {self.word()}: {self.rng.random():.4f} }},\n")
        self.add("];\n\n")

    def body(self, target):
        blocks = [self.function, self.function, self.class_block, self.table]
        if self.typed:
            blocks.append(self.interface)
        if self.ext == "tsx":
            blocks.append(self.component)
        while self.size < target:
            self.rng.choice(blocks)()
        if not self.esm:
            self.add(f"module.exports = {{ {', '.join(self.exports)} }};\n")

    def env_reads(self):
        for _ in range(self.rng.randint(1, 3)):
            name = self.rng.choice(ENV_NAMES)
            self.add(f"const {self.ident()} = process.env.{name} || \"{self.word()}\";\n")
        self.add("\n")

    def herokuapp_url(self, app):
        host = f"{app}-api-{self.rng.randrange(16**4):04x}.herokuapp.com"
        self.add(f"const {self.ident().upper()}_URL = \"https://{host}/{self.word()}\";\n\n")

    def exit_call(self):
        self.add(f"{self.ident()}().catch(() => process.exit(1));\n")


def source_file(rng, app, ext, frontend, template=None):
    """One source file. With `template` (the lines of this file's template, shared by
    every app), the body is the template's: each app edits a few lines of the
    template as the apps before it left it, as copies of copies do. Git then stores
    the file of each app as a delta of its neighbour's, in long chains."""
    writer = Writer(rng, "js" if frontend else ext)
    if not frontend:
        writer.header()
    # Facts sit near the top, as configuration reads usually do; the parser still has to
    # read the whole file.
    if rng.randrange(1000) < ENV_PERMILLE and not frontend:
        writer.env_reads()
    if rng.randrange(1000) < HEROKUAPP_PERMILLE:
        writer.herokuapp_url(app)
    if template is None:
        writer.body(rng.randint(MEAN_FILE_SIZE // 5, MEAN_FILE_SIZE * 9 // 5))
    else:
        # Lines edited, not added: apps further apart differ by more lines, so the
        # closest copy of a file is its neighbour's, and git chains them. The edit is a
        # trailing comment (replacing an earlier app's), which keeps the code valid.
        for _ in range(rng.randint(2, 6)):
            at = rng.randrange(len(template))
            code = template[at].split(" // app-")[0].rstrip("\n")
            template[at] = f"{code} // {app}: {writer.sentence(rng.randint(4, 10))}\n"
        writer.add("".join(template))
    if rng.randrange(1000) < EXIT_PERMILLE and not frontend:
        writer.exit_call()
    return "".join(writer.parts)


def write(path, text):
    # A bare file name (`--jobs-file jobs.toml`) has no folder to make.
    folder = os.path.dirname(path)
    if folder:
        os.makedirs(folder, exist_ok=True)
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        f.write(text)


def backend_app(root, rng, name, index):
    dir = os.path.join(root, "apps", name)
    package = {
        "name": name,
        "version": "1.0.0",
        "private": True,
        "scripts": {"start": "node src/server.js", "migrate": "node src/migrate.js"},
        "engines": {"node": "20.x"},
        "dependencies": {"express": "^4.21.2", "pg": "^8.13.1"},
    }
    write(os.path.join(dir, "package.json"), json.dumps(package, indent=2) + "\n")
    procfile = "web: node src/server.js\n"
    if index % 3 == 0:
        procfile += "release: node src/migrate.js\n"
    if index % 5 == 0:
        procfile += "worker: node src/worker.js\n"
    write(os.path.join(dir, "Procfile"), procfile)
    app_json = {
        "name": name,
        "env": {
            "SESSION_SECRET": {"description": "Signs session cookies", "generator": "secret"},
            rng.choice(ENV_NAMES): {"description": "Set by ops", "required": True},
        },
        "addons": ["heroku-postgresql:essential-0"] + (["heroku-redis:mini"] if index % 4 == 0 else []),
        "formation": {"web": {"quantity": 1, "size": "basic"}},
    }
    write(os.path.join(dir, "app.json"), json.dumps(app_json, indent=2) + "\n")
    return dir


def frontend_app(root, name):
    dir = os.path.join(root, "apps", name)
    package = {
        "name": name,
        "version": "1.0.0",
        "private": True,
        "scripts": {"start": "http-server public -p $PORT"},
        "dependencies": {"http-server": "^14.1.1"},
    }
    write(os.path.join(dir, "package.json"), json.dumps(package, indent=2) + "\n")
    write(os.path.join(dir, "Procfile"), "web: npx http-server public -p $PORT\n")
    write(os.path.join(dir, "app.json"), json.dumps({"name": name}, indent=2) + "\n")
    page = (
        "<!doctype html>\n<html lang=\"en\">\n  <head>\n    <meta charset=\"utf-8\">\n"
        f"    <title>{name}</title>\n    <script src=\"js/main.js\" defer></script>\n"
        "  </head>\n  <body>\n    <main id=\"app\"></main>\n  </body>\n</html>\n"
    )
    write(os.path.join(dir, "public", "index.html"), page)
    return dir


LISTEN = 'require("node:http").createServer((req, res) => res.end()).listen(process.env.PORT || 3000);\n'


def generate(root, apps, files, seed, templated=False):
    rng = random.Random(seed)
    # With `templated`: the lines of each file's template, edited by every app in turn.
    templates = {}
    frontends = min(4, apps // 4)
    for index in range(apps):
        name = f"app-{index:02d}"
        frontend = index >= apps - frontends
        if frontend:
            dir = frontend_app(root, name)
            dirs, extensions = FRONTEND_DIRS, FRONTEND_EXTENSIONS
        else:
            dir = backend_app(root, rng, name, index)
            dirs, extensions = SOURCE_DIRS, EXTENSIONS
        for number in range(files):
            # The first file is the entry point the Procfile names.
            if number == 0:
                rel = "public/js/main.js" if frontend else "src/server.js"
                ext = "js"
            else:
                # Templated apps share their file names too, as copies of one template do.
                names = random.Random(f"{seed}/{frontend}/{number}") if templated else rng
                ext = names.choice(extensions)
                rel = f"{names.choice(dirs)}/{names.choice(WORDS)}-{number:03d}.{ext}"
            template = None
            if templated:
                if (frontend, number) not in templates:
                    body = Writer(random.Random(f"{seed}/{frontend}/{number}/body"), ext)
                    body.body(body.rng.randint(MEAN_FILE_SIZE // 5, MEAN_FILE_SIZE * 9 // 5))
                    templates[(frontend, number)] = "".join(body.parts).splitlines(keepends=True)
                template = templates[(frontend, number)]
            text = source_file(rng, name, ext, frontend, template)
            if number == 0 and not frontend:
                # The web process listens on $PORT, as a Heroku web dyno must (one that
                # binds no port within 60 s is stopped, error R10). Not drawn from `rng`,
                # so every other file is as before.
                text += LISTEN
            write(os.path.join(dir, rel), text)
    jobs = [("apps/app-00", "every hour at :00")]
    if apps > 5:
        jobs.append(("apps/app-05", "every day at 02:30"))
    return "\n".join(
        f'[[job]]\napp = "{app}"\ncommand = "node src/worker.js"\nschedule = "{when}"\n'
        for app, when in jobs
    )


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", help="folder to write the tree into (must not exist)")
    parser.add_argument("--jobs-file", required=True, help="where to write the Scheduler jobs")
    parser.add_argument("--apps", type=int, default=40)
    parser.add_argument("--files", type=int, default=500, help="source files per app")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--templated",
        action="store_true",
        help="build every app's sources from the same templates, so git packs them as deltas",
    )
    args = parser.parse_args()
    os.makedirs(args.out)
    jobs = generate(args.out, args.apps, args.files, args.seed, args.templated)
    write(args.jobs_file, jobs)


if __name__ == "__main__":
    main()
