//! A runtime process's conventions and life: the CSpace slots it finds
//! its caps in and its report labels (defined in `helix_abi::process`,
//! re-exported here), the context its module is given, and how it ends (a
//! report to its root endpoint, then its thread suspends itself).
#![forbid(unsafe_code)]

use alloc::format;
use core::sync::atomic::{AtomicU64, Ordering};

use helix_abi::CapType;
use helix_sys::{Cap, Endpoint, Message, Thread};

use crate::server::LoopExit;
use crate::v1::ModuleContext;

pub use helix_abi::process::{labels, slots};

/// Where the heap may grow from: a memory budget and a window of the own
/// address space, with CSpace slots for the Frame caps it makes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct HeapBudget {
    /// Slot of the Untyped the Frames are made from.
    pub memory: u32,
    /// Slot of the own AddressSpace.
    pub aspace: u32,
    /// First address of the window (page aligned).
    pub window: u64,
    /// Bytes the window may take.
    pub window_bytes: u64,
    /// First free CSpace slot for Frame caps.
    pub first_slot: u32,
    /// How many slots from `first_slot` the heap may use.
    pub slots: u32,
}

static NAME: spin::Once<&'static str> = spin::Once::new();
/// The slots [`reserve_slot`] hands out: `FREE_NEXT` counts down to
/// `FREE_FLOOR`.
static FREE_NEXT: core::sync::atomic::AtomicU32 = core::sync::atomic::AtomicU32::new(0);
static FREE_FLOOR: core::sync::atomic::AtomicU32 = core::sync::atomic::AtomicU32::new(0);

/// Split the process's free slots `[first, first + count)`: the lower
/// three quarters for the heap's Frame caps (returned), the upper quarter
/// for [`reserve_slot`].
pub fn split_free_slots(first: u32, count: u32) -> (u32, u32) {
    let heap = count - count / 4;
    FREE_FLOOR.store(first + heap, Ordering::SeqCst);
    FREE_NEXT.store(first + count, Ordering::SeqCst);
    (first, heap)
}

/// An empty slot of this process's CSpace for a cap the program makes
/// (a notification, a received cap); `None` when they are used up.
pub fn reserve_slot() -> Option<u32> {
    let floor = FREE_FLOOR.load(Ordering::SeqCst);
    FREE_NEXT
        .fetch_update(Ordering::SeqCst, Ordering::SeqCst, |n| {
            (n > floor).then(|| n - 1)
        })
        .ok()
        .map(|n| n - 1)
}
static MODULE_ID: AtomicU64 = AtomicU64::new(0);

/// Record who this process is (first call wins).
pub fn set_identity(name: &'static str, module_id: u64) {
    NAME.call_once(|| name);
    MODULE_ID.store(module_id, Ordering::SeqCst);
}

/// The name given at start (`"?"` before).
pub fn name() -> &'static str {
    NAME.get().copied().unwrap_or("?")
}

/// The module id given at start.
pub fn module_id() -> u64 {
    MODULE_ID.load(Ordering::SeqCst)
}

/// The context a process's module gets from its two start words:
/// `arg0` is the module id, `arg1` the argument `param=<arg1>`; the caps
/// are `report` and `service` in their [`slots`].
pub fn context(arg0: u64, arg1: u64) -> ModuleContext {
    ModuleContext::new(arg0)
        .with_args(&format!("param={arg1}"))
        .with_cap("report", slots::REPORT, CapType::Endpoint)
        .with_cap("service", slots::SERVICE, CapType::Endpoint)
}

/// The report label and detail word for how a server loop ended.
pub fn exit_code(e: LoopExit) -> (u64, u64) {
    match e {
        LoopExit::Shutdown => (labels::OK, 0),
        LoopExit::InitFailed(_) => (labels::INIT_FAILED, 0),
        LoopExit::StartFailed(_) => (labels::START_FAILED, 0),
        LoopExit::Transport(t) => (
            labels::TRANSPORT,
            match t {
                crate::client::TransportError::Sys(s) => s.raw(),
                _ => 0,
            },
        ),
    }
}

/// Send `label` with `[module id, detail]` to the root endpoint (blocks
/// until the root server takes it; fails at once without the cap).
pub fn report(label: u64, detail: u64) {
    let root: Cap<Endpoint> = Cap::from_slot(slots::REPORT);
    let _ = root.send(&Message::new(label, &[module_id(), detail]));
}

/// End the process: report, then suspend the own thread. Should the
/// thread have no cap to itself, a `ud2` hands it to its fault handler
/// (or the kernel suspends it): it never spins.
pub fn exit(label: u64, detail: u64) -> ! {
    report(label, detail);
    let me: Cap<Thread> = Cap::from_slot(slots::THREAD);
    let _ = me.suspend();
    helix_sys::rt::abort(b"")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reserved_slots_come_from_the_top_quarter() {
        let (first, heap) = split_free_slots(100, 40);
        assert_eq!((first, heap), (100, 30));
        let got: alloc::vec::Vec<u32> = core::iter::from_fn(reserve_slot).collect();
        assert_eq!(got, (130..140).rev().collect::<alloc::vec::Vec<u32>>());
    }
    use crate::client::TransportError;
    use crate::error::ModuleError;

    #[test]
    fn context_names_the_caps_and_the_parameter() {
        let ctx = context(7, 3);
        assert_eq!(ctx.module_id, 7);
        assert_eq!(ctx.arg("param"), Some("3"));
        assert_eq!(ctx.cap("service").map(|c| c.slot), Some(slots::SERVICE));
        assert_eq!(ctx.cap("report").map(|c| c.slot), Some(slots::REPORT));
    }

    #[test]
    fn every_loop_exit_has_its_own_label() {
        assert_eq!(exit_code(LoopExit::Shutdown), (labels::OK, 0));
        assert_eq!(
            exit_code(LoopExit::InitFailed(ModuleError::NotSupported)).0,
            labels::INIT_FAILED
        );
        assert_eq!(
            exit_code(LoopExit::StartFailed(ModuleError::NotSupported)).0,
            labels::START_FAILED
        );
        assert_eq!(
            exit_code(LoopExit::Transport(TransportError::Sys(
                helix_abi::SysError::NoRights
            ))),
            (labels::TRANSPORT, helix_abi::SysError::NoRights.raw())
        );
    }
}
