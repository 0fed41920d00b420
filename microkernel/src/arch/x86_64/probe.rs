//! Tiny assembly routines whose faulting instruction has a known address,
//! so tests can check the RIP an exception reports, plus a helper that runs
//! a function on another stack.

use core::arch::global_asm;

global_asm!(
    r#"
.pushsection .text.helix_probe, "ax"
.global helix_probe_read, helix_probe_read_insn
helix_probe_read:
helix_probe_read_insn:
    mov rax, [rdi]
    ret

.global helix_probe_write, helix_probe_write_insn
helix_probe_write:
helix_probe_write_insn:
    mov [rdi], sil
    ret

.global helix_probe_int3, helix_probe_int3_resume
helix_probe_int3:
    int3
helix_probe_int3_resume:
    ret

.global helix_probe_ud2, helix_probe_ud2_insn
helix_probe_ud2:
helix_probe_ud2_insn:
    ud2
    ret

.global helix_probe_divide, helix_probe_divide_insn
helix_probe_divide:
    mov rax, rdi
    xor edx, edx
helix_probe_divide_insn:
    div rsi
    ret

.global helix_probe_call
helix_probe_call:
    push rbp
    mov rbp, rsp
    call rdi
    pop rbp
    ret

.global helix_run_on_stack
helix_run_on_stack:
    push rbp
    mov rbp, rsp
    mov rsp, rdi
    mov rdi, rdx
    call rsi
    mov rsp, rbp
    pop rbp
    ret
.popsection
"#
);

unsafe extern "C" {
    fn helix_probe_read(addr: u64) -> u64;
    fn helix_probe_write(addr: u64, value: u8);
    fn helix_probe_int3();
    fn helix_probe_ud2();
    fn helix_probe_divide(dividend: u64, divisor: u64) -> u64;
    fn helix_probe_call(target: u64);
    fn helix_run_on_stack(top: u64, f: extern "C" fn(u64), arg: u64);
    static helix_probe_read_insn: u8;
    static helix_probe_write_insn: u8;
    static helix_probe_int3_resume: u8;
    static helix_probe_ud2_insn: u8;
    static helix_probe_divide_insn: u8;
}

/// Address of the load instruction in [`read`].
pub fn read_insn() -> u64 {
    &raw const helix_probe_read_insn as u64
}

/// Address of the store instruction in [`write`].
pub fn write_insn() -> u64 {
    &raw const helix_probe_write_insn as u64
}

/// Address right after the `int3` in [`breakpoint`] (a trap reports it).
pub fn int3_resume() -> u64 {
    &raw const helix_probe_int3_resume as u64
}

/// Address of the `ud2` in [`invalid_opcode`].
pub fn ud2_insn() -> u64 {
    &raw const helix_probe_ud2_insn as u64
}

/// Address of the `div` in [`divide`].
pub fn divide_insn() -> u64 {
    &raw const helix_probe_divide_insn as u64
}

/// Load 8 bytes from `addr`.
///
/// # Safety
/// `addr` is either readable, or the caller is inside a catch point
/// expecting the fault.
pub unsafe fn read(addr: u64) -> u64 {
    // SAFETY: forwarded to the caller.
    unsafe { helix_probe_read(addr) }
}

/// Store one byte at `addr`.
///
/// # Safety
/// `addr` may be written, or the caller is inside a catch point expecting
/// the fault.
pub unsafe fn write(addr: u64, value: u8) {
    // SAFETY: forwarded to the caller.
    unsafe { helix_probe_write(addr, value) }
}

/// Execute `int3`. Safe outside a catch point only in the sense that the
/// kernel then stops with a report.
pub fn breakpoint() {
    // SAFETY: `int3` touches no memory; the handler either recovers to a
    // catch point or stops the kernel.
    unsafe { helix_probe_int3() }
}

/// Execute `ud2` (always raises #UD).
pub fn invalid_opcode() {
    // SAFETY: as for `breakpoint`.
    unsafe { helix_probe_ud2() }
}

/// Unsigned `dividend / divisor` with the raw `div` instruction (a zero
/// divisor raises #DE).
pub fn divide(dividend: u64, divisor: u64) -> u64 {
    // SAFETY: `div` touches no memory; #DE is handled like `int3`.
    unsafe { helix_probe_divide(dividend, divisor) }
}

/// Call the code at `target`.
///
/// # Safety
/// `target` must hold code that returns, or the caller is inside a catch
/// point expecting the fault.
pub unsafe fn call(target: u64) {
    // SAFETY: forwarded to the caller.
    unsafe { helix_probe_call(target) }
}

/// Run `f(arg)` on the stack whose top is `top`, then switch back.
///
/// # Safety
/// `[.., top)` must be a stack nobody else uses, 16-byte aligned at `top`.
pub unsafe fn run_on_stack(top: u64, f: extern "C" fn(u64), arg: u64) {
    // SAFETY: forwarded to the caller.
    unsafe { helix_run_on_stack(top, f, arg) }
}
