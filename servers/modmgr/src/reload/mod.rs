//! The spec's [`HotReloadEngine`]: replace a running module by a new
//! binary, its state carried over, as a state machine that does no I/O
//! itself and drives a [`ReloadHost`] the module manager implements with
//! syscalls (and the tests with a mock).
//!
//! Design rules:
//! - Refuse before anything stops: the checks of Preparing
//!   ([`check_reload`]) run on metadata only; a refusal makes no host call
//!   that changes state.
//! - Any failure after the old server quiesced rolls back
//!   (destroy the new process, the old one serves again); when even that
//!   fails the error says `RollbackFailed` and carries the saved snapshot
//!   for self-healing.
//! - Step-wise: [`HotReloadEngine::begin`] then [`HotReloadEngine::step`]
//!   until done, so a single-threaded manager can [`HotReloadEngine::cancel`]
//!   between any two steps; [`HotReloadEngine::reload`] is the whole run.

mod check;
mod engine;
mod error;
mod host;
mod result;
mod state;

#[cfg(test)]
mod tests;

pub use check::{ReloadPlan, ReloadRefusal, VersionError, VersionRole, abi_version, check_reload};
pub use engine::{HotReloadEngine, Progress};
pub use error::{FailureCause, ReloadError, ReloadFailure, Result};
pub use host::{HostCall, HostError, ReloadHost, StateSnapshot};
pub use result::{LastReload, PhaseTime, ReloadResult};
pub use state::ReloadState;
