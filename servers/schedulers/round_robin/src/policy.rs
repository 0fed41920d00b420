//! [`RoundRobin`]: the spec's policy as [`Policy`] hooks, and
//! [`RoundRobinScheduler`], the scheduler that runs it.
//!
//! A FIFO per CPU (no ordering key: threads run in arrival order), the
//! running thread at its front. A tick takes 1 ms from the running
//! thread's quantum; when it reaches 0 the thread goes to the back and the
//! front runs with its full quantum. A yield does the same at once. A
//! blocked thread leaves the queue and joins the back when woken. New
//! threads join the back. Balance steps move threads from the back of the
//! fullest queues, never a running one (see `helix-sched-policy`).
#![forbid(unsafe_code)]

use helix_sched_policy::{Policy, PolicyScheduler};
use serde::{Deserialize, Serialize};

use crate::config::RoundRobinConfig;

/// The round-robin policy: just its configuration (the queues are the
/// scheduler's).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RoundRobin {
    config: RoundRobinConfig,
}

/// The round-robin scheduler.
pub type RoundRobinScheduler = PolicyScheduler<RoundRobin>;

impl Policy for RoundRobin {
    type Data = ();
    type Config = RoundRobinConfig;
    const NAME: &'static str = "round_robin";
    const STATE_VERSION: u32 = 1;

    fn new(config: RoundRobinConfig, _cpus: u32) -> Self {
        RoundRobin { config }
    }

    fn config(&self) -> &RoundRobinConfig {
        &self.config
    }

    fn set_config(&mut self, config: RoundRobinConfig) {
        self.config = config;
    }

    fn load_balance_interval(&self) -> u64 {
        self.config.load_balance_interval
    }

    fn quantum_ms(&self, priority: u8) -> u64 {
        self.config.time_slice_ms(priority)
    }

    fn join(&self, _cpu: u32) {}
}
