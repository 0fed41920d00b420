//! helix-kvstore: the `kv` interface (shared with clients), the store
//! behind it with its two state formats, and the server body every
//! kvstore binary is built from (`src/bin/`: 1.0.0 and 1.0.1).
//!
//! Design rules:
//! - The interface is declared once with `define_interface!`; server and
//!   clients use the generated handler trait and typed client.
//! - The store is pure logic, tested on the host; a binary only picks a
//!   version, a state format and (test builds) a way to fail.
//! - No `unsafe` anywhere: the runtime in `helix-protocol` owns the entry,
//!   heap and panic handler.
#![cfg_attr(not(test), no_std)]
#![forbid(unsafe_code)]

extern crate alloc;

#[expect(
    clippy::len_without_is_empty,
    reason = "KvClient::len is a remote call; an is_empty twin would add a method to the interface for nothing"
)]
mod kv;
mod server;
mod store;

pub use kv::{Kv, KvClient, KvError, KvHandler, KvRequest, KvResponse};
pub use server::{Counted, KvServer, Values, Variant};
pub use store::{Format, Store};

/// What [`kvstore_module!`] expands to needs; not an API.
#[doc(hidden)]
pub mod __private {
    pub use helix_protocol::runtime::prelude::log;
    pub use helix_protocol::server::serve_message;
    pub use helix_protocol::{
        ModuleContext, ModuleError, ModuleFlags, ModuleMessage, ModuleState, helix_module,
    };
}

#[cfg(test)]
mod tests;
