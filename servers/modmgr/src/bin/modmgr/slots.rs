//! The manager's own CSpace: which slots hold what (the kernel's root
//! layout below `SLOT_FIRST_FREE`), a free list for the caps it makes,
//! and a range its heap uses for Frame caps.

use alloc::vec::Vec;

use helix_abi::bootinfo::{ROOT_SLOTS, SLOT_FIRST_FREE};

/// Slots the heap may fill with Frame caps (the top of the CSpace).
pub const HEAP_SLOTS: (u32, u32) = (ROOT_SLOTS as u32 - 512, 512);

/// The manager ran out of CSpace slots.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct NoSlot;

impl core::fmt::Display for NoSlot {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("the module manager's CSpace is full")
    }
}

/// Free slots of the manager's CSpace.
#[derive(Debug)]
pub struct Slots {
    next: u32,
    end: u32,
    free: Vec<u32>,
}

impl Slots {
    /// Everything from `SLOT_FIRST_FREE` up to the heap's range.
    pub fn new() -> Slots {
        Slots {
            next: SLOT_FIRST_FREE,
            end: HEAP_SLOTS.0,
            free: Vec::new(),
        }
    }

    /// An empty slot.
    pub fn take(&mut self) -> Result<u32, NoSlot> {
        if let Some(s) = self.free.pop() {
            return Ok(s);
        }
        if self.next >= self.end {
            return Err(NoSlot);
        }
        self.next += 1;
        Ok(self.next - 1)
    }

    /// `slot` is empty again.
    pub fn give_back(&mut self, slot: u32) {
        if slot >= SLOT_FIRST_FREE && slot < self.end && !self.free.contains(&slot) {
            self.free.push(slot);
        }
    }
}
