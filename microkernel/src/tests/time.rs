//! TSC-based time.

use helix_kernel_core::tsc;

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
    // An independent 20 ms PIT measurement agrees within 10%.
    let (tsc_ticks, pit_ticks) = pit::measure_tsc(23864);
    let hz = tsc::hz_from_pit(tsc_ticks, pit_ticks).unwrap_or(0);
    ensure!(
        hz.abs_diff(clock.hz) <= clock.hz / 10,
        "PIT re-measurement differs from the boot calibration by more than 10%"
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
