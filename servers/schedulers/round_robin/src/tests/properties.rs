//! Over random event sequences no thread is lost or duplicated, every
//! answer fits the events, and the invariants of the queues hold.

use helix_sched_policy::testing::{Model, check_events, op};
use helix_sched_policy::{PolicyConfig, SchedulingPolicy};
use proptest::prelude::*;

use crate::{RoundRobinConfig, RoundRobinScheduler};

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn no_thread_is_lost_or_duplicated(
        ops in proptest::collection::vec(op(4), 1..300),
        interval in 1u64..8,
    ) {
        let config = RoundRobinConfig {
            load_balance_interval: interval,
            ..RoundRobinConfig::default()
        };
        let mut s = RoundRobinScheduler::new(4, config).expect("valid");
        check_events(&mut s, 4, &ops);
    }

    #[test]
    fn a_balance_step_leaves_loads_within_one_when_affinity_allows_it(
        ops in proptest::collection::vec(op(4), 1..200),
    ) {
        let config = RoundRobinConfig::parse_args("load_balance_interval=0").expect("valid");
        let mut s = RoundRobinScheduler::new(4, config).expect("valid");
        let mut model = Model::new(4);
        for op in ops {
            model.apply(&mut s, op);
        }
        let all_free = s.threads().iter().all(|i| i.affinity.within(4).0 == 0xf);
        s.balance();
        model.check(&s);
        if all_free {
            let loads: Vec<usize> = (0..4).map(|c| s.queue(c).len()).collect();
            let (lo, hi) = (loads.iter().min(), loads.iter().max());
            prop_assert!(hi.zip(lo).is_some_and(|(h, l)| h - l <= 1), "{:?}", loads);
        }
    }
}
