//! Filling and reading Frames the caller holds through a mapping window:
//! a range of the caller's own address space reserved for this module
//! ([`WINDOW_ADDR`], [`WINDOW_PAGES`] pages, as large as the largest
//! Frame). A Frame is mapped read-write there for the length of one copy
//! and unmapped again, so a module manager can put an ELF segment into a
//! new server's frames, or read a state snapshot out of shared frames,
//! without any `unsafe` of its own.
//!
//! Rules it keeps:
//! - Nothing else in a process maps anything into the window (the module
//!   manager's address layout keeps it free; `docs/formats.md`). A map that
//!   finds a page of it in use fails, so the copy never runs then.
//! - One copy at a time (a spin lock), because the window is one range.
//! - Every offset is checked against the frame size the caller states
//!   *and* against the window; a wrong size can only make the copy touch
//!   unmapped window pages (a fault of this thread), never other memory.

use core::sync::atomic::{AtomicBool, Ordering};

use helix_abi::{CapRights, SysError};

use crate::caps::{AddressSpace, Cap, Frame};

/// First address of the window.
pub const WINDOW_ADDR: u64 = 0x0000_6000_0000_0000;
/// Pages of the window (2 MiB: the largest Frame, 512 pages).
pub const WINDOW_PAGES: u64 = 512;
const PAGE: u64 = 4096;

static BUSY: AtomicBool = AtomicBool::new(false);

/// Holds the window; unmaps the frame and frees the window when dropped.
struct Mapped {
    aspace: Cap<AddressSpace>,
    pages: u64,
}

impl Drop for Mapped {
    fn drop(&mut self) {
        for i in 0..self.pages {
            // Unmapping a page of our own window cannot fail for a valid
            // AddressSpace cap (it was mapped just before); if it did, the
            // next map of the window fails with BadAddress and says so.
            let _ = self.aspace.unmap(WINDOW_ADDR + i * PAGE);
        }
        BUSY.store(false, Ordering::Release);
    }
}

/// Map `frame` (of `pages` pages) in the window after checking that
/// `[offset, offset + len)` fits it.
fn map(
    aspace: Cap<AddressSpace>,
    frame: Cap<Frame>,
    pages: u64,
    offset: u64,
    len: usize,
) -> Result<Mapped, SysError> {
    if pages == 0 || pages > WINDOW_PAGES {
        return Err(SysError::InvalidArgument);
    }
    let end = offset
        .checked_add(len as u64)
        .ok_or(SysError::InvalidArgument)?;
    if end > pages * PAGE {
        return Err(SysError::InvalidArgument);
    }
    if BUSY.swap(true, Ordering::Acquire) {
        return Err(SysError::InvalidState);
    }
    if let Err(e) = aspace.map(frame, WINDOW_ADDR, CapRights::READ.union(CapRights::WRITE)) {
        BUSY.store(false, Ordering::Release);
        return Err(e);
    }
    Ok(Mapped { aspace, pages })
}

/// Copy `data` into `frame` (a Frame of `pages` pages the caller may map
/// read-write) at byte `offset`, through the window of `aspace` (the
/// caller's own AddressSpace).
pub fn write_frame(
    aspace: Cap<AddressSpace>,
    frame: Cap<Frame>,
    pages: u64,
    offset: u64,
    data: &[u8],
) -> Result<(), SysError> {
    let _held = map(aspace, frame, pages, offset, data.len())?;
    copy_in(offset, data);
    Ok(())
}

/// Copy `out.len()` bytes at byte `offset` of `frame` into `out`.
pub fn read_frame(
    aspace: Cap<AddressSpace>,
    frame: Cap<Frame>,
    pages: u64,
    offset: u64,
    out: &mut [u8],
) -> Result<(), SysError> {
    let _held = map(aspace, frame, pages, offset, out.len())?;
    copy_out(offset, out);
    Ok(())
}

/// Copy `data` to window offset `offset` (mapped, in range: see [`map`]).
#[cfg(target_os = "none")]
fn copy_in(offset: u64, data: &[u8]) {
    let dst = (WINDOW_ADDR + offset) as *mut u8;
    // SAFETY: `map` mapped a frame read-write at WINDOW_ADDR and checked
    // `offset + len` against its size and the window; the window is this
    // module's alone (held under BUSY), so no Rust reference aliases it,
    // and `data` is ordinary memory outside the window.
    unsafe { core::ptr::copy_nonoverlapping(data.as_ptr(), dst, data.len()) };
}

/// Copy window offset `offset` into `out` (mapped, in range).
#[cfg(target_os = "none")]
fn copy_out(offset: u64, out: &mut [u8]) {
    let src = (WINDOW_ADDR + offset) as *const u8;
    // SAFETY: as in `copy_in`, reading instead of writing.
    unsafe { core::ptr::copy_nonoverlapping(src, out.as_mut_ptr(), out.len()) };
}

/// The host has no window (a map there always fails first).
#[cfg(not(target_os = "none"))]
fn copy_in(_offset: u64, _data: &[u8]) {}

/// The host has no window (a map there always fails first).
#[cfg(not(target_os = "none"))]
fn copy_out(_offset: u64, _out: &mut [u8]) {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn out_of_range_copies_are_refused_before_anything_is_mapped() {
        let (a, f) = (Cap::from_slot(0), Cap::from_slot(9));
        assert_eq!(
            write_frame(a, f, 1, 4000, &[0; 200]),
            Err(SysError::InvalidArgument)
        );
        assert_eq!(write_frame(a, f, 0, 0, &[]), Err(SysError::InvalidArgument));
        assert_eq!(
            write_frame(a, f, WINDOW_PAGES + 1, 0, &[1]),
            Err(SysError::InvalidArgument)
        );
        let mut out = [0u8; 8];
        assert_eq!(
            read_frame(a, f, 1, u64::MAX - 2, &mut out),
            Err(SysError::InvalidArgument)
        );
        // In range: the map is attempted (the host has no kernel) and the
        // window is free again afterwards.
        assert_eq!(
            write_frame(a, f, 1, 0, &[1, 2]),
            Err(SysError::InvalidSyscall)
        );
        assert!(!BUSY.load(Ordering::SeqCst));
    }
}
