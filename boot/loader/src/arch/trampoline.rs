//! The application-processor trampoline: real mode -> protected mode ->
//! long mode on the loader's boot page tables, then a call into the loader.
//!
//! The code is copied to [`BASE`] (one page below 1 MiB) and started with a
//! SIPI whose vector is `BASE >> 12`, so it runs with `CS = BASE >> 4`,
//! `IP = 0`. Its parameter block sits at [`DATA`] inside the same page and
//! is filled in by the BSP before each start (one AP at a time).

use core::arch::global_asm;

/// Physical page the trampoline runs from.
pub const BASE: u64 = 0x8000;
/// Offset of the parameter block within the page.
pub const DATA_OFFSET: u64 = 0xf00;
/// Physical address of the parameter block.
pub const DATA: u64 = BASE + DATA_OFFSET;

/// The parameter block (at [`DATA`]).
#[repr(C)]
#[derive(Clone, Copy, Debug, Default)]
pub struct Params {
    /// GDTR as `lgdtl` reads it: 16-bit limit, 32-bit base, 2 bytes pad.
    pub gdtr: [u8; 8],
    /// Boot PML4 (below 4 GiB).
    pub cr3: u32,
    /// Non-zero: set EFER.NXE.
    pub nx: u32,
    /// 64-bit function to call, `extern "sysv64" fn(arg) -> !`.
    pub entry: u64,
    /// Stack top (identity address).
    pub stack: u64,
    /// Argument passed in `rdi`.
    pub arg: u64,
}

global_asm!(
    r#"
    .section .text.ap_trampoline, "ax"
    .global helix_trampoline_start
helix_trampoline_start:
    .code16
    cli
    cld
    mov %cs, %ax
    mov %ax, %ds
    lgdtl {data_off}
    mov %cr0, %eax
    or $1, %eax
    mov %eax, %cr0
    ljmpl $0x18, ${base} + (1f - helix_trampoline_start)

    .code32
1:
    mov $0x20, %eax
    mov %eax, %ds
    mov %eax, %es
    mov %eax, %ss
    mov %cr4, %eax
    or $(1 << 5), %eax                  /* PAE */
    mov %eax, %cr4
    mov ({data} + 8), %eax
    mov %eax, %cr3
    mov $0xC0000080, %ecx
    rdmsr
    or $(1 << 8), %eax                  /* LME */
    testl $1, ({data} + 12)
    jz 2f
    or $(1 << 11), %eax                 /* NXE */
2:
    wrmsr
    mov %cr0, %eax
    or $((1 << 31) | (1 << 16)), %eax   /* PG | WP */
    mov %eax, %cr0
    ljmp $0x28, ${base} + (3f - helix_trampoline_start)

    .code64
3:
    mov $0x30, %eax
    mov %eax, %ds
    mov %eax, %es
    mov %eax, %ss
    mov %eax, %fs
    mov %eax, %gs
    mov ({data} + 24), %rsp
    mov ({data} + 32), %rdi
    mov ({data} + 16), %rax
    xor %ebp, %ebp
    call *%rax
4:
    cli
    hlt
    jmp 4b
    .global helix_trampoline_end
helix_trampoline_end:
    "#,
    base = const BASE,
    data = const DATA,
    data_off = const DATA_OFFSET,
    options(att_syntax)
);

unsafe extern "C" {
    static helix_trampoline_start: u8;
    static helix_trampoline_end: u8;
}

/// The trampoline's machine code.
pub fn code() -> &'static [u8] {
    let start = &raw const helix_trampoline_start;
    let end = &raw const helix_trampoline_end;
    let len = end as usize - start as usize;
    // SAFETY: both symbols delimit the trampoline's bytes in the loader's
    // read-only text, which lives as long as the loader.
    unsafe { core::slice::from_raw_parts(start, len) }
}
