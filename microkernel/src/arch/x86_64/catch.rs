//! The expected-fault catch point, for tests that provoke exceptions.
//!
//! [`catch`] saves the callee-saved registers, the stack pointer and a
//! landing address (like `setjmp`), then runs a closure. If the closure
//! raises the exception vector the caller declared, the exception
//! dispatcher records vector, error code, RIP and CR2, and rewrites the
//! interrupt frame so `iretq` lands on the landing pad with the saved
//! registers and stack: [`catch`] then returns the recorded fault. Any
//! other vector is a real crash and stops the kernel.
//!
//! Each CPU has its own catch point ([`catch`] arms the one of the CPU it
//! runs on, and the dispatcher consults only the point of the CPU that
//! took the exception), so a fault on another CPU can never land on this
//! CPU's saved context.
//!
//! The landing abandons the closure's stack frames without running their
//! destructors, so a closure must not own resources or hold locks. Every
//! call to the assembly entry returns exactly once (normally with 0, or
//! via the landing pad with 1), so the compiler's view of control flow is
//! never wrong.

use core::arch::global_asm;
use core::cell::UnsafeCell;
use core::sync::atomic::{AtomicBool, AtomicU8, Ordering};

use helix_kernel_core::exception::Fault;

use super::cpu;
use super::percpu::MAX_CPUS;
use super::stubs::TrapFrame;

/// Saved context, layout shared with the assembly below.
#[repr(C)]
#[derive(Clone, Copy, Default)]
struct JumpBuf {
    rbx: u64,
    rbp: u64,
    r12: u64,
    r13: u64,
    r14: u64,
    r15: u64,
    rsp: u64,
    rip: u64,
}

struct CatchPoint {
    armed: AtomicBool,
    vector: AtomicU8,
    buf: UnsafeCell<JumpBuf>,
    fault: UnsafeCell<Fault>,
}

// SAFETY: each `CatchPoint` belongs to one CPU (indexed by its per-CPU
// index): only code running on that CPU arms it, and only that CPU's
// exception dispatcher reads it, with interrupts off or from within the
// armed closure. `buf` is written by the assembly entry and read by the
// dispatcher only while `armed` is set; `fault` is written by the
// dispatcher before it clears `armed` and read by `catch` after the
// landing. No two CPUs ever touch the same point.
unsafe impl Sync for CatchPoint {}

/// One CPU's catch point, disarmed.
const fn idle_point() -> CatchPoint {
    CatchPoint {
        armed: AtomicBool::new(false),
        vector: AtomicU8::new(0),
        buf: UnsafeCell::new(JumpBuf {
            rbx: 0,
            rbp: 0,
            r12: 0,
            r13: 0,
            r14: 0,
            r15: 0,
            rsp: 0,
            rip: 0,
        }),
        fault: UnsafeCell::new(Fault {
            vector: 0,
            error_code: 0,
            rip: 0,
            cr2: 0,
        }),
    }
}

/// One catch point per CPU.
static POINTS: [CatchPoint; MAX_CPUS] = [const { idle_point() }; MAX_CPUS];

/// The catch point of the CPU this runs on.
fn point() -> &'static CatchPoint {
    &POINTS[super::percpu::index() % POINTS.len()]
}

/// Why [`catch`] returned without a fault.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CatchError {
    /// The closure finished without raising the exception.
    NoFault,
    /// A catch point is already armed (catches do not nest).
    Nested,
}

unsafe extern "C" {
    /// Save the context into `buf`, call `f(arg)`, return 0; or return 1
    /// when the dispatcher lands on the saved context.
    fn helix_catch_enter(buf: *mut JumpBuf, f: extern "C" fn(*mut u8), arg: *mut u8) -> u64;
}

global_asm!(
    r#"
.pushsection .text.helix_catch, "ax"
.global helix_catch_enter
helix_catch_enter:
    mov [rdi + 0], rbx
    mov [rdi + 8], rbp
    mov [rdi + 16], r12
    mov [rdi + 24], r13
    mov [rdi + 32], r14
    mov [rdi + 40], r15
    mov [rdi + 48], rsp
    lea rax, [rip + helix_catch_landing]
    mov [rdi + 56], rax
    push rbp
    mov rbp, rsp
    mov rdi, rdx
    call rsi
    pop rbp
    xor eax, eax
    ret
helix_catch_landing:
    ret
.popsection
"#
);

extern "C" fn trampoline<F: FnOnce()>(arg: *mut u8) {
    // SAFETY: `arg` is the `&mut Option<F>` that `catch` passed, alive for
    // the whole call.
    let slot = unsafe { &mut *arg.cast::<Option<F>>() };
    if let Some(f) = slot.take() {
        f();
    }
}

/// Run `f`, expecting it to raise exception `vector`. Returns what the
/// handler recorded, or [`CatchError::NoFault`] if `f` returned normally.
pub fn catch<F: FnOnce()>(vector: u8, f: F) -> Result<Fault, CatchError> {
    let point = point();
    if point.armed.load(Ordering::SeqCst) {
        return Err(CatchError::Nested);
    }
    point.vector.store(vector, Ordering::SeqCst);
    point.armed.store(true, Ordering::SeqCst);
    let mut slot = Some(f);
    // SAFETY: `buf` is used only by this entry and the armed dispatcher;
    // `trampoline::<F>` matches `arg`, which outlives the call; the entry
    // returns once, with registers and stack per the ABI on both paths.
    let landed = unsafe {
        helix_catch_enter(
            point.buf.get(),
            trampoline::<F>,
            (&raw mut slot).cast::<u8>(),
        )
    };
    point.armed.store(false, Ordering::SeqCst);
    if landed == 0 {
        return Err(CatchError::NoFault);
    }
    // SAFETY: the dispatcher wrote `fault` before landing; nobody writes it
    // now that the point is disarmed.
    Ok(unsafe { *point.fault.get() })
}

/// Called by the exception dispatcher: if this CPU's catch point is armed
/// for this frame's vector, record the fault, redirect the frame to the
/// landing pad and return `true`.
pub(super) fn try_recover(frame: &mut TrapFrame) -> bool {
    let point = point();
    if !point.armed.load(Ordering::SeqCst)
        || u64::from(point.vector.load(Ordering::SeqCst)) != frame.vector
    {
        return false;
    }
    let fault = Fault {
        vector: frame.vector as u8,
        error_code: frame.error_code,
        rip: frame.rip,
        cr2: cpu::cr2(),
    };
    // SAFETY: armed, so `catch` is suspended inside the entry and does not
    // read `fault` until after landing; nothing else touches it.
    unsafe { *point.fault.get() = fault };
    // SAFETY: armed, so the entry has finished writing `buf`, which holds
    // the suspended `catch`'s saved context.
    let buf = unsafe { *point.buf.get() };
    frame.rbx = buf.rbx;
    frame.rbp = buf.rbp;
    frame.r12 = buf.r12;
    frame.r13 = buf.r13;
    frame.r14 = buf.r14;
    frame.r15 = buf.r15;
    frame.rsp = buf.rsp;
    frame.rip = buf.rip;
    frame.rax = 1;
    point.armed.store(false, Ordering::SeqCst);
    true
}
