//! helix-modmgr: the module manager's logic — module registry, dependency
//! graph and version resolver, name service, the proxy that makes a
//! server process a `Module`, the spawn layout, the hot-reload engine and
//! the supervisor's restart rules — pure and tested on the host.
//!
//! Design rules:
//! - No syscalls here. Servers are reached through
//!   `helix_protocol::client::Transport`; the server binary passes IPC
//!   transports over manager-badged caps, tests pass loopbacks.
//! - Names and signatures are the spec's (`ModuleRegistry`,
//!   `DependencyGraph`, `InterfaceRegistry`, ...); each module's errors are
//!   a typed enum with `Display`, and `Result<T>` is a per-module alias.
//! - Input never panics: malformed versions, constraints, names and
//!   cycles are values ([`Refusal`], [`CycleError`], ...).
//! - Deterministic: orders and reports depend only on the input (ties by
//!   [`ModuleId`]), and graph walks are iterative, so no input depth can
//!   overflow a stack.
//! - Versions are `semver`'s; no hand-written version parser.
#![cfg_attr(not(test), no_std)]
#![forbid(unsafe_code)]

extern crate alloc;

pub mod boot;
pub mod dependency;
mod forward;
pub mod interface;
pub mod intern;
pub mod layout;
pub mod proxy;
pub mod registry;
pub mod reload;
pub mod supervisor;
pub mod version;

#[cfg(test)]
mod testing;

pub use dependency::{
    Candidate, CycleError, Dep, DependencyGraph, DependencyResolver, GraphError, ModuleRef,
    Refusal, Resolution,
};
pub use interface::{
    InterfaceError, InterfaceRegistry, InterfaceSpec, LookupError, ServiceInterface, SpecError,
};
pub use intern::intern;
pub use proxy::{ServerProxy, metadata_from_record};
pub use registry::{ModuleId, ModuleRegistry, RegistryError};
pub use reload::{
    HostCall, HostError, HotReloadEngine, LastReload, PhaseTime, Progress, ReloadError,
    ReloadFailure, ReloadHost, ReloadRefusal, ReloadResult, ReloadState,
};
pub use version::parse_version;
