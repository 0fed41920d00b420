//! Port I/O: QEMU's `isa-debug-exit` device, and raw port access on behalf
//! of IoPorts cap holders.

use ::x86_64::instructions::port::Port;
use helix_abi::boot::{DEBUG_EXIT_FAILURE, DEBUG_EXIT_PORT};

/// How the kernel leaves QEMU.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExitCode {
    /// Everything passed (QEMU exits 33): only the test kernel says so.
    #[cfg(feature = "ktest")]
    Success,
    /// Something failed (QEMU exits 35).
    Failure,
}

/// Ask QEMU to exit; on a machine without the device, halt instead.
pub fn exit_qemu(code: ExitCode) -> ! {
    let value = match code {
        #[cfg(feature = "ktest")]
        ExitCode::Success => helix_abi::boot::DEBUG_EXIT_SUCCESS,
        ExitCode::Failure => DEBUG_EXIT_FAILURE,
    };
    let mut port = Port::<u32>::new(DEBUG_EXIT_PORT);
    // SAFETY: writing to the isa-debug-exit port has no effect on memory;
    // on QEMU it ends the VM, elsewhere the port is unused.
    unsafe { port.write(value) };
    super::halt_forever()
}

/// Read `width` (1, 2, 4) bytes from `port` for an IoPorts cap holder.
pub fn read(port: u16, width: u8) -> u64 {
    // SAFETY (all three arms): an `in` instruction reads a device register;
    // it cannot touch memory the kernel's Rust code owns. (A device behind
    // a port may be told to DMA: without an IOMMU that is why ports reach
    // a process only through an IoPorts cap the root server grants, a
    // policy decision, not a precondition this function could check.)
    match width {
        // SAFETY: see above.
        1 => u64::from(unsafe { Port::<u8>::new(port).read() }),
        // SAFETY: see above.
        2 => u64::from(unsafe { Port::<u16>::new(port).read() }),
        // SAFETY: see above.
        _ => u64::from(unsafe { Port::<u32>::new(port).read() }),
    }
}

/// Write `value` to `port` for an IoPorts cap holder.
pub fn write(port: u16, width: u8, value: u32) {
    match width {
        // SAFETY: as for `read`: an `out` instruction writes a device
        // register, never kernel memory.
        1 => unsafe { Port::<u8>::new(port).write(value as u8) },
        // SAFETY: as above.
        2 => unsafe { Port::<u16>::new(port).write(value as u16) },
        // SAFETY: as above.
        _ => unsafe { Port::<u32>::new(port).write(value) },
    }
}
