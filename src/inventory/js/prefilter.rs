//! The byte search that keeps most files away from the parser.
//!
//! It reads every JS/TS byte of a monorepo, so it must be far faster than the parser
//! (3-7 MB/s). The sixteen `PATTERNS` share seven words ([`WORDS`]), so one pass looks
//! for the words with the SIMD multi-substring search of `aho-corasick` (its "Teddy"
//! searcher, which `regex` already links in) and only a hit looks at the bytes around it.
//! On the benchmark's 261 MB of sources, in release: 0.05 s, against 0.10 s for one
//! `memchr` substring search per pattern and 0.07-0.10 s for `aho-corasick` over the
//! fifteen patterns themselves (its searcher slows down as patterns are added).

use std::sync::LazyLock;

use aho_corasick::{AhoCorasick, MatchKind, packed};

/// Byte strings that every fact [`super::scan`] reports must contain.
///
/// `HEROKU_` is not listed: a Heroku variable is only reported when read through
/// `process.env`. Quoted `cron` covers `node-cron` and `cron` module names in imports,
/// and `cron/` their deep imports (`require("node-cron/src/node-cron")`).
/// Not covered: `process . env` with whitespace or comments inside, and upper-case
/// Heroku hostnames.
///
/// The search looks for [`WORDS`] instead; the tests hold it to this list.
#[cfg(test)]
const PATTERNS: &[&[u8]] = &[
    b"process.env",
    // `const { env } = process`, `import { env } from "node:process"` and Vite's
    // `import.meta.env` (see `indirect`).
    b"} = process",
    b"}=process",
    b"'process'",
    b"\"process\"",
    b"node:process",
    b"import.meta.env",
    crate::herokuapp::HOST_SUFFIX.as_bytes(),
    b"rejectUnauthorized",
    b"cron'",
    b"cron\"",
    b"cron`",
    b"cron/",
    b"node-schedule",
    // SvelteKit's `$env/static/public` and siblings (see `indirect`).
    b"$env/",
];

/// One word of each pattern, such that every pattern holds exactly one of them once:
/// a pattern occurs where one of its word's occurrences has the pattern's bytes around
/// it ([`pattern_at`]). No word overlaps itself or another, so the search's
/// non-overlapping matches are all their occurrences.
const WORDS: [&[u8]; 7] = [
    b"process",
    b"cron",
    b"import.meta.env",
    b".herokuapp.com",
    b"rejectUnauthorized",
    // Not `node-schedule`: `cron` would run into it (`cronode-schedule`).
    b"-schedule",
    b"$env/",
];

/// A search for a few short words in one pass: `aho-corasick`'s SIMD multi-substring
/// searcher ("Teddy") where the CPU has it, else its automaton. The automaton is not
/// asked to pick by itself: for [`WORDS`] its heuristics pick a search for two "rare"
/// bytes that are frequent in code, which measured 4 times slower than Teddy.
/// Matches are leftmost-first and do not overlap, as Teddy finds them.
pub(crate) enum Search {
    Teddy(packed::Searcher),
    Automaton(AhoCorasick),
}

impl Search {
    /// The search for `words` (a few dozen at most, none empty).
    pub(crate) fn new(words: &[&[u8]]) -> Search {
        let teddy = packed::Config::new()
            .match_kind(packed::MatchKind::LeftmostFirst)
            .builder()
            .extend(words)
            .build();
        teddy.map(Search::Teddy).unwrap_or_else(|| {
            let built = AhoCorasick::builder().match_kind(MatchKind::LeftmostFirst).build(words);
            Search::Automaton(built.expect("a few short words fit any automaton"))
        })
    }

    /// Whether `at` holds for one of the words' occurrences in `bytes`, in order.
    pub(crate) fn any(&self, bytes: &[u8], at: impl FnMut(aho_corasick::Match) -> bool) -> bool {
        match self {
            Search::Teddy(searcher) => searcher.find_iter(bytes).any(at),
            Search::Automaton(automaton) => automaton.find_iter(bytes).any(at),
        }
    }
}

static SEARCH: LazyLock<Search> = LazyLock::new(|| Search::new(&WORDS));

/// True when `bytes` contain any pattern a scan looks for, so that parsing them can
/// find something. False means [`super::scan`] would report no facts except the module
/// syntax.
pub fn worth_parsing(bytes: &[u8]) -> bool {
    search_with(&SEARCH, bytes)
}

fn search_with(search: &Search, bytes: &[u8]) -> bool {
    search.any(bytes, |found| {
        pattern_at(bytes, found.pattern().as_usize(), found.start(), found.end())
    })
}

/// Whether one of `PATTERNS` holds the occurrence of `WORDS[word]` at `start..end`.
fn pattern_at(bytes: &[u8], word: usize, start: usize, end: usize) -> bool {
    let (before, after) = (&bytes[..start], &bytes[end..]);
    match word {
        // process.env, } = process, }=process, node:process, and 'process' or "process".
        0 => {
            after.starts_with(b".env")
                || before.ends_with(b"} = ")
                || before.ends_with(b"}=")
                || before.ends_with(b"node:")
                || [b'\'', b'"'].iter().any(|&q| before.ends_with(&[q]) && after.starts_with(&[q]))
        }
        // cron', cron", cron` and cron/.
        1 => matches!(after.first(), Some(b'\'' | b'"' | b'`' | b'/')),
        // node-schedule.
        5 => before.ends_with(b"node"),
        // The other words are whole patterns.
        _ => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use gix::bstr::ByteSlice;
    use proptest::prelude::*;

    /// The plain definition: any pattern anywhere.
    fn holds_a_pattern(bytes: &[u8]) -> bool {
        PATTERNS.iter().any(|pattern| bytes.find(pattern).is_some())
    }

    /// The searcher of CPUs without Teddy, tested on every CPU.
    static AUTOMATON: LazyLock<Search> = LazyLock::new(|| {
        let built = AhoCorasick::builder().match_kind(MatchKind::LeftmostFirst).build(WORDS);
        Search::Automaton(built.expect("six short words fit any automaton"))
    });

    #[test]
    #[cfg(target_arch = "x86_64")]
    fn x86_64_searches_with_teddy() {
        assert!(matches!(*SEARCH, Search::Teddy(_)));
    }

    #[test]
    fn each_pattern_holds_exactly_one_word_once() {
        for pattern in PATTERNS {
            let count: usize = WORDS.iter().map(|word| pattern.find_iter(word).count()).sum();
            assert_eq!(count, 1, "{}", String::from_utf8_lossy(pattern));
        }
    }

    #[test]
    fn no_word_overlaps_itself_or_another() {
        // An overlap is a proper suffix of one word that starts another: the search
        // could then report one of two overlapping occurrences only.
        for a in WORDS {
            for b in WORDS {
                for cut in 1..a.len() {
                    assert!(!b.starts_with(&a[cut..]), "{a:?} runs into {b:?}");
                }
                if a != b {
                    assert!(a.find(b).is_none(), "{b:?} inside {a:?}");
                }
            }
        }
    }

    /// Pieces that make near misses likely: the patterns, their words, the bytes that
    /// surround the words in the patterns, and a few others.
    fn piece() -> impl Strategy<Value = Vec<u8>> {
        let mut pieces: Vec<Vec<u8>> = PATTERNS.iter().map(|p| p.to_vec()).collect();
        pieces.extend(WORDS.iter().map(|w| w.to_vec()));
        for text in [
            "'",
            "\"",
            "`",
            "/",
            "}",
            " = ",
            "=",
            "node:",
            ".env",
            ".exi",
            ".",
            "process",
            "proces",
            "cro",
            "herokuapp",
            "env",
            "x",
            " ",
            "\n",
            "\u{e9}",
        ] {
            pieces.push(text.as_bytes().to_vec());
        }
        prop_oneof![
            4 => proptest::sample::select(pieces),
            1 => proptest::collection::vec(any::<u8>(), 0..4),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]

        #[test]
        fn finds_what_a_search_for_each_pattern_finds(
            pieces in proptest::collection::vec(piece(), 0..12),
        ) {
            let bytes = pieces.concat();
            let expected = holds_a_pattern(&bytes);
            prop_assert_eq!(worth_parsing(&bytes), expected, "{:?}", bytes.as_bstr());
            prop_assert_eq!(search_with(&AUTOMATON, &bytes), expected, "{:?}", bytes.as_bstr());
        }
    }

    #[test]
    fn each_pattern_is_found_anywhere() {
        for pattern in PATTERNS {
            let mut text = b"const a = 1;\n".to_vec();
            text.extend_from_slice(pattern);
            assert!(worth_parsing(pattern), "alone: {}", String::from_utf8_lossy(pattern));
            assert!(worth_parsing(&text), "at the end: {}", String::from_utf8_lossy(pattern));
            text.extend_from_slice(b" trailing");
            assert!(worth_parsing(&text), "inside: {}", String::from_utf8_lossy(pattern));
        }
    }

    #[test]
    fn files_that_use_a_pattern_are_parsed() {
        assert!(worth_parsing(b"const port = process.env.PORT || 3000;"));
        assert!(worth_parsing(b"const { DATABASE_URL } = process.env;"));
        assert!(worth_parsing(b"fetch('https://my-api.herokuapp.com/items')"));
        assert!(worth_parsing(b"import cron from 'node-cron';"));
        assert!(worth_parsing(b"const { CronJob } = require(\"cron\");"));
        assert!(worth_parsing(b"const task = require('node-cron/src/scheduled-task');"));
        assert!(worth_parsing(b"ssl: { rejectUnauthorized: false }"));
        assert!(worth_parsing(b"// \xff\xfe\x00 not UTF-8, then process.env.X"));
        // Words that touch: `cron` ends where `node-schedule` starts.
        assert!(worth_parsing(b"cronode-schedule"));
        assert!(worth_parsing(b"processprocess.env"));
    }

    #[test]
    fn plain_code_and_near_misses_are_skipped() {
        assert!(!worth_parsing(b""));
        assert!(!worth_parsing(b"p"));
        assert!(!worth_parsing(b"export const add = (a, b) => a + b;\n"));
        assert!(!worth_parsing(b"const processes = []; process.on('exit', f); env.PORT"));
        // No rule needs `process.exit`: Scheduler jobs run as child processes.
        assert!(!worth_parsing(b"main().then(() => process.exit(0));"));
        assert!(!worth_parsing(b"const url = 'https://example.com'; // heroku"));
        assert!(!worth_parsing(b"proces.env herokuapp.co crontab rejectunauthorized"));
        assert!(!worth_parsing(&[0xff, 0xfe, 0x00, b'p', b'r', 0x80]));
    }
}
