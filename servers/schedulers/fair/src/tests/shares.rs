//! CPU time in proportion to weights, and measurably unlike round robin
//! for the same workload, also when the policy is swapped at run time.

use std::collections::BTreeMap;

use helix_sched_policy::testing::cpu_time;
use helix_sched_policy::{CpuMask, SchedulingPolicy, ThreadId};
use helix_scheduler_round_robin::{RoundRobinConfig, RoundRobinScheduler};

use super::{scheduler, t};
use crate::{FairConfig, FairScheduler, weight};

/// Add 16 threads to 4 CPUs so that each CPU gets one of each of
/// `priorities` (thread n goes to CPU n % 4, the least loaded).
fn mixed(s: &mut dyn SchedulingPolicy, priorities: [u8; 4]) -> BTreeMap<ThreadId, u8> {
    let mut priority_of = BTreeMap::new();
    for n in 0..16u64 {
        let priority = priorities[((n / 4 + n % 4) % 4) as usize];
        assert_eq!(
            s.add_thread(t(n), priority, CpuMask::ALL),
            Ok((n % 4) as u32)
        );
        priority_of.insert(t(n), priority);
    }
    priority_of
}

/// CPU ticks per priority class.
fn per_class(
    time: &BTreeMap<ThreadId, u64>,
    priority_of: &BTreeMap<ThreadId, u8>,
) -> BTreeMap<u8, u64> {
    let mut out = BTreeMap::new();
    for (thread, ticks) in time {
        if let Some(&p) = priority_of.get(thread) {
            *out.entry(p).or_insert(0) += ticks;
        }
    }
    out
}

fn within(got: f64, expected: f64, tolerance: f64) -> bool {
    (got - expected).abs() <= tolerance * expected
}

#[test]
fn shares_are_proportional_to_weights() {
    // Weights 10, 20, 40, 80 on every CPU: shares 1/15, 2/15, 4/15, 8/15.
    let priorities = [9, 19, 39, 79];
    let mut s = scheduler(4);
    let priority_of = mixed(&mut s, priorities);
    let periods = 20_000;
    let time = cpu_time(&mut s, periods);
    let total: u64 = priorities.iter().map(|&p| weight(p)).sum();
    assert_eq!(total, 150);
    for (thread, &p) in &priority_of {
        let expected = periods as f64 * weight(p) as f64 / total as f64;
        let got = time.get(thread).copied().unwrap_or(0) as f64;
        assert!(
            within(got, expected, 0.10),
            "{thread:?} (priority {p}): {got}, expected {expected}"
        );
    }
    println!(
        "fair, CPU ticks per priority: {:?}",
        per_class(&time, &priority_of)
    );
}

/// Priorities 0, 60, 120, 200: round robin's classes 0.5x, 1x, 2x, 2x
/// (slices 5, 10, 20, 20 of 55 ms); fair weights 1, 61, 121, 201 of 384.
const WORKLOAD: [u8; 4] = [0, 60, 120, 200];

fn shares(
    time: &BTreeMap<ThreadId, u64>,
    priority_of: &BTreeMap<ThreadId, u8>,
) -> BTreeMap<u8, f64> {
    let classes = per_class(time, priority_of);
    let total: u64 = classes.values().sum();
    classes
        .into_iter()
        .map(|(p, ticks)| (p, ticks as f64 / total as f64))
        .collect()
}

fn share(shares: &BTreeMap<u8, f64>, priority: u8) -> f64 {
    shares.get(&priority).copied().unwrap_or(0.0)
}

#[test]
fn the_two_policies_share_the_same_workload_differently() {
    let periods = 20_000;
    let mut rr = RoundRobinScheduler::new(4, RoundRobinConfig::default()).expect("valid");
    let priority_of = mixed(&mut rr, WORKLOAD);
    let rr_shares = shares(&cpu_time(&mut rr, periods), &priority_of);
    let mut fair = scheduler(4);
    mixed(&mut fair, WORKLOAD);
    let fair_shares = shares(&cpu_time(&mut fair, periods), &priority_of);
    println!("share per priority, round robin: {rr_shares:.3?}");
    println!("share per priority, fair:        {fair_shares:.3?}");
    // Each matches its own rule...
    for (p, slice) in WORKLOAD.into_iter().zip([5.0, 10.0, 20.0, 20.0]) {
        assert!(within(share(&rr_shares, p), slice / 55.0, 0.10), "rr {p}");
    }
    for p in [60, 120, 200] {
        let expected = weight(p) as f64 / 384.0;
        assert!(within(share(&fair_shares, p), expected, 0.10), "fair {p}");
    }
    // ...and they differ: round robin gives 120 and 200 the same, fair
    // gives 200 two thirds more; priority 0 keeps 9% under round robin
    // and under 1% under fair.
    let rr_ratio = share(&rr_shares, 200) / share(&rr_shares, 120);
    let fair_ratio = share(&fair_shares, 200) / share(&fair_shares, 120);
    assert!(within(rr_ratio, 1.0, 0.10), "{rr_ratio}");
    assert!(within(fair_ratio, 201.0 / 121.0, 0.10), "{fair_ratio}");
    assert!(share(&rr_shares, 0) > 0.08 && share(&fair_shares, 0) < 0.01);
}

#[test]
fn swapping_the_policy_at_run_time_changes_the_shares() {
    let periods = 10_000;
    let mut policy: Box<dyn SchedulingPolicy> =
        Box::new(RoundRobinScheduler::new(4, RoundRobinConfig::default()).expect("valid"));
    let priority_of = mixed(policy.as_mut(), WORKLOAD);
    let before = shares(&cpu_time(policy.as_mut(), periods), &priority_of);
    // What a server does: build the new policy from the old one's threads.
    let threads = policy.threads();
    policy = Box::new(
        FairScheduler::from_threads(4, FairConfig::default(), &threads).expect("takes over"),
    );
    assert_eq!(policy.name(), "fair");
    assert_eq!(policy.threads().len(), 16);
    let after = shares(&cpu_time(policy.as_mut(), periods), &priority_of);
    println!("before the swap: {before:.3?}\nafter the swap:  {after:.3?}");
    assert!(share(&before, 0) > 5.0 * share(&after, 0));
    assert!(share(&after, 200) > 1.3 * share(&before, 200));
}
