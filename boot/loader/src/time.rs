//! Time: the TSC, calibrated once against the PIT, and the CMOS clock.

use core::sync::atomic::{AtomicU64, Ordering};

use helix_loader_core::firmware::{RtcRegisters, rtc_to_unix};

use crate::arch::cpu::{self, rdtsc};

/// PIT input clock.
const PIT_HZ: u64 = 1_193_182;
/// Calibration window: 1 ms of PIT ticks.
const CALIBRATION_TICKS: u16 = 1193;
/// Assumed TSC rate when the PIT does not answer.
const FALLBACK_HZ: u64 = 1_000_000_000;

static TSC_HZ: AtomicU64 = AtomicU64::new(FALLBACK_HZ);

unsafe extern "C" {
    /// TSC at the first instruction (written by the PVH entry).
    static helix_entry_tsc: u64;
}

/// TSC value when the loader was entered.
pub fn entry_tsc() -> u64 {
    // SAFETY: written once by the entry code before Rust runs, never again.
    unsafe { (&raw const helix_entry_tsc).read() }
}

/// Port I/O restricted to the PIT (0x40-0x43), the speaker gate (0x61)
/// and the CMOS (0x70/0x71): devices only this module drives.
fn port_in(port: u16) -> u8 {
    debug_assert!(matches!(port, 0x40..=0x43 | 0x61 | 0x70 | 0x71));
    // SAFETY: reading these ports has no effect beyond what this module
    // expects (CMOS reads follow an index write).
    unsafe { cpu::inb(port) }
}

fn port_out(port: u16, value: u8) {
    debug_assert!(matches!(port, 0x40..=0x43 | 0x61 | 0x70 | 0x71));
    // SAFETY: PIT channel 2, the speaker gate (speaker output kept off)
    // and the CMOS index are unused by anything else during boot.
    unsafe { cpu::outb(port, value) }
}

/// Measures the TSC rate with PIT channel 2 (gate via port 0x61). Returns Hz.
pub fn calibrate() -> u64 {
    let gate = port_in(0x61) & !0x03;
    port_out(0x61, gate);
    port_out(0x43, 0b1011_0000); // channel 2, lo/hi byte, mode 0
    port_out(0x42, (CALIBRATION_TICKS & 0xff) as u8);
    port_out(0x42, (CALIBRATION_TICKS >> 8) as u8);
    port_out(0x61, gate | 0x01); // start counting
    let start = rdtsc();
    let mut end = start;
    let mut done = false;
    while end - start < 4 * FALLBACK_HZ / 10 {
        if port_in(0x61) & 0x20 != 0 {
            done = true;
            break;
        }
        end = rdtsc();
    }
    port_out(0x61, gate);
    let hz = if done {
        (end - start) * PIT_HZ / u64::from(CALIBRATION_TICKS)
    } else {
        FALLBACK_HZ
    };
    TSC_HZ.store(hz.max(1_000_000), Ordering::Relaxed);
    hz
}

/// TSC ticks per second.
pub fn tsc_hz() -> u64 {
    TSC_HZ.load(Ordering::Relaxed)
}

/// Converts TSC ticks to microseconds.
pub fn ticks_to_us(ticks: u64) -> u64 {
    (u128::from(ticks) * 1_000_000 / u128::from(tsc_hz())) as u64
}

/// Microseconds since the loader was entered.
pub fn since_entry_us() -> u64 {
    ticks_to_us(rdtsc().saturating_sub(entry_tsc()))
}

/// Busy-waits `us` microseconds.
pub fn delay_us(us: u64) {
    let until = rdtsc() + us * tsc_hz() / 1_000_000;
    while rdtsc() < until {
        core::hint::spin_loop();
    }
}

/// Polls `done` for up to `us` microseconds; true if it became true.
pub fn wait_for(us: u64, mut done: impl FnMut() -> bool) -> bool {
    let until = rdtsc() + us * tsc_hz() / 1_000_000;
    loop {
        if done() {
            return true;
        }
        if rdtsc() >= until {
            return false;
        }
        core::hint::spin_loop();
    }
}

fn cmos(reg: u8) -> u8 {
    port_out(0x70, 0x80 | reg); // bit 7 keeps NMIs masked
    port_in(0x71)
}

fn rtc_snapshot(century_reg: u8) -> RtcRegisters {
    RtcRegisters {
        seconds: cmos(0x00),
        minutes: cmos(0x02),
        hours: cmos(0x04),
        day: cmos(0x07),
        month: cmos(0x08),
        year: cmos(0x09),
        century: (century_reg != 0).then(|| cmos(century_reg)),
        status_b: cmos(0x0b),
    }
}

/// The CMOS clock as a UNIX timestamp (two equal reads outside an update).
pub fn unix_time(century_reg: u8) -> Option<i64> {
    for _ in 0..1000 {
        if !wait_for(10_000, || cmos(0x0a) & 0x80 == 0) {
            return None;
        }
        let a = rtc_snapshot(century_reg);
        let b = rtc_snapshot(century_reg);
        if a == b {
            return rtc_to_unix(a);
        }
    }
    None
}
