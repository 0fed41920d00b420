//! [`ModuleAdapter`]: a v2 module seen as a v1 [`Module`].
#![forbid(unsafe_code)]

use alloc::vec::Vec;

use super::{Context, Event, ModuleInfo, ModuleTrait, Request, Response};
use crate::abi::AbiVersion;
use crate::error::ModuleError;
use crate::message::{MessagePayload, MessageType, ModuleMessage, WireMessage};
use crate::v1::{Module, ModuleDependency, ModuleMetadata, ModuleState};

/// Wraps a v2 module to present the v1 [`Module`] interface, so v1 and v2
/// modules share one registry and one server core. Delegation:
///
/// | v1 `Module` | v2 `ModuleTrait` |
/// | --- | --- |
/// | `metadata` | built once from `info()` (ABI: [`AbiVersion::CURRENT`]) |
/// | `init`, `start`, `stop`, `is_healthy` | same names |
/// | `cleanup` | nothing to do (v2 releases resources in `stop`) |
/// | `get_state` | `save_state`, as [`ModuleState`] of version `info().version.major` |
/// | `restore_state` | `restore_state(&state.data)` |
/// | `handle_message` (`Event`) | `handle_event`, answered with the [`EventResponse`](super::EventResponse) |
/// | `handle_message` (`Request`, `Notification`) | `handle_request`; `Response::Err` becomes an `Error` message with the reason as text |
pub struct ModuleAdapter<T: ModuleTrait> {
    inner: T,
    metadata: ModuleMetadata,
}

/// `"helix-hal>=0.4.0"` -> (`"helix-hal"`, `">=0.4.0"`); no constraint -> `"*"`.
fn split_dependency(dep: &'static str) -> ModuleDependency {
    let dep = dep.trim();
    let at = dep
        .find(|c: char| "<>=^~*".contains(c) || c.is_whitespace())
        .unwrap_or(dep.len());
    let (name, constraint) = dep.split_at(at);
    let constraint = constraint.trim();
    ModuleDependency {
        name,
        version_constraint: if constraint.is_empty() {
            "*"
        } else {
            constraint
        },
    }
}

/// The v1 metadata of a v2 module.
pub(crate) fn metadata_of(info: &ModuleInfo) -> ModuleMetadata {
    ModuleMetadata {
        name: info.name,
        version: info.version_text,
        author: info.author,
        description: info.description,
        flags: info.flags,
        dependencies: info
            .dependencies
            .iter()
            .map(|d| split_dependency(d))
            .collect::<Vec<_>>(),
        abi_version: AbiVersion::CURRENT,
    }
}

impl<T: ModuleTrait> ModuleAdapter<T> {
    /// Wrap `inner`.
    pub fn new(inner: T) -> ModuleAdapter<T> {
        let metadata = metadata_of(&inner.info());
        ModuleAdapter { inner, metadata }
    }

    /// The wrapped module.
    pub fn inner(&self) -> &T {
        &self.inner
    }

    /// The wrapped module, mutably.
    pub fn inner_mut(&mut self) -> &mut T {
        &mut self.inner
    }

    /// Unwrap.
    pub fn into_inner(self) -> T {
        self.inner
    }
}

/// Answer in the representation the question came in: in process stays in
/// process, wire stays wire.
fn answer<V: WireMessage + Send>(
    in_process: bool,
    msg_type: MessageType,
    value: V,
) -> Result<ModuleMessage, ModuleError> {
    if in_process {
        Ok(ModuleMessage::typed(msg_type, value))
    } else {
        Ok(ModuleMessage::encode(msg_type, &value)?)
    }
}

impl<T: ModuleTrait> Module for ModuleAdapter<T> {
    fn metadata(&self) -> &ModuleMetadata {
        &self.metadata
    }

    fn init(&mut self, ctx: &Context) -> Result<(), ModuleError> {
        self.inner.init(ctx)
    }

    fn start(&mut self) -> Result<(), ModuleError> {
        self.inner.start()
    }

    fn stop(&mut self) -> Result<(), ModuleError> {
        self.inner.stop()
    }

    fn cleanup(&mut self) -> Result<(), ModuleError> {
        Ok(())
    }

    fn is_healthy(&self) -> bool {
        self.inner.is_healthy()
    }

    fn get_state(&self) -> Option<ModuleState> {
        let version = u32::from(self.inner.info().version.major);
        self.inner
            .save_state()
            .map(|data| ModuleState::new(version, data))
    }

    fn restore_state(&mut self, state: ModuleState) -> Result<(), ModuleError> {
        self.inner.restore_state(&state.data)
    }

    fn handle_message(&mut self, msg: ModuleMessage) -> Result<ModuleMessage, ModuleError> {
        let in_process = matches!(msg.payload, MessagePayload::Typed(_));
        match msg.msg_type {
            MessageType::Event => {
                let event: Event = msg.payload.into_value()?;
                answer(
                    in_process,
                    MessageType::Response,
                    self.inner.handle_event(&event),
                )
            }
            MessageType::Request | MessageType::Notification => {
                match self.inner.handle_request(&Request::new(msg.payload))? {
                    Response::Ok(payload) => Ok(ModuleMessage::new(MessageType::Response, payload)),
                    Response::Err(reason) => Ok(ModuleMessage::new(
                        MessageType::Error,
                        MessagePayload::Text(reason),
                    )),
                }
            }
            MessageType::Response | MessageType::Error | MessageType::Control => {
                Err(ModuleError::NotSupported)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dependency_strings_split_into_name_and_constraint() {
        let cases = [
            ("helix-hal>=0.4.0", "helix-hal", ">=0.4.0"),
            ("log ^1.0", "log", "^1.0"),
            ("core=2.0.0", "core", "=2.0.0"),
            ("bare", "bare", "*"),
        ];
        for (text, name, constraint) in cases {
            assert_eq!(
                split_dependency(text),
                ModuleDependency {
                    name,
                    version_constraint: constraint
                },
                "{text}"
            );
        }
    }
}
