//! The process heap: `linked_list_allocator` over a static arena in
//! `.bss` (the kernel gives every loaded segment fresh zeroed pages).
//!
//! A static arena because a server started by the kernel has no memory
//! quota of its own yet (no Untyped cap to make and map Frames from);
//! growing on demand comes with quotas handed out by the module manager.
//!
//! The only module of the runtime with `unsafe` (the arena's address is
//! handed to the allocator once).
#![allow(unsafe_code)]

use core::mem::MaybeUninit;
use core::sync::atomic::{AtomicBool, Ordering};

use linked_list_allocator::LockedHeap;

/// Bytes of heap per process.
pub const HEAP_SIZE: usize = 128 * 1024;

static mut ARENA: MaybeUninit<[u8; HEAP_SIZE]> = MaybeUninit::uninit();

static READY: AtomicBool = AtomicBool::new(false);

#[global_allocator]
static ALLOCATOR: LockedHeap = LockedHeap::empty();

/// Hand the arena to the allocator (only the first call does anything).
pub fn init() {
    if READY.swap(true, Ordering::SeqCst) {
        return;
    }
    let start = (&raw mut ARENA).cast::<u8>();
    // SAFETY: ARENA is used by nothing but the allocator, and the swap
    // above lets exactly one call hand it over, before any allocation.
    unsafe { ALLOCATOR.lock().init(start, HEAP_SIZE) };
}

/// Bytes in use (for logs and tests).
pub fn used() -> usize {
    ALLOCATOR.lock().used()
}
