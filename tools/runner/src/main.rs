//! helix-runner: builds Helix, stages its boot files, boots it in QEMU and
//! runs the test suite (host tests, in-kernel cases, bad-input boots).
//!
//! Design rules:
//! - Pure logic (serial accounting, staging, manifest, scenario verdicts,
//!   cargo summary parsing) is separate from I/O and unit tested.
//! - A failing test is a counted verdict, never an early exit: `test` always
//!   ends with one `N passed, N failed` line.
//! - Every boot has a timeout and a silence limit; QEMU never outlives us.
#![forbid(unsafe_code)]

mod bench;
mod build;
mod bundle;
mod cli;
mod commands;
mod console_test;
mod converse;
mod error;
mod host_tests;
mod iso;
mod qemu;
mod report;
mod scenarios;
mod serial;
mod stage;
mod stress;
mod suite;

use std::process::ExitCode;

fn main() -> ExitCode {
    let result = cli::parse(std::env::args().skip(1))
        .map_err(error::Error::Usage)
        .and_then(|o| commands::dispatch(&o));
    commands::exit_code(result)
}
