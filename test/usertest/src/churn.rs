//! Process churn: make a process whose thread runs on another CPU, destroy
//! it while it runs, many times (the kernel must free each one's page
//! tables once that CPU has switched away).

use helix_sys::{AddressSpace, Cap, CapRights, Frame, Thread, Untyped};

use crate::{code, hw, report, slots};

/// Where the child's code page is mapped (in the child).
const CODE_VA: u64 = 0x40_0000;
/// Where its counter page is mapped (in the child).
const DATA_VA: u64 = 0x40_1000;
/// `inc qword [0x401000]; jmp <start>`: count forever.
const CHILD_CODE: [u8; 10] = [0x48, 0xff, 0x04, 0x25, 0x00, 0x10, 0x40, 0x00, 0xeb, 0xf6];

fn untyped() -> Cap<Untyped> {
    Cap::from_slot(slots::UNTYPED)
}

fn fail(step: u64, round: u64, e: helix_sys::SysError) -> ! {
    report(e.raw(), &[step, round])
}

/// `param`: CPU mask for the children | rounds << 32. Each round makes an
/// address space, maps a code and a counter page in it, starts a thread
/// there on the masked CPU, waits until it counts, then deletes every cap
/// (the address space first, while the thread runs).
pub fn run(param: u64) -> ! {
    let (mask, rounds) = (param & 0xffff_ffff, param >> 32);
    let own: Cap<AddressSpace> = Cap::from_slot(slots::ASPACE);
    let va = crate::mem::VA;
    let rw = CapRights::READ.union(CapRights::WRITE);
    let rx = CapRights::READ.union(CapRights::EXECUTE);
    let mut lo = [0u8; 8];
    lo.copy_from_slice(&CHILD_CODE[..8]);
    let hi = u64::from(CHILD_CODE[8]) | u64::from(CHILD_CODE[9]) << 8;
    let mut stuck = 0;
    for round in 0..rounds {
        let s = slots::FREE;
        let a: Cap<AddressSpace> = untyped().retype(s, 4).unwrap_or_else(|e| fail(1, round, e));
        let c: Cap<Frame> = untyped()
            .retype(s + 1, 1)
            .unwrap_or_else(|e| fail(2, round, e));
        let d: Cap<Frame> = untyped()
            .retype(s + 2, 1)
            .unwrap_or_else(|e| fail(3, round, e));
        let t: Cap<Thread> = untyped()
            .retype(s + 3, 0)
            .unwrap_or_else(|e| fail(4, round, e));
        own.map(c, va, rw).unwrap_or_else(|e| fail(5, round, e));
        hw::poke(va, u64::from_le_bytes(lo));
        hw::poke(va + 8, hi);
        own.unmap(va).unwrap_or_else(|e| fail(6, round, e));
        own.map(d, va + 4096, rw)
            .unwrap_or_else(|e| fail(7, round, e));
        a.map(c, CODE_VA, rx).unwrap_or_else(|e| fail(8, round, e));
        a.map(d, DATA_VA, rw).unwrap_or_else(|e| fail(9, round, e));
        t.configure(a, None, 0x40_2000)
            .unwrap_or_else(|e| fail(10, round, e));
        t.set_affinity(mask).unwrap_or_else(|e| fail(11, round, e));
        t.start(CODE_VA, 0x40_2000)
            .unwrap_or_else(|e| fail(12, round, e));
        // Wait until it runs there (its CR3 is loaded on that CPU).
        let mut spins = 0u64;
        while hw::peek(va + 4096) == 0 && spins < 50_000_000 {
            spins += 1;
            core::hint::spin_loop();
        }
        if hw::peek(va + 4096) == 0 {
            stuck += 1;
        }
        let gone = code(a.delete()) | code(t.delete()) | code(c.delete()) | code(d.delete());
        if gone != 0 {
            report(gone, &[13, round]);
        }
    }
    // Let the other CPU take a timer tick and switch away.
    let slept = crate::threads::sleep(5, slots::FREE + 8);
    report(0, &[rounds, stuck, slept])
}
