//! [`InterfaceRegistry`]: the name service. An interface name leads to the
//! endpoint of the one server that provides it ([`ServiceInterface`]), or,
//! through the spec's `register`, to an in-process handler.
#![forbid(unsafe_code)]

use alloc::boxed::Box;
use alloc::collections::BTreeMap;
use alloc::string::{String, ToString};
use alloc::vec::Vec;
use core::fmt;
use helix_protocol::ModuleInterface;
use semver::{Version, VersionReq};

use crate::registry::ModuleId;

mod service;
mod spec;
#[cfg(test)]
mod tests;

pub use service::ServiceInterface;
pub use spec::{InterfaceSpec, SpecError};

/// Why the name service refused a change.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum InterfaceError {
    /// One provider per name: this one is taken.
    AlreadyProvided {
        /// The interface name.
        name: String,
        /// Its provider (`None`: an in-process handler).
        by: Option<ModuleId>,
    },
    /// Nothing is registered under the name.
    NotRegistered(String),
    /// The name given differs from the interface's own `interface_name`.
    NameMismatch {
        /// The name given.
        name: String,
        /// The name the interface reports.
        interface_name: &'static str,
    },
    /// The entry is an in-process handler, not a server's endpoint.
    InProcess(String),
    /// A provided-interface text is malformed.
    Spec(SpecError),
}

impl fmt::Display for InterfaceError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            InterfaceError::AlreadyProvided { name, by: Some(by) } => {
                write!(f, "interface {name} is already provided by {by}")
            }
            InterfaceError::AlreadyProvided { name, by: None } => {
                write!(f, "interface {name} is already provided in process")
            }
            InterfaceError::NotRegistered(name) => write!(f, "no interface {name}"),
            InterfaceError::NameMismatch {
                name,
                interface_name,
            } => write!(
                f,
                "interface {interface_name} cannot be registered as {name}"
            ),
            InterfaceError::InProcess(name) => {
                write!(
                    f,
                    "interface {name} is served in process and has no endpoint"
                )
            }
            InterfaceError::Spec(e) => write!(f, "{e}"),
        }
    }
}

impl core::error::Error for InterfaceError {}

impl From<SpecError> for InterfaceError {
    fn from(e: SpecError) -> InterfaceError {
        InterfaceError::Spec(e)
    }
}

/// Why a lookup found no suitable provider.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum LookupError {
    /// Nobody provides the interface.
    NotProvided(String),
    /// It is provided at a version the constraint rejects.
    VersionMismatch {
        /// The interface name.
        name: String,
        /// The constraint asked for.
        wanted: String,
        /// The version provided.
        found: Version,
    },
    /// The constraint is not a version requirement.
    BadConstraint {
        /// The constraint asked for.
        constraint: String,
        /// `semver`'s explanation.
        reason: String,
    },
    /// The interface is an in-process handler without an endpoint.
    InProcess(String),
}

impl fmt::Display for LookupError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LookupError::NotProvided(name) => write!(f, "nobody provides interface {name}"),
            LookupError::VersionMismatch {
                name,
                wanted,
                found,
            } => write!(f, "interface {name} {wanted} wanted, {found} provided"),
            LookupError::BadConstraint { constraint, reason } => {
                write!(f, "`{constraint}` is not a version constraint: {reason}")
            }
            LookupError::InProcess(name) => {
                write!(
                    f,
                    "interface {name} is served in process and has no endpoint"
                )
            }
        }
    }
}

impl core::error::Error for LookupError {}

/// Results of name-service changes.
pub type Result<T, E = InterfaceError> = core::result::Result<T, E>;

enum Entry {
    Service(ServiceInterface),
    InProcess(Box<dyn ModuleInterface>),
}

impl Entry {
    fn interface(&self) -> &dyn ModuleInterface {
        match self {
            Entry::Service(s) => s,
            Entry::InProcess(i) => &**i,
        }
    }

    fn provider(&self) -> Option<ModuleId> {
        match self {
            Entry::Service(s) => Some(s.provider),
            Entry::InProcess(_) => None,
        }
    }
}

/// Interface name -> provider. One provider per name.
///
/// Servers are entered with [`register_service`](Self::register_service)
/// (or [`register_provided`](Self::register_provided) from a module's
/// metadata) and found with [`lookup`](Self::lookup), which checks the
/// version. The spec's [`register`](Self::register) takes any
/// `Box<dyn ModuleInterface>` as an in-process handler: `get`, `get_mut`
/// and `list` see it, `lookup` reports it as [`LookupError::InProcess`]
/// (it has no endpoint to hand out).
#[derive(Default)]
pub struct InterfaceRegistry {
    entries: BTreeMap<String, Entry>,
}

impl InterfaceRegistry {
    /// An empty name service.
    pub fn new() -> InterfaceRegistry {
        InterfaceRegistry::default()
    }

    /// Register an in-process handler under `name`, which must be its
    /// `interface_name`.
    pub fn register(&mut self, name: &str, interface: Box<dyn ModuleInterface>) -> Result<()> {
        let interface_name = interface.interface_name();
        if interface_name != name {
            return Err(InterfaceError::NameMismatch {
                name: name.to_string(),
                interface_name,
            });
        }
        self.insert(name, Entry::InProcess(interface))
    }

    /// Register a server's interface under its name.
    pub fn register_service(&mut self, service: ServiceInterface) -> Result<()> {
        self.insert(service.name, Entry::Service(service))
    }

    /// Register everything a module's metadata says it provides
    /// (`"kv@1.0"`, `"kv"`), served by `provider` on `endpoint`: all of it,
    /// or (on a malformed text or a name already provided) none of it.
    /// Gives back the names registered.
    pub fn register_provided<S: AsRef<str>>(
        &mut self,
        provides: &[S],
        provider: ModuleId,
        endpoint: u32,
    ) -> Result<Vec<String>> {
        let mut services: Vec<ServiceInterface> = Vec::with_capacity(provides.len());
        for spec in provides {
            let service = ServiceInterface::from_spec(spec.as_ref(), provider, endpoint)?;
            let taken = services.iter().any(|s| s.name == service.name);
            if let Some(entry) = self.entries.get(service.name) {
                return Err(already(service.name, entry.provider()));
            }
            if taken {
                return Err(already(service.name, Some(provider)));
            }
            services.push(service);
        }
        let names = services.iter().map(|s| s.name.to_string()).collect();
        for service in services {
            self.entries
                .insert(service.name.to_string(), Entry::Service(service));
        }
        Ok(names)
    }

    /// Remove the entry `name`.
    pub fn unregister(&mut self, name: &str) -> Result<()> {
        self.entries
            .remove(name)
            .map(drop)
            .ok_or_else(|| InterfaceError::NotRegistered(name.to_string()))
    }

    /// Remove everything `provider` provides; gives back the names.
    pub fn unregister_provider(&mut self, provider: ModuleId) -> Vec<String> {
        let names: Vec<String> = self
            .entries
            .iter()
            .filter(|(_, e)| e.provider() == Some(provider))
            .map(|(name, _)| name.clone())
            .collect();
        for name in &names {
            self.entries.remove(name);
        }
        names
    }

    /// The interface registered as `name`.
    pub fn get(&self, name: &str) -> Option<&dyn ModuleInterface> {
        self.entries.get(name).map(Entry::interface)
    }

    /// The interface registered as `name`, mutably (to send it messages).
    pub fn get_mut(&mut self, name: &str) -> Option<&mut (dyn ModuleInterface + 'static)> {
        self.entries.get_mut(name).map(|e| match e {
            Entry::Service(s) => s as &mut (dyn ModuleInterface + 'static),
            Entry::InProcess(i) => &mut **i,
        })
    }

    /// Every registered name, sorted.
    pub fn list(&self) -> Vec<&str> {
        self.entries.keys().map(String::as_str).collect()
    }

    /// The server entry `name`, whatever its version.
    pub fn service(&self, name: &str) -> Option<&ServiceInterface> {
        match self.entries.get(name)? {
            Entry::Service(s) => Some(s),
            Entry::InProcess(_) => None,
        }
    }

    /// The server entry `name`, mutably (e.g. to attach a transport).
    pub fn service_mut(&mut self, name: &str) -> Option<&mut ServiceInterface> {
        match self.entries.get_mut(name)? {
            Entry::Service(s) => Some(s),
            Entry::InProcess(_) => None,
        }
    }

    /// The names `provider` provides, sorted.
    pub fn provided_by(&self, provider: ModuleId) -> Vec<&str> {
        self.entries
            .iter()
            .filter(|(_, e)| e.provider() == Some(provider))
            .map(|(name, _)| name.as_str())
            .collect()
    }

    /// The provider of `name` if its version satisfies `constraint`
    /// (a `semver::VersionReq`: `"^1.0"`, `"*"`).
    pub fn lookup(&self, name: &str, constraint: &str) -> Result<&ServiceInterface, LookupError> {
        let wanted =
            VersionReq::parse(constraint.trim()).map_err(|e| LookupError::BadConstraint {
                constraint: constraint.to_string(),
                reason: e.to_string(),
            })?;
        let service = match self.entries.get(name) {
            None => return Err(LookupError::NotProvided(name.to_string())),
            Some(Entry::InProcess(_)) => return Err(LookupError::InProcess(name.to_string())),
            Some(Entry::Service(s)) => s,
        };
        if wanted.matches(&service.version) {
            Ok(service)
        } else {
            Err(LookupError::VersionMismatch {
                name: name.to_string(),
                wanted: constraint.to_string(),
                found: service.version.clone(),
            })
        }
    }

    /// Point `name` at a new provider and endpoint (a reload; the version
    /// stays, the forwarding transport is dropped).
    pub fn repoint(&mut self, name: &str, provider: ModuleId, endpoint: u32) -> Result<()> {
        match self.entries.get_mut(name) {
            None => Err(InterfaceError::NotRegistered(name.to_string())),
            Some(Entry::InProcess(_)) => Err(InterfaceError::InProcess(name.to_string())),
            Some(Entry::Service(s)) => {
                s.repoint(provider, endpoint);
                Ok(())
            }
        }
    }

    fn insert(&mut self, name: &str, entry: Entry) -> Result<()> {
        if name.is_empty() || name.contains(char::is_whitespace) {
            return Err(InterfaceError::Spec(SpecError::BadName(name.to_string())));
        }
        if let Some(existing) = self.entries.get(name) {
            return Err(already(name, existing.provider()));
        }
        self.entries.insert(name.to_string(), entry);
        Ok(())
    }
}

fn already(name: &str, by: Option<ModuleId>) -> InterfaceError {
    InterfaceError::AlreadyProvided {
        name: name.to_string(),
        by,
    }
}
