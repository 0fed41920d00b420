//! Shared fixtures: a recording `Effects` and a booted root process.

use alloc::vec::Vec;

use helix_abi::invoke::NO_SLOT;
use helix_abi::{CapType, MessageInfo, Method, SysError, Syscall};

use super::super::*;
use crate::ipc::Transfer;
use crate::syscall::{SyscallRegs, decode};
use crate::table::ThreadId;

#[derive(Default)]
pub(super) struct Rec {
    pub(super) wakes: Vec<(ThreadId, Result<(), SysError>)>,
    pub(super) transfers: Vec<Transfer>,
    pub(super) bits: Vec<(ThreadId, u64)>,
    pub(super) hw: Vec<Hardware>,
    pub(super) next_phys: u64,
    pub(super) frames_live: i64,
    /// Maps asked for, with their table budget.
    pub(super) maps: Vec<(MapRequest, u64)>,
    /// Page-table pages each map needs (a fake page-table walk).
    pub(super) tables_per_map: u64,
}

impl Effects for Rec {
    fn wake(&mut self, t: ThreadId, r: Result<(), SysError>) {
        self.wakes.push((t, r));
    }
    fn transfer(&mut self, t: Transfer) {
        self.transfers.push(t);
    }
    fn signal_bits(&mut self, t: ThreadId, bits: u64) {
        self.bits.push((t, bits));
    }
    fn hardware(&mut self, a: Hardware) {
        self.hw.push(a);
    }
    fn map(&mut self, req: MapRequest, table_budget: u64) -> MapOutcome {
        self.maps.push((req, table_budget));
        let tables = self.tables_per_map.min(table_budget);
        let result = if tables < self.tables_per_map {
            Err(SysError::OutOfMemory)
        } else {
            Ok(())
        };
        MapOutcome { tables, result }
    }
    fn alloc_frames(&mut self, pages: u64) -> Result<u64, SysError> {
        self.next_phys += pages * 4096;
        self.frames_live += pages as i64;
        Ok(self.next_phys)
    }
    fn free_frames(&mut self, _phys: u64, pages: u64) {
        self.frames_live -= pages as i64;
    }
}

pub(super) const LIMITS: Limits = Limits {
    threads: 16,
    address_spaces: 8,
    endpoints: 16,
    notifications: 16,
    frames: 16,
    quotas: 8,
    devices: 16,
    cpus: 2,
};

/// Root process: slot 0 aspace, 1 untyped (64 KiB), 2 IrqControl,
/// 3 IoPorts, 4 the root thread.
pub(super) fn boot() -> (System, ThreadId) {
    let mut s = System::new(LIMITS);
    let a = s.boot_address_space(64).unwrap();
    let cs = s.cspace_of_aspace(a).unwrap();
    s.boot_cap(
        crate::cap::SlotAddr::new(cs, 1),
        CapType::Untyped,
        64 * 1024,
    )
    .unwrap();
    s.boot_cap(crate::cap::SlotAddr::new(cs, 2), CapType::IrqControl, 0)
        .unwrap();
    s.boot_cap(crate::cap::SlotAddr::new(cs, 3), CapType::IoPorts, 0)
        .unwrap();
    let t = s.boot_thread(a, 4).unwrap();
    s.boot_start(t).unwrap();
    (s, t)
}

pub(super) fn sys(
    s: &mut System,
    t: ThreadId,
    fx: &mut Rec,
    call: Syscall,
    a: [u64; 6],
) -> Result<Completion, SysError> {
    let r = SyscallRegs {
        rax: call.raw(),
        rdi: a[0],
        rsi: a[1],
        rdx: a[2],
        r10: a[3],
        r8: a[4],
        r9: a[5],
    };
    let inv = decode(&r)?;
    s.execute(t, inv, fx)
}

pub(super) fn inv(
    s: &mut System,
    t: ThreadId,
    fx: &mut Rec,
    cap: u64,
    m: Method,
    a: [u64; 4],
) -> Result<Completion, SysError> {
    sys(
        s,
        t,
        fx,
        Syscall::Invoke,
        [cap, m.raw(), a[0], a[1], a[2], a[3]],
    )
}

pub(super) fn retype(s: &mut System, t: ThreadId, fx: &mut Rec, kind: CapType, dst: u64, arg: u64) {
    inv(
        s,
        t,
        fx,
        1,
        Method::UntypedRetype,
        [kind as u64, dst, arg, 0],
    )
    .unwrap();
}

/// A second thread in the root process, in slot `slot`, started.
pub(super) fn second_thread(s: &mut System, root: ThreadId, fx: &mut Rec, slot: u64) -> ThreadId {
    retype(s, root, fx, CapType::Thread, slot, 0);
    start_thread(s, root, fx, slot, 0, NO_SLOT)
}

/// Configure the thread in root slot `slot` for the address space in
/// root slot `aspace` with fault endpoint slot `fault` (or `NO_SLOT`),
/// and start it.
pub(super) fn start_thread(
    s: &mut System,
    root: ThreadId,
    fx: &mut Rec,
    slot: u64,
    aspace: u64,
    fault: u64,
) -> ThreadId {
    inv(
        s,
        root,
        fx,
        slot,
        Method::ThreadConfigure,
        [aspace, fault, 0x10_0000, 0],
    )
    .unwrap();
    inv(
        s,
        root,
        fx,
        slot,
        Method::ThreadStart,
        [0x40_0000, 0x7000_0000, 0, 0],
    )
    .unwrap();
    let Some(Hardware::Start { thread, .. }) = fx.hw.last().copied() else {
        panic!()
    };
    thread
}

pub(super) fn info(label: u64, len: usize, caps: usize) -> u64 {
    MessageInfo::new(label, len, caps).unwrap().raw()
}
