//! helix-kernel-core: the pure logic of the Helix kernel, tested on the host.
//!
//! Design rules:
//! - No hardware access and no `unsafe`: everything here is plain data in,
//!   plain data out, so `cargo test -p helix-kernel-core` exercises it.
//! - No allocation: the kernel uses these types before its heap exists.
//! - Every failure is a typed error enum; nothing panics on bad input.
//! - The kernel crate (`microkernel/`) is the only hardware layer; it feeds
//!   this crate what the bootloader and the CPU reported.
#![cfg_attr(not(test), no_std)]
#![forbid(unsafe_code)]

pub mod cmdline;
pub mod exception;
pub mod frames;
pub mod ioinsn;
pub mod layout;
pub mod manifest;
pub mod memmap;
pub mod rsdp;
pub mod tsc;

/// Size of a small page and of a physical frame.
pub const PAGE_SIZE: u64 = 4096;
/// Size of a large (2 MiB) page.
pub const LARGE_PAGE_SIZE: u64 = 2 * 1024 * 1024;

/// Round `x` down to a multiple of `align` (a power of two).
pub const fn align_down(x: u64, align: u64) -> u64 {
    x & !(align - 1)
}

/// Round `x` up to a multiple of `align` (a power of two); `None` on overflow.
pub const fn align_up(x: u64, align: u64) -> Option<u64> {
    match x.checked_add(align - 1) {
        Some(v) => Some(v & !(align - 1)),
        None => None,
    }
}
