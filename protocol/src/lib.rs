//! helix-protocol: everything a Helix server author needs — the module API
//! (v1 and v2), ABI checks, typed messages, the standard interfaces, typed
//! clients and the pure server core.
//!
//! Design rules:
//! - One definition per interface: each standard interface is declared once
//!   (`define_interface!`), which yields its request/response enums, name,
//!   version, handler trait, typed client and dispatch.
//! - Pure and host-tested: the API never makes a syscall itself. IPC goes
//!   through the [`client::Transport`] and [`server::ServerChannel`] seams;
//!   [`runtime`] implements them over kernel IPC with `helix-sys` (whose one
//!   arch file holds the `syscall` instruction), and with the `rt` feature
//!   adds a process's entry glue, panic handler, heap and logger.
//! - Bytes from another address space are an allegation: every frame is
//!   checked (magic, version, length, type tag) before a typed value is built,
//!   and decoding into the wrong type is an error, never undefined behaviour.
//! - `no_std` + `alloc`; builds for the host and for `x86_64-unknown-none`.
//! - No unsafe code. The crate denies it and every module forbids it except
//!   `runtime::heap` (handing the static arena to the allocator); the
//!   other `unsafe` tokens the crate emits are the `#[unsafe(link_section)]`
//!   of the metadata record and the `#[unsafe(no_mangle)]` entry, expanded
//!   in the server crate by [`helix_module!`] and [`server_main!`].
#![cfg_attr(not(test), no_std)]
#![deny(unsafe_code)]

extern crate alloc;

pub mod abi;
pub mod client;
pub mod error;
pub mod flags;
pub mod interfaces;
pub mod message;
pub mod metadata;
pub mod runtime;
pub mod server;
pub mod v1;
pub mod v2;

pub use abi::{
    AbiChecker, AbiVersion, AbiViolation, Signature, SymbolEntry, SymbolKind, SymbolTable,
};
pub use error::ModuleError;
pub use flags::ModuleFlags;
pub use message::{
    DecodeError, EncodeError, MessagePayload, MessageType, ModuleInterface, ModuleMessage, TypeTag,
    WireMessage,
};
pub use v1::{Module, ModuleContext, ModuleDependency, ModuleMetadata, ModuleState};
pub use v2::{
    Context, Event, EventResponse, MemoryPressureLevel, ModuleAdapter, ModuleInfo, ModuleTrait,
    ModuleVersion, Request, Response,
};

/// Everything the in-crate tests use, in one import.
#[cfg(test)]
mod prelude_for_tests {
    pub use crate::abi::AbiVersion;
    pub use crate::error::ModuleError;
    pub use crate::flags::ModuleFlags;
    pub use crate::message::{
        DecodeError, MessagePayload, MessageType, ModuleMessage, WireMessage,
    };
    pub use crate::v1::{
        DeclaredModule, Module, ModuleContext, ModuleDependency, ModuleMetadata, ModuleState,
    };
}

/// Re-exports used by the macros; not part of the API.
#[doc(hidden)]
pub mod __private {
    pub use serde;
    pub use spin::Once;
}
