//! Version texts as the module manager reads them: `semver` does the
//! parsing; missing minor and patch components are padded with zeros
//! first, so `"1"` and `"1.0"` read as `1.0.0` (`"1.0-rc.1"` as
//! `1.0.0-rc.1`).
#![forbid(unsafe_code)]

use alloc::borrow::Cow;
use alloc::string::String;
use semver::Version;

/// Parse `text` (surrounding whitespace ignored) as a semantic version,
/// padding a missing minor or patch component with `0`.
pub fn parse_version(text: &str) -> Result<Version, semver::Error> {
    Version::parse(&pad(text.trim()))
}

fn pad(text: &str) -> Cow<'_, str> {
    let core_end = text.find(['-', '+']).unwrap_or(text.len());
    let (core, rest) = text.split_at(core_end);
    let missing = match core.matches('.').count() {
        _ if core.is_empty() => 0,
        0 => 2,
        1 => 1,
        _ => 0,
    };
    if missing == 0 {
        return Cow::Borrowed(text);
    }
    let mut padded = String::with_capacity(text.len() + 4);
    padded.push_str(core);
    for _ in 0..missing {
        padded.push_str(".0");
    }
    padded.push_str(rest);
    Cow::Owned(padded)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_versions_are_padded() {
        for (text, want) in [
            ("1", "1.0.0"),
            ("1.2", "1.2.0"),
            ("1.2.3", "1.2.3"),
            (" 0.4 ", "0.4.0"),
            ("1.0-rc.1", "1.0.0-rc.1"),
            ("2+build.5", "2.0.0+build.5"),
        ] {
            assert_eq!(
                parse_version(text).map(|v| v.to_string()).ok(),
                Some(want.into()),
                "{text}"
            );
        }
    }

    #[test]
    fn malformed_versions_are_errors() {
        for text in ["", "x", "1.x", "1..2", "1.2.3.4", "-1", "1.0.0-", "v1"] {
            assert!(parse_version(text).is_err(), "{text:?} parsed");
        }
    }
}
