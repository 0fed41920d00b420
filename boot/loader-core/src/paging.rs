//! 4-level x86-64 page tables, built through a [`TableMemory`] so the same
//! code runs in the loader (tables in physical RAM) and in host tests.

use core::fmt;

use crate::addr::{HUGE_PAGE_SIZE, LARGE_PAGE_SIZE, PAGE_SIZE, is_canonical};

/// Entry bit: present.
pub const PRESENT: u64 = 1 << 0;
/// Entry bit: writable.
pub const WRITABLE: u64 = 1 << 1;
/// Entry bit: large page (in a PDPT or PD entry).
pub const HUGE: u64 = 1 << 7;
/// Entry bit: no-execute.
pub const NO_EXECUTE: u64 = 1 << 63;
/// Physical address bits of an entry.
pub const ADDR_MASK: u64 = 0x000f_ffff_ffff_f000;

/// Where page tables live.
pub trait TableMemory {
    /// A zeroed, page-aligned 4 KiB table; its physical address.
    fn alloc_table(&mut self) -> Option<u64>;
    /// Entry `index` of the table at physical `table`.
    fn read(&self, table: u64, index: usize) -> u64;
    /// Sets entry `index` of the table at physical `table`.
    fn write(&mut self, table: u64, index: usize, entry: u64);
}

/// Access rights of a leaf mapping.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Access {
    /// Writes allowed.
    pub writable: bool,
    /// Instruction fetch allowed.
    pub executable: bool,
}

impl Access {
    /// Read, write, execute (the direct maps).
    pub const RWX: Access = Access {
        writable: true,
        executable: true,
    };
}

/// Page sizes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PageSize {
    /// 4 KiB.
    Small,
    /// 2 MiB.
    Large,
    /// 1 GiB.
    Huge,
}

impl PageSize {
    /// Bytes.
    pub const fn bytes(self) -> u64 {
        match self {
            PageSize::Small => PAGE_SIZE,
            PageSize::Large => LARGE_PAGE_SIZE,
            PageSize::Huge => HUGE_PAGE_SIZE,
        }
    }
}

/// Why a mapping could not be made.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum MapError {
    /// No memory left for a table.
    OutOfMemory,
    /// Addresses or length not page-aligned.
    Misaligned,
    /// Virtual range not canonical (or wraps).
    NonCanonical,
    /// Part of the range is mapped already.
    AlreadyMapped {
        /// First conflicting virtual address.
        virt: u64,
    },
}

impl fmt::Display for MapError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            MapError::OutOfMemory => f.write_str("out of memory for page tables"),
            MapError::Misaligned => f.write_str("mapping not page-aligned"),
            MapError::NonCanonical => f.write_str("mapping not canonical"),
            MapError::AlreadyMapped { virt } => write!(f, "{virt:#x} mapped twice"),
        }
    }
}

/// The largest-pages-first split of a `[virt, virt+len)` -> `phys` mapping.
pub fn split(
    virt: u64,
    phys: u64,
    len: u64,
    huge_pages: bool,
) -> impl Iterator<Item = (u64, u64, PageSize)> {
    let mut off = 0u64;
    core::iter::from_fn(move || {
        if off >= len {
            return None;
        }
        let (v, p, left) = (virt + off, phys + off, len - off);
        let fits = |s: PageSize| (v | p).is_multiple_of(s.bytes()) && left >= s.bytes();
        let size = if huge_pages && fits(PageSize::Huge) {
            PageSize::Huge
        } else if fits(PageSize::Large) {
            PageSize::Large
        } else {
            PageSize::Small
        };
        off += size.bytes();
        Some((v, p, size))
    })
}

/// Builds one address space.
pub struct Mapper<'m, M: TableMemory> {
    mem: &'m mut M,
    root: u64,
    nx: bool,
    huge_pages: bool,
}

impl<'m, M: TableMemory> Mapper<'m, M> {
    /// A new empty address space. `nx`: the CPU has EFER.NXE (else the NX bit
    /// is never set); `huge_pages`: the CPU has 1 GiB pages.
    pub fn new(mem: &'m mut M, nx: bool, huge_pages: bool) -> Result<Self, MapError> {
        let root = mem.alloc_table().ok_or(MapError::OutOfMemory)?;
        Ok(Mapper {
            mem,
            root,
            nx,
            huge_pages,
        })
    }

    /// Physical address of the PML4 (the CR3 value).
    pub fn root(&self) -> u64 {
        self.root
    }

    /// Maps `[virt, virt+len)` to `[phys, phys+len)` with the largest pages that fit.
    pub fn map(&mut self, virt: u64, phys: u64, len: u64, access: Access) -> Result<(), MapError> {
        if !(virt | phys | len).is_multiple_of(PAGE_SIZE) {
            return Err(MapError::Misaligned);
        }
        if len == 0 {
            return Ok(());
        }
        let last = virt.checked_add(len - 1).ok_or(MapError::NonCanonical)?;
        if !is_canonical(virt) || !is_canonical(last) || (virt >> 47) != (last >> 47) {
            return Err(MapError::NonCanonical);
        }
        for (v, p, size) in split(virt, phys, len, self.huge_pages) {
            self.map_one(v, p, size, access)?;
        }
        Ok(())
    }

    fn leaf_bits(&self, access: Access) -> u64 {
        let mut bits = PRESENT;
        if access.writable {
            bits |= WRITABLE;
        }
        if !access.executable && self.nx {
            bits |= NO_EXECUTE;
        }
        bits
    }

    fn map_one(
        &mut self,
        virt: u64,
        phys: u64,
        size: PageSize,
        access: Access,
    ) -> Result<(), MapError> {
        let leaf_level = match size {
            PageSize::Huge => 2,
            PageSize::Large => 1,
            PageSize::Small => 0,
        };
        let mut table = self.root;
        for level in (leaf_level + 1..=3).rev() {
            let index = index_of(virt, level);
            let entry = self.mem.read(table, index);
            table = if entry & PRESENT == 0 {
                let next = self.mem.alloc_table().ok_or(MapError::OutOfMemory)?;
                self.mem.write(table, index, next | PRESENT | WRITABLE);
                next
            } else if entry & HUGE != 0 {
                return Err(MapError::AlreadyMapped { virt });
            } else {
                entry & ADDR_MASK
            };
        }
        let index = index_of(virt, leaf_level);
        if self.mem.read(table, index) & PRESENT != 0 {
            return Err(MapError::AlreadyMapped { virt });
        }
        let huge = if leaf_level > 0 { HUGE } else { 0 };
        self.mem
            .write(table, index, phys | self.leaf_bits(access) | huge);
        Ok(())
    }

    /// Walks the tables: physical address and access of `virt`, if mapped.
    pub fn translate(&self, virt: u64) -> Option<(u64, Access)> {
        let mut table = self.root;
        for level in (0..=3).rev() {
            let entry = self.mem.read(table, index_of(virt, level));
            if entry & PRESENT == 0 {
                return None;
            }
            let leaf = level == 0 || entry & HUGE != 0;
            if leaf {
                let span = PAGE_SIZE << (9 * level);
                let access = Access {
                    writable: entry & WRITABLE != 0,
                    executable: entry & NO_EXECUTE == 0,
                };
                return Some((
                    (entry & ADDR_MASK & !(span - 1)) + (virt & (span - 1)),
                    access,
                ));
            }
            table = entry & ADDR_MASK;
        }
        None
    }
}

/// Index of `virt` in the table at `level` (0 = PT, 3 = PML4).
const fn index_of(virt: u64, level: u32) -> usize {
    ((virt >> (12 + 9 * level)) & 0x1ff) as usize
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    #[derive(Default)]
    struct FakeMemory {
        tables: HashMap<u64, [u64; 512]>,
        next: u64,
        limit: Option<usize>,
    }

    impl TableMemory for FakeMemory {
        fn alloc_table(&mut self) -> Option<u64> {
            if self.limit.is_some_and(|l| self.tables.len() >= l) {
                return None;
            }
            self.next += PAGE_SIZE;
            let addr = 0x1000_0000 + self.next;
            self.tables.insert(addr, [0; 512]);
            Some(addr)
        }
        fn read(&self, table: u64, index: usize) -> u64 {
            self.tables[&table][index]
        }
        fn write(&mut self, table: u64, index: usize, entry: u64) {
            self.tables.get_mut(&table).unwrap()[index] = entry;
        }
    }

    const RO: Access = Access {
        writable: false,
        executable: false,
    };
    const RX: Access = Access {
        writable: false,
        executable: true,
    };

    #[test]
    fn split_uses_largest_fitting_pages() {
        let parts: Vec<_> = split(0x1ff000, 0x1ff000, 0x4000_2000, true).collect();
        assert_eq!(parts[0], (0x1ff000, 0x1ff000, PageSize::Small));
        assert_eq!(parts[1], (0x200000, 0x200000, PageSize::Large));
        let huge = parts.iter().filter(|p| p.2 == PageSize::Huge).count();
        assert_eq!(huge, 0, "0x200000 is not 1 GiB aligned until 0x40000000");
        let total: u64 = parts.iter().map(|p| p.2.bytes()).sum();
        assert_eq!(total, 0x4000_2000);
        let gib: Vec<_> = split(0, 0, 0x8000_0000, true).collect();
        assert_eq!(
            gib,
            vec![
                (0, 0, PageSize::Huge),
                (0x4000_0000, 0x4000_0000, PageSize::Huge)
            ]
        );
        let no_gib = split(0, 0, 0x4000_0000, false).count();
        assert_eq!(no_gib, 512);
        let skew = split(0x200000, 0x201000, 0x400000, true).all(|p| p.2 == PageSize::Small);
        assert!(
            skew,
            "virt and phys must be equally aligned for large pages"
        );
    }

    #[test]
    fn maps_and_translates_with_permissions() {
        let mut mem = FakeMemory::default();
        let mut m = Mapper::new(&mut mem, true, true).unwrap();
        let hhdm = 0xffff_8000_0000_0000;
        m.map(hhdm, 0, 0x8000_0000, Access::RWX).unwrap();
        m.map(0xffff_ffff_8000_0000, 0x20_0000, 0x1000, RX).unwrap();
        m.map(0xffff_ffff_8000_1000, 0x20_1000, 0x1000, RO).unwrap();
        assert_eq!(
            m.translate(hhdm + 0x1234_5678),
            Some((0x1234_5678, Access::RWX))
        );
        assert_eq!(m.translate(0xffff_ffff_8000_0010), Some((0x20_0010, RX)));
        assert_eq!(m.translate(0xffff_ffff_8000_1ff8), Some((0x20_1ff8, RO)));
        assert_eq!(m.translate(0xffff_ffff_8000_2000), None);
        assert_eq!(m.translate(0x1000), None);
        let root = m.root();
        let pml4_kernel = mem.read(root, 511);
        assert_eq!(
            pml4_kernel & (PRESENT | WRITABLE | NO_EXECUTE),
            PRESENT | WRITABLE
        );
    }

    #[test]
    fn nx_bit_only_when_supported() {
        let mut mem = FakeMemory::default();
        let mut m = Mapper::new(&mut mem, false, false).unwrap();
        m.map(0xffff_ffff_8000_0000, 0x20_0000, 0x1000, RO).unwrap();
        let (_, access) = m.translate(0xffff_ffff_8000_0000).unwrap();
        assert!(access.executable, "without NXE the bit must stay clear");
    }

    #[test]
    fn rejects_bad_requests() {
        let mut mem = FakeMemory::default();
        let mut m = Mapper::new(&mut mem, true, true).unwrap();
        assert_eq!(m.map(0x1001, 0, 0x1000, RO), Err(MapError::Misaligned));
        assert_eq!(
            m.map(0x0000_8000_0000_0000, 0, 0x1000, RO),
            Err(MapError::NonCanonical)
        );
        assert_eq!(
            m.map(0x7fff_ffff_f000, 0, 0x2000, RO),
            Err(MapError::NonCanonical)
        );
        m.map(0x20_0000, 0x20_0000, 0x20_0000, RO).unwrap();
        assert_eq!(
            m.map(0x20_1000, 0, 0x1000, RO),
            Err(MapError::AlreadyMapped { virt: 0x20_1000 })
        );
        m.map(0x40_0000, 0, 0x1000, RO).unwrap();
        assert_eq!(
            m.map(0x40_0000, 0, 0x20_0000, RO),
            Err(MapError::AlreadyMapped { virt: 0x40_0000 })
        );
    }

    #[test]
    fn out_of_table_memory() {
        let mut mem = FakeMemory {
            limit: Some(2),
            ..FakeMemory::default()
        };
        let mut m = Mapper::new(&mut mem, true, true).unwrap();
        assert_eq!(
            m.map(0x1000, 0x1000, 0x1000, RO),
            Err(MapError::OutOfMemory)
        );
    }
}
