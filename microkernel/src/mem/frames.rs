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

/// `n` physically consecutive zeroed frames (the first's address), for a
/// Frame object, which owns them until it is destroyed.
pub fn allocate_contiguous_zeroed(n: u64) -> Option<u64> {
    let first = allocate_contiguous(n)?;
    for i in 0..n {
        let p = paging::phys_to_virt(first + i * PAGE_SIZE) as *mut u8;
        // SAFETY: the allocator just handed out this RAM frame: nothing in
        // the kernel uses it yet; the HHDM maps it read-write.
        unsafe { core::ptr::write_bytes(p, 0, PAGE_SIZE as usize) };
    }
    Some(first)
}

/// A RAM frame this value owns: the allocator handed it out for user
/// memory and nothing in the kernel (page tables, heap, stacks) uses it, so
/// its bytes may be written through the HHDM at any time (a process that
/// maps it sees user memory, never a Rust reference). Not `Clone`: the
/// frame goes back only through [`OwnedFrame::free`]; dropping the value
/// instead leaks the frame, it never dangles.
#[derive(Debug, PartialEq, Eq)]
pub struct OwnedFrame {
    phys: u64,
}

impl OwnedFrame {
    /// A fresh zeroed frame.
    pub fn zeroed() -> Option<OwnedFrame> {
        let phys = allocate()?;
        let f = OwnedFrame { phys };
        f.fill_with(0, PAGE_SIZE as usize, 0);
        Some(f)
    }

    /// Its physical address.
    pub fn phys(&self) -> u64 {
        self.phys
    }

    /// Copy `data` into the frame at `offset` (clamped to the frame).
    pub fn fill(&self, offset: usize, data: &[u8]) {
        let n = data.len().min((PAGE_SIZE as usize).saturating_sub(offset));
        let p = (paging::phys_to_virt(self.phys) + offset as u64) as *mut u8;
        // SAFETY: `[offset, offset + n)` lies inside the frame (n clamped),
        // which this value owns (see the type's doc) and the HHDM maps
        // read-write; `data` is kernel memory, so the ranges cannot overlap.
        unsafe { core::ptr::copy_nonoverlapping(data.as_ptr(), p, n) };
    }

    fn fill_with(&self, offset: usize, len: usize, byte: u8) {
        let n = len.min((PAGE_SIZE as usize).saturating_sub(offset));
        let p = (paging::phys_to_virt(self.phys) + offset as u64) as *mut u8;
        // SAFETY: as in `fill`: inside the owned frame.
        unsafe { core::ptr::write_bytes(p, byte, n) };
    }

    /// Give the frame back to the allocator.
    pub fn free(self) {
        // The allocator handed this frame out and nobody else frees it: a
        // failure would be a double free the bitmap refuses, nothing to undo.
        let _ = deallocate(self.phys);
    }
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
