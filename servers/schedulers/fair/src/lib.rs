//! helix-scheduler-fair: weighted fair sharing — the thread with the least
//! virtual runtime runs next, so CPU time follows priority weights.
//!
//! Design rules:
//! - A second policy that measurably changes how CPU time is shared: on
//!   one CPU each thread's share is its [`weight`] (`priority + 1`) over
//!   the sum of the weights, where round robin gives shares by its four
//!   slice classes.
//! - Same model, API, balancing and saved state as every Helix policy: the
//!   mechanism is `helix-sched-policy`'s; this crate is the order (least
//!   virtual runtime), the accounting and the fixed quantum.
//! - Swappable at run time: [`FairScheduler::from_threads`] takes over any
//!   policy's threads (`SchedulingPolicy::threads`) without losing one.
//! - Pure `no_std` + `alloc`; a tick is 1 ms.
#![cfg_attr(not(test), no_std)]
#![forbid(unsafe_code)]

extern crate alloc;

mod config;
mod policy;

#[cfg(test)]
mod tests;

pub use config::{FairConfig, QUANTUM_LIMIT_MS};
pub use policy::{Fair, FairScheduler, FairThread, VRUNTIME_PER_TICK, weight};
