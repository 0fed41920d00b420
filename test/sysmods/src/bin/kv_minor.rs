//! kvstore 1.1.0: a minor bump, refused by a reload because kvholder requires ~1.0
#![cfg_attr(target_os = "none", no_std, no_main)]
#![forbid(unsafe_code)]

use helix_protocol::runtime::prelude::*;

helix_kvstore::kvstore_module!(
    KvStore(helix_kvstore::Values),
    version: "1.1.0",
    description: "kvstore 1.1.0: a minor bump, refused by a reload because kvholder requires ~1.0"
);

server_main!("kvstore", helix_module_entry);
