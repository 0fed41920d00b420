//! Why a test case failed: a typed enum whose `Display` is the reason on
//! the protocol's FAIL line.

use core::fmt;

use helix_kernel_core::exception::{self, Mismatch};
use helix_kernel_core::frames::FrameError;
use helix_kernel_core::manifest::{self, ManifestError};
use helix_kernel_core::memmap::MemMapError;
use helix_kernel_core::rsdp::RsdpError;

use crate::arch::catch::CatchError;

/// A failed check.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Failure {
    /// A condition was false.
    Check {
        /// What was checked.
        what: &'static str,
        /// Source line.
        line: u32,
    },
    /// Two numbers differ.
    NotEqual {
        /// What was compared.
        what: &'static str,
        /// Left value.
        left: u64,
        /// Right value.
        right: u64,
        /// Source line.
        line: u32,
    },
    /// A provoked exception was not the expected one.
    Fault(Mismatch),
    /// The expected exception did not happen.
    NoFault {
        /// Vector expected.
        vector: u8,
    },
    /// Catch points were nested.
    NestedCatch,
    /// A bootloader answer the test needs is missing.
    Missing(&'static str),
    /// Frame allocator error.
    Frame(FrameError),
    /// Memory map error.
    MemMap(MemMapError),
    /// Manifest parse error.
    Manifest(ManifestError),
    /// A module differs from the manifest.
    Module {
        /// Module index.
        index: usize,
        /// How it differs.
        mismatch: manifest::Mismatch,
    },
    /// A module has no manifest line.
    NotInManifest {
        /// Module index.
        index: usize,
    },
    /// RSDP invalid.
    Rsdp(RsdpError),
    /// A kernel object call failed while setting up a user scenario.
    Sys(helix_abi::SysError),
    /// A process could not be made.
    Spawn(crate::user::SpawnError),
    /// The user scenario did not finish in time.
    UserTimeout {
        /// Reports that arrived.
        got: usize,
        /// Reports expected.
        want: usize,
    },
    /// A process that should have reported did not.
    NoReport(&'static str),
}

impl Failure {
    /// Turn a catch error into a failure for `vector`.
    pub fn from_catch(e: CatchError, vector: u8) -> Self {
        match e {
            CatchError::NoFault => Self::NoFault { vector },
            CatchError::Nested => Self::NestedCatch,
        }
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Check { what, line } => write!(f, "check failed: {what} (line {line})"),
            Self::NotEqual {
                what,
                left,
                right,
                line,
            } => write!(f, "{what}: {left:#x} != {right:#x} (line {line})"),
            Self::Fault(m) => write!(f, "{m}"),
            Self::NoFault { vector } => write!(
                f,
                "expected {} ({}) did not happen",
                exception::mnemonic(*vector),
                exception::name(*vector)
            ),
            Self::NestedCatch => write!(f, "catch points nested"),
            Self::Missing(r) => write!(f, "bootloader did not answer the {r} request"),
            Self::Frame(e) => write!(f, "frame allocator: {e}"),
            Self::MemMap(e) => write!(f, "memory map: {e}"),
            Self::Manifest(e) => write!(f, "manifest: {e}"),
            Self::Module { index, mismatch } => write!(f, "module {index}: {mismatch}"),
            Self::NotInManifest { index } => write!(f, "module {index} is not in the manifest"),
            Self::Rsdp(e) => write!(f, "RSDP: {e}"),
            Self::Sys(e) => write!(f, "kernel object: {e}"),
            Self::Spawn(e) => write!(f, "spawn: {e}"),
            Self::UserTimeout { got, want } => {
                write!(f, "user scenario timed out with {got} of {want} reports")
            }
            Self::NoReport(who) => write!(f, "{who} did not report"),
        }
    }
}

impl From<Mismatch> for Failure {
    fn from(m: Mismatch) -> Self {
        Self::Fault(m)
    }
}

impl From<FrameError> for Failure {
    fn from(e: FrameError) -> Self {
        Self::Frame(e)
    }
}

impl From<MemMapError> for Failure {
    fn from(e: MemMapError) -> Self {
        Self::MemMap(e)
    }
}

impl From<ManifestError> for Failure {
    fn from(e: ManifestError) -> Self {
        Self::Manifest(e)
    }
}

impl From<RsdpError> for Failure {
    fn from(e: RsdpError) -> Self {
        Self::Rsdp(e)
    }
}

impl From<helix_abi::SysError> for Failure {
    fn from(e: helix_abi::SysError) -> Self {
        Self::Sys(e)
    }
}

impl From<crate::user::SpawnError> for Failure {
    fn from(e: crate::user::SpawnError) -> Self {
        Self::Spawn(e)
    }
}
