//! Host tests: the order and accounting of fair sharing, shares in
//! proportion to weights, the difference from round robin, taking threads
//! over from another policy, and saved state.

mod config;
mod convert;
mod order;
mod shares;
mod state;

use helix_sched_policy::ThreadId;
use helix_sched_policy::testing::add_all;

use crate::{FairConfig, FairScheduler};

fn t(n: u64) -> ThreadId {
    ThreadId(n)
}

fn scheduler(cpus: u32) -> FairScheduler {
    FairScheduler::new(cpus, FairConfig::default()).expect("valid")
}

/// One CPU with threads `(id, priority)` added in order.
fn one_cpu(threads: &[(u64, u8)]) -> FairScheduler {
    let mut s = scheduler(1);
    add_all(&mut s, threads);
    s
}

/// How many of `ran` are `n`.
fn count(ran: &[u64], n: u64) -> usize {
    ran.iter().filter(|&&r| r == n).count()
}
