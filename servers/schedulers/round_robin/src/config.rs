//! [`RoundRobinConfig`]: the spec's five settings, their defaults, checks
//! and `key=value` words, and the priority scaling table.
#![forbid(unsafe_code)]

use alloc::string::{String, ToString};

use helix_sched_policy::{
    ConfigError, PolicyConfig, at_most, nonzero, parse_bool, parse_u64, unknown_key,
};
use serde::{Deserialize, Serialize};

/// Longest time slice a configuration may give (10 s), so that every
/// quantum in nanoseconds fits a `u64` many times over.
pub const TIME_SLICE_LIMIT_MS: u64 = 10_000;

/// The round-robin scheduler's configuration (the spec's fields).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct RoundRobinConfig {
    /// Time slice of a priority 31..=60 thread, and of every thread when
    /// scaling is off. Default 10 ms.
    pub base_time_slice_ms: u64,
    /// Scale the slice by priority (table in [`scale_halves`]). Default on.
    pub priority_scaling: bool,
    /// Ticks between load-balance steps; 0 never balances. Default 100.
    pub load_balance_interval: u64,
    /// Shortest slice: every slice is raised to it. Default 1 ms.
    pub min_time_slice_ms: u64,
    /// Longest slice: every slice is lowered to it. Default 100 ms.
    pub max_time_slice_ms: u64,
}

impl Default for RoundRobinConfig {
    fn default() -> Self {
        RoundRobinConfig {
            base_time_slice_ms: 10,
            priority_scaling: true,
            load_balance_interval: 100,
            min_time_slice_ms: 1,
            max_time_slice_ms: 100,
        }
    }
}

/// The spec's scaling factor of a priority, in halves of the base slice:
/// 0..=30 -> 1 (0.5x), 31..=60 -> 2 (1.0x), 61..=90 -> 3 (1.5x), 91.. -> 4
/// (2.0x).
pub const fn scale_halves(priority: u8) -> u64 {
    match priority {
        0..=30 => 1,
        31..=60 => 2,
        61..=90 => 3,
        _ => 4,
    }
}

impl RoundRobinConfig {
    /// The time slice of a thread of `priority`: the base, scaled by
    /// [`scale_halves`] when scaling is on (rounded down), then clamped to
    /// `[min_time_slice_ms, max_time_slice_ms]`.
    pub fn time_slice_ms(&self, priority: u8) -> u64 {
        let slice = if self.priority_scaling {
            self.base_time_slice_ms
                .saturating_mul(scale_halves(priority))
                / 2
        } else {
            self.base_time_slice_ms
        };
        // max/min rather than clamp: no panic even on an unchecked config.
        slice
            .max(self.min_time_slice_ms)
            .min(self.max_time_slice_ms)
    }
}

const KEYS: &[&str] = &[
    "base_time_slice_ms",
    "priority_scaling",
    "load_balance_interval",
    "min_time_slice_ms",
    "max_time_slice_ms",
];

impl PolicyConfig for RoundRobinConfig {
    const KEYS: &'static [&'static str] = KEYS;

    fn set_key(&mut self, key: &str, value: &str) -> Result<(), ConfigError> {
        match key {
            "base_time_slice_ms" => self.base_time_slice_ms = parse_u64(key, value)?,
            "priority_scaling" => self.priority_scaling = parse_bool(key, value)?,
            "load_balance_interval" => self.load_balance_interval = parse_u64(key, value)?,
            "min_time_slice_ms" => self.min_time_slice_ms = parse_u64(key, value)?,
            "max_time_slice_ms" => self.max_time_slice_ms = parse_u64(key, value)?,
            _ => return Err(unknown_key(key, KEYS)),
        }
        Ok(())
    }

    fn get(&self, key: &str) -> Option<String> {
        Some(match key {
            "base_time_slice_ms" => self.base_time_slice_ms.to_string(),
            "priority_scaling" => self.priority_scaling.to_string(),
            "load_balance_interval" => self.load_balance_interval.to_string(),
            "min_time_slice_ms" => self.min_time_slice_ms.to_string(),
            "max_time_slice_ms" => self.max_time_slice_ms.to_string(),
            _ => return None,
        })
    }

    /// Base, min and max at least 1 and at most [`TIME_SLICE_LIMIT_MS`];
    /// min not above max.
    fn validate(&self) -> Result<(), ConfigError> {
        nonzero("base_time_slice_ms", self.base_time_slice_ms)?;
        nonzero("min_time_slice_ms", self.min_time_slice_ms)?;
        at_most(
            "base_time_slice_ms",
            self.base_time_slice_ms,
            TIME_SLICE_LIMIT_MS,
        )?;
        at_most(
            "max_time_slice_ms",
            self.max_time_slice_ms,
            TIME_SLICE_LIMIT_MS,
        )?;
        if self.min_time_slice_ms > self.max_time_slice_ms {
            return Err(ConfigError::Order {
                low: "min_time_slice_ms",
                low_value: self.min_time_slice_ms,
                high: "max_time_slice_ms",
                high_value: self.max_time_slice_ms,
            });
        }
        Ok(())
    }
}
