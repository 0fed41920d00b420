//! Port I/O: QEMU's `isa-debug-exit` device.

use ::x86_64::instructions::port::Port;
use helix_abi::boot::{DEBUG_EXIT_FAILURE, DEBUG_EXIT_PORT, DEBUG_EXIT_SUCCESS};

/// How the kernel leaves QEMU.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExitCode {
    /// Everything passed (QEMU exits 33).
    Success,
    /// Something failed (QEMU exits 35).
    Failure,
}

/// Ask QEMU to exit; on a machine without the device, halt instead.
pub fn exit_qemu(code: ExitCode) -> ! {
    let value = match code {
        ExitCode::Success => DEBUG_EXIT_SUCCESS,
        ExitCode::Failure => DEBUG_EXIT_FAILURE,
    };
    let mut port = Port::<u32>::new(DEBUG_EXIT_PORT);
    // SAFETY: writing to the isa-debug-exit port has no effect on memory;
    // on QEMU it ends the VM, elsewhere the port is unused.
    unsafe { port.write(value) };
    super::halt_forever()
}
