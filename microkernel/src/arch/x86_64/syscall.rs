//! The ring-3 doorway: `syscall`/`sysret` set-up, the syscall entry stub,
//! and [`run_user`], which lets kernel code enter the user world on this
//! CPU's kernel stack and get control back when the scheduler decides so.
//!
//! Kernel stack model (seL4-like): one kernel stack per CPU. Every entry
//! from ring 3 starts at its top and builds a [`TrapFrame`]; the handler
//! saves the frame into the running thread, does the work, writes the
//! next thread's registers into the same frame and returns; the common
//! exit pops it and `iretq`s, or `sysretq`s when the frame is one that
//! entered by `syscall` (see the guard in the stub). Nothing ever blocks on
//! a kernel stack.

use core::arch::global_asm;

use ::x86_64::VirtAddr;
use ::x86_64::registers::model_specific::{Efer, EferFlags, LStar, SFMask, Star};
use ::x86_64::registers::rflags::RFlags;

use super::gdt;
use super::stubs::TrapFrame;

// The stub's sysret guard reads these frame offsets.
const _: () = {
    use core::mem::offset_of;
    assert!(offset_of!(TrapFrame, r11) == 32);
    assert!(offset_of!(TrapFrame, rcx) == 96);
    assert!(offset_of!(TrapFrame, rip) == 136);
    assert!(offset_of!(TrapFrame, cs) == 144);
    assert!(offset_of!(TrapFrame, rflags) == 152);
    assert!(offset_of!(TrapFrame, rsp) == 160);
};

/// Vector number the syscall stub puts in its frames.
pub const SYSCALL_VECTOR: u64 = 0x100;

/// Callee-saved context of the kernel code inside [`run_user`].
#[repr(C)]
#[derive(Default)]
struct LeaveBuf {
    rbx: u64,
    rbp: u64,
    r12: u64,
    r13: u64,
    r14: u64,
    r15: u64,
    rsp: u64,
}

unsafe extern "C" {
    fn helix_syscall_entry();
    fn helix_run_user(buf: *mut LeaveBuf, stack_top: u64, f: extern "C" fn(&mut TrapFrame) -> u64);
}

global_asm!(
    r#"
.pushsection .text.helix_syscall, "ax"
.global helix_syscall_entry
helix_syscall_entry:
    swapgs
    mov gs:[16], rsp
    mov rsp, gs:[8]
    push {user_data}
    push qword ptr gs:[16]
    push r11
    push {user_code}
    push rcx
    push 0
    push {vector}
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
    call {syscall}
    test rax, rax
    jnz helix_leave_to_kernel
    // sysretq only for a frame that entered by `syscall` (rcx = rip and
    // r11 = rflags, so restoring them through sysret is exact), with the
    // user code selector and a lower-half RIP (a non-canonical RCX would
    // fault in ring 0 on Intel); anything else leaves through iretq.
    mov rax, [rsp + 96]
    cmp rax, [rsp + 136]
    jne helix_return_frame
    mov rax, [rsp + 32]
    cmp rax, [rsp + 152]
    jne helix_return_frame
    cmp qword ptr [rsp + 144], {user_code}
    jne helix_return_frame
    mov rax, [rsp + 136]
    shr rax, 47
    jnz helix_return_frame
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
    mov rsp, [rsp + 40]
    swapgs
    sysretq

.global helix_run_user
helix_run_user:
    mov [rdi + 0], rbx
    mov [rdi + 8], rbp
    mov [rdi + 16], r12
    mov [rdi + 24], r13
    mov [rdi + 32], r14
    mov [rdi + 40], r15
    mov [rdi + 48], rsp
    mov gs:[24], rdi
    mov rsp, rsi
    sub rsp, 176
    mov rdi, rsp
    call rdx
    test rax, rax
    jnz helix_leave_to_kernel
    jmp helix_return_frame

.global helix_leave_to_kernel
helix_leave_to_kernel:
    mov rdi, gs:[24]
    mov rbx, [rdi + 0]
    mov rbp, [rdi + 8]
    mov r12, [rdi + 16]
    mov r13, [rdi + 24]
    mov r14, [rdi + 32]
    mov r15, [rdi + 40]
    mov rsp, [rdi + 48]
    ret
.popsection
"#,
    user_data = const gdt::USER_DATA as u64,
    user_code = const gdt::USER_CODE as u64,
    vector = const SYSCALL_VECTOR,
    syscall = sym crate::user::entry::syscall,
);

/// Enable `syscall` on this CPU: EFER.SCE, the selectors (`sysret` loads
/// user SS = base + 8 and CS = base + 16 from the kernel data selector),
/// the entry point, and the flags masked on entry (IF, TF, DF, AC, NT).
pub fn init_cpu() {
    // SAFETY: SCE only makes `syscall`/`sysret` valid; LSTAR (below)
    // points at a correct entry before any ring-3 code runs.
    unsafe { Efer::update(|f| f.insert(EferFlags::SYSTEM_CALL_EXTENSIONS)) };
    // SAFETY: (sysret base, syscall base) name the GDT layout `gdt` builds
    // on every CPU: kernel code, kernel data, user data, user code.
    unsafe { Star::write_raw(gdt::KERNEL_DATA, gdt::KERNEL_CODE) };
    LStar::write(VirtAddr::new(helix_syscall_entry as *const () as u64));
    SFMask::write(
        RFlags::INTERRUPT_FLAG
            | RFlags::TRAP_FLAG
            | RFlags::DIRECTION_FLAG
            | RFlags::ALIGNMENT_CHECK
            | RFlags::NESTED_TASK,
    );
}

/// Enter the user world on this CPU: switch to `stack_top` (this CPU's
/// kernel stack), let `start` fill a [`TrapFrame`] with the first thread's
/// registers (returning 0) and `iretq` to it. Returns when a handler
/// answers 1 ("leave"), on the caller's own stack, as if from a call.
///
/// # Safety
/// `stack_top` must be this CPU's kernel stack (the one in TSS.rsp0 and the
/// per-CPU block), unused right now, and interrupts must be off. The
/// caller must not hold locks the user world's handlers take.
pub unsafe fn run_user(stack_top: u64, start: extern "C" fn(&mut TrapFrame) -> u64) {
    let mut buf = LeaveBuf::default();
    // SAFETY: the stub saves callee-saved registers and RSP in `buf` (alive
    // until it returns), runs on the caller-vouched kernel stack, and comes
    // back once through `helix_leave_to_kernel` with them restored.
    unsafe { helix_run_user(&raw mut buf, stack_top, start) };
}

/// Enter the user world on this CPU's kernel stack (from its per-CPU
/// block) with interrupts off; returns when a handler answers "leave".
/// Called while already running on that stack (from inside the world) it
/// stops the kernel instead of overwriting the frames in use.
pub fn enter_user_world(start: extern "C" fn(&mut TrapFrame) -> u64) {
    ::x86_64::instructions::interrupts::disable();
    let top = super::percpu::kernel_stack_top();
    let bottom = top.saturating_sub(super::stacks::KERNEL_STACK_SIZE as u64);
    let rsp = super::cpu::rsp();
    if (bottom..=top).contains(&rsp) {
        panic!("enter_user_world on the per-CPU kernel stack (rsp {rsp:#x})");
    }
    // SAFETY: `top` is this CPU's kernel stack (= TSS.rsp0), and we are not
    // running on it (checked just above), so nothing on it is in use; the
    // world is left before anything else could run on it. Interrupts are
    // off (just disabled).
    unsafe { run_user(top, start) };
}
