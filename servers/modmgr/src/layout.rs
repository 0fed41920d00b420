//! Where a module's process keeps what — the CSpace slots of the caps the
//! manager gives it and the addresses of its stack, IPC buffer, start-info
//! page and heap window — and the spawn plan: which Frames the manager
//! makes, what it copies into them, where it maps them, and the memory
//! budget that pays for all of it, computed from the loaded module alone.
//!
//! Rules it keeps:
//! - A segment may not touch a reserved range (stack, IPC buffer, start
//!   info, heap window, the manager's frame window): refused, not moved.
//! - The budget is exact for objects and frames and an upper bound for
//!   page tables (one table per distinct 2 MiB, 1 GiB and 512 GiB region
//!   any mapping touches), so a spawn never runs out half way.

use alloc::vec::Vec;
use core::fmt;

use helix_module_loader::{LoadedModule, SegmentRights};

/// Slots of a module's CSpace.
pub const CSPACE_SLOTS: u32 = 1024;

/// The CSpace layout of a process the manager starts: the runtime's
/// slots (`helix_abi::process::slots`, defined once for the runtime, the
/// kernel's tests and the manager), then the manager's own.
pub mod slots {
    pub use helix_abi::process::slots::{
        ASPACE, CONTROL, FIRST_NAMED, MEMORY, REPORT, SERVICE, THREAD,
    };

    /// The manager's endpoint as the thread's fault endpoint.
    pub const FAULT: u32 = 6;
    /// Most named caps.
    pub const MAX_NAMED: u32 = 64;
    /// First slot of the image's Frame caps.
    pub const FIRST_IMAGE: u32 = FIRST_NAMED + MAX_NAMED;
    /// Most image Frames.
    pub const MAX_IMAGE: u32 = 64;
    /// First slot the process may fill itself.
    pub const FREE_FIRST: u32 = FIRST_IMAGE + MAX_IMAGE;
    /// How many slots it may fill.
    pub const FREE_COUNT: u32 = super::CSPACE_SLOTS - FREE_FIRST;
}

/// Page size.
pub const PAGE: u64 = 4096;
/// Largest Frame the kernel makes, in pages.
pub const FRAME_MAX_PAGES: u64 = 512;
/// Top of the stack (the two start words sit just below it).
pub const STACK_TOP: u64 = 0x0000_7fff_ffff_0000;
/// Pages of stack.
pub const STACK_PAGES: u64 = 32;
/// The IPC buffer page of the first thread.
pub const IPC_BUFFER: u64 = helix_abi::bootinfo::IPC_BUFFER_ADDR;
/// The start-info page.
pub const START_INFO: u64 = helix_abi::bootinfo::START_INFO_ADDR;
/// Where the heap window starts.
pub const HEAP_START: u64 = 0x0000_1000_0000_0000;
/// The frame window helix-sys reserves in every process (`window.rs`).
pub const FRAME_WINDOW: (u64, u64) = (0x0000_6000_0000_0000, 512 * PAGE);

/// Object sizes the kernel charges (`docs/syscalls.md`, "Object sizes").
pub mod cost {
    /// An AddressSpace, before its CSpace slots.
    pub const ADDRESS_SPACE: u64 = 4096;
    /// Per CSpace slot.
    pub const SLOT: u64 = 64;
    /// A Thread.
    pub const THREAD: u64 = 1024;
    /// A page (Frame page or page table).
    pub const PAGE: u64 = 4096;
}

/// Bytes copied from the binary into an image frame.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Fill {
    /// Offset in the frame.
    pub frame_offset: u64,
    /// Offset in the binary.
    pub file_offset: usize,
    /// Bytes.
    pub len: usize,
}

/// One Frame of the image: made, filled, mapped with the segment's rights.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImageFrame {
    /// Where it is mapped.
    pub vaddr: u64,
    /// Pages (at most [`FRAME_MAX_PAGES`]).
    pub pages: u64,
    /// The segment's rights.
    pub rights: SegmentRights,
    /// What to copy into it (the rest stays zero).
    pub fills: Vec<Fill>,
}

/// Everything the manager makes to start a module.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SpawnPlan {
    /// Entry point.
    pub entry: u64,
    /// The image's frames.
    pub image: Vec<ImageFrame>,
    /// Bytes of the module's object budget: address space, CSpace, thread,
    /// every frame and every page table the plan (and the heap window)
    /// can need.
    pub objects_budget: u64,
    /// Bytes of heap budget (the manifest's `memory`).
    pub heap_budget: u64,
}

/// Why a module cannot be laid out.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PlanError {
    /// A segment touches a range the layout reserves.
    Reserved {
        /// The segment's first address.
        vaddr: u64,
        /// What it hits.
        what: &'static str,
    },
    /// More image frames than the CSpace layout has slots for.
    TooManyFrames(usize),
    /// The heap budget is not a whole number of pages or too large.
    BadHeap(u64),
}

impl fmt::Display for PlanError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            PlanError::Reserved { vaddr, what } => {
                write!(f, "segment at {vaddr:#x} overlaps the {what}")
            }
            PlanError::TooManyFrames(n) => write!(
                f,
                "image needs {n} frames, the layout holds {}",
                slots::MAX_IMAGE
            ),
            PlanError::BadHeap(b) => write!(f, "heap budget of {b} bytes is not usable"),
        }
    }
}

impl core::error::Error for PlanError {}

/// Ranges no segment may touch: (start, end, name).
fn reserved(heap: u64) -> [(u64, u64, &'static str); 5] {
    [
        (STACK_TOP - STACK_PAGES * PAGE, STACK_TOP, "stack"),
        (IPC_BUFFER, IPC_BUFFER + PAGE, "IPC buffer"),
        (START_INFO, START_INFO + PAGE, "start-info page"),
        (HEAP_START, HEAP_START + heap, "heap window"),
        (
            FRAME_WINDOW.0,
            FRAME_WINDOW.0 + FRAME_WINDOW.1,
            "frame window",
        ),
    ]
}

/// Page tables (PDPT, PD, PT pages) that mappings of `ranges` can need in
/// a fresh address space: one per distinct 512 GiB, 1 GiB and 2 MiB region.
pub fn page_tables(ranges: &[(u64, u64)]) -> u64 {
    let mut count = 0;
    for shift in [39u32, 30, 21] {
        let mut regions: Vec<u64> = Vec::new();
        for &(start, end) in ranges {
            if end <= start {
                continue;
            }
            let (first, last) = (start >> shift, (end - 1) >> shift);
            regions.extend(first..=last);
        }
        regions.sort_unstable();
        regions.dedup();
        count += regions.len() as u64;
    }
    count
}

impl SpawnPlan {
    /// Lay out `module` with a heap budget of `heap` bytes.
    pub fn new(module: &LoadedModule, heap: u64) -> Result<SpawnPlan, PlanError> {
        if !heap.is_multiple_of(PAGE) || heap > (1 << 40) {
            return Err(PlanError::BadHeap(heap));
        }
        let forbidden = reserved(heap);
        let mut image = Vec::new();
        for seg in &module.segments {
            let start = seg.vaddr & !(PAGE - 1);
            let end = (seg.vaddr + seg.mem_size).div_ceil(PAGE) * PAGE;
            if let Some(&(_, _, what)) = forbidden
                .iter()
                .find(|(lo, hi, _)| start < *hi && *lo < end)
            {
                return Err(PlanError::Reserved {
                    vaddr: seg.vaddr,
                    what,
                });
            }
            let mut at = start;
            while at < end {
                let pages = ((end - at) / PAGE).min(FRAME_MAX_PAGES);
                let frame_end = at + pages * PAGE;
                let mut fills = Vec::new();
                let (lo, hi) = (
                    seg.vaddr.max(at),
                    (seg.vaddr + seg.file_size as u64).min(frame_end),
                );
                if lo < hi {
                    fills.push(Fill {
                        frame_offset: lo - at,
                        file_offset: seg.file_offset + (lo - seg.vaddr) as usize,
                        len: (hi - lo) as usize,
                    });
                }
                image.push(ImageFrame {
                    vaddr: at,
                    pages,
                    rights: seg.rights,
                    fills,
                });
                at = frame_end;
            }
        }
        if image.len() > slots::MAX_IMAGE as usize {
            return Err(PlanError::TooManyFrames(image.len()));
        }
        let image_pages: u64 = image.iter().map(|f| f.pages).sum();
        let mut ranges: Vec<(u64, u64)> = image
            .iter()
            .map(|f| (f.vaddr, f.vaddr + f.pages * PAGE))
            .collect();
        ranges.extend(reserved(heap).iter().take(4).map(|&(lo, hi, _)| (lo, hi)));
        let fixed_pages = STACK_PAGES + 2; // stack, IPC buffer, start info
        let objects_budget = cost::ADDRESS_SPACE
            + cost::SLOT * u64::from(CSPACE_SLOTS)
            + cost::THREAD
            + cost::PAGE * (image_pages + fixed_pages + page_tables(&ranges));
        Ok(SpawnPlan {
            entry: module.entry,
            image,
            objects_budget,
            heap_budget: heap,
        })
    }
}

#[cfg(test)]
mod tests;
