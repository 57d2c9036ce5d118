//! When a job runs: Heroku Scheduler's three frequencies, or a cron expression.
//!
//! Cron expressions are checked here against the subset of node-cron 4's syntax that every
//! cron reader agrees on, so an expression accepted here is one node-cron accepts (its
//! extras such as `L`, `W`, `#`, `?`, `@daily` and wrap-around ranges are refused), and the
//! mistake is reported while the jobs file is read rather than when the Capsule starts.

/// What the error message offers instead of a schedule it cannot read.
pub const ACCEPTED: &str = "accepted: `every 10 minutes`, `every hour at :MM` (MM = 00, 10, 20, \
30, 40 or 50; also `hourly at :MM`), `every day at HH:MM` (UTC; HH = 00-23, MM = 00 or 30; \
also `daily at`, `2:30 AM`, a trailing `UTC`), or a cron expression \
of 5 fields (minute hour day-of-month month day-of-week) or 6 (seconds first), e.g. `15 3 * * 1-5`";

/// A job's schedule, in UTC.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Schedule {
    /// `every 10 minutes`
    EveryTenMinutes,
    /// `every hour at :MM`, MM a multiple of 10.
    Hourly { minute: u8 },
    /// `every day at HH:MM`, MM 0 or 30.
    Daily { hour: u8, minute: u8 },
    /// A valid cron expression, its fields separated by single spaces.
    Cron(String),
}

impl Schedule {
    /// Reads a Heroku wording (any case, surrounding spaces ignored) or a cron expression.
    /// The error says what is wrong and lists the accepted forms.
    pub fn parse(text: &str) -> Result<Schedule, String> {
        let text = text.trim();
        if text.is_empty() {
            return Err(format!("the schedule is empty; {ACCEPTED}"));
        }
        let lower = text.to_ascii_lowercase();
        if ["every", "daily", "hourly"].iter().any(|w| lower.starts_with(w)) {
            return heroku_wording(&lower).ok_or_else(|| {
                format!("`{text}` is not a Heroku Scheduler frequency; {ACCEPTED}")
            });
        }
        match check_cron(text) {
            Ok(()) => Ok(Schedule::Cron(text.split_whitespace().collect::<Vec<_>>().join(" "))),
            Err(why) => Err(format!("`{text}` is not a valid cron expression: {why}; {ACCEPTED}")),
        }
    }

    /// The schedule as a node-cron expression.
    pub fn to_cron(&self) -> String {
        match self {
            Schedule::EveryTenMinutes => "*/10 * * * *".to_string(),
            Schedule::Hourly { minute } => format!("{minute} * * * *"),
            Schedule::Daily { hour, minute } => format!("{minute} {hour} * * *"),
            Schedule::Cron(expression) => expression.clone(),
        }
    }

    /// The node-cron 4 expressions that together run exactly when cron would. Cron runs a
    /// job whose day of month and day of week are both restricted (neither starts with
    /// `*`) when *either* matches; node-cron requires both. Such an expression becomes
    /// two: the day-of-month days on any weekday, and the weekdays on the other days of
    /// the month (so no day runs twice). Every other schedule is one expression.
    pub fn node_cron_expressions(&self) -> Vec<String> {
        let cron = self.to_cron();
        let parts: Vec<&str> = cron.split(' ').collect();
        let n = parts.len();
        if n < 5 || parts[n - 3].starts_with('*') || parts[n - 1].starts_with('*') {
            return vec![cron];
        }
        let Ok(days) = field_values(parts[n - 3], &DAY_OF_MONTH) else { return vec![cron] };
        let others: Vec<u32> = (1..=31).filter(|d| !days.contains(d)).collect();
        let mut by_day = parts.clone();
        by_day[n - 1] = "*";
        let mut expressions = vec![by_day.join(" ")];
        if !others.is_empty() {
            let list = ranges(&others);
            let mut by_weekday = parts.clone();
            by_weekday[n - 3] = &list;
            expressions.push(by_weekday.join(" "));
        }
        expressions
    }

    /// Heroku's wording for the schedule; a cron expression describes itself. Either way
    /// [`Schedule::parse`] reads the result back to the same schedule.
    pub fn describe(&self) -> String {
        match self {
            Schedule::EveryTenMinutes => "every 10 minutes".to_string(),
            Schedule::Hourly { minute } => format!("every hour at :{minute:02}"),
            Schedule::Daily { hour, minute } => format!("every day at {hour:02}:{minute:02}"),
            Schedule::Cron(expression) => expression.clone(),
        }
    }
}

/// `2,3,4,9` -> `2-4,9`.
fn ranges(values: &[u32]) -> String {
    let mut out: Vec<String> = Vec::new();
    let mut i = 0;
    while i < values.len() {
        let mut j = i;
        while j + 1 < values.len() && values[j + 1] == values[j] + 1 {
            j += 1;
        }
        out.push(if i == j {
            values[i].to_string()
        } else {
            format!("{}-{}", values[i], values[j])
        });
        i = j + 1;
    }
    out.join(",")
}

/// The dashboard's own spellings as users copy them (`Daily at 2:30 AM UTC`, `Hourly at
/// :30`, `Every day at 2:30 PM`) in the form [`heroku_wording`] reads: `every day at
/// 14:30`. `None` for an hour of 12-hour time that is not 1-12.
fn dashboard_spelling(text: &str) -> Option<String> {
    let text = text.split_whitespace().collect::<Vec<_>>().join(" ");
    let text = text.strip_suffix(" utc").unwrap_or(&text);
    let text = if let Some(rest) = text.strip_prefix("daily at ") {
        format!("every day at {rest}")
    } else if let Some(rest) = text.strip_prefix("hourly at ") {
        format!("every hour at {rest}")
    } else {
        text.to_owned()
    };
    let Some(time) = text.strip_prefix("every day at ") else { return Some(text) };
    let (clock, half) = match time.rsplit_once(' ') {
        Some((clock, half @ ("am" | "pm"))) => (clock, Some(half)),
        _ => (time, None),
    };
    let Some(half) = half else { return Some(text) };
    let (hour, minute) = clock.split_once(':')?;
    let hour: u8 = hour.parse().ok().filter(|h| (1..=12).contains(h))?;
    let hour = (hour % 12) + if half == "pm" { 12 } else { 0 };
    Some(format!("every day at {hour:02}:{minute}"))
}

/// Reads one of the three wordings from lowercase, trimmed text.
fn heroku_wording(text: &str) -> Option<Schedule> {
    let text = &dashboard_spelling(text)?;
    if text == "every 10 minutes" {
        return Some(Schedule::EveryTenMinutes);
    }
    if let Some(minute) = text.strip_prefix("every hour at :") {
        let minute = two_digits(minute)?;
        // `:60` would pass the multiple-of-ten test but is no minute (cron refuses 60).
        return (minute < 60 && minute % 10 == 0).then_some(Schedule::Hourly { minute });
    }
    let (hour, minute) = text.strip_prefix("every day at ")?.split_once(':')?;
    let hour = match hour.len() {
        1 => two_digits(&format!("0{hour}"))?,
        _ => two_digits(hour)?,
    };
    let minute = two_digits(minute)?;
    (hour < 24 && (minute == 0 || minute == 30)).then_some(Schedule::Daily { hour, minute })
}

/// Exactly two ASCII digits.
fn two_digits(text: &str) -> Option<u8> {
    let bytes = text.as_bytes();
    (bytes.len() == 2 && bytes.iter().all(u8::is_ascii_digit)).then(|| text.parse().ok())?
}

/// One cron field: its name in messages, its bounds, and the names it accepts for 1, 2, ...
struct Field {
    name: &'static str,
    min: u32,
    max: u32,
    /// Names for values, lowercase; the first stands for `first_named`.
    names: &'static [&'static str],
    first_named: u32,
}

const MONTHS: &[&str] =
    &["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];
const WEEKDAYS: &[&str] = &["sun", "mon", "tue", "wed", "thu", "fri", "sat"];

const fn field(name: &'static str, min: u32, max: u32) -> Field {
    Field { name, min, max, names: &[], first_named: 0 }
}

const SECOND: Field = field("second", 0, 59);
const MINUTE: Field = field("minute", 0, 59);
const HOUR: Field = field("hour", 0, 23);
const DAY_OF_MONTH: Field = field("day of month", 1, 31);
const MONTH: Field = Field { names: MONTHS, first_named: 1, ..field("month", 1, 12) };
const DAY_OF_WEEK: Field = Field { names: WEEKDAYS, first_named: 0, ..field("day of week", 0, 7) };

/// Checks a cron expression; the error names the field and the part that is wrong.
fn check_cron(text: &str) -> Result<(), String> {
    let parts: Vec<&str> = text.split_whitespace().collect();
    let fields: &[&Field] = match parts.len() {
        5 => &[&MINUTE, &HOUR, &DAY_OF_MONTH, &MONTH, &DAY_OF_WEEK],
        6 => &[&SECOND, &MINUTE, &HOUR, &DAY_OF_MONTH, &MONTH, &DAY_OF_WEEK],
        n => return Err(format!("it has {n} fields, expected 5 or 6")),
    };
    let mut values = Vec::with_capacity(fields.len());
    for (part, field) in parts.iter().zip(fields) {
        values.push(field_values(part, field)?);
    }
    // node-cron refuses a day of month that no chosen month has (`31 2`).
    let (days, months) = (&values[values.len() - 3], &values[values.len() - 2]);
    let possible = months.iter().any(|&m| days.iter().any(|&d| d <= days_in_month(m)));
    if !possible {
        let n = parts.len();
        return Err(format!("day `{}` never occurs in month `{}`", parts[n - 3], parts[n - 2]));
    }
    Ok(())
}

fn days_in_month(month: u32) -> u32 {
    match month {
        2 => 29,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// The values a field selects: a comma-separated list of `*`, `N`, `A-B`, `*/S` or `A-B/S`.
fn field_values(text: &str, field: &Field) -> Result<Vec<u32>, String> {
    let mut values = Vec::new();
    for item in text.split(',') {
        let bad = |why: String| format!("{} `{text}`: {why}", field.name);
        let (base, step) = match item.split_once('/') {
            Some((base, step)) => (base, Some(step)),
            None => (item, None),
        };
        let (first, last) = match base.split_once('-') {
            _ if base == "*" => (field.min, field.max),
            Some((a, b)) => (value(a, field).map_err(bad)?, value(b, field).map_err(bad)?),
            None if step.is_some() => {
                return Err(bad(format!("a step needs `*` or a range before it, found `{item}`")));
            }
            None => {
                let v = value(base, field).map_err(bad)?;
                (v, v)
            }
        };
        if first > last {
            return Err(bad(format!("the range `{base}` runs backwards")));
        }
        let step = match step {
            None => 1,
            Some(s) => match s.parse::<u32>() {
                Ok(n) if n > 0 && s.bytes().all(|b| b.is_ascii_digit()) => n,
                _ => return Err(bad(format!("the step `{s}` is not a whole number above 0"))),
            },
        };
        values.extend((first..=last).step_by(step as usize));
    }
    Ok(values)
}

/// A number in the field's bounds, or one of its names.
fn value(text: &str, field: &Field) -> Result<u32, String> {
    let lower = text.to_ascii_lowercase();
    if let Some(i) = field.names.iter().position(|&n| n == lower) {
        return Ok(field.first_named + i as u32);
    }
    let number = match text.parse::<u32>() {
        Ok(n) if !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit()) => n,
        _ if text.is_empty() => return Err("a value is missing".to_string()),
        _ => return Err(format!("`{text}` is not a number{}", name_hint(field))),
    };
    if number < field.min || number > field.max {
        return Err(format!("{number} is outside {}-{}", field.min, field.max));
    }
    Ok(number)
}

fn name_hint(field: &Field) -> String {
    match field.names.first() {
        Some(first) => format!(" or a name `{first}`-`{}`", field.names[field.names.len() - 1]),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn cron(text: &str) -> Schedule {
        Schedule::Cron(text.to_string())
    }

    #[test]
    fn reads_heroku_wordings_in_any_case_with_surrounding_spaces() {
        let cases = [
            ("every 10 minutes", Schedule::EveryTenMinutes),
            ("  Every 10 Minutes\t", Schedule::EveryTenMinutes),
            ("every hour at :00", Schedule::Hourly { minute: 0 }),
            ("EVERY HOUR AT :50", Schedule::Hourly { minute: 50 }),
            ("every day at 00:00", Schedule::Daily { hour: 0, minute: 0 }),
            ("every day at 23:30", Schedule::Daily { hour: 23, minute: 30 }),
            ("every day at 7:30", Schedule::Daily { hour: 7, minute: 30 }),
        ];
        for (text, expected) in cases {
            assert_eq!(Schedule::parse(text), Ok(expected), "{text}");
        }
    }

    #[test]
    fn refuses_times_heroku_does_not_offer_and_lists_the_wordings() {
        let refused = [
            "every hour at :15",
            "every hour at :0",
            "every hour at 00",
            "every day at 24:00",
            "every day at 12:15",
            "every day at 123:00",
            "every day at 1:5",
            "every 5 minutes",
            "every 10minutes",
            "every day",
        ];
        for text in refused {
            let why = Schedule::parse(text).expect_err(text);
            assert!(why.contains("not a Heroku Scheduler frequency"), "{why}");
            assert!(why.contains("every hour at :MM") && why.contains("cron"), "{why}");
        }
        assert!(Schedule::parse("  ").unwrap_err().contains("empty"));
    }

    #[test]
    fn dashboard_spellings_are_read_as_heroku_shows_them() {
        let daily = |hour, minute| Ok(Schedule::Daily { hour, minute });
        assert_eq!(Schedule::parse("Every day at 2:30 AM"), daily(2, 30));
        assert_eq!(Schedule::parse("Daily at 2:30 AM UTC"), daily(2, 30));
        assert_eq!(Schedule::parse("daily at 12:00 am"), daily(0, 0));
        assert_eq!(Schedule::parse("Every day at 12:30 PM"), daily(12, 30));
        assert_eq!(Schedule::parse("Every day at 11:00 PM UTC"), daily(23, 0));
        assert_eq!(Schedule::parse("Daily at 14:30"), daily(14, 30));
        assert_eq!(Schedule::parse("Hourly at :30"), Ok(Schedule::Hourly { minute: 30 }));
        // Spaces as a copy from the dashboard may leave them.
        assert_eq!(Schedule::parse("Every  10 minutes"), Ok(Schedule::EveryTenMinutes));
        assert_eq!(Schedule::parse("Every hour at :10 UTC"), Ok(Schedule::Hourly { minute: 10 }));
        for bad in
            ["Every day at 13:00 PM", "Daily at 0:30 AM", "Daily at 2:15 AM", "Hourly at :05"]
        {
            let err = Schedule::parse(bad).expect_err(bad);
            assert!(err.contains("not a Heroku Scheduler frequency"), "{err}");
        }
    }

    #[test]
    fn both_day_fields_restricted_keep_crons_either_meaning() {
        let split = |text: &str| Schedule::parse(text).unwrap().node_cron_expressions();
        assert_eq!(split("0 9 1,15 * 5"), ["0 9 1,15 * *", "0 9 2-14,16-31 * 5"]);
        assert_eq!(split("30 0 9 1-7 * mon"), ["30 0 9 1-7 * *", "30 0 9 8-31 * mon"]);
        // One field unrestricted (or starting with `*`): cron and node-cron agree.
        assert_eq!(split("0 9 * * 5"), ["0 9 * * 5"]);
        assert_eq!(split("0 9 */2 * 5"), ["0 9 */2 * 5"]);
        assert_eq!(split("0 9 1 * *"), ["0 9 1 * *"]);
        // Every day of the month already: the weekday adds nothing.
        assert_eq!(split("0 9 1-31 * 5"), ["0 9 1-31 * *"]);
        assert_eq!(Schedule::Daily { hour: 2, minute: 30 }.node_cron_expressions(), ["30 2 * * *"]);
    }

    #[test]
    fn heroku_wordings_become_cron() {
        assert_eq!(Schedule::EveryTenMinutes.to_cron(), "*/10 * * * *");
        assert_eq!(Schedule::Hourly { minute: 20 }.to_cron(), "20 * * * *");
        assert_eq!(Schedule::Daily { hour: 6, minute: 30 }.to_cron(), "30 6 * * *");
        assert_eq!(Schedule::Daily { hour: 6, minute: 0 }.describe(), "every day at 06:00");
        assert_eq!(Schedule::Hourly { minute: 0 }.describe(), "every hour at :00");
    }

    #[test]
    fn cron_whitespace_is_normalised_and_the_rest_kept() {
        assert_eq!(Schedule::parse(" 0\t3  * * MON-fri "), Ok(cron("0 3 * * MON-fri")));
        assert_eq!(cron("0 3 * * 1").to_cron(), "0 3 * * 1");
        assert_eq!(cron("0 3 * * 1").describe(), "0 3 * * 1");
    }

    #[test]
    fn accepts_the_cron_syntax_node_cron_shares() {
        let accepted = [
            "* * * * *",
            "*/5 * * * *",
            "0-30/10 1,2,5-9 * * *",
            "0 0 1 jan,Jul *",
            "0 0 * Feb-Apr/2 sun,sat",
            "0 0 * * 0-7",
            "0 0 * * 7",
            "30 */15 * * * *",
            "59 59 23 31 12 6",
            "0 0 29 2 *",
            "00 05 * * *",
        ];
        for text in accepted {
            assert!(matches!(Schedule::parse(text), Ok(Schedule::Cron(_))), "{text}");
        }
    }

    #[test]
    fn refuses_cron_outside_that_syntax_naming_the_field() {
        let refused = [
            ("* * * *", "4 fields"),
            ("* * * * * * *", "7 fields"),
            ("60 * * * *", "minute `60`: 60 is outside 0-59"),
            ("* 24 * * *", "hour"),
            ("* * 0 * *", "day of month"),
            ("* * * 13 *", "month"),
            ("* * * * 8", "day of week"),
            ("60 * * * * *", "second"),
            ("*/0 * * * *", "step `0`"),
            ("*/x * * * *", "step `x`"),
            ("5/10 * * * *", "needs `*` or a range"),
            ("30-10 * * * *", "backwards"),
            ("* * * * mon-sun", "backwards"),
            ("* * * jan-mon *", "`mon` is not a number or a name `jan`-`dec`"),
            ("* * * * jan", "day of week"),
            ("1,,2 * * * *", "missing"),
            ("L * * * *", "not a number"),
            ("? * * * *", "not a number"),
            ("-1 * * * *", "missing"),
            ("+1 * * * *", "not a number"),
            ("99999999999 * * * *", "not a number"),
            ("0 0 31 2,4 *", "never occurs"),
            ("@daily", "1 fields"),
        ];
        for (text, needle) in refused {
            let why = Schedule::parse(text).expect_err(text);
            assert!(why.contains(needle), "{text}: {why}");
            assert!(why.contains("accepted:"), "{why}");
        }
    }

    fn heroku_schedule() -> impl Strategy<Value = Schedule> {
        prop_oneof![
            Just(Schedule::EveryTenMinutes),
            (0u8..6).prop_map(|m| Schedule::Hourly { minute: m * 10 }),
            (0u8..24, prop::bool::ANY).prop_map(|(hour, half)| Schedule::Daily {
                hour,
                minute: if half { 30 } else { 0 }
            }),
        ]
    }

    /// One list item of a field with bounds `min..=max`, in the syntax node-cron shares.
    fn item(min: u32, max: u32, names: &'static [&'static str]) -> BoxedStrategy<String> {
        let number = (min..=max).prop_map(|n| n.to_string());
        let step = 1..=(max + 1);
        let ranged = (min..=max, min..=max).prop_map(|(a, b)| (a.min(b), a.max(b)));
        let mut options = vec![
            Just("*".to_string()).boxed(),
            number.boxed(),
            step.clone().prop_map(|s| format!("*/{s}")).boxed(),
            ranged
                .prop_flat_map(move |(a, b)| {
                    prop::option::of(step.clone()).prop_map(move |s| match s {
                        Some(s) => format!("{a}-{b}/{s}"),
                        None => format!("{a}-{b}"),
                    })
                })
                .boxed(),
        ];
        if !names.is_empty() {
            let named = (0..names.len(), prop::bool::ANY).prop_map(move |(i, upper)| {
                let name = names[i];
                if upper { name.to_uppercase() } else { name.to_string() }
            });
            options.push(named.boxed());
        }
        prop::strategy::Union::new(options).boxed()
    }

    fn list(item: BoxedStrategy<String>) -> impl Strategy<Value = String> {
        prop::collection::vec(item, 1..4).prop_map(|items| items.join(","))
    }

    fn valid_cron() -> impl Strategy<Value = String> {
        (
            prop::option::of(list(item(0, 59, &[]))),
            list(item(0, 59, &[])),
            list(item(0, 23, &[])),
            // Days up to 28 occur in every month, so the "day never occurs" rule cannot bite.
            list(item(1, 28, &[])),
            list(item(1, 12, MONTHS)),
            list(item(0, 7, WEEKDAYS)),
            " {1,3}|\t",
        )
            .prop_map(|(sec, min, hour, dom, month, dow, gap)| {
                let mut fields: Vec<String> = sec.into_iter().collect();
                fields.extend([min, hour, dom, month, dow]);
                fields.join(&gap)
            })
    }

    proptest! {
        #[test]
        fn heroku_wordings_round_trip_and_give_valid_cron(
            schedule in heroku_schedule(),
            upper in prop::bool::ANY,
            pad in " {0,3}",
        ) {
            let text = schedule.describe();
            let text = if upper { text.to_uppercase() } else { text };
            prop_assert_eq!(Schedule::parse(&format!("{pad}{text}{pad}")), Ok(schedule.clone()));
            let cron = schedule.to_cron();
            prop_assert_eq!(Schedule::parse(&cron), Ok(Schedule::Cron(cron.clone())));
        }

        #[test]
        fn generated_cron_expressions_parse_and_normalise(text in valid_cron()) {
            let parsed = Schedule::parse(&text);
            let normal = text.split_whitespace().collect::<Vec<_>>().join(" ");
            prop_assert_eq!(parsed.clone(), Ok(Schedule::Cron(normal.clone())));
            let schedule = parsed.unwrap();
            prop_assert_eq!(schedule.to_cron(), normal.clone());
            prop_assert_eq!(Schedule::parse(&schedule.describe()), Ok(schedule));
        }

        #[test]
        fn junk_never_panics(text in "\\PC{0,40}", cronish in "[0-9a-zA-Z*/,\\- :]{0,30}") {
            let _ = Schedule::parse(&text);
            let _ = Schedule::parse(&cronish);
            let _ = Schedule::parse(&format!("every {cronish}"));
        }
    }
}
