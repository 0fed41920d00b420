//! The Limine memory map: firmware map + the loader's claims, as the spec
//! wants it (sorted, non-overlapping, usable and bootloader-reclaimable
//! entries page-aligned).

use alloc::vec::Vec;

use crate::addr::{PAGE_SIZE, align_down, align_up};

/// Legacy ISA window (VGA memory, option ROMs, BIOS): never usable RAM,
/// whatever a firmware map says.
pub const ISA_HOLE: (u64, u64) = (0xA_0000, 0x10_0000);

/// Limine memory map entry types; the discriminants are the protocol's.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[repr(u64)]
pub enum MemoryKind {
    /// Free RAM.
    Usable = 0,
    /// Reserved by firmware or hardware.
    Reserved = 1,
    /// ACPI tables the kernel may reclaim after reading them.
    AcpiReclaimable = 2,
    /// ACPI non-volatile storage.
    AcpiNvs = 3,
    /// Defective RAM.
    BadMemory = 4,
    /// Loader data the kernel may reclaim (page tables, responses, stacks, the bundle).
    BootloaderReclaimable = 5,
    /// The kernel image and module contents.
    ExecutableAndModules = 6,
    /// A linear framebuffer.
    Framebuffer = 7,
}

impl MemoryKind {
    /// Maps an E820 type (as in `hvm_memmap_table_entry.type`) to a Limine type.
    pub const fn from_e820(kind: u32) -> Self {
        match kind {
            1 => MemoryKind::Usable,
            3 => MemoryKind::AcpiReclaimable,
            4 => MemoryKind::AcpiNvs,
            5 => MemoryKind::BadMemory,
            _ => MemoryKind::Reserved,
        }
    }

    /// Which type wins where entries overlap: the more restrictive one.
    const fn priority(self) -> u8 {
        match self {
            MemoryKind::Usable => 0,
            MemoryKind::BootloaderReclaimable => 1,
            MemoryKind::ExecutableAndModules => 2,
            MemoryKind::Framebuffer => 3,
            MemoryKind::AcpiReclaimable => 4,
            MemoryKind::AcpiNvs => 5,
            MemoryKind::Reserved => 6,
            MemoryKind::BadMemory => 7,
        }
    }

    /// Types the spec guarantees to be page-aligned and non-overlapping.
    pub const fn is_page_granular(self) -> bool {
        matches!(self, MemoryKind::Usable | MemoryKind::BootloaderReclaimable)
    }

    /// Short name for logs.
    pub const fn name(self) -> &'static str {
        match self {
            MemoryKind::Usable => "usable",
            MemoryKind::Reserved => "reserved",
            MemoryKind::AcpiReclaimable => "acpi-reclaimable",
            MemoryKind::AcpiNvs => "acpi-nvs",
            MemoryKind::BadMemory => "bad",
            MemoryKind::BootloaderReclaimable => "bootloader-reclaimable",
            MemoryKind::ExecutableAndModules => "executable+modules",
            MemoryKind::Framebuffer => "framebuffer",
        }
    }
}

/// One physical range and its type.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Region {
    /// First byte.
    pub base: u64,
    /// Length in bytes.
    pub len: u64,
    /// What it is.
    pub kind: MemoryKind,
}

impl Region {
    /// Creates a region.
    pub const fn new(base: u64, len: u64, kind: MemoryKind) -> Self {
        Region { base, len, kind }
    }

    /// One past the last byte (saturating at the top of the address space).
    pub const fn end(&self) -> u64 {
        self.base.saturating_add(self.len)
    }
}

/// Builds the Limine memory map.
///
/// `firmware` is the firmware's map (any order, may overlap, may be
/// unaligned); `claims` are the loader's page-aligned allocations (bootloader
/// reclaimable, executable and modules), which lie in firmware-usable RAM.
/// Where entries overlap the more restrictive type wins; usable RAM in the
/// ISA hole is dropped; usable and bootloader-reclaimable entries are shrunk
/// to whole pages; page 0 is never usable unless `page0_usable`. The result
/// is sorted by base, non-overlapping, with adjacent equal entries merged.
pub fn build(firmware: &[Region], claims: &[Region], page0_usable: bool) -> Vec<Region> {
    let mut inputs: Vec<Region> = Vec::with_capacity(firmware.len() + claims.len());
    for r in firmware.iter().filter(|r| r.len > 0) {
        if r.kind == MemoryKind::Usable {
            if let Some(aligned) = shrink_to_pages(r.base, r.end(), r.kind) {
                inputs.push(aligned);
            }
        } else {
            inputs.push(*r);
        }
    }
    for c in claims.iter().filter(|c| c.len > 0) {
        let base = align_down(c.base, PAGE_SIZE);
        let end = align_up(c.end(), PAGE_SIZE).unwrap_or(align_down(u64::MAX, PAGE_SIZE));
        inputs.push(Region::new(base, end - base, c.kind));
    }

    let mut points: Vec<u64> = Vec::with_capacity(inputs.len() * 2 + 2);
    for r in &inputs {
        points.push(r.base);
        points.push(r.end());
    }
    points.push(ISA_HOLE.0);
    points.push(ISA_HOLE.1);
    points.sort_unstable();
    points.dedup();

    let mut out: Vec<Region> = Vec::new();
    for w in points.windows(2) {
        let (a, b) = (w[0], w[1]);
        let winner = inputs
            .iter()
            .filter(|r| r.base <= a && r.end() >= b)
            .map(|r| r.kind)
            .max_by_key(|k| k.priority());
        let Some(kind) = winner else { continue };
        if kind == MemoryKind::Usable && a >= ISA_HOLE.0 && b <= ISA_HOLE.1 {
            continue;
        }
        push_merged(&mut out, Region::new(a, b - a, kind));
    }

    let mut result: Vec<Region> = Vec::with_capacity(out.len());
    for r in out {
        let mut base = r.base;
        if r.kind == MemoryKind::Usable && !page0_usable && base < PAGE_SIZE {
            base = PAGE_SIZE;
        }
        if r.kind.is_page_granular() {
            if let Some(aligned) = shrink_to_pages(base, r.end(), r.kind) {
                push_merged(&mut result, aligned);
            }
        } else if r.end() > base {
            push_merged(&mut result, Region::new(base, r.end() - base, r.kind));
        }
    }
    result
}

/// The whole pages inside `[base, end)`, if any.
fn shrink_to_pages(base: u64, end: u64, kind: MemoryKind) -> Option<Region> {
    let b = align_up(base, PAGE_SIZE)?;
    let e = align_down(end, PAGE_SIZE);
    (e > b).then(|| Region::new(b, e - b, kind))
}

fn push_merged(out: &mut Vec<Region>, r: Region) {
    if let Some(last) = out.last_mut()
        && last.kind == r.kind
        && last.end() == r.base
    {
        last.len += r.len;
        return;
    }
    out.push(r);
}

/// Page-aligned `[start, end)` ranges covering every region whose type
/// `keep` accepts (plus `extra`), merged where they touch or overlap.
pub fn covering_ranges(
    map: &[Region],
    keep: impl Fn(MemoryKind) -> bool,
    extra: Option<(u64, u64)>,
) -> Vec<(u64, u64)> {
    let mut ranges: Vec<(u64, u64)> = map
        .iter()
        .filter(|r| keep(r.kind) && r.len > 0)
        .map(|r| {
            let start = align_down(r.base, PAGE_SIZE);
            let end = align_up(r.end(), PAGE_SIZE).unwrap_or(align_down(u64::MAX, PAGE_SIZE));
            (start, end)
        })
        .collect();
    ranges.extend(extra);
    ranges.sort_unstable();
    let mut merged: Vec<(u64, u64)> = Vec::with_capacity(ranges.len());
    for (s, e) in ranges {
        match merged.last_mut() {
            Some(last) if s <= last.1 => last.1 = last.1.max(e),
            _ => merged.push((s, e)),
        }
    }
    merged
}

#[cfg(test)]
mod tests {
    use super::MemoryKind::*;
    use super::*;

    /// The map QEMU 7.2 (q35, 512 MiB, SeaBIOS) hands a PVH guest.
    fn qemu_map() -> Vec<Region> {
        vec![
            Region::new(0, 0x9fc00, Usable),
            Region::new(0x9fc00, 0x400, Reserved),
            Region::new(0xf0000, 0x10000, Reserved),
            Region::new(0x100000, 0x1fedf000, Usable),
            Region::new(0x1ffdf000, 0x21000, Reserved),
            Region::new(0xb0000000, 0x10000000, Reserved),
            Region::new(0xfed1c000, 0x4000, Reserved),
            Region::new(0xfffc0000, 0x40000, Reserved),
            Region::new(0xfd00000000, 0x300000000, Reserved),
        ]
    }

    fn check_invariants(map: &[Region]) {
        for w in map.windows(2) {
            assert!(w[0].base < w[1].base, "sorted: {w:x?}");
            assert!(w[0].end() <= w[1].base, "non-overlapping: {w:x?}");
        }
        for r in map {
            assert!(r.len > 0);
            if r.kind.is_page_granular() {
                assert_eq!(r.base % PAGE_SIZE, 0, "{r:x?}");
                assert_eq!(r.len % PAGE_SIZE, 0, "{r:x?}");
            }
        }
    }

    #[test]
    fn qemu_map_with_claims() {
        let claims = [
            Region::new(0x8000, 0x1000, BootloaderReclaimable),
            Region::new(0x100000, 0x80000, BootloaderReclaimable),
            Region::new(0x200000, 0x40000, ExecutableAndModules),
            Region::new(0x1ffd5000, 0x3000, BootloaderReclaimable),
        ];
        let map = build(&qemu_map(), &claims, false);
        check_invariants(&map);
        assert_eq!(
            &map[..8],
            &[
                Region::new(0x1000, 0x7000, Usable),
                Region::new(0x8000, 0x1000, BootloaderReclaimable),
                Region::new(0x9000, 0x96000, Usable),
                Region::new(0x9fc00, 0x400, Reserved),
                Region::new(0xf0000, 0x10000, Reserved),
                Region::new(0x100000, 0x80000, BootloaderReclaimable),
                Region::new(0x180000, 0x80000, Usable),
                Region::new(0x200000, 0x40000, ExecutableAndModules),
            ]
        );
        assert_eq!(map[8], Region::new(0x240000, 0x1fd95000, Usable));
        assert_eq!(
            map[9],
            Region::new(0x1ffd5000, 0x3000, BootloaderReclaimable)
        );
        assert_eq!(map[10], Region::new(0x1ffd8000, 0x7000, Usable));
        assert_eq!(map[11], Region::new(0x1ffdf000, 0x21000, Reserved));
        assert_eq!(map.len(), 16);
    }

    #[test]
    fn page_zero_rule_depends_on_revision() {
        let fw = [Region::new(0, 0x9f000, Usable)];
        assert_eq!(
            build(&fw, &[], false)[0],
            Region::new(0x1000, 0x9e000, Usable)
        );
        assert_eq!(build(&fw, &[], true)[0], Region::new(0, 0x9f000, Usable));
    }

    #[test]
    fn overlapping_firmware_entries_restrictive_type_wins() {
        let fw = [
            Region::new(0x100000, 0x400000, Usable),
            Region::new(0x200000, 0x1000, AcpiNvs),
            Region::new(0x200800, 0x1000, BadMemory),
        ];
        let map = build(&fw, &[], true);
        check_invariants(&map);
        assert_eq!(
            map,
            vec![
                Region::new(0x100000, 0x100000, Usable),
                Region::new(0x200000, 0x800, AcpiNvs),
                Region::new(0x200800, 0x1000, BadMemory),
                Region::new(0x202000, 0x2fe000, Usable),
            ]
        );
    }

    #[test]
    fn unaligned_usable_is_trimmed_and_isa_hole_is_dropped() {
        let fw = [Region::new(0x10, 0x20_0000, Usable)];
        let map = build(&fw, &[], true);
        check_invariants(&map);
        assert_eq!(
            map,
            vec![
                Region::new(0x1000, 0x9f000, Usable),
                Region::new(0x100000, 0x100000, Usable),
            ]
        );
    }

    #[test]
    fn adjacent_claims_merge_and_unaligned_claims_round_out() {
        let fw = [Region::new(0x100000, 0x100000, Usable)];
        let claims = [
            Region::new(0x100000, 0x1000, BootloaderReclaimable),
            Region::new(0x101000, 0x800, BootloaderReclaimable),
        ];
        let map = build(&fw, &claims, true);
        assert_eq!(
            map,
            vec![
                Region::new(0x100000, 0x2000, BootloaderReclaimable),
                Region::new(0x102000, 0xfe000, Usable),
            ]
        );
    }

    #[test]
    fn empty_and_degenerate_inputs() {
        assert!(build(&[], &[], true).is_empty());
        assert!(build(&[Region::new(0x1234, 0x10, Usable)], &[], true).is_empty());
        let top = [Region::new(u64::MAX - 0xfff, 0x1000, Reserved)];
        assert_eq!(build(&top, &[], true).len(), 1);
    }

    #[test]
    fn e820_types() {
        assert_eq!(MemoryKind::from_e820(1), Usable);
        assert_eq!(MemoryKind::from_e820(2), Reserved);
        assert_eq!(MemoryKind::from_e820(3), AcpiReclaimable);
        assert_eq!(MemoryKind::from_e820(4), AcpiNvs);
        assert_eq!(MemoryKind::from_e820(5), BadMemory);
        assert_eq!(MemoryKind::from_e820(7), Reserved);
    }

    #[test]
    fn covering_ranges_merge() {
        let map = build(&qemu_map(), &[], true);
        let usable = covering_ranges(&map, |k| k == Usable, None);
        assert_eq!(usable, vec![(0, 0x9f000), (0x100000, 0x1ffdf000)]);
        let with_low = covering_ranges(&map, |k| k == Usable, Some((0, 0x1_0000_0000)));
        assert_eq!(with_low, vec![(0, 0x1_0000_0000)]);
        let all = covering_ranges(&map, |_| true, None);
        assert_eq!(all[0], (0, 0xa0000));
    }
}
