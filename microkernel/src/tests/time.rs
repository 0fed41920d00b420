//! TSC-based time.

use crate::arch::{cpu, pit};
use crate::ktest::Failure;
use crate::time;
use crate::{ensure, ktest};

fn tsc_is_monotonic() -> Result<(), Failure> {
    let mut last = cpu::rdtsc();
    for _ in 0..10_000 {
        let now = cpu::rdtsc();
        ensure!(now >= last, "TSC went backwards");
        last = now;
    }
    let a = time::us_since_entry();
    pit::measure_tsc(1193); // ~1 ms
    ensure!(
        time::us_since_entry() > a,
        "clock did not advance over 1 ms"
    );
    Ok(())
}

fn tsc_frequency_agrees_with_pit() -> Result<(), Failure> {
    let clock = time::clock().ok_or(Failure::Missing("clock"))?;
    ensure!(clock.hz > 50_000_000, "TSC below 50 MHz");
    ensure!(clock.hz < 20_000_000_000, "TSC above 20 GHz");
    // 20 ms by the PIT should be 20 ms by the TSC, within 25%.
    let ticks = pit::measure_tsc(23864);
    let us = ticks as u128 * 1_000_000 / clock.hz as u128;
    ensure!(
        (15_000..=25_000).contains(&us),
        "20 PIT-ms off by more than 25% on the TSC"
    );
    Ok(())
}

fn boot_time_is_plausible() -> Result<(), Failure> {
    let ms = time::ms_since_entry();
    ensure!(ms < 120_000, "more than two minutes since entry");
    ensure!(time::us_since_entry() > 0, "no time passed since entry");
    Ok(())
}

ktest!(
    tsc_is_monotonic,
    tsc_frequency_agrees_with_pit,
    boot_time_is_plausible,
);
