//! [`ServiceInterface`]: a name-service entry, the endpoint of the server
//! that provides an interface.
#![forbid(unsafe_code)]

use alloc::boxed::Box;
use core::fmt;
use helix_protocol::client::Transport;
use helix_protocol::{ModuleError, ModuleInterface, ModuleMessage};
use semver::Version;

use super::spec::{InterfaceSpec, SpecError};
use crate::forward::{Buffers, forward};
use crate::intern::intern;
use crate::registry::ModuleId;

/// An interface served by a module's server process: clients that look it
/// up get a send-only cap minted from `endpoint`.
///
/// As a [`ModuleInterface`], `handle_message` forwards the message over the
/// transport attached with [`with_transport`](Self::with_transport) (the
/// manager's own calls to a service) and answers `NotSupported` when none
/// is attached, which is the normal case: clients call the provider
/// directly, never through the manager.
pub struct ServiceInterface {
    /// The name clients look up (interned).
    pub name: &'static str,
    /// Its version.
    pub version: Version,
    /// The module whose server provides it.
    pub provider: ModuleId,
    /// Slot, in the manager's CSpace, of the original cap to the provider's
    /// service endpoint.
    pub endpoint: u32,
    transport: Option<Box<dyn Transport + Send + Sync>>,
    buffers: Buffers,
}

impl ServiceInterface {
    /// `name` at `version`, served by `provider` on `endpoint`.
    pub fn new(
        name: &str,
        version: Version,
        provider: ModuleId,
        endpoint: u32,
    ) -> ServiceInterface {
        ServiceInterface {
            name: intern(name),
            version,
            provider,
            endpoint,
            transport: None,
            buffers: Buffers::default(),
        }
    }

    /// The entry for a provided-interface text (`"kv@1.0"`, `"kv"`).
    pub fn from_spec(
        spec: &str,
        provider: ModuleId,
        endpoint: u32,
    ) -> Result<ServiceInterface, SpecError> {
        let InterfaceSpec { name, version } = InterfaceSpec::parse(spec)?;
        Ok(ServiceInterface::new(&name, version, provider, endpoint))
    }

    /// The same entry, forwarding `handle_message` over `transport`.
    pub fn with_transport(
        mut self,
        transport: impl Transport + Send + Sync + 'static,
    ) -> ServiceInterface {
        self.set_transport(transport);
        self
    }

    /// Forward `handle_message` over `transport` from now on.
    pub fn set_transport(&mut self, transport: impl Transport + Send + Sync + 'static) {
        self.transport = Some(Box::new(transport));
    }

    /// Whether messages are forwarded.
    pub fn has_transport(&self) -> bool {
        self.transport.is_some()
    }

    /// Point the entry at another provider (a reload); the forwarding
    /// transport, which reaches the old one, is dropped.
    pub fn repoint(&mut self, provider: ModuleId, endpoint: u32) {
        self.provider = provider;
        self.endpoint = endpoint;
        self.transport = None;
    }
}

impl ModuleInterface for ServiceInterface {
    fn interface_name(&self) -> &'static str {
        self.name
    }

    fn handle_message(&mut self, msg: ModuleMessage) -> Result<ModuleMessage, ModuleError> {
        match &mut self.transport {
            Some(transport) => forward(&mut **transport, &mut self.buffers, &msg),
            None => Err(ModuleError::NotSupported),
        }
    }
}

impl fmt::Debug for ServiceInterface {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ServiceInterface")
            .field("name", &self.name)
            .field("version", &self.version)
            .field("provider", &self.provider)
            .field("endpoint", &self.endpoint)
            .field("forwards", &self.transport.is_some())
            .finish()
    }
}
