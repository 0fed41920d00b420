//! The only place user code executes `syscall` (and the other x86_64
//! instructions helix-sys needs).
//!
//! Convention (see `docs/syscalls.md`): number in `rax`; arguments in
//! `rdi`, `rsi`, `rdx`, `r10`, `r8`, `r9`; the kernel answers with the
//! error code (0 = success) in `rax` and values in the same six argument
//! registers. `rcx` (return RIP) and `r11` (RFLAGS) are clobbered by the
//! instruction; every other register is preserved by the kernel.

#[cfg(target_os = "none")]
use super::Regs;

/// Make syscall `nr` with `a` in the argument registers; returns `rax` and
/// the six registers as the kernel left them.
#[cfg(target_os = "none")]
#[inline(always)]
pub(crate) fn syscall(nr: u64, a: Regs) -> (u64, Regs) {
    let [mut rdi, mut rsi, mut rdx, mut r10, mut r8, mut r9] = a;
    let rax: u64;
    // The kernel does not touch this thread's stack; memory it reads or
    // writes for us is named by pointers passed in registers (so not `nomem`).
    // SAFETY: the kernel validates every argument (bad input is an error
    // code, never a fault) and preserves all registers but the outputs named
    // here; `rcx`/`r11` are clobbered by `syscall` itself.
    unsafe {
        core::arch::asm!(
            "syscall",
            inlateout("rax") nr => rax,
            inlateout("rdi") rdi,
            inlateout("rsi") rsi,
            inlateout("rdx") rdx,
            inlateout("r10") r10,
            inlateout("r8") r8,
            inlateout("r9") r9,
            lateout("rcx") _,
            lateout("r11") _,
            options(nostack),
        );
    }
    (rax, [rdi, rsi, rdx, r10, r8, r9])
}

/// Raise `#UD` (the thread's fault endpoint hears about it).
#[cfg(target_os = "none")]
pub(crate) fn trap() {
    // SAFETY: `ud2` only raises an exception; the kernel turns it into a
    // fault message and never resumes past it without its handler's say.
    unsafe { core::arch::asm!("ud2", options(nomem, nostack)) }
}

/// Word `i` (reduced below `LEN_WORDS` by the caller) of this thread's
/// IPC buffer, read relative to FS.
#[cfg(target_os = "none")]
pub(crate) fn ipc_buffer_read(i: usize) -> u64 {
    let off = i * 8;
    let v: u64;
    // SAFETY: kernel contract (docs/syscalls.md, "Messages"): the kernel
    // sets every user thread's FS base to the address of that thread's own
    // IPC buffer page (the page given to ThreadConfigure; IPC_BUFFER_ADDR
    // for threads the kernel makes), and user code never changes FS. `i` is
    // below LEN_WORDS, so `off` stays inside that page; the read only
    // touches memory no Rust reference points into (an unmapped buffer is
    // a page fault for the thread's fault handler, not undefined
    // behaviour).
    unsafe {
        core::arch::asm!(
            "mov {v}, qword ptr fs:[{off}]",
            v = lateout(reg) v,
            off = in(reg) off,
            options(nostack, readonly, preserves_flags),
        );
    }
    v
}

/// Write word `i` (reduced below `LEN_WORDS` by the caller) of this
/// thread's IPC buffer, relative to FS.
#[cfg(target_os = "none")]
pub(crate) fn ipc_buffer_write(i: usize, v: u64) {
    let off = i * 8;
    // SAFETY: as in `ipc_buffer_read`; the buffer page is mapped
    // read-write for its thread and no Rust reference points into it.
    unsafe {
        core::arch::asm!(
            "mov qword ptr fs:[{off}], {v}",
            off = in(reg) off,
            v = in(reg) v,
            options(nostack, preserves_flags),
        );
    }
}

/// The time-stamp counter (`rdtsc`), for benchmarks; under QEMU
/// `-icount` it counts guest instructions.
pub(crate) fn rdtsc() -> u64 {
    // SAFETY: `rdtsc` only reads the TSC; ring 3 may run it (the kernel
    // leaves CR4.TSD clear) and it touches no memory.
    unsafe { core::arch::x86_64::_rdtsc() }
}

/// The lowest address of the kernel half: ring 3 may never read it.
pub(crate) const KERNEL_HALF: u64 = 0xffff_8000_0000_0000;

/// Read [`KERNEL_HALF`] from ring 3: a page fault the kernel delivers to
/// this thread's fault handler (the module manager), which ends it.
#[cfg(target_os = "none")]
pub(crate) fn read_kernel_half() -> ! {
    // SAFETY: the load reads an address outside every user mapping, so it
    // touches no memory Rust owns; it faults, and the kernel never resumes
    // the thread past it (a fault ends the thread or restarts it at its
    // entry). `ud2` stands behind it in case the kernel ever did.
    unsafe {
        core::arch::asm!(
            // The load overwrites its input register: allowed, as the
            // block never returns.
            "mov {addr}, qword ptr [{addr}]",
            "ud2",
            addr = in(reg) KERNEL_HALF,
            options(noreturn, nostack, readonly),
        )
    }
}
