//! kvstore 1.0.1: the same store, saving its state in format 2 (a write
//! counter per key); it migrates format 1 state up, and 1.0.0 reads its
//! state back down, so a reload goes both ways.
#![cfg_attr(target_os = "none", no_std, no_main)]
#![forbid(unsafe_code)]

use helix_kvstore::Counted;
use helix_protocol::runtime::prelude::*;

helix_kvstore::kvstore_module!(
    KvStore(Counted),
    version: "1.0.1",
    description: "Key-value store counting writes per key"
);

server_main!("kvstore", helix_module_entry);
