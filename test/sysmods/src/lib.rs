//! helix-sysmods: the modules of the system tests; each bin is one boot
//! module of `manifests/system-test.manifest`. The library re-exports the
//! `echo` interface they serve and call.
//!
//! Design rules:
//! - Test modules are ordinary modules: metadata records, the protocol
//!   runtime, caps from the manifest, no test code in the kernel.
//! - A program reports its verdict as its exit status (0 = every check
//!   held; n = check n failed), which the manager turns into a test result.
#![no_std]
#![forbid(unsafe_code)]

extern crate alloc;

mod sleep;

pub use helix_echo::{Echo, EchoClient, EchoError, EchoHandler, EchoServer};
pub use sleep::{SleepError, Sleeper};
