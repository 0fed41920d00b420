//! [`ModuleLoader`]: what every binary-format loader provides.
#![forbid(unsafe_code)]

use crate::error::{LoadError, Result};
use crate::format::ModuleFormat;
use crate::module::LoadedModule;

/// A loader for one binary format. Loading only checks and describes the
/// image; it never runs any of it and never panics on any input.
pub trait ModuleLoader: Send + Sync {
    /// The format this loader reads.
    fn format(&self) -> ModuleFormat;

    /// Whether this loader takes `data`: a cheap look at its identification
    /// bytes, not a full check (that is [`load`](Self::load)'s job).
    fn can_load(&self, data: &[u8]) -> bool;

    /// Check `data` and describe the module in it.
    fn load(&self, data: &[u8]) -> Result<LoadedModule, LoadError>;

    /// Release what [`load`](Self::load) set up for `module`.
    fn unload(&self, module: &LoadedModule) -> Result<()>;
}
