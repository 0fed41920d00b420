//! Constants shared by the boot path, the kernel and the test runner.

/// I/O port of QEMU's `isa-debug-exit` device (`iobase=0xf4,iosize=0x04`).
pub const DEBUG_EXIT_PORT: u16 = 0xf4;
/// Value written to [`DEBUG_EXIT_PORT`] on success; QEMU exits with `(v << 1) | 1` = 33.
pub const DEBUG_EXIT_SUCCESS: u32 = 0x10;
/// Value written to [`DEBUG_EXIT_PORT`] on failure; QEMU exits with 35.
pub const DEBUG_EXIT_FAILURE: u32 = 0x11;
/// QEMU's process exit status for [`DEBUG_EXIT_SUCCESS`].
pub const QEMU_EXIT_SUCCESS: i32 = ((DEBUG_EXIT_SUCCESS << 1) | 1) as i32;
/// QEMU's process exit status for [`DEBUG_EXIT_FAILURE`].
pub const QEMU_EXIT_FAILURE: i32 = ((DEBUG_EXIT_FAILURE << 1) | 1) as i32;
/// Module cmdline that marks the generated boot-module checksum manifest.
pub const MANIFEST_CMDLINE: &str = "helix-manifest";
