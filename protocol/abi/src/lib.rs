//! helix-abi: the one definition of the Helix kernel ABI.
//!
//! Design rules:
//! - Every number that crosses the user/kernel boundary is defined here and
//!   nowhere else; the kernel and all user code import it.
//! - Plain data only: no syscall instructions (those live in
//!   `helix-sys`'s arch file), no allocation, `no_std`.
//! - Each list that must stay complete (syscalls, errors, methods) is ONE
//!   `abi_list!` declaration; `ALL`, counts, decoders and per-variant
//!   properties are derived from it.
//! - Numbers are append-only: a released number never changes meaning.
#![cfg_attr(not(test), no_std)]
#![forbid(unsafe_code)]

#[macro_use]
mod list;

pub mod boot;
pub mod bootinfo;
pub mod cap;
pub mod error;
pub mod fault;
pub mod invoke;
pub mod ipc;
pub mod process;
pub mod syscall;

pub use cap::{CapRights, CapType};
pub use error::SysError;
pub use invoke::Method;
pub use ipc::MessageInfo;
pub use syscall::Syscall;
