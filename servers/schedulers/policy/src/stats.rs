//! [`Stats`]: counters a policy keeps, and the tick clock that says when a
//! balance step is due. Counters saturate (restored state may start them
//! anywhere).
#![forbid(unsafe_code)]

use alloc::vec::Vec;

use serde::{Deserialize, Serialize};

use crate::types::Decision;

/// Counters of one CPU.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CpuStats {
    /// Ticks seen.
    pub ticks: u64,
    /// Ticks during which a thread ran.
    pub busy_ticks: u64,
    /// Quanta that ran out.
    pub expiries: u64,
    /// Yields of a running thread.
    pub yields: u64,
    /// Dispatches of another thread after an expiry or a yield.
    pub switches: u64,
}

/// Counters of a policy.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stats {
    /// One record per CPU.
    pub cpus: Vec<CpuStats>,
    /// Balance steps run (periodic or asked for).
    pub balance_steps: u64,
    /// Threads moved by them.
    pub migrations: u64,
}

impl Stats {
    /// Zeroed counters for `cpus` CPUs.
    pub fn new(cpus: u32) -> Stats {
        Stats {
            cpus: (0..cpus).map(|_| CpuStats::default()).collect(),
            balance_steps: 0,
            migrations: 0,
        }
    }

    /// The system tick count: the most ticks any CPU has seen.
    pub fn system_ticks(&self) -> u64 {
        self.cpus.iter().map(|c| c.ticks).max().unwrap_or(0)
    }

    /// Count a tick on `cpu` (`busy`: a thread ran during it). True when
    /// the system tick count has just reached a multiple of `interval`
    /// (`0`: never), i.e. a balance step is due.
    pub fn tick(&mut self, cpu: u32, busy: bool, interval: u64) -> bool {
        let before = self.system_ticks();
        let Some(stats) = self.cpus.get_mut(cpu as usize) else {
            return false;
        };
        stats.ticks = stats.ticks.saturating_add(1);
        stats.busy_ticks = stats.busy_ticks.saturating_add(u64::from(busy));
        let now = self.system_ticks();
        interval != 0 && now > before && now.is_multiple_of(interval)
    }

    /// Count the end of a quantum (`yielded`: by a yield) on `cpu` and the
    /// decision it led to.
    pub fn quantum_ended(&mut self, cpu: u32, yielded: bool, decision: Decision) {
        let Some(stats) = self.cpus.get_mut(cpu as usize) else {
            return;
        };
        if yielded {
            stats.yields = stats.yields.saturating_add(1);
        } else {
            stats.expiries = stats.expiries.saturating_add(1);
        }
        if let Decision::Switch { prev, next } = decision
            && prev != next
        {
            stats.switches = stats.switches.saturating_add(1);
        }
    }

    /// Count a balance step that moved `moved` threads.
    pub fn balanced(&mut self, moved: usize) {
        self.balance_steps = self.balance_steps.saturating_add(1);
        self.migrations = self.migrations.saturating_add(moved as u64);
    }
}
