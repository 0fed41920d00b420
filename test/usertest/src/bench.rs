//! Benchmarks (the kernel's `kbench` boot): each measures one operation
//! `RUNS` times with `rdtsc` (under `-icount` the TSC counts guest
//! instructions) and reports `[median, min, runs]`.

use core::sync::atomic::{AtomicU64, Ordering};

use helix_sys::{Cap, Endpoint, Message, raw_syscall};

use crate::{hw, report, slots};

/// Measured runs (after `WARMUP` unmeasured ones).
pub const RUNS: usize = 1000;
const WARMUP: usize = 50;

static SAMPLES: [AtomicU64; RUNS] = [const { AtomicU64::new(0) }; RUNS];

fn finish(divisor: u64) -> ! {
    let mut v = [0u64; RUNS];
    for (d, s) in v.iter_mut().zip(SAMPLES.iter()) {
        *d = s.load(Ordering::Relaxed) / divisor;
    }
    v.sort_unstable();
    report(0, &[v[RUNS / 2], v[0], RUNS as u64])
}

fn measure(mut f: impl FnMut()) {
    for _ in 0..WARMUP {
        f();
    }
    for s in SAMPLES.iter() {
        let t0 = hw::rdtsc();
        f();
        s.store(hw::rdtsc() - t0, Ordering::Relaxed);
    }
}

/// A syscall the kernel rejects at once (unknown number): entry, decode,
/// exit.
pub fn null_syscall() -> ! {
    measure(|| {
        let _ = raw_syscall(0xffff, [0; 6]);
    });
    finish(1)
}

/// `Call` + the server's `ReplyRecv`: one round trip.
pub fn call_reply() -> ! {
    let ep: Cap<Endpoint> = Cap::from_slot(slots::EP);
    let m = Message::new(1, &[1]);
    measure(|| {
        let _ = ep.call(&m);
    });
    finish(1)
}

/// `Yield` to the other yielding process and back: two switches per run.
pub fn yield_switch() -> ! {
    measure(helix_sys::yield_now);
    finish(2)
}

/// The partner of [`yield_switch`]: yield forever.
pub fn yield_forever() -> ! {
    loop {
        helix_sys::yield_now();
    }
}
