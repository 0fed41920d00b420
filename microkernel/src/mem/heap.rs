//! The kernel heap: `talc` over a virtual range that grows on demand with
//! fresh frames mapped by [`kspace::map_fresh`].

use core::alloc::{GlobalAlloc, Layout};
use core::ptr::{NonNull, null_mut};
use core::sync::atomic::{AtomicU64, Ordering};

use helix_kernel_core::{PAGE_SIZE, align_up};
use spin::Mutex;
use talc::DefaultBinning;
use talc::base::Talc;
use talc::base::binning::Binning;
use talc::source::Source;

use super::kspace::{self, HEAP_MAX, HEAP_START};

/// Smallest growth step.
const GROW_MIN: u64 = 64 * 1024;

/// Bytes of heap mapped so far (for logs and tests).
static MAPPED: AtomicU64 = AtomicU64::new(0);

/// Grows the heap from the frame allocator.
#[derive(Debug)]
struct FrameSource {
    /// End of the heap as talc knows it (0 before the first claim).
    heap_end: u64,
    /// End of the mapped virtual range.
    mapped_end: u64,
}

// SAFETY: `acquire` never touches the global allocator: it maps frames
// (frame allocator and page-table locks, no allocation) and then hands the
// new memory to the `talc` it was given.
unsafe impl Source for FrameSource {
    fn acquire<B: Binning>(talc: &mut Talc<Self, B>, layout: Layout) -> Result<(), ()> {
        let need = layout.size() as u64 + layout.align() as u64 + 2 * PAGE_SIZE;
        let grow = align_up(need.max(GROW_MIN), PAGE_SIZE).ok_or(())?;
        let start = talc.source.mapped_end;
        if start + grow > HEAP_START + HEAP_MAX {
            return Err(());
        }
        kspace::map_fresh(start, grow).map_err(|_| ())?;
        talc.source.mapped_end = start + grow;
        MAPPED.fetch_add(grow, Ordering::Relaxed);
        let new_end = talc.source.mapped_end as *mut u8;
        if talc.source.heap_end == 0 {
            // SAFETY: `[HEAP_START, mapped_end)` was just mapped read-write,
            // belongs to the heap alone and is handed to talc once.
            let end = unsafe { talc.claim(HEAP_START as *mut u8, grow as usize) }.ok_or(())?;
            talc.source.heap_end = end.as_ptr() as u64;
        } else {
            let old = NonNull::new(talc.source.heap_end as *mut u8).ok_or(())?;
            // SAFETY: `old` is the heap end talc returned last time, and the
            // memory up to `new_end` was just mapped for the heap alone.
            let end = unsafe { talc.extend(old, new_end) };
            talc.source.heap_end = end.as_ptr() as u64;
        }
        Ok(())
    }
}

/// The global allocator.
struct KernelHeap(Mutex<Talc<FrameSource, DefaultBinning>>);

#[global_allocator]
static HEAP: KernelHeap = KernelHeap(Mutex::new(Talc::new(FrameSource {
    heap_end: 0,
    mapped_end: HEAP_START,
})));

// SAFETY: allocation and deallocation go to talc under one lock; talc
// returns memory of at least `layout.size()` bytes aligned to
// `layout.align()`, and its source only adds freshly mapped memory.
unsafe impl GlobalAlloc for KernelHeap {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: GlobalAlloc callers pass a non-zero size.
        unsafe { self.0.lock().allocate(layout) }.map_or(null_mut(), NonNull::as_ptr)
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: GlobalAlloc callers pass a pointer from `alloc` with the
        // same layout.
        unsafe { self.0.lock().deallocate(ptr, layout) }
    }
}

/// Bytes of virtual heap mapped so far.
pub fn mapped_bytes() -> u64 {
    MAPPED.load(Ordering::Relaxed)
}
