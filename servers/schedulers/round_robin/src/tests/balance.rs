//! Periodic load balancing: after one interval, within one thread per CPU;
//! affinities respected; the running thread stays.

use helix_sched_policy::{CpuMask, PolicyConfig, SchedulingPolicy};

use super::{scheduler, t};
use crate::{RoundRobinConfig, RoundRobinScheduler};

fn loads(s: &RoundRobinScheduler) -> Vec<usize> {
    (0..s.cpu_count()).map(|c| s.queue(c).len()).collect()
}

fn periods(s: &mut RoundRobinScheduler, n: u64) {
    for _ in 0..n {
        for cpu in 0..s.cpu_count() {
            s.tick(cpu).expect("valid CPU");
        }
    }
}

#[test]
fn twelve_threads_on_cpu_0_spread_after_one_interval() {
    let mut s = scheduler(4);
    for n in 0..12 {
        s.add_thread_on(t(n), (n * 20) as u8, CpuMask::ALL, 0)
            .expect("add");
    }
    periods(&mut s, 99);
    assert_eq!(loads(&s), [12, 0, 0, 0]);
    assert!(s.take_migrations().is_empty());
    // The 100th tick of CPU 0 is the 100th system tick: a balance step.
    let running = {
        s.tick(0).expect("cpu 0");
        s.next(0)
    };
    let moves = s.take_migrations();
    assert_eq!(moves.len(), 9);
    assert!(
        moves
            .iter()
            .all(|m| m.from == 0 && Some(m.thread) != running)
    );
    assert_eq!(s.next(0), running);
    assert_eq!(loads(&s), [3, 3, 3, 3]);
    for m in &moves {
        assert_eq!(s.thread(m.thread).map(|i| i.cpu), Some(m.to));
    }
    // The rest of that period and the next interval move nothing.
    for cpu in 1..4 {
        s.tick(cpu).expect("cpu");
    }
    periods(&mut s, 100);
    assert!(s.take_migrations().is_empty());
    assert_eq!(s.stats().balance_steps, 2);
    assert_eq!(s.stats().migrations, 9);
}

#[test]
fn balancing_respects_affinity() {
    let mut s = scheduler(4);
    for n in 0..6 {
        s.add_thread_on(t(n), 50, CpuMask(0b1), 0).expect("add");
    }
    for n in 6..12 {
        s.add_thread_on(t(n), 50, CpuMask(0b101), 0).expect("add");
    }
    periods(&mut s, 100);
    // Threads 6..12 may use CPUs 0 and 2 only, 0..6 only CPU 0. After ten
    // 10 ms quanta thread 10 runs on CPU 0 and stays; the five other
    // movable ones go to CPU 2; CPUs 1 and 3 stay empty.
    assert_eq!(s.next(0), Some(t(10)));
    assert_eq!(loads(&s), [7, 0, 5, 0]);
    for info in s.threads() {
        assert!(info.affinity.contains(info.cpu), "{info:?}");
        let cpu = if info.thread.0 < 6 || info.thread == t(10) {
            0
        } else {
            2
        };
        assert_eq!(info.cpu, cpu, "{info:?}");
    }
}

#[test]
fn interval_zero_never_balances() {
    let config = RoundRobinConfig::parse_args("load_balance_interval=0").expect("valid");
    let mut s = RoundRobinScheduler::new(2, config).expect("valid");
    for n in 0..4 {
        s.add_thread_on(t(n), 50, CpuMask::ALL, 0).expect("add");
    }
    periods(&mut s, 1000);
    assert_eq!(loads(&s), [4, 0]);
    assert_eq!(s.stats().balance_steps, 0);
    // An explicit step still works.
    assert_eq!(s.balance().len(), 2);
    assert_eq!(loads(&s), [2, 2]);
}
