//! [`ReloadError`]: why a hot reload did not complete, and for one that
//! failed half-way, whether the old version serves again.
#![forbid(unsafe_code)]

use alloc::boxed::Box;
use alloc::vec::Vec;
use core::fmt;
use helix_protocol::ModuleState;

use super::check::ReloadRefusal;
use super::host::{HostCall, HostError, StateSnapshot};
use super::state::ReloadState;
use crate::registry::ModuleId;

/// Results of the engine.
pub type Result<T, E = ReloadError> = core::result::Result<T, E>;

/// Why a reload did not complete; `S` is the host's saved state
/// ([`ReloadHost::Snapshot`](super::ReloadHost::Snapshot)).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ReloadError<S = ModuleState> {
    /// A reload is already in flight (one at a time).
    Busy {
        /// The module it reloads.
        module: ModuleId,
        /// Its phase.
        state: ReloadState,
    },
    /// `step` or `cancel` with no reload in flight (never begun, or already
    /// ended: completed, refused or rolled back).
    NotInProgress,
    /// Preparing could not read the running module's record or the new
    /// binary's, or the old server refused to quiesce; nothing was stopped.
    NotStarted {
        /// The module.
        module: ModuleId,
        /// The call that failed (`current`, `load` or `quiesce`).
        call: HostCall,
        /// The host's reason.
        error: HostError,
    },
    /// `cancel()` before Preparing ran: nothing was stopped.
    Cancelled {
        /// The module.
        module: ModuleId,
    },
    /// Preparing refused the new binary; nothing was stopped.
    Refused {
        /// The module.
        module: ModuleId,
        /// Every reason.
        refusals: Vec<ReloadRefusal>,
    },
    /// A phase failed, or the reload was cancelled, after the old server
    /// quiesced; the rollback ran.
    Failed(Box<ReloadFailure<S>>),
}

impl<S: StateSnapshot> ReloadError<S> {
    /// Whether a rollback ran and the old version serves again. `false`
    /// for errors before anything stopped (nothing to roll back) and when
    /// the rollback failed.
    pub fn rolled_back(&self) -> bool {
        self.failure().is_some_and(ReloadFailure::rolled_back)
    }

    /// How the reload ended: `RollbackFailed` when neither version serves,
    /// otherwise `Idle` (the old version serves, untouched or rolled back).
    pub fn state(&self) -> ReloadState {
        match self.failure() {
            Some(f) if !f.rolled_back() => ReloadState::RollbackFailed,
            _ => ReloadState::Idle,
        }
    }

    /// The half-way failure, if this is one.
    pub fn failure(&self) -> Option<&ReloadFailure<S>> {
        match self {
            ReloadError::Failed(f) => Some(f),
            ReloadError::Busy { .. }
            | ReloadError::NotInProgress
            | ReloadError::NotStarted { .. }
            | ReloadError::Cancelled { .. }
            | ReloadError::Refused { .. } => None,
        }
    }

    /// The old server's saved state, if it was taken before the failure
    /// (self-healing restarts the module with it after `RollbackFailed`).
    pub fn snapshot(&self) -> Option<&S> {
        self.failure().and_then(|f| f.snapshot.as_ref())
    }

    /// The same error without the saved state (what the engine keeps as
    /// the last outcome; the snapshot went to the caller).
    pub(super) fn without_snapshot(&self) -> ReloadError<S> {
        match self {
            ReloadError::Failed(f) => ReloadError::Failed(Box::new(ReloadFailure {
                snapshot: None,
                cause: f.cause.clone(),
                rollback: f.rollback.clone(),
                ..**f
            })),
            other => other.clone(),
        }
    }
}

impl<S: StateSnapshot> fmt::Display for ReloadError<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ReloadError::Busy { module, state } => {
                write!(f, "a hot reload of {module} is in flight ({state})")
            }
            ReloadError::NotInProgress => f.write_str("no hot reload is in flight"),
            ReloadError::NotStarted {
                module,
                call,
                error,
            } => write!(
                f,
                "hot reload of {module} not started: {call}: {error}; nothing was stopped"
            ),
            ReloadError::Cancelled { module } => {
                write!(
                    f,
                    "hot reload of {module} cancelled before anything stopped"
                )
            }
            ReloadError::Refused { module, refusals } => {
                write!(f, "hot reload of {module} refused")?;
                let mut sep = ": ";
                for r in refusals {
                    write!(f, "{sep}{r}")?;
                    sep = "; ";
                }
                f.write_str(" (nothing was stopped)")
            }
            ReloadError::Failed(failure) => write!(f, "{failure}"),
        }
    }
}

impl<S: StateSnapshot> core::error::Error for ReloadError<S> {}

/// What stopped a reload half-way.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FailureCause {
    /// A host call failed.
    Host {
        /// Which.
        call: HostCall,
        /// The host's reason.
        error: HostError,
    },
    /// `cancel()` was called.
    Cancelled,
}

impl fmt::Display for FailureCause {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FailureCause::Host { call, error } => write!(f, "{call}: {error}"),
            FailureCause::Cancelled => f.write_str("cancelled"),
        }
    }
}

/// A reload stopped after the old server quiesced, and how the
/// rollback went.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReloadFailure<S = ModuleState> {
    /// The module.
    pub module: ModuleId,
    /// The phase that failed or was cancelled.
    pub phase: ReloadState,
    /// What stopped it.
    pub cause: FailureCause,
    /// The rollback: `Ok` when the old version serves again, the
    /// `resume_old` error when it does not (`RollbackFailed`).
    pub rollback: core::result::Result<(), HostError>,
    /// The old server's saved state, when SavingState had taken it.
    pub snapshot: Option<S>,
}

impl<S> ReloadFailure<S> {
    /// Whether the old version serves again.
    pub fn rolled_back(&self) -> bool {
        self.rollback.is_ok()
    }
}

impl<S: StateSnapshot> fmt::Display for ReloadFailure<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let (module, phase, cause) = (self.module, self.phase, &self.cause);
        match cause {
            FailureCause::Cancelled => write!(f, "hot reload of {module} cancelled in {phase}")?,
            FailureCause::Host { .. } => {
                write!(f, "hot reload of {module} failed in {phase}: {cause}")?;
            }
        }
        match &self.rollback {
            Ok(()) => f.write_str("; rolled back, the old version serves again"),
            Err(e) => {
                write!(
                    f,
                    "; {}: resume_old: {e}: neither version serves",
                    ReloadState::RollbackFailed
                )?;
                match &self.snapshot {
                    Some(s) => write!(
                        f,
                        ", self-healing restarts it with the saved state ({} bytes)",
                        s.bytes()
                    ),
                    None => f.write_str(", self-healing restarts it (no state was saved)"),
                }
            }
        }
    }
}
