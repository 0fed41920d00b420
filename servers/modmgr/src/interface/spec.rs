//! Provided-interface texts from module metadata: `"kv@1.0"`,
//! `"kv@1.0.2"`, or a bare `"kv"`.
#![forbid(unsafe_code)]

use alloc::string::{String, ToString};
use core::fmt;
use semver::Version;

use crate::version::parse_version;

/// An interface a module says it provides.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InterfaceSpec {
    /// The name clients look up.
    pub name: String,
    /// Its version.
    pub version: Version,
}

/// Why a provided-interface text is malformed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SpecError {
    /// The name part is empty or contains whitespace.
    BadName(String),
    /// The version after `@` is not a version.
    BadVersion {
        /// The whole text.
        spec: String,
        /// `semver`'s explanation.
        reason: String,
    },
}

impl fmt::Display for SpecError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SpecError::BadName(spec) => write!(f, "`{spec}` does not start with an interface name"),
            SpecError::BadVersion { spec, reason } => {
                write!(f, "`{spec}` has a bad interface version: {reason}")
            }
        }
    }
}

impl core::error::Error for SpecError {}

impl InterfaceSpec {
    /// Parse `name@version` (`"kv@1.0"` is version 1.0.0: missing parts are
    /// padded) or a bare `name`, whose version is `0.0.0`. A bare interface
    /// therefore satisfies `*` but no constraint that asks for a release
    /// (`^1`, `>=0.1`): a provider that wants versioned lookups says
    /// `name@version`.
    pub fn parse(spec: &str) -> Result<InterfaceSpec, SpecError> {
        let spec = spec.trim();
        let (name, version) = match spec.split_once('@') {
            Some((name, version)) => (name, Some(version)),
            None => (spec, None),
        };
        if name.is_empty() || name.contains(char::is_whitespace) {
            return Err(SpecError::BadName(spec.to_string()));
        }
        let version = match version {
            None => Version::new(0, 0, 0),
            Some(text) => parse_version(text).map_err(|e| SpecError::BadVersion {
                spec: spec.to_string(),
                reason: e.to_string(),
            })?,
        };
        Ok(InterfaceSpec {
            name: name.to_string(),
            version,
        })
    }
}
