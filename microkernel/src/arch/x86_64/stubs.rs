//! Entry stubs for every IDT vector (32 exceptions, 224 interrupts).
//!
//! Each stub pushes a dummy error code when the CPU pushes none, then the
//! vector number, and jumps to a common path that saves all fifteen
//! general-purpose registers, so the Rust dispatcher sees one
//! [`TrapFrame`] layout for every vector. An entry from ring 3 swaps GS to
//! the CPU's kernel block (`swapgs`), and so does the exit back to ring 3.
//! The dispatcher returns 0 to resume the (possibly rewritten) frame with
//! `iretq`, or 1 to leave the user world for the kernel code that entered
//! it (see `syscall.rs`).
//!
//! Stack alignment: the CPU aligns RSP to 16 bytes before pushing its 5
//! (or 6 with an error code) words; with our error-code slot, vector and
//! 15 registers the frame is 22 words, so RSP is 16-byte aligned at the
//! `call`, as the SysV ABI wants.

use core::arch::global_asm;

use super::exceptions::dispatch;

/// Registers saved on exception entry, lowest address first.
#[repr(C)]
#[derive(Clone, Copy, Debug)]
pub struct TrapFrame {
    pub r15: u64,
    pub r14: u64,
    pub r13: u64,
    pub r12: u64,
    pub r11: u64,
    pub r10: u64,
    pub r9: u64,
    pub r8: u64,
    pub rbp: u64,
    pub rdi: u64,
    pub rsi: u64,
    pub rdx: u64,
    pub rcx: u64,
    pub rbx: u64,
    pub rax: u64,
    /// Vector number pushed by the stub.
    pub vector: u64,
    /// CPU error code, or 0 pushed by the stub.
    pub error_code: u64,
    pub rip: u64,
    pub cs: u64,
    pub rflags: u64,
    pub rsp: u64,
    pub ss: u64,
}

const _: () = assert!(core::mem::size_of::<TrapFrame>() == 22 * 8);

unsafe extern "C" {
    /// Addresses of the 32 stubs, in vector order (defined below).
    #[link_name = "helix_exc_stubs"]
    static STUBS: [u64; 32];
}

unsafe extern "C" {
    /// First interrupt stub (vector 32); the others follow every 16 bytes.
    static helix_irq_stub_32: u8;
}

/// Address of the entry stub for `vector` (0..256).
pub fn stub_address(vector: usize) -> u64 {
    if vector < 32 {
        // SAFETY: `helix_exc_stubs` is a read-only table of 32 quads emitted
        // by the assembly below and never written.
        unsafe { STUBS[vector] }
    } else {
        &raw const helix_irq_stub_32 as u64 + 16 * (vector as u64 - 32)
    }
}

global_asm!(
    r#"
.macro HELIX_EXC_NOERR n
    .balign 16
helix_exc_stub_\n:
    push 0
    push \n
    jmp helix_exc_common
.endm

.macro HELIX_EXC_ERR n
    .balign 16
helix_exc_stub_\n:
    push \n
    jmp helix_exc_common
.endm

.pushsection .text.helix_exceptions, "ax"
HELIX_EXC_NOERR 0
HELIX_EXC_NOERR 1
HELIX_EXC_NOERR 2
HELIX_EXC_NOERR 3
HELIX_EXC_NOERR 4
HELIX_EXC_NOERR 5
HELIX_EXC_NOERR 6
HELIX_EXC_NOERR 7
HELIX_EXC_ERR 8
HELIX_EXC_NOERR 9
HELIX_EXC_ERR 10
HELIX_EXC_ERR 11
HELIX_EXC_ERR 12
HELIX_EXC_ERR 13
HELIX_EXC_ERR 14
HELIX_EXC_NOERR 15
HELIX_EXC_NOERR 16
HELIX_EXC_ERR 17
HELIX_EXC_NOERR 18
HELIX_EXC_NOERR 19
HELIX_EXC_NOERR 20
HELIX_EXC_ERR 21
HELIX_EXC_NOERR 22
HELIX_EXC_NOERR 23
HELIX_EXC_NOERR 24
HELIX_EXC_NOERR 25
HELIX_EXC_NOERR 26
HELIX_EXC_NOERR 27
HELIX_EXC_NOERR 28
HELIX_EXC_ERR 29
HELIX_EXC_ERR 30
HELIX_EXC_NOERR 31

    .balign 16
.global helix_irq_stub_32
helix_irq_stub_32:
.set helix_vec, 32
.rept 224
    .balign 16
    push 0
    push helix_vec
    jmp helix_exc_common
.set helix_vec, helix_vec + 1
.endr

    .balign 16
.global helix_exc_common, helix_return_frame
helix_exc_common:
    test byte ptr [rsp + 24], 3
    jz 1f
    swapgs
1:
    push rax
    push rbx
    push rcx
    push rdx
    push rsi
    push rdi
    push rbp
    push r8
    push r9
    push r10
    push r11
    push r12
    push r13
    push r14
    push r15
    cld
    mov rdi, rsp
    call {dispatch}
    test rax, rax
    jnz helix_leave_to_kernel
helix_return_frame:
    pop r15
    pop r14
    pop r13
    pop r12
    pop r11
    pop r10
    pop r9
    pop r8
    pop rbp
    pop rdi
    pop rsi
    pop rdx
    pop rcx
    pop rbx
    pop rax
    test byte ptr [rsp + 24], 3
    jz 2f
    swapgs
2:
    add rsp, 16
    iretq
.popsection

.pushsection .rodata.helix_exc_stubs, "a"
    .balign 8
.global helix_exc_stubs
helix_exc_stubs:
    .quad helix_exc_stub_0, helix_exc_stub_1, helix_exc_stub_2, helix_exc_stub_3
    .quad helix_exc_stub_4, helix_exc_stub_5, helix_exc_stub_6, helix_exc_stub_7
    .quad helix_exc_stub_8, helix_exc_stub_9, helix_exc_stub_10, helix_exc_stub_11
    .quad helix_exc_stub_12, helix_exc_stub_13, helix_exc_stub_14, helix_exc_stub_15
    .quad helix_exc_stub_16, helix_exc_stub_17, helix_exc_stub_18, helix_exc_stub_19
    .quad helix_exc_stub_20, helix_exc_stub_21, helix_exc_stub_22, helix_exc_stub_23
    .quad helix_exc_stub_24, helix_exc_stub_25, helix_exc_stub_26, helix_exc_stub_27
    .quad helix_exc_stub_28, helix_exc_stub_29, helix_exc_stub_30, helix_exc_stub_31
.popsection
"#,
    dispatch = sym dispatch,
);
