//! helix-mod: the host tool for Helix modules — pack an ELF server as
//! HelixNative, make keys, sign and verify, inspect any of the three
//! formats, diff two modules' ABIs, order a boot manifest, start a server
//! crate.
//!
//! Design rules:
//! - No format logic of its own: modules are read by helix-module-loader
//!   (ELF, HelixNative) and wasmparser (Wasm), checked by helix-protocol's
//!   `AbiChecker`, ordered by helix-modmgr's `DependencyResolver`, and the
//!   manifest is helix-manifest's.
//! - Every command returns an [`Outcome`] (text and JSON, and a verdict) or
//!   a [`ToolError`] naming the file; exit status 0 done, 1 negative
//!   verdict, 2 usage or file error.
//! - The fuzz harnesses live here ([`fuzzing`]) so that the fuzz targets
//!   and the stable corpus replay run the same code.
#![forbid(unsafe_code)]

pub mod cli;
pub mod commands;
pub mod error;
pub mod fuzzing;
pub mod keys;
pub mod outcome;
pub mod read;
pub mod run;
pub mod wasm;

pub use cli::{Cli, Command};
pub use error::ToolError;
pub use outcome::Outcome;
pub use run::run;
