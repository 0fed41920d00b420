//! Saved state: a scheduler restored mid-run makes exactly the decisions
//! of the original; bad bytes are refused.

use helix_sched_policy::testing::{Op, apply, assert_same_future, op};
use std::collections::BTreeSet;

use helix_sched_policy::{ConfigError, CpuMask, SchedulingPolicy, StateError, ThreadState};
use proptest::prelude::*;

use super::t;
use crate::{RoundRobinConfig, RoundRobinScheduler};

fn config(interval: u64) -> RoundRobinConfig {
    RoundRobinConfig {
        load_balance_interval: interval,
        ..RoundRobinConfig::default()
    }
}

/// The same answers and state after each of `ops`, and equal at the end.
fn same_future(a: &mut RoundRobinScheduler, b: &mut RoundRobinScheduler, ops: &[Op]) {
    assert_same_future(a, b, ops);
    assert_eq!(a, b);
}

#[test]
fn restored_mid_run_it_decides_the_same() {
    let mut a = RoundRobinScheduler::new(4, config(30)).expect("valid");
    for n in 0..16 {
        a.add_thread_on(t(n), (n * 17) as u8, CpuMask::ALL, (n % 2) as u32)
            .expect("add");
    }
    let mut script = Vec::new();
    for step in 0..3000u64 {
        script.push(Op::Tick((step % 4) as u8));
        match step % 97 {
            13 => script.push(Op::Block((step % 16) as u8)),
            41 => script.push(Op::Wake(((step + 3) % 16) as u8)),
            77 => script.push(Op::Yield((step % 4) as u8)),
            _ => {}
        }
    }
    let (before, after) = script.split_at(1234);
    for &op in before {
        apply(&mut a, op);
    }
    // Mid-quantum and with migrations pending.
    assert!(a.remaining_ms(a.next(0).expect("busy")).is_some());
    let bytes = a.save_state().expect("encodes");
    let mut b = RoundRobinScheduler::restore_state(&bytes).expect("restores");
    assert_eq!(a, b);
    same_future(&mut a, &mut b, after);
    assert!(a.stats().migrations > 0, "the script exercises balancing");
}

proptest! {
    #[test]
    fn restored_after_any_history_it_decides_the_same(
        before in proptest::collection::vec(op(4), 0..200),
        after in proptest::collection::vec(op(4), 1..200),
        interval in 1u64..10,
    ) {
        let mut a = RoundRobinScheduler::new(4, config(interval)).expect("valid");
        for &op in &before {
            apply(&mut a, op);
        }
        let bytes = a.save_state().expect("encodes");
        let mut b = RoundRobinScheduler::restore_state(&bytes).expect("restores");
        same_future(&mut a, &mut b, &after);
    }

    #[test]
    fn corrupt_state_is_refused_or_consistent(
        before in proptest::collection::vec(op(4), 0..60),
        flips in proptest::collection::vec((any::<usize>(), any::<u8>()), 1..4),
    ) {
        let mut a = RoundRobinScheduler::new(4, config(5)).expect("valid");
        for &op in &before {
            apply(&mut a, op);
        }
        let mut bytes = a.save_state().expect("encodes");
        for (at, value) in flips {
            let len = bytes.len();
            if let Some(byte) = bytes.get_mut(at % len) {
                *byte ^= value;
            }
        }
        // Whatever is accepted is consistent: each runnable thread in
        // exactly one queue, and it keeps working.
        if let Ok(mut b) = RoundRobinScheduler::restore_state(&bytes) {
            for cpu in 0..b.cpu_count() {
                b.tick(cpu).expect("valid CPU");
            }
            let queued: Vec<_> = (0..b.cpu_count()).flat_map(|c| b.queue(c)).collect();
            let unique: BTreeSet<_> = queued.iter().copied().collect();
            prop_assert_eq!(unique.len(), queued.len());
            let runnable: BTreeSet<_> = b
                .threads()
                .iter()
                .filter(|i| i.state != ThreadState::Blocked)
                .map(|i| i.thread)
                .collect();
            prop_assert_eq!(unique, runnable);
        }
    }
}

#[test]
fn bad_bytes_are_refused() {
    let mut a = RoundRobinScheduler::new(2, RoundRobinConfig::default()).expect("valid");
    a.add_thread(t(1), 10, CpuMask::ALL).expect("add");
    let bytes = a.save_state().expect("encodes");
    for len in 0..bytes.len() {
        let cut = bytes.get(..len).expect("prefix");
        assert!(
            RoundRobinScheduler::restore_state(cut).is_err(),
            "{len} bytes"
        );
    }
    let mut longer = bytes.clone();
    longer.push(0);
    assert_eq!(
        RoundRobinScheduler::restore_state(&longer),
        Err(StateError::TrailingBytes(1))
    );
    // The body opens with the configuration: make min above max.
    let header = postcard::to_allocvec(&("round_robin", 1u32)).expect("encodes");
    let min_at = header.len() + 3;
    let mut crossed = bytes.clone();
    if let Some(min) = crossed.get_mut(min_at) {
        assert_eq!(*min, 1, "min_time_slice_ms is where the layout says");
        *min = 101;
    }
    assert!(matches!(
        RoundRobinScheduler::restore_state(&crossed),
        Err(StateError::Config(ConfigError::Order { .. }))
    ));
    let mut newer = bytes;
    if let Some(version) = newer.get_mut(header.len() - 1) {
        *version = 2;
    }
    assert_eq!(
        RoundRobinScheduler::restore_state(&newer),
        Err(StateError::UnsupportedVersion {
            found: 2,
            supported: 1
        })
    );
}
