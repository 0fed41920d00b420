//! The architecture seam: the raw `syscall` instruction.

#[cfg(target_arch = "x86_64")]
mod x86_64;
#[cfg(target_arch = "x86_64")]
pub(crate) use self::x86_64::*;

#[cfg(not(target_arch = "x86_64"))]
compile_error!("helix-sys supports only x86_64");
