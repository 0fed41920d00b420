//! helix-hostile: a structured hostile syscall generator in the style of
//! syzkaller, shared by the in-QEMU hostile processes (helix-usertest) and
//! the host-side driver of `System` (helix-kernel-objects tests).
//!
//! Design rules:
//! - The generator keeps a model of what its process holds (a table of
//!   its CSpace slots and the objects behind them) and mostly makes calls
//!   that are valid for those objects, with a minority of deliberately
//!   wrong ones; every result is fed back into the model.
//! - Pure and deterministic: a seed gives the same call stream for the
//!   same results. The executor (a `syscall` instruction, or
//!   `decode` + `System::execute` on the host) is not part of it.
//! - The model errs on the side of "unknown": where another process may
//!   have changed something (caps that came from it), a result is taken
//!   as news, never as a kernel error. Where the model is exact (caps
//!   rooted in this process, calls wrong by construction) the expected
//!   result is checked and a difference is counted as a mismatch.
//! - The process never harms itself: its own address space, thread and
//!   report cap are never deleted, moved, suspended or sent away, and it
//!   maps and unmaps only its scratch range.
#![cfg_attr(not(test), no_std)]
#![forbid(unsafe_code)]

pub mod calls;
pub mod config;
pub mod layout;
pub mod model;
pub mod op;
pub mod outcome;
pub mod rng;
pub mod stats;
mod wrong;

#[cfg(test)]
mod tests;

pub use calls::{Call, Effect, Expect, Hostile};
pub use config::{Config, Options};
pub use op::Op;
pub use stats::Stats;
