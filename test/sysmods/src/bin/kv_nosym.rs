//! kvstore 1.0.2 without kv_delete: a reload refuses the removed symbol
#![cfg_attr(target_os = "none", no_std, no_main)]
#![forbid(unsafe_code)]

use helix_protocol::runtime::prelude::*;

helix_kvstore::kvstore_module!(
    KvStore(helix_kvstore::Values),
    version: "1.0.2",
    description: "kvstore 1.0.2 without kv_delete: a reload refuses the removed symbol",
    symbols: [
        ("kv_put", Function, "fn(String, Vec<u8>) -> Result<Option<Vec<u8>>, KvError>", false),
        ("kv_get", Function, "fn(String) -> Result<Vec<u8>, KvError>", false),
        ("kv_len", Function, "fn() -> Result<u64, KvError>", false),
    ]
);

server_main!("kvstore", helix_module_entry);
