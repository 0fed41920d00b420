//! Fault scenarios (the kernel delivers them to a fault endpoint), IRQs as
//! notifications, and I/O ports only through IoPorts caps.

use helix_abi::fault::FAULT_REPLY_RESTART;
use helix_sys::{Cap, Endpoint, IoPorts, IrqControl, Message, Notification, Untyped};

use crate::{code, hw, report, slots};

/// Address the page-fault scenario reads.
pub const UNMAPPED: u64 = 0xdead_0000;

/// Fault as `kind` says (0 #PF read, 1 #GP hlt, 2 #UD, 3 #DE, 4 #GP port,
/// 5 #PF write to own code).
pub fn faulter(kind: u64) -> ! {
    match kind {
        0 => {
            let v = hw::peek(UNMAPPED);
            report(1, &[v])
        }
        1 => hw::privileged(),
        2 => hw::undefined(),
        3 => {
            let q = hw::divide_by_zero(7);
            report(1, &[q])
        }
        4 => {
            let v = hw::port_in_direct();
            report(1, &[u64::from(v)])
        }
        _ => hw::poke(faulter as *const () as u64, 0),
    }
    report(1, &[kind])
}

/// Receive one fault message on EP and report it: label, vector|code,
/// address, rip.
pub fn handler() -> ! {
    let ep: Cap<Endpoint> = Cap::from_slot(slots::EP);
    match ep.recv() {
        Ok(r) => report(0, &[r.info.label(), r.words[1], r.words[2], r.words[3]]),
        Err(e) => report(e.raw(), &[]),
    }
}

/// Where a restarted faulter continues.
extern "C" fn recovered() -> ! {
    report(0, &[0x600d])
}

/// Receive a fault and answer "restart at `recovered`" (same program, same
/// addresses in every process).
pub fn restart_handler() -> ! {
    let ep: Cap<Endpoint> = Cap::from_slot(slots::EP);
    match ep.recv() {
        Ok(r) => {
            let m = Message::new(FAULT_REPLY_RESTART, &[recovered as *const () as u64]);
            let a = code(helix_sys::reply(&m));
            report(0, &[r.words[1] & 0xff, a])
        }
        Err(e) => report(e.raw(), &[]),
    }
}

/// Claim IRQ `line` (the PIT is 0), bind it to a notification, make the
/// PIT fire through the IoPorts cap, and wait for two interrupts.
pub fn irq_notification(line: u64) -> ! {
    let ctl: Cap<IrqControl> = Cap::from_slot(slots::IRQ_CONTROL);
    let ports: Cap<IoPorts> = Cap::from_slot(slots::IO_PORTS);
    let u: Cap<Untyped> = Cap::from_slot(slots::UNTYPED);
    let n: Cap<Notification> = match u.retype(slots::FREE, 0) {
        Ok(n) => n,
        Err(e) => report(e.raw(), &[1]),
    };
    let h = match ctl.get(line, slots::FREE + 1) {
        Ok(h) => h,
        Err(e) => report(e.raw(), &[2]),
    };
    if let Err(e) = h.bind(n, 0b100) {
        report(e.raw(), &[3]);
    }
    // PIT channel 0, mode 2 (rate generator), about 1 kHz.
    let divisor: u32 = 1193;
    let prog = [
        ports.port_out(0x43, 1, 0x34),
        ports.port_out(0x40, 1, divisor & 0xff),
        ports.port_out(0x40, 1, divisor >> 8),
    ];
    if let Some(Err(e)) = prog.iter().find(|r| r.is_err()) {
        report(e.raw(), &[4]);
    }
    let b1 = n.wait().unwrap_or(0);
    let a1 = code(h.ack());
    let b2 = n.wait().unwrap_or(0);
    let a2 = code(h.ack());
    let again = code(ctl.get(line, slots::FREE + 2));
    let _ = h.unbind();
    report(0, &[b1, b2, a1 | (a2 << 8), again])
}

/// Read a port through the IoPorts cap (fine), then with a direct `in`
/// (a #GP for the fault endpoint: no ambient port access).
///
/// Then narrow the cap to the CMOS ports 0x70..=0x71 and drop the
/// all-ports one: real `out`/`in` on the CMOS ports read status register
/// B (the same value the syscalls read), and a second thread's `in` on
/// port 0x61 is a #GP that reaches the fault endpoint.
pub fn ports() -> ! {
    let ports: Cap<IoPorts> = Cap::from_slot(slots::IO_PORTS);
    let via_cap = code(ports.port_in(0x61, 1));
    let bad_width = code(ports.port_in(0x61, 3));
    if via_cap != 0 || bad_width == 0 {
        report(1, &[via_cap, bad_width]);
    }
    let cmos = match ports.mint_range(0x70, 0x71, slots::FREE) {
        Ok(c) => c,
        Err(e) => report(e.raw(), &[3]),
    };
    let wider = code(cmos.mint_range(0x70, 0x72, slots::FREE + 1));
    let deleted = code(ports.delete());
    let by_call = code(cmos.port_out(0x70, 1, 0x0b)) | code(cmos.port_in(0x61, 1)) << 8;
    let status_b_call = cmos.port_in(0x71, 1).unwrap_or(0x1_0000);
    hw::port_out_dx(0x70, 0x0b);
    let status_b = hw::port_in_dx(0x71);
    let status_b_imm = hw::port_in_71();
    let t = crate::threads::new_thread(slots::FREE + 2);
    let started = code(STACK.start(t, outside, 0));
    let _ = crate::threads::sleep(5, slots::FREE + 3);
    report(
        0,
        &[
            wider | (deleted << 8) | (by_call << 16),
            u64::from(status_b_call),
            u64::from(status_b) | u64::from(status_b_imm) << 8,
            started,
        ],
    )
}

static STACK: helix_sys::Stack<1024> = helix_sys::Stack::new();

/// `in al, 0x61`: outside the cap's range.
extern "C" fn outside(_: u64) -> ! {
    let v = hw::port_in_direct();
    report(2, &[u64::from(v)])
}

/// A user pager: receive a page fault, map a fresh frame at the faulting
/// page in the faulter's address space (its AddressSpace cap is in slot
/// [`slots::EP2`]), answer "resume".
pub fn pager() -> ! {
    let ep: Cap<Endpoint> = Cap::from_slot(slots::EP);
    let r = match ep.recv() {
        Ok(r) => r,
        Err(e) => report(e.raw(), &[1]),
    };
    let addr = r.words[2];
    let u: Cap<Untyped> = Cap::from_slot(slots::UNTYPED);
    let f: Cap<helix_sys::Frame> = match u.retype(slots::FREE, 1) {
        Ok(f) => f,
        Err(e) => report(e.raw(), &[2]),
    };
    let theirs: Cap<helix_sys::AddressSpace> = Cap::from_slot(slots::EP2);
    let rw = helix_sys::CapRights::READ.union(helix_sys::CapRights::WRITE);
    if let Err(e) = theirs.map(f, addr & !0xfff, rw) {
        report(e.raw(), &[3]);
    }
    let m = Message::new(helix_abi::fault::FAULT_REPLY_RESUME, &[]);
    let a = code(helix_sys::reply(&m));
    report(0, &[addr, a])
}

/// Receive a fault and answer "destroy".
pub fn destroy_handler() -> ! {
    let ep: Cap<Endpoint> = Cap::from_slot(slots::EP);
    match ep.recv() {
        Ok(r) => {
            let m = Message::new(helix_abi::fault::FAULT_REPLY_DESTROY, &[]);
            let a = code(helix_sys::reply(&m));
            report(0, &[r.words[1] & 0xff, a])
        }
        Err(e) => report(e.raw(), &[]),
    }
}

/// What [`port_bitmap_user`] sends after its port read went through.
pub const PORT_READ_OK: u64 = 0x600d;

/// Read port 0x71 with `in al, dx` (the IoPorts cap in slot `IO_PORTS`
/// covers it) and send the value on `EP`; whether the kernel opens the
/// port depends on whether this address space's budget can pay for its
/// I/O bitmap (if not, the #GP goes to the fault endpoint, the same
/// endpoint). Then wait to be destroyed.
pub fn port_bitmap_user() -> ! {
    let ep: Cap<Endpoint> = Cap::from_slot(slots::EP);
    let v = hw::port_in_dx(0x71);
    // A call: blocked for good once received (never answered).
    let _ = ep.call(&Message::new(0, &[u64::from(v), PORT_READ_OK]));
    loop {
        helix_sys::yield_now();
    }
}

/// Receive the user's message or its fault on `EP` (label and word 1
/// reported), read what is left of
/// the Untyped that pays for its address space, destroy that address space
/// (its only cap, in `EP2`) and read the Untyped again.
pub fn port_bitmap_owner() -> ! {
    let ep: Cap<Endpoint> = Cap::from_slot(slots::EP);
    let untyped: Cap<Untyped> = Cap::from_slot(slots::UNTYPED);
    let theirs: Cap<helix_sys::AddressSpace> = Cap::from_slot(slots::EP2);
    let r = match ep.recv() {
        Ok(r) => r,
        Err(e) => report(e.raw(), &[1]),
    };
    let charged = untyped.available().unwrap_or(u64::MAX);
    if let Err(e) = theirs.delete() {
        report(e.raw(), &[2]);
    }
    let refunded = untyped.available().unwrap_or(u64::MAX);
    report(0, &[r.info.label(), r.words[1], charged, refunded])
}
