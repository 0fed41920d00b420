//! [`PolicyScheduler`] with the FIFO test policy: ticks, yields, the
//! periodic balance, run-time settings, and saved state in and out.

use alloc::vec::Vec;

use super::{FifoScheduler, TestConfig, t};
use crate::{
    BuildError, ConfigError, CpuMask, Decision, Inconsistency, PolicyError, SchedulingPolicy,
    StateError, encode_state,
};

fn busy(cpus: u32, threads: u64) -> FifoScheduler {
    let config = TestConfig {
        quantum: 3,
        interval: 4,
    };
    let mut s = FifoScheduler::new(cpus, config).expect("valid");
    for n in 0..threads {
        s.add_thread_on(t(n), 10, CpuMask::ALL, 0).expect("add");
    }
    s
}

#[test]
fn construction_checks_cpus_and_config() {
    assert_eq!(
        FifoScheduler::new(0, TestConfig::default()).map(drop),
        Err(BuildError::Policy(PolicyError::CpuCount(0)))
    );
    let zero = TestConfig {
        quantum: 0,
        interval: 0,
    };
    assert_eq!(
        FifoScheduler::new(1, zero).map(drop),
        Err(BuildError::Config(ConfigError::Zero("quantum")))
    );
}

#[test]
fn ticks_expire_quanta_and_the_interval_balances() {
    let mut s = busy(2, 3);
    assert_eq!(s.tick(0), Ok(Decision::Continue(t(0))));
    assert_eq!(s.tick(1), Ok(Decision::Idle));
    assert_eq!(s.tick(0), Ok(Decision::Continue(t(0))));
    assert_eq!(
        s.tick(0),
        Ok(Decision::Switch {
            prev: t(0),
            next: t(1)
        })
    );
    assert!(s.take_migrations().is_empty());
    // System tick 4 (CPU 0's fourth): the balance step moves the back of
    // CPU 0's queue, thread 0, to CPU 1, where it runs.
    assert_eq!(s.tick(0), Ok(Decision::Continue(t(1))));
    let moved = s.take_migrations();
    assert_eq!(
        moved
            .iter()
            .map(|m| (m.thread, m.from, m.to))
            .collect::<Vec<_>>(),
        [(t(0), 0, 1)]
    );
    assert!(s.take_migrations().is_empty());
    assert_eq!(s.next(1), Some(t(0)));
    assert_eq!(s.stats().balance_steps, 1);
    assert_eq!(s.stats().migrations, 1);
    assert_eq!(
        s.stats()
            .cpus
            .first()
            .map(|c| (c.ticks, c.busy_ticks, c.expiries)),
        Some((4, 4, 1))
    );
    assert_eq!(
        s.stats().cpus.get(1).map(|c| (c.ticks, c.busy_ticks)),
        Some((1, 0))
    );
    assert_eq!(s.tick(5), Err(PolicyError::InvalidCpu { cpu: 5, cpus: 2 }));
}

#[test]
fn yield_and_dispatch_answer() {
    let mut s = busy(1, 2);
    s.tick(0).expect("cpu");
    assert_eq!(s.remaining_ms(t(0)), Some(2));
    let d = s.dispatch(0).expect("running");
    assert_eq!((d.thread, d.quantum_ns), (t(0), 2_000_000));
    assert_eq!(
        s.yield_now(0),
        Ok(Decision::Switch {
            prev: t(0),
            next: t(1)
        })
    );
    assert_eq!(s.remaining_ms(t(1)), Some(3));
    assert_eq!(s.remaining_ms(t(0)), Some(3));
    s.block(t(0)).expect("ready");
    assert_eq!(s.remaining_ms(t(0)), None);
    assert_eq!(
        s.stats().cpus.first().map(|c| (c.yields, c.switches)),
        Some((1, 1))
    );
}

#[test]
fn run_time_settings_are_validated_and_clamp_the_running_quantum() {
    let mut s = busy(1, 2);
    assert_eq!(s.config_words(), "quantum=3 interval=4");
    assert_eq!(
        s.set_option("quantum", "0"),
        Err(ConfigError::Zero("quantum"))
    );
    assert_eq!(s.config_words(), "quantum=3 interval=4");
    s.set_option("quantum", "1").expect("valid");
    assert_eq!(s.remaining_ms(t(0)), Some(1));
    assert_eq!(s.quantum_ms(t(1)), Some(1));
    assert_eq!(
        s.tick(0),
        Ok(Decision::Switch {
            prev: t(0),
            next: t(1)
        })
    );
}

#[test]
fn saved_state_restores_equal() {
    let mut s = busy(2, 5);
    for _ in 0..7 {
        s.tick(0).expect("cpu");
        s.tick(1).expect("cpu");
    }
    s.block(t(2)).expect("block");
    let bytes = s.save_state().expect("encodes");
    assert_eq!(FifoScheduler::restore_state(&bytes), Ok(s));
}

#[test]
fn saved_state_is_checked() {
    let s = busy(2, 5);
    let mut short = s.clone();
    short.stats.cpus.pop();
    let bytes = short.save_state().expect("encodes");
    assert_eq!(
        FifoScheduler::restore_state(&bytes),
        Err(StateError::Inconsistent(Inconsistency::CpuCount(1)))
    );

    let mut bad_config = s.clone();
    bad_config.policy.config.quantum = 0;
    let bytes = bad_config.save_state().expect("encodes");
    assert_eq!(
        FifoScheduler::restore_state(&bytes),
        Err(StateError::Config(ConfigError::Zero("quantum")))
    );

    let mut misplaced = s.clone();
    misplaced.queues.next_seq = 0;
    let bytes = misplaced.save_state().expect("encodes");
    assert!(matches!(
        FifoScheduler::restore_state(&bytes),
        Err(StateError::Inconsistent(Inconsistency::StaleSequence(_)))
    ));

    let other = encode_state("round_robin", 7, &s).expect("encodes");
    assert!(matches!(
        FifoScheduler::restore_state(&other),
        Err(StateError::WrongPolicy { .. })
    ));
    let bytes = s.save_state().expect("encodes");
    for len in 0..bytes.len() {
        let cut = bytes.get(..len).expect("prefix");
        assert!(FifoScheduler::restore_state(cut).is_err(), "{len} bytes");
    }
}
