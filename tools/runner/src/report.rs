//! Counting and printing verdicts; the run ends with one `N passed, N failed` line.

/// One failed test, with the serial lines that explain it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Failure {
    /// Test name with its group, e.g. `[kernel] heap_sizes`.
    pub name: String,
    /// Why it failed.
    pub reason: String,
    /// Serial (or other) lines leading up to the failure.
    pub context: Vec<String>,
}

/// Running totals of a `test` run.
#[derive(Debug, Default)]
pub struct Tally {
    passed: usize,
    failures: Vec<Failure>,
    /// Failures counted in bulk (host tests), not listed one by one.
    bulk_failed: usize,
}

/// Print lines as an indented block under a heading.
pub fn print_context(heading: &str, lines: &[String]) {
    if lines.is_empty() {
        return;
    }
    println!("    --- {heading} ---");
    for l in lines {
        println!("    | {l}");
    }
    println!("    ---");
}

impl Tally {
    /// Count and show a pass.
    pub fn pass(&mut self, name: &str) {
        println!("{name} ... ok");
        self.passed += 1;
    }

    /// Count and show a failure with its context.
    pub fn fail(&mut self, failure: Failure) {
        println!("{} ... FAILED: {}", failure.name, failure.reason);
        print_context("last serial lines", &failure.context);
        self.failures.push(failure);
    }

    /// Count a pass already shown.
    pub fn count_pass(&mut self) {
        self.passed += 1;
    }

    /// Count a failure already shown.
    pub fn count_fail(&mut self, failure: Failure) {
        self.failures.push(failure);
    }

    /// Add bulk counts (host tests).
    pub fn add_counts(&mut self, passed: usize, failed: usize) {
        self.passed += passed;
        self.bulk_failed += failed;
    }

    /// Total failures.
    pub fn failed(&self) -> usize {
        self.failures.len() + self.bulk_failed
    }

    /// The closing line, `N passed, N failed`.
    pub fn final_line(&self) -> String {
        format!("{} passed, {} failed", self.passed, self.failed())
    }

    /// List every failure by name (the details were shown as they happened).
    pub fn print_failures(&self) {
        if self.failed() == 0 {
            return;
        }
        println!("\nfailures:");
        if self.bulk_failed > 0 {
            println!(
                "    [host] {} failed (see cargo test output above)",
                self.bulk_failed
            );
        }
        for f in &self.failures {
            println!("    {}: {}", f.name, f.reason);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn final_line_counts_listed_and_bulk_failures() {
        let mut t = Tally::default();
        t.add_counts(10, 2);
        t.pass("[kernel] a");
        t.count_pass();
        t.fail(Failure {
            name: "[kernel] b".into(),
            reason: "boom".into(),
            context: vec!["x".into()],
        });
        assert_eq!(t.final_line(), "12 passed, 3 failed");
        assert_eq!(t.failed(), 3);
    }
}
