//! Runs the registered cases and prints the protocol lines.

use core::fmt::{self, Write};
use core::sync::atomic::{AtomicUsize, Ordering};

use helix_kernel_core::cmdline::TestFilter;
use helix_ktest::Line;

use super::Case;
use crate::arch::port::{ExitCode, exit_qemu};
use crate::arch::serial;
use crate::kprintln;

unsafe extern "C" {
    static __ktest_start: u8;
    static __ktest_end: u8;
}

/// The registered cases, in link order.
fn cases() -> &'static [Case] {
    let start = (&raw const __ktest_start).cast::<Case>();
    let end = &raw const __ktest_end;
    let len = (end as usize - start as usize) / core::mem::size_of::<Case>();
    // SAFETY: the linker script brackets `.ktest_array` with these symbols;
    // the section holds only `Case` statics emitted by `ktest!` (each 8-byte
    // aligned and a multiple of 8 bytes long, so they pack without gaps).
    unsafe { core::slice::from_raw_parts(start, len) }
}

const NONE: usize = usize::MAX;
/// Index of the running case, or `NONE`.
static RUNNING: AtomicUsize = AtomicUsize::new(NONE);

/// A fixed buffer for a one-line failure reason (truncated when full).
struct LineBuf {
    buf: [u8; 240],
    len: usize,
}

impl Write for LineBuf {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        for c in s.chars() {
            let c = if c.is_control() { ' ' } else { c };
            let mut tmp = [0u8; 4];
            let bytes = c.encode_utf8(&mut tmp).as_bytes();
            if self.len + bytes.len() > self.buf.len() {
                return Ok(());
            }
            self.buf[self.len..self.len + bytes.len()].copy_from_slice(bytes);
            self.len += bytes.len();
        }
        Ok(())
    }
}

impl LineBuf {
    fn new() -> Self {
        Self {
            buf: [0; 240],
            len: 0,
        }
    }

    fn as_str(&self) -> &str {
        // Only whole UTF-8 characters are ever copied in.
        core::str::from_utf8(&self.buf[..self.len]).unwrap_or("?")
    }
}

/// Run every case the filter selects, print the summary and exit QEMU.
pub fn run(filter: TestFilter<'_>) -> ! {
    let cases = cases();
    kprintln!("{}", Line::Plan(cases.len()));
    for c in cases {
        kprintln!("{}", Line::Case(c.name));
    }
    let (mut passed, mut failed) = (0, 0);
    for (i, c) in cases.iter().enumerate() {
        if !filter.selects(c.name) {
            kprintln!("{}", Line::Skip(c.name));
            continue;
        }
        kprintln!("{}", Line::Start(c.name));
        RUNNING.store(i, Ordering::SeqCst);
        let result = (c.run)();
        RUNNING.store(NONE, Ordering::SeqCst);
        match result {
            Ok(()) => {
                passed += 1;
                kprintln!("{}", Line::Pass(c.name));
            }
            Err(e) => {
                failed += 1;
                let mut reason = LineBuf::new();
                let _ = write!(reason, "{e}");
                kprintln!("{}", Line::Fail(c.name, reason.as_str()));
            }
        }
    }
    kprintln!("{}", Line::Done { passed, failed });
    exit_qemu(if failed == 0 {
        ExitCode::Success
    } else {
        ExitCode::Failure
    })
}

/// On a panic or unexpected exception: report the running case as failed.
pub fn on_fatal(reason: fmt::Arguments<'_>) {
    let i = RUNNING.swap(NONE, Ordering::SeqCst);
    if let Some(c) = cases().get(i) {
        let mut buf = LineBuf::new();
        let _ = buf.write_fmt(reason);
        serial::emergency_write(format_args!("{}\n", Line::Fail(c.name, buf.as_str())));
    }
}
