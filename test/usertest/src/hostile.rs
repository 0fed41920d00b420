//! The hostile process: the structured calls of helix-hostile (real caps
//! of the right types, plausible arguments, a minority of deliberately
//! wrong calls), made for real, each result fed back into its model. Its
//! parameters are the config block the kernel test maps at
//! `layout::CONFIG_VA`; it reports its counts as a long message (the
//! stats words from word 4 of its IPC buffer) on its report endpoint.

use core::fmt::Write;

use helix_abi::MessageInfo;
use helix_hostile::layout::{self, CODE_WORDS};
use helix_hostile::{Config, Hostile, stats};
use helix_sys::{Cap, Endpoint, Message, SysError, Thread, ipcbuf, raw_syscall};

use crate::{hw, report};

/// A line for the console, built without allocation (cut when full).
struct Line {
    buf: [u8; 120],
    len: usize,
}

impl Write for Line {
    fn write_str(&mut self, s: &str) -> core::fmt::Result {
        for &b in s.as_bytes() {
            if self.len < self.buf.len() {
                self.buf[self.len] = b;
                self.len += 1;
            }
        }
        Ok(())
    }
}

fn progress(cfg: &Config, h: &Hostile) {
    let mut l = Line {
        buf: [0; 120],
        len: 0,
    };
    let s = &h.stats;
    // Formatting into a fixed buffer cannot fail (it cuts instead).
    let _ = writeln!(
        l,
        "hostile[{}]: {} calls, {} ok, {} mismatches",
        cfg.index,
        s.calls,
        s.oks(),
        s.mismatches
    );
    // A lost progress line changes nothing.
    let _ = helix_sys::debug_write(&l.buf[..l.len]);
}

/// Run the calls the config block asks for, then report.
pub fn run() -> ! {
    let Some(cfg) = Config::from_words(|i| hw::peek(layout::CONFIG_VA + 8 * i as u64)) else {
        report(SysError::InvalidArgument.raw(), &[1])
    };
    let mut h = Hostile::new(&cfg);
    for _ in 0..cfg.calls {
        let c = h.next_call();
        for &(k, v) in c.buffer() {
            ipcbuf::set(k, v);
        }
        let (rax, out) = raw_syscall(c.nr, c.args);
        // A frame of our own, just mapped writable in the scratch range:
        // it gets the child code (nothing else can unmap it meanwhile).
        if rax == 0
            && let Some(va) = c.poke()
        {
            for (k, w) in CODE_WORDS.iter().enumerate() {
                hw::poke(va + 8 * k as u64, *w);
            }
        }
        h.complete(&c, rax, out);
        if cfg.progress != 0 && h.stats.calls.is_multiple_of(cfg.progress) {
            progress(&cfg, &h);
        }
    }
    let s = &h.stats;
    for (k, w) in s.to_words().iter().enumerate() {
        ipcbuf::set(helix_abi::ipc::MSG_REG_WORDS + k, *w);
    }
    let len = helix_abi::ipc::MSG_REG_WORDS + stats::WORDS;
    let info = MessageInfo::new(0, len, 0).unwrap_or_default();
    let m = Message::with_info(info, [s.calls, s.oks(), s.mismatches, s.wrong]);
    let r: Cap<Endpoint> = Cap::from_slot(layout::REPORT);
    // The report waits until the test reads it: no IPC timeout now.
    let me: Cap<Thread> = Cap::from_slot(layout::THREAD);
    let untimed = me.set_timeout(0);
    let sent = r.send(&m);
    // Without the report the run fails for want of it; say why.
    if untimed.is_err() || sent.is_err() {
        let _ = helix_sys::debug_write(b"hostile: the report could not be sent\n");
    }
    loop {
        helix_sys::yield_now();
    }
}
