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

static NAME: spin::Once<&'static str> = spin::Once::new();
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
