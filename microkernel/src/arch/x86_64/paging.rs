//! 4-level paging: building the kernel's own tables, mapping pages, and a
//! read-only walker that reports what a virtual address maps to.
//!
//! All page-table memory is reached through the higher-half direct map
//! (HHDM), whose offset is recorded once with [`set_hhdm`].

use core::sync::atomic::{AtomicU64, Ordering};

use ::x86_64::registers::control::{Cr3, Cr3Flags};
use ::x86_64::structures::paging::mapper::{MapToError, Mapper as _};
use ::x86_64::structures::paging::{
    FrameAllocator, OffsetPageTable, Page, PageSize, PageTable, PageTableFlags, PhysFrame,
    Size2MiB, Size4KiB,
};
use ::x86_64::{PhysAddr, VirtAddr};
use helix_kernel_core::layout::Perms;

static HHDM: AtomicU64 = AtomicU64::new(0);

/// Record the HHDM offset (once, at boot).
pub fn set_hhdm(offset: u64) {
    HHDM.store(offset, Ordering::SeqCst);
}

/// The HHDM offset (0 before [`set_hhdm`]).
pub fn hhdm() -> u64 {
    HHDM.load(Ordering::SeqCst)
}

/// Virtual address of physical `phys` in the HHDM.
pub fn phys_to_virt(phys: u64) -> u64 {
    hhdm() + phys
}

/// Page sizes the kernel maps.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Size {
    /// 4 KiB.
    Small,
    /// 2 MiB.
    Large,
}

/// Why a mapping failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MapError {
    /// No frame for a page table.
    OutOfFrames,
    /// The page is mapped already.
    AlreadyMapped(u64),
    /// A huge page covers the range already.
    HugePageInTheWay(u64),
    /// Address not aligned to the page size.
    Unaligned(u64),
}

impl core::fmt::Display for MapError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self {
            Self::OutOfFrames => write!(f, "out of frames for page tables"),
            Self::AlreadyMapped(v) => write!(f, "{v:#x} is mapped already"),
            Self::HugePageInTheWay(v) => write!(f, "a huge page covers {v:#x}"),
            Self::Unaligned(v) => write!(f, "{v:#x} is not aligned to its page size"),
        }
    }
}

fn flags_for(perms: Perms) -> PageTableFlags {
    let mut f = PageTableFlags::PRESENT;
    if perms.writable() {
        f |= PageTableFlags::WRITABLE;
    }
    if !perms.executable() {
        f |= PageTableFlags::NO_EXECUTE;
    }
    f
}

/// Adapter from a "give me a frame" closure to the `x86_64` crate's trait.
struct FrameFn<'a>(&'a mut dyn FnMut() -> Option<u64>);

// SAFETY: the closure hands out frames that are unused and owned by the
// caller from now on (the kernel's frame allocator never returns a frame
// twice); the mapper zeroes every table frame it takes.
unsafe impl FrameAllocator<Size4KiB> for FrameFn<'_> {
    fn allocate_frame(&mut self) -> Option<PhysFrame<Size4KiB>> {
        (self.0)().map(|p| PhysFrame::containing_address(PhysAddr::new(p)))
    }
}

/// A set of page tables, by the physical address of its PML4.
#[derive(Debug)]
pub struct AddressSpace {
    pml4: u64,
}

impl AddressSpace {
    /// A new, empty address space (one zeroed PML4 from `frame`).
    pub fn new(frame: &mut dyn FnMut() -> Option<u64>) -> Result<Self, MapError> {
        let pml4 = frame().ok_or(MapError::OutOfFrames)?;
        let table = phys_to_virt(pml4) as *mut PageTable;
        // SAFETY: `pml4` is a fresh frame owned by us and mapped through the
        // HHDM; writing a zeroed table there is in bounds and exclusive.
        unsafe { table.write(PageTable::new()) };
        Ok(Self { pml4 })
    }

    /// Physical address of the PML4.
    pub fn pml4(&self) -> u64 {
        self.pml4
    }

    fn with_mapper<R>(&mut self, f: impl FnOnce(&mut OffsetPageTable<'_>) -> R) -> R {
        let table = phys_to_virt(self.pml4) as *mut PageTable;
        // SAFETY: `self` owns the tables rooted at `pml4` (`&mut self` makes
        // this the only reference), the PML4 is mapped in the HHDM, and the
        // reference does not outlive `f`.
        let table = unsafe { &mut *table };
        // SAFETY: all physical memory holding page tables is mapped at
        // `hhdm()` (RAM-like regions are in the HHDM).
        let mut mapper = unsafe { OffsetPageTable::new(table, VirtAddr::new(hhdm())) };
        f(&mut mapper)
    }

    /// Map `virt` to `phys` with a page of `size` and `perms`.
    ///
    /// # Safety
    /// Mapping must not alias memory that Rust code owns with a different
    /// meaning, and if this address space is active, the caller must not
    /// rely on any previous translation of `virt` (there is none: remaps are
    /// refused).
    pub unsafe fn map(
        &mut self,
        virt: u64,
        phys: u64,
        size: Size,
        perms: Perms,
        frame: &mut dyn FnMut() -> Option<u64>,
    ) -> Result<(), MapError> {
        let flags = flags_for(perms);
        let parent = PageTableFlags::PRESENT | PageTableFlags::WRITABLE;
        let mut alloc = FrameFn(frame);
        self.with_mapper(|m| {
            let res = match size {
                Size::Small => {
                    let page = Page::<Size4KiB>::from_start_address(VirtAddr::new(virt))
                        .map_err(|_| MapError::Unaligned(virt))?;
                    let frame = PhysFrame::<Size4KiB>::from_start_address(PhysAddr::new(phys))
                        .map_err(|_| MapError::Unaligned(phys))?;
                    // SAFETY: forwarded to our caller.
                    unsafe { m.map_to_with_table_flags(page, frame, flags, parent, &mut alloc) }
                        .map(|flush| flush.ignore())
                        .map_err(|e| map_err(e, virt))
                }
                Size::Large => {
                    let page = Page::<Size2MiB>::from_start_address(VirtAddr::new(virt))
                        .map_err(|_| MapError::Unaligned(virt))?;
                    let frame = PhysFrame::<Size2MiB>::from_start_address(PhysAddr::new(phys))
                        .map_err(|_| MapError::Unaligned(phys))?;
                    // SAFETY: forwarded to our caller.
                    unsafe { m.map_to_with_table_flags(page, frame, flags, parent, &mut alloc) }
                        .map(|flush| flush.ignore())
                        .map_err(|e| map_err(e, virt))
                }
            };
            if res.is_ok() {
                ::x86_64::instructions::tlb::flush(VirtAddr::new(virt));
            }
            res
        })
    }

    /// Make this address space the active one (load CR3).
    ///
    /// # Safety
    /// The tables must map everything the kernel uses from now on: its
    /// image, its current stack, the HHDM ranges it touches.
    pub unsafe fn activate(&self) {
        let frame = PhysFrame::containing_address(PhysAddr::new(self.pml4));
        // SAFETY: forwarded to our caller.
        unsafe { Cr3::write(frame, Cr3Flags::empty()) };
    }
}

fn map_err<S: PageSize>(e: MapToError<S>, virt: u64) -> MapError {
    match e {
        MapToError::FrameAllocationFailed => MapError::OutOfFrames,
        MapToError::PageAlreadyMapped(_) => MapError::AlreadyMapped(virt),
        MapToError::ParentEntryHugePage => MapError::HugePageInTheWay(virt),
    }
}

/// What a virtual address translates to under the active tables.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Translation {
    /// Physical address.
    pub phys: u64,
    /// Writable at every level.
    pub writable: bool,
    /// Executable at every level (no NX bit anywhere on the path).
    pub executable: bool,
    /// Size of the leaf page in bytes.
    pub page_size: u64,
}

/// Walk the active page tables for `virt`. `None` if unmapped (or if the
/// HHDM offset is not known yet).
pub fn translate(virt: u64) -> Option<Translation> {
    if hhdm() == 0 {
        return None;
    }
    let mut table = Cr3::read().0.start_address().as_u64();
    let mut writable = true;
    let mut executable = true;
    for level in (1..=4u32).rev() {
        let shift = 12 + 9 * (level - 1);
        let index = (virt >> shift) & 0x1ff;
        let entry_addr = phys_to_virt(table) + index * 8;
        // SAFETY: `table` is the physical address of a page table (from
        // CR3 or a present non-leaf entry); page tables live in RAM, which
        // the HHDM maps, and an aligned u64 read of an entry is in bounds.
        let entry = unsafe { (entry_addr as *const u64).read_volatile() };
        let flags = PageTableFlags::from_bits_truncate(entry);
        if !flags.contains(PageTableFlags::PRESENT) {
            return None;
        }
        writable &= flags.contains(PageTableFlags::WRITABLE);
        executable &= !flags.contains(PageTableFlags::NO_EXECUTE);
        let addr = entry & 0x000f_ffff_ffff_f000;
        let leaf = level == 1 || (level <= 3 && flags.contains(PageTableFlags::HUGE_PAGE));
        if leaf {
            let page_size = 1u64 << shift;
            let base = addr & !(page_size - 1);
            return Some(Translation {
                phys: base + (virt & (page_size - 1)),
                writable,
                executable,
                page_size,
            });
        }
        table = addr;
    }
    None
}
