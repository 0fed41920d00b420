//! Where things are in a hostile process: the CSpace slots the kernel test
//! fills (and with which rights and badges), the address ranges the
//! generator maps into, and the code its child threads run.

use helix_abi::{CapRights, CapType};

/// Slots of a hostile process's CSpace.
pub const CSPACE_SLOTS: u32 = 256;
/// Its own AddressSpace (kernel-made; never deleted, moved or sent).
pub const ASPACE: u32 = 0;
/// Its own Thread (never suspended, deleted, moved or sent).
pub const THREAD: u32 = 1;
/// The report endpoint (invisible to the generator).
pub const REPORT: u32 = 2;
/// Its Untyped: a copy of the kernel test's, which checks it is full again
/// at the end.
pub const UNTYPED: u32 = 3;
/// Shared endpoint A (every process, unbadged).
pub const EP_A: u32 = 4;
/// Shared notification A (every process, unbadged).
pub const NTFN_A: u32 = 5;
/// Shared endpoint B (badged per process, rights differ by process).
pub const EP_B: u32 = 6;
/// IRQ control (one object shared by all).
pub const IRQ_CONTROL: u32 = 7;
/// Shared notification B (badged per process).
pub const NTFN_B: u32 = 8;
/// The main thread's fault endpoint slot: left empty, so a fault of the
/// main thread stops it and the run fails for want of its report.
pub const FAULT: u32 = 9;
/// First slot the generator fills; 9..16 stay empty and untouched.
pub const FIRST_FREE: u32 = 16;

/// Read, write, grant.
pub const RWG: u8 = 0b0111;
/// Read, write.
pub const RW: u8 = 0b0011;

/// A cap the kernel test places in a hostile process (`index` of `procs`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Placed {
    /// The slot.
    pub slot: u32,
    /// Object type.
    pub kind: CapType,
    /// Rights bits.
    pub rights: u8,
    /// Badge (0 = none).
    pub badge: u64,
}

/// The shared caps of process `index`: both endpoints and notifications
/// and IRQ control. The kernel test mints exactly these; the model starts
/// from exactly these.
pub fn shared_caps(index: u64) -> [Placed; 5] {
    let even = index.is_multiple_of(2);
    let p = |slot, kind, rights, badge| Placed {
        slot,
        kind,
        rights,
        badge,
    };
    [
        p(EP_A, CapType::Endpoint, RWG, 0),
        p(NTFN_A, CapType::Notification, RW, 0),
        p(
            EP_B,
            CapType::Endpoint,
            if even { RWG } else { 0b0110 },
            index + 1,
        ),
        p(IRQ_CONTROL, CapType::IrqControl, CapRights::ALL.bits(), 0),
        p(
            NTFN_B,
            CapType::Notification,
            if even { RW } else { 0b0010 },
            1 << (index % 48),
        ),
    ]
}

/// Own scratch range: the only part of its own address space the
/// generator maps and unmaps.
pub const SCRATCH_VA: u64 = 0x5800_0000;
/// Pages of the scratch range.
pub const SCRATCH_PAGES: u8 = 32;
/// Where a child address space's pages go.
pub const CHILD_VA: u64 = 0x40_0000;
/// Pages of a child address space the generator uses.
pub const CHILD_PAGES: u8 = 8;
/// Stack pointer given to child threads (they never touch the stack).
pub const CHILD_RSP: u64 = 0x7000_0000;
/// Child CSpace slot the generator puts a fault endpoint in.
pub const CHILD_FAULT: u32 = 0;
/// Child CSpace slot the child's wait loop waits on.
pub const CHILD_NTFN: u32 = 1;
/// The run's parameters, mapped read-only by the kernel test.
pub const CONFIG_VA: u64 = 0x7fff_e000_0000;
/// IRQ lines the generator claims: above the 16 ISA lines, so binding one
/// unmasks nothing and none ever fires.
pub const IRQ_LINES: core::ops::Range<u64> = 32..48;
/// Priority of the main thread (set by its first call); child threads get
/// at most [`CHILD_MAX_PRIORITY`], so they never starve it.
pub const MAIN_PRIORITY: u8 = 200;
/// The highest priority the generator gives a child thread.
pub const CHILD_MAX_PRIORITY: u8 = 150;

/// Offsets of the child code variants in a code frame.
pub mod code {
    /// `loop { yield }`.
    pub const YIELD: u64 = 0;
    /// `loop { wait(CHILD_NTFN) }` (threads in a child address space).
    pub const WAIT_CHILD: u64 = 16;
    /// `loop { wait(NTFN_A) }` (threads in the process's own space).
    pub const WAIT_OWN: u64 = 32;
}

const fn wait_loop(slot: u32) -> [u8; 16] {
    let s = slot.to_le_bytes();
    [
        0xbf, s[0], s[1], s[2], s[3], // mov edi, slot
        0xb8, 0x09, 0x00, 0x00, 0x00, // mov eax, 9 (Wait)
        0x0f, 0x05, // syscall
        0xeb, 0xf2, // jmp back to the mov edi
        0x90, 0x90,
    ]
}

const fn code_bytes() -> [u8; 48] {
    let mut b = [0x90u8; 48];
    // mov eax, 11 (Yield); syscall; jmp back
    let y = [0xb8, 0x0b, 0x00, 0x00, 0x00, 0x0f, 0x05, 0xeb, 0xf7];
    let (wc, wo) = (wait_loop(CHILD_NTFN), wait_loop(NTFN_A));
    let mut i = 0;
    while i < 16 {
        if i < y.len() {
            b[i] = y[i];
        }
        b[16 + i] = wc[i];
        b[32 + i] = wo[i];
        i += 1;
    }
    b
}

/// The child code as the words the process writes into a fresh frame.
/// Every register a child syscall does not use is zero when it starts
/// and stays zero, so each call is well formed.
pub const CODE_WORDS: [u64; 6] = {
    let b = code_bytes();
    let mut w = [0u64; 6];
    let mut i = 0;
    while i < 6 {
        w[i] = u64::from_le_bytes([
            b[8 * i],
            b[8 * i + 1],
            b[8 * i + 2],
            b[8 * i + 3],
            b[8 * i + 4],
            b[8 * i + 5],
            b[8 * i + 6],
            b[8 * i + 7],
        ]);
        i += 1;
    }
    w
};
