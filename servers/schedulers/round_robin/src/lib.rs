//! helix-scheduler-round-robin: the spec's round-robin scheduling policy —
//! a FIFO per CPU, quanta scaled by priority, periodic load balancing.
//!
//! Design rules:
//! - Exactly the spec: [`RoundRobinConfig`] has its five fields and
//!   defaults (base 10 ms, scaling on; documented choices for the rest:
//!   balance every 100 ticks, slices clamped to 1..=100 ms), its scaling
//!   table (0-30: 0.5x, 31-60: 1.0x, 61-90: 1.5x, 91+: 2.0x) and its
//!   queue rules.
//! - A policy, not a server: pure `no_std` + `alloc`, driven by events
//!   through `helix_sched_policy::SchedulingPolicy`; the queues, dispatch,
//!   balancing and saved state are the shared mechanism of
//!   `helix-sched-policy`, this crate only says how long a quantum is.
//! - A tick is 1 ms of the running thread's quantum.
#![cfg_attr(not(test), no_std)]
#![forbid(unsafe_code)]

extern crate alloc;

mod config;
mod policy;

#[cfg(test)]
mod tests;

pub use config::{RoundRobinConfig, TIME_SLICE_LIMIT_MS, scale_halves};
pub use policy::{RoundRobin, RoundRobinScheduler};
