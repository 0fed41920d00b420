//! kvstore 2.0.0: a major bump, which a reload refuses (the ABI would break)
#![cfg_attr(target_os = "none", no_std, no_main)]
#![forbid(unsafe_code)]

use helix_protocol::runtime::prelude::*;

helix_kvstore::kvstore_module!(
    KvStore(helix_kvstore::Values),
    version: "2.0.0",
    description: "kvstore 2.0.0: a major bump, which a reload refuses (the ABI would break)"
);

server_main!("kvstore", helix_module_entry);
