//! The two traits: [`SchedulingPolicy`], what a server drives (object
//! safe, so a server can swap policies behind a `Box<dyn _>`), and
//! [`Policy`], the hooks a policy crate implements to get it from
//! [`PolicyScheduler`](crate::PolicyScheduler).
#![forbid(unsafe_code)]

use alloc::string::String;
use alloc::vec::Vec;
use core::fmt::Debug;

use helix_protocol::interfaces::scheduler::{self, ThreadId};
use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::config::PolicyConfig;
use crate::error::{ConfigError, PolicyError, StateError};
use crate::runqueues::{RunQueues, ThreadData};
use crate::stats::Stats;
use crate::types::{CpuMask, Decision, Migration, ThreadInfo};

/// A scheduling policy as a server drives it: thread events in, decisions
/// and queue orders out. `Send + Sync` like the module that holds it.
///
/// Model: each CPU has one queue whose front is the running thread. A CPU
/// idles only while its queue is empty: whenever the running thread leaves
/// (its quantum ends, it yields, blocks or exits) the next one is
/// dispatched at once with a full quantum. What a kernel that dispatches
/// from per-CPU queues needs is here: [`queue`](Self::queue) (order),
/// [`quantum_ms`](Self::quantum_ms) and [`thread`](Self::thread) (priority,
/// CPU placement), and the [`Migration`]s of each balance step.
pub trait SchedulingPolicy: Send + Sync {
    /// The policy's name (`"round_robin"`, `"fair"`).
    fn name(&self) -> &'static str;

    /// How many CPUs it schedules.
    fn cpu_count(&self) -> u32;

    /// A new thread joins the least loaded CPU its affinity allows (the
    /// lowest numbered among equals); returns that CPU.
    fn add_thread(
        &mut self,
        thread: ThreadId,
        priority: u8,
        affinity: CpuMask,
    ) -> Result<u32, PolicyError>;

    /// A new thread joins `cpu` (where the kernel created it).
    fn add_thread_on(
        &mut self,
        thread: ThreadId,
        priority: u8,
        affinity: CpuMask,
        cpu: u32,
    ) -> Result<(), PolicyError>;

    /// Forget a thread (it exited).
    fn remove(&mut self, thread: ThreadId) -> Result<(), PolicyError>;

    /// The thread blocked: it leaves its queue.
    fn block(&mut self, thread: ThreadId) -> Result<(), PolicyError>;

    /// The blocked thread is ready again: it joins its CPU's queue (at the
    /// back, for a FIFO); returns that CPU.
    fn wake(&mut self, thread: ThreadId) -> Result<u32, PolicyError>;

    /// Change a thread's priority (a running thread keeps at most its new
    /// full quantum).
    fn set_priority(&mut self, thread: ThreadId, priority: u8) -> Result<(), PolicyError>;

    /// A timer tick on `cpu`: the running thread is charged one tick
    /// (1 ms); when its quantum is used up it goes back into the queue and
    /// the next thread runs. When the system tick count reaches a multiple
    /// of the balance interval a balance step runs; its moves wait in
    /// [`take_migrations`](Self::take_migrations).
    fn tick(&mut self, cpu: u32) -> Result<Decision, PolicyError>;

    /// The thread running on `cpu` gives up the rest of its quantum.
    fn yield_now(&mut self, cpu: u32) -> Result<Decision, PolicyError>;

    /// Run a balance step now; returns its moves (they are not added to
    /// [`take_migrations`](Self::take_migrations)).
    fn balance(&mut self) -> Vec<Migration>;

    /// The moves of the periodic balance steps since the last call.
    fn take_migrations(&mut self) -> Vec<Migration>;

    /// The thread to run on `cpu` now (the front of its queue), the answer
    /// to the `scheduler` interface's `next`.
    fn next(&self, cpu: u32) -> Option<ThreadId>;

    /// `cpu`'s queue, front (the running thread) first.
    fn queue(&self, cpu: u32) -> Vec<ThreadId>;

    /// A thread's full quantum in milliseconds.
    fn quantum_ms(&self, thread: ThreadId) -> Option<u64>;

    /// The quantum a thread has left (the full quantum while it is ready;
    /// `None` while it is blocked).
    fn remaining_ms(&self, thread: ThreadId) -> Option<u64>;

    /// One thread's description.
    fn thread(&self, thread: ThreadId) -> Option<ThreadInfo>;

    /// Every thread, CPU by CPU in queue order, then the blocked ones: what
    /// another policy's `from_threads` takes over.
    fn threads(&self) -> Vec<ThreadInfo>;

    /// Counters.
    fn stats(&self) -> &Stats;

    /// The configuration as `key=value` words.
    fn config_words(&self) -> String;

    /// Change one setting at run time (`sched set KEY VALUE`); the whole
    /// configuration is validated first and nothing changes if it fails.
    fn set_option(&mut self, key: &str, value: &str) -> Result<(), ConfigError>;

    /// The whole state, for a hot reload (restore with the policy's
    /// `restore_state`).
    fn save_state(&self) -> Result<Vec<u8>, StateError>;

    /// The `scheduler` interface's dispatch answer for `cpu`: the thread to
    /// run and the quantum it has left.
    fn dispatch(&self, cpu: u32) -> Option<scheduler::Decision> {
        let thread = self.next(cpu)?;
        let remaining = self.remaining_ms(thread)?;
        Some(scheduler::Decision {
            thread,
            quantum_ns: remaining.saturating_mul(1_000_000),
        })
    }
}

/// What a policy decides; [`PolicyScheduler`](crate::PolicyScheduler)
/// does the rest (queues, dispatch, quanta, balancing, state). Hooks that
/// a policy does not need default to doing nothing.
pub trait Policy: Clone + PartialEq + Debug + Send + Sync + Serialize + DeserializeOwned {
    /// Per-thread data; its key orders the ready queue.
    type Data: ThreadData;
    /// The configuration.
    type Config: PolicyConfig + PartialEq + Debug + Serialize + DeserializeOwned;
    /// Name, also the tag of its saved state.
    const NAME: &'static str;
    /// Version of the saved-state format.
    const STATE_VERSION: u32;

    /// The policy for `cpus` CPUs with a validated configuration.
    fn new(config: Self::Config, cpus: u32) -> Self;

    /// The configuration.
    fn config(&self) -> &Self::Config;

    /// Replace the configuration (already validated).
    fn set_config(&mut self, config: Self::Config);

    /// Ticks between balance steps (`0`: never).
    fn load_balance_interval(&self) -> u64;

    /// Full quantum in milliseconds of a thread of `priority`; at least 1.
    fn quantum_ms(&self, priority: u8) -> u64;

    /// Data of a thread that joins `cpu` for the first time.
    fn join(&self, cpu: u32) -> Self::Data;

    /// A blocked thread wakes on `cpu`.
    fn wake(&self, _cpu: u32, _data: &mut Self::Data) {}

    /// The running thread ran one tick.
    fn charge(&mut self, _priority: u8, _data: &mut Self::Data) {}

    /// A balance step moves a ready thread from `from` to `to`.
    fn migrate(&self, _from: u32, _to: u32, _data: &mut Self::Data) {}

    /// After a tick on `cpu`, with the queues as they are now.
    fn settle(&mut self, _cpu: u32, _queues: &RunQueues<Self::Data>) {}

    /// Policy-specific checks of restored state (the configuration and the
    /// queues are checked already).
    fn check(&self, _queues: &RunQueues<Self::Data>) -> Result<(), StateError> {
        Ok(())
    }
}
