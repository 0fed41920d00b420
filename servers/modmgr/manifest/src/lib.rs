//! helix-manifest: the boot manifest — which modules the module manager
//! starts, with which caps, arguments, resources and restart policy.
//!
//! Design rules:
//! - One parser for the manager (in the guest) and the host tools (the
//!   runner stages [`Manifest::binaries`], `helix-mod deps` orders the
//!   modules): `no_std` + `alloc`, no dependencies, no kernel or protocol
//!   types.
//! - Nothing is guessed: every line that is not blank, a comment, a header
//!   or a known setting is an error naming its line; a duplicate names both
//!   lines; [`Manifest::parse_all`] reports every error, not just the first.
//! - The model holds checked values only; [`Manifest::render`] writes its
//!   canonical text and parsing that text gives the same model back.
//! - Version constraints are kept verbatim: the resolver reads them with
//!   `semver`. This crate only refuses an empty one.
//! - `docs/formats.md` ("Boot manifest") is the reference of the syntax.
#![cfg_attr(not(test), no_std)]
#![forbid(unsafe_code)]

extern crate alloc;

mod apply;
mod cap;
mod error;
mod key;
mod limits;
mod model;
mod parse;
mod policy;
mod render;
mod value;
mod word_enum;

pub use cap::{CapClass, CapEntry, CapKind};
pub use error::{ErrorKind, ManifestError, NameOf};
pub use key::{Key, SectionKind};
pub use limits::{
    IRQ_LINES, MAX_ARGS_LEN, MAX_BINARY_LEN, MAX_CAPS, MAX_CPUS, MAX_NAME_LEN, PAGE_SIZE,
    RESERVED_CAP_NAMES,
};
pub use model::{
    DEFAULT_MEMORY, DEFAULT_PRIORITY, Manifest, ModuleEntry, Requirement, SystemSettings,
};
pub use policy::{CpuSet, Expect, RestartBudget, RestartPolicy, Size, StartMode};

#[cfg(test)]
mod tests;
