//! Ways for a kvstore test build to fail, each a [`Variant`] of the real
//! store (state format 1, so kvstore 1.0.0 reads what they save): the
//! reload tests replace the running store with them and check that the
//! module manager refuses, rolls back or heals.

use helix_kvstore::{Format, Variant};
use helix_protocol::ModuleError;

/// `init` fails: the new version never starts.
#[derive(Debug, Default)]
pub struct FailsInit;

impl Variant for FailsInit {
    const FORMAT: Format = Format::Values;
    fn init(&mut self) -> Result<(), ModuleError> {
        Err(ModuleError::InitFailed)
    }
}

/// Restoring state fails (an error, the process lives on).
#[derive(Debug, Default)]
pub struct FailsRestore;

impl Variant for FailsRestore {
    const FORMAT: Format = Format::Values;
    fn restore(&mut self) -> Result<(), ModuleError> {
        Err(ModuleError::StateCorrupt)
    }
}

/// The process crashes (a page fault) as it starts serving: a new
/// version starts on `resume`, right after its state was restored.
#[derive(Debug, Default)]
pub struct CrashesOnStart;

impl Variant for CrashesOnStart {
    const FORMAT: Format = Format::Values;
    fn start(&mut self) -> Result<(), ModuleError> {
        helix_sys::fault::read_kernel_address()
    }
}

/// `start` works once per process: a resume after a quiesce (a rollback
/// to it) fails.
#[derive(Debug, Default)]
pub struct StartsOnce {
    started: bool,
}

impl Variant for StartsOnce {
    const FORMAT: Format = Format::Values;
    fn start(&mut self) -> Result<(), ModuleError> {
        if core::mem::replace(&mut self.started, true) {
            Err(ModuleError::InvalidState)
        } else {
            Ok(())
        }
    }
}

/// The value whose `put` crashes [`CrashesOnPut`].
pub const CRASH_VALUE: &[u8] = b"crash!";

/// A `put` of the value `crash!` crashes the process (a page fault while
/// serving a client).
#[derive(Debug, Default)]
pub struct CrashesOnPut;

impl Variant for CrashesOnPut {
    const FORMAT: Format = Format::Values;
    fn put(&mut self, _key: &str, value: &[u8]) {
        if value == CRASH_VALUE {
            helix_sys::fault::read_kernel_address()
        }
    }
}
