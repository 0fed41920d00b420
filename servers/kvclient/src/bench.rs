//! `param=3`: the typed round trip benchmark. Warm up, then time
//! [`RUNS`] `kv.len()` calls one by one with `rdtsc` (under `-icount` the
//! TSC counts guest instructions) and send `[median, min, runs]` with
//! label [`BENCH`] on the report endpoint (the kernel's `kbench` boot
//! prints it as `typed_call_same_cpu`).

use alloc::vec::Vec;

use helix_kvstore::KvClient;
use helix_protocol::runtime::{IpcTransport, slots};
use helix_sys::{Cap, Endpoint, Message};

use crate::session::Failure;

/// Timed calls (after [`WARMUP`] untimed ones).
pub const RUNS: usize = 1000;
const WARMUP: usize = 50;
/// Report label of a benchmark result (`"BEN"`).
pub const BENCH: u64 = 0x42_454e;

/// `(median, min)` of `samples` (sorted in place); `(0, 0)` when empty.
pub fn median_min(samples: &mut [u64]) -> (u64, u64) {
    samples.sort_unstable();
    match samples.first() {
        Some(&min) => (samples[samples.len() / 2], min),
        None => (0, 0),
    }
}

/// Measure, report, and return the number of calls made.
pub fn typed_round_trip(kv: &mut KvClient<IpcTransport>) -> Result<u64, Failure> {
    for _ in 0..WARMUP {
        kv.len().map_err(|e| Failure::Call("warm-up len", e))?;
    }
    let mut samples = Vec::with_capacity(RUNS);
    for _ in 0..RUNS {
        let t0 = helix_sys::cycles();
        let r = kv.len();
        let dt = helix_sys::cycles() - t0;
        r.map_err(|e| Failure::Call("timed len", e))?;
        samples.push(dt);
    }
    let (median, min) = median_min(&mut samples);
    let root: Cap<Endpoint> = Cap::from_slot(slots::REPORT);
    let _ = root.send(&Message::new(BENCH, &[median, min, RUNS as u64]));
    Ok((WARMUP + RUNS) as u64)
}
