//! The `kv` interface v1.0: put, get, delete, len.

use alloc::string::String;
use alloc::vec::Vec;
use serde::{Deserialize, Serialize};

/// Why a `kv` call failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum KvError {
    /// No value under the key.
    NotFound,
}

impl core::fmt::Display for KvError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("no such key")
    }
}

helix_protocol::define_interface! {
    /// A key-value store (`"kv"` v1.0).
    interface Kv {
        name: "kv",
        version: (1, 0),
        error: KvError,
        request: KvRequest,
        response: KvResponse,
        handler: KvHandler,
        client: KvClient,
        // A store that died holding one of these is asked again once it is
        // back: reading twice is the same as once. `put` and `delete` are
        // not (their answers say what they replaced).
        idempotent: [get, len],
        methods {
            /// Store `value` under `key`; the value it replaces, if any.
            fn put(key: String, value: Vec<u8>) -> Option<Vec<u8>> => Put;
            /// The value under `key`.
            fn get(key: String) -> Vec<u8> => Get;
            /// Remove `key`; the value it held.
            fn delete(key: String) -> Vec<u8> => Delete;
            /// Number of keys.
            fn len() -> u64 => Len;
        }
    }
}
