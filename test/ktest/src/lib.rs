//! helix-ktest: the one definition of the serial line protocol that in-QEMU
//! test cases speak and the host runner reads.
//!
//! Design rules:
//! - One line per event, prefixed with [`PREFIX`], plain ASCII, so a human
//!   reading the serial log sees the same thing the runner parses.
//! - The guest emits through [`Line`]'s `Display`; the host parses with
//!   [`Line::parse`]; both sides use the same type, so the format cannot drift.
//! - Anything that is not a protocol line is boot log and is ignored.
#![cfg_attr(not(test), no_std)]
#![forbid(unsafe_code)]

mod line;

pub use line::{Line, PREFIX, ParseError};

/// Kernel command-line word that turns on test mode.
pub const CMDLINE_TEST: &str = "ktest";
/// Kernel command-line key: comma-separated case names not to run (`ktest.skip=a,b`).
pub const CMDLINE_SKIP: &str = "ktest.skip=";
/// Kernel command-line key: run only this case (`ktest.only=name`).
pub const CMDLINE_ONLY: &str = "ktest.only=";
