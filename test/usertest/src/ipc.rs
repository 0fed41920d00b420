//! IPC scenarios: ping-pong, rights, badges, long messages, timeouts,
//! non-blocking calls, notifications, the debug console.

use helix_abi::ipc::MSG_REG_WORDS;
use helix_sys::{
    Cap, Endpoint, Message, MessageInfo, Notification, Syscall, Thread, Untyped, ipcbuf,
    raw_syscall,
};

use crate::{code, report, slots};

fn ep() -> Cap<Endpoint> {
    Cap::from_slot(slots::EP)
}

/// DebugWrite: good text prints; kernel, unmapped, null pointers and an
/// over-long length are refused.
pub fn debug_write_checks() -> ! {
    let ok = code(helix_sys::debug_write(b"usertest: hello from ring 3\n"));
    // A process must not be able to speak the test protocol: the kernel
    // defangs this line (else the runner would count a failure).
    let _ =
        helix_sys::debug_write(b"HELIX-KTEST FAIL user_debug_write_checks_every_pointer spoofed\n");
    let dw = |p: u64, n: u64| raw_syscall(Syscall::DebugWrite.raw(), [p, n, 0, 0, 0, 0]).0;
    let kernel = dw(0xffff_8000_0000_0000, 8);
    let unmapped = dw(0x1000_0000, 8);
    let null = dw(0, 8);
    let long = dw(0x40_0000, 300);
    let noncanon = dw(0x0000_8000_0000_1000, 8);
    report(
        0,
        &[ok, kernel, unmapped | (null << 8), long | (noncanon << 8)],
    )
}

/// Answer every call with word 0 + 1, forever.
pub fn ping_pong_server() -> ! {
    let mut r = match ep().recv() {
        Ok(r) => r,
        Err(e) => report(e.raw(), &[]),
    };
    loop {
        r = match ep().reply_recv(&Message::new(0, &[r.words[0] + 1])) {
            Ok(r) => r,
            Err(e) => report(e.raw(), &[1]),
        };
    }
}

/// `n` calls; reports the final counter.
pub fn ping_pong_client(n: u64) -> ! {
    let mut x = 0;
    for _ in 0..n {
        match ep().call(&Message::new(1, &[x])) {
            Ok(r) => x = r.words[0],
            Err(e) => report(e.raw(), &[x]),
        }
    }
    report(0, &[x, n])
}

/// Send on EP (expected to fail): reports the error code as the label.
pub fn send_expect_error() -> ! {
    let r = ep().nb_send(&Message::new(1, &[1]));
    report(code(r), &[])
}

/// Receive on EP (expected to fail).
pub fn recv_expect_error() -> ! {
    let r = ep().nb_recv();
    report(code(r), &[])
}

/// Receive `n` messages; report the OR of badges and the sum of words.
pub fn badge_server(n: u64) -> ! {
    let (mut badges, mut sum, mut labels) = (0, 0, 0);
    for _ in 0..n {
        match ep().recv() {
            Ok(r) => {
                badges |= r.badge;
                sum += r.words[0];
                labels += r.info.label();
            }
            Err(e) => report(e.raw(), &[]),
        }
    }
    report(0, &[badges, sum, labels])
}

/// Send one message with word `w`.
pub fn badge_client(w: u64) -> ! {
    let r = ep().send(&Message::new(7, &[w]));
    report(code(r), &[])
}

/// Receive a long message: sum of all words (registers + IPC buffer).
pub fn long_server() -> ! {
    match ep().recv() {
        Ok(r) => {
            let len = r.info.length();
            let mut sum: u64 = r.words.iter().sum();
            for i in MSG_REG_WORDS..len {
                sum += ipcbuf::get(i);
            }
            let _ = helix_sys::reply(&Message::new(0, &[sum, len as u64]));
            report(0, &[sum, len as u64])
        }
        Err(e) => report(e.raw(), &[]),
    }
}

/// Serve two long calls (sum of the words each carried, as in
/// [`long_server`]); reports `[first sum, second sum]`.
pub fn long_server_twice() -> ! {
    let mut sums = [0u64; 2];
    for s in &mut sums {
        match ep().recv() {
            Ok(r) => {
                let len = r.info.length();
                *s = r.words.iter().sum();
                for i in MSG_REG_WORDS..len {
                    *s += ipcbuf::get(i);
                }
                let _ = helix_sys::reply(&Message::new(0, &[*s, len as u64]));
            }
            Err(e) => report(e.raw(), &[]),
        }
    }
    report(0, &sums)
}

/// Call with `n` words 1..=n (words 4.. in the IPC buffer).
pub fn long_client(n: u64) -> ! {
    let n = n.min(120) as usize;
    let mut words = [0u64; MSG_REG_WORDS];
    for (i, w) in words.iter_mut().enumerate().take(n) {
        *w = i as u64 + 1;
    }
    for i in MSG_REG_WORDS..n {
        ipcbuf::set(i, i as u64 + 1);
    }
    let info = MessageInfo::new(9, n, 0).unwrap_or_default();
    match ep().call(&Message::with_info(info, words)) {
        Ok(r) => report(0, &[r.words[0], r.words[1]]),
        Err(e) => report(e.raw(), &[]),
    }
}

/// Take this thread's IPC buffer away (unmap its page).
fn drop_ipc_buffer() -> u64 {
    let me: Cap<helix_sys::AddressSpace> = Cap::from_slot(slots::ASPACE);
    code(me.unmap(helix_abi::bootinfo::IPC_BUFFER_ADDR))
}

/// Without an IPC buffer: a 10-word call must fail with `BadAddress`
/// before anything is sent; then a 4-word call (registers only) works.
/// Reports `[unmap, long call, short call, reply word 1 (length seen)]`.
pub fn long_send_without_buffer() -> ! {
    let unmapped = drop_ipc_buffer();
    let info = MessageInfo::new(9, 10, 0).unwrap_or_default();
    let long = code(ep().call(&Message::with_info(info, [1, 2, 3, 4])));
    match ep().call(&Message::new(9, &[1, 2, 3, 4])) {
        Ok(r) => report(0, &[unmapped, long, 0, r.words[1]]),
        Err(e) => report(0, &[unmapped, long, e.raw(), 0]),
    }
}

/// Without an IPC buffer, receive a long message: only the register words
/// can arrive, and the length says so. Reports `[unmap, length, sum]`.
pub fn long_recv_without_buffer() -> ! {
    let unmapped = drop_ipc_buffer();
    match ep().recv() {
        Ok(r) => {
            let len = r.info.length();
            // Words past 4 are in the (missing) buffer: never read them
            // unless the kernel claims they arrived.
            let mut sum: u64 = r.words.iter().sum();
            for i in MSG_REG_WORDS..len {
                sum += ipcbuf::get(i);
            }
            let _ = helix_sys::reply(&Message::new(0, &[sum, len as u64]));
            report(0, &[unmapped, len as u64, sum])
        }
        Err(e) => report(e.raw(), &[unmapped]),
    }
}

/// A receive with a 5-tick timeout on a fresh endpoint.
pub fn timeout() -> ! {
    let u: Cap<Untyped> = Cap::from_slot(slots::UNTYPED);
    let fresh = match u.retype::<Endpoint>(slots::FREE, 0) {
        Ok(e) => e,
        Err(e) => report(e.raw(), &[1]),
    };
    let me: Cap<Thread> = Cap::from_slot(slots::THREAD);
    let set = code(me.set_timeout(5));
    let r = code(fresh.recv());
    report(0, &[set, r])
}

/// Non-blocking send and receive with nobody on the other side.
pub fn non_blocking() -> ! {
    let s = code(ep().nb_send(&Message::new(1, &[])));
    let r = code(ep().nb_recv());
    report(0, &[s, r])
}

/// Signal / poll / wait on a notification of our own.
pub fn notifications() -> ! {
    let u: Cap<Untyped> = Cap::from_slot(slots::UNTYPED);
    let n = match u.retype::<Notification>(slots::FREE, 0) {
        Ok(n) => n,
        Err(e) => report(e.raw(), &[1]),
    };
    let s1 = code(n.signal(0b101));
    let p1 = n.poll().unwrap_or(u64::MAX);
    let p2 = n.poll().unwrap_or(u64::MAX);
    let _ = n.signal(0b10);
    let w = n.wait().unwrap_or(u64::MAX);
    let zero = code(n.signal(0));
    report(0, &[s1, p1, p2, w | (zero << 32)])
}

/// Yield `n` times, then report (a sign of life next to other scenarios).
pub fn counter(n: u64) -> ! {
    for _ in 0..n {
        helix_sys::yield_now();
    }
    report(0, &[n])
}
