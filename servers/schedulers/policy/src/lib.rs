//! helix-sched-policy: what every Helix scheduling policy shares — the
//! [`SchedulingPolicy`] trait a server drives, per-CPU run queues, load
//! balancing, `key=value` configuration and versioned saved state.
//!
//! Design rules:
//! - Mechanism here, policy in the policy crates: a policy implements the
//!   few [`Policy`] hooks (queue order, quantum, accounting) and
//!   [`PolicyScheduler`] does queues, dispatch, quanta, balancing, counters
//!   and state, so every policy obeys the same model and a server can swap
//!   them behind `Box<dyn SchedulingPolicy>`.
//! - Pure and deterministic: events in, decisions out, no clock and no
//!   syscall; the same events give the same decisions, also after a save
//!   and restore.
//! - A CPU idles only while its queue is empty; the front of a queue is
//!   the running thread; blocked threads are in no queue.
//! - Saved state is an allegation: it is decoded with its policy name and
//!   format version checked first, then every invariant of the queues is
//!   checked before the state is used. Refused events and settings change
//!   nothing. No input panics.
//! - `no_std` + `alloc`; builds for the host and `x86_64-unknown-none`.
#![cfg_attr(not(any(test, feature = "testing")), no_std)]
#![forbid(unsafe_code)]

extern crate alloc;

mod balance;
mod config;
mod error;
mod policy;
mod runqueues;
mod scheduler;
mod state;
mod stats;
mod types;

#[cfg(feature = "testing")]
pub mod testing;

#[cfg(test)]
mod tests;

pub use config::{PolicyConfig, at_most, nonzero, parse_bool, parse_u64, unknown_key};
pub use error::{BuildError, ConfigError, Inconsistency, PolicyError, StateError};
pub use helix_protocol::interfaces::scheduler::ThreadId;
pub use policy::{Policy, SchedulingPolicy};
pub use runqueues::{Entry, QuantumFn, RunQueues, ThreadData};
pub use scheduler::PolicyScheduler;
pub use state::{decode as decode_state, encode as encode_state};
pub use stats::{CpuStats, Stats};
pub use types::{CpuMask, Decision, MAX_CPUS, Migration, ThreadInfo, ThreadState};
