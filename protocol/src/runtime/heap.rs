//! The process heap: `talc` over a static seed arena in `.bss` (so a
//! process allocates before it knows anything else), growing into a heap
//! window when the module manager gave the process a memory budget: on an
//! allocation that does not fit, Frames are made from the budget Untyped
//! and mapped read-write at the window's top, and talc extends its span.
//! When the budget is spent (or there is none) the allocation fails and
//! the usual out-of-memory panic reports it.
//!
//! The only module of the runtime with `unsafe`: handing memory to talc.
#![expect(
    unsafe_code,
    reason = "the heap hands memory to talc: the one unsafe module of the runtime"
)]

use core::alloc::{GlobalAlloc, Layout};
use core::mem::MaybeUninit;
use core::ptr::{NonNull, null_mut};
use core::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use helix_abi::CapRights;

pub use super::process::HeapBudget;
use helix_sys::{AddressSpace, Cap, Frame, Untyped};
use spin::Mutex;
use talc::DefaultBinning;
use talc::base::Talc;
use talc::base::binning::Binning;
use talc::source::Source;

/// Bytes of the static seed arena every process has.
pub const HEAP_SIZE: usize = 128 * 1024;
/// Smallest growth step of the window.
const GROW_MIN: u64 = 64 * 1024;
/// Largest Frame the kernel makes (pages).
const FRAME_MAX_PAGES: u64 = 512;
const PAGE: u64 = 4096;

static mut SEED: MaybeUninit<[u8; HEAP_SIZE]> = MaybeUninit::uninit();
static READY: AtomicBool = AtomicBool::new(false);
/// Bytes mapped into the window so far.
static GROWN: AtomicU64 = AtomicU64::new(0);

/// The growth state talc's source keeps.
#[derive(Debug)]
struct Grow {
    budget: Option<HeapBudget>,
    /// End of the mapped part of the window.
    mapped_end: u64,
    /// End of talc's window span (0 before the first claim there).
    span_end: u64,
    /// Next free slot.
    next_slot: u32,
}

impl Grow {
    /// Map at least `bytes` more of the window; returns the new end.
    fn map_more(&mut self, bytes: u64) -> Option<u64> {
        let b = self.budget?;
        let want = bytes.max(GROW_MIN).div_ceil(PAGE) * PAGE;
        if self.mapped_end.checked_add(want)? > b.window.checked_add(b.window_bytes)? {
            return None;
        }
        let memory: Cap<Untyped> = Cap::from_slot(b.memory);
        let aspace: Cap<AddressSpace> = Cap::from_slot(b.aspace);
        let mut left = want / PAGE;
        while left > 0 {
            let pages = left.min(FRAME_MAX_PAGES);
            if self.next_slot >= b.first_slot.checked_add(b.slots)? {
                return None;
            }
            let frame: Cap<Frame> = memory.retype(self.next_slot, pages).ok()?;
            self.next_slot += 1;
            if aspace
                .map(
                    frame,
                    self.mapped_end,
                    CapRights::READ.union(CapRights::WRITE),
                )
                .is_err()
            {
                // Give the budget back; the frame was never mapped. (A failed
                // delete leaves the frame charged until the process ends.)
                let _ = frame.delete();
                return None;
            }
            self.mapped_end += pages * PAGE;
            GROWN.fetch_add(pages * PAGE, Ordering::Relaxed);
            left -= pages;
        }
        Some(self.mapped_end)
    }
}

// SAFETY: `acquire` never touches the global allocator (it makes syscalls
// only, which do not allocate), and it hands talc only memory it just
// mapped read-write into the window, which nothing else uses.
unsafe impl Source for Grow {
    fn acquire<B: Binning>(talc: &mut Talc<Self, B>, layout: Layout) -> Result<(), ()> {
        let need = layout.size() as u64 + layout.align() as u64 + 2 * PAGE;
        let start = talc.source.mapped_end;
        let end = talc.source.map_more(need).ok_or(())?;
        if talc.source.span_end == 0 {
            // SAFETY: `[start, end)` was just mapped read-write for the heap
            // alone and is handed to talc once.
            let span_end =
                unsafe { talc.claim(start as *mut u8, (end - start) as usize) }.ok_or(())?;
            talc.source.span_end = span_end.as_ptr() as u64;
        } else {
            let old = NonNull::new(talc.source.span_end as *mut u8).ok_or(())?;
            // SAFETY: `old` is the span end talc returned last time and the
            // memory up to `end` was just mapped right after it.
            let span_end = unsafe { talc.extend(old, end as *mut u8) };
            talc.source.span_end = span_end.as_ptr() as u64;
        }
        Ok(())
    }
}

struct Heap(Mutex<Talc<Grow, DefaultBinning>>);

#[global_allocator]
static HEAP: Heap = Heap(Mutex::new(Talc::new(Grow {
    budget: None,
    mapped_end: 0,
    span_end: 0,
    next_slot: 0,
})));

// SAFETY: allocation and deallocation go to talc under one lock; talc
// returns memory of at least `layout.size()` bytes aligned to
// `layout.align()`, and its source only adds freshly mapped memory.
unsafe impl GlobalAlloc for Heap {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: GlobalAlloc callers pass a non-zero size.
        unsafe { self.0.lock().allocate(layout) }.map_or(null_mut(), NonNull::as_ptr)
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        // SAFETY: GlobalAlloc callers pass a pointer from `alloc` with the
        // same layout.
        unsafe { self.0.lock().deallocate(ptr, layout) };
    }
}

/// Hand the seed arena to the allocator (only the first call does
/// anything).
pub fn init() {
    if READY.swap(true, Ordering::SeqCst) {
        return;
    }
    let start = (&raw mut SEED).cast::<u8>();
    // SAFETY: SEED is used by nothing but the allocator, and the swap above
    // lets exactly one call hand it over, before any allocation.
    let claimed = unsafe { HEAP.0.lock().claim(start, HEAP_SIZE) };
    if claimed.is_none() {
        helix_sys::rt::abort(b"heap: cannot claim the seed arena\n");
    }
}

/// Let the heap grow into `budget`'s window from now on (a second call
/// replaces the budget only while nothing was mapped from the first).
pub fn install(budget: HeapBudget) {
    let mut t = HEAP.0.lock();
    if t.source.mapped_end == 0 || t.source.budget.is_none() {
        t.source.budget = Some(budget);
        t.source.mapped_end = budget.window;
        t.source.next_slot = budget.first_slot;
    }
}

/// Bytes mapped into the heap window so far (the seed not counted).
pub fn grown() -> u64 {
    GROWN.load(Ordering::Relaxed)
}
