//! The kernel address space: built by the kernel itself from the memory
//! map (HHDM of every RAM-like range, the image with per-segment
//! permissions, guard pages left out), then activated.

use core::fmt;

use helix_kernel_core::layout::{self, LayoutError, Perms};
use helix_kernel_core::memmap;
use helix_kernel_core::{LARGE_PAGE_SIZE, PAGE_SIZE, align_down};
use spin::Mutex;

use super::{frames, image};
use crate::arch::paging::{AddressSpace, MapError, Size};
use crate::arch::{cpu, stacks};
use crate::boot::BootInfo;

/// Start of the kernel heap's virtual range.
pub const HEAP_START: u64 = 0xffff_c000_0000_0000;
/// Largest the heap may grow.
pub const HEAP_MAX: u64 = 1 << 30;

static KSPACE: Mutex<Option<AddressSpace>> = Mutex::new(None);

/// Test kernel only (the `acpi_unmappable` drill): the next `map_mmio`
/// fails as if no frame were left for its page table.
#[cfg(feature = "ktest")]
pub static FAIL_NEXT_MMIO: core::sync::atomic::AtomicBool =
    core::sync::atomic::AtomicBool::new(false);

/// Why the kernel address space could not be built.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KspaceError {
    /// The image layout from the linker script is broken.
    Layout(LayoutError),
    /// A mapping failed.
    Map(MapError),
    /// The memory map has more RAM ranges than the builder handles.
    TooManyRanges,
    /// The current stack would not be mapped.
    StackUnmapped(u64),
}

impl fmt::Display for KspaceError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Layout(e) => write!(f, "kernel layout: {e}"),
            Self::Map(e) => write!(f, "mapping: {e}"),
            Self::TooManyRanges => write!(f, "too many RAM ranges to map"),
            Self::StackUnmapped(a) => write!(f, "boot stack at {a:#x} is outside the HHDM ranges"),
        }
    }
}

impl From<MapError> for KspaceError {
    fn from(e: MapError) -> Self {
        Self::Map(e)
    }
}

/// What was mapped.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Stats {
    /// Bytes of HHDM mapped.
    pub hhdm_bytes: u64,
    /// 2 MiB pages used in the HHDM.
    pub large_pages: u64,
    /// Kernel image pages mapped.
    pub image_pages: u64,
}

const MAX_RANGES: usize = 128;

fn covered(ranges: &[(u64, u64)], addr: u64) -> bool {
    ranges.iter().any(|(s, e)| addr >= *s && addr < *e)
}

/// Build the kernel's page tables and switch CR3 to them.
pub fn init(info: &BootInfo) -> Result<Stats, KspaceError> {
    let segments = image::segments();
    layout::check(&segments, image::start()).map_err(KspaceError::Layout)?;
    let mut frame = frames::allocate;
    let mut space = AddressSpace::new(&mut frame)?;
    let mut stats = Stats::default();
    let hhdm = info.hhdm;

    let mut ranges = [(0u64, 0u64); MAX_RANGES];
    let n = memmap::direct_map_ranges(info.regions(), &mut ranges);
    if n == MAX_RANGES {
        return Err(KspaceError::TooManyRanges);
    }
    let ranges = &ranges[..n];
    // The boot stack (in bootloader memory) must stay mapped after the switch.
    let rsp = cpu::rsp();
    if rsp < hhdm || !covered(ranges, rsp - hhdm) {
        return Err(KspaceError::StackUnmapped(rsp));
    }
    for &(start, end) in ranges {
        for c in memmap::chunks(start, end) {
            let size = if c.size == LARGE_PAGE_SIZE {
                stats.large_pages += 1;
                Size::Large
            } else {
                Size::Small
            };
            // SAFETY: the HHDM range of a fresh address space aliases only
            // RAM-like physical memory at the fixed offset the bootloader
            // used too, which is how all kernel code addresses it.
            unsafe { space.map(hhdm + c.phys, c.phys, size, Perms::ReadWrite, &mut frame)? };
            stats.hhdm_bytes += c.size;
        }
    }
    // The RSDP may sit in memory the map calls reserved (BIOS area).
    if let Some(rsdp) = info.rsdp_phys() {
        for page in [
            align_down(rsdp, PAGE_SIZE),
            align_down(rsdp + 35, PAGE_SIZE),
        ] {
            if !covered(ranges, page) {
                // SAFETY: maps one firmware page read-only at its HHDM
                // address; nothing else maps that virtual page.
                match unsafe { space.map(hhdm + page, page, Size::Small, Perms::Read, &mut frame) }
                {
                    Ok(()) | Err(MapError::AlreadyMapped(_)) => {}
                    Err(e) => return Err(e.into()),
                }
            }
        }
    }
    let guards = stacks::guard_pages();
    for seg in &segments {
        let mut virt = seg.start;
        while virt < seg.end {
            if !guards.contains(&virt) {
                let phys = info
                    .image
                    .to_phys(virt)
                    .ok_or(KspaceError::Layout(LayoutError::BelowBase(seg.name)))?;
                // SAFETY: maps the image at its link address onto the
                // physical pages the bootloader loaded it to, as before.
                unsafe { space.map(virt, phys, Size::Small, seg.perms, &mut frame)? };
                stats.image_pages += 1;
            }
            virt += PAGE_SIZE;
        }
    }
    cpu::enable_nx_and_wp();
    // SAFETY: the new tables map the image (text/rodata/data+bss, so code,
    // statics and the IST stacks), the HHDM of every RAM-like range (page
    // tables, boot responses, modules, the boot stack, checked above).
    unsafe { space.activate() };
    *KSPACE.lock() = Some(space);
    Ok(stats)
}

/// Physical address of the kernel PML4 (after [`init`]).
pub fn pml4() -> Option<u64> {
    KSPACE.lock().as_ref().map(AddressSpace::pml4)
}

/// Map fresh frames read-write at `[virt, virt + len)` (page-aligned) in the
/// kernel address space. Used to grow the heap.
pub fn map_fresh(virt: u64, len: u64) -> Result<(), MapError> {
    let mut guard = KSPACE.lock();
    let space = guard.as_mut().ok_or(MapError::OutOfFrames)?;
    let mut frame = frames::allocate;
    let mut at = virt;
    while at < virt + len {
        let phys = frames::allocate().ok_or(MapError::OutOfFrames)?;
        // SAFETY: `virt..virt+len` is a kernel-reserved virtual range (the
        // heap) that nothing maps yet, backed by a frame nobody else owns.
        unsafe { space.map(at, phys, Size::Small, Perms::ReadWrite, &mut frame)? };
        at += PAGE_SIZE;
    }
    Ok(())
}

/// Map one device page (MMIO) at its HHDM address, read-write; returns the
/// virtual address. Mapping it twice is fine.
pub fn map_mmio(phys: u64) -> Result<u64, MapError> {
    #[cfg(feature = "ktest")]
    if FAIL_NEXT_MMIO.swap(false, core::sync::atomic::Ordering::SeqCst) {
        return Err(MapError::OutOfFrames);
    }
    let mut guard = KSPACE.lock();
    let space = guard.as_mut().ok_or(MapError::OutOfFrames)?;
    let mut frame = frames::allocate;
    let phys = align_down(phys, PAGE_SIZE);
    let virt = crate::arch::paging::phys_to_virt(phys);
    // SAFETY: the HHDM address of a device page that no RAM range covers
    // (else it is mapped already and refused below); nothing in Rust owns
    // that memory.
    match unsafe { space.map(virt, phys, Size::Small, Perms::ReadWrite, &mut frame) } {
        Ok(()) | Err(MapError::AlreadyMapped(_)) => Ok(virt),
        Err(e) => Err(e),
    }
}

/// Load the kernel's own tables into CR3 (if not loaded already): used
/// when no process runs on this CPU, and before freeing a process's tables.
pub fn activate_kernel() {
    if let Some(p) = pml4() {
        // SAFETY: the kernel PML4 maps everything the kernel uses.
        unsafe { crate::arch::uspace::activate(p) };
    }
}
