//! A minimal IDT for the loader itself: any CPU exception while loading
//! (a loader bug, firmware tables in unmapped memory, ...) becomes the one
//! fatal error line instead of a triple fault that silently ends QEMU.
//! The kernel loads its own IDT; the spec leaves the IDT undefined at entry.

use core::arch::global_asm;

use super::entry::CODE64_SELECTOR;

const VECTORS: usize = 32;

global_asm!(
    r#"
    .section .text.exceptions, "ax"
    .balign 16
    .global helix_exception_stubs
helix_exception_stubs:
    .set vector, 0
    .rept 32
    .balign 16
    .if (vector == 8) || (vector == 10) || (vector == 11) || (vector == 12) || (vector == 13) || (vector == 14) || (vector == 17) || (vector == 21) || (vector == 29) || (vector == 30)
    pushq $vector                   /* the CPU pushed an error code */
    .else
    pushq $0                        /* no error code: push a zero */
    pushq $vector
    .endif
    jmp helix_exception_common
    .set vector, vector + 1
    .endr

helix_exception_common:
    mov (%rsp), %rdi                /* vector */
    mov 8(%rsp), %rsi               /* error code */
    mov 16(%rsp), %rdx              /* rip */
    mov %cr2, %rcx
    and $-16, %rsp
    call helix_exception
1:
    cli
    hlt
    jmp 1b
    "#,
    options(att_syntax)
);

unsafe extern "C" {
    static helix_exception_stubs: u8;
}

#[repr(C, align(16))]
struct Idt([u64; 2 * VECTORS]);

static mut IDT: Idt = Idt([0; 2 * VECTORS]);

/// Fills the IDT (once) and loads it on this CPU.
pub fn load() {
    let stubs = (&raw const helix_exception_stubs) as u64;
    let idt = &raw mut IDT;
    for v in 0..VECTORS {
        let handler = stubs + 16 * v as u64;
        let low = (handler & 0xffff)
            | (u64::from(CODE64_SELECTOR) << 16)
            | (0x8e << 40) // present, DPL 0, 64-bit interrupt gate
            | ((handler >> 16) & 0xffff) << 48;
        // SAFETY: the IDT is only written here, by whichever CPU loads it,
        // always with the same values; each index is in bounds.
        unsafe {
            (*idt).0[2 * v] = low;
        }
        // SAFETY: as above.
        unsafe {
            (*idt).0[2 * v + 1] = handler >> 32;
        }
    }
    let mut idtr = [0u8; 10];
    idtr[..2].copy_from_slice(&((16 * VECTORS - 1) as u16).to_le_bytes());
    idtr[2..].copy_from_slice(&(idt as u64).to_le_bytes());
    // SAFETY: the IDTR names a complete table of valid 64-bit gates whose
    // handlers never return.
    unsafe { core::arch::asm!("lidt [{}]", in(reg) idtr.as_ptr(), options(readonly, nostack)) };
}

/// Exception names for the error line.
fn name(vector: u64) -> &'static str {
    match vector {
        0 => "divide error",
        1 => "debug",
        2 => "NMI",
        3 => "breakpoint",
        4 => "overflow",
        5 => "bound range",
        6 => "invalid opcode",
        7 => "device not available",
        8 => "double fault",
        10 => "invalid TSS",
        11 => "segment not present",
        12 => "stack fault",
        13 => "general protection",
        14 => "page fault",
        16 => "x87 error",
        17 => "alignment check",
        18 => "machine check",
        19 => "SIMD error",
        _ => "exception",
    }
}

struct Exception {
    vector: u64,
    error: u64,
    rip: u64,
    cr2: u64,
}

impl core::fmt::Display for Exception {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(
            f,
            "loader: CPU exception {} ({}) at rip {:#x}, error code {:#x}",
            self.vector,
            name(self.vector),
            self.rip,
            self.error
        )?;
        if self.vector == 14 {
            write!(f, ", address {:#x}", self.cr2)?;
        }
        Ok(())
    }
}

#[unsafe(no_mangle)]
extern "sysv64" fn helix_exception(vector: u64, error: u64, rip: u64, cr2: u64) -> ! {
    crate::fail::fatal(&Exception {
        vector,
        error,
        rip,
        cr2,
    })
}
