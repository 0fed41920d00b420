//! The panic handler: one `helix: PANIC` line, the failing test case if one
//! runs, then exit through isa-debug-exit.

use core::panic::PanicInfo;
use core::sync::atomic::{AtomicBool, Ordering};

use crate::arch::exceptions::backtrace;
use crate::arch::port::{ExitCode, exit_qemu};
use crate::arch::{cpu, serial};

static PANICKING: AtomicBool = AtomicBool::new(false);

#[panic_handler]
fn panic(info: &PanicInfo<'_>) -> ! {
    if PANICKING.swap(true, Ordering::SeqCst) {
        // Panic while panicking: stop without more output.
        exit_qemu(ExitCode::Failure);
    }
    let (file, line, col) = info
        .location()
        .map_or(("?", 0, 0), |l| (l.file(), l.line(), l.column()));
    serial::emergency_write(format_args!(
        "helix: PANIC at {file}:{line}:{col}: {}\n",
        info.message()
    ));
    backtrace(None, cpu::rbp());
    #[cfg(feature = "ktest")]
    crate::ktest::on_fatal(format_args!("panic at {file}:{line}: {}", info.message()));
    exit_qemu(ExitCode::Failure)
}
