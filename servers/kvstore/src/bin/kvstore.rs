//! kvstore 1.0.0: the key-value store behind the `kv` interface, saving
//! its state in format 1 (values only).
#![cfg_attr(target_os = "none", no_std, no_main)]
#![forbid(unsafe_code)]

use helix_kvstore::Values;
use helix_protocol::runtime::prelude::*;

helix_kvstore::kvstore_module!(KvStore(Values), version: "1.0.0", description: "Key-value store");

server_main!("kvstore", helix_module_entry);
