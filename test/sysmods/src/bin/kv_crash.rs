//! kvstore 1.0.8 that crashes as it starts (right after its state is restored): a reload to it is rolled back
#![cfg_attr(target_os = "none", no_std, no_main)]
#![forbid(unsafe_code)]

use helix_protocol::runtime::prelude::*;

helix_kvstore::kvstore_module!(
    KvStore(helix_sysmods::CrashesOnStart),
    version: "1.0.8",
    description: "kvstore 1.0.8 that crashes as it starts (right after its state is restored): a reload to it is rolled back"
);

server_main!("kvstore", helix_module_entry);
