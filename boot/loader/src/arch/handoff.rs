//! The last instructions the loader runs on each CPU: switch to the
//! kernel's page tables and GDT, then enter the kernel (BSP) or park until
//! the kernel writes `goto_address` (APs).
//!
//! Both routines first jump to their own alias in the higher-half direct
//! map: the kernel's page tables do not identity-map the loader (base
//! revision 1 and later), but they map all bootloader-reclaimable memory,
//! which includes the loader image, in the HHDM. The code is
//! position-independent (RIP-relative only) so it runs at either address.

use core::arch::global_asm;

global_asm!(
    r#"
    .section .text.handoff, "ax"
    .code64

/* rdi = kernel CR3, rsi = GDTR (HHDM address), rdx = stack top (HHDM),
 * r8 = HHDM offset. Leaves rcx/r9 untouched. Runs the switch, then jumps
 * to the label in r10 (an offset from helix_switch, taken by caller). */
helix_switch_common:
    lea 1f(%rip), %rax
    add %r8, %rax
    jmp *%rax
1:
    mov %rdi, %cr3
    lgdt (%rsi)
    mov %rdx, %rsp
    lea 2f(%rip), %rax
    pushq ${code64}
    push %rax
    lretq
2:
    mov ${data64}, %eax
    mov %eax, %ds
    mov %eax, %es
    mov %eax, %ss
    mov %eax, %fs
    mov %eax, %gs
    lea (%r10, %r8), %rax
    jmp *%rax

/* helix_enter_kernel(cr3, gdtr, stack_top, entry, hhdm) -> ! */
    .global helix_enter_kernel
helix_enter_kernel:
    cli
    lea 3f(%rip), %r10
    jmp helix_switch_common
3:
    pushq $0                        /* invalid return address, per spec */
    push %rcx                       /* entry, popped by ret */
    xor %edi, %edi
/* Shared tail: every register but rdi zeroed, rflags = 0x2 (as Limine
 * leaves it), then `ret` to the entry pushed above a zero return address. */
helix_zero_regs_and_enter:
    xor %eax, %eax
    xor %ebx, %ebx
    xor %ecx, %ecx
    xor %edx, %edx
    xor %esi, %esi
    xor %ebp, %ebp
    xor %r8d, %r8d
    xor %r9d, %r9d
    xor %r10d, %r10d
    xor %r11d, %r11d
    xor %r12d, %r12d
    xor %r13d, %r13d
    xor %r14d, %r14d
    xor %r15d, %r15d
    pushq $0x2
    popfq
    ret

/* helix_ap_park(cr3, gdtr, stack_top, mp_info, hhdm) -> !
 * Polls mp_info->goto_address (offset 16); when set, calls it with
 * rdi = mp_info on a fresh stack, all other registers zero. */
    .global helix_ap_park
helix_ap_park:
    cli
    lea 4f(%rip), %r10
    jmp helix_switch_common
4:
    mov 16(%rcx), %rax
    test %rax, %rax
    jnz 5f
    pause
    jmp 4b
5:
    mov %rdx, %rsp
    pushq $0
    push %rax
    mov %rcx, %rdi
    jmp helix_zero_regs_and_enter
    "#,
    code64 = const super::entry::CODE64_SELECTOR,
    data64 = const super::entry::DATA64_SELECTOR,
    options(att_syntax)
);

unsafe extern "sysv64" {
    fn helix_enter_kernel(cr3: u64, gdtr: u64, stack_top: u64, entry: u64, hhdm: u64) -> !;
    fn helix_ap_park(cr3: u64, gdtr: u64, stack_top: u64, mp_info: u64, hhdm: u64) -> !;
}

/// Where the kernel runs and with what.
#[derive(Clone, Copy, Debug)]
pub struct Switch {
    /// Physical address of the kernel's PML4.
    pub cr3: u64,
    /// HHDM address of a 10-byte GDTR naming the GDT by its HHDM address.
    pub gdtr: u64,
    /// HHDM address of the stack top (16-byte aligned).
    pub stack_top: u64,
    /// The HHDM offset.
    pub hhdm: u64,
}

/// Enters the kernel at `entry`.
///
/// # Safety
/// `sw` must describe complete page tables that map the loader image, the
/// GDT and the stack in the HHDM and the kernel at `entry`.
pub unsafe fn enter_kernel(sw: Switch, entry: u64) -> ! {
    // SAFETY: forwarded from the caller; the routine never returns.
    unsafe { helix_enter_kernel(sw.cr3, sw.gdtr, sw.stack_top, entry, sw.hhdm) }
}

/// Parks this AP until the kernel writes `goto_address` of `mp_info`.
///
/// # Safety
/// As [`enter_kernel`], and `mp_info` must be the HHDM address of this
/// CPU's `limine_mp_info`.
pub unsafe fn park_ap(sw: Switch, mp_info: u64) -> ! {
    // SAFETY: forwarded from the caller; the routine never returns.
    unsafe { helix_ap_park(sw.cr3, sw.gdtr, sw.stack_top, mp_info, sw.hhdm) }
}
