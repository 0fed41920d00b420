//! Formatted output through `DebugWrite`: a line buffer that flushes in
//! chunks of at most 256 bytes (the syscall's limit).

use core::fmt;

/// Bytes per `DebugWrite`.
const CHUNK: usize = 256;

/// A `fmt::Write` sink that buffers and flushes through `DebugWrite`.
pub struct Console {
    buf: [u8; CHUNK],
    len: usize,
}

impl Console {
    /// An empty buffer.
    pub const fn new() -> Console {
        Console {
            buf: [0; CHUNK],
            len: 0,
        }
    }

    /// Write out what is buffered.
    pub fn flush(&mut self) {
        if self.len > 0 {
            let _ = crate::ipc::debug_write(&self.buf[..self.len]);
            self.len = 0;
        }
    }
}

impl Default for Console {
    fn default() -> Self {
        Console::new()
    }
}

impl fmt::Write for Console {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        for &b in s.as_bytes() {
            if self.len == CHUNK {
                self.flush();
            }
            self.buf[self.len] = b;
            self.len += 1;
        }
        Ok(())
    }
}

/// Print formatted text through `DebugWrite`.
#[macro_export]
macro_rules! println {
    ($($arg:tt)*) => {{
        let mut c = $crate::console::Console::new();
        let _ = core::fmt::Write::write_fmt(&mut c, format_args!("{}\n", format_args!($($arg)*)));
        c.flush();
    }};
}
