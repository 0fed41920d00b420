//! The protocol lines.
//!
//! ```text
//! HELIX-KTEST PLAN <count>          how many cases the image holds
//! HELIX-KTEST CASE <name>           one per case, in run order, after PLAN
//! HELIX-KTEST START <name>          a case begins
//! HELIX-KTEST PASS <name>           it passed
//! HELIX-KTEST FAIL <name> <reason>  it failed (reason: rest of the line)
//! HELIX-KTEST SKIP <name>           not run in this boot (cmdline filter)
//! HELIX-KTEST DONE <passed> <failed>  all cases of this boot have run
//! HELIX-KTEST BENCH <name> <median> <min> <runs> <unit>
//!                                   one benchmark figure (unit: `cycles`, `ns`, ...)
//! ```
//! Names are non-empty and contain no whitespace.

use core::fmt;

/// Every protocol line starts with this word.
pub const PREFIX: &str = "HELIX-KTEST";

/// One protocol line. Borrowed from the text it was parsed from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Line<'a> {
    /// Number of cases in the image.
    Plan(usize),
    /// A case's name, announced before anything runs.
    Case(&'a str),
    /// A case starts.
    Start(&'a str),
    /// A case passed.
    Pass(&'a str),
    /// A case failed, with a reason.
    Fail(&'a str, &'a str),
    /// A case was skipped in this boot.
    Skip(&'a str),
    /// A benchmark figure measured in the guest.
    Bench {
        /// Benchmark name (no whitespace).
        name: &'a str,
        /// Median over the runs.
        median: u64,
        /// Minimum over the runs.
        min: u64,
        /// Number of runs.
        runs: u64,
        /// Unit of `median` and `min` (no whitespace), e.g. `cycles`.
        unit: &'a str,
    },
    /// The boot finished its cases.
    Done {
        /// Cases that passed in this boot.
        passed: usize,
        /// Cases that failed in this boot.
        failed: usize,
    },
}

/// Why a line that starts with [`PREFIX`] is not a valid protocol line.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ParseError {
    /// The word after the prefix is not a known event.
    UnknownEvent,
    /// A field is missing.
    MissingField,
    /// A number field does not parse.
    BadNumber,
    /// A name contains whitespace or is empty.
    BadName,
    /// Extra fields after a complete line.
    TrailingFields,
}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ParseError::UnknownEvent => "unknown event word",
            ParseError::MissingField => "missing field",
            ParseError::BadNumber => "bad number",
            ParseError::BadName => "bad case name",
            ParseError::TrailingFields => "trailing fields",
        })
    }
}

impl<'a> Line<'a> {
    /// Parse one serial line. `Ok(None)` when it is not a protocol line
    /// (ordinary boot log); carriage returns and surrounding spaces are ignored.
    pub fn parse(text: &'a str) -> Result<Option<Line<'a>>, ParseError> {
        let text = text.trim();
        let Some(rest) = text.strip_prefix(PREFIX) else {
            return Ok(None);
        };
        if !rest.starts_with(' ') {
            return Ok(None);
        }
        let rest = rest.trim_start();
        let (event, args) = rest.split_once(' ').unwrap_or((rest, ""));
        let args = args.trim();
        let line = match event {
            "PLAN" => Line::Plan(number(single(args)?)?),
            "CASE" => Line::Case(name(single(args)?)?),
            "START" => Line::Start(name(single(args)?)?),
            "PASS" => Line::Pass(name(single(args)?)?),
            "SKIP" => Line::Skip(name(single(args)?)?),
            "FAIL" => {
                let (n, reason) = args.split_once(' ').unwrap_or((args, ""));
                Line::Fail(name(n)?, reason.trim())
            }
            "BENCH" => {
                let mut it = args.split_whitespace();
                let mut field = || it.next().ok_or(ParseError::MissingField);
                let bench = name(field()?)?;
                let median = number(field()?)? as u64;
                let min = number(field()?)? as u64;
                let runs = number(field()?)? as u64;
                let unit = name(field()?)?;
                if it.next().is_some() {
                    return Err(ParseError::TrailingFields);
                }
                Line::Bench {
                    name: bench,
                    median,
                    min,
                    runs,
                    unit,
                }
            }
            "DONE" => {
                let mut it = args.split_whitespace();
                let passed = number(it.next().ok_or(ParseError::MissingField)?)?;
                let failed = number(it.next().ok_or(ParseError::MissingField)?)?;
                if it.next().is_some() {
                    return Err(ParseError::TrailingFields);
                }
                Line::Done { passed, failed }
            }
            _ => return Err(ParseError::UnknownEvent),
        };
        Ok(Some(line))
    }
}

fn single(args: &str) -> Result<&str, ParseError> {
    if args.is_empty() {
        Err(ParseError::MissingField)
    } else if args.contains(char::is_whitespace) {
        Err(ParseError::TrailingFields)
    } else {
        Ok(args)
    }
}

fn name(s: &str) -> Result<&str, ParseError> {
    if s.is_empty() || s.contains(char::is_whitespace) {
        Err(ParseError::BadName)
    } else {
        Ok(s)
    }
}

fn number(s: &str) -> Result<usize, ParseError> {
    s.parse().map_err(|_| ParseError::BadNumber)
}

impl fmt::Display for Line<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Line::Plan(n) => write!(f, "{PREFIX} PLAN {n}"),
            Line::Case(n) => write!(f, "{PREFIX} CASE {n}"),
            Line::Start(n) => write!(f, "{PREFIX} START {n}"),
            Line::Pass(n) => write!(f, "{PREFIX} PASS {n}"),
            Line::Fail(n, r) => write!(f, "{PREFIX} FAIL {n} {r}"),
            Line::Skip(n) => write!(f, "{PREFIX} SKIP {n}"),
            Line::Bench {
                name,
                median,
                min,
                runs,
                unit,
            } => write!(f, "{PREFIX} BENCH {name} {median} {min} {runs} {unit}"),
            Line::Done { passed, failed } => write!(f, "{PREFIX} DONE {passed} {failed}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_line_round_trips() {
        let lines = [
            Line::Plan(21),
            Line::Case("heap_sizes"),
            Line::Start("heap_sizes"),
            Line::Pass("heap_sizes"),
            Line::Fail("frames_unique", "frame 0x1000 handed out twice"),
            Line::Skip("double_fault"),
            Line::Done {
                passed: 20,
                failed: 1,
            },
        ];
        for l in lines {
            let text = l.to_string();
            assert_eq!(Line::parse(&text), Ok(Some(l)), "{text}");
        }
    }

    #[test]
    fn log_lines_are_not_protocol() {
        assert_eq!(Line::parse("[kernel] memory map: 7 entries"), Ok(None));
        assert_eq!(Line::parse("HELIX-KTESTING"), Ok(None));
        assert_eq!(Line::parse(""), Ok(None));
    }

    #[test]
    fn carriage_return_is_ignored() {
        assert_eq!(
            Line::parse("HELIX-KTEST PASS a\r"),
            Ok(Some(Line::Pass("a")))
        );
    }

    #[test]
    fn malformed_lines_are_errors() {
        assert_eq!(
            Line::parse("HELIX-KTEST BOGUS x"),
            Err(ParseError::UnknownEvent)
        );
        assert_eq!(
            Line::parse("HELIX-KTEST PLAN x"),
            Err(ParseError::BadNumber)
        );
        assert_eq!(
            Line::parse("HELIX-KTEST PASS"),
            Err(ParseError::MissingField)
        );
        assert_eq!(
            Line::parse("HELIX-KTEST PASS a b"),
            Err(ParseError::TrailingFields)
        );
        assert_eq!(
            Line::parse("HELIX-KTEST DONE 1"),
            Err(ParseError::MissingField)
        );
        assert_eq!(
            Line::parse("HELIX-KTEST DONE 1 2 3"),
            Err(ParseError::TrailingFields)
        );
        assert_eq!(Line::parse("HELIX-KTEST FAIL"), Err(ParseError::BadName));
        assert_eq!(
            Line::parse("HELIX-KTEST BENCH a 1 2 3"),
            Err(ParseError::MissingField)
        );
        assert_eq!(
            Line::parse("HELIX-KTEST BENCH a 1 x 3 c"),
            Err(ParseError::BadNumber)
        );
    }

    #[test]
    fn fail_without_reason_is_allowed() {
        assert_eq!(
            Line::parse("HELIX-KTEST FAIL a"),
            Ok(Some(Line::Fail("a", "")))
        );
    }
}
