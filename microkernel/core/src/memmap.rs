//! The physical memory map as the bootloader reports it: sanity checks,
//! totals, and which physical ranges the kernel maps through its HHDM.

use core::fmt;

use crate::{LARGE_PAGE_SIZE, PAGE_SIZE, align_down, align_up};

/// What a memory-map entry holds (the Limine entry types).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RegionKind {
    /// Free RAM: the only kind the frame allocator hands out.
    Usable,
    /// Firmware or device reserved.
    Reserved,
    /// ACPI tables, reclaimable once parsed.
    AcpiReclaimable,
    /// ACPI non-volatile storage.
    AcpiNvs,
    /// Broken RAM.
    BadMemory,
    /// Bootloader data (responses, page tables, boot stack).
    BootloaderReclaimable,
    /// The kernel image and the boot modules.
    ExecutableAndModules,
    /// A framebuffer.
    Framebuffer,
    /// A type this kernel does not know.
    Unknown(u64),
}

impl RegionKind {
    /// Map a Limine `LIMINE_MEMMAP_*` number to a kind.
    pub const fn from_limine(raw: u64) -> Self {
        match raw {
            0 => Self::Usable,
            1 => Self::Reserved,
            2 => Self::AcpiReclaimable,
            3 => Self::AcpiNvs,
            4 => Self::BadMemory,
            5 => Self::BootloaderReclaimable,
            6 => Self::ExecutableAndModules,
            7 => Self::Framebuffer,
            n => Self::Unknown(n),
        }
    }

    /// Whether the kernel maps this kind into its higher-half direct map.
    /// Reserved, bad and unknown ranges stay unmapped.
    pub const fn is_direct_mapped(self) -> bool {
        matches!(
            self,
            Self::Usable
                | Self::AcpiReclaimable
                | Self::AcpiNvs
                | Self::BootloaderReclaimable
                | Self::ExecutableAndModules
                | Self::Framebuffer
        )
    }

    /// Short lowercase name for logs.
    pub const fn name(self) -> &'static str {
        match self {
            Self::Usable => "usable",
            Self::Reserved => "reserved",
            Self::AcpiReclaimable => "acpi-reclaimable",
            Self::AcpiNvs => "acpi-nvs",
            Self::BadMemory => "bad",
            Self::BootloaderReclaimable => "bootloader-reclaimable",
            Self::ExecutableAndModules => "kernel+modules",
            Self::Framebuffer => "framebuffer",
            Self::Unknown(_) => "unknown",
        }
    }
}

/// One memory-map entry: `[base, base + len)`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Region {
    /// First physical byte.
    pub base: u64,
    /// Length in bytes.
    pub len: u64,
    /// What the range holds.
    pub kind: RegionKind,
}

impl Region {
    /// One past the last byte; `None` if the range wraps the address space.
    pub const fn end(&self) -> Option<u64> {
        self.base.checked_add(self.len)
    }

    /// Whether `addr` lies inside this region.
    pub const fn contains(&self, addr: u64) -> bool {
        match self.end() {
            Some(end) => addr >= self.base && addr < end,
            None => false,
        }
    }
}

/// Why a memory map is not sane.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MemMapError {
    /// The map has no entries.
    Empty,
    /// Entry `index` has length 0.
    EmptyEntry {
        /// Index of the bad entry.
        index: usize,
    },
    /// Entry `index` runs past the end of the address space.
    Wraps {
        /// Index of the bad entry.
        index: usize,
    },
    /// Entry `index` starts below entry `index - 1`.
    NotSorted {
        /// Index of the bad entry.
        index: usize,
    },
    /// Entry `index` overlaps entry `index - 1`.
    Overlap {
        /// Index of the bad entry.
        index: usize,
    },
    /// Usable entry `index` is not page-aligned (the protocol promises it is).
    UnalignedUsable {
        /// Index of the bad entry.
        index: usize,
    },
}

impl fmt::Display for MemMapError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Empty => write!(f, "memory map is empty"),
            Self::EmptyEntry { index } => write!(f, "entry {index} has length 0"),
            Self::Wraps { index } => write!(f, "entry {index} wraps the address space"),
            Self::NotSorted { index } => write!(f, "entry {index} is below entry {}", index - 1),
            Self::Overlap { index } => write!(f, "entry {index} overlaps entry {}", index - 1),
            Self::UnalignedUsable { index } => {
                write!(f, "usable entry {index} is not page-aligned")
            }
        }
    }
}

/// Check that the map is non-empty, sorted by base, non-overlapping, and that
/// usable entries are page-aligned.
pub fn check(regions: &[Region]) -> Result<(), MemMapError> {
    if regions.is_empty() {
        return Err(MemMapError::Empty);
    }
    let mut prev_end: Option<(u64, u64)> = None;
    for (index, r) in regions.iter().enumerate() {
        if r.len == 0 {
            return Err(MemMapError::EmptyEntry { index });
        }
        let end = r.end().ok_or(MemMapError::Wraps { index })?;
        if r.kind == RegionKind::Usable && (r.base % PAGE_SIZE != 0 || r.len % PAGE_SIZE != 0) {
            return Err(MemMapError::UnalignedUsable { index });
        }
        if let Some((prev_base, prev_end)) = prev_end {
            if r.base < prev_base {
                return Err(MemMapError::NotSorted { index });
            }
            if r.base < prev_end {
                return Err(MemMapError::Overlap { index });
            }
        }
        prev_end = Some((r.base, end));
    }
    Ok(())
}

/// Byte totals per class, for the boot log.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Totals {
    /// Usable RAM.
    pub usable: u64,
    /// Bootloader- and ACPI-reclaimable RAM.
    pub reclaimable: u64,
    /// Kernel image and modules.
    pub kernel_and_modules: u64,
    /// Everything else (reserved, NVS, bad, framebuffer, unknown).
    pub other: u64,
}

/// Sum the map by class.
pub fn totals(regions: &[Region]) -> Totals {
    let mut t = Totals::default();
    for r in regions {
        let slot = match r.kind {
            RegionKind::Usable => &mut t.usable,
            RegionKind::BootloaderReclaimable | RegionKind::AcpiReclaimable => &mut t.reclaimable,
            RegionKind::ExecutableAndModules => &mut t.kernel_and_modules,
            _ => &mut t.other,
        };
        *slot = slot.saturating_add(r.len);
    }
    t
}

/// Which memory-map region holds `addr`, if any.
pub fn find(regions: &[Region], addr: u64) -> Option<&Region> {
    regions.iter().find(|r| r.contains(addr))
}

/// One mapping step of the direct map: `size` is [`PAGE_SIZE`] or
/// [`LARGE_PAGE_SIZE`], `phys` is aligned to it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct MapChunk {
    /// Physical start.
    pub phys: u64,
    /// Page size used for this chunk.
    pub size: u64,
}

/// Split the page-rounded range `[start, end)` into the fewest 4 KiB and
/// 2 MiB chunks: small pages up to the first 2 MiB boundary, large pages in
/// the middle, small pages for the tail. `start`/`end` are rounded outward to
/// 4 KiB first.
pub fn chunks(start: u64, end: u64) -> Chunks {
    let start = align_down(start, PAGE_SIZE);
    let end = align_up(end, PAGE_SIZE).unwrap_or(align_down(u64::MAX, PAGE_SIZE));
    Chunks { next: start, end }
}

/// Iterator returned by [`chunks`].
#[derive(Clone, Debug)]
pub struct Chunks {
    next: u64,
    end: u64,
}

impl Iterator for Chunks {
    type Item = MapChunk;

    fn next(&mut self) -> Option<MapChunk> {
        if self.next >= self.end {
            return None;
        }
        let phys = self.next;
        let large = phys.is_multiple_of(LARGE_PAGE_SIZE) && self.end - phys >= LARGE_PAGE_SIZE;
        let size = if large { LARGE_PAGE_SIZE } else { PAGE_SIZE };
        self.next = phys + size;
        Some(MapChunk { phys, size })
    }
}

/// Merge the direct-mapped regions of a sorted map into maximal page-rounded
/// ranges `(start, end)`, written into `out`; returns how many were written.
/// Ranges that touch after rounding are merged, so no 4 KiB page is covered
/// by two ranges. Stops early (returning `out.len()`) when `out` is full.
pub fn direct_map_ranges(regions: &[Region], out: &mut [(u64, u64)]) -> usize {
    let mut n = 0;
    for r in regions.iter().filter(|r| r.kind.is_direct_mapped()) {
        let Some(end) = r.end() else { continue };
        let start = align_down(r.base, PAGE_SIZE);
        let end = align_up(end, PAGE_SIZE).unwrap_or(align_down(u64::MAX, PAGE_SIZE));
        if n > 0 && start <= out[n - 1].1 {
            out[n - 1].1 = out[n - 1].1.max(end);
            continue;
        }
        if n == out.len() {
            return n;
        }
        out[n] = (start, end);
        n += 1;
    }
    n
}

#[cfg(test)]
mod tests {
    use super::*;

    fn r(base: u64, len: u64, kind: RegionKind) -> Region {
        Region { base, len, kind }
    }

    #[test]
    fn sane_map_passes() {
        let map = [
            r(0, 0x9f000, RegionKind::Usable),
            r(0x9f000, 0x1000, RegionKind::Reserved),
            r(0x100000, 0x100000, RegionKind::Usable),
            r(0x200000, 0x123, RegionKind::AcpiNvs),
        ];
        assert_eq!(check(&map), Ok(()));
    }

    #[test]
    fn broken_maps_are_rejected() {
        assert_eq!(check(&[]), Err(MemMapError::Empty));
        let unsorted = [
            r(0x100000, 0x1000, RegionKind::Usable),
            r(0x0, 0x1000, RegionKind::Usable),
        ];
        assert_eq!(check(&unsorted), Err(MemMapError::NotSorted { index: 1 }));
        let overlap = [
            r(0x0, 0x2000, RegionKind::Usable),
            r(0x1000, 0x1000, RegionKind::Reserved),
        ];
        assert_eq!(check(&overlap), Err(MemMapError::Overlap { index: 1 }));
        let empty = [r(0x0, 0, RegionKind::Reserved)];
        assert_eq!(check(&empty), Err(MemMapError::EmptyEntry { index: 0 }));
        let wraps = [r(u64::MAX - 10, 0x1000, RegionKind::Reserved)];
        assert_eq!(check(&wraps), Err(MemMapError::Wraps { index: 0 }));
        let unaligned = [r(0x800, 0x1000, RegionKind::Usable)];
        assert_eq!(
            check(&unaligned),
            Err(MemMapError::UnalignedUsable { index: 0 })
        );
    }

    #[test]
    fn totals_sum_by_class() {
        let map = [
            r(0, 0x1000, RegionKind::Usable),
            r(0x1000, 0x2000, RegionKind::BootloaderReclaimable),
            r(0x3000, 0x4000, RegionKind::ExecutableAndModules),
            r(0x7000, 0x1000, RegionKind::Reserved),
            r(0x8000, 0x1000, RegionKind::Usable),
        ];
        let t = totals(&map);
        assert_eq!(t.usable, 0x2000);
        assert_eq!(t.reclaimable, 0x2000);
        assert_eq!(t.kernel_and_modules, 0x4000);
        assert_eq!(t.other, 0x1000);
        assert_eq!(
            find(&map, 0x3fff).map(|r| r.kind),
            Some(RegionKind::ExecutableAndModules)
        );
        assert_eq!(find(&map, 0x9000), None);
    }

    #[test]
    fn chunks_use_large_pages_in_the_middle() {
        let c: Vec<_> = chunks(0x1ff000, 0x601000).collect();
        assert_eq!(
            c.first(),
            Some(&MapChunk {
                phys: 0x1ff000,
                size: PAGE_SIZE
            })
        );
        assert_eq!(
            c[1],
            MapChunk {
                phys: 0x200000,
                size: LARGE_PAGE_SIZE
            }
        );
        assert_eq!(
            c[2],
            MapChunk {
                phys: 0x400000,
                size: LARGE_PAGE_SIZE
            }
        );
        assert_eq!(
            c[3],
            MapChunk {
                phys: 0x600000,
                size: PAGE_SIZE
            }
        );
        assert_eq!(c.len(), 4);
        // Every byte covered exactly once, in order.
        let mut at = 0x1ff000;
        for ch in &c {
            assert_eq!(ch.phys, at);
            assert_eq!(ch.phys % ch.size, 0);
            at += ch.size;
        }
        assert_eq!(at, 0x601000);
    }

    #[test]
    fn chunks_round_outward() {
        let c: Vec<_> = chunks(0x1234, 0x1235).collect();
        assert_eq!(
            c,
            vec![MapChunk {
                phys: 0x1000,
                size: PAGE_SIZE
            }]
        );
        assert_eq!(chunks(0x5000, 0x5000).count(), 0);
    }

    #[test]
    fn direct_map_merges_and_skips_reserved() {
        let map = [
            r(0x0, 0x9f000, RegionKind::Usable),
            r(0x9f000, 0x1000, RegionKind::Reserved),
            r(0x100000, 0x800, RegionKind::AcpiNvs),
            r(0x100800, 0x800, RegionKind::AcpiReclaimable),
            r(0x101000, 0x1000, RegionKind::Usable),
            r(0x200000, 0x1000, RegionKind::BadMemory),
        ];
        let mut out = [(0, 0); 8];
        let n = direct_map_ranges(&map, &mut out);
        assert_eq!(&out[..n], &[(0x0, 0x9f000), (0x100000, 0x102000)]);
        let mut small = [(0, 0); 1];
        assert_eq!(direct_map_ranges(&map, &mut small), 1);
    }
}
