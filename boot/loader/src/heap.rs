//! The loader's heap: a fixed 1 MiB arena in its own `.heap` section, which
//! the linker script places after `.bss` so the entry code does not spend
//! time zeroing it (the allocator never assumes zeroed memory).

use core::mem::MaybeUninit;

use linked_list_allocator::LockedHeap;

const HEAP_SIZE: usize = 1 << 20;

#[unsafe(link_section = ".heap")]
static mut ARENA: MaybeUninit<[u8; HEAP_SIZE]> = MaybeUninit::uninit();

#[global_allocator]
static ALLOCATOR: LockedHeap = LockedHeap::empty();

/// Hands the arena to the allocator. Call once, before any allocation.
pub fn init() {
    let start = (&raw mut ARENA).cast::<u8>();
    // SAFETY: the arena is a static used by nothing else, and `init` runs
    // once on the BSP before anything allocates.
    unsafe { ALLOCATOR.lock().init(start, HEAP_SIZE) };
}
