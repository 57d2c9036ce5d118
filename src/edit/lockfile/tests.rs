//! The editors against lockfiles that the real package managers wrote (npm 11 with
//! `--lockfile-version 1/2/3`, yarn 1.22.22, pnpm 7/8/9), for a package depending on
//! `ms@^2.1.3` alone (`none/`), with `node-cron@^3.0.3` (`cron3/`) and with
//! `node-cron@^4.6.0` (`cron4/`): adding node-cron 4 to `none` or upgrading `cron3` must
//! give, byte for byte, what the package manager itself wrote in `cron4`.

use super::*;

const FILES: &[(&str, Format)] = &[
    ("npm-v1.json", Format::Npm),
    ("npm-v2.json", Format::Npm),
    ("npm-v3.json", Format::Npm),
    ("yarn.lock", Format::Yarn),
    ("pnpm-v5.yaml", Format::Pnpm),
    ("pnpm-v6.yaml", Format::Pnpm),
    ("pnpm-v9.yaml", Format::Pnpm),
];

fn node_cron() -> Release {
    Release {
        name: "node-cron".into(),
        version: "4.6.0".into(),
        resolved: "https://registry.npmjs.org/node-cron/-/node-cron-4.6.0.tgz".into(),
        integrity: "sha512-Si/bzYiKRHOB8/a99T2+SDGN582ONDMSTlJr5oCkT6GtnqPjZ2s10eoQRYkW9ZHwjVxONL+W8Fb+qR0AHMQsdg==".into(),
        shasum: "5c854d4aeebade26cf6df79a795e8a4bae47583f".into(),
        engines_node: Some(">=20".into()),
        license: Some("ISC".into()),
    }
}

fn data(case: &str, file: &str) -> String {
    let path = format!("{}/src/edit/lockfile/testdata/{case}/{file}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn manifests() -> Vec<(String, String)> {
    vec![("ms".into(), "^2.1.3".into()), ("node-cron".into(), "^4.6.0".into())]
}

fn run(format: Format, text: &str, old_range: Option<&str>) -> Outcome {
    let release = node_cron();
    let manifests = manifests();
    let req = Request {
        importer: "",
        range: "^4.6.0",
        old_range,
        release: &release,
        manifests: &manifests,
    };
    format.add(text, &req).unwrap_or_else(|e| panic!("{e}"))
}

fn edited(format: Format, text: &str, old_range: Option<&str>) -> String {
    match run(format, text, old_range) {
        Outcome::Edited(text) => text,
        other => panic!("expected an edit, got {other:?}"),
    }
}

#[test]
fn adding_gives_what_the_package_manager_writes() {
    for (file, format) in FILES {
        let got = edited(*format, &data("none", file), None);
        assert_eq!(got, data("cron4", file), "{file}");
    }
}

#[test]
fn upgrading_node_cron_3_replaces_its_entry_and_drops_uuid() {
    for (file, format) in FILES {
        let got = edited(*format, &data("cron3", file), Some("^3.0.3"));
        assert_eq!(got, data("cron4", file), "{file}");
        assert!(!got.contains("3.0.3") && !got.contains("uuid"), "{file}:\n{got}");
    }
}

#[test]
fn a_lockfile_that_has_it_already_is_unchanged() {
    for (file, format) in FILES {
        assert_eq!(
            run(*format, &data("cron4", file), Some("^4.6.0")),
            Outcome::Unchanged,
            "{file}"
        );
    }
}

/// Each line's leading run of two-space units rewritten by `unit`, and `\n` by `nl`.
fn restyle(text: &str, unit: &str, nl: &str) -> String {
    text.split_inclusive('\n')
        .map(|line| {
            let body = line.trim_start_matches(' ');
            let levels = (line.len() - body.len()) / 2;
            let body = body.strip_suffix('\n').map_or(body.to_owned(), |b| format!("{b}{nl}"));
            format!("{}{body}", unit.repeat(levels))
        })
        .collect()
}

#[test]
fn npm_keeps_tabs_four_spaces_and_crlf() {
    for file in ["npm-v1.json", "npm-v2.json", "npm-v3.json"] {
        for (unit, nl) in [("\t", "\n"), ("    ", "\r\n"), ("  ", "\r\n")] {
            let input = restyle(&data("cron3", file), unit, nl);
            let got = edited(Format::Npm, &input, Some("^3.0.3"));
            assert_eq!(got, restyle(&data("cron4", file), unit, nl), "{file} {unit:?} {nl:?}");
        }
    }
}

#[test]
fn yarn_and_pnpm_keep_crlf() {
    for (file, format) in FILES.iter().filter(|(_, f)| *f != Format::Npm) {
        for case in ["none", "cron3"] {
            let input = data(case, file).replace('\n', "\r\n");
            let got = edited(*format, &input, (case == "cron3").then_some("^3.0.3"));
            assert_eq!(got, data("cron4", file).replace('\n', "\r\n"), "{file} {case}");
        }
    }
}

#[test]
fn npm_keeps_key_order_and_fields_it_does_not_edit() {
    // Top-level keys in another order, an entry's fields shuffled, and a final newline
    // missing: none of it is the edit's business.
    let shuffle = |text: &str| {
        text.replacen(
            "  \"name\": \"c\",\n  \"version\": \"1.0.0\",\n",
            "  \"version\": \"1.0.0\",\n  \"name\": \"c\",\n",
            1,
        )
        .replace("\"version\": \"2.1.3\",\n      \"resolved\"", "\"resolved\"")
        .trim_end()
        .to_owned()
    };
    let input = shuffle(&data("cron3", "npm-v3.json"));
    assert!(input.starts_with("{\n  \"version\"") && !input.contains("\"version\": \"2.1.3\""));
    let got = edited(Format::Npm, &input, Some("^3.0.3"));
    assert_eq!(got, shuffle(&data("cron4", "npm-v3.json")));
}

#[test]
fn npm_refuses_to_move_a_release_another_package_needs() {
    let input = data("cron3", "npm-v3.json").replace(
        "\"node_modules/uuid\": {",
        "\"node_modules/old-scheduler\": {\n      \"version\": \"1.0.0\",\n      \"dependencies\": {\n        \"node-cron\": \"^3.0.0\"\n      }\n    },\n    \"node_modules/uuid\": {",
    );
    let Outcome::Inexact(why) = run(Format::Npm, &input, Some("^3.0.3")) else {
        panic!("expected a refusal");
    };
    assert!(why.contains("node_modules/old-scheduler"), "{why}");
}

#[test]
fn yarn_keeps_a_pattern_another_package_asks_for() {
    let input = data("cron3", "yarn.lock").replace(
        "node-cron@^3.0.3:",
        "other@^1.0.0:\n  version \"1.0.0\"\n  dependencies:\n    node-cron \"^3.0.3\"\n\nnode-cron@^3.0.3:",
    );
    let got = edited(Format::Yarn, &input, Some("^3.0.3"));
    assert!(got.contains("node-cron@^3.0.3:\n  version \"3.0.3\""), "{got}");
    assert!(got.contains("uuid@8.3.2:"), "{got}");
    assert!(got.contains("node-cron@^4.6.0:\n  version \"4.6.0\""), "{got}");
}

/// A yarn 4 lockfile (as yarn 4.11.0 wrote it) with one workspace that asks for `ms`.
const BERRY4: &str = "# This file is generated by running \"yarn install\" inside your project.\n# Manual changes might be lost - proceed with caution!\n\n__metadata:\n  version: 8\n  cacheKey: 10c0\n\n\"app@workspace:.\":\n  version: 0.0.0-use.local\n  resolution: \"app@workspace:.\"\n  dependencies:\n    ms: \"npm:^2.1.3\"\n  languageName: unknown\n  linkType: soft\n\n\"ms@npm:^2.1.3\":\n  version: 2.1.3\n  resolution: \"ms@npm:2.1.3\"\n  checksum: 10c0/d924\n  languageName: node\n  linkType: hard\n";

/// The entry yarn writes for node-cron 4.6.0, less the checksum it fills in itself.
const NODE_CRON_ENTRY: &str = "\"node-cron@npm:^4.6.0\":\n  version: 4.6.0\n  resolution: \"node-cron@npm:4.6.0\"\n  languageName: node\n  linkType: hard\n";

#[test]
fn yarn_berry_gets_the_workspace_line_and_an_entry_without_checksum() {
    // yarn 4 writes `"npm:<range>"`; entries in key order (yarn 4.11 and 3.8 accept
    // this under --immutable and fill the checksum in).
    let got = edited(Format::Yarn, BERRY4, None);
    let expected = BERRY4.replace(
        "    ms: \"npm:^2.1.3\"\n",
        "    ms: \"npm:^2.1.3\"\n    node-cron: \"npm:^4.6.0\"\n",
    ) + "\n"
        + NODE_CRON_ENTRY;
    assert_eq!(got, expected);
    assert_eq!(run(Format::Yarn, &got, None), Outcome::Unchanged);
    // yarn 2 and 3 write the bare range.
    let berry3 = BERRY4
        .replace("version: 8\n  cacheKey: 10c0", "version: 6\n  cacheKey: 8")
        .replace("ms: \"npm:^2.1.3\"", "ms: ^2.1.3");
    assert!(
        edited(Format::Yarn, &berry3, None).contains("    ms: ^2.1.3\n    node-cron: ^4.6.0\n")
    );
    // A workspace without dependencies gets the block after its resolution; CRLF kept.
    let bare = BERRY4.replace("  dependencies:\n    ms: \"npm:^2.1.3\"\n", "");
    let got = edited(Format::Yarn, &bare.replace('\n', "\r\n"), None);
    assert!(
        got.contains("resolution: \"app@workspace:.\"\r\n  dependencies:\r\n    node-cron: \"npm:^4.6.0\"\r\n  languageName: unknown"),
        "{got}"
    );
    assert!(!got.replace("\r\n", "").contains('\n'), "{got}");
    // An entry that resolves to the release already gets the descriptor in its key.
    let other_range = BERRY4.replace(
        "\"ms@npm:^2.1.3\":",
        "\"node-cron@npm:^4.0.0\":\n  version: 4.6.0\n  resolution: \"node-cron@npm:4.6.0\"\n  languageName: node\n  linkType: hard\n\n\"ms@npm:^2.1.3\":",
    );
    let got = edited(Format::Yarn, &other_range, None);
    assert!(
        got.contains("\"node-cron@npm:^4.0.0, node-cron@npm:^4.6.0\":\n  version: 4.6.0"),
        "{got}"
    );
}

#[test]
fn a_yarn_berry_workspace_member_gets_its_own_line() {
    let monorepo = BERRY4.replace(
        "\"ms@npm:^2.1.3\":",
        "\"emailer@workspace:packages/emailer\":\n  version: 0.0.0-use.local\n  resolution: \"emailer@workspace:packages/emailer\"\n  languageName: unknown\n  linkType: soft\n\n\"ms@npm:^2.1.3\":",
    );
    let Outcome::Edited(got) = run_member(Format::Yarn, &monorepo, None, false) else {
        panic!("not edited")
    };
    assert!(got.contains("resolution: \"emailer@workspace:packages/emailer\"\n  dependencies:\n    node-cron: \"npm:^4.6.0\"\n"), "{got}");
    assert!(got.contains("    ms: \"npm:^2.1.3\"\n  languageName"), "{got}");
    // A change of range could leave the old release's dependencies behind: reported.
    let cron3 = BERRY4.replace(
        "    ms: \"npm:^2.1.3\"\n",
        "    ms: \"npm:^2.1.3\"\n    node-cron: \"npm:^3.0.3\"\n",
    );
    assert!(matches!(run(Format::Yarn, &cron3, Some("^3.0.3")), Outcome::Inexact(_)));
}

#[test]
fn yarn_berry_and_unknown_versions_are_reported_not_guessed() {
    let berry =
        "__metadata:\n  version: 8\n  cacheKey: 10c0\n\n\"ms@npm:^2.1.3\":\n  version: 2.1.3\n";
    assert!(matches!(run(Format::Yarn, berry, None), Outcome::Inexact(_)));
    let npm4 =
        data("none", "npm-v3.json").replace("\"lockfileVersion\": 3", "\"lockfileVersion\": 4");
    assert!(
        matches!(run(Format::Npm, &npm4, None), Outcome::Inexact(w) if w.contains("lockfileVersion 4"))
    );
    let pnpm10 = data("none", "pnpm-v9.yaml").replace("'9.0'", "'10.0'");
    assert!(matches!(run(Format::Pnpm, &pnpm10, None), Outcome::Inexact(_)));
    let overridden = data("none", "pnpm-v9.yaml")
        .replace("importers:", "overrides:\n  node-cron: ^3.0.0\n\nimporters:");
    assert!(
        matches!(run(Format::Pnpm, &overridden, None), Outcome::Inexact(w) if w.contains("overrides"))
    );
}

#[test]
fn broken_lockfiles_are_errors_with_a_position() {
    let err = Format::Npm
        .add("{\n  \"lockfileVersion\": 3,\n  oops\n}\n", &req_for_errors())
        .unwrap_err();
    let shown = err
        .to_file_error("app/package-lock.json", "{\n  \"lockfileVersion\": 3,\n  oops\n}\n")
        .to_string();
    assert!(shown.starts_with("app/package-lock.json:3:3: "), "{shown}");
    let text = "# yarn lockfile v1\n\nms@^2.1.3\n  version \"2.1.3\"\n";
    let err = Format::Yarn.add(text, &req_for_errors()).unwrap_err();
    assert!(err.to_file_error("yarn.lock", text).to_string().starts_with("yarn.lock:3:1: "));
}

/// A lockfile whose values are of the wrong shape on the edited path was reported with no
/// place, as a bug of the editor ("would not give the intended lockfile"); it is the
/// file's problem, at its line and column, like any other JSON edit error.
#[test]
fn a_lockfile_value_of_the_wrong_shape_is_placed_not_called_an_editor_bug() {
    let text = "{\n  \"name\": \"app\",\n  \"lockfileVersion\": 3,\n  \"packages\": {\n    \"\": {\n      \"dependencies\": \"oops\"\n    }\n  }\n}\n";
    let err = Format::Npm.add(text, &req_for_errors()).unwrap_err();
    let shown = err.to_file_error("app/package-lock.json", text).to_string();
    assert!(
        shown.starts_with("app/package-lock.json:6:23: cannot update the lockfile: "),
        "{shown}"
    );
    assert!(shown.contains("`packages..dependencies` is a string, not an object"), "{shown}");
    assert!(!shown.contains("byte") && !shown.contains("intended"), "{shown}");
}

fn req_for_errors() -> Request<'static> {
    use std::sync::LazyLock;
    static RELEASE: LazyLock<Release> = LazyLock::new(node_cron);
    Request { importer: "", range: "^4.6.0", old_range: None, release: &RELEASE, manifests: &[] }
}

/// A workspace (`packages/*`) whose member `packages/emailer` gets node-cron 4, as npm,
/// yarn 1 and pnpm 8/9 wrote it (`ws-*/`); in `ws-shared*` the member `packages/web`
/// depends on `node-cron@^3.0.3` too.
const WORKSPACE_FILES: &[(&str, Format)] = &[
    ("npm-v2.json", Format::Npm),
    ("npm-v3.json", Format::Npm),
    ("yarn.lock", Format::Yarn),
    ("pnpm-v6.yaml", Format::Pnpm),
    ("pnpm-v9.yaml", Format::Pnpm),
];

fn run_member(format: Format, text: &str, old_range: Option<&str>, shared: bool) -> Outcome {
    let release = node_cron();
    let mut manifests = manifests();
    if shared {
        manifests.push(("node-cron".into(), "^3.0.3".into()));
    }
    let req = Request {
        importer: "packages/emailer",
        range: "^4.6.0",
        old_range,
        release: &release,
        manifests: &manifests,
    };
    format.add(text, &req).unwrap_or_else(|e| panic!("{e}"))
}

#[test]
fn a_workspace_member_gets_what_the_package_manager_writes() {
    for (file, format) in WORKSPACE_FILES {
        for (case, old) in [("ws-none", None), ("ws-cron3", Some("^3.0.3"))] {
            let got = run_member(*format, &data(case, file), old, false);
            assert_eq!(got, Outcome::Edited(data("ws-cron4", file)), "{case}/{file}");
        }
    }
}

#[test]
fn a_member_upgrade_keeps_the_old_release_a_sibling_needs() {
    // npm hoists differently from the package manager here (the new release goes inside
    // the member, the old one stays hoisted): both trees satisfy `npm ci`, which the
    // integration tests run.
    for (file, format) in WORKSPACE_FILES {
        let outcome = run_member(*format, &data("ws-shared3", file), Some("^3.0.3"), true);
        if *file == "npm-v2.json" {
            // Its npm 6 tree would need the nested copy too; the tool does not write that.
            assert!(
                matches!(outcome, Outcome::Inexact(ref w) if w.contains("inside the workspace member")),
                "{outcome:?}"
            );
            continue;
        }
        let Outcome::Edited(got) = outcome else {
            panic!("{file}: expected an edit");
        };
        if *format == Format::Npm {
            assert!(
                got.contains(
                    "\"packages/emailer/node_modules/node-cron\": {\n      \"version\": \"4.6.0\""
                ),
                "{file}:\n{got}"
            );
            assert!(
                got.contains("\"node_modules/node-cron\": {\n      \"version\": \"3.0.3\""),
                "{file}:\n{got}"
            );
            assert!(got.contains("\"node_modules/uuid\""), "{file}:\n{got}");
        } else {
            assert_eq!(got, data("ws-shared4", file), "{file}");
        }
    }
}

/// Lines that real lockfiles of the three formats are made of, and broken ones.
const LINES: &[&str] = &[
    "node-cron@^3.0.3:",
    "node-cron@^3.0.3, node-cron@^3.0.0:",
    "\"@s/x@^1.0.0\":",
    "\"\":",
    "é@1:",
    "  version \"3.0.3\"",
    "  dependencies:",
    "    uuid \"8.3.2\"",
    "    \"@s/x\" \"^1\"",
    "uuid@8.3.2:",
    "  version \"8.3.2\"",
    "  version \"4.6.0\"",
    "node-cron@^4.6.0:",
    "  node-cron@4.6.0:",
    "      node-cron: 3.0.3(x@1)",
    "__metadata:",
    "# yarn lockfile v1",
    "",
    "lockfileVersion: '9.0'",
    "lockfileVersion: 5.4",
    "importers:",
    "  .:",
    "  .: {}",
    "    dependencies:",
    "      node-cron:",
    "        specifier: ^3.0.3",
    "        version: 3.0.3",
    "specifiers:",
    "  node-cron: ^3.0.3",
    "dependencies:",
    "  node-cron: 3.0.3",
    "packages:",
    "  node-cron@3.0.3:",
    "  /node-cron/3.0.3:",
    "    resolution: {integrity: sha512-x}",
    "    dependencies:",
    "      uuid: 8.3.2",
    "snapshots:",
    "  node-cron@3.0.3: {}",
    "  uuid@8.3.2: {}",
    "overrides:",
    "  'a:",
    "- x",
    "\tkey: v",
];

proptest::proptest! {
    /// Whatever the text, the yarn and pnpm editors return an outcome or an error, never
    /// a panic; an edit they return holds the new entry, and is stable when repeated.
    #[test]
    fn yarn_and_pnpm_editors_never_panic(
        picks in proptest::collection::vec(0..LINES.len(), 0..40),
        crlf in proptest::bool::ANY,
        old in proptest::option::of(proptest::sample::select(vec!["^3.0.3", "^3.0.0", "^4.6.0"])),
    ) {
        let nl = if crlf { "\r\n" } else { "\n" };
        let text: String = picks.iter().map(|&i| format!("{}{nl}", LINES[i])).collect();
        for format in [Format::Yarn, Format::Pnpm] {
            let release = node_cron();
            let manifests = manifests();
            let req = Request { importer: "", range: "^4.6.0", old_range: old, release: &release, manifests: &manifests };
            if let Ok(Outcome::Edited(edited)) = format.add(&text, &req) {
                proptest::prop_assert!(edited.contains("4.6.0"));
                // Done again on its own result, the edit changes nothing.
                let again = Request { old_range: Some("^4.6.0"), ..req };
                let second = format.add(&edited, &again);
                proptest::prop_assert!(matches!(second, Ok(Outcome::Unchanged)), "{format:?} again: {second:?}\n{edited}");
            }
        }
    }
}

#[test]
fn npm_leaves_out_resolved_where_the_file_does() {
    // npm's `omit-lockfile-registry-resolved` writes registry entries without `resolved`.
    for file in ["npm-v1.json", "npm-v3.json"] {
        let strip = |text: &str| {
            text.lines()
                .filter(|l| !l.trim_start().starts_with("\"resolved\": \"https://registry"))
                .map(|l| format!("{l}\n"))
                .collect::<String>()
        };
        let input = strip(&data("none", file));
        assert!(!input.contains("resolved"), "{input}");
        let got = edited(Format::Npm, &input, None);
        assert_eq!(got, strip(&data("cron4", file)), "{file}");
    }
}

#[test]
fn npm_records_the_package_engines_as_npm_does() {
    let input = data("none", "npm-v3.json");
    let engines = serde_json::json!({ "node": "24.x" });
    let Ok(Outcome::Edited(got)) = npm::set_engines(&input, "", Some(&engines)) else {
        panic!("expected an edit");
    };
    let expected = input.replacen(
        "        \"ms\": \"^2.1.3\"\n      }\n    },",
        "        \"ms\": \"^2.1.3\"\n      },\n      \"engines\": {\n        \"node\": \"24.x\"\n      }\n    },",
        1,
    );
    assert_ne!(expected, input);
    assert_eq!(got, expected);
    assert_eq!(npm::set_engines(&got, "", Some(&engines)), Ok(Outcome::Unchanged));
    assert_eq!(npm::set_engines(&got, "", None), Ok(Outcome::Edited(input.clone())));
    // lockfileVersion 1 has no place for it.
    let v1 = data("none", "npm-v1.json");
    assert_eq!(npm::set_engines(&v1, "", Some(&engines)), Ok(Outcome::Unchanged));
}

fn wanted(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs.iter().map(|(n, r)| (n.to_string(), r.to_string())).collect()
}

/// What each format's frozen install refuses, read from lockfiles the package managers
/// wrote for `ms@^2.1.3` and `node-cron@^3.0.3`.
#[test]
fn unmet_dependencies_as_each_frozen_install_sees_them() {
    for (file, format) in FILES {
        let text = data("cron3", file);
        let unmet = |pairs: &[(&str, &str)]| format.unmet(&text, "", &wanted(pairs), &[]).unwrap();
        // In step.
        assert_eq!(unmet(&[("ms", "^2.1.3"), ("node-cron", "^3.0.3")]), [], "{file}");
        // Missing altogether.
        let missing = unmet(&[("ms", "^2.1.3"), ("express", "^4.21.2")]);
        assert_eq!(missing.len(), 1, "{file}");
        assert_eq!((missing[0].name.as_str(), missing[0].locked.as_deref()), ("express", None));
        // A range the locked release does not satisfy.
        let bumped = unmet(&[("node-cron", "^4.6.0")]);
        assert_eq!(bumped.len(), 1, "{file}");
        let expected = if *format == Format::Npm { "3.0.3" } else { "^3.0.3" };
        assert_eq!(bumped[0].locked.as_deref(), Some(expected), "{file}");
        // A changed range the locked release still satisfies: npm keeps it, yarn 1 and
        // pnpm want the range exactly as package.json spells it.
        let widened = unmet(&[("ms", "^2.1.0")]);
        assert_eq!(widened.is_empty(), *format == Format::Npm, "{file}: {widened:?}");
    }
}

#[test]
fn unmet_dependencies_of_a_workspace_member() {
    for (file, format) in
        [("npm-v3.json", Format::Npm), ("pnpm-v9.yaml", Format::Pnpm), ("yarn.lock", Format::Yarn)]
    {
        let text = data("ws-cron3", file);
        let member = "packages/emailer";
        let ok = wanted(&[("ms", "^2.1.3"), ("node-cron", "^3.0.3")]);
        assert_eq!(format.unmet(&text, member, &ok, &[]).unwrap(), [], "{file}");
        let new = wanted(&[("node-cron", "^3.0.3"), ("pg", "^8.13.1")]);
        let found = format.unmet(&text, member, &new, &[]).unwrap();
        assert_eq!(found.iter().map(|u| u.name.as_str()).collect::<Vec<_>>(), ["pg"], "{file}");
        // yarn 1 never records the workspace's own packages.
        let sibling = wanted(&[("web", "1.0.0")]);
        let local = ["web".to_string()];
        if format == Format::Yarn {
            assert_eq!(format.unmet(&text, member, &sibling, &local).unwrap(), []);
        }
    }
}

#[test]
fn a_yarn_berry_lockfile_is_not_judged() {
    let berry = "__metadata:\n  version: 8\n\n\"ms@npm:^2.1.3\":\n  version: 2.1.3\n";
    assert_eq!(Format::Yarn.unmet(berry, "", &wanted(&[("express", "^4")]), &[]).unwrap(), []);
}

/// A pnpm lockfile that Prettier formatted (`prettier --write .` in a repository that
/// does not ignore it): flow mappings spread over lines, double quotes, no blank line
/// after a section's key. pnpm reads it as the same lockfile, so the editor must too:
/// adding or upgrading node-cron gives `prettier/*-edited.yaml` (each checked to format,
/// with Prettier, to the formatted pnpm-written `cron4` lockfile), never an error.
#[test]
fn a_pnpm_lockfile_formatted_by_prettier_is_edited() {
    for (case, old_range) in [("none", None), ("cron3", Some("^3.0.3"))] {
        let text = data("prettier", &format!("{case}-pnpm-v9.yaml"));
        let got = edited(Format::Pnpm, &text, old_range);
        assert_eq!(got, data("prettier", &format!("{case}-pnpm-v9-edited.yaml")), "{case}");
        assert!(Format::Pnpm.unmet(&got, "", &manifests(), &[]).unwrap().is_empty(), "{case}");
    }
    // A flow collection that is never closed is a syntax error at its key, not a panic.
    let open = data("prettier", "none-pnpm-v9.yaml").replace("      }\n", "");
    match Format::Pnpm.add(&open, &req_for_errors()) {
        Err(LockError::Syntax { offset, message }) => {
            assert!(message.contains("`resolution`"), "{message}");
            assert_eq!(&open[offset..offset + 15], "    resolution:");
        }
        other => panic!("expected a syntax error, got {other:?}"),
    }
}
