//! Thread scenarios: threads a process starts itself, preemption of
//! CPU-bound threads, suspend/resume, priorities, yield.

use core::sync::atomic::{AtomicU64, Ordering};

use helix_sys::{
    AddressSpace, Cap, CapRights, Endpoint, Frame, Notification, Stack, Thread, Untyped,
};

use crate::{code, report, slots};

static STACK_A: Stack<2048> = Stack::new();
static STACK_B: Stack<2048> = Stack::new();
static COUNT: [AtomicU64; 2] = [AtomicU64::new(0), AtomicU64::new(0)];
static ORDER: AtomicU64 = AtomicU64::new(0);

fn untyped() -> Cap<Untyped> {
    Cap::from_slot(slots::UNTYPED)
}

/// Make a thread in our own process (slot `at`).
pub(crate) fn new_thread(at: u32) -> Cap<Thread> {
    let t: Cap<Thread> = match untyped().retype(at, 0) {
        Ok(t) => t,
        Err(e) => report(e.raw(), &[at.into()]),
    };
    // Its IPC buffer: a fresh page mapped at an address derived from `at`.
    let buf: Cap<Frame> = match untyped().retype(at + 64, 1) {
        Ok(f) => f,
        Err(e) => report(e.raw(), &[at.into(), 2]),
    };
    let va = 0x6000_0000 + u64::from(at) * 4096;
    let aspace: Cap<AddressSpace> = Cap::from_slot(slots::ASPACE);
    let rw = CapRights::READ.union(CapRights::WRITE);
    if let Err(e) = aspace.map(buf, va, rw) {
        report(e.raw(), &[at.into(), 3]);
    }
    // Faults of our threads go to the same endpoint as the main thread's.
    if let Err(e) = t.configure(aspace, Some(9), va) {
        report(e.raw(), &[at.into(), 1]);
    }
    t
}

extern "C" fn spin(i: u64) -> ! {
    loop {
        COUNT[(i & 1) as usize].fetch_add(1, Ordering::Relaxed);
    }
}

extern "C" fn signal_and_stop(bits: u64) -> ! {
    // Record the order in which threads ran: 4 bits per thread.
    let prev = ORDER.load(Ordering::SeqCst);
    ORDER.store((prev << 4) | bits, Ordering::SeqCst);
    let n: Cap<Notification> = Cap::from_slot(slots::FREE);
    let _ = n.signal(bits);
    loop {
        let _ = n.wait();
    }
}

/// Sleep `ticks` timer ticks: a receive with a timeout on a fresh endpoint.
pub(crate) fn sleep(ticks: u64, ep_slot: u32) -> u64 {
    let me: Cap<Thread> = Cap::from_slot(slots::THREAD);
    let ep: Cap<Endpoint> = match untyped().retype(ep_slot, 0) {
        Ok(e) => e,
        Err(e) => report(e.raw(), &[9]),
    };
    let _ = me.set_timeout(ticks);
    let r = code(ep.recv());
    let _ = me.set_timeout(0);
    r
}

/// Two CPU-bound threads at equal priority: both make progress while we
/// sleep at a higher priority.
pub fn preemption() -> ! {
    let me: Cap<Thread> = Cap::from_slot(slots::THREAD);
    let _ = me.set_priority(200);
    let a = new_thread(slots::FREE + 1);
    let b = new_thread(slots::FREE + 2);
    let sa = code(STACK_A.start(a, spin, 0));
    let sb = code(STACK_B.start(b, spin, 1));
    let slept = sleep(60, slots::FREE + 3);
    let (c0, c1) = (
        COUNT[0].load(Ordering::Relaxed),
        COUNT[1].load(Ordering::Relaxed),
    );
    let _ = a.suspend();
    let _ = b.suspend();
    report(0, &[c0, c1, slept, sa | (sb << 8)])
}

/// A thread of our own signals a notification we wait on.
pub fn local_thread() -> ! {
    let n: Cap<Notification> = match untyped().retype(slots::FREE, 0) {
        Ok(n) => n,
        Err(e) => report(e.raw(), &[]),
    };
    let t = new_thread(slots::FREE + 1);
    let s = code(STACK_A.start(t, signal_and_stop, 0b1000));
    let bits = n.wait().unwrap_or(0);
    report(0, &[bits, s])
}

/// Suspend a spinning thread: its counter stops; resume: it moves again.
pub fn suspend_resume() -> ! {
    let t = new_thread(slots::FREE + 1);
    let _ = STACK_A.start(t, spin, 0);
    let _ = sleep(10, slots::FREE + 2);
    let s = code(t.suspend());
    let c1 = COUNT[0].load(Ordering::Relaxed);
    let _ = sleep(10, slots::FREE + 3);
    let c2 = COUNT[0].load(Ordering::Relaxed);
    let r = code(t.resume());
    let _ = sleep(10, slots::FREE + 4);
    let c3 = COUNT[0].load(Ordering::Relaxed);
    let again = code(t.resume());
    let _ = t.suspend();
    report(0, &[s | (r << 8) | (again << 16), c1, c2, c3])
}

/// Two threads made ready while we run at a higher priority: the higher
/// of the two runs first once we block.
pub fn priorities() -> ! {
    let me: Cap<Thread> = Cap::from_slot(slots::THREAD);
    let _ = me.set_priority(250);
    let n: Cap<Notification> = match untyped().retype(slots::FREE, 0) {
        Ok(n) => n,
        Err(e) => report(e.raw(), &[]),
    };
    let low = new_thread(slots::FREE + 1);
    let high = new_thread(slots::FREE + 2);
    let _ = low.set_priority(120);
    let _ = high.set_priority(150);
    let _ = STACK_A.start(low, signal_and_stop, 1);
    let _ = STACK_B.start(high, signal_and_stop, 2);
    let mut bits = 0;
    while bits != 3 {
        bits |= n.wait().unwrap_or(3);
    }
    report(0, &[ORDER.load(Ordering::SeqCst), bits])
}

/// Yield `n` times, counting in slot `param & 1` (two processes run this
/// side by side on one CPU).
pub fn yield_pair(n: u64) -> ! {
    for _ in 0..n {
        helix_sys::yield_now();
    }
    report(0, &[n])
}

/// Move ourselves to the CPUs in `mask`, then yield a while and report.
pub fn migrate(mask: u64) -> ! {
    let me: Cap<Thread> = Cap::from_slot(slots::THREAD);
    let r = crate::code(me.set_affinity(mask));
    for _ in 0..50 {
        helix_sys::yield_now();
    }
    report(0, &[r])
}

/// Delete the only cap of a spinning thread: it is destroyed (its counter
/// stops) and the slot is empty.
pub fn destroy_thread() -> ! {
    let t = new_thread(slots::FREE + 1);
    let _ = STACK_A.start(t, spin, 0);
    let _ = sleep(5, slots::FREE + 2);
    let d = code(t.delete());
    let c1 = COUNT[0].load(Ordering::Relaxed);
    let _ = sleep(5, slots::FREE + 3);
    let c2 = COUNT[0].load(Ordering::Relaxed);
    let again = code(t.suspend());
    report(0, &[d, c1, c2, again])
}

/// A reader thread on the CPUs in `mask` spins on a mapped page; we unmap
/// it: the reader must fault (its fault endpoint is slot 9) at once, on
/// its own CPU, instead of reading through a stale TLB entry.
pub fn shootdown(mask: u64) -> ! {
    let va = crate::mem::VA;
    let f: Cap<Frame> = match untyped().retype(slots::FREE, 1) {
        Ok(f) => f,
        Err(e) => report(e.raw(), &[1]),
    };
    let aspace: Cap<AddressSpace> = Cap::from_slot(slots::ASPACE);
    if let Err(e) = aspace.map(f, va, CapRights::READ.union(CapRights::WRITE)) {
        report(e.raw(), &[2]);
    }
    let t = new_thread(slots::FREE + 1);
    let set = code(t.set_affinity(mask));
    let _ = STACK_A.start(t, reader, va);
    let _ = sleep(20, slots::FREE + 2);
    let before = COUNT[1].load(Ordering::Relaxed);
    let u = code(aspace.unmap(va));
    report(0, &[set, before, u])
}

extern "C" fn reader(va: u64) -> ! {
    loop {
        let _ = crate::hw::peek(va);
        COUNT[1].fetch_add(1, Ordering::Relaxed);
    }
}

static MCP_RESULTS: AtomicU64 = AtomicU64::new(u64::MAX);

/// Maximum controlled priority: a thread we make gets MCP 100; it may set
/// its own priority up to 100 but not 150, cannot raise its MCP, and
/// once it lowers its MCP to 50 cannot set priority 60.
pub fn mcp() -> ! {
    let t = new_thread(slots::FREE);
    let set = code(t.set_mcp(100));
    let started = code(STACK_A.start(t, mcp_child, u64::from(slots::FREE)));
    let mut slept = 0;
    while MCP_RESULTS.load(Ordering::SeqCst) == u64::MAX && slept < 20 {
        let _ = sleep(2, slots::FREE + 1 + slept);
        slept += 1;
    }
    report(
        0,
        &[set | (started << 8), MCP_RESULTS.load(Ordering::SeqCst)],
    )
}

extern "C" fn mcp_child(slot: u64) -> ! {
    let me: Cap<Thread> = Cap::from_slot(slot as u32);
    let r = [
        code(me.set_priority(150)),
        code(me.set_priority(100)),
        code(me.set_mcp(200)),
        code(me.set_mcp(50)),
        code(me.set_priority(60)),
    ];
    let packed = r.iter().enumerate().fold(0, |a, (i, v)| a | (v << (8 * i)));
    MCP_RESULTS.store(packed, Ordering::SeqCst);
    loop {
        helix_sys::yield_now();
    }
}

/// Call the endpoint with 40 words: 1..=4 in registers, `base + i` at word
/// `i` of the calling thread's own IPC buffer; returns the reply's word 0.
fn long_call(base: u64) -> u64 {
    use helix_abi::ipc::MSG_REG_WORDS;
    for i in MSG_REG_WORDS..40 {
        helix_sys::ipcbuf::set(i, base + i as u64);
    }
    let info = helix_sys::MessageInfo::new(9, 40, 0).unwrap_or_default();
    let ep: Cap<Endpoint> = Cap::from_slot(slots::EP);
    match ep.call(&helix_sys::Message::with_info(info, [1, 2, 3, 4])) {
        Ok(r) => r.words[0],
        Err(e) => e.raw() << 32,
    }
}

extern "C" fn long_call_then_signal(_: u64) -> ! {
    COUNT[1].store(long_call(1000), Ordering::SeqCst);
    signal_and_stop(1)
}

/// Two threads of one process, each with its own IPC buffer: the main
/// thread fills its buffer, a second thread then fills *its* buffer and
/// makes a 40-word call, and only then does the main thread make its call
/// from the buffer it filled first. Reports `[second's reply, main's
/// reply]` (the server answers with the sum of the words it received).
pub fn two_threads_own_buffers() -> ! {
    use helix_abi::ipc::MSG_REG_WORDS;
    let n: Cap<Notification> = match untyped().retype(slots::FREE, 0) {
        Ok(n) => n,
        Err(e) => report(e.raw(), &[]),
    };
    for i in MSG_REG_WORDS..40 {
        helix_sys::ipcbuf::set(i, i as u64 + 1);
    }
    let t = new_thread(slots::FREE + 1);
    if let Err(e) = STACK_A.start(t, long_call_then_signal, 0) {
        report(e.raw(), &[1]);
    }
    let _ = n.wait();
    let info = helix_sys::MessageInfo::new(9, 40, 0).unwrap_or_default();
    let ep: Cap<Endpoint> = Cap::from_slot(slots::EP);
    let mine = match ep.call(&helix_sys::Message::with_info(info, [1, 2, 3, 4])) {
        Ok(r) => r.words[0],
        Err(e) => e.raw() << 32,
    };
    report(0, &[COUNT[1].load(Ordering::SeqCst), mine])
}
