//! The kvstore server: a `BTreeMap` behind the `kv` interface, its state
//! carried across hot reloads.
#![cfg_attr(target_os = "none", no_std, no_main)]
#![forbid(unsafe_code)]

use helix_kvstore::{Kv, KvError, KvHandler};
use helix_protocol::runtime::prelude::*;

#[derive(Default)]
struct KvStore {
    map: BTreeMap<String, Vec<u8>>,
}

impl KvHandler for KvStore {
    fn put(&mut self, key: String, value: Vec<u8>) -> Result<Option<Vec<u8>>, KvError> {
        Ok(self.map.insert(key, value))
    }
    fn get(&mut self, key: String) -> Result<Vec<u8>, KvError> {
        self.map.get(&key).cloned().ok_or(KvError::NotFound)
    }
    fn delete(&mut self, key: String) -> Result<Vec<u8>, KvError> {
        self.map.remove(&key).ok_or(KvError::NotFound)
    }
    fn len(&mut self) -> Result<u64, KvError> {
        Ok(self.map.len() as u64)
    }
}

helix_module! {
    name: "kvstore",
    version: "1.0.0",
    author: "Helix",
    description: "Key-value store",
    flags: ModuleFlags::HOT_RELOADABLE.union(ModuleFlags::USERSPACE),
    dependencies: [],
    provides: ["kv@1.0"],
    impl Module for KvStore {
        fn init(&mut self, _ctx: &ModuleContext) -> Result<(), ModuleError> { Ok(()) }
        fn start(&mut self) -> Result<(), ModuleError> { Ok(()) }
        fn stop(&mut self) -> Result<(), ModuleError> { Ok(()) }
        fn cleanup(&mut self) -> Result<(), ModuleError> { Ok(()) }
        fn is_healthy(&self) -> bool { true }
        fn get_state(&self) -> Option<ModuleState> { ModuleState::encode(1, &self.map).ok() }
        fn restore_state(&mut self, state: ModuleState) -> Result<(), ModuleError> {
            self.map = state.decode(1)?;
            Ok(())
        }
        fn handle_message(&mut self, msg: ModuleMessage) -> Result<ModuleMessage, ModuleError> {
            serve_message::<Kv, _>(self, msg)
        }
    }
}

server_main!("kvstore", helix_module_entry);

#[cfg(test)]
mod tests;
