//! Least virtual runtime first; floors for new, woken and migrated
//! threads.

use helix_sched_policy::{CpuMask, Decision, SchedulingPolicy};

use helix_sched_policy::testing::trace;

use super::{count, one_cpu, scheduler, t};
use crate::VRUNTIME_PER_TICK;

#[test]
fn the_least_virtual_runtime_runs_next() {
    // Weights 1 and 4, quantum 10: after A's quantum B is behind by 10
    // ticks' worth and runs four quanta until they tie; A, the earlier
    // arrival at the tie, runs next.
    let mut s = one_cpu(&[(1, 0), (2, 3)]);
    let mut expected = Vec::new();
    for _ in 0..2 {
        expected.extend([1; 10]);
        expected.extend([2; 40]);
    }
    assert_eq!(trace(&mut s, 0, 100), expected);
    let v = |n| s.queues().entry(t(n)).map(|e| e.data().vruntime);
    assert_eq!(v(1), Some(20 * VRUNTIME_PER_TICK));
    assert_eq!(v(2), Some(80 * (VRUNTIME_PER_TICK / 4)));
}

#[test]
fn equal_weights_take_turns_like_round_robin() {
    let mut s = one_cpu(&[(1, 50), (2, 50), (3, 50)]);
    let ran = trace(&mut s, 0, 60);
    let mut expected = Vec::new();
    for _ in 0..2 {
        for n in 1..=3 {
            expected.extend([n; 10]);
        }
    }
    assert_eq!(ran, expected);
}

#[test]
fn a_yield_runs_the_least_virtual_runtime_again() {
    let mut s = one_cpu(&[(1, 50), (2, 50)]);
    trace(&mut s, 0, 3);
    // 1 is ahead of 2 now: the yield hands over.
    assert_eq!(
        s.yield_now(0),
        Ok(Decision::Switch {
            prev: t(1),
            next: t(2)
        })
    );
    // 2 has run nothing: still the least, it keeps the CPU with a new quantum.
    assert_eq!(
        s.yield_now(0),
        Ok(Decision::Switch {
            prev: t(2),
            next: t(2)
        })
    );
    assert_eq!(s.remaining_ms(t(2)), Some(10));
}

#[test]
fn a_new_thread_starts_at_the_floor_and_does_not_monopolise() {
    let mut s = one_cpu(&[(1, 50)]);
    trace(&mut s, 0, 1000);
    s.add_thread(t(2), 50, CpuMask::ALL).expect("add");
    let ran = trace(&mut s, 0, 100);
    assert!((40..=60).contains(&count(&ran, 2)), "{ran:?}");
}

#[test]
fn a_woken_thread_does_not_claim_the_time_it_slept() {
    let mut s = one_cpu(&[(1, 50), (2, 50)]);
    s.block(t(2)).expect("ready");
    trace(&mut s, 0, 1000);
    s.wake(t(2)).expect("blocked");
    let ran = trace(&mut s, 0, 100);
    assert!((40..=60).contains(&count(&ran, 2)), "{ran:?}");
    // Sleeping briefly keeps a thread's own, larger, virtual runtime.
    let before = s.queues().entry(t(1)).map(|e| e.data().vruntime);
    s.block(t(1)).expect("known");
    s.wake(t(1)).expect("blocked");
    assert_eq!(s.queues().entry(t(1)).map(|e| e.data().vruntime), before);
}

#[test]
fn a_migrated_thread_keeps_its_lag_over_the_floor() {
    let mut s = scheduler(2);
    for n in 0..3 {
        s.add_thread_on(t(n), 50, CpuMask::ALL, 0).expect("add");
    }
    s.add_thread_on(t(9), 50, CpuMask::ALL, 1).expect("add");
    // 99 periods: CPU 0's three threads ran a third each, CPU 1's one all.
    for _ in 0..99 {
        s.tick(0).expect("cpu");
        s.tick(1).expect("cpu");
    }
    assert!(s.policy().floor(1) > 2 * s.policy().floor(0));
    s.tick(0).expect("cpu 0: 100th tick balances");
    let moved = s.take_migrations();
    assert_eq!(moved.len(), 1);
    let mover = moved.first().map(|m| m.thread.0).expect("one move");
    let ran = trace(&mut s, 1, 100);
    // Renormalised, the newcomer and the resident share CPU 1.
    assert!((40..=60).contains(&count(&ran, mover)), "{ran:?}");
    assert!((40..=60).contains(&count(&ran, 9)), "{ran:?}");
}
