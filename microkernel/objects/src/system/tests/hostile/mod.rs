//! Hostile processes against `System`: raw random registers, and the
//! structured generator of helix-hostile (the host twin of the in-QEMU
//! case `hostile_processes_cannot_hurt_the_kernel`).

mod raw;
mod structured;
