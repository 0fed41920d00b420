//! Needs kvstore and keeps running (system tests: rmmod kvstore is refused;
//! it logs the manager's word that kvstore is being reloaded and serves again).
#![cfg_attr(target_os = "none", no_std, no_main)]
#![forbid(unsafe_code)]

use helix_protocol::MessageType;
use helix_protocol::runtime::prelude::*;
use helix_protocol::v2::{Event, EventResponse};
use helix_sysmods::{Echo, EchoServer};

#[derive(Default)]
struct Server(EchoServer);

helix_module! {
    name: "kvholder",
    version: "1.0.0",
    author: "Helix",
    description: "Needs kvstore and keeps running (system tests: rmmod kvstore is refused)",
    flags: ModuleFlags::HOT_RELOADABLE.union(ModuleFlags::USERSPACE),
    dependencies: [("kvstore", "~1.0")],
    provides: ["holder@1.0"],
    impl Module for Server {
        fn init(&mut self, _ctx: &ModuleContext) -> Result<(), ModuleError> { Ok(()) }
        fn start(&mut self) -> Result<(), ModuleError> { Ok(()) }
        fn stop(&mut self) -> Result<(), ModuleError> { Ok(()) }
        fn cleanup(&mut self) -> Result<(), ModuleError> { Ok(()) }
        fn is_healthy(&self) -> bool { true }
        fn get_state(&self) -> Option<ModuleState> { ModuleState::encode(1, &self.0.calls).ok() }
        fn restore_state(&mut self, state: ModuleState) -> Result<(), ModuleError> {
            self.0.calls = state.decode(1)?;
            Ok(())
        }
        fn handle_message(&mut self, msg: ModuleMessage) -> Result<ModuleMessage, ModuleError> {
            if msg.msg_type == MessageType::Event {
                return dependency_event(msg);
            }
            serve_message::<Echo, _>(&mut self.0, msg)
        }
    }
}

/// The manager tells a dependent when kvstore is being reloaded and when
/// it serves again: logged, and answered `Handled`.
fn dependency_event(msg: ModuleMessage) -> Result<ModuleMessage, ModuleError> {
    match msg.payload.into_value::<Event>()? {
        Event::DependencyChanged { name, available } => {
            let what = if available {
                "serves again"
            } else {
                "is being reloaded"
            };
            info!(target: "kvholder", "{name} {what}");
            ModuleMessage::encode(MessageType::Response, &EventResponse::Handled)
                .map_err(ModuleError::Encode)
        }
        _ => Err(ModuleError::NotSupported),
    }
}

server_main!("kvholder", helix_module_entry);
