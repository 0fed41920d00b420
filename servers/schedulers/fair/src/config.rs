//! [`FairConfig`]: the fixed quantum and the balance interval, their
//! defaults, checks and `key=value` words.
#![forbid(unsafe_code)]

use alloc::string::{String, ToString};

use helix_sched_policy::{ConfigError, PolicyConfig, at_most, nonzero, parse_u64, unknown_key};
use serde::{Deserialize, Serialize};

/// Longest quantum a configuration may give (10 s).
pub const QUANTUM_LIMIT_MS: u64 = 10_000;

/// The fair-share scheduler's configuration.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct FairConfig {
    /// Every thread's quantum: it runs this long before the thread with
    /// the least virtual runtime is chosen again. Default 10 ms.
    pub quantum_ms: u64,
    /// Ticks between load-balance steps; 0 never balances. Default 100.
    pub load_balance_interval: u64,
}

impl Default for FairConfig {
    fn default() -> Self {
        FairConfig {
            quantum_ms: 10,
            load_balance_interval: 100,
        }
    }
}

const KEYS: &[&str] = &["quantum_ms", "load_balance_interval"];

impl PolicyConfig for FairConfig {
    const KEYS: &'static [&'static str] = KEYS;

    fn set_key(&mut self, key: &str, value: &str) -> Result<(), ConfigError> {
        match key {
            "quantum_ms" => self.quantum_ms = parse_u64(key, value)?,
            "load_balance_interval" => self.load_balance_interval = parse_u64(key, value)?,
            _ => return Err(unknown_key(key, KEYS)),
        }
        Ok(())
    }

    fn get(&self, key: &str) -> Option<String> {
        match key {
            "quantum_ms" => Some(self.quantum_ms.to_string()),
            "load_balance_interval" => Some(self.load_balance_interval.to_string()),
            _ => None,
        }
    }

    /// The quantum is 1 to [`QUANTUM_LIMIT_MS`].
    fn validate(&self) -> Result<(), ConfigError> {
        nonzero("quantum_ms", self.quantum_ms)?;
        at_most("quantum_ms", self.quantum_ms, QUANTUM_LIMIT_MS)
    }
}
