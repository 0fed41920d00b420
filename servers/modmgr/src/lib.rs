//! helix-modmgr: the module manager's logic (registry, dependency graph and
//! resolver, name service), pure and tested on the host.
#![cfg_attr(not(test), no_std)]
#![forbid(unsafe_code)]

extern crate alloc;

pub mod dependency;
pub mod registry;
pub mod version;

#[cfg(test)]
mod testing;

pub use dependency::{
    Candidate, CycleError, Dep, DependencyGraph, DependencyResolver, GraphError, ModuleRef,
    Refusal, Resolution,
};
pub use registry::{ModuleId, ModuleRegistry, RegistryError};
pub use version::parse_version;
