//! The small value types of a module entry: start mode, restart policy
//! and budget, CPU affinity, test expectation, and how sizes are written.

use core::fmt;

use crate::limits::MAX_CPUS;
use crate::word_enum::word_enum;

word_enum! {
    /// When the manager starts a module.
    #[derive(Default)]
    pub enum StartMode {
        /// At boot, in dependency order (the default).
        #[default]
        Boot = "boot",
        /// Only when asked (`insmod`/`start`); the entry makes it available.
        Manual = "manual",
    }
}

word_enum! {
    /// What the manager does when a module's process ends.
    #[derive(Default)]
    pub enum RestartPolicy {
        /// Leave it stopped.
        Never = "never",
        /// Restart it (with its last saved state) after a fault, a panic, a
        /// failed health check or a failure report; a clean exit stays
        /// stopped (the default).
        #[default]
        OnFailure = "on-failure",
        /// Restart it whenever it ends, a clean exit included.
        Always = "always",
    }
}

/// At most `restarts` restarts within any `window_ms` milliseconds; one
/// more and the module is marked failed and left stopped.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct RestartBudget {
    /// Restarts allowed within the window.
    pub restarts: u32,
    /// Length of the window in milliseconds (nonzero).
    pub window_ms: u64,
}

impl RestartBudget {
    /// The budget of an entry that does not set `restart-budget`: 3 restarts
    /// in 10 s.
    pub const DEFAULT: RestartBudget = RestartBudget {
        restarts: 3,
        window_ms: 10_000,
    };
}

impl Default for RestartBudget {
    fn default() -> RestartBudget {
        RestartBudget::DEFAULT
    }
}

impl fmt::Display for RestartBudget {
    /// `N/Ts` when the window is whole seconds, `N/Tms` otherwise.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.window_ms.is_multiple_of(1000) {
            write!(f, "{}/{}s", self.restarts, self.window_ms / 1000)
        } else {
            write!(f, "{}/{}ms", self.restarts, self.window_ms)
        }
    }
}

/// The verdict a test manifest expects of a module (the manager turns it
/// into a pass or a fail).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Expect {
    /// The module reaches its server loop and is serving.
    Serving,
    /// The module's process ends with this status (its report's detail
    /// word; 0 is a clean exit).
    Exit(u64),
    /// The manager refuses to start the module (dependency, version
    /// constraint, loader or ABI check).
    Refused,
    /// The module keeps failing and the manager gives up on it (its
    /// restart budget is spent).
    Failed,
}

impl fmt::Display for Expect {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Expect::Serving => f.write_str("serving"),
            Expect::Exit(status) => write!(f, "exit {status}"),
            Expect::Refused => f.write_str("refused"),
            Expect::Failed => f.write_str("failed"),
        }
    }
}

/// A nonempty set of CPUs `0..MAX_CPUS`, as the kernel's affinity mask
/// (bit n = CPU n).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct CpuSet(u64);

impl CpuSet {
    /// The set whose mask is `mask`; `None` for the empty set.
    pub const fn from_mask(mask: u64) -> Option<CpuSet> {
        if mask == 0 { None } else { Some(CpuSet(mask)) }
    }

    /// The affinity mask (`ThreadSetAffinity` takes it as is).
    pub const fn mask(self) -> u64 {
        self.0
    }

    /// True when `cpu` is in the set.
    pub const fn contains(self, cpu: u32) -> bool {
        cpu < MAX_CPUS && self.0 & (1 << cpu) != 0
    }

    /// The CPUs in the set, ascending.
    pub fn iter(self) -> impl Iterator<Item = u32> {
        (0..MAX_CPUS).filter(move |&cpu| self.contains(cpu))
    }
}

impl fmt::Display for CpuSet {
    /// The CPU numbers, ascending, comma-separated (`0,1,5`).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        crate::word_enum::join_words(f, self.iter())
    }
}

/// A byte count written the way a manifest writes it: with the largest
/// suffix `G`, `M` or `K` (powers of 1024) that divides it exactly.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Size(pub u64);

impl fmt::Display for Size {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        const UNITS: [(u64, char); 3] = [(1 << 30, 'G'), (1 << 20, 'M'), (1 << 10, 'K')];
        let n = self.0;
        match UNITS
            .iter()
            .find(|(unit, _)| n != 0 && n.is_multiple_of(*unit))
        {
            Some((unit, suffix)) => write!(f, "{}{suffix}", n / unit),
            None => write!(f, "{n}"),
        }
    }
}
