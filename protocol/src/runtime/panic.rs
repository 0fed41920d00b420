//! The panic handler of a runtime process: one line on the debug console,
//! `helix-server: panic: <name>: <message>`, a [`labels::PANIC`] report to
//! the root endpoint, then the thread suspends itself. The rest of the
//! system keeps running; a panic while panicking skips straight to the
//! exit.
#![forbid(unsafe_code)]

use core::fmt::Write;
use core::panic::PanicInfo;
use core::sync::atomic::{AtomicBool, Ordering};

use helix_sys::console::Console;

use super::process::{exit, labels, name};

static PANICKING: AtomicBool = AtomicBool::new(false);

#[panic_handler]
fn panic(info: &PanicInfo<'_>) -> ! {
    if !PANICKING.swap(true, Ordering::SeqCst) {
        // A fixed-size buffer: the heap may be what failed.
        let mut out = Console::new();
        let _ = writeln!(out, "helix-server: panic: {}: {}", name(), info.message());
        out.flush();
    }
    exit(labels::PANIC, 0)
}
