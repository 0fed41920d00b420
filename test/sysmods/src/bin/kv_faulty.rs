//! kvstore 1.0.5 that crashes on a put of the value crash!: the manager restarts it from a checkpoint
#![cfg_attr(target_os = "none", no_std, no_main)]
#![forbid(unsafe_code)]

use helix_protocol::runtime::prelude::*;

helix_kvstore::kvstore_module!(
    KvStore(helix_sysmods::CrashesOnPut),
    version: "1.0.5",
    description: "kvstore 1.0.5 that crashes on a put of the value crash!: the manager restarts it from a checkpoint"
);

server_main!("kvstore", helix_module_entry);
