//! User pointer rules, as pure functions. A user pointer is an allegation:
//! these checks reject what can never be valid (null page, misaligned,
//! non-canonical, kernel half, overflowing ranges, over-long lengths); the
//! kernel still checks the mapping when it copies.

use helix_abi::SysError;

/// Lowest user address: page 0 is never mapped, so null-ish pointers fault
/// in user space and are rejected here.
pub const USER_BASE: u64 = 0x1000;
/// One past the highest user address (the canonical lower half).
pub const USER_TOP: u64 = 0x0000_8000_0000_0000;
const PAGE: u64 = 4096;

/// Why a user pointer is rejected.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UptrError {
    /// In the null page.
    Null,
    /// Not aligned to what the data needs.
    Misaligned,
    /// Not a canonical x86_64 address.
    NonCanonical,
    /// In the kernel's half of the address space.
    KernelHalf,
    /// The range wraps around or runs past [`USER_TOP`].
    Overflow,
    /// Longer than the call allows.
    TooLong,
}

impl From<UptrError> for SysError {
    fn from(e: UptrError) -> SysError {
        match e {
            UptrError::TooLong => SysError::MessageTooLong,
            _ => SysError::BadAddress,
        }
    }
}

/// True when bits 63..47 are all equal.
pub const fn is_canonical(addr: u64) -> bool {
    let top = addr >> 47;
    top == 0 || top == 0x1_ffff
}

/// A checked user range `[addr, addr + len)`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct UserSlice {
    /// First byte.
    pub addr: u64,
    /// Length in bytes.
    pub len: u64,
}

fn user_address(addr: u64) -> Result<u64, UptrError> {
    if !is_canonical(addr) {
        Err(UptrError::NonCanonical)
    } else if addr >= USER_TOP {
        Err(UptrError::KernelHalf)
    } else if addr < USER_BASE {
        Err(UptrError::Null)
    } else {
        Ok(addr)
    }
}

/// Check `len` bytes at `addr`, aligned to `align` (a power of two), at
/// most `max_len` long. A zero-length range is accepted with any address
/// (it is never dereferenced).
pub fn user_range(addr: u64, len: u64, align: u64, max_len: u64) -> Result<UserSlice, UptrError> {
    if len > max_len {
        return Err(UptrError::TooLong);
    }
    if len == 0 {
        return Ok(UserSlice { addr, len });
    }
    user_address(addr)?;
    if align > 1 && addr & (align - 1) != 0 {
        return Err(UptrError::Misaligned);
    }
    match addr.checked_add(len) {
        Some(end) if end <= USER_TOP => Ok(UserSlice { addr, len }),
        _ => Err(UptrError::Overflow),
    }
}

/// A page-aligned user address (map, unmap, IPC buffer).
pub fn user_page(addr: u64) -> Result<u64, UptrError> {
    user_range(addr, PAGE, PAGE, PAGE).map(|s| s.addr)
}

/// A user stack pointer: 16-byte aligned, in `(USER_BASE, USER_TOP]`.
pub fn user_stack(rsp: u64) -> Result<u64, UptrError> {
    if rsp & 15 != 0 {
        return Err(UptrError::Misaligned);
    }
    user_range(rsp.wrapping_sub(16), 16, 16, 16).map(|_| rsp)
}
