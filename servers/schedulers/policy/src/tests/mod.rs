//! Unit tests of the shared mechanism, with two small test policies.

mod balance;
mod basics;
mod queues;
mod restore;

use alloc::string::{String, ToString};

use serde::{Deserialize, Serialize};

use crate::{
    ConfigError, CpuMask, Policy, PolicyConfig, PolicyScheduler, QuantumFn, ThreadData, ThreadId,
    nonzero, parse_u64, unknown_key,
};

fn t(n: u64) -> ThreadId {
    ThreadId(n)
}

/// Every test quantum is 3 ms, whatever the priority.
const Q3: QuantumFn<'static> = &|_| 3;

fn pinned(cpu: u32) -> CpuMask {
    CpuMask::single(cpu).expect("cpu < 64")
}

/// A config with one number that must not be zero.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
struct TestConfig {
    quantum: u64,
    interval: u64,
}

impl Default for TestConfig {
    fn default() -> Self {
        TestConfig {
            quantum: 3,
            interval: 0,
        }
    }
}

impl PolicyConfig for TestConfig {
    const KEYS: &'static [&'static str] = &["quantum", "interval"];

    fn set_key(&mut self, key: &str, value: &str) -> Result<(), ConfigError> {
        match key {
            "quantum" => self.quantum = parse_u64(key, value)?,
            "interval" => self.interval = parse_u64(key, value)?,
            _ => return Err(unknown_key(key, Self::KEYS)),
        }
        Ok(())
    }

    fn get(&self, key: &str) -> Option<String> {
        match key {
            "quantum" => Some(self.quantum.to_string()),
            "interval" => Some(self.interval.to_string()),
            _ => None,
        }
    }

    fn validate(&self) -> Result<(), ConfigError> {
        nonzero("quantum", self.quantum)
    }
}

/// A FIFO with one fixed quantum.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
struct Fifo {
    config: TestConfig,
}

impl Policy for Fifo {
    type Data = ();
    type Config = TestConfig;
    const NAME: &'static str = "fifo";
    const STATE_VERSION: u32 = 7;

    fn new(config: TestConfig, _cpus: u32) -> Self {
        Fifo { config }
    }

    fn config(&self) -> &TestConfig {
        &self.config
    }

    fn set_config(&mut self, config: TestConfig) {
        self.config = config;
    }

    fn load_balance_interval(&self) -> u64 {
        self.config.interval
    }

    fn quantum_ms(&self, _priority: u8) -> u64 {
        self.config.quantum
    }

    fn join(&self, _cpu: u32) {}
}

type FifoScheduler = PolicyScheduler<Fifo>;

/// Data whose key is a number the test chooses: lower runs first.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
struct Rank(u64);

impl ThreadData for Rank {
    type Key = u64;

    fn key(&self) -> u64 {
        self.0
    }
}
