//! [`ReloadHost`]: everything the engine asks of the module manager, one
//! call per effect, and the [`HostError`] a call fails with.
#![forbid(unsafe_code)]

use alloc::string::{String, ToString};
use alloc::vec::Vec;
use core::fmt;
use helix_protocol::ModuleState;
use helix_protocol::metadata::ModuleRecord;

use crate::registry::ModuleId;

/// What the engine keeps of a saved state: a [`ModuleState`] in memory,
/// or whatever the host stores it in (the module manager keeps big states
/// in frames it hands from the old server to the new one).
pub trait StateSnapshot: Clone + fmt::Debug + PartialEq {
    /// Its size in bytes.
    fn bytes(&self) -> usize;
}

impl StateSnapshot for ModuleState {
    fn bytes(&self) -> usize {
        self.data.len()
    }
}

/// What the engine needs done, with syscalls in the manager and with a
/// mock in the tests. The engine calls these in the order of the state
/// machine and never two at once; `id` is always the module being
/// reloaded.
///
/// The old and the new process of the module are the host's to track: the
/// new one exists between `spawn_new` and `commit` (or `discard_new`), the
/// old one until `commit`.
pub trait ReloadHost {
    /// A saved state, as the host keeps it.
    type Snapshot: StateSnapshot;
    /// The running module's metadata record.
    fn current(&self, id: ModuleId) -> Result<ModuleRecord, HostError>;
    /// Parse and verify `binary` (format, checksum, signature) and give its
    /// metadata record; no process yet and nothing changes.
    fn load(&mut self, binary: &[u8]) -> Result<ModuleRecord, HostError>;
    /// The modules that depend on `id`: (dependent's name, its version
    /// constraint on `id`, as written), one entry per dependency.
    fn dependents(&self, id: ModuleId) -> Vec<(String, String)>;
    /// The old server answers every request it holds and stops taking new
    /// ones (clients that call meanwhile block on the endpoint). On `Err`
    /// the old server must still serve: the engine ends the reload with
    /// nothing to undo (a `ServerCore` whose `stop()` fails stays serving,
    /// and would refuse a `Resume`); a server that died on the way is
    /// self-healing's, like any crash.
    fn quiesce(&mut self, id: ModuleId) -> Result<(), HostError>;
    /// The old server's final state; `None` when it keeps none.
    fn save_state(&mut self, id: ModuleId) -> Result<Option<Self::Snapshot>, HostError>;
    /// Suspend the old server; it is kept for a rollback.
    fn suspend_old(&mut self, id: ModuleId) -> Result<(), HostError>;
    /// Spawn a process from `binary` (the one given to `load`), started
    /// quiesced: it takes no client until `resume_new`.
    fn spawn_new(&mut self, id: ModuleId, binary: &[u8]) -> Result<(), HostError>;
    /// Hand the saved state to the new server.
    fn restore_new(&mut self, id: ModuleId, state: &Self::Snapshot) -> Result<(), HostError>;
    /// The new server receives on the module's endpoint (the requests that
    /// queued are its), after a health check it passes.
    fn resume_new(&mut self, id: ModuleId) -> Result<(), HostError>;
    /// Destroy the old process: the new one is the module now (registry,
    /// name service and self-healing records follow).
    fn commit(&mut self, id: ModuleId) -> Result<(), HostError>;
    /// Rollback: destroy the new process, if there is one.
    fn discard_new(&mut self, id: ModuleId);
    /// Rollback: the old server serves again (resumed if suspended, taking
    /// clients again if quiesced).
    fn resume_old(&mut self, id: ModuleId) -> Result<(), HostError>;
    /// A monotonic clock in microseconds, for phase times and downtime.
    fn now_us(&self) -> u64;
}

/// Lets an engine borrow the manager's host for one reload.
impl<H: ReloadHost + ?Sized> ReloadHost for &mut H {
    type Snapshot = H::Snapshot;
    fn current(&self, id: ModuleId) -> Result<ModuleRecord, HostError> {
        (**self).current(id)
    }
    fn load(&mut self, binary: &[u8]) -> Result<ModuleRecord, HostError> {
        (**self).load(binary)
    }
    fn dependents(&self, id: ModuleId) -> Vec<(String, String)> {
        (**self).dependents(id)
    }
    fn quiesce(&mut self, id: ModuleId) -> Result<(), HostError> {
        (**self).quiesce(id)
    }
    fn save_state(&mut self, id: ModuleId) -> Result<Option<Self::Snapshot>, HostError> {
        (**self).save_state(id)
    }
    fn suspend_old(&mut self, id: ModuleId) -> Result<(), HostError> {
        (**self).suspend_old(id)
    }
    fn spawn_new(&mut self, id: ModuleId, binary: &[u8]) -> Result<(), HostError> {
        (**self).spawn_new(id, binary)
    }
    fn restore_new(&mut self, id: ModuleId, state: &Self::Snapshot) -> Result<(), HostError> {
        (**self).restore_new(id, state)
    }
    fn resume_new(&mut self, id: ModuleId) -> Result<(), HostError> {
        (**self).resume_new(id)
    }
    fn commit(&mut self, id: ModuleId) -> Result<(), HostError> {
        (**self).commit(id)
    }
    fn discard_new(&mut self, id: ModuleId) {
        (**self).discard_new(id);
    }
    fn resume_old(&mut self, id: ModuleId) -> Result<(), HostError> {
        (**self).resume_old(id)
    }
    fn now_us(&self) -> u64 {
        (**self).now_us()
    }
}

/// Declares [`HostCall`] and its `ALL` list from one table, so the list
/// cannot miss a call.
macro_rules! host_calls {
    ($($(#[$doc:meta])* $call:ident => $name:literal,)*) => {
        /// One [`ReloadHost`] call, as an error or a test names it.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum HostCall {
            $($(#[$doc])* $call,)*
        }

        impl HostCall {
            /// Every call, in trait order.
            pub const ALL: &[HostCall] = &[$(HostCall::$call,)*];

            /// The trait method's name.
            pub const fn name(self) -> &'static str {
                match self {
                    $(HostCall::$call => $name,)*
                }
            }
        }
    };
}

host_calls! {
    /// [`ReloadHost::current`].
    Current => "current",
    /// [`ReloadHost::load`].
    Load => "load",
    /// [`ReloadHost::dependents`].
    Dependents => "dependents",
    /// [`ReloadHost::quiesce`].
    Quiesce => "quiesce",
    /// [`ReloadHost::save_state`].
    SaveState => "save_state",
    /// [`ReloadHost::suspend_old`].
    SuspendOld => "suspend_old",
    /// [`ReloadHost::spawn_new`].
    SpawnNew => "spawn_new",
    /// [`ReloadHost::restore_new`].
    RestoreNew => "restore_new",
    /// [`ReloadHost::resume_new`].
    ResumeNew => "resume_new",
    /// [`ReloadHost::commit`].
    Commit => "commit",
    /// [`ReloadHost::discard_new`].
    DiscardNew => "discard_new",
    /// [`ReloadHost::resume_old`].
    ResumeOld => "resume_old",
    /// [`ReloadHost::now_us`].
    NowUs => "now_us",
}

impl fmt::Display for HostCall {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// Why a host call failed, in the host's words (a syscall error, a server's
/// answer, a loader refusal, a failed health check). The engine adds which
/// call it was ([`HostCall`]) and in which phase.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HostError {
    /// What went wrong.
    pub reason: String,
}

impl HostError {
    /// An error explained by `reason` (any `Display`: a `SysError`, a
    /// `LoadError`, a `CallError`, ...).
    pub fn new(reason: impl fmt::Display) -> HostError {
        HostError {
            reason: reason.to_string(),
        }
    }
}

impl fmt::Display for HostError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.reason)
    }
}

impl core::error::Error for HostError {}
