//! Sleeping in a program: wait on a notification nobody signals, bounded
//! by the thread's IPC timeout (the only clock a program has).

use core::fmt;

use helix_protocol::ModuleContext;
use helix_protocol::runtime::{reserve_slot, slots};
use helix_sys::{Cap, Notification, SysError, Thread, Untyped};

/// Why a program cannot sleep.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SleepError {
    /// The manifest gave it no `mem` (untyped) cap to make a notification.
    NoMemoryCap,
    /// No free slot in its CSpace.
    NoSlot,
    /// The kernel refused the notification.
    Sys(SysError),
}

impl fmt::Display for SleepError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SleepError::NoMemoryCap => f.write_str("no `mem` cap (untyped) to sleep with"),
            SleepError::NoSlot => f.write_str("no free slot for a notification"),
            SleepError::Sys(e) => write!(f, "no notification: {e}"),
        }
    }
}

/// A notification to wait on with a timeout.
#[derive(Clone, Copy, Debug)]
pub struct Sleeper {
    ntfn: Cap<Notification>,
    me: Cap<Thread>,
}

impl Sleeper {
    /// A sleeper made from the program's `mem` cap.
    pub fn new(ctx: &ModuleContext) -> Result<Sleeper, SleepError> {
        let mem = ctx.cap("mem").ok_or(SleepError::NoMemoryCap)?;
        let slot = reserve_slot().ok_or(SleepError::NoSlot)?;
        let memory: Cap<Untyped> = Cap::from_slot(mem.slot);
        let ntfn = memory.retype(slot, 0).map_err(SleepError::Sys)?;
        Ok(Sleeper {
            ntfn,
            me: Cap::from_slot(slots::THREAD),
        })
    }

    /// Sleep about `ms` milliseconds (timer ticks); 0 returns at once.
    pub fn sleep(&self, ms: u64) {
        if ms == 0 {
            return;
        }
        // Our own thread always takes a timeout; if it did not, the wait
        // below would only end on a signal (nobody sends one), so check.
        if self.me.set_timeout(ms).is_err() {
            return;
        }
        // `TimedOut` is the expected answer: the sleep is over.
        let _ = self.ntfn.wait();
        // Later calls must not inherit the timeout; our own cap takes it.
        let _ = self.me.set_timeout(0);
    }
}
