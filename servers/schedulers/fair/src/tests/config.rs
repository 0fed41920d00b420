//! The configuration and the weight table.

use helix_sched_policy::{ConfigError, PolicyConfig, SchedulingPolicy};

use super::{one_cpu, t};
use crate::{FairConfig, QUANTUM_LIMIT_MS, weight};

#[test]
fn weights_are_priority_plus_one() {
    assert_eq!([0, 1, 99, 254, 255].map(weight), [1, 2, 100, 255, 256]);
}

#[test]
fn defaults_checks_and_words() {
    let d = FairConfig::default();
    assert_eq!((d.quantum_ms, d.load_balance_interval), (10, 100));
    assert_eq!(d.words(), "quantum_ms=10 load_balance_interval=100");
    assert_eq!(FairConfig::parse_args(&d.words()), Ok(d));
    assert_eq!(
        FairConfig::parse_args("quantum_ms=0"),
        Err(ConfigError::Zero("quantum_ms"))
    );
    assert!(matches!(
        FairConfig::parse_args(&format!("quantum_ms={}", QUANTUM_LIMIT_MS + 1)),
        Err(ConfigError::TooLarge { .. })
    ));
    assert!(matches!(
        FairConfig::parse_args("base_time_slice_ms=10"),
        Err(ConfigError::UnknownKey { .. })
    ));
    assert_eq!(
        FairConfig::parse_args("load_balance_interval=0 quantum_ms=3"),
        Ok(FairConfig {
            quantum_ms: 3,
            load_balance_interval: 0
        })
    );
}

#[test]
fn the_quantum_is_the_same_for_every_priority_and_settable() {
    let mut s = one_cpu(&[(1, 0), (2, 255)]);
    assert_eq!(s.quantum_ms(t(1)), Some(10));
    assert_eq!(s.quantum_ms(t(2)), Some(10));
    s.set_option("quantum_ms", "4").expect("valid");
    assert_eq!(s.quantum_ms(t(2)), Some(4));
    assert_eq!(s.remaining_ms(t(1)), Some(4));
    assert!(s.set_option("quantum_ms", "x").is_err());
    assert_eq!(s.config().quantum_ms, 4);
}
