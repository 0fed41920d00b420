//! The malformed-file corpus: the valid image truncated at every offset,
//! every byte flipped, and random corruption (proptest). Nothing panics;
//! each refusal is the expected one where the layout decides it, and
//! anything that still loads satisfies the loader's invariants.

use alloc::vec::Vec;

use proptest::prelude::*;

use super::support::{check_invariants, check_message, load};
use super::synth::*;
use crate::{HeaderTable, LoadError, LoadedModule};

/// What loading the valid image cut to `cut` bytes must say.
fn truncation_error(cut: usize) -> LoadError {
    let cut64 = cut as u64;
    let segment_outside = |segment: usize, offset: u64, size: u64| LoadError::SegmentOutsideFile {
        segment,
        offset,
        size,
        file_len: cut,
    };
    if cut < 4 {
        LoadError::NotElf
    } else if cut < 64 {
        LoadError::TruncatedHeader { len: cut }
    } else if cut64 < PHOFF + 5 * 56 {
        LoadError::TableOutsideFile {
            table: HeaderTable::Program,
            offset: PHOFF,
            count: 5,
            file_len: cut,
        }
    } else if cut64 < RECORD_END {
        segment_outside(1, 0, RECORD_END)
    } else if cut64 < TEXT_AT + TEXT_LEN {
        segment_outside(2, TEXT_AT, TEXT_LEN)
    } else if cut64 < DATA_AT + DATA_LEN {
        segment_outside(3, DATA_AT, DATA_LEN)
    } else {
        // The section headers are the last thing in the file.
        LoadError::TableOutsideFile {
            table: HeaderTable::Section,
            offset: SHOFF,
            count: 4,
            file_len: cut,
        }
    }
}

#[test]
fn every_truncation_is_refused_with_the_expected_error() {
    let data = Image::valid().bytes();
    for cut in 0..data.len() {
        let e = load(&data[..cut]).unwrap_err();
        assert_eq!(e, truncation_error(cut), "cut at {cut:#x}");
        check_message(&e);
    }
    load(&data).unwrap();
}

/// Where a flipped byte lies, and so what the loader must make of it.
enum Region {
    /// A header byte whose refusal is known.
    Refused(LoadError),
    /// Inside the record: refused as metadata, or loads with another record.
    Record,
    /// Segment contents and padding nothing reads: loads, unchanged.
    Inert,
    /// Program/section headers and other fields: anything but a panic, and
    /// an accepted result keeps the invariants.
    Structural,
}

fn region(at: usize, flipped: u8) -> Region {
    let at64 = at as u64;
    let in_range = |start: u64, len: u64| (start..start + len).contains(&at64);
    match at {
        0..4 => Region::Refused(LoadError::NotElf),
        4 => Region::Refused(LoadError::NotElf64 { class: flipped }),
        5 => Region::Refused(LoadError::NotLittleEndian { data: flipped }),
        16 | 17 => {
            let mut t = 2u16.to_le_bytes();
            t[at - 16] = flipped;
            Region::Refused(LoadError::NotExecutable {
                elf_type: u16::from_le_bytes(t),
            })
        }
        18 | 19 => {
            let mut m = 62u16.to_le_bytes();
            m[at - 18] = flipped;
            Region::Refused(LoadError::NotX86_64 {
                machine: u16::from_le_bytes(m),
            })
        }
        // e_ident padding, e_version, e_flags, e_ehsize: nobody reads them.
        6..16 | 20..24 | 48..54 => Region::Inert,
        // The record header's reserved field is not read either.
        _ if in_range(RECORD_AT + 18, 2) => Region::Inert,
        _ if in_range(RECORD_AT, RECORD.len() as u64) => Region::Record,
        _ if in_range(TEXT_AT, TEXT_LEN) || in_range(DATA_AT, DATA_LEN) => Region::Inert,
        // Padding between the pieces.
        _ if in_range(PHOFF + 5 * 56, RECORD_AT - PHOFF - 5 * 56)
            || in_range(RECORD_END, TEXT_AT - RECORD_END)
            || in_range(TEXT_AT + TEXT_LEN, DATA_AT - TEXT_AT - TEXT_LEN)
            || in_range(DATA_AT + DATA_LEN, NAMES_AT - DATA_AT - DATA_LEN)
            || in_range(
                NAMES_AT + NAMES.len() as u64,
                SHOFF - NAMES_AT - NAMES.len() as u64,
            ) =>
        {
            Region::Inert
        }
        _ => Region::Structural,
    }
}

fn same_but_record(a: &LoadedModule, b: &LoadedModule) -> bool {
    a.entry == b.entry && a.segments == b.segments && a.format == b.format
}

#[test]
fn every_byte_flipped_is_handled() {
    let valid = Image::valid().bytes();
    let original = load(&valid).unwrap();
    let mut data = valid.clone();
    let (mut refused, mut accepted) = (0, 0);
    for at in 0..data.len() {
        data[at] ^= 0xff;
        let flipped = data[at];
        let result = load(&data);
        match (&result, region(at, flipped)) {
            (Err(e), Region::Refused(expected)) => assert_eq!(*e, expected, "byte {at:#x}"),
            (Ok(m), Region::Inert) => assert_eq!(*m, original, "byte {at:#x}"),
            (Err(LoadError::Metadata(_)), Region::Record) => {}
            (Ok(m), Region::Record) => {
                assert_ne!(m.record, original.record, "byte {at:#x}");
                assert!(same_but_record(m, &original), "byte {at:#x}");
            }
            (_, Region::Structural) => {}
            (other, _) => panic!("byte {at:#x}: unexpected {other:?}"),
        }
        match &result {
            Ok(m) => {
                check_invariants(&data, m);
                accepted += 1;
            }
            Err(e) => {
                check_message(e);
                refused += 1;
            }
        }
        data[at] ^= 0xff;
    }
    assert_eq!(data, valid);
    // Both outcomes occur: the corpus exercises refusals and acceptances.
    assert!(
        refused > 100 && accepted > 100,
        "{refused} refused, {accepted} accepted"
    );
}

/// A corruption: bytes at offsets replaced.
fn corruption() -> impl Strategy<Value = Vec<(usize, u8)>> {
    proptest::collection::vec((0..IMAGE_LEN, any::<u8>()), 1..24)
}

/// Whether `p`, as segment 3 of the valid image, obeys every rule.
fn sound(p: &Phdr) -> bool {
    let (offset, vaddr) = (u128::from(p.offset), u128::from(p.vaddr));
    let (filesz, memsz) = (u128::from(p.filesz), u128::from(p.memsz));
    let page = 0x1000u128;
    let in_file = offset + filesz <= IMAGE_LEN as u128 && filesz <= memsz;
    if !in_file || memsz == 0 {
        return in_file;
    }
    let end = vaddr + memsz;
    let in_user = vaddr >= 0x1000 && end <= 0x8000_0000_0000;
    let align_ok = p.align == 0
        || (p.align.count_ones() == 1
            && (u128::from(p.align) < page || vaddr % page == offset % page));
    let w_xor_x = p.flags & 3 != 3;
    // Segments 1 and 2 occupy the pages [0x400000, 0x402000).
    let first_page = vaddr / page * page;
    let past_last_page = end.div_ceil(page) * page;
    let apart = past_last_page <= 0x40_0000 || first_page >= 0x40_2000;
    in_user && align_ok && w_xor_x && apart
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2000))]

    #[test]
    fn random_corruption_never_panics_and_keeps_invariants(
        writes in corruption(),
        cut in IMAGE_LEN / 2..=IMAGE_LEN,
    ) {
        let mut data = Image::valid().bytes();
        for (at, value) in writes {
            data[at] = value;
        }
        data.truncate(cut);
        match load(&data) {
            Ok(m) => check_invariants(&data, &m),
            Err(e) => check_message(&e),
        }
    }

    /// Random program headers in place of the data segment: the loader
    /// accepts exactly those the rules allow (an independent oracle in
    /// 128-bit arithmetic), and describes them exactly.
    #[test]
    fn random_data_segment_is_accepted_only_when_sound(
        flags in 0u32..8,
        offset in prop_oneof![4 => 0..IMAGE_LEN as u64, 1 => any::<u64>()],
        filesz in prop_oneof![4 => 0..0x400u64, 1 => any::<u64>()],
        memsz in prop_oneof![4 => 0..0x4000u64, 1 => any::<u64>()],
        page in prop_oneof![
            0..0x10u64,                              // page 0 and just above
            0x3f8..0x410u64,                         // around the other segments
            0x7_ffff_fff0..0x8_0000_0010u64,         // around the top of user space
            any::<u64>().prop_map(|v| v >> 12),
        ],
        congruent in prop::bool::weighted(0.75),
        low_bits in 0..0x1000u64,
        align in prop_oneof![Just(0u64), Just(1), Just(0x1000), Just(0x20_0000), any::<u64>()],
    ) {
        let in_page = if congruent { offset % 0x1000 } else { low_bits };
        let vaddr = (page << 12) | in_page;
        let phdr = Phdr { p_type: 1, flags, offset, vaddr, filesz, memsz, align };
        let data = Image::valid_with(|i| i.phdrs[3] = phdr);
        prop_assert_eq!(load(&data).is_ok(), sound(&phdr), "{:?}", load(&data));
        match load(&data) {
            Ok(m) => {
                check_invariants(&data, &m);
                if memsz > 0 {
                    let s = m.segments.iter().find(|s| s.vaddr == vaddr).unwrap();
                    prop_assert_eq!(s.mem_size, memsz);
                    prop_assert_eq!(s.file_offset as u64, offset);
                    prop_assert_eq!(s.file_size as u64, filesz);
                    prop_assert_eq!(
                        (s.rights.execute, s.rights.write, s.rights.read),
                        (flags & 1 != 0, flags & 2 != 0, flags & 4 != 0)
                    );
                } else {
                    prop_assert_eq!(m.segments.len(), 2);
                }
            }
            Err(e) => check_message(&e),
        }
    }
}
