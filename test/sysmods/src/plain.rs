//! [`plain_module!`](crate::plain_module): the `plain` server, a module
//! without `HOT_RELOADABLE` (an echo service), in as many versions as a
//! test needs: a reload of it is refused whatever the new binary.

/// Declare the `plain` server at `version`.
#[macro_export]
macro_rules! plain_module {
    ($version:expr) => {
        /// The plain echo server.
        #[derive(Default)]
        struct Plain($crate::EchoServer);

        helix_protocol::helix_module! {
            name: "plain",
            version: $version,
            author: "Helix",
            description: "An echo server that is not HOT_RELOADABLE",
            flags: helix_protocol::ModuleFlags::USERSPACE,
            dependencies: [],
            provides: ["plain@1.0"],
            impl Module for Plain {
                fn init(&mut self, _ctx: &helix_protocol::ModuleContext) -> Result<(), helix_protocol::ModuleError> { Ok(()) }
                fn start(&mut self) -> Result<(), helix_protocol::ModuleError> { Ok(()) }
                fn stop(&mut self) -> Result<(), helix_protocol::ModuleError> { Ok(()) }
                fn cleanup(&mut self) -> Result<(), helix_protocol::ModuleError> { Ok(()) }
                fn is_healthy(&self) -> bool { true }
                fn handle_message(&mut self, msg: helix_protocol::ModuleMessage) -> Result<helix_protocol::ModuleMessage, helix_protocol::ModuleError> {
                    helix_protocol::server::serve_message::<$crate::Echo, _>(&mut self.0, msg)
                }
            }
        }

        helix_protocol::server_main!("plain", helix_module_entry);
    };
}
