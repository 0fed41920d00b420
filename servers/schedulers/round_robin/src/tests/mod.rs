//! Host tests of every round-robin rule, the saved state, and the CPU
//! shares the scaling table predicts.

mod balance;
mod config;
mod properties;
mod rules;
mod simulation;
mod state;

use helix_sched_policy::{CpuMask, SchedulingPolicy, ThreadId};

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
    for &(n, priority) in threads {
        s.add_thread(t(n), priority, CpuMask::ALL).expect("add");
    }
    s
}

/// The thread running on `cpu` during each of the next `ticks` ticks.
fn run(s: &mut RoundRobinScheduler, cpu: u32, ticks: usize) -> Vec<u64> {
    (0..ticks)
        .map(|_| {
            let running = s.next(cpu).map_or(u64::MAX, |t| t.0);
            s.tick(cpu).expect("valid CPU");
            running
        })
        .collect()
}
