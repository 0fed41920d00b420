//! Time for log lines and measurements: the TSC (which counts guest
//! instructions under QEMU `-icount`), in microseconds through the
//! frequency the kernel puts in the boot-info page.

use core::sync::atomic::{AtomicU64, Ordering};

static HZ: AtomicU64 = AtomicU64::new(0);
static START: AtomicU64 = AtomicU64::new(0);

/// Remember the TSC frequency and when the manager started.
pub fn init(hz: u64) {
    HZ.store(hz, Ordering::Relaxed);
    START.store(helix_sys::cycles(), Ordering::Relaxed);
}

/// The TSC now.
pub fn now() -> u64 {
    helix_sys::cycles()
}

/// Microseconds between two TSC readings (0 when the frequency is unknown).
pub fn us(from: u64, to: u64) -> u64 {
    let hz = HZ.load(Ordering::Relaxed);
    if hz == 0 {
        return 0;
    }
    (u128::from(to.saturating_sub(from)) * 1_000_000 / u128::from(hz)) as u64
}

/// Microseconds since the manager started.
pub fn since_start() -> u64 {
    us(START.load(Ordering::Relaxed), now())
}

/// TSC ticks in `us` microseconds (0 when the frequency is unknown).
pub fn ticks(us: u64) -> u64 {
    (u128::from(us) * u128::from(HZ.load(Ordering::Relaxed)) / 1_000_000) as u64
}
