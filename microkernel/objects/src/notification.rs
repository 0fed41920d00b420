//! Notifications (a word of signal bits) and IRQ delivery through them.
//!
//! `signal` ORs bits into the word, or hands them straight to the first
//! waiter; `wait` returns and clears a nonzero word, or blocks; `poll`
//! returns and clears the word without blocking (0 if nothing was set).
//! An IRQ line bound to a notification signals its bits when it fires and
//! stays masked until the driver acknowledges it.

use helix_abi::SysError;

use crate::ipc::{Ipc, IpcState, Queue};
use crate::table::{ObjRef, ThreadId};

/// One notification object.
#[derive(Clone, Copy, Debug, Default)]
pub struct Notification {
    pub(crate) word: u64,
    pub(crate) queue: Queue,
}

impl Notification {
    /// The pending bits.
    pub fn word(&self) -> u64 {
        self.word
    }

    /// How many threads wait.
    pub fn waiting(&self) -> usize {
        self.queue.len()
    }
}

/// A thread woken by a signal, with the bits it receives.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Woken {
    /// The thread (runnable again).
    pub thread: ThreadId,
    /// The bits it returns.
    pub bits: u64,
}

/// Result of `wait`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WaitOutcome {
    /// Bits were pending: return them (the word is now 0).
    Bits(u64),
    /// The thread is queued.
    Blocked,
}

impl Ipc {
    /// OR `bits` into `n`: the first waiter, if any, is woken with them
    /// instead. `Revoked` when the notification is gone.
    pub fn signal(&mut self, n: ObjRef, bits: u64) -> Result<Option<Woken>, SysError> {
        let ntfn = self.notifications.get_mut(n).ok_or(SysError::Revoked)?;
        match self.links.pop_front(&mut ntfn.queue) {
            Some(thread) => {
                let bits = ntfn.word | bits;
                ntfn.word = 0;
                self.set_state(thread, IpcState::Idle);
                Ok(Some(Woken { thread, bits }))
            }
            None => {
                ntfn.word |= bits;
                Ok(None)
            }
        }
    }

    /// `wait` (blocking) or `poll` (non-blocking: `Bits(0)` when nothing is
    /// pending) by `t` on `n`.
    pub fn wait(
        &mut self,
        n: ObjRef,
        t: ThreadId,
        blocking: bool,
    ) -> Result<WaitOutcome, SysError> {
        self.idle(t)?;
        let ntfn = self.notifications.get_mut(n).ok_or(SysError::Revoked)?;
        if ntfn.word != 0 || !blocking {
            let bits = ntfn.word;
            ntfn.word = 0;
            return Ok(WaitOutcome::Bits(bits));
        }
        self.links.push_back(&mut ntfn.queue, t)?;
        self.set_state(t, IpcState::Waiting { ntfn: n });
        Ok(WaitOutcome::Blocked)
    }

    /// The notification is being destroyed: waiters are reported to
    /// `woken` (wake them with `Revoked`).
    pub fn destroy_notification(&mut self, n: ObjRef, woken: &mut dyn FnMut(ThreadId)) -> usize {
        let Some(mut ntfn) = self.notifications.remove(n) else {
            return 0;
        };
        let mut count = 0;
        while let Some(t) = self.links.pop_front(&mut ntfn.queue) {
            self.set_state(t, IpcState::Idle);
            woken(t);
            count += 1;
        }
        count
    }
}

/// The number of IRQ lines the router knows (legacy + I/O APIC range).
pub const IRQ_LINES: usize = 224;

/// What the kernel does when an IRQ fires.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IrqAction {
    /// Mask the line and signal `bits` to `notification`.
    Signal {
        /// The bound notification.
        notification: ObjRef,
        /// The bits to signal.
        bits: u64,
    },
    /// Nobody handles the line (or it is still masked): mask it.
    Mask,
}

#[derive(Clone, Copy, Debug, Default)]
struct Line {
    handler: bool,
    binding: Option<(ObjRef, u64)>,
    in_service: bool,
}

/// IRQ lines: which have a handler cap, where they deliver, whether they
/// await an ack.
#[derive(Debug)]
pub struct IrqRouter {
    lines: [Line; IRQ_LINES],
}

impl Default for IrqRouter {
    fn default() -> Self {
        IrqRouter {
            lines: [Line::default(); IRQ_LINES],
        }
    }
}

impl IrqRouter {
    /// Claim line `irq` for a new IrqHandler object: `InvalidArgument` out
    /// of range, `InvalidState` when a handler exists.
    pub fn claim(&mut self, irq: u64) -> Result<(), SysError> {
        let line = self.line(irq)?;
        if line.handler {
            return Err(SysError::InvalidState);
        }
        line.handler = true;
        Ok(())
    }

    /// The IrqHandler object of `irq` was destroyed.
    pub fn release(&mut self, irq: u64) {
        if let Ok(line) = self.line(irq) {
            *line = Line::default();
        }
    }

    /// Deliver `irq` as `bits` (nonzero) to `notification`.
    pub fn bind(&mut self, irq: u64, notification: ObjRef, bits: u64) -> Result<(), SysError> {
        if bits == 0 {
            return Err(SysError::InvalidArgument);
        }
        let line = self.line(irq)?;
        if !line.handler {
            return Err(SysError::InvalidState);
        }
        line.binding = Some((notification, bits));
        Ok(())
    }

    /// Stop delivering `irq`.
    pub fn unbind(&mut self, irq: u64) -> Result<(), SysError> {
        self.line(irq)?.binding = None;
        Ok(())
    }

    /// The line fired. A bound, idle line signals and enters service
    /// (stays masked until [`IrqRouter::ack`]).
    pub fn fire(&mut self, irq: u64) -> IrqAction {
        let Ok(line) = self.line(irq) else {
            return IrqAction::Mask;
        };
        match line.binding {
            Some((notification, bits)) if !line.in_service => {
                line.in_service = true;
                IrqAction::Signal { notification, bits }
            }
            _ => IrqAction::Mask,
        }
    }

    /// The driver handled the IRQ: returns true when the kernel should
    /// unmask the line. `InvalidState` when the line was not in service.
    pub fn ack(&mut self, irq: u64) -> Result<bool, SysError> {
        let line = self.line(irq)?;
        if !line.in_service {
            return Err(SysError::InvalidState);
        }
        line.in_service = false;
        Ok(true)
    }

    fn line(&mut self, irq: u64) -> Result<&mut Line, SysError> {
        usize::try_from(irq)
            .ok()
            .and_then(|i| self.lines.get_mut(i))
            .ok_or(SysError::InvalidArgument)
    }
}

#[cfg(test)]
mod tests;
