//! helix-modmgr: the module manager's logic (registry, dependency graph and
//! resolver, name service), pure and tested on the host.
#![cfg_attr(not(test), no_std)]
#![forbid(unsafe_code)]

extern crate alloc;

pub mod registry;

pub use registry::{ModuleId, ModuleRegistry, RegistryError};
