//! helix-kvstore: the `kv` interface (this library, shared with clients)
//! and the example server implementing it (`src/main.rs`).
//!
//! Design rules:
//! - The interface is declared once with `define_interface!`; server and
//!   clients use the generated handler trait and typed client.
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

pub use kv::{Kv, KvClient, KvError, KvHandler, KvRequest, KvResponse};
