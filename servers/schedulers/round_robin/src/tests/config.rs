//! The configuration: defaults, the scaling table, clamping, checks, words.

use helix_sched_policy::{ConfigError, CpuMask, PolicyConfig, SchedulingPolicy};
use proptest::prelude::*;

use super::{one_cpu, t};
use crate::{RoundRobinConfig, TIME_SLICE_LIMIT_MS};

#[test]
fn defaults_are_the_spec_and_the_documented_choices() {
    let c = RoundRobinConfig::default();
    assert_eq!(c.base_time_slice_ms, 10);
    assert!(c.priority_scaling);
    assert_eq!(c.load_balance_interval, 100);
    assert_eq!((c.min_time_slice_ms, c.max_time_slice_ms), (1, 100));
    assert_eq!(c.validate(), Ok(()));
}

#[test]
fn scaling_table_at_its_boundaries() {
    // The spec's table with the default base of 10 ms.
    let c = RoundRobinConfig::default();
    let table = [
        (0, 5),
        (30, 5),
        (31, 10),
        (60, 10),
        (61, 15),
        (90, 15),
        (91, 20),
        (255, 20),
    ];
    for (priority, ms) in table {
        assert_eq!(c.time_slice_ms(priority), ms, "priority {priority}");
    }
    // The same through the scheduler, per thread.
    let s = one_cpu(&[(1, 30), (2, 31), (3, 60), (4, 61), (5, 90), (6, 91)]);
    let quanta: Vec<_> = (1..=6).map(|n| s.quantum_ms(t(n))).collect();
    assert_eq!(
        quanta,
        [Some(5), Some(10), Some(10), Some(15), Some(15), Some(20)]
    );
}

#[test]
fn slices_are_clamped_to_min_and_max() {
    let c = RoundRobinConfig {
        min_time_slice_ms: 8,
        max_time_slice_ms: 12,
        ..RoundRobinConfig::default()
    };
    assert_eq!(c.time_slice_ms(0), 8);
    assert_eq!(c.time_slice_ms(50), 10);
    assert_eq!(c.time_slice_ms(70), 12);
    assert_eq!(c.time_slice_ms(200), 12);
    // An odd base rounds down: 0.5 x 3 = 1.
    let odd = RoundRobinConfig {
        base_time_slice_ms: 3,
        ..RoundRobinConfig::default()
    };
    assert_eq!([0, 40, 80, 100].map(|p| odd.time_slice_ms(p)), [1, 3, 4, 6]);
}

#[test]
fn without_scaling_everyone_gets_the_clamped_base() {
    let off = RoundRobinConfig {
        priority_scaling: false,
        ..RoundRobinConfig::default()
    };
    assert!(
        [0, 30, 31, 90, 91, 255]
            .iter()
            .all(|&p| off.time_slice_ms(p) == 10)
    );
    let clamped = RoundRobinConfig {
        base_time_slice_ms: 50,
        max_time_slice_ms: 40,
        ..off
    };
    assert_eq!(clamped.time_slice_ms(0), 40);
    assert_eq!(clamped.time_slice_ms(255), 40);
}

#[test]
fn validation() {
    let d = RoundRobinConfig::default();
    let zero_base = RoundRobinConfig {
        base_time_slice_ms: 0,
        ..d
    };
    assert_eq!(
        zero_base.validate(),
        Err(ConfigError::Zero("base_time_slice_ms"))
    );
    let zero_min = RoundRobinConfig {
        min_time_slice_ms: 0,
        ..d
    };
    assert_eq!(
        zero_min.validate(),
        Err(ConfigError::Zero("min_time_slice_ms"))
    );
    let crossed = RoundRobinConfig {
        min_time_slice_ms: 30,
        max_time_slice_ms: 20,
        ..d
    };
    assert_eq!(
        crossed.validate(),
        Err(ConfigError::Order {
            low: "min_time_slice_ms",
            low_value: 30,
            high: "max_time_slice_ms",
            high_value: 20
        })
    );
    let huge = RoundRobinConfig {
        max_time_slice_ms: TIME_SLICE_LIMIT_MS + 1,
        ..d
    };
    assert!(matches!(huge.validate(), Err(ConfigError::TooLarge { .. })));
    let never = RoundRobinConfig {
        load_balance_interval: 0,
        ..d
    };
    assert_eq!(never.validate(), Ok(()));
}

#[test]
fn boot_arguments() {
    let c =
        RoundRobinConfig::parse_args("base_time_slice_ms=20 priority_scaling=off").expect("valid");
    assert_eq!(
        c,
        RoundRobinConfig {
            base_time_slice_ms: 20,
            priority_scaling: false,
            ..RoundRobinConfig::default()
        }
    );
    assert_eq!(
        RoundRobinConfig::default().words(),
        "base_time_slice_ms=10 priority_scaling=true load_balance_interval=100 \
         min_time_slice_ms=1 max_time_slice_ms=100"
    );
    assert!(matches!(
        RoundRobinConfig::parse_args("time_slice=5"),
        Err(ConfigError::UnknownKey { .. })
    ));
    assert!(matches!(
        RoundRobinConfig::parse_args("priority_scaling=maybe"),
        Err(ConfigError::BadValue { .. })
    ));
    assert!(matches!(
        RoundRobinConfig::parse_args("min_time_slice_ms=200"),
        Err(ConfigError::Order { .. })
    ));
}

#[test]
fn run_time_setting() {
    let mut s = one_cpu(&[(1, 50), (2, 50)]);
    s.set_option("base_time_slice_ms", "20").expect("valid");
    assert_eq!(s.quantum_ms(t(2)), Some(20));
    assert!(s.config_words().starts_with("base_time_slice_ms=20 "));
    let before = *s.config();
    assert!(s.set_option("max_time_slice_ms", "0").is_err());
    assert!(s.set_option("no_such_key", "1").is_err());
    assert_eq!(*s.config(), before);
    // Lowering the maximum cuts the running thread's quantum short.
    s.set_option("max_time_slice_ms", "2").expect("valid");
    assert_eq!(s.remaining_ms(t(1)), Some(2));
    s.add_thread(t(3), 0, CpuMask::ALL).expect("add");
    assert_eq!(s.quantum_ms(t(3)), Some(2));
}

fn any_valid_config() -> impl Strategy<Value = RoundRobinConfig> {
    (
        1..=TIME_SLICE_LIMIT_MS,
        any::<bool>(),
        any::<u64>(),
        1..=TIME_SLICE_LIMIT_MS,
    )
        .prop_flat_map(|(base, scaling, interval, min)| {
            (min..=TIME_SLICE_LIMIT_MS).prop_map(move |max| RoundRobinConfig {
                base_time_slice_ms: base,
                priority_scaling: scaling,
                load_balance_interval: interval,
                min_time_slice_ms: min,
                max_time_slice_ms: max,
            })
        })
}

proptest! {
    #[test]
    fn words_parse_back(config in any_valid_config()) {
        prop_assert_eq!(RoundRobinConfig::parse_args(&config.words()), Ok(config));
    }

    #[test]
    fn every_slice_is_within_min_and_max(config in any_valid_config(), priority in any::<u8>()) {
        let slice = config.time_slice_ms(priority);
        prop_assert!(config.min_time_slice_ms <= slice && slice <= config.max_time_slice_ms);
    }
}
