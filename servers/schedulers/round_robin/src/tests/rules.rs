//! The queue rules: FIFO order, quantum expiry, yield, block and wake,
//! placement of new threads.

use helix_sched_policy::{CpuMask, Decision, PolicyError, SchedulingPolicy, ThreadState};

use helix_sched_policy::testing::trace;

use super::{one_cpu, scheduler, t};

#[test]
fn threads_run_in_arrival_order() {
    let s = one_cpu(&[(3, 50), (1, 50), (2, 50)]);
    assert_eq!(s.queue(0), [t(3), t(1), t(2)]);
    assert_eq!(s.next(0), Some(t(3)));
}

#[test]
fn each_tick_takes_one_ms_and_expiry_rotates_to_the_back() {
    // Priority 50: 10 ms each.
    let mut s = one_cpu(&[(1, 50), (2, 50), (3, 50)]);
    for left in (1..10).rev() {
        assert_eq!(s.tick(0), Ok(Decision::Continue(t(1))));
        assert_eq!(s.remaining_ms(t(1)), Some(left));
    }
    assert_eq!(
        s.tick(0),
        Ok(Decision::Switch {
            prev: t(1),
            next: t(2)
        })
    );
    assert_eq!(s.queue(0), [t(2), t(3), t(1)]);
    assert_eq!(s.remaining_ms(t(2)), Some(10));
    assert_eq!(s.stats().cpus.first().map(|c| c.expiries), Some(1));
}

#[test]
fn quanta_follow_priorities_turn_by_turn() {
    // 0.5x, 2.0x and 1.0x of 10 ms.
    let mut s = one_cpu(&[(1, 0), (2, 200), (3, 40)]);
    let mut expected = Vec::new();
    for _ in 0..2 {
        expected.extend([1; 5]);
        expected.extend([2; 20]);
        expected.extend([3; 10]);
    }
    assert_eq!(trace(&mut s, 0, 70), expected);
}

#[test]
fn a_thread_alone_restarts_its_quantum() {
    let mut s = one_cpu(&[(1, 0)]);
    assert_eq!(trace(&mut s, 0, 4), [1; 4]);
    assert_eq!(
        s.tick(0),
        Ok(Decision::Switch {
            prev: t(1),
            next: t(1)
        })
    );
    assert_eq!(s.remaining_ms(t(1)), Some(5));
    assert_eq!(s.stats().cpus.first().map(|c| c.switches), Some(0));
}

#[test]
fn yield_moves_the_running_thread_to_the_back_at_once() {
    let mut s = one_cpu(&[(1, 50), (2, 50), (3, 50)]);
    trace(&mut s, 0, 3);
    assert_eq!(
        s.yield_now(0),
        Ok(Decision::Switch {
            prev: t(1),
            next: t(2)
        })
    );
    assert_eq!(s.queue(0), [t(2), t(3), t(1)]);
    assert_eq!(s.remaining_ms(t(2)), Some(10));
    // The yielder gets a full quantum again when its turn comes.
    s.yield_now(0).expect("cpu");
    s.yield_now(0).expect("cpu");
    assert_eq!(s.next(0), Some(t(1)));
    assert_eq!(s.remaining_ms(t(1)), Some(10));
    let mut idle = scheduler(1);
    assert_eq!(idle.yield_now(0), Ok(Decision::Idle));
    assert_eq!(
        idle.yield_now(1),
        Err(PolicyError::InvalidCpu { cpu: 1, cpus: 1 })
    );
}

#[test]
fn blocked_threads_leave_and_come_back_at_the_back() {
    let mut s = one_cpu(&[(1, 50), (2, 50), (3, 50), (4, 50)]);
    trace(&mut s, 0, 4);
    // The running thread blocks: the front runs at once with a full quantum.
    s.block(t(1)).expect("running");
    assert_eq!(s.queue(0), [t(2), t(3), t(4)]);
    assert_eq!(s.remaining_ms(t(2)), Some(10));
    assert_eq!(s.thread(t(1)).map(|i| i.state), Some(ThreadState::Blocked));
    s.block(t(3)).expect("ready");
    assert_eq!(s.queue(0), [t(2), t(4)]);
    assert_eq!(s.wake(t(1)), Ok(0));
    assert_eq!(s.wake(t(3)), Ok(0));
    assert_eq!(s.queue(0), [t(2), t(4), t(1), t(3)]);
    assert_eq!(s.block(t(9)), Err(PolicyError::UnknownThread(t(9))));
    s.block(t(4)).expect("ready");
    assert_eq!(s.block(t(4)), Err(PolicyError::AlreadyBlocked(t(4))));
    assert_eq!(s.wake(t(2)), Err(PolicyError::NotBlocked(t(2))));
}

#[test]
fn all_blocked_means_idle_and_a_wake_runs_at_once() {
    let mut s = one_cpu(&[(1, 50)]);
    s.block(t(1)).expect("running");
    assert_eq!(s.tick(0), Ok(Decision::Idle));
    assert_eq!(s.next(0), None);
    s.wake(t(1)).expect("blocked");
    assert_eq!(s.tick(0), Ok(Decision::Continue(t(1))));
    assert_eq!(
        s.stats().cpus.first().map(|c| (c.ticks, c.busy_ticks)),
        Some((2, 1))
    );
}

#[test]
fn removing_the_running_thread_dispatches_the_next() {
    let mut s = one_cpu(&[(1, 50), (2, 50)]);
    s.remove(t(1)).expect("known");
    assert_eq!(s.queue(0), [t(2)]);
    assert_eq!(s.remove(t(1)), Err(PolicyError::UnknownThread(t(1))));
    assert_eq!(s.thread(t(1)), None);
}

#[test]
fn new_threads_go_to_the_least_loaded_allowed_cpu() {
    let mut s = scheduler(4);
    let cpus: Vec<_> = (0..6)
        .map(|n| s.add_thread(t(n), 50, CpuMask::ALL).expect("add"))
        .collect();
    assert_eq!(cpus, [0, 1, 2, 3, 0, 1]);
    assert_eq!(s.add_thread(t(9), 50, CpuMask(0b1100)), Ok(2));
    assert_eq!(s.add_thread(t(10), 50, CpuMask(0b1000)), Ok(3));
    assert_eq!(
        s.add_thread(t(11), 50, CpuMask(0b1_0000)),
        Err(PolicyError::NoAllowedCpu {
            thread: t(11),
            affinity: CpuMask(0b1_0000)
        })
    );
    assert_eq!(
        s.add_thread(t(0), 50, CpuMask::ALL),
        Err(PolicyError::DuplicateThread(t(0)))
    );
    assert_eq!(
        s.add_thread_on(t(12), 50, CpuMask(0b1), 2),
        Err(PolicyError::NotAllowed {
            thread: t(12),
            cpu: 2
        })
    );
}

#[test]
fn a_priority_change_takes_effect_on_the_quantum() {
    let mut s = one_cpu(&[(1, 200), (2, 50)]);
    trace(&mut s, 0, 2);
    assert_eq!(s.remaining_ms(t(1)), Some(18));
    s.set_priority(t(1), 0).expect("known");
    assert_eq!(s.quantum_ms(t(1)), Some(5));
    assert_eq!(s.remaining_ms(t(1)), Some(5));
    s.set_priority(t(2), 100).expect("known");
    assert_eq!(s.remaining_ms(t(2)), Some(20));
    assert_eq!(s.thread(t(2)).map(|i| i.priority), Some(100));
}
