//! kvstore 1.0.3 whose kv_get takes another argument: a reload refuses the changed signature
#![cfg_attr(target_os = "none", no_std, no_main)]
#![forbid(unsafe_code)]

use helix_protocol::runtime::prelude::*;

helix_kvstore::kvstore_module!(
    KvStore(helix_kvstore::Values),
    version: "1.0.3",
    description: "kvstore 1.0.3 whose kv_get takes another argument: a reload refuses the changed signature",
    symbols: [
        ("kv_put", Function, "fn(String, Vec<u8>) -> Result<Option<Vec<u8>>, KvError>", false),
        ("kv_get", Function, "fn(String, u64) -> Result<Vec<u8>, KvError>", false),
        ("kv_delete", Function, "fn(String) -> Result<Vec<u8>, KvError>", false),
        ("kv_len", Function, "fn() -> Result<u64, KvError>", false),
    ]
);

server_main!("kvstore", helix_module_entry);
