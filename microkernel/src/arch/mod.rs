//! The architecture seam: everything that touches the CPU lives below here.
//! Only x86_64 exists; another architecture would add a sibling module
//! with the same surface.

#[cfg(target_arch = "x86_64")]
mod x86_64;
#[cfg(target_arch = "x86_64")]
pub use self::x86_64::*;

#[cfg(not(target_arch = "x86_64"))]
compile_error!("Helix supports only x86_64");
