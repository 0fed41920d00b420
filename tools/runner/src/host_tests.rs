//! Host tests: run plain `cargo test` at the workspace root (the default
//! members), stream its output, and add up its `test result:` lines.

use std::io::{BufRead, BufReader, Write};
use std::path::Path;
use std::process::{Command, Stdio};
use std::thread;

use crate::build::cargo;
use crate::error::Error;

/// `(passed, failed)` from one `test result: ok. 3 passed; 1 failed; ...` line.
pub fn parse_summary(line: &str) -> Option<(usize, usize)> {
    let rest = line.trim().strip_prefix("test result: ")?;
    let (_, counts) = rest.split_once(". ")?;
    let mut passed = None;
    let mut failed = None;
    for part in counts.split(';') {
        let mut words = part.split_whitespace();
        let (Some(n), Some(what)) = (words.next(), words.next()) else {
            continue;
        };
        match what {
            "passed" => passed = Some(n.parse::<usize>().ok()?),
            "failed" => failed = Some(n.parse::<usize>().ok()?),
            _ => {}
        }
    }
    Some((passed?, failed?))
}

/// Totals over all summaries; a failing cargo whose summaries show no
/// failure (compile error, crashed test binary) counts one failure.
pub fn totals(summaries: &[(usize, usize)], exit_ok: bool) -> (usize, usize) {
    let passed = summaries.iter().map(|s| s.0).sum();
    let mut failed = summaries.iter().map(|s| s.1).sum();
    if !exit_ok && failed == 0 {
        failed = 1;
    }
    (passed, failed)
}

/// Result of the host test run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HostResult {
    /// Tests passed.
    pub passed: usize,
    /// Tests failed (plus one for a failed build or crash).
    pub failed: usize,
    /// How many summary lines were seen.
    pub summaries: usize,
    /// Cargo's exit was success.
    pub exit_ok: bool,
}

/// Run `cargo test --color never` in `workspace`, echoing its output.
pub fn run(workspace: &Path) -> Result<HostResult, Error> {
    let mut child = Command::new(cargo())
        .current_dir(workspace)
        .args(["test", "--no-fail-fast", "--color", "never"])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|source| Error::Spawn {
            program: "cargo test".into(),
            source,
        })?;
    let stderr = child.stderr.take().map(BufReader::new);
    let echo_err = thread::spawn(move || {
        let Some(stderr) = stderr else { return };
        for line in stderr.lines().map_while(Result::ok) {
            eprintln!("{line}");
        }
    });
    let mut summaries = Vec::new();
    if let Some(stdout) = child.stdout.take() {
        let mut out = std::io::stdout();
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            // Echo failures only lose console text.
            let _ = writeln!(out, "{line}");
            summaries.extend(parse_summary(&line));
        }
    }
    let status = child
        .wait()
        .map_err(|e| Error::io("wait for", "cargo test", e))?;
    // The echo thread ends with the pipe.
    let _ = echo_err.join();
    let (passed, failed) = totals(&summaries, status.success());
    Ok(HostResult {
        passed,
        failed,
        summaries: summaries.len(),
        exit_ok: status.success(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn summary_lines_parse() {
        assert_eq!(
            parse_summary(
                "test result: ok. 12 passed; 0 failed; 1 ignored; 0 measured; 0 filtered out; finished in 0.01s"
            ),
            Some((12, 0))
        );
        assert_eq!(
            parse_summary(
                "test result: FAILED. 3 passed; 2 failed; 0 ignored; 0 measured; 0 filtered out"
            ),
            Some((3, 2))
        );
    }

    #[test]
    fn other_lines_are_not_summaries() {
        assert_eq!(parse_summary("test foo ... ok"), None);
        assert_eq!(parse_summary("running 3 tests"), None);
        assert_eq!(parse_summary("test result: ok. x passed; 0 failed"), None);
        assert_eq!(parse_summary("test result: ok. 3 passed"), None);
    }

    #[test]
    fn totals_add_up_and_count_a_failed_build() {
        assert_eq!(totals(&[(3, 0), (4, 1)], false), (7, 1));
        assert_eq!(totals(&[(3, 0), (4, 0)], true), (7, 0));
        assert_eq!(totals(&[], false), (0, 1));
        assert_eq!(totals(&[(2, 0)], false), (2, 1));
    }
}
