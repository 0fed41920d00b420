//! The local APIC (xAPIC, memory-mapped): enable, periodic timer,
//! end-of-interrupt, inter-processor interrupts. The register page is
//! mapped once by the kernel at its HHDM address.

use core::sync::atomic::{AtomicU64, Ordering};

use ::x86_64::registers::model_specific::Msr;

use super::cpu;

/// Timer vector.
pub const TIMER_VECTOR: u8 = 0x20;
/// IPI: reschedule (a thread became ready, or the running one must stop).
pub const RESCHEDULE_VECTOR: u8 = 0xf0;
/// IPI: flush the TLB.
pub const TLB_VECTOR: u8 = 0xf1;
/// Spurious vector.
pub const SPURIOUS_VECTOR: u8 = 0xff;

const ID: u64 = 0x20;
const EOI: u64 = 0xb0;
const SVR: u64 = 0xf0;
const ICR_LOW: u64 = 0x300;
const ICR_HIGH: u64 = 0x310;
const LVT_TIMER: u64 = 0x320;
const LVT_LINT0: u64 = 0x350;
const INITIAL: u64 = 0x380;
const CURRENT: u64 = 0x390;
const DIVIDE: u64 = 0x3e0;

/// Virtual base of the register page (0 before [`set_base`]).
static BASE: AtomicU64 = AtomicU64::new(0);
/// Timer counts per millisecond (divide by 16), from calibration.
static PER_MS: AtomicU64 = AtomicU64::new(0);

/// Physical address of the LAPIC registers (IA32_APIC_BASE).
pub fn phys_base() -> u64 {
    // SAFETY: IA32_APIC_BASE exists on every x86_64 CPU; reading it has no
    // side effects.
    unsafe { Msr::new(0x1b).read() & 0xf_ffff_f000 }
}

/// Record where the register page is mapped.
pub fn set_base(virt: u64) {
    BASE.store(virt, Ordering::SeqCst);
}

fn reg(off: u64) -> *mut u32 {
    (BASE.load(Ordering::Relaxed) + off) as *mut u32
}

fn read(off: u64) -> u32 {
    // SAFETY: the register page is mapped (set_base) and `off` is one of
    // the architectural register offsets; MMIO needs volatile access.
    unsafe { reg(off).read_volatile() }
}

fn write(off: u64, v: u32) {
    // SAFETY: as in `read`.
    unsafe { reg(off).write_volatile(v) }
}

/// Software-enable this CPU's LAPIC (spurious vector 0xff); on the BSP let
/// the legacy PIC's INTR in through LINT0 as ExtINT, elsewhere mask LINT0.
pub fn enable(bsp: bool) {
    if BASE.load(Ordering::Relaxed) == 0 {
        return;
    }
    write(SVR, 0x100 | u32::from(SPURIOUS_VECTOR));
    write(LVT_LINT0, if bsp { 0x700 } else { 1 << 16 });
}

/// Mask LINT0 on this CPU (no ExtINT from the PIC).
pub fn mask_lint0() {
    write(LVT_LINT0, 1 << 16);
}

/// This CPU's LAPIC id.
pub fn id() -> u32 {
    read(ID) >> 24
}

/// Measure the timer against the TSC (`tsc_hz`); call once on the BSP.
pub fn calibrate(tsc_hz: u64) {
    write(DIVIDE, 0x3);
    write(LVT_TIMER, 1 << 16);
    write(INITIAL, u32::MAX);
    let t0 = cpu::rdtsc();
    let wait = tsc_hz / 100;
    while cpu::rdtsc() - t0 < wait {
        core::hint::spin_loop();
    }
    let counted = u64::from(u32::MAX - read(CURRENT));
    write(INITIAL, 0);
    PER_MS.store((counted / 10).max(1), Ordering::SeqCst);
}

/// Counts per millisecond found by [`calibrate`].
pub fn per_ms() -> u64 {
    PER_MS.load(Ordering::Relaxed)
}

/// Start the periodic timer on this CPU, one tick every `ms` ms.
pub fn start_timer(ms: u64) {
    let n = (per_ms() * ms).clamp(1, u64::from(u32::MAX)) as u32;
    write(DIVIDE, 0x3);
    write(LVT_TIMER, (1 << 17) | u32::from(TIMER_VECTOR));
    write(INITIAL, n);
}

/// Signal end of interrupt.
pub fn eoi() {
    write(EOI, 0);
}

/// Send fixed IPI `vector` to the CPU with LAPIC id `apic_id`.
pub fn send_ipi(apic_id: u32, vector: u8) {
    while read(ICR_LOW) & (1 << 12) != 0 {
        core::hint::spin_loop();
    }
    write(ICR_HIGH, apic_id << 24);
    write(ICR_LOW, u32::from(vector));
}
