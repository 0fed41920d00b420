//! helix-kernel: the ring-0 core of Helix, a capability-based x86_64
//! microkernel.
//!
//! Design rules:
//! - One boot protocol (Limine, base revision 3); the kernel learns
//!   everything about the machine from the responses, never from which
//!   loader started it.
//! - Hardware access stays in `arch/`; boot glue in `boot/`; memory in
//!   `mem/`; pure logic in `helix-kernel-core`, tested on the host.
//! - Every `unsafe` block says why it is sound; unsafe fns say what callers
//!   owe. Errors are typed enums.
//! - Test code (cases, probes, catch points, benchmarks) exists only in
//!   the test kernel (feature `ktest`); the production kernel has none.
//! - Fatal errors are one line, `helix: error: <file>: <problem>`, then the
//!   kernel leaves QEMU through isa-debug-exit with failure.
#![no_std]
#![no_main]

extern crate alloc;

mod arch;
mod boot;
#[cfg(feature = "ktest")]
mod ktest;
mod logger;
mod mem;
mod panic;
#[cfg(feature = "ktest")]
mod tests;
mod time;
mod user;
