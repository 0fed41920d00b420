//! A module's saved state as the manager keeps it: the last checkpoint
//! (self-healing restarts from it) and a reload's snapshot (the new
//! version restores from it, self-healing after a failed rollback).

use helix_modmgr::reload::StateSnapshot;
use helix_protocol::ModuleState;

/// A saved state.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Snapshot {
    /// Carried in control frames and kept in the manager's heap.
    Inline(ModuleState),
}

impl Snapshot {
    /// Its size in bytes.
    pub fn bytes_u64(&self) -> u64 {
        self.bytes() as u64
    }

    /// The module's format version of the state.
    pub fn format(&self) -> u32 {
        match self {
            Snapshot::Inline(s) => s.version,
        }
    }
}

impl StateSnapshot for Snapshot {
    fn bytes(&self) -> usize {
        match self {
            Snapshot::Inline(s) => s.data.len(),
        }
    }
}
