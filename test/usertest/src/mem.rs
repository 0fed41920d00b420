//! Memory scenarios: map/unmap, read-only mappings, frames shared between
//! processes, quota exhaustion and splitting.

use helix_abi::ipc::buffer;
use helix_sys::{
    AddressSpace, Cap, CapRights, Endpoint, Frame, Message, MessageInfo, SysError, Untyped, ipcbuf,
};

use crate::{code, hw, report, slots};

/// Where scenarios map their frames.
pub const VA: u64 = 0x5000_0000;

fn untyped() -> Cap<Untyped> {
    Cap::from_slot(slots::UNTYPED)
}

fn aspace() -> Cap<AddressSpace> {
    Cap::from_slot(slots::ASPACE)
}

fn rw() -> CapRights {
    CapRights::READ.union(CapRights::WRITE)
}

/// Map a frame, write and read it, unmap it, touch it again (the fault
/// goes to our fault endpoint; a handler process reports it).
pub fn unmap_then_touch() -> ! {
    let f: Cap<Frame> = match untyped().retype(slots::FREE, 1) {
        Ok(f) => f,
        Err(e) => report(e.raw(), &[1]),
    };
    if let Err(e) = aspace().map(f, VA, rw()) {
        report(e.raw(), &[2]);
    }
    hw::poke(VA, 0x1234);
    if hw::peek(VA) != 0x1234 {
        report(3, &[]);
    }
    if let Err(e) = aspace().unmap(VA) {
        report(e.raw(), &[4]);
    }
    let v = hw::peek(VA);
    report(5, &[v])
}

/// A READ-only frame cap cannot be mapped writable; mapped read-only, a
/// write faults.
pub fn read_only_mapping() -> ! {
    let f: Cap<Frame> = match untyped().retype(slots::FREE, 1) {
        Ok(f) => f,
        Err(e) => report(e.raw(), &[1]),
    };
    let ro = match f.mint(slots::FREE + 1, CapRights::READ, 0) {
        Ok(c) => c,
        Err(e) => report(e.raw(), &[2]),
    };
    let w = code(aspace().map(ro, VA, rw()));
    if w != SysError::NoRights.raw() {
        report(3, &[w]);
    }
    if let Err(e) = aspace().map(ro, VA, CapRights::READ) {
        report(e.raw(), &[4]);
    }
    let v = hw::peek(VA);
    hw::poke(VA, v + 1);
    report(5, &[])
}

/// Make a frame, write a value, send the frame cap (GRANT) on EP.
pub fn share_sender() -> ! {
    let f: Cap<Frame> = match untyped().retype(slots::FREE, 1) {
        Ok(f) => f,
        Err(e) => report(e.raw(), &[1]),
    };
    if let Err(e) = aspace().map(f, VA, rw()) {
        report(e.raw(), &[2]);
    }
    hw::poke(VA + 8, 0xfeed_f00d);
    ipcbuf::set(buffer::SEND_CAPS, u64::from(f.slot()));
    let info = MessageInfo::new(1, 0, 1).unwrap_or_default();
    let ep: Cap<Endpoint> = Cap::from_slot(slots::EP);
    let s = code(ep.send(&Message::with_info(info, [0; 4])));
    report(s, &[])
}

/// Receive a frame cap, map it read-only, read the sender's value.
pub fn share_receiver() -> ! {
    ipcbuf::set(buffer::RECV_SLOT, u64::from(slots::FREE));
    ipcbuf::set(buffer::RECV_COUNT, 1);
    let ep: Cap<Endpoint> = Cap::from_slot(slots::EP);
    let r = match ep.recv() {
        Ok(r) => r,
        Err(e) => report(e.raw(), &[1]),
    };
    let f: Cap<Frame> = Cap::from_slot(slots::FREE);
    if let Err(e) = aspace().map(f, VA + 0x10_0000, CapRights::READ) {
        report(e.raw(), &[2, r.info.caps() as u64]);
    }
    report(0, &[hw::peek(VA + 0x10_0008)])
}

/// Make one-page frames until the quota says no.
pub fn quota_exhaustion() -> ! {
    let mut n = 0u64;
    let err = loop {
        match untyped().retype::<Frame>(slots::FREE + n as u32, 1) {
            Ok(_) => n += 1,
            Err(e) => break e,
        }
        if n > 200 {
            break SysError::InvalidState;
        }
    };
    let left = untyped().available().unwrap_or(u64::MAX);
    report(0, &[err.raw(), n, left])
}

/// Split 8 KiB off the quota: two frames fit, a third does not; deleting
/// one gives its budget back.
pub fn quota_split() -> ! {
    let child = match untyped().split(slots::FREE, 8192) {
        Ok(c) => c,
        Err(e) => report(e.raw(), &[1]),
    };
    let avail = child.available().unwrap_or(0);
    let a = code(child.retype::<Frame>(slots::FREE + 1, 1));
    let b = code(child.retype::<Frame>(slots::FREE + 2, 1));
    let c = code(child.retype::<Frame>(slots::FREE + 3, 1));
    let d = code(Cap::<Frame>::from_slot(slots::FREE + 1).delete());
    let after = child.available().unwrap_or(0);
    report(0, &[avail, a | (b << 8) | (c << 16) | (d << 24), after])
}

/// A Frame reports its physical address (for DMA) only with READ.
pub fn frame_phys() -> ! {
    let f: Cap<Frame> = match untyped().retype(slots::FREE, 2) {
        Ok(f) => f,
        Err(e) => report(e.raw(), &[1]),
    };
    let phys = f.phys_addr().unwrap_or(0);
    let w = match f.mint(slots::FREE + 1, CapRights::WRITE, 0) {
        Ok(c) => c,
        Err(e) => report(e.raw(), &[2]),
    };
    let denied = code(w.phys_addr());
    report(0, &[phys, denied])
}

/// What an AddressSpace of one CSpace slot costs (docs/syscalls.md).
const ASPACE_1_SLOT: u64 = 4096 + 64;

/// Page-table pages a map needs are charged to the quota that paid for the
/// address space: with nothing left the map is refused (`OutOfMemory`);
/// with room for three tables it works, a second page in the same region
/// needs none, and destroying the address space gives the tables back.
pub fn map_table_budget() -> ! {
    let f: Cap<Frame> = match untyped().retype(slots::FREE, 1) {
        Ok(f) => f,
        Err(e) => report(e.raw(), &[1]),
    };
    let Ok(poor) = untyped().split(slots::FREE + 1, ASPACE_1_SLOT) else {
        report(2, &[])
    };
    let Ok(a1) = poor.retype::<AddressSpace>(slots::FREE + 2, 1) else {
        report(3, &[])
    };
    let refused = code(a1.map(f, VA, rw()));
    let poor_left = poor.available().unwrap_or(u64::MAX);
    let rich_size = ASPACE_1_SLOT + 3 * 4096;
    let Ok(rich) = untyped().split(slots::FREE + 3, rich_size) else {
        report(4, &[])
    };
    let Ok(a2) = rich.retype::<AddressSpace>(slots::FREE + 4, 1) else {
        report(5, &[])
    };
    let first = code(a2.map(f, VA, rw()));
    let second = code(a2.map(f, VA + 4096, rw()));
    let rich_left = rich.available().unwrap_or(u64::MAX);
    let deleted = code(a2.delete());
    let refunded = rich.available().unwrap_or(u64::MAX);
    report(
        0,
        &[
            refused,
            poor_left,
            first | (second << 8) | (deleted << 16) | (rich_left << 24),
            refunded,
        ],
    )
}
