//! User page tables: one PML4 per process whose upper half (entries
//! 256..512) is copied from the kernel's, so the kernel is mapped (without
//! the USER bit) in every address space. Only 4 KiB user pages are mapped.
//! Table memory is reached through the HHDM.

use ::x86_64::structures::paging::mapper::{Mapper as _, UnmapError};
use ::x86_64::structures::paging::{
    FrameAllocator, OffsetPageTable, Page, PageTable, PageTableFlags, PhysFrame, Size4KiB,
};
use ::x86_64::{PhysAddr, VirtAddr};

use super::paging::{MapError, hhdm, phys_to_virt};

/// Lowest PML4 index of the kernel half.
const KERNEL_HALF: usize = 256;

/// Page-table frames come from here (and go back through `free`).
pub trait TableFrames {
    /// A fresh frame, or `None` when memory is exhausted.
    fn alloc(&mut self) -> Option<u64>;
    /// Give a table frame back.
    fn free(&mut self, phys: u64);
}

struct Alloc<'a>(&'a mut dyn TableFrames);

// SAFETY: `TableFrames::alloc` hands out unused frames that the tables own
// from then on; the mapper zeroes each table frame it takes.
unsafe impl FrameAllocator<Size4KiB> for Alloc<'_> {
    fn allocate_frame(&mut self) -> Option<PhysFrame<Size4KiB>> {
        self.0
            .alloc()
            .map(|p| PhysFrame::containing_address(PhysAddr::new(p)))
    }
}

/// One process's page tables.
#[derive(Debug)]
pub struct UserTables {
    pml4: u64,
}

/// What a user address maps to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct UserPage {
    /// Physical address of the byte.
    pub phys: u64,
    /// Writable from ring 3.
    pub writable: bool,
}

fn table_at(phys: u64) -> *mut PageTable {
    phys_to_virt(phys) as *mut PageTable
}

/// Entry `i` of the table at `table`: flags and address.
fn read_entry(table: u64, i: usize) -> (PageTableFlags, u64) {
    let p = (phys_to_virt(table) as *const u64).wrapping_add(i % 512);
    // SAFETY: `table` is a page-table frame of a user address space (its
    // PML4 or from a present entry), which is RAM mapped by the HHDM; `i`
    // is reduced to the table's 512 entries.
    let e = unsafe { p.read_volatile() };
    (
        PageTableFlags::from_bits_truncate(e),
        e & 0x000f_ffff_ffff_f000,
    )
}

impl UserTables {
    /// A new PML4 sharing the kernel half of `kernel_pml4`.
    pub fn new(kernel_pml4: u64, frames: &mut dyn TableFrames) -> Result<Self, MapError> {
        let pml4 = frames.alloc().ok_or(MapError::OutOfFrames)?;
        let mut t = PageTable::new();
        // SAFETY: `kernel_pml4` is the live kernel PML4, in RAM and so in
        // the HHDM; we only read it.
        let k = unsafe { &*table_at(kernel_pml4) };
        for i in KERNEL_HALF..512 {
            t[i] = k[i].clone();
        }
        // SAFETY: `pml4` is a fresh frame we own, mapped by the HHDM.
        unsafe { table_at(pml4).write(t) };
        Ok(Self { pml4 })
    }

    fn with_mapper<R>(&mut self, f: impl FnOnce(&mut OffsetPageTable<'_>) -> R) -> R {
        // SAFETY: `self` owns the tables under `pml4` (lower half), `&mut
        // self` makes this the only reference, and it ends with `f`.
        let table = unsafe { &mut *table_at(self.pml4) };
        // SAFETY: all page-table memory is RAM, mapped at `hhdm()`.
        let mut m = unsafe { OffsetPageTable::new(table, VirtAddr::new(hhdm())) };
        f(&mut m)
    }

    /// Map the user page `virt` to `phys`.
    pub fn map(
        &mut self,
        virt: u64,
        phys: u64,
        writable: bool,
        executable: bool,
        frames: &mut dyn TableFrames,
    ) -> Result<(), MapError> {
        let page = Page::<Size4KiB>::from_start_address(
            VirtAddr::try_new(virt).map_err(|_| MapError::Unaligned(virt))?,
        )
        .map_err(|_| MapError::Unaligned(virt))?;
        let frame = PhysFrame::<Size4KiB>::from_start_address(PhysAddr::new(phys))
            .map_err(|_| MapError::Unaligned(phys))?;
        let mut flags = PageTableFlags::PRESENT | PageTableFlags::USER_ACCESSIBLE;
        if writable {
            flags |= PageTableFlags::WRITABLE;
        }
        if !executable {
            flags |= PageTableFlags::NO_EXECUTE;
        }
        let parent =
            PageTableFlags::PRESENT | PageTableFlags::WRITABLE | PageTableFlags::USER_ACCESSIBLE;
        let mut alloc = Alloc(frames);
        self.with_mapper(|m| {
            // SAFETY: a user page of this process's own tables; the frame
            // is owned by the process (or shared on purpose by a Frame cap);
            // the kernel never accesses user pages through these addresses.
            unsafe { m.map_to_with_table_flags(page, frame, flags, parent, &mut alloc) }
                .map(|f| f.ignore())
                .map_err(|e| match e {
                    ::x86_64::structures::paging::mapper::MapToError::FrameAllocationFailed => {
                        MapError::OutOfFrames
                    }
                    _ => MapError::AlreadyMapped(virt),
                })
        })
    }

    /// Unmap the user page `virt`; returns the frame it mapped. The caller
    /// flushes TLBs.
    pub fn unmap(&mut self, virt: u64) -> Option<u64> {
        let addr = VirtAddr::try_new(virt).ok()?;
        let page = Page::<Size4KiB>::from_start_address(addr).ok()?;
        self.with_mapper(|m| match m.unmap(page) {
            Ok((frame, flush)) => {
                flush.ignore();
                Some(frame.start_address().as_u64())
            }
            Err(UnmapError::PageNotMapped | _) => None,
        })
    }

    /// Translate the user address `virt`: present and USER at every level.
    pub fn translate(&self, virt: u64) -> Option<UserPage> {
        if virt >= 0x0000_8000_0000_0000 {
            return None;
        }
        let mut table = self.pml4;
        let mut writable = true;
        for level in (1..=4u32).rev() {
            let shift = 12 + 9 * (level - 1);
            let index = ((virt >> shift) & 0x1ff) as usize;
            let (f, addr) = read_entry(table, index);
            if !f.contains(PageTableFlags::PRESENT | PageTableFlags::USER_ACCESSIBLE)
                || f.contains(PageTableFlags::HUGE_PAGE)
            {
                return None;
            }
            writable &= f.contains(PageTableFlags::WRITABLE);
            table = addr;
        }
        Some(UserPage {
            phys: table + (virt & 0xfff),
            writable,
        })
    }

    /// Free every table frame of the lower half and the PML4 (not the
    /// mapped pages: their owners free those).
    pub fn destroy(mut self, frames: &mut dyn TableFrames) {
        for pdpt in self.unhook() {
            free_level(pdpt, 3, frames);
        }
        frames.free(self.pml4);
    }

    /// Clear the lower half of the PML4 (no user address maps anything
    /// any more) and hand back the PDPT frames it pointed to: free them
    /// with [`free_unhooked`] once no CPU can have them cached.
    pub fn unhook(&mut self) -> alloc::vec::Vec<u64> {
        let mut out = alloc::vec::Vec::new();
        let p = phys_to_virt(self.pml4) as *mut u64;
        for i in 0..KERNEL_HALF {
            let (f, addr) = read_entry(self.pml4, i);
            if f.contains(PageTableFlags::PRESENT) {
                out.push(addr);
            }
            // SAFETY: entry `i` (< 256) of this process's own PML4 frame,
            // RAM mapped by the HHDM; clearing it unmaps user addresses
            // only (the kernel half is untouched).
            unsafe { p.wrapping_add(i).write_volatile(0) };
        }
        out
    }
}

/// Free PDPT frames returned by [`UserTables::unhook`] and every table
/// below them.
pub fn free_unhooked(pdpts: alloc::vec::Vec<u64>, frames: &mut dyn TableFrames) {
    for pdpt in pdpts {
        free_level(pdpt, 3, frames);
    }
}

fn free_level(table: u64, level: u32, frames: &mut dyn TableFrames) {
    if level > 1 {
        for i in 0..512 {
            let (f, addr) = read_entry(table, i);
            if f.contains(PageTableFlags::PRESENT) {
                free_level(addr, level - 1, frames);
            }
        }
    }
    frames.free(table);
}

impl UserTables {
    /// Load these tables into CR3 (if not loaded already). Safe: `new`
    /// copied the kernel half, so the kernel stays mapped.
    pub fn activate(&self) {
        // SAFETY: built by `new`, so the kernel half is the kernel's.
        unsafe { activate(self.pml4) }
    }
}

impl UserTables {
    /// Physical address of the PML4 (what CR3 holds).
    pub fn pml4(&self) -> u64 {
        self.pml4
    }

    /// Whether these tables are this CPU's CR3.
    pub fn is_loaded(&self) -> bool {
        use ::x86_64::registers::control::Cr3;
        Cr3::read_raw().0.start_address().as_u64() == self.pml4
    }
}

/// Load `pml4` into CR3 (if it is not loaded already).
///
/// # Safety
/// `pml4` must be a PML4 whose kernel half is the kernel's.
pub unsafe fn activate(pml4: u64) {
    use ::x86_64::registers::control::{Cr3, Cr3Flags};
    if Cr3::read_raw().0.start_address().as_u64() != pml4 {
        let frame = PhysFrame::containing_address(PhysAddr::new(pml4));
        // SAFETY: forwarded to the caller: the kernel stays mapped.
        unsafe { Cr3::write(frame, Cr3Flags::empty()) };
    }
}

/// Flush one page from this CPU's TLB.
pub fn flush_page(virt: u64) {
    if let Ok(v) = VirtAddr::try_new(virt) {
        ::x86_64::instructions::tlb::flush(v);
    }
}

/// Flush this CPU's whole (non-global) TLB.
pub fn flush_all() {
    ::x86_64::instructions::tlb::flush_all();
}
