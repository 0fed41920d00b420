//! Running a test function on another CPU: the target CPU polls its
//! mailbox every time it wakes in the user world's idle loop (a reschedule
//! IPI wakes it at once).

use core::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use crate::arch::cpu;
use crate::arch::percpu::{self, MAX_CPUS};
use crate::user::smp;

/// A function posted for each CPU.
type Mailbox = [Option<fn() -> u64>; MAX_CPUS];

static MAILBOX: spin::Mutex<Mailbox> = spin::Mutex::new([None; MAX_CPUS]);
static RESULT: [AtomicU64; MAX_CPUS] = [const { AtomicU64::new(0) }; MAX_CPUS];
static DONE: [AtomicBool; MAX_CPUS] = [const { AtomicBool::new(false) }; MAX_CPUS];

/// Run `f` on CPU `target` (which must be idle in the user world) and
/// return its result, or `None` if it did not finish within `timeout_ms`.
pub fn run_on(target: usize, f: fn() -> u64, timeout_ms: u64) -> Option<u64> {
    if target >= MAX_CPUS || target >= smp::online() {
        return None;
    }
    DONE[target].store(false, Ordering::SeqCst);
    MAILBOX.lock()[target] = Some(f);
    smp::reschedule(target);
    let per_ms = crate::time::clock().map_or(1 << 20, |c| c.hz / 1000);
    let limit = cpu::rdtsc() + timeout_ms * per_ms;
    while !DONE[target].load(Ordering::SeqCst) {
        if cpu::rdtsc() > limit {
            MAILBOX.lock()[target] = None;
            return None;
        }
        core::hint::spin_loop();
    }
    Some(RESULT[target].load(Ordering::SeqCst))
}

/// Run the function posted for this CPU, if any (from the idle loop).
pub fn poll() {
    let me = percpu::index();
    let Some(f) = MAILBOX.try_lock().and_then(|mut m| m.get_mut(me)?.take()) else {
        return;
    };
    RESULT[me].store(f(), Ordering::SeqCst);
    DONE[me].store(true, Ordering::SeqCst);
}
