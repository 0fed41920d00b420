//! [`RunQueues`]: dispatch, FIFO and keyed order, block/wake/remove,
//! taking threads over, and the checks of restored queues.

use alloc::vec::Vec;

use super::{Q3, Rank, pinned, t};
use crate::runqueues::Place;
use crate::{CpuMask, Inconsistency, PolicyError, RunQueues, ThreadInfo, ThreadState};

fn fifo(cpus: u32, threads: &[(u64, u32)]) -> RunQueues<()> {
    let mut q = RunQueues::new(cpus).expect("cpus");
    for &(n, cpu) in threads {
        q.insert((t(n), 50, CpuMask::ALL), cpu, (), Q3)
            .expect("insert");
    }
    q
}

#[test]
fn cpu_count_is_checked() {
    assert_eq!(RunQueues::<()>::new(0), Err(PolicyError::CpuCount(0)));
    assert_eq!(RunQueues::<()>::new(65), Err(PolicyError::CpuCount(65)));
    assert!(RunQueues::<()>::new(64).is_ok());
}

#[test]
fn first_thread_runs_at_once_and_others_queue_in_arrival_order() {
    let q = fifo(2, &[(1, 0), (2, 0), (3, 0), (4, 1)]);
    assert_eq!(q.queue(0), [t(1), t(2), t(3)]);
    assert_eq!(q.running(0), Some(t(1)));
    assert_eq!(q.remaining_ms(0), Some(3));
    assert_eq!(q.queue(1), [t(4)]);
    assert_eq!(q.load(0), 3);
    assert_eq!(q.info(t(2)).map(|i| i.state), Some(ThreadState::Ready));
    assert_eq!(q.info(t(1)).map(|i| i.state), Some(ThreadState::Running));
}

#[test]
fn insert_refusals_change_nothing() {
    let mut q = fifo(2, &[(1, 0)]);
    let before = q.clone();
    assert_eq!(
        q.insert((t(1), 0, CpuMask::ALL), 1, (), Q3),
        Err(PolicyError::DuplicateThread(t(1)))
    );
    assert_eq!(
        q.insert((t(2), 0, CpuMask::ALL), 2, (), Q3),
        Err(PolicyError::InvalidCpu { cpu: 2, cpus: 2 })
    );
    assert_eq!(
        q.insert((t(2), 0, pinned(0)), 1, (), Q3),
        Err(PolicyError::NotAllowed {
            thread: t(2),
            cpu: 1
        })
    );
    assert_eq!(q, before);
}

#[test]
fn running_thread_leaving_dispatches_the_front() {
    let mut q = fifo(1, &[(1, 0), (2, 0), (3, 0)]);
    q.block(t(1), Q3).expect("block");
    assert_eq!(q.queue(0), [t(2), t(3)]);
    assert_eq!(q.block(t(1), Q3), Err(PolicyError::AlreadyBlocked(t(1))));
    q.remove(t(2), Q3).expect("remove");
    assert_eq!(q.queue(0), [t(3)]);
    assert_eq!(
        q.wake(t(3), |_, _| {}, Q3),
        Err(PolicyError::NotBlocked(t(3)))
    );
    assert_eq!(q.wake(t(1), |_, _| {}, Q3), Ok(0));
    assert_eq!(q.queue(0), [t(3), t(1)]);
    q.remove(t(3), Q3).expect("remove");
    q.remove(t(1), Q3).expect("remove");
    assert!(q.is_empty());
    assert_eq!(q.running(0), None);
    assert_eq!(q.remaining_ms(0), None);
    assert_eq!(
        q.remove(t(1), Q3).map(drop),
        Err(PolicyError::UnknownThread(t(1)))
    );
}

#[test]
fn requeue_rotates_and_refills() {
    let mut q = fifo(1, &[(1, 0), (2, 0)]);
    if let Some((_, _, _, left)) = q.running_mut(0) {
        *left = 1;
    }
    assert_eq!(q.requeue_running(0, Q3), Some((t(1), t(2))));
    assert_eq!(q.queue(0), [t(2), t(1)]);
    assert_eq!(q.remaining_ms(0), Some(3));
    let mut alone = fifo(1, &[(7, 0)]);
    assert_eq!(alone.requeue_running(0, Q3), Some((t(7), t(7))));
    let mut idle = fifo(1, &[]);
    assert_eq!(idle.requeue_running(0, Q3), None);
}

#[test]
fn keyed_queue_runs_lowest_key_first_and_equal_keys_in_arrival_order() {
    let mut q: RunQueues<Rank> = RunQueues::new(1).expect("cpus");
    for (n, rank) in [(1, 5), (2, 9), (3, 1), (4, 5), (5, 1)] {
        q.insert((t(n), 0, CpuMask::ALL), 0, Rank(rank), Q3)
            .expect("insert");
    }
    // 1 ran first (the queue was empty), then by rank, ties by arrival.
    assert_eq!(q.queue(0), [t(1), t(3), t(5), t(4), t(2)]);
    // Back in the queue, 1 (rank 5) arrives after 4 (rank 5).
    assert_eq!(q.requeue_running(0, Q3), Some((t(1), t(3))));
    assert_eq!(q.queue(0), [t(3), t(5), t(4), t(1), t(2)]);
}

#[test]
fn priority_change_clamps_the_running_quantum() {
    let mut q = fifo(1, &[(1, 0), (2, 0)]);
    let by_priority = |p: u8| u64::from(p) / 10 + 1;
    q.set_priority(t(1), 0, &by_priority).expect("known");
    assert_eq!(q.remaining_ms(0), Some(1));
    assert_eq!(q.entry(t(1)).map(|e| e.priority()), Some(0));
    q.clamp_remaining(&|_| 1);
    assert_eq!(q.remaining_ms(0), Some(1));
    assert_eq!(
        q.set_priority(t(9), 0, Q3),
        Err(PolicyError::UnknownThread(t(9)))
    );
}

fn info(n: u64, cpu: u32, state: ThreadState, affinity: CpuMask) -> ThreadInfo {
    ThreadInfo {
        thread: t(n),
        priority: 40,
        affinity,
        cpu,
        state,
    }
}

#[test]
fn taking_threads_over_keeps_places_and_order() {
    use ThreadState::{Blocked, Ready, Running};
    let threads = [
        info(5, 0, Ready, CpuMask::ALL),
        info(3, 0, Running, CpuMask::ALL),
        info(4, 0, Running, CpuMask::ALL),
        info(8, 1, Blocked, CpuMask::ALL),
        info(9, 1, Ready, CpuMask::ALL),
        // CPU 7 is not on this machine; CPU 1 is outside the affinity.
        info(6, 7, Ready, CpuMask(0b101)),
        info(2, 1, Ready, pinned(2)),
    ];
    let q: RunQueues<()> = RunQueues::from_threads(3, &threads, |_, _| (), Q3).expect("valid");
    assert_eq!(q.queue(0), [t(3), t(5), t(4)]);
    assert_eq!(q.queue(1), [t(9)]);
    assert_eq!(q.queue(2), [t(6), t(2)]);
    assert_eq!(q.info(t(8)).map(|i| (i.cpu, i.state)), Some((1, Blocked)));
    let listed: Vec<u64> = q.threads().iter().map(|i| i.thread.0).collect();
    assert_eq!(listed, [3, 5, 4, 9, 6, 2, 8]);
    let again: RunQueues<()> =
        RunQueues::from_threads(3, &q.threads(), |_, _| (), Q3).expect("valid");
    for cpu in 0..3 {
        assert_eq!(again.queue(cpu), q.queue(cpu));
    }
    assert_eq!(again.threads(), q.threads());
}

#[test]
fn taking_threads_over_refuses_duplicates_and_impossible_affinities() {
    let twice = [
        info(1, 0, ThreadState::Ready, CpuMask::ALL),
        info(1, 1, ThreadState::Ready, CpuMask::ALL),
    ];
    assert_eq!(
        RunQueues::<()>::from_threads(2, &twice, |_, _| (), Q3),
        Err(PolicyError::DuplicateThread(t(1)))
    );
    let nowhere = [info(1, 0, ThreadState::Ready, CpuMask(0b100))];
    assert_eq!(
        RunQueues::<()>::from_threads(2, &nowhere, |_, _| (), Q3),
        Err(PolicyError::NoAllowedCpu {
            thread: t(1),
            affinity: CpuMask(0b100)
        })
    );
}

#[test]
fn validation_accepts_what_the_operations_build() {
    let mut q = fifo(2, &[(1, 0), (2, 0), (3, 1)]);
    q.block(t(2), Q3).expect("block");
    assert_eq!(q.validate(Q3), Ok(()));
}

#[test]
fn validation_finds_each_contradiction() {
    let base = fifo(2, &[(1, 0), (2, 0), (3, 1)]);

    let mut idle = base.clone();
    if let Some(cpu) = idle.cpus.get_mut(0) {
        cpu.running = None;
    }
    assert_eq!(idle.validate(Q3), Err(Inconsistency::Misplaced(t(1))));

    let mut stolen = base.clone();
    if let Some(e) = stolen.threads.get_mut(&t(1)) {
        e.place = Place::Blocked;
    }
    assert_eq!(stolen.validate(Q3), Err(Inconsistency::Misplaced(t(1))));

    let mut wrong_cpu = base.clone();
    if let Some(e) = wrong_cpu.threads.get_mut(&t(3)) {
        e.affinity = pinned(0);
    }
    assert_eq!(wrong_cpu.validate(Q3), Err(Inconsistency::BadCpu(t(3))));

    let mut outside = base.clone();
    if let Some(e) = outside.threads.get_mut(&t(3)) {
        e.cpu = 5;
    }
    assert_eq!(outside.validate(Q3), Err(Inconsistency::BadCpu(t(3))));

    let mut stale = base.clone();
    stale.next_seq = 0;
    assert_eq!(stale.validate(Q3), Err(Inconsistency::StaleSequence(t(2))));

    let mut spent = base.clone();
    if let Some(cpu) = spent.cpus.get_mut(1) {
        cpu.remaining_ms = 0;
    }
    assert_eq!(spent.validate(Q3), Err(Inconsistency::BadThreadData(t(3))));

    let mut ghost = base.clone();
    if let Some(cpu) = ghost.cpus.get_mut(1) {
        cpu.ready.insert(((), 99), t(42));
    }
    ghost.next_seq = 100;
    assert_eq!(ghost.validate(Q3), Err(Inconsistency::Misplaced(t(42))));

    let mut only_ready = fifo(1, &[(1, 0), (2, 0)]);
    only_ready.remove(t(1), Q3).expect("remove");
    if let Some(cpu) = only_ready.cpus.get_mut(0) {
        let front = cpu.running.take();
        if let Some(front) = front {
            cpu.ready.insert(((), 50), front);
        }
    }
    only_ready.next_seq = 51;
    if let Some(e) = only_ready.threads.get_mut(&t(2)) {
        e.place = Place::Ready(50);
    }
    assert_eq!(
        only_ready.validate(Q3),
        Err(Inconsistency::IdleWithReady(0))
    );

    let mut none = base;
    none.cpus.clear();
    assert_eq!(none.validate(Q3), Err(Inconsistency::CpuCount(0)));
}

#[test]
fn an_exhausted_arrival_counter_renumbers_in_order() {
    let mut q = fifo(2, &[(1, 0), (2, 0), (3, 0), (4, 1), (5, 1)]);
    // Restored state may bring the counter to its end.
    q.next_seq = u64::MAX;
    if let Some(cpu) = q.cpus.get_mut(0) {
        let ready = core::mem::take(&mut cpu.ready);
        for (i, (_, thread)) in ready.into_iter().enumerate() {
            let seq = u64::MAX - 10 + i as u64;
            cpu.ready.insert(((), seq), thread);
            if let Some(e) = q.threads.get_mut(&thread) {
                e.place = Place::Ready(seq);
            }
        }
    }
    assert_eq!(q.validate(Q3), Ok(()));
    assert_eq!(q.requeue_running(0, Q3), Some((t(1), t(2))));
    assert_eq!(q.requeue_running(1, Q3), Some((t(4), t(5))));
    assert_eq!(q.queue(0), [t(2), t(3), t(1)]);
    assert_eq!(q.queue(1), [t(5), t(4)]);
    assert!(q.next_seq < 10);
    assert_eq!(q.validate(Q3), Ok(()));
}
