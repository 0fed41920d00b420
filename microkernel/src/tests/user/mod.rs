//! In-QEMU scenarios with real ring-3 processes (helix-usertest), grouped
//! by subject; `fixture` builds the worlds they run in.

mod basic;
mod caps;
mod faults;
pub mod fixture;
mod hostile;
mod memory;
mod smp;
mod threads;
