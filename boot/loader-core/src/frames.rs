//! Physical memory for the loader: a first-fit allocator over firmware-usable
//! RAM that remembers every claim, so the memory map can report it.

use alloc::vec::Vec;
use core::fmt;

use crate::addr::{PAGE_SIZE, align_down, align_up};
use crate::memmap::{ISA_HOLE, MemoryKind, Region};

/// What an allocation is for (for the out-of-memory message).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Purpose {
    /// The loaded kernel image.
    KernelImage,
    /// The copy of the kernel ELF file (executable file response).
    KernelFile,
    /// A module's contents.
    Module,
    /// Page tables.
    PageTables,
    /// A CPU's stack.
    Stack,
    /// Limine response structures.
    Responses,
}

impl fmt::Display for Purpose {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Purpose::KernelImage => "the kernel image",
            Purpose::KernelFile => "the kernel file",
            Purpose::Module => "a module",
            Purpose::PageTables => "page tables",
            Purpose::Stack => "a stack",
            Purpose::Responses => "Limine responses",
        })
    }
}

/// Why memory could not be had.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MemError {
    /// The firmware map has no usable RAM in the loader's window.
    NoUsableMemory,
    /// No free run of `size` bytes is left.
    OutOfMemory {
        /// Bytes asked for.
        size: u64,
        /// What for.
        purpose: Purpose,
    },
}

impl fmt::Display for MemError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            MemError::NoUsableMemory => f.write_str("no usable RAM between 1 MiB and 4 GiB"),
            MemError::OutOfMemory { size, purpose } => {
                write!(
                    f,
                    "out of memory: no {} KiB left for {purpose}",
                    size.div_ceil(1024)
                )
            }
        }
    }
}

/// First-fit physical allocator. Free space is a sorted list of page-aligned
/// `[start, end)` runs; claims are recorded with their memory-map type.
#[derive(Clone, Debug)]
pub struct FrameAllocator {
    free: Vec<(u64, u64)>,
    claims: Vec<Region>,
}

impl FrameAllocator {
    /// Free space = whole pages of firmware-usable RAM inside `[floor, ceiling)`,
    /// outside the ISA hole and outside every non-usable firmware entry.
    pub fn new(firmware: &[Region], floor: u64, ceiling: u64) -> Result<Self, MemError> {
        let mut alloc = FrameAllocator {
            free: Vec::new(),
            claims: Vec::new(),
        };
        for r in firmware.iter().filter(|r| r.kind == MemoryKind::Usable) {
            let start = align_up(r.base.max(floor), PAGE_SIZE).unwrap_or(u64::MAX);
            let end = align_down(r.end().min(ceiling), PAGE_SIZE);
            if end > start {
                alloc.free.push((start, end));
            }
        }
        alloc.free.sort_unstable();
        let mut merged: Vec<(u64, u64)> = Vec::with_capacity(alloc.free.len());
        for (s, e) in alloc.free.drain(..) {
            match merged.last_mut() {
                Some(last) if s <= last.1 => last.1 = last.1.max(e),
                _ => merged.push((s, e)),
            }
        }
        alloc.free = merged;
        alloc.remove(ISA_HOLE.0, ISA_HOLE.1);
        for r in firmware.iter().filter(|r| r.kind != MemoryKind::Usable) {
            alloc.remove(r.base, r.end());
        }
        if alloc.free.is_empty() {
            return Err(MemError::NoUsableMemory);
        }
        Ok(alloc)
    }

    /// Takes `[base, base+len)` (rounded out to pages) out of the free space
    /// without reporting it (memory the loader must not hand out, e.g. the
    /// firmware's start-of-day structures it has already copied).
    pub fn reserve(&mut self, base: u64, len: u64) {
        let start = align_down(base, PAGE_SIZE);
        let end = align_up(base.saturating_add(len), PAGE_SIZE).unwrap_or(u64::MAX);
        self.remove(start, end);
    }

    /// Like [`reserve`](Self::reserve), and reports the range as `kind` in the memory map.
    pub fn claim(&mut self, base: u64, len: u64, kind: MemoryKind) {
        self.reserve(base, len);
        let start = align_down(base, PAGE_SIZE);
        let end = align_up(base.saturating_add(len), PAGE_SIZE).unwrap_or(u64::MAX);
        self.record(Region::new(start, end - start, kind));
    }

    /// Allocates `size` bytes (rounded up to pages) aligned to `align` (a power
    /// of two, at least a page), lowest address first.
    pub fn alloc(
        &mut self,
        size: u64,
        align: u64,
        kind: MemoryKind,
        purpose: Purpose,
    ) -> Result<u64, MemError> {
        let oom = MemError::OutOfMemory { size, purpose };
        let size = align_up(size.max(1), PAGE_SIZE).ok_or(oom)?;
        let align = align.max(PAGE_SIZE);
        let found = self.free.iter().find_map(|&(s, e)| {
            let start = align_up(s, align)?;
            (start.checked_add(size)? <= e).then_some(start)
        });
        let start = found.ok_or(oom)?;
        self.remove(start, start + size);
        self.record(Region::new(start, size, kind));
        Ok(start)
    }

    /// Every claim so far, in claim order (adjacent equal claims merged).
    pub fn claims(&self) -> &[Region] {
        &self.claims
    }

    /// Bytes still free.
    pub fn free_bytes(&self) -> u64 {
        self.free.iter().map(|(s, e)| e - s).sum()
    }

    fn record(&mut self, r: Region) {
        if let Some(last) = self.claims.last_mut()
            && last.kind == r.kind
            && last.end() == r.base
        {
            last.len += r.len;
            return;
        }
        self.claims.push(r);
    }

    fn remove(&mut self, start: u64, end: u64) {
        if end <= start {
            return;
        }
        let mut out = Vec::with_capacity(self.free.len() + 1);
        for &(s, e) in &self.free {
            if e <= start || s >= end {
                out.push((s, e));
                continue;
            }
            if s < start {
                out.push((s, start));
            }
            if e > end {
                out.push((end, e));
            }
        }
        self.free = out;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use MemoryKind::*;

    fn fw() -> Vec<Region> {
        vec![
            Region::new(0, 0x9fc00, Usable),
            Region::new(0x100000, 0x1000000, Usable),
            Region::new(0x500000, 0x1000, Reserved),
        ]
    }

    #[test]
    fn allocates_lowest_first_above_floor_and_records_claims() {
        let mut a = FrameAllocator::new(&fw(), 0x100000, 1 << 32).unwrap();
        a.claim(0x100000, 0x23456, BootloaderReclaimable);
        let p = a
            .alloc(0x3000, PAGE_SIZE, ExecutableAndModules, Purpose::Module)
            .unwrap();
        assert_eq!(p, 0x124000);
        let q = a
            .alloc(1, 0x200000, BootloaderReclaimable, Purpose::Stack)
            .unwrap();
        assert_eq!(q, 0x200000);
        assert_eq!(
            a.claims(),
            &[
                Region::new(0x100000, 0x24000, BootloaderReclaimable),
                Region::new(0x124000, 0x3000, ExecutableAndModules),
                Region::new(0x200000, 0x1000, BootloaderReclaimable),
            ]
        );
    }

    #[test]
    fn skips_reserved_holes_and_reports_oom() {
        let mut a = FrameAllocator::new(&fw(), 0x4ff000, 0x502000).unwrap();
        assert_eq!(a.free_bytes(), 0x2000);
        let err = a
            .alloc(0x2000, PAGE_SIZE, Usable, Purpose::PageTables)
            .unwrap_err();
        assert_eq!(
            err,
            MemError::OutOfMemory {
                size: 0x2000,
                purpose: Purpose::PageTables
            }
        );
        assert_eq!(
            a.alloc(0x1000, PAGE_SIZE, Usable, Purpose::PageTables),
            Ok(0x4ff000)
        );
        assert_eq!(
            a.alloc(0x1000, PAGE_SIZE, Usable, Purpose::PageTables),
            Ok(0x501000)
        );
        assert!(
            a.alloc(0x1000, PAGE_SIZE, Usable, Purpose::PageTables)
                .is_err()
        );
        assert_eq!(
            err.to_string(),
            "out of memory: no 8 KiB left for page tables"
        );
    }

    #[test]
    fn no_usable_memory() {
        let only_low = [Region::new(0, 0x9fc00, Usable)];
        assert_eq!(
            FrameAllocator::new(&only_low, 0x100000, 1 << 32).unwrap_err(),
            MemError::NoUsableMemory
        );
        assert_eq!(
            FrameAllocator::new(&[], 0, 1 << 32).unwrap_err(),
            MemError::NoUsableMemory
        );
        let isa = [Region::new(0xa0000, 0x60000, Usable)];
        assert!(FrameAllocator::new(&isa, 0, 1 << 32).is_err());
    }

    #[test]
    fn reserve_is_not_reported() {
        let mut a = FrameAllocator::new(&fw(), 0x100000, 1 << 32).unwrap();
        a.reserve(0x100000, 0x1000);
        assert!(a.claims().is_empty());
        assert_eq!(
            a.alloc(0x1000, PAGE_SIZE, Usable, Purpose::Stack),
            Ok(0x101000)
        );
    }
}
