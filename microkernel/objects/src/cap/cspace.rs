//! A process's capability space: a fixed array of slots.

use alloc::vec::Vec;
use helix_abi::{CapRights, CapType, SysError};

use super::slot::{Cap, Slot};

/// The largest CSpace (slots). Slot numbers are `u32` in the ABI.
pub const CSPACE_MAX_SLOTS: usize = 4096;

/// A table of capability slots owned by one process.
#[derive(Debug)]
pub struct CSpace {
    slots: Vec<Slot>,
}

impl CSpace {
    /// An empty CSpace of `slots` slots; `InvalidArgument` for 0 or more
    /// than [`CSPACE_MAX_SLOTS`].
    pub fn new(slots: usize) -> Result<CSpace, SysError> {
        if slots == 0 || slots > CSPACE_MAX_SLOTS {
            return Err(SysError::InvalidArgument);
        }
        let mut v = Vec::with_capacity(slots);
        v.resize(slots, Slot::default());
        Ok(CSpace { slots: v })
    }

    /// Number of slots.
    pub fn len(&self) -> usize {
        self.slots.len()
    }

    /// Always false: a CSpace has at least one slot.
    pub fn is_empty(&self) -> bool {
        self.slots.is_empty()
    }

    /// The slot at `index`; `InvalidCap` when out of range.
    pub fn slot(&self, index: u32) -> Result<&Slot, SysError> {
        self.slots.get(index as usize).ok_or(SysError::InvalidCap)
    }

    pub(crate) fn slot_mut(&mut self, index: u32) -> Result<&mut Slot, SysError> {
        self.slots
            .get_mut(index as usize)
            .ok_or(SysError::InvalidCap)
    }

    /// The cap at `index`: `InvalidCap` out of range, `EmptySlot` if none.
    pub fn cap(&self, index: u32) -> Result<&Cap, SysError> {
        self.slot(index)?.cap().ok_or(SysError::EmptySlot)
    }

    /// The cap at `index`, checked for type and rights (the lookup every
    /// invocation starts with): `InvalidCap`, `EmptySlot`, `WrongType`,
    /// `NoRights` in that order.
    pub fn lookup(&self, index: u32, kind: CapType, rights: CapRights) -> Result<Cap, SysError> {
        self.cap(index)?.require(kind, rights).copied()
    }

    /// `Ok` when `index` is in range and empty: `InvalidCap` or `SlotOccupied`.
    pub fn check_empty(&self, index: u32) -> Result<(), SysError> {
        if self.slot(index)?.is_empty() {
            Ok(())
        } else {
            Err(SysError::SlotOccupied)
        }
    }

    /// Indices of the occupied slots.
    pub fn occupied(&self) -> impl Iterator<Item = u32> + '_ {
        self.slots
            .iter()
            .enumerate()
            .filter(|(_, s)| !s.is_empty())
            .map(|(i, _)| i as u32)
    }
}
