use super::*;

fn env(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs.iter().map(|(n, v)| ((*n).to_owned(), (*v).to_owned())).collect()
}

fn whole(command: &str) -> CommandParts {
    CommandParts { program: command.to_owned(), ..CommandParts::default() }
}

#[test]
fn cd_and_plain_assignments_move_out_of_the_command() {
    let parts = command_parts("cd api && node index.js");
    assert_eq!(parts.cd.as_deref(), Some("api"));
    assert!(parts.env.is_empty());
    assert_eq!(parts.program, "node index.js");

    let parts =
        command_parts("cd ./apps/ && cd 'my api/' && NODE_ENV=production PORT=\"80\" npm start");
    assert_eq!(parts.cd.as_deref(), Some("apps/my api"));
    assert_eq!(parts.env, env(&[("NODE_ENV", "production"), ("PORT", "80")]));
    assert_eq!(parts.program, "npm start");

    let parts = command_parts("env DEBUG=* EMPTY= node --max-old-space-size=512 a.js");
    assert_eq!(parts.env, env(&[("DEBUG", "*"), ("EMPTY", "")]));
    assert_eq!(parts.program, "node --max-old-space-size=512 a.js");
    assert_eq!(command_parts("cd . && npm start").cd, None);
}

#[test]
fn quotes_and_escapes_are_removed_as_the_shell_does() {
    let parts = command_parts(r#"A="say \"hi\" \$5" B=c\ d C='it''s' D=x"y"'z' node a.js"#);
    let expected = [("A", r#"say "hi" $5"#), ("B", "c d"), ("C", "its"), ("D", "xyz")];
    assert_eq!(parts.env, env(&expected));
    assert_eq!(parts.program, "node a.js");
    // Inside double quotes a backslash only escapes `$`, `` ` ``, `"`, `\` and newline.
    assert_eq!(command_parts(r#"A="a\b" x"#).env, env(&[("A", r"a\b")]));
}

#[test]
fn a_value_that_expands_keeps_the_whole_line() {
    // Heroku's bash reads `$DEBUG_RELEASE` when the command runs: no literal to copy.
    let line = "DEBUG=$DEBUG_RELEASE  IS_HEROKU=true  npm run on-release";
    assert_eq!(command_parts(line), whole(line));
    for line in [
        "PATH=$BOT_PATHS:$PATH && bin/bot --name $BOT_NAME",
        "A=${B:-x} node a.js",
        "A=$(date +%s) node a.js",
        "A=`date` node a.js",
        "HOME_DIR=~/app node a.js",
        "A=\"$B\" node a.js",
        "env A=$B node a.js",
    ] {
        assert_eq!(command_parts(line), whole(line), "{line}");
    }
}

#[test]
fn assignments_that_do_not_reach_the_only_command_stay() {
    for line in [
        "A=1 node a.js && node b.js",
        "A=1 node a.js | tee log",
        "A=1 node a.js; node b.js",
        "A=1 node a.js || exit 1",
        "A=1",
        "A=1 B=2",
        "env",
        "node index.js",
        "cd api",
        "cd api; node x",
        "cd api || exit && node x",
        "cd $APP_DIR && node x",
    ] {
        let parts = command_parts(line);
        assert!(parts.env.is_empty(), "{line}: {parts:?}");
        assert_eq!(parts.cd, None, "{line}");
        assert_eq!(parts.program, line, "{line}");
    }
    // The cd still moves out when the rest is a longer list.
    let parts = command_parts("cd web && A=1 npm run build && npm start");
    assert_eq!(parts.cd.as_deref(), Some("web"));
    assert_eq!(parts.program, "A=1 npm run build && npm start");
    assert!(parts.env.is_empty());
}

#[test]
fn a_line_the_shell_cannot_read_is_kept_whole() {
    for line in ["cd 'x && y", "A=\"open node a.js", "node a.js )", "A=1 &&"] {
        assert!(!is_well_formed(line), "{line}");
        assert_eq!(command_parts(line), whole(line), "{line}");
        assert!(simple_commands(line).is_empty());
    }
}

#[test]
fn simple_commands_list_every_step_with_literal_words() {
    let commands =
        simple_commands(r#"cd api && NODE_ENV=prod node "my server.js" --port $PORT | tee a"#);
    let words: Vec<&[String]> = commands.iter().map(|c| c.words.as_slice()).collect();
    assert_eq!(words.len(), 3);
    assert_eq!(words[0], ["cd", "api"]);
    assert_eq!(words[1], ["node", "my server.js", "--port", "$PORT"]);
    assert_eq!(words[2], ["tee", "a"]);
    assert_eq!(commands[1].assignments[0].name, "NODE_ENV");
    assert_eq!(commands[1].assignments[0].literal.as_deref(), Some("prod"));
    assert_eq!(commands[1].program(), Some("node"));
    // `$(...)` only computes a word: `which` is not a step.
    let inner = simple_commands("node $(which server) > log 2>&1");
    assert_eq!(inner.len(), 1);
    assert_eq!(inner[0].words[0], "node");
    assert_eq!(simple_commands("./node_modules/.bin/serve -s")[0].program(), Some("serve"));
}

#[test]
fn the_same_command_is_recognised_in_any_spelling() {
    assert!(same_command("node  jobs/send.js", "node 'jobs/send.js'"));
    assert!(same_command("A=1 node x.js && echo ok", "A='1' node x.js  &&  echo ok"));
    assert!(!same_command("node a.js && node b.js", "node a.js || node b.js"));
    assert!(!same_command("node a.js", "node b.js"));
    assert!(!same_command("A=1 node a.js", "node a.js"));
}

#[test]
fn variables_read_are_found_in_every_spelling() {
    let line = r#"PATH=$BOT_PATHS:$PATH && bin/bot --name "${BOT_NAME}" -x ${MODE:-fast} $1 $@"#;
    assert_eq!(variables_read(line), ["BOT_PATHS", "PATH", "BOT_NAME", "MODE"]);
    assert!(variables_read("node '$NOT_READ' a.js").is_empty());
}

#[test]
fn quoting_round_trips_through_the_grammar() {
    assert_eq!(quote("production"), "production");
    for value in ["a b", "it's", "", "$HOME", "a\"b\\c", "`x`", "*", "x;y&&z", "~/a", "tab\tx"] {
        let line = format!("A={} node a.js", quote(value));
        assert_eq!(command_parts(&line).env, env(&[("A", value)]), "{line}");
    }
}

mod properties {
    use proptest::prelude::*;

    use super::super::*;

    proptest! {
        /// Whatever a value holds, quoting it and reading the line back gives the value.
        #[test]
        fn quoted_values_read_back_unchanged(value in "[ -~\t]{0,24}", name in "[A-Z][A-Z0-9_]{0,8}") {
            let line = format!("{name}={} node a.js", quote(&value));
            let parts = command_parts(&line);
            prop_assert_eq!(parts.env, vec![(name, value)]);
            prop_assert_eq!(parts.program, "node a.js");
        }

        /// Any text is an answer, never a panic, and the program is never lost.
        #[test]
        fn any_command_keeps_a_program(command in "[ -~]{1,40}") {
            let parts = command_parts(&command);
            prop_assume!(!command.trim().is_empty());
            prop_assert!(!parts.program.trim().is_empty(), "{:?}", parts);
            let _ = simple_commands(&command);
            let _ = variables_read(&command);
        }
    }
}

// The `commands` view: words, spans and the folder each command runs in.

fn programs(line: &str) -> Vec<(Vec<String>, bool)> {
    commands(line)
        .unwrap()
        .into_iter()
        .map(|c| {
            let words = c.words.iter().map(|w| w.text.clone().unwrap_or("?".into())).collect();
            (words, c.after_cd)
        })
        .collect()
}

fn w(words: &[&str], after_cd: bool) -> (Vec<String>, bool) {
    (words.iter().map(|s| s.to_string()).collect(), after_cd)
}

#[test]
fn lists_pipes_and_prefixes() {
    assert_eq!(
        programs("NODE_ENV=production npm run build && node copy.js || echo failed; cat a | wc"),
        vec![
            w(&["npm", "run", "build"], false),
            w(&["node", "copy.js"], false),
            w(&["echo", "failed"], false),
            w(&["cat", "a"], false),
            w(&["wc"], false),
        ]
    );
}

#[test]
fn quotes_are_removed_and_expansions_marked() {
    assert_eq!(
        programs(r#"node "a b.js" 'c' d\ e $X "$Y" pre"fix""#),
        vec![w(&["node", "a b.js", "c", "d e", "?", "?", "prefix"], false)]
    );
}

#[test]
fn cd_moves_later_commands_but_not_out_of_a_subshell() {
    assert_eq!(
        programs("(cd client && npm run build) && npm run build && cd . && cd api && npm start"),
        vec![
            w(&["cd", "client"], false),
            w(&["npm", "run", "build"], true),
            w(&["npm", "run", "build"], false),
            w(&["cd", "."], false),
            w(&["cd", "api"], false),
            w(&["npm", "start"], true),
        ]
    );
}

#[test]
fn command_substitutions_are_commands_too() {
    let found = programs("echo $(npm run version) done");
    assert_eq!(found, vec![w(&["npm", "run", "version"], false), w(&["echo", "?", "done"], false)]);
}

#[test]
fn spans_point_at_the_words() {
    let line = "yarn  build --prod";
    let c = &commands(line).unwrap()[0];
    assert_eq!(&line[c.words[1].span.clone()], "build");
}

#[test]
fn an_unparsable_line_is_none() {
    assert_eq!(commands("echo 'unterminated"), None);
}

#[test]
fn launchers_are_looked_through() {
    let launched = |command: &str| simple_commands(command)[0].launched().join(" ");
    assert_eq!(launched("./node_modules/.bin/env-cmd -f ./prod.env nf start"), "nf start");
    assert_eq!(launched("env-cmd --file .env.production -- node server.js"), "node server.js");
    assert_eq!(launched("cross-env NODE_ENV=production PORT=80 nf start"), "nf start");
    assert_eq!(launched("dotenv -e .env.prod -- heroku logs"), "heroku logs");
    assert_eq!(launched("npx --yes -p foreman nf start"), "nf start");
    assert_eq!(launched("env DEBUG=app:* node index.js"), "node index.js");
    assert_eq!(launched("exec npx env-cmd node a.js"), "node a.js");
    assert_eq!(launched("node env-cmd.js"), "node env-cmd.js");
}
