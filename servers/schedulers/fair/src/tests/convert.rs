//! `from_threads`: a policy swap loses no thread and keeps ids,
//! priorities, affinities, CPUs, states and queue order.

use helix_sched_policy::{
    BuildError, CpuMask, PolicyError, SchedulingPolicy, ThreadId, ThreadInfo, ThreadState,
};
use helix_scheduler_round_robin::{RoundRobinConfig, RoundRobinScheduler};

use helix_sched_policy::testing::trace;

use super::t;
use crate::{FairConfig, FairScheduler};

/// A round-robin scheduler in mid-run: threads on 4 CPUs, some pinned to
/// CPU 3, some blocked.
fn busy_rr() -> RoundRobinScheduler {
    let mut rr = RoundRobinScheduler::new(4, RoundRobinConfig::default()).expect("valid");
    for n in 0..14u64 {
        let affinity = if n % 5 == 0 {
            CpuMask(0b1000)
        } else {
            CpuMask::ALL
        };
        rr.add_thread(t(n), (n * 18) as u8, affinity).expect("add");
    }
    for cpu in 0..4 {
        trace(&mut rr, cpu, 37);
    }
    for n in [2, 7, 11] {
        rr.block(t(n)).expect("known");
    }
    rr
}

/// What no swap may change: id, priority, affinity, blocked or not.
fn identities(threads: &[ThreadInfo]) -> Vec<(ThreadId, u8, CpuMask, bool)> {
    let mut out: Vec<_> = threads
        .iter()
        .map(|i| {
            let blocked = i.state == ThreadState::Blocked;
            (i.thread, i.priority, i.affinity, blocked)
        })
        .collect();
    out.sort();
    out
}

#[test]
fn round_robin_to_fair_keeps_every_thread_and_order() {
    let rr = busy_rr();
    let fair =
        FairScheduler::from_threads(4, FairConfig::default(), &rr.threads()).expect("takes over");
    // Same ids, priorities, affinities, CPUs, states, in the same order.
    assert_eq!(fair.threads(), rr.threads());
    for cpu in 0..4 {
        assert_eq!(fair.queue(cpu), rr.queue(cpu));
    }
    let blocked: Vec<_> = fair
        .threads()
        .into_iter()
        .filter(|i| i.state == ThreadState::Blocked)
        .map(|i| i.thread.0)
        .collect();
    assert_eq!(blocked, [2, 7, 11]);
}

#[test]
fn fair_to_round_robin_after_running() {
    let rr = busy_rr();
    let mut fair =
        FairScheduler::from_threads(4, FairConfig::default(), &rr.threads()).expect("takes over");
    for cpu in 0..4 {
        trace(&mut fair, cpu, 123);
    }
    fair.wake(t(7)).expect("blocked");
    let back = RoundRobinScheduler::from_threads(4, RoundRobinConfig::default(), &fair.threads())
        .expect("takes over");
    assert_eq!(back.threads(), fair.threads());
    for cpu in 0..4 {
        assert_eq!(back.queue(cpu), fair.queue(cpu));
    }
    let mut expected = identities(&rr.threads());
    for entry in &mut expected {
        if entry.0 == t(7) {
            entry.3 = false;
        }
    }
    assert_eq!(identities(&back.threads()), expected);
}

#[test]
fn a_smaller_machine_moves_threads_or_refuses_the_impossible() {
    let rr = busy_rr();
    // Threads 0, 5 and 10 may only use CPU 3: a two-CPU machine cannot
    // take them, and names the first in the list.
    let first = rr
        .threads()
        .into_iter()
        .find(|i| [0, 5, 10].contains(&i.thread.0))
        .map(|i| i.thread)
        .expect("listed");
    assert_eq!(
        FairScheduler::from_threads(2, FairConfig::default(), &rr.threads()).map(drop),
        Err(BuildError::Policy(PolicyError::NoAllowedCpu {
            thread: first,
            affinity: CpuMask(0b1000)
        }))
    );
    let free: Vec<_> = rr
        .threads()
        .into_iter()
        .filter(|i| i.affinity == CpuMask::ALL)
        .collect();
    let fair = FairScheduler::from_threads(2, FairConfig::default(), &free).expect("takes over");
    assert_eq!(identities(&fair.threads()), identities(&free));
    for info in &free {
        let now = fair.thread(info.thread).expect("kept");
        assert!(now.cpu < 2);
        if info.cpu < 2 {
            assert_eq!(now.cpu, info.cpu, "{info:?} keeps its CPU");
        }
    }
}
