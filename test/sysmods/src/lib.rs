//! helix-sysmods: the modules of the system tests; each bin is one boot
//! module of `manifests/system-test.manifest`. The library re-exports the
//! `echo` interface they serve and call, the ways a kvstore test build
//! fails, and the `plain` server's declaration.
//!
//! Design rules:
//! - Test modules are ordinary modules: metadata records, the protocol
//!   runtime, caps from the manifest, no test code in the kernel.
//! - A program reports its verdict as its exit status (0 = every check
//!   held; n = check n failed), which the manager turns into a test result.
#![no_std]
#![forbid(unsafe_code)]

extern crate alloc;

mod kv_variants;
mod plain;
mod sleep;

pub use helix_echo::{Echo, EchoClient, EchoError, EchoHandler, EchoServer};
pub use kv_variants::{
    CRASH_VALUE, CrashesOnPut, CrashesOnStart, FailsInit, FailsRestore, StartsOnce,
};
pub use sleep::{SleepError, Sleeper};
