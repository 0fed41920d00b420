//! Physical memory as the loader sees it: identity-mapped below 4 GiB by the
//! boot page tables, so a physical address is a pointer.

use helix_loader_core::frames::{FrameAllocator, Purpose};
use helix_loader_core::memmap::MemoryKind;
use helix_loader_core::paging::TableMemory;

/// Bytes at `phys`.
///
/// # Safety
/// `[phys, phys+len)` must be mapped memory below 4 GiB that nothing writes
/// while the slice lives, and `phys` must not be 0.
pub unsafe fn bytes(phys: u64, len: u64) -> &'static [u8] {
    // SAFETY: forwarded from the caller; identity mapping makes the
    // physical address a valid pointer.
    unsafe { core::slice::from_raw_parts(phys as *const u8, len as usize) }
}

/// Mutable bytes at `phys`.
///
/// # Safety
/// As [`bytes`], and no other reference to the range may exist.
pub unsafe fn bytes_mut(phys: u64, len: u64) -> &'static mut [u8] {
    // SAFETY: forwarded from the caller.
    unsafe { core::slice::from_raw_parts_mut(phys as *mut u8, len as usize) }
}

/// Reads a `T` at `phys` (any alignment).
///
/// # Safety
/// `phys` must be mapped memory holding a valid `T`, not 0.
pub unsafe fn read<T: Copy>(phys: u64) -> T {
    // SAFETY: forwarded from the caller.
    unsafe { (phys as *const T).read_unaligned() }
}

/// Writes a `T` at `phys` (any alignment).
///
/// # Safety
/// `phys` must be loader-owned memory with room for a `T`, not 0.
pub unsafe fn write<T>(phys: u64, value: T) {
    // SAFETY: forwarded from the caller.
    unsafe { (phys as *mut T).write_unaligned(value) }
}

/// Page tables in frames from the loader's allocator.
pub struct Tables<'a> {
    /// Where tables come from (bootloader-reclaimable).
    pub frames: &'a mut FrameAllocator,
}

impl TableMemory for Tables<'_> {
    fn alloc_table(&mut self) -> Option<u64> {
        let table = self
            .frames
            .alloc(
                4096,
                4096,
                MemoryKind::BootloaderReclaimable,
                Purpose::PageTables,
            )
            .ok()?;
        // SAFETY: a fresh page from the allocator, below 4 GiB, owned here.
        unsafe { bytes_mut(table, 4096) }.fill(0);
        Some(table)
    }

    fn read(&self, table: u64, index: usize) -> u64 {
        // SAFETY: `table` came from `alloc_table`; index < 512 by construction.
        unsafe { read::<u64>(table + 8 * index as u64) }
    }

    fn write(&mut self, table: u64, index: usize, entry: u64) {
        // SAFETY: as in `read`; the tables are not live until CR3 is loaded.
        unsafe { write::<u64>(table + 8 * index as u64, entry) }
    }
}
