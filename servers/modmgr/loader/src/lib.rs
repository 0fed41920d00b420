//! helix-module-loader: module binary formats, the loader registry that
//! picks a loader by the input's magic bytes, the ELF64 loader and the
//! HelixNative loader with its signature trust policy.
//!
//! Design rules:
//! - Input is an allegation: every offset, size and address a header names
//!   is checked (checked arithmetic, bounds-checked slices) before it is
//!   used, and each refusal is its own [`LoadError`] variant.
//! - Nothing runs: loading only checks and describes the image
//!   ([`LoadedModule`]); the module manager copies the segments into fresh
//!   frames and spawns the process.
//! - No panic on any input, no `unsafe`; `no_std` + `alloc`, for the host
//!   and for `x86_64-unknown-none`.
//! - New formats plug in as [`ModuleLoader`]s; [`ModuleFormat::detect`]
//!   already knows all three magics, and the registry does not change.
//! - The segment rules (user half, no shared page, W^X, entry in code) are
//!   written once (`rules`) and applied by every loader.
//! - A signed format is authenticated before its content is read.
#![cfg_attr(not(test), no_std)]
#![forbid(unsafe_code)]

extern crate alloc;

mod elf;
mod error;
mod format;
mod layout;
mod loader;
mod module;
pub mod native;
mod registry;
mod rules;

#[cfg(any(test, feature = "fixtures"))]
pub mod fixtures;
#[cfg(test)]
mod tests;

pub use elf::ElfLoader;
pub use error::{HeaderTable, LoadError, Result};
pub use format::{ELF_MAGIC, HELIX_NATIVE_MAGIC, ModuleFormat, WASM_MAGIC};
pub use layout::{PAGE_SIZE, USER_MIN, USER_TOP};
pub use loader::ModuleLoader;
pub use module::{LoadedModule, Segment, SegmentRights};
pub use native::{HelixNativeLoader, KeyFingerprint, NativeError, TrustError, TrustPolicy};
pub use registry::LoaderRegistry;
