//! Typed errors: a refused event, a refused setting, unreadable saved state.
#![forbid(unsafe_code)]

use alloc::string::String;
use core::fmt;

use helix_protocol::interfaces::scheduler::{SchedError, ThreadId};

use crate::types::CpuMask;

/// Why a policy refused an event. The policy is unchanged when it refuses.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum PolicyError {
    /// A policy needs 1 to 64 CPUs.
    CpuCount(u32),
    /// No such CPU.
    InvalidCpu {
        /// The CPU asked for.
        cpu: u32,
        /// How many CPUs the policy has.
        cpus: u32,
    },
    /// The thread is not known.
    UnknownThread(ThreadId),
    /// The thread is known already.
    DuplicateThread(ThreadId),
    /// The affinity names no CPU of this machine.
    NoAllowedCpu {
        /// The thread.
        thread: ThreadId,
        /// Its affinity.
        affinity: CpuMask,
    },
    /// The thread may not run on that CPU.
    NotAllowed {
        /// The thread.
        thread: ThreadId,
        /// The CPU outside its affinity.
        cpu: u32,
    },
    /// The thread is blocked already.
    AlreadyBlocked(ThreadId),
    /// The thread is not blocked (it is running or queued).
    NotBlocked(ThreadId),
}

impl fmt::Display for PolicyError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PolicyError::CpuCount(n) => write!(f, "{n} CPUs (a policy needs 1 to 64)"),
            PolicyError::InvalidCpu { cpu, cpus } => {
                write!(f, "no CPU {cpu} (the policy has {cpus})")
            }
            PolicyError::UnknownThread(t) => write!(f, "unknown thread {}", t.0),
            PolicyError::DuplicateThread(t) => write!(f, "thread {} is known already", t.0),
            PolicyError::NoAllowedCpu { thread, affinity } => {
                write!(f, "thread {}: affinity {affinity} names no CPU", thread.0)
            }
            PolicyError::NotAllowed { thread, cpu } => {
                write!(f, "thread {} may not run on CPU {cpu}", thread.0)
            }
            PolicyError::AlreadyBlocked(t) => write!(f, "thread {} is blocked already", t.0),
            PolicyError::NotBlocked(t) => write!(f, "thread {} is not blocked", t.0),
        }
    }
}

impl core::error::Error for PolicyError {}

/// The `scheduler` interface's coarser error for a refused event.
impl From<PolicyError> for SchedError {
    fn from(error: PolicyError) -> SchedError {
        match error {
            PolicyError::UnknownThread(_) | PolicyError::AlreadyBlocked(_) => {
                SchedError::UnknownThread
            }
            PolicyError::DuplicateThread(_) | PolicyError::NotBlocked(_) => {
                SchedError::AlreadyQueued
            }
            PolicyError::CpuCount(_)
            | PolicyError::InvalidCpu { .. }
            | PolicyError::NoAllowedCpu { .. }
            | PolicyError::NotAllowed { .. } => SchedError::InvalidCpu,
        }
    }
}

/// Why a configuration (boot arguments or a run-time `sched set`) was
/// refused. A refused setting changes nothing.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ConfigError {
    /// A word without `=` (the word).
    MissingValue(String),
    /// A key the policy does not have.
    UnknownKey {
        /// The key as written.
        key: String,
        /// The keys it has.
        known: &'static [&'static str],
    },
    /// A key given twice in one argument line.
    DuplicateKey(String),
    /// A value that is not a number (or, for a switch, not
    /// `true`/`false`/`on`/`off`/`1`/`0`).
    BadValue {
        /// The key.
        key: String,
        /// The value as written.
        value: String,
    },
    /// A value that must not be zero.
    Zero(&'static str),
    /// Two values out of order: `low` must not exceed `high`.
    Order {
        /// The key that must be the smaller.
        low: &'static str,
        /// Its value.
        low_value: u64,
        /// The key that must be the larger.
        high: &'static str,
        /// Its value.
        high_value: u64,
    },
    /// A value above its limit.
    TooLarge {
        /// The key.
        key: &'static str,
        /// Its value.
        value: u64,
        /// The largest value allowed.
        limit: u64,
    },
}

impl fmt::Display for ConfigError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ConfigError::MissingValue(word) => write!(f, "`{word}`: expected KEY=VALUE"),
            ConfigError::UnknownKey { key, known } => {
                write!(f, "unknown key `{key}` (expected one of: ")?;
                for (i, k) in known.iter().enumerate() {
                    if i > 0 {
                        f.write_str(", ")?;
                    }
                    f.write_str(k)?;
                }
                f.write_str(")")
            }
            ConfigError::DuplicateKey(key) => write!(f, "`{key}` is given twice"),
            ConfigError::BadValue { key, value } => write!(f, "`{key}`: bad value `{value}`"),
            ConfigError::Zero(key) => write!(f, "`{key}` must not be 0"),
            ConfigError::Order {
                low,
                low_value,
                high,
                high_value,
            } => write!(
                f,
                "`{low}` ({low_value}) must not exceed `{high}` ({high_value})"
            ),
            ConfigError::TooLarge { key, value, limit } => {
                write!(f, "`{key}` = {value} is above the limit {limit}")
            }
        }
    }
}

impl core::error::Error for ConfigError {}

/// Why saved state could not be restored (or, rarely, written).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StateError {
    /// The bytes are no state of any policy (truncated or corrupt).
    Decode(postcard::Error),
    /// Serialization failed.
    Encode(postcard::Error),
    /// The state belongs to another policy.
    WrongPolicy {
        /// The policy reading it.
        expected: &'static str,
        /// The policy that wrote it.
        found: String,
    },
    /// A format version this build cannot read.
    UnsupportedVersion {
        /// The version in the state.
        found: u32,
        /// The version this build reads.
        supported: u32,
    },
    /// Bytes after the end of the state.
    TrailingBytes(usize),
    /// The saved configuration is refused.
    Config(ConfigError),
    /// The saved queues contradict each other.
    Inconsistent(Inconsistency),
}

impl fmt::Display for StateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StateError::Decode(e) => write!(f, "saved state unreadable: {e}"),
            StateError::Encode(e) => write!(f, "state not serializable: {e}"),
            StateError::WrongPolicy { expected, found } => {
                write!(f, "state of policy `{found}`, not `{expected}`")
            }
            StateError::UnsupportedVersion { found, supported } => {
                write!(f, "state format {found}, this build reads {supported}")
            }
            StateError::TrailingBytes(n) => write!(f, "{n} bytes after the state"),
            StateError::Config(e) => write!(f, "saved configuration: {e}"),
            StateError::Inconsistent(e) => write!(f, "saved queues: {e}"),
        }
    }
}

impl core::error::Error for StateError {}

/// What is contradictory in restored queues.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Inconsistency {
    /// 0 or more than 64 CPUs, or per-CPU records of another length.
    CpuCount(usize),
    /// A thread placed on a CPU outside the machine or its affinity.
    BadCpu(ThreadId),
    /// A thread the queues and the thread table place differently.
    Misplaced(ThreadId),
    /// A CPU with ready threads and none running.
    IdleWithReady(u32),
    /// A queue position that a future enqueue would reuse.
    StaleSequence(ThreadId),
    /// Per-thread policy data out of range (e.g. a quantum left over).
    BadThreadData(ThreadId),
}

impl fmt::Display for Inconsistency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Inconsistency::CpuCount(n) => write!(f, "{n} CPU records"),
            Inconsistency::BadCpu(t) => write!(f, "thread {} on a CPU it cannot use", t.0),
            Inconsistency::Misplaced(t) => write!(f, "thread {} misplaced", t.0),
            Inconsistency::IdleWithReady(cpu) => {
                write!(f, "CPU {cpu} idles with ready threads")
            }
            Inconsistency::StaleSequence(t) => {
                write!(f, "thread {}: queue position ahead of the counter", t.0)
            }
            Inconsistency::BadThreadData(t) => write!(f, "thread {}: bad policy data", t.0),
        }
    }
}

impl core::error::Error for Inconsistency {}

/// Why a policy could not be built.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum BuildError {
    /// The CPU count or a taken-over thread is refused.
    Policy(PolicyError),
    /// The configuration is refused.
    Config(ConfigError),
}

impl fmt::Display for BuildError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BuildError::Policy(e) => e.fmt(f),
            BuildError::Config(e) => write!(f, "configuration: {e}"),
        }
    }
}

impl core::error::Error for BuildError {}

impl From<PolicyError> for BuildError {
    fn from(error: PolicyError) -> BuildError {
        BuildError::Policy(error)
    }
}

impl From<ConfigError> for BuildError {
    fn from(error: ConfigError) -> BuildError {
        BuildError::Config(error)
    }
}
