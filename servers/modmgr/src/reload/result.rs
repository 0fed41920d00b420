//! [`ReloadResult`]: what a completed hot reload reports, and
//! [`LastReload`], how the latest one ended (for `lsmod`).
#![forbid(unsafe_code)]

use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;
use helix_protocol::AbiVersion;

use super::error::ReloadError;
use super::host::StateSnapshot;
use super::state::ReloadState;
use crate::registry::ModuleId;
use helix_protocol::ModuleState;

/// How long one phase took: from the start of its step to its end, host
/// calls included.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PhaseTime {
    /// The phase.
    pub phase: ReloadState,
    /// Its duration in microseconds.
    pub us: u64,
}

/// A completed hot reload. The spec's fields first.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReloadResult {
    /// The version that ran before.
    pub old_version: AbiVersion,
    /// The version that runs now.
    pub new_version: AbiVersion,
    /// Whether the old server's state was handed to the new one (`false`
    /// for a module that keeps no state).
    pub state_preserved: bool,
    /// From the end of quiesce to the end of `resume_new`: the time clients
    /// waited for an answer, gaps between steps included.
    pub downtime_us: u64,
    /// Each phase's duration, in the order they ran.
    pub phases: Vec<PhaseTime>,
    /// Size of the state carried over (0 without state).
    pub state_bytes: usize,
    /// The module (the id stays across a reload).
    pub module: ModuleId,
    /// Its name.
    pub name: String,
    /// From the start of Preparing to the end, gaps between steps included.
    pub total_us: u64,
}

impl ReloadResult {
    /// How long `phase` took, if it ran.
    pub fn phase_us(&self, phase: ReloadState) -> Option<u64> {
        self.phases.iter().find(|p| p.phase == phase).map(|p| p.us)
    }
}

impl fmt::Display for ReloadResult {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} {} -> {}, ",
            self.name, self.old_version, self.new_version
        )?;
        if self.state_preserved {
            write!(f, "state preserved ({} bytes)", self.state_bytes)?;
        } else {
            f.write_str("no state")?;
        }
        write!(
            f,
            ", downtime {} us, total {} us",
            self.downtime_us, self.total_us
        )
    }
}

/// How the latest reload ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LastReload<S = ModuleState> {
    /// The module.
    pub module: ModuleId,
    /// Its result, or its error without the saved state (that went to the
    /// caller).
    pub outcome: Result<ReloadResult, ReloadError<S>>,
}

impl<S: StateSnapshot> LastReload<S> {
    /// `Completed`, `RollbackFailed`, or `Idle` (refused, cancelled or
    /// rolled back: the old version serves).
    pub fn end(&self) -> ReloadState {
        match &self.outcome {
            Ok(_) => ReloadState::Completed,
            Err(e) => e.state(),
        }
    }
}

impl<S: StateSnapshot> fmt::Display for LastReload<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.outcome {
            Ok(r) => write!(f, "{}: {r}", ReloadState::Completed),
            Err(e) => write!(f, "{}: {e}", self.end()),
        }
    }
}
