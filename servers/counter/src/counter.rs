//! The `counter` interface v1.0: add, get, reset.

use serde::{Deserialize, Serialize};

/// Why a `counter` call failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum CounterError {
    /// The total plus the argument does not fit in a `u64`; the total is
    /// unchanged.
    Overflow,
}

impl core::fmt::Display for CounterError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            CounterError::Overflow => f.write_str("the total would overflow a u64"),
        }
    }
}

helix_protocol::define_interface! {
    /// A running total (`"counter"` v1.0).
    interface Counter {
        name: "counter",
        version: (1, 0),
        error: CounterError,
        request: CounterRequest,
        response: CounterResponse,
        handler: CounterHandler,
        client: CounterClient,
        methods {
            /// Add `n` to the total; the new total.
            fn add(n: u64) -> u64 => Add;
            /// The total.
            fn get() -> u64 => Get;
            /// Set the total back to zero.
            fn reset() -> () => Reset;
        }
    }
}
