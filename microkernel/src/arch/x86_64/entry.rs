//! The ELF entry point the bootloader jumps to.

use core::arch::naked_asm;

/// Entry: 64-bit mode, interrupts off, on the bootloader's stack. Passes
/// the entry RSP to [`crate::boot::start`], ends the frame-pointer chain
/// (rbp = 0) and aligns the stack for the SysV ABI.
#[unsafe(naked)]
#[unsafe(no_mangle)]
extern "C" fn kernel_entry() -> ! {
    naked_asm!(
        "mov rdi, rsp",
        "xor ebp, ebp",
        "and rsp, -16",
        "call {start}",
        "ud2",
        start = sym crate::boot::start,
    )
}
