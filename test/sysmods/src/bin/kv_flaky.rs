//! kvstore 1.0.4 that starts once per process: a rollback to it fails, and the manager restarts it
#![cfg_attr(target_os = "none", no_std, no_main)]
#![forbid(unsafe_code)]

use helix_protocol::runtime::prelude::*;

helix_kvstore::kvstore_module!(
    KvStore(helix_sysmods::StartsOnce),
    version: "1.0.4",
    description: "kvstore 1.0.4 that starts once per process: a rollback to it fails, and the manager restarts it"
);

server_main!("kvstore", helix_module_entry);
