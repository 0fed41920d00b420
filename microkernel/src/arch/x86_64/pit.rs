//! PIT channel 2 as a one-shot stopwatch, for TSC calibration.

use ::x86_64::instructions::port::Port;

const CHANNEL2_DATA: u16 = 0x42;
const COMMAND: u16 = 0x43;
const SPEAKER_GATE: u16 = 0x61;

/// Count `ticks` PIT ticks (at 1.193182 MHz) on channel 2 and return how
/// many TSC ticks passed meanwhile. `ticks` must fit 16 bits.
pub fn measure_tsc(ticks: u16) -> u64 {
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
    unsafe { data.write((ticks & 0xff) as u8) };
    // SAFETY: count high byte; counting starts now.
    unsafe { data.write((ticks >> 8) as u8) };
    let start = super::cpu::rdtsc();
    // SAFETY: reading the gate register has no side effects; bit 5 is
    // channel 2's output, which goes high when the count reaches 0.
    while unsafe { gate.read() } & 0x20 == 0 {
        core::hint::spin_loop();
    }
    super::cpu::rdtsc() - start
}
