//! System tests: the manifest's `expect` lines become test cases. The
//! manager prints the runner's line protocol (`helix-ktest`) for them — it
//! alone may (the kernel defangs the prefix for every other process) — and
//! when every case has its verdict it ends the VM through QEMU's
//! isa-debug-exit port, success only when all passed.

use alloc::string::String;
use alloc::vec::Vec;
use core::fmt::Write;

use helix_abi::boot::{DEBUG_EXIT_FAILURE, DEBUG_EXIT_PORT, DEBUG_EXIT_SUCCESS};
use helix_abi::bootinfo::SLOT_IO_PORTS;
use helix_ktest::Line;
use helix_manifest::Expect;
use helix_sys::console::Console;
use helix_sys::{Cap, IoPorts};

/// One expected outcome.
#[derive(Debug)]
struct Case {
    name: String,
    expect: Expect,
    done: bool,
}

/// The test cases of a test manifest and their verdicts.
#[derive(Debug, Default)]
pub struct Verdicts {
    cases: Vec<Case>,
    passed: usize,
    failed: usize,
}

fn line(l: Line<'_>) {
    let mut out = Console::new();
    // The console cannot fail to format; a lost line shows as a missing
    // result on the runner's side.
    let _ = writeln!(out, "{l}");
    out.flush();
}

impl Verdicts {
    /// The cases of `expected` (module name, expectation); prints the plan
    /// when there is at least one.
    pub fn new(expected: Vec<(String, Expect)>) -> Verdicts {
        let cases: Vec<Case> = expected
            .into_iter()
            .map(|(name, expect)| Case {
                name,
                expect,
                done: false,
            })
            .collect();
        if !cases.is_empty() {
            line(Line::Plan(cases.len()));
            for c in &cases {
                line(Line::Case(&c.name));
            }
        }
        Verdicts {
            cases,
            passed: 0,
            failed: 0,
        }
    }

    /// Whether this is a test manifest (it has cases).
    pub fn active(&self) -> bool {
        !self.cases.is_empty()
    }

    /// What `name` is expected to do, while it has no verdict.
    pub fn expects(&self, name: &str) -> Option<&Expect> {
        self.cases
            .iter()
            .find(|c| c.name == name && !c.done)
            .map(|c| &c.expect)
    }

    /// Case `name` starts.
    pub fn start(&self, name: &str) {
        if self.expects(name).is_some() {
            line(Line::Start(name));
        }
    }

    /// Case `name` passed (`Ok`) or failed with a reason.
    pub fn judge(&mut self, name: &str, outcome: Result<(), String>) {
        let Some(c) = self.cases.iter_mut().find(|c| c.name == name && !c.done) else {
            return;
        };
        c.done = true;
        match outcome {
            Ok(()) => {
                self.passed += 1;
                line(Line::Pass(name));
            }
            Err(why) => {
                self.failed += 1;
                line(Line::Fail(name, &why));
            }
        }
        if self.cases.iter().all(|c| c.done) {
            line(Line::Done {
                passed: self.passed,
                failed: self.failed,
            });
            let value = if self.failed == 0 {
                DEBUG_EXIT_SUCCESS
            } else {
                DEBUG_EXIT_FAILURE
            };
            let ports: Cap<IoPorts> = Cap::from_slot(SLOT_IO_PORTS);
            // Outside QEMU the port is unused and the system keeps running.
            let _ = ports.port_out(DEBUG_EXIT_PORT, 4, value);
        }
    }

    /// A module `expect`ed to exit ended with `status` (a report label's
    /// status, or a failure text).
    pub fn exited(&mut self, name: &str, outcome: Result<u64, String>) {
        let verdict = match (self.expects(name), outcome) {
            (Some(Expect::Exit(want)), Ok(got)) if *want == got => Ok(()),
            (Some(Expect::Exit(want)), Ok(got)) => {
                Err(alloc::format!("exited {got}, expected {want}"))
            }
            (Some(_), Ok(got)) => Err(alloc::format!("exited {got}")),
            (Some(_), Err(why)) => Err(why),
            (None, _) => return,
        };
        self.judge(name, verdict);
    }

    /// Self-healing gave up on `name` (its restart budget is spent): a
    /// pass where the manifest expects `failed`.
    pub fn gave_up(&mut self, name: &str, why: &str) {
        let verdict = match self.expects(name) {
            Some(Expect::Failed) => Ok(()),
            Some(other) => Err(alloc::format!("{why} (expected {other})")),
            None => return,
        };
        self.judge(name, verdict);
    }
}
