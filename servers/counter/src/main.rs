//! The counter server: a running `u64` total behind the `counter`
//! interface, carried across hot reloads.
#![cfg_attr(target_os = "none", no_std, no_main)]
#![forbid(unsafe_code)]

use helix_counter::{Counter, CounterError, CounterHandler};
use helix_protocol::runtime::prelude::*;

/// Format version of the saved state (the total, postcard-encoded).
const STATE_VERSION: u32 = 1;

#[derive(Default)]
struct CounterServer {
    total: u64,
}

impl CounterHandler for CounterServer {
    fn add(&mut self, n: u64) -> Result<u64, CounterError> {
        self.total = self.total.checked_add(n).ok_or(CounterError::Overflow)?;
        Ok(self.total)
    }
    fn get(&mut self) -> Result<u64, CounterError> {
        Ok(self.total)
    }
    fn reset(&mut self) -> Result<(), CounterError> {
        self.total = 0;
        Ok(())
    }
}

helix_module! {
    name: "counter",
    version: "1.0.0",
    author: "Helix",
    description: "Running total",
    flags: ModuleFlags::HOT_RELOADABLE.union(ModuleFlags::USERSPACE),
    dependencies: [],
    provides: ["counter@1.0"],
    symbols: [
        ("add", Function, "fn(u64) -> u64", false),
        ("get", Function, "fn() -> u64", false),
        ("reset", Function, "fn()", false),
    ],
    impl Module for CounterServer {
        fn init(&mut self, _ctx: &ModuleContext) -> Result<(), ModuleError> { Ok(()) }
        fn start(&mut self) -> Result<(), ModuleError> { Ok(()) }
        fn stop(&mut self) -> Result<(), ModuleError> { Ok(()) }
        fn cleanup(&mut self) -> Result<(), ModuleError> { Ok(()) }
        fn is_healthy(&self) -> bool { true }
        fn get_state(&self) -> Option<ModuleState> {
            ModuleState::encode(STATE_VERSION, &self.total).ok()
        }
        fn restore_state(&mut self, state: ModuleState) -> Result<(), ModuleError> {
            self.total = state.decode(STATE_VERSION)?;
            Ok(())
        }
        fn handle_message(&mut self, msg: ModuleMessage) -> Result<ModuleMessage, ModuleError> {
            serve_message::<Counter, _>(self, msg)
        }
    }
}

server_main!("counter", helix_module_entry);

#[cfg(test)]
mod tests;
