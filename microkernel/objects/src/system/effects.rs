//! What [`super::System`] asks the kernel to do.

use helix_abi::{CapRights, SysError};

use crate::fault::FaultAnswer;
use crate::ipc::Transfer;
use crate::syscall::UserSlice;
use crate::table::{ObjRef, ThreadId};

/// How the invoking thread continues.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Completion {
    /// Return success with these values in `rdi`, `rsi`, `rdx`.
    Return([u64; 3]),
    /// Success; the caller's message registers were already written by a
    /// [`Effects::transfer`] to it during this call (leave them alone).
    Received,
    /// The caller is blocked; it will be woken through [`Effects::wake`]
    /// (or receive a message through [`Effects::transfer`]).
    Blocked,
}

/// Work only the hardware layer can do.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Hardware {
    /// Print user bytes on the debug console.
    DebugWrite(UserSlice),
    /// Unmap the page at `vaddr` in `aspace` (and shoot down TLBs).
    Unmap {
        /// The address space.
        aspace: ObjRef,
        /// Virtual address.
        vaddr: u64,
    },
    /// Set up the user context of `thread` and let it run from `rip`.
    Start {
        /// The thread.
        thread: ThreadId,
        /// Entry.
        rip: u64,
        /// Stack.
        rsp: u64,
    },
    /// Apply a fault handler's answer to a faulted thread.
    FaultAnswer {
        /// The thread.
        thread: ThreadId,
        /// Resume, restart or destroy.
        answer: FaultAnswer,
    },
    /// Read a port; the value goes into the caller's `rdi`.
    PortIn {
        /// Port.
        port: u16,
        /// Width in bytes.
        width: u8,
    },
    /// Write a port.
    PortOut {
        /// Port.
        port: u16,
        /// Width in bytes.
        width: u8,
        /// Value.
        value: u32,
    },
    /// Unmask an IRQ line after its handler acknowledged it.
    IrqUnmask(u64),
    /// Run the dispatcher (yield).
    Reschedule,
    /// A thread is gone: free its kernel stack and context.
    ThreadGone(ThreadId),
    /// An address space is gone: free its page tables.
    AddressSpaceGone(ObjRef),
    /// An IoPorts cap was removed: close every port opened to ring 3.
    IoPortsRevoked,
}

/// Map `pages` pages at physical `phys` to `vaddr` in `aspace`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MapRequest {
    /// The address space.
    pub aspace: ObjRef,
    /// Virtual address.
    pub vaddr: u64,
    /// Physical address.
    pub phys: u64,
    /// Pages.
    pub pages: u64,
    /// Page rights.
    pub rights: CapRights,
}

/// What a [`Effects::map`] did.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MapOutcome {
    /// Page-table pages it allocated (they stay with the address space,
    /// even when the map failed part-way).
    pub tables: u64,
    /// Whether every page was mapped (nothing stays mapped otherwise).
    pub result: Result<(), SysError>,
}

/// The kernel side of [`super::System::execute`].
pub trait Effects {
    /// `thread` is runnable again; its pending syscall returns `result`.
    fn wake(&mut self, thread: ThreadId, result: Result<(), SysError>);
    /// Copy a message (and, with `grant`, caps through
    /// [`super::System::transfer_caps`]) from `t.from` to `t.to`.
    fn transfer(&mut self, t: Transfer);
    /// `thread`, woken by a signal, returns `bits`.
    fn signal_bits(&mut self, thread: ThreadId, bits: u64);
    /// Hardware work.
    fn hardware(&mut self, action: Hardware);
    /// Map `req`, allocating at most `table_budget` new page-table pages
    /// (`OutOfMemory` when more are needed).
    fn map(&mut self, req: MapRequest, table_budget: u64) -> MapOutcome;
    /// Physical memory for a new Frame object (the budget is already
    /// charged); `OutOfMemory` when the machine has none left.
    fn alloc_frames(&mut self, pages: u64) -> Result<u64, SysError>;
    /// A Frame object is destroyed: unmap it everywhere and free it.
    fn free_frames(&mut self, phys: u64, pages: u64);
}
