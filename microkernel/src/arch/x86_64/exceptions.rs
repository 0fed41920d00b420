//! The Rust side of exception entry: recover to an armed catch point, or
//! print a full report and stop the machine.

use helix_kernel_core::exception::{self, vector};

use super::port::{ExitCode, exit_qemu};
use super::serial::emergency_write;
use super::stubs::TrapFrame;
use super::{cpu, paging};

/// Called after the crash report and before QEMU exits (the test harness
/// uses it to report the running case as failed).
#[cfg(feature = "ktest")]
static FATAL_HOOK: spin::Once<fn(core::fmt::Arguments<'_>)> = spin::Once::new();

#[cfg(feature = "ktest")]
/// Install the hook run on an unexpected exception.
pub fn set_fatal_hook(hook: fn(core::fmt::Arguments<'_>)) {
    FATAL_HOOK.call_once(|| hook);
}

/// Entry from the assembly stubs, on the interrupted stack (or the IST
/// stack for #DF, NMI and #MC), interrupts disabled. Returns 0 to resume
/// the frame, 1 to leave the user world (see `syscall::run_user`).
pub(super) extern "C" fn dispatch(frame: &mut TrapFrame) -> u64 {
    let from_user = frame.cs & 3 == 3;
    let v = frame.vector as u8;
    if frame.vector >= 32 {
        return crate::user::entry::interrupt(frame);
    }
    if from_user && helix_kernel_objects::fault::is_user_fault(v) {
        return crate::user::entry::user_fault(frame);
    }
    #[cfg(feature = "ktest")]
    if super::catch::try_recover(frame) {
        return 0;
    }
    report(frame);
    #[cfg(feature = "ktest")]
    if let Some(hook) = FATAL_HOOK.get() {
        let v = frame.vector as u8;
        hook(format_args!(
            "unexpected exception {} ({}) at rip {:#x}",
            v,
            exception::mnemonic(v),
            frame.rip
        ));
    }
    exit_qemu(ExitCode::Failure)
}

macro_rules! out {
    ($($arg:tt)*) => { emergency_write(format_args!("{}\n", format_args!($($arg)*))) };
}

fn report(f: &TrapFrame) {
    let v = f.vector as u8;
    out!(
        "helix: error: kernel: unexpected exception {} {} ({}), error code {:#x}",
        v,
        exception::mnemonic(v),
        exception::name(v),
        f.error_code
    );
    out!(
        "  rip {:#018x}  cs {:#06x}  rflags {:#010x}  rsp {:#018x}  ss {:#06x}",
        f.rip,
        f.cs,
        f.rflags,
        f.rsp,
        f.ss
    );
    let cr2 = cpu::cr2();
    if v == vector::PAGE_FAULT {
        out!(
            "  cr2 {:#018x} (faulting address)  cr3 {:#018x}",
            cr2,
            cpu::cr3()
        );
    } else {
        out!("  cr2 {:#018x}  cr3 {:#018x}", cr2, cpu::cr3());
    }
    out!(
        "  rax {:#018x}  rbx {:#018x}  rcx {:#018x}",
        f.rax,
        f.rbx,
        f.rcx
    );
    out!(
        "  rdx {:#018x}  rsi {:#018x}  rdi {:#018x}",
        f.rdx,
        f.rsi,
        f.rdi
    );
    out!(
        "  rbp {:#018x}  r8  {:#018x}  r9  {:#018x}",
        f.rbp,
        f.r8,
        f.r9
    );
    out!(
        "  r10 {:#018x}  r11 {:#018x}  r12 {:#018x}",
        f.r10,
        f.r11,
        f.r12
    );
    out!(
        "  r13 {:#018x}  r14 {:#018x}  r15 {:#018x}",
        f.r13,
        f.r14,
        f.r15
    );
    backtrace(Some(f.rip), f.rbp);
}

/// Most frames a backtrace prints.
const MAX_FRAMES: usize = 24;

/// Print a frame-pointer backtrace: the faulting `rip` (if known) as frame
/// 0, then the return addresses of the frame chain starting at `rbp`.
pub fn backtrace(rip: Option<u64>, rbp: u64) {
    out!("  backtrace:");
    if let Some(rip) = rip {
        out!("    #0  {:#018x}", rip);
    }
    let mut fp = rbp;
    for n in 1..MAX_FRAMES {
        if fp == 0 || !fp.is_multiple_of(8) || !readable(fp) || !readable(fp + 8) {
            break;
        }
        // SAFETY: checked mapped just above; a frame record starts with the
        // saved rbp.
        let next = unsafe { (fp as *const u64).read() };
        // SAFETY: checked mapped just above; the return address follows.
        let ret = unsafe { ((fp + 8) as *const u64).read() };
        if ret == 0 {
            break;
        }
        out!("    #{:<2} {:#018x}", n, ret);
        if next <= fp {
            break;
        }
        fp = next;
    }
}

fn readable(addr: u64) -> bool {
    paging::translate(addr).is_some()
}
