//! A server that crashes (a page fault) in every init: the module manager
//! restarts it within its restart budget, then gives up and reports it
//! failed (system tests: a crash loop does not loop forever).
#![cfg_attr(target_os = "none", no_std, no_main)]
#![forbid(unsafe_code)]

use helix_protocol::runtime::prelude::*;
use helix_sysmods::EchoServer;

#[derive(Default)]
struct CrashLoop(EchoServer);

helix_module! {
    name: "crashloop",
    version: "1.0.0",
    author: "Helix",
    description: "A server that crashes in every init",
    flags: ModuleFlags::USERSPACE,
    dependencies: [],
    provides: ["crashloop@1.0"],
    impl Module for CrashLoop {
        fn init(&mut self, _ctx: &ModuleContext) -> Result<(), ModuleError> { helix_sys::fault::read_kernel_address() }
        fn start(&mut self) -> Result<(), ModuleError> { Ok(()) }
        fn stop(&mut self) -> Result<(), ModuleError> { Ok(()) }
        fn cleanup(&mut self) -> Result<(), ModuleError> { Ok(()) }
        fn is_healthy(&self) -> bool { true }
        fn handle_message(&mut self, msg: ModuleMessage) -> Result<ModuleMessage, ModuleError> {
            serve_message::<helix_sysmods::Echo, _>(&mut self.0, msg)
        }
    }
}

server_main!("crashloop", helix_module_entry);
