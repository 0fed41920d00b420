//! Serial-line accounting for the in-kernel test protocol (pure, no I/O).
//!
//! [`BootAccount`] reads the lines of one boot; [`Ledger`] merges the boots
//! of one suite run. A case is passed only when its `PASS` line arrived; a
//! case that `START`ed and never finished is failed; a case of the plan that
//! never got a result is failed ("missing result"). Protocol violations are
//! [`Problem`]s, and each one counts as a failure too.

use std::collections::VecDeque;
use std::fmt;

use helix_ktest::{Line, ParseError};

use crate::qemu::BootEnd;

/// How many serial lines a failure keeps for context.
pub const TAIL_LINES: usize = 40;

/// Why a case failed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FailReason {
    /// The guest sent `FAIL <name> <reason>`.
    Reported(String),
    /// `START` arrived but neither `PASS` nor `FAIL`; the text says how the boot ended.
    Unfinished(String),
    /// The plan listed the case but no boot gave it a result.
    Missing,
}

impl fmt::Display for FailReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FailReason::Reported(r) if r.is_empty() => f.write_str("reported FAIL"),
            FailReason::Reported(r) => f.write_str(r),
            FailReason::Unfinished(end) => write!(f, "started but never finished ({end})"),
            FailReason::Missing => f.write_str("missing result"),
        }
    }
}

/// The result of one case.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CaseResult {
    /// Case name.
    pub name: String,
    /// `None` = passed.
    pub failure: Option<FailReason>,
    /// Serial lines leading up to the verdict (empty when passed).
    pub context: Vec<String>,
}

impl CaseResult {
    /// True when the case passed.
    pub fn passed(&self) -> bool {
        self.failure.is_none()
    }
}

/// A violation of the protocol (each counts as one failure).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Problem {
    /// A `HELIX-KTEST` line that does not parse.
    Malformed {
        /// The line.
        line: String,
        /// Why it does not parse.
        error: ParseError,
    },
    /// A boot ended (this way) without any `PLAN` line.
    NoPlan(BootEnd),
    /// `PLAN n` announced a different number of cases than the `CASE` lines.
    PlanCount {
        /// The number in `PLAN`.
        announced: usize,
        /// `CASE` lines seen.
        listed: usize,
    },
    /// A later boot announced another list of cases than the first.
    PlanChanged,
    /// A result for a case that is not in the plan.
    UnknownCase(String),
    /// A case that already had a result ran again (skip list ignored).
    Rerun(String),
    /// `DONE p f` disagrees with the `PASS`/`FAIL` lines of that boot.
    DoneMismatch {
        /// `(passed, failed)` from the `DONE` line.
        reported: (usize, usize),
        /// `(passed, failed)` counted from the lines.
        counted: (usize, usize),
    },
    /// The QEMU exit status disagrees with the `DONE` line.
    ExitMismatch {
        /// `(passed, failed)` from `DONE`, if any.
        done: Option<(usize, usize)>,
        /// How the boot ended.
        end: BootEnd,
    },
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Problem::Malformed { line, error } => write!(f, "malformed line ({error}): {line}"),
            Problem::NoPlan(end) => write!(f, "boot ended without a PLAN line ({end})"),
            Problem::PlanCount { announced, listed } => {
                write!(f, "PLAN {announced} but {listed} CASE lines")
            }
            Problem::PlanChanged => f.write_str("a re-boot announced a different case list"),
            Problem::UnknownCase(n) => write!(f, "result for case {n} that is not in the plan"),
            Problem::Rerun(n) => write!(f, "case {n} ran again although it was skipped"),
            Problem::DoneMismatch { reported, counted } => write!(
                f,
                "DONE {} {} but the boot reported {} passed, {} failed",
                reported.0, reported.1, counted.0, counted.1
            ),
            Problem::ExitMismatch {
                done: Some((p, fl)),
                end,
            } => {
                write!(f, "DONE {p} {fl} but QEMU ended with {end}")
            }
            Problem::ExitMismatch { done: None, end } => {
                write!(f, "no DONE line but QEMU ended with {end}")
            }
        }
    }
}

/// A case verdict as it arrives (for progress output).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Progress {
    /// `PASS name`.
    Passed(String),
    /// `FAIL name reason`.
    Failed(String, String),
    /// A malformed protocol line.
    Malformed(String),
}

/// The lines of one boot, as they arrive.
#[derive(Debug, Default)]
pub struct BootAccount {
    plan: Option<usize>,
    cases: Vec<String>,
    current: Option<String>,
    results: Vec<CaseResult>,
    done: Option<(usize, usize)>,
    problems: Vec<Problem>,
    tail: VecDeque<String>,
    benches: Vec<BenchFigure>,
}

/// One `BENCH` line: a figure measured in the guest.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BenchFigure {
    /// Benchmark name.
    pub name: String,
    /// Median over the runs.
    pub median: u64,
    /// Minimum over the runs.
    pub min: u64,
    /// Number of runs.
    pub runs: u64,
    /// Unit of the figures.
    pub unit: String,
}

/// Everything one boot said, after its end.
#[derive(Debug)]
pub struct BootReport {
    /// How QEMU ended.
    pub end: BootEnd,
    /// Case list from `PLAN`/`CASE` (`None` without `PLAN`).
    pub plan: Option<Vec<String>>,
    /// Finished cases in arrival order.
    pub results: Vec<CaseResult>,
    /// The case that started and never finished.
    pub unfinished: Option<String>,
    /// Protocol problems found within the boot.
    pub problems: Vec<Problem>,
    /// The last [`TAIL_LINES`] lines.
    pub tail: Vec<String>,
    /// Benchmark figures in arrival order.
    pub benches: Vec<BenchFigure>,
}

impl BootAccount {
    /// Account for one serial line; returns a verdict to show, if any.
    pub fn feed(&mut self, raw: &str) -> Option<Progress> {
        let text = raw.trim_end_matches(['\r', '\n']);
        if self.tail.len() == TAIL_LINES {
            self.tail.pop_front();
        }
        self.tail.push_back(text.to_string());
        match Line::parse(text) {
            Ok(None) => None,
            Err(error) => {
                self.problems.push(Problem::Malformed {
                    line: text.trim().to_string(),
                    error,
                });
                Some(Progress::Malformed(text.trim().to_string()))
            }
            Ok(Some(line)) => self.protocol(line),
        }
    }

    fn protocol(&mut self, line: Line<'_>) -> Option<Progress> {
        match line {
            Line::Plan(n) => {
                self.plan = Some(n);
                self.cases.clear();
            }
            Line::Case(name) => self.cases.push(name.to_string()),
            Line::Start(name) => self.current = Some(name.to_string()),
            Line::Skip(_) => {}
            Line::Pass(name) => {
                self.finish_case(name, None);
                return Some(Progress::Passed(name.to_string()));
            }
            Line::Fail(name, reason) => {
                self.finish_case(name, Some(FailReason::Reported(reason.to_string())));
                return Some(Progress::Failed(name.to_string(), reason.to_string()));
            }
            Line::Done { passed, failed } => self.done = Some((passed, failed)),
            Line::Bench {
                name,
                median,
                min,
                runs,
                unit,
            } => self.benches.push(BenchFigure {
                name: name.to_string(),
                median,
                min,
                runs,
                unit: unit.to_string(),
            }),
        }
        None
    }

    fn finish_case(&mut self, name: &str, failure: Option<FailReason>) {
        if self.current.as_deref() == Some(name) {
            self.current = None;
        }
        let context = if failure.is_some() {
            self.tail.iter().cloned().collect()
        } else {
            Vec::new()
        };
        self.results.push(CaseResult {
            name: name.to_string(),
            failure,
            context,
        });
    }

    /// True once this boot sent `DONE`.
    pub fn saw_done(&self) -> bool {
        self.done.is_some()
    }

    /// The last serial lines so far.
    pub fn tail(&self) -> Vec<String> {
        self.tail.iter().cloned().collect()
    }

    /// Close the boot: check `PLAN` and `DONE` against what was seen.
    pub fn finish(mut self, end: BootEnd) -> BootReport {
        let plan = match self.plan {
            None => {
                self.problems.push(Problem::NoPlan(end));
                None
            }
            Some(announced) => {
                if announced != self.cases.len() {
                    self.problems.push(Problem::PlanCount {
                        announced,
                        listed: self.cases.len(),
                    });
                }
                Some(self.cases)
            }
        };
        if let Some(reported) = self.done {
            let passed = self.results.iter().filter(|r| r.passed()).count();
            let counted = (passed, self.results.len() - passed);
            if counted != reported {
                self.problems
                    .push(Problem::DoneMismatch { reported, counted });
            }
        }
        self.problems.extend(exit_problem(self.done, end));
        BootReport {
            end,
            plan,
            results: self.results,
            unfinished: self.current,
            problems: self.problems,
            tail: self.tail.into(),
            benches: self.benches,
        }
    }
}

/// Check the QEMU exit against the `DONE` line: all passed must end in
/// success, any failure in failure, and success needs a `DONE`.
pub fn exit_problem(done: Option<(usize, usize)>, end: BootEnd) -> Option<Problem> {
    let consistent = match (done, end) {
        (Some((_, 0)), BootEnd::Success) => true,
        (Some((_, f)), BootEnd::Failure) => f > 0,
        (Some(_), _) => false,
        // Without DONE the boot died early; the missing or unfinished cases
        // already say so, except when QEMU claims success.
        (None, BootEnd::Success) => false,
        (None, _) => true,
    };
    (!consistent).then_some(Problem::ExitMismatch { done, end })
}

/// All boots of one suite run.
#[derive(Debug, Default)]
pub struct Ledger {
    plan: Option<Vec<String>>,
    only: Option<String>,
    results: Vec<CaseResult>,
    /// Each problem with the serial tail of the boot it came from.
    problems: Vec<(Problem, Vec<String>)>,
}

/// What one boot added to the ledger.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Absorbed {
    /// Cases that got their first result.
    pub fresh: usize,
    /// The case that started and never finished.
    pub unfinished: Option<String>,
    /// Problems found in this boot.
    pub problems: Vec<Problem>,
}

/// The verdict of a suite run.
#[derive(Debug, Default)]
pub struct Summary {
    /// Every wanted case of the plan in plan order, then results for cases
    /// outside the plan.
    pub cases: Vec<CaseResult>,
    /// Protocol problems, each with the serial tail of its boot.
    pub problems: Vec<(Problem, Vec<String>)>,
}

impl Summary {
    /// `(passed, failed)`, where each problem counts as one failure.
    pub fn counts(&self) -> (usize, usize) {
        let passed = self.cases.iter().filter(|c| c.passed()).count();
        (passed, self.cases.len() - passed + self.problems.len())
    }
}

impl Ledger {
    /// A ledger that wants every case, or only `only`.
    pub fn new(only: Option<String>) -> Self {
        Ledger {
            only,
            ..Ledger::default()
        }
    }

    fn wanted(&self, name: &str) -> bool {
        self.only.as_deref().is_none_or(|o| o == name)
    }

    fn has_result(&self, name: &str) -> bool {
        self.results.iter().any(|r| r.name == name)
    }

    /// Number of cases in the plan, once known.
    pub fn plan_len(&self) -> Option<usize> {
        self.plan.as_ref().map(Vec::len)
    }

    /// Merge one boot.
    pub fn absorb(&mut self, report: BootReport) -> Absorbed {
        let mut problems = report.problems;
        match (&self.plan, report.plan) {
            (None, Some(p)) => self.plan = Some(p),
            (Some(old), Some(new)) if *old != new => problems.push(Problem::PlanChanged),
            _ => {}
        }
        let unfinished = report.unfinished.map(|name| CaseResult {
            name,
            failure: Some(FailReason::Unfinished(report.end.to_string())),
            context: report.tail.clone(),
        });
        let mut fresh = 0;
        let unfinished_name = unfinished.as_ref().map(|u| u.name.clone());
        for result in report.results.into_iter().chain(unfinished) {
            if self.has_result(&result.name) {
                problems.push(Problem::Rerun(result.name));
                continue;
            }
            let in_plan = self.plan.as_ref().is_some_and(|p| p.contains(&result.name));
            if !in_plan {
                problems.push(Problem::UnknownCase(result.name.clone()));
            }
            fresh += 1;
            self.results.push(result);
        }
        self.problems
            .extend(problems.iter().map(|p| (p.clone(), report.tail.clone())));
        Absorbed {
            fresh,
            unfinished: unfinished_name,
            problems,
        }
    }

    /// Names that already have a result (the next boot's `ktest.skip=`).
    pub fn skip_list(&self) -> Vec<String> {
        self.results.iter().map(|r| r.name.clone()).collect()
    }

    /// Wanted cases of the plan that have no result yet.
    pub fn remaining(&self) -> Vec<String> {
        self.plan
            .iter()
            .flatten()
            .filter(|n| self.wanted(n) && !self.has_result(n))
            .cloned()
            .collect()
    }

    /// Close the run: every wanted case without a result fails as missing;
    /// `--only` naming a case outside the plan is missing too.
    pub fn finish(mut self) -> Summary {
        let mut cases = Vec::new();
        let mut wanted: Vec<String> = match &self.plan {
            Some(plan) => plan.iter().filter(|n| self.wanted(n)).cloned().collect(),
            None => Vec::new(),
        };
        if let (Some(only), Some(_)) = (&self.only, &self.plan)
            && !wanted.contains(only)
        {
            wanted.push(only.clone());
        }
        for name in wanted {
            match self.results.iter().position(|r| r.name == name) {
                Some(i) => cases.push(self.results.remove(i)),
                None => cases.push(CaseResult {
                    name,
                    failure: Some(FailReason::Missing),
                    context: Vec::new(),
                }),
            }
        }
        // Results outside the plan are already counted as problems.
        Summary {
            cases,
            problems: self.problems,
        }
    }
}

#[cfg(test)]
mod tests;
