//! Test doubles shared by the crate's tests.

use alloc::boxed::Box;
use helix_protocol::server::{ServerCore, SharedLoopback};
use helix_protocol::{
    MessagePayload, MessageType, Module, ModuleContext, ModuleError, ModuleMessage, ModuleMetadata,
    ModuleState,
};

/// A module that is nothing but its metadata.
pub(crate) struct Fake(pub ModuleMetadata);

impl Module for Fake {
    fn metadata(&self) -> &ModuleMetadata {
        &self.0
    }
    fn init(&mut self, _: &ModuleContext) -> Result<(), ModuleError> {
        Ok(())
    }
    fn start(&mut self) -> Result<(), ModuleError> {
        Ok(())
    }
    fn stop(&mut self) -> Result<(), ModuleError> {
        Ok(())
    }
    fn cleanup(&mut self) -> Result<(), ModuleError> {
        Ok(())
    }
    fn is_healthy(&self) -> bool {
        true
    }
}

/// `meta` as a boxed module.
pub(crate) fn boxed(meta: ModuleMetadata) -> Box<dyn Module> {
    Box::new(Fake(meta))
}

/// A server-side module for loopback tests: counts the bytes of the
/// `Bytes` requests it gets and answers the running total as `Text`;
/// `Text("refuse")` is answered with a refusal, anything else is
/// `InvalidArgument`. Its state is the total.
#[derive(Default)]
pub(crate) struct Counter {
    pub total: u64,
    pub running: bool,
    pub cleaned: bool,
}

impl Module for Counter {
    fn metadata(&self) -> &ModuleMetadata {
        static META: spin::Once<ModuleMetadata> = spin::Once::new();
        META.call_once(|| ModuleMetadata {
            name: "counter",
            version: "1.0.0",
            author: "",
            description: "",
            flags: helix_protocol::ModuleFlags::HOT_RELOADABLE,
            dependencies: alloc::vec::Vec::new(),
            abi_version: helix_protocol::AbiVersion::CURRENT,
        })
    }
    fn init(&mut self, _: &ModuleContext) -> Result<(), ModuleError> {
        Ok(())
    }
    fn start(&mut self) -> Result<(), ModuleError> {
        self.running = true;
        Ok(())
    }
    fn stop(&mut self) -> Result<(), ModuleError> {
        self.running = false;
        Ok(())
    }
    fn cleanup(&mut self) -> Result<(), ModuleError> {
        self.cleaned = true;
        Ok(())
    }
    fn is_healthy(&self) -> bool {
        self.running
    }
    fn get_state(&self) -> Option<ModuleState> {
        ModuleState::encode(1, &self.total).ok()
    }
    fn restore_state(&mut self, state: ModuleState) -> Result<(), ModuleError> {
        self.total = state.decode(1)?;
        Ok(())
    }
    fn handle_message(&mut self, msg: ModuleMessage) -> Result<ModuleMessage, ModuleError> {
        match msg.payload {
            MessagePayload::Bytes(b) => {
                self.total += b.len() as u64;
                let total = alloc::format!("{}", self.total);
                Ok(ModuleMessage::new(
                    MessageType::Response,
                    MessagePayload::Text(total),
                ))
            }
            MessagePayload::Text(t) if t == "refuse" => Ok(ModuleMessage::new(
                MessageType::Error,
                MessagePayload::Text("no thanks".into()),
            )),
            _ => Err(ModuleError::InvalidArgument),
        }
    }
}

/// A started [`Counter`] behind a server core, shared for loopbacks.
pub(crate) fn counter_server() -> alloc::sync::Arc<spin::Mutex<ServerCore<Counter>>> {
    let counter = Counter {
        running: true,
        ..Counter::default()
    };
    SharedLoopback::share(ServerCore::new(counter))
}
