//! PIT channel 2 as a free-running countdown, for TSC calibration.
//!
//! Calibration reads the counter together with the TSC at both ends of an
//! interval instead of waiting for the countdown to expire: under an
//! emulator on a busy host the vCPU can be descheduled at any moment, and
//! paired samples keep such delays out of the result (a delay between the
//! two samples only lengthens the interval both clocks measure).

use ::x86_64::instructions::port::Port;

use super::cpu;

const CHANNEL2_DATA: u16 = 0x42;
const COMMAND: u16 = 0x43;
const SPEAKER_GATE: u16 = 0x61;

/// Start channel 2 counting down from `count` (mode 0, gate on, speaker off).
fn start(count: u16) {
    let mut gate = Port::<u8>::new(SPEAKER_GATE);
    let mut cmd = Port::<u8>::new(COMMAND);
    let mut data = Port::<u8>::new(CHANNEL2_DATA);
    // Ports 0x42, 0x43 and 0x61 are PIT channel 2 and its gate on every PC;
    // nothing else in the kernel uses them, and the speaker stays off.
    // SAFETY: reading the gate register has no side effects.
    let g = unsafe { gate.read() };
    // SAFETY: gate on (bit 0), speaker data off (bit 1).
    unsafe { gate.write((g & !0x02) | 0x01) };
    // SAFETY: channel 2, lobyte/hibyte access, mode 0, binary.
    unsafe { cmd.write(0b1011_0000) };
    // SAFETY: count low byte, as the command announced.
    unsafe { data.write((count & 0xff) as u8) };
    // SAFETY: count high byte; counting starts now.
    unsafe { data.write((count >> 8) as u8) };
}

/// Latch and read channel 2's current count.
fn read_count() -> u16 {
    let mut cmd = Port::<u8>::new(COMMAND);
    let mut data = Port::<u8>::new(CHANNEL2_DATA);
    // SAFETY: counter-latch command for channel 2; it only freezes the
    // value the next two data reads return.
    unsafe { cmd.write(0b1000_0000) };
    // SAFETY: reads the latched low byte.
    let lo = unsafe { data.read() };
    // SAFETY: reads the latched high byte.
    let hi = unsafe { data.read() };
    u16::from_le_bytes([lo, hi])
}

/// One paired sample: PIT count and the TSC in the middle of reading it.
#[derive(Clone, Copy)]
struct Sample {
    count: u16,
    tsc: u64,
    /// TSC ticks the read took (its uncertainty).
    spread: u64,
}

fn sample() -> Sample {
    let t0 = cpu::rdtsc();
    let count = read_count();
    let t1 = cpu::rdtsc();
    Sample {
        count,
        tsc: t0 + (t1 - t0) / 2,
        spread: t1 - t0,
    }
}

/// The tightest of a few samples.
fn best_sample() -> Sample {
    (0..5)
        .map(|_| sample())
        .min_by_key(|s| s.spread)
        .unwrap_or_else(sample)
}

/// Let the PIT count at least `ticks` (at 1.193182 MHz, `ticks` < 60000)
/// and return `(tsc_ticks, pit_ticks)` elapsed between two paired samples.
pub fn measure_tsc(ticks: u16) -> (u64, u64) {
    start(u16::MAX);
    // The first read after programming can see the old count; settle.
    while read_count() == 0 {
        core::hint::spin_loop();
    }
    let a = best_sample();
    loop {
        let b = best_sample();
        let counted = a.count.wrapping_sub(b.count);
        if counted >= ticks {
            return (b.tsc - a.tsc, u64::from(counted));
        }
        core::hint::spin_loop();
    }
}
