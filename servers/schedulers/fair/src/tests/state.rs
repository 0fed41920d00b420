//! Saved state of the fair policy: restored mid-run it decides the same;
//! another policy's state, and bad floors, are refused.

use helix_sched_policy::testing::{apply, assert_same_future, check_events, op};
use helix_sched_policy::{Inconsistency, SchedulingPolicy, StateError};
use helix_scheduler_round_robin::{RoundRobinConfig, RoundRobinScheduler};
use proptest::prelude::*;

use crate::{FairConfig, FairScheduler};

fn config(interval: u64) -> FairConfig {
    FairConfig {
        load_balance_interval: interval,
        ..FairConfig::default()
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn no_thread_is_lost_or_duplicated(
        ops in proptest::collection::vec(op(4), 1..300),
        interval in 1u64..8,
    ) {
        let mut s = FairScheduler::new(4, config(interval)).expect("valid");
        check_events(&mut s, 4, &ops);
    }

    #[test]
    fn restored_after_any_history_it_decides_the_same(
        before in proptest::collection::vec(op(4), 0..300),
        after in proptest::collection::vec(op(4), 1..300),
        interval in 1u64..10,
    ) {
        let mut a = FairScheduler::new(4, config(interval)).expect("valid");
        for &op in &before {
            apply(&mut a, op);
        }
        let bytes = a.save_state().expect("encodes");
        let mut b = FairScheduler::restore_state(&bytes).expect("restores");
        prop_assert_eq!(&a, &b);
        assert_same_future(&mut a, &mut b, &after);
        prop_assert_eq!(a, b);
    }
}

#[test]
fn another_policys_state_is_refused() {
    let rr = RoundRobinScheduler::new(4, RoundRobinConfig::default()).expect("valid");
    let bytes = rr.save_state().expect("encodes");
    assert_eq!(
        FairScheduler::restore_state(&bytes),
        Err(StateError::WrongPolicy {
            expected: "fair",
            found: "round_robin".into()
        })
    );
    let fair = FairScheduler::new(4, FairConfig::default()).expect("valid");
    let bytes = fair.save_state().expect("encodes");
    assert!(matches!(
        RoundRobinScheduler::restore_state(&bytes),
        Err(StateError::WrongPolicy { .. })
    ));
}

#[test]
fn floors_for_another_cpu_count_are_refused() {
    let fair = FairScheduler::new(4, FairConfig::default()).expect("valid");
    let bytes = fair.save_state().expect("encodes");
    // The body opens with the policy: quantum, interval, then the floors'
    // length (4) and the four floors (0). Drop one floor.
    let header = postcard::to_allocvec(&("fair", 1u32)).expect("encodes");
    let floors_at = header.len() + 2;
    let mut three = bytes.clone();
    assert_eq!(
        three.get(floors_at..floors_at + 5),
        Some(&[4, 0, 0, 0, 0][..])
    );
    three.splice(floors_at..floors_at + 5, [3, 0, 0, 0]);
    assert_eq!(
        FairScheduler::restore_state(&three),
        Err(StateError::Inconsistent(Inconsistency::CpuCount(3)))
    );
}
