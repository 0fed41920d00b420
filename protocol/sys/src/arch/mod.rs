//! The architecture seam: the raw `syscall` instruction (bare metal) or
//! the recording host backend (everywhere else, for tests).

#[cfg(not(target_arch = "x86_64"))]
compile_error!("helix-sys supports only x86_64");

#[cfg(target_arch = "x86_64")]
mod x86_64;
#[cfg(target_arch = "x86_64")]
pub(crate) use self::x86_64::*;

#[cfg(not(target_os = "none"))]
pub mod host;
#[cfg(not(target_os = "none"))]
pub(crate) use self::host::{ipc_buffer_read, ipc_buffer_write, syscall, trap};

/// The six argument/result registers, in ABI order:
/// `rdi`, `rsi`, `rdx`, `r10`, `r8`, `r9`.
pub(crate) type Regs = [u64; 6];
