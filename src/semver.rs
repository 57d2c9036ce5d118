//! npm version ranges (`engines.node`, `engines.npm`, dependency ranges), read the way
//! npm reads them, through the `nodejs-semver` crate: every range question of the
//! tool goes through here: the planner, the lockfile editors and the rule loader.

use nodejs_semver::{Range, Version};

/// An npm range, or `None` when npm would not read it as one (`"latest"`, `"node 10"`).
/// An empty string and `*` are ranges that admit every version.
pub fn range(text: &str) -> Option<Range> {
    Range::parse(text.trim()).ok()
}

/// True when `range` admits some version of major `major` (`>=20.12 <21` admits 20).
pub fn admits_major(range: &Range, major: u64) -> bool {
    range.allows_any(&major_range(major))
}

/// True when `range` admits some version that `other` admits.
pub fn overlaps(range: &Range, other: &str) -> bool {
    Range::parse(other).is_ok_and(|other| range.allows_any(&other))
}

/// `<major>.x` as a range.
pub fn major_range(major: u64) -> Range {
    Range::parse(format!("{major}.x")).expect("a major is a range")
}

/// The versions of major `major` that `range` admits, as a range: `None` when it admits
/// every one of them (or none), so `<major>.x` says it; `>=24.0.0 <24.17.0` for
/// `22 || 24 <24.17.0` and major 24.
pub fn within_major(range: &Range, major: u64) -> Option<Range> {
    let whole = major_range(major);
    if range.allows_all(&whole) {
        return None;
    }
    range.intersect(&whole)
}

/// The lowest version `range` admits, when it has a lower bound.
pub fn lowest(range: &Range) -> Option<Version> {
    range.min_version()
}

/// Whether `range` (an npm range) admits `version`. An unreadable range or version admits
/// nothing, so the caller reports instead of guessing.
pub fn satisfies(range: &str, version: &str) -> bool {
    match (self::range(range), self::version(version)) {
        (Some(range), Some(version)) => range.satisfies(&version),
        _ => false,
    }
}

/// A full version (`22.18.0`, `v24.1.0`).
pub fn version(text: &str) -> Option<Version> {
    Version::parse(text.trim()).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_as_npm_reads_them() {
        let capped = range(">=20.12 <21 || 22 || 24 <24.17.0").unwrap();
        for major in [20, 22, 24] {
            assert!(admits_major(&capped, major), "{major}");
        }
        assert!(!admits_major(&capped, 21) && !admits_major(&capped, 26));
        assert!(!overlaps(&capped, ">=24.17.0 <25"));
        let exact = range("22.18.0").unwrap();
        assert!(admits_major(&exact, 22) && !admits_major(&exact, 24));
        assert!(!overlaps(&exact, "<22.18.0"));
        for (text, major) in [("^3.0.3", 3), ("~4.1", 4), ("4.x", 4), ("v24", 24), (">=20", 20)] {
            assert_eq!(lowest(&range(text).unwrap()).map(|v| v.major()), Some(major), "{text}");
        }
        assert!(admits_major(&range("").unwrap(), 99) && admits_major(&range("*").unwrap(), 1));
        assert!(range("latest").is_none());
        assert_eq!(version("v24.1.0").map(|v| v.minor()), Some(1));
    }

    #[test]
    fn the_part_of_a_major_a_range_admits() {
        let part = |r: &str| within_major(&range(r).unwrap(), 24).map(|r| r.to_string());
        assert_eq!(part(">=18"), None);
        assert_eq!(part("24.x || 26"), None);
        let kept = part(">=20.12 <21 || 22 || 24 <24.17.0 || 26 <26.3.1").unwrap();
        assert!(satisfies(&kept, "24.16.1") && !satisfies(&kept, "24.17.0"), "{kept}");
        assert!(!satisfies(&kept, "22.1.0"), "{kept}");
        let upper = part("^24.3.0 || >=25").unwrap();
        assert!(satisfies(&upper, "24.3.0") && !satisfies(&upper, "24.2.9"), "{upper}");
    }
}
