//! [`Fair`]: weighted fair sharing as [`Policy`] hooks, and
//! [`FairScheduler`], the scheduler that runs it.
//!
//! Each thread has a weight, [`weight`]`(priority) = priority + 1`
//! (1..=256, linear: on one CPU a thread gets CPU time in proportion to
//! its weight). Running one tick adds [`VRUNTIME_PER_TICK`]` / weight` to
//! its virtual runtime. The ready queue is ordered by virtual runtime, so
//! when a quantum ends (fixed, [`FairConfig::quantum_ms`]) the thread with
//! the least runs next, the one that just ran among them if it is still
//! the least (ties: the earlier arrival). A yield ends the quantum the
//! same way.
//!
//! Each CPU keeps a floor: the least virtual runtime among its running and
//! ready threads, as seen after each tick, never decreasing. A new thread
//! starts at its CPU's floor and a woken one at no less than it, so neither
//! can claim the CPU for as long as it was absent; a migrated thread keeps
//! its lead or lag over its old CPU's floor on the new CPU.
#![forbid(unsafe_code)]

use alloc::vec;
use alloc::vec::Vec;

use helix_sched_policy::{
    Inconsistency, Policy, PolicyScheduler, RunQueues, StateError, ThreadData,
};
use serde::{Deserialize, Serialize};

use crate::config::FairConfig;

/// Virtual runtime a weight-1 thread gains per tick (weight 256 gains
/// 65 536): large, so that the rounding of the division is negligible.
pub const VRUNTIME_PER_TICK: u64 = 1 << 24;

/// The weight of a priority: `priority + 1`.
pub const fn weight(priority: u8) -> u64 {
    priority as u64 + 1
}

/// What the fair policy keeps per thread.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FairThread {
    /// Virtual runtime: ticks run, each divided by the weight it had.
    pub vruntime: u64,
}

impl ThreadData for FairThread {
    type Key = u64;

    fn key(&self) -> u64 {
        self.vruntime
    }
}

/// The fair-share policy: its configuration and the floor of each CPU.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Fair {
    config: FairConfig,
    floors: Vec<u64>,
}

/// The weighted fair-share scheduler.
pub type FairScheduler = PolicyScheduler<Fair>;

impl Fair {
    /// The floor of `cpu`'s virtual runtimes.
    pub fn floor(&self, cpu: u32) -> u64 {
        self.floors.get(cpu as usize).copied().unwrap_or(0)
    }
}

impl Policy for Fair {
    type Data = FairThread;
    type Config = FairConfig;
    const NAME: &'static str = "fair";
    const STATE_VERSION: u32 = 1;

    fn new(config: FairConfig, cpus: u32) -> Self {
        Fair {
            config,
            floors: vec![0; cpus as usize],
        }
    }

    fn config(&self) -> &FairConfig {
        &self.config
    }

    fn set_config(&mut self, config: FairConfig) {
        self.config = config;
    }

    fn load_balance_interval(&self) -> u64 {
        self.config.load_balance_interval
    }

    fn quantum_ms(&self, _priority: u8) -> u64 {
        self.config.quantum_ms
    }

    fn join(&self, cpu: u32) -> FairThread {
        FairThread {
            vruntime: self.floor(cpu),
        }
    }

    fn wake(&self, cpu: u32, data: &mut FairThread) {
        data.vruntime = data.vruntime.max(self.floor(cpu));
    }

    fn charge(&mut self, priority: u8, data: &mut FairThread) {
        data.vruntime = data
            .vruntime
            .saturating_add(VRUNTIME_PER_TICK / weight(priority));
    }

    fn migrate(&self, from: u32, to: u32, data: &mut FairThread) {
        let lead = data.vruntime.saturating_sub(self.floor(from));
        data.vruntime = self.floor(to).saturating_add(lead);
    }

    fn settle(&mut self, cpu: u32, queues: &RunQueues<FairThread>) {
        let running = queues
            .running(cpu)
            .and_then(|t| queues.entry(t))
            .map(|e| e.data().vruntime);
        let least = running.into_iter().chain(queues.first_ready_key(cpu)).min();
        if let (Some(least), Some(floor)) = (least, self.floors.get_mut(cpu as usize)) {
            *floor = (*floor).max(least);
        }
    }

    fn check(&self, queues: &RunQueues<FairThread>) -> Result<(), StateError> {
        if self.floors.len() != queues.cpu_count() as usize {
            return Err(StateError::Inconsistent(Inconsistency::CpuCount(
                self.floors.len(),
            )));
        }
        Ok(())
    }
}
