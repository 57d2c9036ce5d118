//! Property tests: any bytes are an answer (never a panic), and well-formed Procfiles
//! mean what a simple model of Heroku's rules says.

use proptest::prelude::*;

use super::parse;

fn process_type() -> impl Strategy<Value = String> {
    "[a-z0-9]([a-z0-9-]{0,8}[a-z0-9])?"
}

fn command() -> impl Strategy<Value = String> {
    // No newline or CR; a `#` inside is part of the command. Not blank.
    "[a-zA-Z0-9 ./$&|=#:_-]{0,30}[a-zA-Z0-9./$]"
}

#[derive(Debug, Clone)]
enum Line {
    Process(String, String),
    Comment(String),
    Blank,
}

fn line() -> impl Strategy<Value = Line> {
    prop_oneof![
        4 => (process_type(), command()).prop_map(|(t, c)| Line::Process(t, c)),
        1 => "[ -~]{0,20}".prop_map(Line::Comment),
        1 => Just(Line::Blank),
    ]
}

proptest! {
    #[test]
    fn any_bytes_give_an_answer_not_a_panic(bytes in proptest::collection::vec(any::<u8>(), 0..200)) {
        match parse("Procfile", &bytes) {
            Ok(procfile) => {
                for p in &procfile.processes {
                    prop_assert!(!p.command.trim().is_empty());
                }
            }
            Err(e) => {
                let lines = bytes.iter().filter(|&&b| b == b'\n').count() + 1;
                let line = e.position.map_or(1, |p| p.line);
                prop_assert!(line >= 1 && line <= lines, "{e}");
            }
        }
    }

    #[test]
    fn well_formed_procfiles_mean_what_the_model_says(
        lines in proptest::collection::vec(line(), 0..12),
        crlf in any::<bool>(),
        final_newline in any::<bool>(),
    ) {
        let newline = if crlf { "\r\n" } else { "\n" };
        let mut text: String = lines
            .iter()
            .map(|l| match l {
                Line::Process(t, c) => format!("{t}: {c}"),
                Line::Comment(c) => format!("#{c}"),
                Line::Blank => String::new(),
            })
            .collect::<Vec<_>>()
            .join(newline);
        if final_newline {
            text.push_str(newline);
        }
        // The model: first appearance fixes the order, the last command wins.
        let mut expected: Vec<(String, String, usize)> = Vec::new();
        for (i, l) in lines.iter().enumerate() {
            if let Line::Process(t, c) = l {
                let c = c.trim().to_owned();
                match expected.iter_mut().find(|(name, _, _)| name == t) {
                    Some(slot) => { slot.1 = c; slot.2 = i + 1; }
                    None => expected.push((t.clone(), c, i + 1)),
                }
            }
        }
        let procfile = parse("Procfile", text.as_bytes()).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let got: Vec<(String, String, usize)> =
            procfile.processes.iter().map(|p| (p.name.clone(), p.command.clone(), p.line)).collect();
        prop_assert_eq!(got, expected);
    }
}
