//! The `scheduler` interface: add_thread, remove, next, yield, tick.
//!
//! `yield` is a Rust keyword, so the method is `yield_now` (variant `Yield`).
#![forbid(unsafe_code)]

use serde::{Deserialize, Serialize};

use super::define::error_messages;

/// A kernel thread id.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(test, derive(proptest_derive::Arbitrary))]
pub struct ThreadId(pub u64);

/// The scheduler's answer to "who runs next on this CPU?".
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(test, derive(proptest_derive::Arbitrary))]
pub struct Decision {
    /// The thread to run.
    pub thread: ThreadId,
    /// Its time slice in nanoseconds.
    pub quantum_ns: u64,
}

/// What a tick means for the running thread.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(test, derive(proptest_derive::Arbitrary))]
pub enum TickOutcome {
    /// Keep running it.
    Continue,
    /// Its quantum expired: pick the next thread.
    Preempt,
}

/// Why a scheduler call failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(test, derive(proptest_derive::Arbitrary))]
pub enum SchedError {
    /// The thread is not known to the scheduler.
    UnknownThread,
    /// The thread is queued already.
    AlreadyQueued,
    /// No such CPU.
    InvalidCpu,
    /// The run queue is full.
    QueueFull,
}

error_messages!(SchedError {
    UnknownThread => "unknown thread",
    AlreadyQueued => "thread already queued",
    InvalidCpu => "invalid CPU",
    QueueFull => "run queue full",
});

crate::define_interface! {
    /// The scheduling-policy interface (`"scheduler"` v1.0).
    interface Scheduler {
        name: "scheduler",
        version: (1, 0),
        error: SchedError,
        request: SchedulerRequest,
        response: SchedulerResponse,
        handler: SchedulerHandler,
        client: SchedulerClient,
        derive_extra: [#[cfg_attr(test, derive(proptest_derive::Arbitrary))]],
        methods {
            /// Make a thread schedulable, optionally pinned to `cpu`.
            fn add_thread(thread: ThreadId, priority: u8, cpu: Option<u32>) -> () => AddThread;
            /// Forget a thread.
            fn remove(thread: ThreadId) -> () => Remove;
            /// The next thread to run on `cpu`, if any is ready.
            fn next(cpu: u32) -> Option<Decision> => Next;
            /// The thread gives up the rest of its quantum.
            fn yield_now(thread: ThreadId) -> () => Yield;
            /// A timer tick on `cpu` at `now_ns`.
            fn tick(cpu: u32, now_ns: u64) -> TickOutcome => Tick;
        }
    }
}
