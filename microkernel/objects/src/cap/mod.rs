//! Capabilities: caps and slots, CSpaces, and the derivation tree that
//! spans them.

mod cdt;
mod cspace;
mod slot;

#[cfg(test)]
mod tests;

pub use cdt::{CapSystem, Removed};
pub use cspace::{CSPACE_MAX_SLOTS, CSpace};
pub use slot::{Cap, Slot, SlotAddr};
