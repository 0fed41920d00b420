//! [`ServerProxy`]: a module that runs as its own server process, seen by
//! the registry as a `Box<dyn Module>`. Every method is a control message
//! (or, for `handle_message`, a client frame) over a transport the proxy
//! owns.
#![forbid(unsafe_code)]

use alloc::string::String;
use alloc::vec::Vec;
use helix_protocol::client::{ControlClient, ControlError, Transport};
use helix_protocol::metadata::ModuleRecord;
use helix_protocol::{
    Module, ModuleContext, ModuleDependency, ModuleError, ModuleMessage, ModuleMetadata,
    ModuleState,
};
use spin::Mutex;

use crate::forward::{Buffers, control_error, forward};
use crate::intern::intern;

#[cfg(test)]
mod tests;

/// The `ModuleMetadata` of a loaded binary's record, its strings interned
/// (each distinct string is leaked once, however often it is loaded).
pub fn metadata_from_record(record: &ModuleRecord) -> ModuleMetadata {
    ModuleMetadata {
        name: intern(&record.name),
        version: intern(&record.version),
        author: intern(&record.author),
        description: intern(&record.description),
        flags: record.flags,
        dependencies: record
            .dependencies
            .iter()
            .map(|d| ModuleDependency {
                name: intern(&d.name),
                version_constraint: intern(&d.version_constraint),
            })
            .collect(),
        abi_version: record.abi,
    }
}

struct Link<T> {
    transport: T,
    buffers: Buffers,
}

/// A server process as a [`Module`].
///
/// `T` reaches the server's control path: in the module manager an IPC
/// transport over a cap badged `MANAGER_BADGE`, on the host a
/// `SharedLoopback::control`. The mapping:
///
/// | `Module` | control message |
/// | --- | --- |
/// | `init`, `start` | `Ping` (the process initialises and starts itself; this checks it answers) |
/// | `stop` | `Quiesce` |
/// | `cleanup` | `Shutdown` |
/// | `is_healthy` | `Health`; `false` on any error |
/// | `get_state` | `GetState`; `None` on any error (use [`control`](Self::control) to see it) |
/// | `restore_state` | `RestoreState` |
/// | `handle_message` | the message as a client frame; see below |
///
/// `handle_message` sends requests and events and gives back the answer;
/// control messages are refused (`PermissionDenied`: whoever hands a
/// message to a module is a client), notifications too (`NotSupported`: a
/// call-only transport would wait for an answer that never comes). A
/// server's refusal with a reason comes back as an `Error` message whose
/// payload is the reason as `Text`.
///
/// Errors: the module's own error passes through; a quiesced or stopped
/// server is `InvalidState`; a server that is gone is `NotFound`; kernel
/// errors map to the nearest `ModuleError`.
///
/// The transport sits behind a `spin::Mutex` because `is_healthy` and
/// `get_state` take `&self`; calls through one proxy are one at a time.
pub struct ServerProxy<T: Transport + Send> {
    metadata: ModuleMetadata,
    provides: Vec<String>,
    link: Mutex<Link<T>>,
}

impl<T: Transport + Send> ServerProxy<T> {
    /// The proxy of the server loaded from the binary whose metadata record
    /// is `record`.
    pub fn new(record: &ModuleRecord, transport: T) -> ServerProxy<T> {
        ServerProxy {
            metadata: metadata_from_record(record),
            provides: record.provides.clone(),
            link: Mutex::new(Link {
                transport,
                buffers: Buffers::default(),
            }),
        }
    }

    /// The interfaces the record says the module provides (`"kv@1.0"`).
    pub fn provides(&self) -> &[String] {
        &self.provides
    }

    /// Run control calls on the server directly, with their full errors
    /// (e.g. `save_state` of a quiesced server, `resume` after a failed
    /// reload).
    pub fn control<R>(
        &self,
        calls: impl FnOnce(&mut ControlClient<&mut T>) -> Result<R, ControlError>,
    ) -> Result<R, ControlError> {
        let mut link = self.link.lock();
        calls(&mut ControlClient::new(&mut link.transport))
    }

    /// Give back the transport.
    pub fn into_transport(self) -> T {
        self.link.into_inner().transport
    }

    fn call<R>(
        &self,
        calls: impl FnOnce(&mut ControlClient<&mut T>) -> Result<R, ControlError>,
    ) -> Result<R, ModuleError> {
        self.control(calls).map_err(control_error)
    }
}

impl<T: Transport + Send> Module for ServerProxy<T> {
    fn metadata(&self) -> &ModuleMetadata {
        &self.metadata
    }

    fn init(&mut self, _ctx: &ModuleContext) -> Result<(), ModuleError> {
        // The context went to the process when it was spawned.
        self.call(|c| c.ping()).map(drop)
    }

    fn start(&mut self) -> Result<(), ModuleError> {
        self.call(|c| c.ping()).map(drop)
    }

    fn stop(&mut self) -> Result<(), ModuleError> {
        self.call(|c| c.quiesce())
    }

    fn cleanup(&mut self) -> Result<(), ModuleError> {
        self.call(|c| c.shutdown())
    }

    fn is_healthy(&self) -> bool {
        matches!(self.call(|c| c.health()), Ok(true))
    }

    fn get_state(&self) -> Option<ModuleState> {
        self.call(|c| c.get_state()).ok().flatten()
    }

    fn restore_state(&mut self, state: ModuleState) -> Result<(), ModuleError> {
        self.call(|c| c.restore_state(state))
    }

    fn handle_message(&mut self, msg: ModuleMessage) -> Result<ModuleMessage, ModuleError> {
        let link = self.link.get_mut();
        forward(&mut link.transport, &mut link.buffers, &msg)
    }
}
