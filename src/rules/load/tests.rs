use super::*;

fn err(text: &str) -> String {
    parse_rule("r.toml", text).unwrap_err().to_string()
}

const VALID: &str = r#"
id = "pin-node-engine"
kind = "pin-node"
description = "Pin Node"
reason = "Code Capsules defaults to Node 20"
[params]
major = 22
platform_majors = [20, 22, 24]
"#;

#[test]
fn a_valid_rule_becomes_its_kind() {
    let rule = parse_rule("r.toml", VALID).unwrap();
    assert_eq!(rule.id, "pin-node-engine");
    assert_eq!(rule.kind, RuleKind::PinNode { major: 22, platform_majors: vec![20, 22, 24] });
}

#[test]
fn unknown_top_level_keys_are_refused_with_their_position() {
    let text = format!("{VALID}\n");
    let text = text.replace("reason =", "colour = \"red\"\nreason =");
    let message = err(&text);
    assert!(message.starts_with("r.toml:5:1:"), "{message}");
    assert!(message.contains("colour"), "{message}");
}

#[test]
fn a_parameter_of_another_kind_is_refused_at_its_key() {
    let text = VALID.replace("major = 22", "major = 22\nfiles = [\"x\"]");
    let message = err(&text);
    assert!(message.starts_with("r.toml:8:1:"), "{message}");
    assert!(message.contains("`files` is not a parameter of a pin-node rule"), "{message}");
}

#[test]
fn missing_and_bad_values_are_explained() {
    assert!(err(&VALID.replace("major = 22", "")).contains("needs params.major"));
    assert!(err(&VALID.replace("major = 22", "major = 16")).contains("r.toml:7:1: Node major 16"));
    assert!(err(&VALID.replace("pin-node\"", "pin-nodes\"")).contains("unknown rule kind"));
    assert!(err(&VALID.replace("\"pin-node-engine\"", "\"Pin Node\"")).contains("kebab-case"));
    let msg = err(&VALID.replace("major = 22", "major = \"22\""));
    assert!(msg.starts_with("r.toml:7:9:"), "{msg}");
}

#[test]
fn syntax_errors_carry_line_and_column() {
    let message = err("id = \"x\"\nkind = \n");
    assert!(message.starts_with("r.toml:2:"), "{message}");
}

#[test]
fn the_embedded_set_is_valid_and_ordered() {
    let set = embedded().unwrap();
    let ids: Vec<&str> = set.rules.iter().map(|r| r.id.as_str()).collect();
    assert_eq!(ids[..2], ["remove-heroku-files", "pin-node-engine"]);
}

#[test]
fn every_file_in_the_rules_folder_is_embedded() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("rules");
    let mut on_disk: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".toml"))
        .collect();
    on_disk.sort();
    let embedded: Vec<String> = EMBEDDED.iter().map(|(n, _)| (*n).to_owned()).collect();
    assert_eq!(on_disk, embedded);
    // The embedded text is the file's text.
    for (name, text) in EMBEDDED {
        assert_eq!(std::fs::read_to_string(dir.join(name)).unwrap(), *text);
    }
}

#[test]
fn a_rules_dir_replaces_the_set_and_duplicate_ids_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("a.toml"), VALID).unwrap();
    let set = load_dir(dir.path()).unwrap();
    assert_eq!(set.rules.len(), 1);
    std::fs::write(dir.path().join("b.toml"), VALID).unwrap();
    let message = load_dir(dir.path()).unwrap_err().to_string();
    assert!(message.contains("b.toml:2:7: rule id `pin-node-engine` is used"), "{message}");
    let empty = tempfile::tempdir().unwrap();
    assert!(load_dir(empty.path()).unwrap_err().to_string().contains("no *.toml"));
}

#[test]
fn guide_and_release_rules_are_read_and_checked() {
    let guide = "id = \"guide\"\nkind = \"guide\"\ndescription = \"d\"\nreason = \"r\"\n[params]\nfile = \"GUIDE.md\"\n";
    let rule = parse_rule("r.toml", guide).unwrap();
    assert_eq!(rule.kind, RuleKind::Guide { file: "GUIDE.md".into() });
    assert!(
        err(&guide.replace("GUIDE.md", "docs/GUIDE.md"))
            .contains("r.toml:6:1: `docs/GUIDE.md` must be a plain file name")
    );
    assert!(err(&guide.replace("GUIDE.md", "GUIDE.txt")).contains("must end in .md"));
    assert!(err(&guide.replace("file = \"GUIDE.md\"", "")).contains("needs params.file"));
    let release = "id = \"r\"\nkind = \"release-phase\"\ndescription = \"d\"\nreason = \"r\"\n";
    assert_eq!(parse_rule("r.toml", release).unwrap().kind, RuleKind::ReleasePhase);
    let message = err(&format!("{release}[params]\nfile = \"x\"\n"));
    assert!(message.contains("`file` is not a parameter of a release-phase rule"), "{message}");
    let set = embedded().unwrap();
    assert_eq!(set.guide_file(), Some("CODE_CAPSULES.md"));
    assert_eq!(set.rules.last().map(|r| r.kind.name()), Some("guide"));
}

#[test]
fn the_scheduler_lock_facts_are_checked_against_the_range() {
    let shipped = EMBEDDED.iter().find(|(n, _)| *n == "50-scheduler.toml").unwrap().1;
    let rule = parse_rule("r.toml", shipped).unwrap();
    let RuleKind::Scheduler { node_cron, lock: Some(lock), .. } = &rule.kind else {
        panic!("{:?}", rule.kind);
    };
    assert_eq!((node_cron.as_str(), lock.version.as_str()), ("^4.6.0", "4.6.0"));
    assert!(lock.resolved.ends_with("/node-cron-4.6.0.tgz"));

    // A range the release is not in: refused at the table, not written into lockfiles.
    let message = err(&shipped.replace("node_cron = \"^4.6.0\"", "node_cron = \"^4.7.0\""));
    assert!(message.contains("version `4.6.0` is not in the range `^4.7.0`"), "{message}");
    assert!(message.starts_with("r.toml:"), "{message}");
    let message = err(&shipped.replace("shasum = \"5c85", "shasum = \"zz85"));
    assert!(message.contains("shasum must be"), "{message}");
    let message = err(&shipped.replace("license = \"ISC\"", "licence = \"ISC\""));
    assert!(message.contains("licence"), "{message}");

    // Without the table the rule still works; lockfiles are then reported, not edited.
    let start = shipped.find("\n# What package-lock.json").unwrap();
    let rule = parse_rule("r.toml", &shipped[..start]).unwrap();
    assert!(matches!(rule.kind, RuleKind::Scheduler { lock: None, .. }));
}
