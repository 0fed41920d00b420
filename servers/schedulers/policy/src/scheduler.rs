//! [`PolicyScheduler`]: a [`Policy`]'s hooks plus the shared mechanism
//! (queues, dispatch, quanta, periodic balancing, counters, saved state)
//! make a [`SchedulingPolicy`].
#![forbid(unsafe_code)]

use alloc::string::String;
use alloc::vec::Vec;
use core::mem;

use helix_protocol::interfaces::scheduler::ThreadId;
use serde::{Deserialize, Serialize};

use crate::config::PolicyConfig;
use crate::error::{BuildError, ConfigError, Inconsistency, PolicyError, StateError};
use crate::policy::{Policy, SchedulingPolicy};
use crate::runqueues::RunQueues;
use crate::state;
use crate::stats::Stats;
use crate::types::{CpuMask, Decision, Migration, ThreadInfo, ThreadState};

/// A scheduler running policy `P`. Everything that decides what happens
/// next is in it and in its saved state, so a restored copy makes the same
/// decisions as the original.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(bound = "")]
pub struct PolicyScheduler<P: Policy> {
    pub(crate) policy: P,
    pub(crate) queues: RunQueues<P::Data>,
    pub(crate) stats: Stats,
    pub(crate) pending: Vec<Migration>,
}

impl<P: Policy> PolicyScheduler<P> {
    /// A scheduler for `cpus` CPUs (1 to 64) with no threads.
    pub fn new(cpus: u32, config: P::Config) -> Result<Self, BuildError> {
        Self::from_threads(cpus, config, &[])
    }

    /// A scheduler that takes over `threads` from another policy (see
    /// [`SchedulingPolicy::threads`]): same ids, priorities, affinities,
    /// CPUs (a thread whose CPU this machine or its affinity does not allow
    /// goes to the least loaded CPU it allows), running/ready/blocked, and
    /// queue order. Every running thread starts a full quantum.
    pub fn from_threads(
        cpus: u32,
        config: P::Config,
        threads: &[ThreadInfo],
    ) -> Result<Self, BuildError> {
        RunQueues::<P::Data>::new(cpus)?;
        config.validate()?;
        let policy = P::new(config, cpus);
        let queues = RunQueues::from_threads(cpus, threads, |_, cpu| policy.join(cpu), &|p| {
            policy.quantum_ms(p)
        })?;
        Ok(PolicyScheduler {
            policy,
            queues,
            stats: Stats::new(cpus),
            pending: Vec::new(),
        })
    }

    /// A scheduler from [`save_state`](SchedulingPolicy::save_state) bytes.
    /// The bytes are checked: policy, format version, configuration and the
    /// consistency of the queues.
    pub fn restore_state(bytes: &[u8]) -> Result<Self, StateError> {
        let restored: Self = state::decode(bytes, P::NAME, P::STATE_VERSION)?;
        restored
            .policy
            .config()
            .validate()
            .map_err(StateError::Config)?;
        let policy = &restored.policy;
        restored
            .queues
            .validate(&|p| policy.quantum_ms(p))
            .map_err(StateError::Inconsistent)?;
        let cpus = restored.stats.cpus.len();
        if cpus != restored.queues.cpu_count() as usize {
            return Err(StateError::Inconsistent(Inconsistency::CpuCount(cpus)));
        }
        restored.policy.check(&restored.queues)?;
        Ok(restored)
    }

    /// The configuration.
    pub fn config(&self) -> &P::Config {
        self.policy.config()
    }

    /// Replace the configuration after validating it; running threads keep
    /// at most their new full quantum.
    pub fn reconfigure(&mut self, config: P::Config) -> Result<(), ConfigError> {
        config.validate()?;
        self.policy.set_config(config);
        let policy = &self.policy;
        self.queues.clamp_remaining(&|p| policy.quantum_ms(p));
        Ok(())
    }

    /// The policy's own state (configuration and what it keeps per CPU).
    pub fn policy(&self) -> &P {
        &self.policy
    }

    /// The queues.
    pub fn queues(&self) -> &RunQueues<P::Data> {
        &self.queues
    }

    /// The end of the running thread's quantum on `cpu`.
    fn end_quantum(&mut self, cpu: u32, yielded: bool) -> Decision {
        let policy = &self.policy;
        let decision = match self.queues.requeue_running(cpu, &|p| policy.quantum_ms(p)) {
            Some((prev, next)) => Decision::Switch { prev, next },
            None => Decision::Idle,
        };
        self.stats.quantum_ended(cpu, yielded, decision);
        decision
    }
}

impl<P: Policy> SchedulingPolicy for PolicyScheduler<P> {
    fn name(&self) -> &'static str {
        P::NAME
    }

    fn cpu_count(&self) -> u32 {
        self.queues.cpu_count()
    }

    fn add_thread(
        &mut self,
        thread: ThreadId,
        priority: u8,
        affinity: CpuMask,
    ) -> Result<u32, PolicyError> {
        if self.queues.entry(thread).is_some() {
            return Err(PolicyError::DuplicateThread(thread));
        }
        let cpu = self
            .queues
            .least_loaded(affinity)
            .ok_or(PolicyError::NoAllowedCpu { thread, affinity })?;
        self.add_thread_on(thread, priority, affinity, cpu)?;
        Ok(cpu)
    }

    fn add_thread_on(
        &mut self,
        thread: ThreadId,
        priority: u8,
        affinity: CpuMask,
        cpu: u32,
    ) -> Result<(), PolicyError> {
        let policy = &self.policy;
        self.queues
            .insert((thread, priority, affinity), cpu, policy.join(cpu), &|p| {
                policy.quantum_ms(p)
            })
    }

    fn remove(&mut self, thread: ThreadId) -> Result<(), PolicyError> {
        let policy = &self.policy;
        self.queues
            .remove(thread, &|p| policy.quantum_ms(p))
            .map(drop)
    }

    fn block(&mut self, thread: ThreadId) -> Result<(), PolicyError> {
        let policy = &self.policy;
        self.queues.block(thread, &|p| policy.quantum_ms(p))
    }

    fn wake(&mut self, thread: ThreadId) -> Result<u32, PolicyError> {
        let policy = &self.policy;
        self.queues
            .wake(thread, |cpu, data| policy.wake(cpu, data), &|p| {
                policy.quantum_ms(p)
            })
    }

    fn set_priority(&mut self, thread: ThreadId, priority: u8) -> Result<(), PolicyError> {
        let policy = &self.policy;
        self.queues
            .set_priority(thread, priority, &|p| policy.quantum_ms(p))
    }

    fn tick(&mut self, cpu: u32) -> Result<Decision, PolicyError> {
        self.queues.check_cpu(cpu)?;
        let decision = match self.queues.running_mut(cpu) {
            None => Decision::Idle,
            Some((thread, priority, data, remaining)) => {
                self.policy.charge(priority, data);
                *remaining = remaining.saturating_sub(1);
                if *remaining > 0 {
                    Decision::Continue(thread)
                } else {
                    self.end_quantum(cpu, false)
                }
            }
        };
        self.policy.settle(cpu, &self.queues);
        let busy = decision != Decision::Idle;
        if self
            .stats
            .tick(cpu, busy, self.policy.load_balance_interval())
        {
            let moves = self.balance();
            self.pending.extend(moves);
        }
        Ok(decision)
    }

    fn yield_now(&mut self, cpu: u32) -> Result<Decision, PolicyError> {
        self.queues.check_cpu(cpu)?;
        Ok(self.end_quantum(cpu, true))
    }

    fn balance(&mut self) -> Vec<Migration> {
        let policy = &self.policy;
        let moves = self
            .queues
            .balance(|from, to, data| policy.migrate(from, to, data), &|p| {
                policy.quantum_ms(p)
            });
        self.stats.balanced(moves.len());
        moves
    }

    fn take_migrations(&mut self) -> Vec<Migration> {
        mem::take(&mut self.pending)
    }

    fn next(&self, cpu: u32) -> Option<ThreadId> {
        self.queues.running(cpu)
    }

    fn queue(&self, cpu: u32) -> Vec<ThreadId> {
        self.queues.queue(cpu)
    }

    fn quantum_ms(&self, thread: ThreadId) -> Option<u64> {
        let entry = self.queues.entry(thread)?;
        Some(self.policy.quantum_ms(entry.priority()))
    }

    fn remaining_ms(&self, thread: ThreadId) -> Option<u64> {
        let entry = self.queues.entry(thread)?;
        match entry.state() {
            ThreadState::Running => self.queues.remaining_ms(entry.cpu()),
            ThreadState::Ready => Some(self.policy.quantum_ms(entry.priority())),
            ThreadState::Blocked => None,
        }
    }

    fn thread(&self, thread: ThreadId) -> Option<ThreadInfo> {
        self.queues.info(thread)
    }

    fn threads(&self) -> Vec<ThreadInfo> {
        self.queues.threads()
    }

    fn stats(&self) -> &Stats {
        &self.stats
    }

    fn config_words(&self) -> String {
        self.policy.config().words()
    }

    fn set_option(&mut self, key: &str, value: &str) -> Result<(), ConfigError> {
        let config = self.policy.config().with(key, value)?;
        self.reconfigure(config)
    }

    fn save_state(&self) -> Result<Vec<u8>, StateError> {
        state::encode(P::NAME, P::STATE_VERSION, self)
    }
}
