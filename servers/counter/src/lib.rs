//! helix-counter: the `counter` interface v1.0 (this library, shared with
//! clients) and the server keeping its running total (`src/main.rs`).
//!
//! Design rules:
//! - The interface is declared once with `define_interface!`; server and
//!   clients use the generated handler trait and typed client.
//! - The total never wraps: an `add` that would overflow is refused with
//!   [`CounterError::Overflow`] and leaves the total unchanged.
//! - No `unsafe` anywhere: the runtime in `helix-protocol` owns the entry,
//!   heap and panic handler.
#![cfg_attr(not(test), no_std)]
#![forbid(unsafe_code)]

extern crate alloc;

mod counter;

pub use counter::{
    Counter, CounterClient, CounterError, CounterHandler, CounterRequest, CounterResponse,
};
