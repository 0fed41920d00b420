//! The loader accepts a valid image and describes it exactly as built.

use alloc::vec;

use goblin::elf::program_header::{PF_R, PF_X};
use helix_protocol::metadata::RecordDependency;
use helix_protocol::{AbiVersion, ModuleFlags, Signature, SymbolKind};

use super::support::{check_invariants, load};
use super::synth::*;
use crate::{ModuleFormat, Segment, SegmentRights, USER_MIN, USER_TOP};

#[test]
fn valid_image_loads_with_record_entry_and_segments_as_built() {
    let data = Image::valid().bytes();
    assert_eq!(data.len(), IMAGE_LEN);
    let m = load(&data).unwrap();
    check_invariants(&data, &m);

    assert_eq!(m.format, ModuleFormat::Elf);
    assert_eq!(m.entry, 0x40_1410);
    assert_eq!(
        m.segments,
        vec![
            Segment {
                vaddr: 0x40_0000,
                mem_size: RECORD_END,
                file_offset: 0,
                file_size: RECORD_END as usize,
                rights: SegmentRights::R,
            },
            Segment {
                vaddr: 0x40_1400,
                mem_size: 0x40,
                file_offset: 0x400,
                file_size: 0x40,
                rights: SegmentRights::RX,
            },
            Segment {
                vaddr: 0x40_2500,
                mem_size: 0x2000,
                file_offset: 0x500,
                file_size: 0x20,
                rights: SegmentRights::RW,
            },
        ]
    );
    // The segment bytes are the file bytes that were placed there.
    assert_eq!(m.segments[1].bytes(&data)[0], 0x90);
    assert_eq!(m.segments[2].bytes(&data)[1], 0xa4);
    assert_eq!(&m.segments[0].bytes(&data)[..4], b"\x7fELF");

    let r = &m.record;
    assert_eq!(r.name, "synthetic");
    assert_eq!(r.version, "1.2.3");
    assert_eq!(r.author, "loader tests");
    assert_eq!(r.description, "A hand-assembled module");
    assert_eq!(r.abi, AbiVersion::new(1, 4, 2));
    assert_eq!(
        r.flags,
        ModuleFlags::HOT_RELOADABLE | ModuleFlags::USERSPACE
    );
    assert_eq!(
        r.dependencies,
        vec![
            RecordDependency {
                name: "kvstore".into(),
                version_constraint: "^0.1".into(),
            },
            RecordDependency {
                name: "helix-hal".into(),
                version_constraint: ">=0.4.0".into(),
            },
        ]
    );
    assert_eq!(r.provides, vec!["kv"]);
    assert_eq!(m.symbols.len(), 2);
    let get = m.symbols.get("get").unwrap();
    assert_eq!(get.kind, SymbolKind::Function);
    assert_eq!(
        get.signature,
        Signature::parse("fn(String)->Option<Vec<u8>>").unwrap()
    );
    assert!(!get.deprecated);
    let limit = m.symbols.get("LIMIT").unwrap();
    assert_eq!(limit.kind, SymbolKind::Variable);
    assert!(limit.deprecated);
    assert_eq!(m.symbols, r.symbols);

    // Derived sizes: pages 0x400000, 0x401000, 0x402000..0x405000.
    assert_eq!(m.page_count(), 5);
    assert_eq!(m.image_size(), 5 * 0x1000);
    assert_eq!(m.address_range(), Some(0x40_0000..0x40_5000));
    assert_eq!(m.segment_at(ENTRY), Some(&m.segments[1]));
}

#[test]
fn segments_come_out_sorted_whatever_the_header_order() {
    let data = Image::valid_with(|i| i.phdrs.reverse());
    let m = load(&data).unwrap();
    check_invariants(&data, &m);
    let addrs: alloc::vec::Vec<u64> = m.segments.iter().map(|s| s.vaddr).collect();
    assert_eq!(addrs, vec![0x40_0000, TEXT_VADDR, DATA_VADDR]);
}

#[test]
fn boundaries_of_the_user_half_are_accepted() {
    // A segment starting at the first allowed page...
    let data = Image::valid_with(|i| {
        i.phdrs[3] = Phdr::load(PF_R, 0, USER_MIN, 0x10, 0x10);
    });
    let m = load(&data).unwrap();
    assert_eq!(m.segments[0].vaddr, USER_MIN);
    // ...and one ending exactly at the top of user space.
    let data = Image::valid_with(|i| {
        i.phdrs[3] = Phdr::load(PF_R, 0x500, USER_TOP - 0x1000 + 0x500, 0x20, 0xb00);
    });
    let m = load(&data).unwrap();
    assert_eq!(m.segments[2].end(), Some(USER_TOP));
    check_invariants(&data, &m);
}

#[test]
fn neighbouring_pages_and_relaxed_alignment_are_accepted() {
    // The text now fills its page up to 0x402000, where the data's page starts.
    let data = Image::valid_with(|i| i.phdrs[2].memsz = 0xc00);
    let m = load(&data).unwrap();
    assert_eq!(m.segments[1].pages(), Some(0x40_1000..0x40_2000));
    assert_eq!(m.segments[2].pages(), Some(0x40_2000..0x40_5000));
    // p_align 1 or 0: no congruence rule (the manager copies bytes).
    for align in [0, 1, 16] {
        let data = Image::valid_with(|i| {
            i.phdrs[3].align = align;
            i.phdrs[3].vaddr = 0x40_3000;
        });
        let m = load(&data).unwrap();
        assert_eq!(m.segments[2].vaddr, 0x40_3000, "align {align}");
    }
    // The last byte of the text is a valid entry.
    let data = Image::valid_with(|i| i.entry = TEXT_VADDR + TEXT_LEN - 1);
    assert_eq!(load(&data).unwrap().entry, TEXT_VADDR + TEXT_LEN - 1);
}

#[test]
fn empty_load_segments_and_other_headers_are_ignored() {
    let data = Image::valid_with(|i| {
        // A PT_LOAD with no memory at a nonsense address maps nothing.
        // (It replaces PT_GNU_STACK: the layout has room for 5 headers.)
        let mut empty = Phdr::load(PF_R | PF_X, 0x10, 0, 0, 0);
        empty.align = 0;
        i.phdrs[4] = empty;
    });
    let m = load(&data).unwrap();
    assert_eq!(m.segments.len(), 3);
    check_invariants(&data, &m);
}

#[test]
fn read_only_execute_segment_keeps_its_rights_exactly() {
    let data = Image::valid_with(|i| i.phdrs[2].flags = PF_X);
    let m = load(&data).unwrap();
    assert_eq!(
        m.segments[1].rights,
        SegmentRights {
            read: false,
            write: false,
            execute: true,
        }
    );
}

#[test]
fn extended_section_name_index_is_followed() {
    // e_shstrndx = SHN_XINDEX: the index is in section 0's sh_link.
    let mut data = Image::valid_with(|i| i.shstrndx = 0xffff);
    let link_at = SHOFF as usize + 40;
    data[link_at..link_at + 4].copy_from_slice(&3u32.to_le_bytes());
    assert_eq!(load(&data).unwrap().record.name, "synthetic");
}
