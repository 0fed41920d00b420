//! helix-console: the serial console's logic — a line editor for what the
//! user types, the command language, and the text each answer of the
//! module manager is shown as. Pure and tested on the host; the binary
//! (`src/main.rs`) drives the UART and calls the manager.
//!
//! Design rules:
//! - Every command is a typed call of the `modmgr` interface; the console
//!   holds no state of its own about modules.
//! - Bad input is answered with a usage line, never ignored.
#![cfg_attr(not(test), no_std)]
#![forbid(unsafe_code)]

extern crate alloc;

pub mod command;
pub mod editor;
pub mod show;

pub use command::{Command, CommandError, HELP};
pub use editor::{Edit, LineEditor};
