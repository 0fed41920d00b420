//! The kernel command line: whitespace-separated words.
//!
//! Known words: `log=<off|error|warn|info|debug|trace>`, `ktest`, `kbench`,
//! `ktest.skip=a,b` and `ktest.only=name` (the names come from
//! `helix-ktest`). Unknown words are left for others and ignored here.

use core::fmt;

use helix_ktest::{CMDLINE_ONLY, CMDLINE_SKIP, CMDLINE_TEST};
use log::LevelFilter;

/// Command-line word that runs the benchmarks.
pub const CMDLINE_BENCH: &str = "kbench";
/// Command-line key of a fatal drill (`kfatal=<name>`): the test kernel
/// provokes one condition that must end it with a fatal error line.
pub const CMDLINE_FATAL: &str = "kfatal=";
/// Command-line key for the log level.
pub const LOG_KEY: &str = "log=";

/// The parsed command line.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Cmdline<'a> {
    /// `log=` value, if given.
    pub log: Option<LevelFilter>,
    /// `ktest` present: run the in-kernel tests and exit.
    pub ktest: bool,
    /// `kbench` present: run the benchmarks and exit.
    pub bench: bool,
    /// `kfatal=<name>`: run that fatal drill (test kernel).
    pub fatal: Option<&'a str>,
    /// Which test cases run.
    pub filter: TestFilter<'a>,
}

/// Why a command line is rejected.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CmdlineError<'a> {
    /// `log=` names no known level.
    BadLogLevel(&'a str),
    /// `ktest.only=` without a name.
    EmptyOnly,
    /// A key appears twice.
    Repeated(&'static str),
}

impl fmt::Display for CmdlineError<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::BadLogLevel(v) => write!(f, "unknown log level `{v}`"),
            Self::EmptyOnly => write!(f, "`{CMDLINE_ONLY}` needs a case name"),
            Self::Repeated(k) => write!(f, "`{k}` given twice"),
        }
    }
}

impl<'a> Cmdline<'a> {
    /// Parse a command line.
    pub fn parse(text: &'a str) -> Result<Self, CmdlineError<'a>> {
        let mut c = Cmdline {
            log: None,
            ktest: false,
            bench: false,
            fatal: None,
            filter: TestFilter::default(),
        };
        for word in text.split_whitespace() {
            if word == CMDLINE_TEST {
                c.ktest = true;
            } else if word == CMDLINE_BENCH {
                c.bench = true;
            } else if let Some(v) = word.strip_prefix(LOG_KEY) {
                if c.log.is_some() {
                    return Err(CmdlineError::Repeated(LOG_KEY));
                }
                c.log = Some(v.parse().map_err(|_| CmdlineError::BadLogLevel(v))?);
            } else if let Some(v) = word.strip_prefix(CMDLINE_FATAL) {
                if c.fatal.is_some() {
                    return Err(CmdlineError::Repeated(CMDLINE_FATAL));
                }
                c.fatal = Some(v);
            } else if let Some(v) = word.strip_prefix(CMDLINE_SKIP) {
                if c.filter.skip.is_some() {
                    return Err(CmdlineError::Repeated(CMDLINE_SKIP));
                }
                c.filter.skip = Some(v);
            } else if let Some(v) = word.strip_prefix(CMDLINE_ONLY) {
                if c.filter.only.is_some() {
                    return Err(CmdlineError::Repeated(CMDLINE_ONLY));
                }
                if v.is_empty() {
                    return Err(CmdlineError::EmptyOnly);
                }
                c.filter.only = Some(v);
            }
        }
        Ok(c)
    }
}

/// `ktest.skip` / `ktest.only` as given.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct TestFilter<'a> {
    /// Comma-separated names not to run.
    pub skip: Option<&'a str>,
    /// The only name to run.
    pub only: Option<&'a str>,
}

impl TestFilter<'_> {
    /// Whether case `name` runs in this boot.
    pub fn selects(&self, name: &str) -> bool {
        if self.only.is_some_and(|o| o != name) {
            return false;
        }
        !self
            .skip
            .is_some_and(|s| s.split(',').any(|n| !n.is_empty() && n == name))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_words() {
        let c = Cmdline::parse("log=debug ktest foo=bar").unwrap();
        assert_eq!(c.log, Some(LevelFilter::Debug));
        assert!(c.ktest);
        assert!(c.filter.selects("anything"));
        let c = Cmdline::parse("").unwrap();
        assert_eq!(c.log, None);
        assert!(!c.ktest);
        // `ktest.x` words are not the bare `ktest` word.
        assert!(!Cmdline::parse("ktest.skip=a").unwrap().ktest);
        assert!(!c.bench);
        assert_eq!(c.fatal, None);
        let f = Cmdline::parse("kfatal=tlb_shootdown_unanswered ktest").unwrap();
        assert_eq!(f.fatal, Some("tlb_shootdown_unanswered"));
        assert_eq!(
            Cmdline::parse("kfatal=a kfatal=b"),
            Err(CmdlineError::Repeated(CMDLINE_FATAL))
        );
        assert!(Cmdline::parse("log=info kbench").unwrap().bench);
        assert!(!Cmdline::parse("kbench2").unwrap().bench);
    }

    #[test]
    fn log_levels() {
        for (w, l) in [
            ("off", LevelFilter::Off),
            ("error", LevelFilter::Error),
            ("warn", LevelFilter::Warn),
            ("info", LevelFilter::Info),
            ("trace", LevelFilter::Trace),
        ] {
            let text = format!("log={w}");
            assert_eq!(Cmdline::parse(&text).unwrap().log, Some(l));
        }
        assert_eq!(
            Cmdline::parse("log=loud"),
            Err(CmdlineError::BadLogLevel("loud"))
        );
        assert_eq!(
            Cmdline::parse("log=info log=debug"),
            Err(CmdlineError::Repeated(LOG_KEY))
        );
    }

    #[test]
    fn skip_and_only() {
        let c = Cmdline::parse("ktest ktest.skip=a,,c").unwrap();
        assert!(!c.filter.selects("a"));
        assert!(c.filter.selects("b"));
        assert!(!c.filter.selects("c"));
        assert!(c.filter.selects(""));
        let c = Cmdline::parse("ktest ktest.only=b").unwrap();
        assert!(c.filter.selects("b"));
        assert!(!c.filter.selects("a"));
        let c = Cmdline::parse("ktest.only=b ktest.skip=b").unwrap();
        assert!(!c.filter.selects("b"));
        assert_eq!(Cmdline::parse("ktest.only="), Err(CmdlineError::EmptyOnly));
        assert_eq!(
            Cmdline::parse("ktest.skip=a ktest.skip=b"),
            Err(CmdlineError::Repeated(CMDLINE_SKIP))
        );
    }
}
