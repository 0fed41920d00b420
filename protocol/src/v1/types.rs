//! v1 data types: [`ModuleMetadata`], [`ModuleDependency`], [`ModuleState`].
#![forbid(unsafe_code)]

use alloc::vec::Vec;
use serde::{Deserialize, Serialize, de::DeserializeOwned};

use crate::abi::AbiVersion;
use crate::error::ModuleError;
use crate::flags::ModuleFlags;
use crate::message::frame;

/// A module this one needs, with the versions it accepts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ModuleDependency {
    /// Name of the module depended on.
    pub name: &'static str,
    /// Accepted versions: `">=0.4.0"`, `"^1.0"`, `"=2.0.0"`, `"*"`.
    pub version_constraint: &'static str,
}

/// Static metadata about a module.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ModuleMetadata {
    /// Unique module name.
    pub name: &'static str,
    /// Module version (`"1.2.0"`).
    pub version: &'static str,
    /// Author.
    pub author: &'static str,
    /// One-line description.
    pub description: &'static str,
    /// Capability flags.
    pub flags: ModuleFlags,
    /// Modules this one needs.
    pub dependencies: Vec<ModuleDependency>,
    /// ABI the module was built against.
    pub abi_version: AbiVersion,
}

/// State carried from one instance of a module to the next across a hot
/// reload: opaque bytes plus the version of their format, chosen by the
/// module, so a new version can recognise (and convert or refuse) the old
/// layout.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ModuleState {
    /// Version of the format of `data`.
    pub version: u32,
    /// The serialized state (encoded as one byte string: the same bytes
    /// as a sequence of `u8` in postcard, copied at once).
    #[serde(with = "serde_bytes")]
    pub data: Vec<u8>,
}

crate::wire_message!(ModuleState, "helix/ModuleState", 1, 0);

impl ModuleState {
    /// State of format `version` holding `data`.
    pub fn new(version: u32, data: Vec<u8>) -> ModuleState {
        ModuleState { version, data }
    }

    /// Serialize `value` (postcard) as state of format `version`.
    pub fn encode<T: Serialize>(version: u32, value: &T) -> Result<ModuleState, ModuleError> {
        let mut data = Vec::new();
        frame::encode_payload(value, &mut data)?;
        Ok(ModuleState { version, data })
    }

    /// Deserialize state written by [`encode`](Self::encode); a different
    /// format version or bad bytes give [`ModuleError::StateCorrupt`].
    pub fn decode<T: DeserializeOwned>(&self, version: u32) -> Result<T, ModuleError> {
        if self.version != version {
            return Err(ModuleError::StateCorrupt);
        }
        match postcard::take_from_bytes::<T>(&self.data) {
            Ok((value, [])) => Ok(value),
            _ => Err(ModuleError::StateCorrupt),
        }
    }
}
