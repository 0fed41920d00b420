//! kvstore 1.0.6 whose init fails: a reload to it stops nothing
#![cfg_attr(target_os = "none", no_std, no_main)]
#![forbid(unsafe_code)]

use helix_protocol::runtime::prelude::*;

helix_kvstore::kvstore_module!(
    KvStore(helix_sysmods::FailsInit),
    version: "1.0.6",
    description: "kvstore 1.0.6 whose init fails: a reload to it stops nothing"
);

server_main!("kvstore", helix_module_entry);
