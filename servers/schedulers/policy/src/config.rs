//! [`PolicyConfig`]: a policy's settings as `key=value` words, for the boot
//! manifest's `args` line and a run-time `sched set KEY VALUE`.
#![forbid(unsafe_code)]

use alloc::borrow::ToOwned;
use alloc::string::String;
use alloc::vec::Vec;

use crate::error::ConfigError;

/// A policy's configuration. Implementors give the keys, how to set one and
/// how to check the whole; parsing, duplicate detection and rendering are
/// shared. Every entry point validates the result, so a refused line or
/// setting leaves the old configuration untouched.
pub trait PolicyConfig: Clone + Default {
    /// Every key, in rendering order.
    const KEYS: &'static [&'static str];

    /// Set `key` from its text; checks the value alone, not the whole.
    fn set_key(&mut self, key: &str, value: &str) -> Result<(), ConfigError>;

    /// The value of `key` as text (what [`set_key`](Self::set_key) reads back).
    fn get(&self, key: &str) -> Option<String>;

    /// Check the configuration as a whole.
    fn validate(&self) -> Result<(), ConfigError>;

    /// The defaults changed by the words of `args` (`key=value`, separated
    /// by whitespace), validated.
    fn parse_args(args: &str) -> Result<Self, ConfigError> {
        Self::default().with_args(args)
    }

    /// This configuration changed by the words of `args`, validated. A key
    /// given twice is refused.
    fn with_args(&self, args: &str) -> Result<Self, ConfigError> {
        let mut next = self.clone();
        let mut seen: Vec<&str> = Vec::new();
        for word in args.split_whitespace() {
            let Some((key, value)) = word.split_once('=') else {
                return Err(ConfigError::MissingValue(word.to_owned()));
            };
            if seen.contains(&key) {
                return Err(ConfigError::DuplicateKey(key.to_owned()));
            }
            seen.push(key);
            next.set_key(key, value)?;
        }
        next.validate()?;
        Ok(next)
    }

    /// This configuration with `key` set to `value`, validated.
    fn with(&self, key: &str, value: &str) -> Result<Self, ConfigError> {
        let mut next = self.clone();
        next.set_key(key, value)?;
        next.validate()?;
        Ok(next)
    }

    /// Every setting as `key=value` words, in [`KEYS`](Self::KEYS) order;
    /// [`parse_args`](Self::parse_args) reads them back.
    fn words(&self) -> String {
        let mut out = String::new();
        for key in Self::KEYS {
            if let Some(value) = self.get(key) {
                if !out.is_empty() {
                    out.push(' ');
                }
                out.push_str(key);
                out.push('=');
                out.push_str(&value);
            }
        }
        out
    }
}

/// The error for a key outside `known`.
pub fn unknown_key(key: &str, known: &'static [&'static str]) -> ConfigError {
    ConfigError::UnknownKey {
        key: key.to_owned(),
        known,
    }
}

/// A decimal number.
pub fn parse_u64(key: &str, value: &str) -> Result<u64, ConfigError> {
    if value.is_empty() || !value.bytes().all(|b| b.is_ascii_digit()) {
        return Err(bad_value(key, value));
    }
    value.parse().map_err(|_| bad_value(key, value))
}

/// A switch: `true`/`on`/`1` or `false`/`off`/`0`.
pub fn parse_bool(key: &str, value: &str) -> Result<bool, ConfigError> {
    match value {
        "true" | "on" | "1" => Ok(true),
        "false" | "off" | "0" => Ok(false),
        _ => Err(bad_value(key, value)),
    }
}

/// `value` must be at least 1.
pub fn nonzero(key: &'static str, value: u64) -> Result<(), ConfigError> {
    if value == 0 {
        Err(ConfigError::Zero(key))
    } else {
        Ok(())
    }
}

/// `value` must not exceed `limit`.
pub fn at_most(key: &'static str, value: u64, limit: u64) -> Result<(), ConfigError> {
    if value > limit {
        Err(ConfigError::TooLarge { key, value, limit })
    } else {
        Ok(())
    }
}

fn bad_value(key: &str, value: &str) -> ConfigError {
    ConfigError::BadValue {
        key: key.to_owned(),
        value: value.to_owned(),
    }
}
