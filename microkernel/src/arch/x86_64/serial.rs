//! COM1 serial console (16550 UART at port 0x3f8).
//!
//! One global writer behind a spin lock. Fatal paths (exceptions, panics)
//! use [`emergency_write`], which takes the lock even if the interrupted
//! code held it: by then the machine is about to stop.

use core::fmt::{self, Write};

use spin::Mutex;
use uart_16550::backend::PioBackend;
use uart_16550::{Config, Uart16550, Uart16550Tty};

const COM1: u16 = 0x3f8;

static SERIAL: Mutex<Option<Uart16550Tty<PioBackend>>> = Mutex::new(None);

/// Why the console could not start.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SerialError {
    /// The UART did not initialise.
    Init,
}

/// Initialise COM1 (115200 8N1, FIFO on).
pub fn init() -> Result<(), SerialError> {
    // SAFETY: 0x3f8..0x400 is COM1 on PC-compatible machines and nothing
    // else in the kernel touches these ports.
    let mut uart = unsafe { Uart16550::new_port(COM1) }.map_err(|_| SerialError::Init)?;
    uart.init(Config::default())
        .map_err(|_| SerialError::Init)?;
    *SERIAL.lock() = Some(Uart16550Tty::from_inner(uart));
    Ok(())
}

/// Write formatted text to the console (no-op before [`init`]).
pub fn write_fmt(args: fmt::Arguments<'_>) {
    if let Some(tty) = SERIAL.lock().as_mut() {
        let _ = tty.write_fmt(args);
    }
}

/// Write on a fatal path, even if the lock is held by interrupted code.
pub fn emergency_write(args: fmt::Arguments<'_>) {
    if SERIAL.is_locked() {
        // SAFETY: only on paths that never return to the interrupted lock
        // holder (fatal exception, panic): breaking the lock can at worst
        // garble a line.
        unsafe { SERIAL.force_unlock() };
    }
    write_fmt(args);
}

/// Print to the console.
#[macro_export]
macro_rules! kprint {
    ($($arg:tt)*) => { $crate::arch::serial::write_fmt(format_args!($($arg)*)) };
}

/// Print a line to the console.
#[macro_export]
macro_rules! kprintln {
    () => { $crate::kprint!("\n") };
    ($($arg:tt)*) => { $crate::arch::serial::write_fmt(format_args!("{}\n", format_args!($($arg)*))) };
}
