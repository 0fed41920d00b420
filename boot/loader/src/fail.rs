//! Stopping: one error line, then QEMU's isa-debug-exit with failure.

use core::fmt::Display;

use helix_abi::boot::{DEBUG_EXIT_FAILURE, DEBUG_EXIT_PORT};

use crate::arch::cpu;

/// Prints `helix-loader: error: <what>` and ends the VM (or halts).
pub fn fatal(what: &dyn Display) -> ! {
    crate::serial::write_fmt_fatal(format_args!("helix-loader: error: {what}\n"));
    exit(DEBUG_EXIT_FAILURE)
}

/// Writes `code` to isa-debug-exit; halts if the device is absent.
pub fn exit(code: u32) -> ! {
    // SAFETY: the isa-debug-exit port; without the device the write is
    // ignored and the CPU halts below.
    unsafe { cpu::outl(DEBUG_EXIT_PORT, code) };
    cpu::halt_forever()
}
