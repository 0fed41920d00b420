//! The values a policy hands a server: CPU masks, thread descriptions,
//! dispatch decisions and migrations.
#![forbid(unsafe_code)]

use core::fmt;

use helix_protocol::interfaces::scheduler::{ThreadId, TickOutcome};
use serde::{Deserialize, Serialize};

/// Most CPUs a policy schedules (one bit each in a [`CpuMask`]).
pub const MAX_CPUS: u32 = 64;

/// A set of CPU numbers `0..64`: a thread's affinity.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct CpuMask(pub u64);

impl CpuMask {
    /// Every CPU.
    pub const ALL: CpuMask = CpuMask(u64::MAX);

    /// Only `cpu`, or `None` when `cpu >= 64`.
    pub const fn single(cpu: u32) -> Option<CpuMask> {
        match 1u64.checked_shl(cpu) {
            Some(bit) => Some(CpuMask(bit)),
            None => None,
        }
    }

    /// Whether `cpu` is in the set.
    pub const fn contains(self, cpu: u32) -> bool {
        match 1u64.checked_shl(cpu) {
            Some(bit) => self.0 & bit != 0,
            None => false,
        }
    }

    /// The members below `count` (the CPUs a machine of `count` CPUs has).
    pub const fn within(self, count: u32) -> CpuMask {
        match 1u64.checked_shl(count) {
            Some(bit) => CpuMask(self.0 & (bit - 1)),
            None => self,
        }
    }

    /// No CPU at all.
    pub const fn is_empty(self) -> bool {
        self.0 == 0
    }

    /// The members below `count`, in increasing order.
    pub fn iter(self, count: u32) -> impl Iterator<Item = u32> {
        (0..count.min(MAX_CPUS)).filter(move |&cpu| self.contains(cpu))
    }
}

impl fmt::Display for CpuMask {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:#x}", self.0)
    }
}

/// Where a thread is, as far as its policy knows.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ThreadState {
    /// It is the front of its CPU's queue: it runs.
    Running,
    /// It waits in its CPU's queue.
    Ready,
    /// It waits for an event, in no queue; it returns to its CPU when woken.
    Blocked,
}

/// Everything a policy must know about a thread to take it over from
/// another policy (see `from_threads` on each policy).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ThreadInfo {
    /// Kernel thread id.
    pub thread: ThreadId,
    /// Priority 0..=255, 255 highest.
    pub priority: u8,
    /// CPUs it may run on.
    pub affinity: CpuMask,
    /// The CPU whose queue holds it (the one it returns to when blocked).
    pub cpu: u32,
    /// Running, ready or blocked.
    pub state: ThreadState,
}

/// What a CPU does after a tick or a yield.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Decision {
    /// Nothing is ready: the CPU idles.
    Idle,
    /// The running thread keeps the CPU.
    Continue(ThreadId),
    /// The running thread's quantum ended (or it yielded): `prev` went back
    /// into its queue and `next` runs with a full quantum. `next == prev`
    /// when `prev` is still the one to run (alone on its CPU, or still the
    /// most deserving): it starts a new quantum.
    Switch {
        /// The thread that stopped.
        prev: ThreadId,
        /// The thread that runs now.
        next: ThreadId,
    },
}

impl Decision {
    /// The thread that runs on the CPU now, if any.
    pub const fn running(self) -> Option<ThreadId> {
        match self {
            Decision::Idle => None,
            Decision::Continue(thread) => Some(thread),
            Decision::Switch { next, .. } => Some(next),
        }
    }
}

/// The `scheduler` interface's answer to a tick: preempt exactly when a
/// quantum ended.
impl From<Decision> for TickOutcome {
    fn from(decision: Decision) -> TickOutcome {
        match decision {
            Decision::Idle | Decision::Continue(_) => TickOutcome::Continue,
            Decision::Switch { .. } => TickOutcome::Preempt,
        }
    }
}

/// One thread moved by a balance step: it left the back of `from`'s queue
/// and joined the back of `to`'s.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Migration {
    /// The thread.
    pub thread: ThreadId,
    /// The CPU it left.
    pub from: u32,
    /// The CPU it joined.
    pub to: u32,
}
