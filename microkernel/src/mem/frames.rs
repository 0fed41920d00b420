//! The kernel's physical frame allocator: the bitmap algorithm from
//! `helix-kernel-core`, with its storage carved out of usable memory.

use core::fmt;

use helix_kernel_core::frames::{FrameBitmap, FrameError, UsableRanges};
use helix_kernel_core::memmap::Region;
use helix_kernel_core::{PAGE_SIZE, align_up};
use spin::Mutex;

use crate::arch::paging;

static FRAMES: Mutex<Option<FrameBitmap<'static>>> = Mutex::new(None);

/// Why the frame allocator could not start.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FramesError {
    /// No usable range is big enough for the bitmap.
    NoRoomForBitmap(u64),
    /// The allocator rejected the ranges.
    Bitmap(FrameError),
}

impl fmt::Display for FramesError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NoRoomForBitmap(n) => write!(f, "no usable range holds the {n}-byte bitmap"),
            Self::Bitmap(e) => write!(f, "{e}"),
        }
    }
}

/// Frame counts.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Stats {
    /// Frames managed.
    pub total: u64,
    /// Frames free.
    pub free: u64,
    /// Physical range holding the bitmap.
    pub bitmap: (u64, u64),
}

/// Build the allocator from the memory map. The HHDM must map usable
/// memory (the bootloader's tables do).
pub fn init(regions: &[Region]) -> Result<Stats, FramesError> {
    let usable = UsableRanges::from_regions(regions);
    let words = FrameBitmap::words_needed(&usable);
    let bytes = align_up(words as u64 * 8, PAGE_SIZE).unwrap_or(u64::MAX);
    // Prefer memory above 1 MiB for the bitmap.
    let base = usable
        .as_slice()
        .iter()
        .filter(|r| r.end - r.start >= bytes)
        .max_by_key(|r| r.start >= 0x10_0000)
        .map(|r| r.start)
        .ok_or(FramesError::NoRoomForBitmap(bytes))?;
    let ptr = paging::phys_to_virt(base) as *mut u64;
    // SAFETY: `[base, base + bytes)` is usable RAM nobody owns yet (reserved
    // just below, so never handed out), mapped read-write by the HHDM, and
    // the slice lives as long as the kernel.
    let bits = unsafe { core::slice::from_raw_parts_mut(ptr, words) };
    let mut fa = FrameBitmap::new(usable, bits).map_err(FramesError::Bitmap)?;
    fa.reserve(base, base + bytes);
    // Never hand out physical page 0: a null physical address is a bug.
    fa.reserve(0, PAGE_SIZE);
    let stats = Stats {
        total: fa.total(),
        free: fa.free(),
        bitmap: (base, base + bytes),
    };
    *FRAMES.lock() = Some(fa);
    Ok(stats)
}

/// One free frame (physical address; contents are arbitrary).
pub fn allocate() -> Option<u64> {
    FRAMES.lock().as_mut()?.allocate()
}

/// `n` physically consecutive free frames (the first's address).
pub fn allocate_contiguous(n: u64) -> Option<u64> {
    FRAMES.lock().as_mut()?.allocate_contiguous(n)
}

/// Give a frame back.
pub fn deallocate(addr: u64) -> Result<(), FrameError> {
    match FRAMES.lock().as_mut() {
        Some(fa) => fa.deallocate(addr),
        None => Err(FrameError::NotManaged(addr)),
    }
}

#[cfg(feature = "ktest")]
/// Whether `addr` is a frame the allocator manages (usable memory).
pub fn manages(addr: u64) -> bool {
    FRAMES.lock().as_ref().is_some_and(|fa| fa.manages(addr))
}

/// Current counts.
pub fn stats() -> Option<(u64, u64)> {
    FRAMES.lock().as_ref().map(|fa| (fa.total(), fa.free()))
}
