//! Balance steps: which threads move, where, and when they cannot.

use alloc::vec::Vec;

use super::{Q3, pinned, t};
use crate::{CpuMask, Migration, RunQueues};

fn queues_on(cpus: u32, threads: &[(u64, CpuMask, u32)]) -> RunQueues<()> {
    let mut q = RunQueues::new(cpus).expect("cpus");
    for &(n, affinity, cpu) in threads {
        q.insert((t(n), 50, affinity), cpu, (), Q3).expect("insert");
    }
    q
}

fn ids(q: &RunQueues<()>, cpu: u32) -> Vec<u64> {
    q.queue(cpu).iter().map(|t| t.0).collect()
}

#[test]
fn twelve_threads_on_one_cpu_spread_from_the_back() {
    let threads: Vec<_> = (0..12).map(|n| (n, CpuMask::ALL, 0)).collect();
    let mut q = queues_on(4, &threads);
    let moves = q.balance(|_, _, _| {}, Q3);
    // By the documented rule: the back of CPU 0's queue goes to the least
    // loaded CPU (lowest number among equals), until loads differ by <= 1.
    let expected: Vec<Migration> = [
        (11, 1),
        (10, 2),
        (9, 3),
        (8, 1),
        (7, 2),
        (6, 3),
        (5, 1),
        (4, 2),
        (3, 3),
    ]
    .iter()
    .map(|&(n, to)| Migration {
        thread: t(n),
        from: 0,
        to,
    })
    .collect();
    assert_eq!(moves, expected);
    assert_eq!(ids(&q, 0), [0, 1, 2]);
    assert_eq!(ids(&q, 1), [11, 8, 5]);
    assert_eq!(ids(&q, 2), [10, 7, 4]);
    assert_eq!(ids(&q, 3), [9, 6, 3]);
    assert!(q.balance(|_, _, _| {}, Q3).is_empty(), "balanced already");
}

#[test]
fn the_running_thread_never_moves() {
    let mut q = queues_on(
        2,
        &[(1, CpuMask::ALL, 0), (2, pinned(0), 0), (3, pinned(0), 0)],
    );
    // Only the running thread could go to CPU 1: nothing moves.
    assert!(q.balance(|_, _, _| {}, Q3).is_empty());
    assert_eq!(ids(&q, 0), [1, 2, 3]);
}

#[test]
fn affinity_limits_the_moves() {
    let mut threads: Vec<_> = (0..4).map(|n| (n, pinned(0), 0)).collect();
    threads.extend((4..8).map(|n| (n, CpuMask(0b11), 0)));
    let mut q = queues_on(4, &threads);
    let moves = q.balance(|_, _, _| {}, Q3);
    assert!(moves.iter().all(|m| m.to == 1 && m.thread.0 >= 4));
    assert_eq!(ids(&q, 0), [0, 1, 2, 3]);
    assert_eq!(ids(&q, 1), [7, 6, 5, 4]);
    assert!(q.queue(2).is_empty() && q.queue(3).is_empty());
}

#[test]
fn blocked_threads_do_not_count_and_an_idle_cpu_runs_what_it_gets() {
    let mut q = queues_on(
        2,
        &[
            (1, CpuMask::ALL, 0),
            (2, CpuMask::ALL, 0),
            (3, CpuMask::ALL, 0),
            (4, CpuMask::ALL, 1),
        ],
    );
    q.block(t(4), Q3).expect("block");
    let mut seen = Vec::new();
    let moves = q.balance(|from, to, _| seen.push((from, to)), Q3);
    assert_eq!(
        moves,
        [Migration {
            thread: t(3),
            from: 0,
            to: 1
        }]
    );
    assert_eq!(seen, [(0, 1)]);
    assert_eq!(q.running(1), Some(t(3)));
    assert_eq!(q.remaining_ms(1), Some(3));
    assert_eq!(q.info(t(4)).map(|i| i.cpu), Some(1));
}
