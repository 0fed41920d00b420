//! helix-bootcfg: the `limine.cfg` parser shared by the offline loader (in
//! the guest, `no_std` + `alloc`) and the host tools (ISO and bundle builders).
//!
//! Design rules:
//! - One parser for one file: the ISO and the offline path read the same
//!   top-level `limine.cfg`, so they cannot disagree about what boots.
//! - Every malformed line is an error that names the line number and the
//!   problem; nothing is silently ignored except what Limine itself ignores
//!   (comments, blank lines, options this parser does not interpret, which
//!   are kept verbatim).
//! - Borrowing parser: values point into the input text, no copies.
#![cfg_attr(not(test), no_std)]
#![forbid(unsafe_code)]

extern crate alloc;

mod model;
mod parse;
mod render;

pub use model::{BootPath, Config, Entry, ModuleSpec, Setting};
pub use parse::{ParseError, ParseErrorKind, parse};
pub use render::render;
