//! [`ModuleError`]: what a module operation can fail with.
#![forbid(unsafe_code)]

use core::fmt;
use serde::{Deserialize, Serialize};

use crate::message::{DecodeError, EncodeError};

/// Why a module operation failed. Small and `Copy`, and serializable so
/// the module manager receives it over IPC unchanged.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ModuleError {
    /// The module does not implement this operation.
    NotSupported,
    /// The operation needs `init` to have succeeded first.
    NotInitialized,
    /// The operation is not valid in the module's current lifecycle state.
    InvalidState,
    /// Initialisation failed.
    InitFailed,
    /// A required module or interface is not available.
    DependencyMissing,
    /// The module was built against an incompatible ABI.
    AbiIncompatible,
    /// An argument is out of range or malformed.
    InvalidArgument,
    /// The module ran out of memory.
    OutOfMemory,
    /// The named object does not exist.
    NotFound,
    /// The caller lacks the right to do this.
    PermissionDenied,
    /// The module is busy; try again.
    Busy,
    /// Saved state is corrupt or of a version this module cannot read.
    StateCorrupt,
    /// A message could not be decoded.
    Decode(DecodeError),
    /// A message could not be encoded.
    Encode(EncodeError),
    /// A module-specific failure code.
    Custom(u32),
}

impl fmt::Display for ModuleError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ModuleError::NotSupported => f.write_str("operation not supported"),
            ModuleError::NotInitialized => f.write_str("module not initialized"),
            ModuleError::InvalidState => f.write_str("invalid in the current module state"),
            ModuleError::InitFailed => f.write_str("initialization failed"),
            ModuleError::DependencyMissing => f.write_str("a dependency is missing"),
            ModuleError::AbiIncompatible => f.write_str("incompatible ABI"),
            ModuleError::InvalidArgument => f.write_str("invalid argument"),
            ModuleError::OutOfMemory => f.write_str("out of memory"),
            ModuleError::NotFound => f.write_str("not found"),
            ModuleError::PermissionDenied => f.write_str("permission denied"),
            ModuleError::Busy => f.write_str("busy"),
            ModuleError::StateCorrupt => f.write_str("saved state is corrupt"),
            ModuleError::Decode(e) => write!(f, "decode: {e}"),
            ModuleError::Encode(e) => write!(f, "encode: {e}"),
            ModuleError::Custom(code) => write!(f, "module error {code}"),
        }
    }
}

impl core::error::Error for ModuleError {}

impl From<DecodeError> for ModuleError {
    fn from(e: DecodeError) -> Self {
        ModuleError::Decode(e)
    }
}

impl From<EncodeError> for ModuleError {
    fn from(e: EncodeError) -> Self {
        ModuleError::Encode(e)
    }
}
