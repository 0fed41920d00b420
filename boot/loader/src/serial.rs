//! COM1 output: every `[loader] ...` line and the one fatal error line.
//!
//! The UART is set up once (115200 8N1, FIFO on) by [`init`]; printing
//! before that still works (QEMU's 16550 accepts bytes in any state), which
//! keeps early failures visible. Only the boot processor prints.

use core::fmt::{self, Write};
use spin::Mutex;
use uart_16550::Uart16550;
use uart_16550::backend::PioBackend;

const COM1: u16 = 0x3f8;

static PORT: Mutex<Option<Uart16550<PioBackend>>> = Mutex::new(None);

/// Programs COM1. A missing UART is not an error: output is then dropped.
pub fn init() {
    // SAFETY: 0x3f8..0x400 is COM1 on every PC-compatible machine QEMU
    // emulates, and only this module touches those ports.
    let Ok(mut uart) = (unsafe { Uart16550::new_port(COM1) }) else {
        return;
    };
    if uart.init(uart_16550::Config::default()).is_ok() {
        *PORT.lock() = Some(uart);
    }
}

struct Sink<'a>(&'a mut Uart16550<PioBackend>);

impl Write for Sink<'_> {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        for chunk in s.split_inclusive('\n') {
            match chunk.strip_suffix('\n') {
                Some(line) => {
                    self.0.send_bytes_exact(line.as_bytes());
                    self.0.send_bytes_exact(b"\r\n");
                }
                None => self.0.send_bytes_exact(chunk.as_bytes()),
            }
        }
        Ok(())
    }
}

/// Writes formatted text to COM1 (used by the macros).
pub fn write_fmt(args: fmt::Arguments<'_>) {
    let mut port = PORT.lock();
    if let Some(uart) = port.as_mut() {
        // Writing to the UART cannot fail; formatting errors are ignored.
        let _ = Sink(uart).write_fmt(args);
    }
}

/// Writes the fatal line even when the port lock is held (by code this
/// CPU interrupted with an exception, which never resumes).
pub fn write_fmt_fatal(args: fmt::Arguments<'_>) {
    if let Some(mut port) = PORT.try_lock()
        && let Some(uart) = port.as_mut()
    {
        let _ = Sink(uart).write_fmt(args);
        return;
    }
    // SAFETY: COM1 as in `init`; either nothing holds it yet (before `init`)
    // or the lock holder never runs again, so this handle is the only user.
    if let Ok(mut uart) = unsafe { Uart16550::new_port(COM1) } {
        let _ = Sink(&mut uart).write_fmt(args);
    }
}

/// Prints one `[loader] <ms since entry> ms: ...` line.
#[macro_export]
macro_rules! log_line {
    ($($arg:tt)*) => {{
        let us = $crate::time::since_entry_us();
        $crate::serial::write_fmt(format_args!(
            "[loader] {}.{} ms: {}\n",
            us / 1000,
            us % 1000 / 100,
            format_args!($($arg)*)
        ))
    }};
}
