//! x86-64 specifics: entry, registers, hand-off, AP trampoline.

pub mod cpu;
pub mod entry;
pub mod handoff;
pub mod idt;
pub mod trampoline;
