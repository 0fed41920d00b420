//! Host tests of every round-robin rule, the saved state, and the CPU
//! shares the scaling table predicts.

mod balance;
mod config;
mod properties;
mod rules;
mod simulation;
mod state;

use helix_sched_policy::ThreadId;
use helix_sched_policy::testing::add_all;

use crate::{RoundRobinConfig, RoundRobinScheduler};

fn t(n: u64) -> ThreadId {
    ThreadId(n)
}

fn scheduler(cpus: u32) -> RoundRobinScheduler {
    RoundRobinScheduler::new(cpus, RoundRobinConfig::default()).expect("valid")
}

/// One CPU with threads `(id, priority)` added in order.
fn one_cpu(threads: &[(u64, u8)]) -> RoundRobinScheduler {
    let mut s = scheduler(1);
    add_all(&mut s, threads);
    s
}
