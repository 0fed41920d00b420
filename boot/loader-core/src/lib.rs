//! helix-loader-core: the pure logic of Helix's offline PVH loader.
//!
//! Everything the loader decides without touching hardware lives here and
//! is unit-tested on the host: which bundle member a `boot():/x` path names,
//! whether a kernel ELF is loadable and where its pages go, which Limine
//! requests the kernel makes, how the Limine memory map is assembled from the
//! firmware map and the loader's own allocations, and how page tables are
//! laid out.
//!
//! Design rules:
//! - No `unsafe`, no hardware access, no global state: the loader binary
//!   feeds bytes and addresses in and applies the answers.
//! - Every malformed input is a typed error ([`BootError`]) whose `Display`
//!   is `<file>: <problem>`, the text after `helix-loader: error: `.
//! - Layouts and constants follow the Limine protocol specification (base
//!   revision 3) and the `limine` 0.5 crate the kernel is built with.
#![cfg_attr(not(test), no_std)]
#![forbid(unsafe_code)]

extern crate alloc;

pub mod addr;
pub mod bundle;
pub mod config;
pub mod elf;
mod error;
pub mod firmware;
pub mod frames;
pub mod memmap;
pub mod paging;
pub mod requests;
pub mod revision;

pub use error::{BootError, Unsupported};
