//! How many objects of each kind exist: what a test compares before and
//! after a run to prove nothing was left behind.

use helix_abi::{CapRights, CapType, SysError};

use super::state::System;
use crate::cap::SlotAddr;

/// Live objects by kind, and the caps in every CSpace.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Census {
    /// Threads.
    pub threads: usize,
    /// Address spaces.
    pub address_spaces: usize,
    /// CSpaces (one per address space, plus kernel-held ones).
    pub cspaces: usize,
    /// Endpoints.
    pub endpoints: usize,
    /// Notifications.
    pub notifications: usize,
    /// Reply objects (one per call being served).
    pub replies: usize,
    /// Frames.
    pub frames: usize,
    /// Untyped objects.
    pub untypeds: usize,
    /// Quotas (attached or detached).
    pub quotas: usize,
    /// Device objects (IRQ control, IRQ handlers, I/O ports).
    pub devices: usize,
    /// Caps in all CSpaces.
    pub caps: usize,
}

impl Census {
    /// Each count with its name, in a fixed order (for reports).
    pub fn rows(&self) -> [(&'static str, usize); 11] {
        [
            ("threads", self.threads),
            ("aspaces", self.address_spaces),
            ("cspaces", self.cspaces),
            ("endpoints", self.endpoints),
            ("notifications", self.notifications),
            ("replies", self.replies),
            ("frames", self.frames),
            ("untypeds", self.untypeds),
            ("quotas", self.quotas),
            ("devices", self.devices),
            ("caps", self.caps),
        ]
    }
}

impl System {
    /// Count every live object.
    pub fn census(&self) -> Census {
        let (cspaces, caps) = self.caps.census();
        Census {
            threads: self.threads.len(),
            address_spaces: self.aspaces.len(),
            cspaces,
            endpoints: self.ipc.endpoints.len(),
            notifications: self.ipc.notifications.len(),
            replies: self.ipc.replies.len(),
            frames: self.frames.len(),
            untypeds: self.untypeds.len(),
            quotas: self.quotas.len(),
            devices: self.devices.len(),
            caps,
        }
    }

    /// `(used, size)` in bytes of the budget behind the Untyped cap at
    /// `at` (a supervisor checks its budget came back).
    pub fn untyped_budget(&self, at: SlotAddr) -> Result<(u64, u64), SysError> {
        let cap = self
            .caps
            .space(at.space)?
            .lookup(at.slot, CapType::Untyped, CapRights::NONE)?;
        let q = *self.untypeds.get(cap.object).ok_or(SysError::Revoked)?;
        let quota = self.quotas.get(q)?;
        Ok((quota.used(), quota.size()))
    }
}
