//! Milliseconds since kernel entry, from the TSC.

use helix_kernel_core::tsc::{self, Clock};
use spin::Once;

use crate::arch::{cpu, pit};

/// How the TSC frequency was found.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Source {
    /// CPUID leaf 0x15 or 0x16.
    Cpuid,
    /// Measured against the PIT.
    Pit,
}

static CLOCK: Once<(Clock, Source)> = Once::new();

/// PIT ticks used for calibration (10 ms).
const CALIBRATION_TICKS: u16 = (tsc::PIT_HZ / 100) as u16;

/// Fix the TSC frequency; `entry_tsc` is time zero.
pub fn init(entry_tsc: u64) -> (Clock, Source) {
    *CLOCK.call_once(|| {
        let max = cpu::max_leaf();
        let l15 = (max >= 0x15).then(|| {
            let r = cpu::cpuid(0x15, 0);
            (r.eax, r.ebx, r.ecx)
        });
        let l16 = (max >= 0x16).then(|| cpu::cpuid(0x16, 0).eax);
        match tsc::hz_from_cpuid(l15, l16) {
            Some(hz) => (
                Clock {
                    hz,
                    start: entry_tsc,
                },
                Source::Cpuid,
            ),
            None => {
                let (tsc_ticks, pit_ticks) = pit::measure_tsc(CALIBRATION_TICKS);
                let hz = tsc::hz_from_pit(tsc_ticks, pit_ticks).unwrap_or(0);
                (
                    Clock {
                        hz,
                        start: entry_tsc,
                    },
                    Source::Pit,
                )
            }
        }
    })
}

/// The clock (after [`init`]).
pub fn clock() -> Option<Clock> {
    CLOCK.get().map(|c| c.0)
}

/// Milliseconds since kernel entry (0 before [`init`]).
pub fn ms_since_entry() -> u64 {
    clock().map_or(0, |c| c.ms(cpu::rdtsc()))
}

/// Microseconds since kernel entry (0 before [`init`]).
pub fn us_since_entry() -> u64 {
    clock().map_or(0, |c| c.us(cpu::rdtsc()))
}
