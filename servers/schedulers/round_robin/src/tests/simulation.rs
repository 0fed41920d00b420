//! 16 CPU-bound threads at mixed priorities on 4 CPUs: CPU time in the
//! ratios of the scaling table.

use std::collections::BTreeMap;

use helix_sched_policy::testing::cpu_time;
use helix_sched_policy::{CpuMask, SchedulingPolicy};

use super::{scheduler, t};

/// One priority of each row of the spec's table, with its slice in ms at
/// the default base of 10 ms (0.5x, 1.0x, 1.5x, 2.0x).
const CLASSES: [(u8, u64); 4] = [(10, 5), (50, 10), (80, 15), (100, 20)];

#[test]
fn cpu_time_follows_the_scaling_table() {
    let mut s = scheduler(4);
    // Thread n goes to CPU n % 4 (least loaded first); the class rotates
    // so that each CPU gets one thread of each class.
    let mut slice_of = BTreeMap::new();
    for n in 0..16u64 {
        let (priority, slice) = CLASSES[((n / 4 + n % 4) % 4) as usize];
        assert_eq!(
            s.add_thread(t(n), priority, CpuMask::ALL),
            Ok((n % 4) as u32)
        );
        slice_of.insert(t(n), slice);
    }
    let periods = 10_000;
    let time = cpu_time(&mut s, periods);
    // Each CPU runs 5 + 10 + 15 + 20 = 50 ms per round: a thread's share
    // of its CPU is its slice / 50.
    for (thread, slice) in &slice_of {
        let expected = periods as f64 * *slice as f64 / 50.0;
        let got = time.get(thread).copied().unwrap_or(0) as f64;
        assert!(
            (got - expected).abs() <= 0.10 * expected,
            "{thread:?}: {got} ticks, expected {expected}"
        );
    }
    let mut per_class = [0u64; 4];
    for (thread, ticks) in &time {
        let slice = slice_of.get(thread).copied().unwrap_or(0);
        if let Some(i) = CLASSES.iter().position(|&(_, s)| s == slice) {
            per_class[i] += ticks;
        }
    }
    println!("round robin, CPU ticks per class (0.5x, 1x, 1.5x, 2x): {per_class:?}");
    let lowest = per_class[0] as f64;
    for (i, &(_, slice)) in CLASSES.iter().enumerate() {
        let ratio = per_class[i] as f64 / lowest;
        let table = slice as f64 / 5.0;
        assert!(
            (ratio - table).abs() <= 0.10 * table,
            "class {i}: ratio {ratio}, table {table}"
        );
    }
    assert_eq!(s.stats().migrations, 0, "balanced from the start");
    assert_eq!(
        s.stats().cpus.iter().map(|c| c.busy_ticks).sum::<u64>(),
        4 * periods
    );
}
