//! [`ModuleContext`]: what a module is given at `init`.
#![forbid(unsafe_code)]

use alloc::string::String;
use alloc::vec::Vec;
use helix_abi::CapType;

use crate::abi::AbiVersion;

/// A capability the module manager granted to a module, under the name the
/// boot manifest gives it (`"log"`, `"blk0"`, ...).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NamedCap {
    /// Manifest name.
    pub name: String,
    /// Slot in the module's CSpace.
    pub slot: u32,
    /// Kind of object the cap names.
    pub cap_type: CapType,
}

/// What a module receives at `init`: its identity, its arguments and the
/// capabilities it was granted. (In-kernel module systems pass kernel
/// services here; a Helix server gets nothing ambient, only named caps.)
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ModuleContext {
    /// The id the module manager registered the module under.
    pub module_id: u64,
    /// Arguments from the boot manifest, as one line of words.
    pub args: String,
    /// Granted capabilities.
    pub caps: Vec<NamedCap>,
    /// ABI the module manager speaks.
    pub abi_version: AbiVersion,
    /// Start quiesced: the module is initialized but waits for its state
    /// (hot reload, restart) before it serves.
    pub quiesced: bool,
}

impl ModuleContext {
    /// A context with no arguments and no caps.
    pub fn new(module_id: u64) -> ModuleContext {
        ModuleContext {
            module_id,
            args: String::new(),
            caps: Vec::new(),
            abi_version: AbiVersion::CURRENT,
            quiesced: false,
        }
    }

    /// The same context with `args`.
    pub fn with_args(mut self, args: &str) -> ModuleContext {
        self.args = String::from(args);
        self
    }

    /// The same context with one more named cap.
    pub fn with_cap(mut self, name: &str, slot: u32, cap_type: CapType) -> ModuleContext {
        self.caps.push(NamedCap {
            name: String::from(name),
            slot,
            cap_type,
        });
        self
    }

    /// The cap granted under `name`.
    pub fn cap(&self, name: &str) -> Option<&NamedCap> {
        self.caps.iter().find(|c| c.name == name)
    }

    /// The value of argument `key=value`, or `""` for a bare `key`.
    pub fn arg(&self, key: &str) -> Option<&str> {
        self.args
            .split_whitespace()
            .find_map(|word| match word.split_once('=') {
                Some((k, v)) if k == key => Some(v),
                None if word == key => Some(""),
                _ => None,
            })
    }
}
