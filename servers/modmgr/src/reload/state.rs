//! [`ReloadState`]: where a hot reload is in the spec's state machine.
#![forbid(unsafe_code)]

use core::fmt;

/// The phases of a hot reload (spec: Idle -> Preparing -> SavingState ->
/// Unloading -> Loading -> RestoringState -> Completed, RollbackFailed when
/// recovery fails).
///
/// [`HotReloadEngine::state`](super::HotReloadEngine::state) is the phase
/// the reload in flight is in: the work of that phase is what the next
/// [`step`](super::HotReloadEngine::step) does. With nothing in flight it
/// is `Idle`. `Completed` and `RollbackFailed` are how a reload ends
/// ([`LastReload::end`](super::LastReload::end)); the engine is `Idle`
/// again right after, ready for the next reload. No `RollingBack` state:
/// a rollback runs within the step (or the cancel) that needs it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ReloadState {
    /// No reload in flight.
    Idle,
    /// Checking the new binary against the running module, then telling
    /// the old server to quiesce.
    Preparing,
    /// Taking the old server's state.
    SavingState,
    /// Suspending the old server (kept for rollback).
    Unloading,
    /// Spawning the new server process (started quiesced).
    Loading,
    /// Handing the state to the new server, letting it serve, destroying
    /// the old one.
    RestoringState,
    /// The new version serves; the old one is gone.
    Completed,
    /// A step failed and the rollback failed too: neither version serves
    /// and the module is self-healing's to restart.
    RollbackFailed,
}

impl ReloadState {
    /// The phases a successful reload runs through, in order (each one is
    /// one step and one [`PhaseTime`](super::PhaseTime)).
    pub const PHASES: [ReloadState; 5] = [
        ReloadState::Preparing,
        ReloadState::SavingState,
        ReloadState::Unloading,
        ReloadState::Loading,
        ReloadState::RestoringState,
    ];

    /// The spec's name of the state.
    pub const fn name(self) -> &'static str {
        match self {
            ReloadState::Idle => "Idle",
            ReloadState::Preparing => "Preparing",
            ReloadState::SavingState => "SavingState",
            ReloadState::Unloading => "Unloading",
            ReloadState::Loading => "Loading",
            ReloadState::RestoringState => "RestoringState",
            ReloadState::Completed => "Completed",
            ReloadState::RollbackFailed => "RollbackFailed",
        }
    }

    /// The phase after this one on the success path (`Completed` after
    /// `RestoringState`); `None` for `Idle`, `Completed` and `RollbackFailed`.
    pub const fn next(self) -> Option<ReloadState> {
        match self {
            ReloadState::Preparing => Some(ReloadState::SavingState),
            ReloadState::SavingState => Some(ReloadState::Unloading),
            ReloadState::Unloading => Some(ReloadState::Loading),
            ReloadState::Loading => Some(ReloadState::RestoringState),
            ReloadState::RestoringState => Some(ReloadState::Completed),
            ReloadState::Idle | ReloadState::Completed | ReloadState::RollbackFailed => None,
        }
    }
}

impl fmt::Display for ReloadState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}
