//! The manager's control calls to a server, each bounded by an IPC
//! timeout on the manager's own thread (a server that does not answer
//! never stops the manager): on the service endpoint with the manager's
//! badge while the server serves (the call waits behind the requests the
//! server holds, which is what `Quiesce` wants), on the control endpoint
//! while it is quiesced.

use helix_abi::bootinfo::SLOT_THREAD;
use helix_protocol::client::{ControlClient, ControlError};
use helix_protocol::runtime::IpcTransport;
use helix_protocol::v1::ModuleState;
use helix_protocol::v2::Event;
use helix_sys::{Cap, Thread};

use crate::snapshot::Snapshot;

/// Timer ticks (ms) one control call may take.
pub const TIMEOUT_TICKS: u64 = 2000;
/// Timer ticks a liveness ping may take (a server that is working through
/// a queue of requests answers late once; the watchdog needs several
/// misses in a row).
pub const PING_TICKS: u64 = 250;
/// Timer ticks a freshly spawned process has to reach its loop (its
/// `init` runs first; one that fails or faults there never answers).
pub const READY_TICKS: u64 = 500;

/// A control call failed: which one and why.
#[derive(Clone, Debug, PartialEq)]
pub struct ControlFailure {
    /// The call.
    pub call: &'static str,
    /// The server's or the transport's answer.
    pub error: ControlError,
}

impl core::fmt::Display for ControlFailure {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "{}: {:?}", self.call, self.error)
    }
}

/// Run `f` on a control client over the endpoint cap in manager slot
/// `slot`, with `ticks` as the manager's IPC timeout.
fn with<R>(
    slot: u32,
    ticks: u64,
    call: &'static str,
    f: impl FnOnce(&mut ControlClient<IpcTransport>) -> Result<R, ControlError>,
) -> Result<R, ControlFailure> {
    let me: Cap<Thread> = Cap::from_slot(SLOT_THREAD);
    // Setting our own timeout cannot fail for our own thread cap; if it
    // did, the call would only be unbounded.
    let _ = me.set_timeout(ticks);
    let mut c = ControlClient::new(IpcTransport::new(Cap::from_slot(slot)));
    let r = f(&mut c);
    let _ = me.set_timeout(0);
    r.map_err(|error| ControlFailure { call, error })
}

/// Tell a dependent that module `name` is going away for a reload
/// (`available: false`) or serves again; `Ok(true)` when its module took
/// the event, `Ok(false)` when it handles no events.
pub fn dependency_changed(slot: u32, name: &str, available: bool) -> Result<bool, ControlFailure> {
    let event = Event::DependencyChanged {
        name: name.into(),
        available,
    };
    with(slot, PING_TICKS, "dependency_changed", |c| c.event(&event))
}

/// Requests served so far.
pub fn ping(slot: u32) -> Result<u64, ControlFailure> {
    with(slot, PING_TICKS, "ping", |c| c.ping())
}

/// A fresh process reached its loop (quiesced: on its control endpoint).
pub fn ready(slot: u32) -> Result<u64, ControlFailure> {
    with(slot, READY_TICKS, "ready", |c| c.ping())
}

/// `is_healthy`.
pub fn health(slot: u32) -> Result<bool, ControlFailure> {
    with(slot, PING_TICKS, "health", |c| c.health())
}

/// A snapshot of the state while serving (a checkpoint).
pub fn checkpoint(slot: u32) -> Result<Option<Snapshot>, ControlFailure> {
    with(slot, TIMEOUT_TICKS, "get_state", |c| c.get_state()).map(|s| s.map(Snapshot::Inline))
}

/// Answer what it holds, stop taking clients.
pub fn quiesce(slot: u32) -> Result<(), ControlFailure> {
    with(slot, TIMEOUT_TICKS, "quiesce", |c| c.quiesce())
}

/// The final state (quiesced).
pub fn save(slot: u32) -> Result<Option<Snapshot>, ControlFailure> {
    with(slot, TIMEOUT_TICKS, "save_state", |c| c.save_state()).map(|s| s.map(Snapshot::Inline))
}

/// Hand over a state (quiesced or fresh).
pub fn restore(slot: u32, state: &Snapshot) -> Result<(), ControlFailure> {
    match state {
        Snapshot::Inline(s) => restore_inline(slot, s.clone()),
    }
}

fn restore_inline(slot: u32, state: ModuleState) -> Result<(), ControlFailure> {
    with(slot, TIMEOUT_TICKS, "restore_state", |c| {
        c.restore_state(state)
    })
}

/// Start (again) and serve.
pub fn resume(slot: u32) -> Result<(), ControlFailure> {
    with(slot, TIMEOUT_TICKS, "resume", |c| c.resume())
}

/// `stop` + `cleanup`; the server's loop ends.
pub fn shutdown(slot: u32) -> Result<(), ControlFailure> {
    with(slot, TIMEOUT_TICKS, "shutdown", |c| c.shutdown())
}

impl ControlFailure {
    /// Whether the server died holding the call (or was gone already).
    pub fn server_gone(&self) -> bool {
        matches!(
            self.error,
            ControlError::Transport(helix_protocol::client::TransportError::ServerGone)
        )
    }
}
