//! `Segment` and `LoadedModule` helpers, and `ModuleFormat` detection.

use alloc::vec;
use alloc::vec::Vec;

use helix_protocol::metadata::ModuleRecord;

use super::synth::RECORD;
use crate::{LoadedModule, ModuleFormat, Segment, SegmentRights};

fn segment(vaddr: u64, mem_size: u64, file_offset: usize, file_size: usize) -> Segment {
    Segment {
        vaddr,
        mem_size,
        file_offset,
        file_size,
        rights: SegmentRights::R,
    }
}

#[test]
fn segment_bytes_never_panics() {
    let data: Vec<u8> = (0..32).collect();
    assert_eq!(segment(0x1000, 8, 4, 4).bytes(&data), &[4, 5, 6, 7]);
    assert_eq!(segment(0x1000, 8, 30, 4).bytes(&data), &[30, 31]);
    assert_eq!(segment(0x1000, 8, 32, 4).bytes(&data), &[] as &[u8]);
    assert_eq!(segment(0x1000, 8, usize::MAX, 4).bytes(&data), &[] as &[u8]);
    assert_eq!(segment(0x1000, 8, 4, usize::MAX).bytes(&data).len(), 28);
    assert_eq!(segment(0x1000, 8, 0, 0).bytes(&data), &[] as &[u8]);
}

#[test]
fn segment_extent() {
    let s = segment(0x40_1400, 0x40, 0, 0);
    assert_eq!(s.end(), Some(0x40_1440));
    assert_eq!(s.pages(), Some(0x40_1000..0x40_2000));
    assert!(s.contains(0x40_1400) && s.contains(0x40_143f));
    assert!(!s.contains(0x40_13ff) && !s.contains(0x40_1440));
    // A page-aligned end stays put.
    assert_eq!(segment(0x2000, 0x1000, 0, 0).pages(), Some(0x2000..0x3000));
    // Wrapping segments (never produced by a loader) have no extent.
    let wraps = segment(u64::MAX - 1, 4, 0, 0);
    assert_eq!(wraps.end(), None);
    assert_eq!(wraps.pages(), None);
    assert_eq!(segment(u64::MAX - 0x10, 4, 0, 0).pages(), None);
}

#[test]
fn module_sizes_and_range() {
    let record = ModuleRecord::decode(&RECORD).unwrap();
    let mut m = LoadedModule {
        format: ModuleFormat::Elf,
        symbols: record.symbols.clone(),
        record,
        entry: 0x5000,
        segments: vec![
            segment(0x5000, 0x1001, 0, 0), // pages 0x5000..0x7000
            segment(0x3ff0, 0x10, 0, 0),   // page 0x3000
        ],
    };
    assert_eq!(m.page_count(), 3);
    assert_eq!(m.image_size(), 0x3000);
    assert_eq!(m.address_range(), Some(0x3000..0x7000));
    assert_eq!(m.segment_at(0x6000), Some(&m.segments[0]));
    assert_eq!(m.segment_at(0x4000), None);
    m.segments.clear();
    assert_eq!(m.page_count(), 0);
    assert_eq!(m.address_range(), None);
}

#[test]
fn formats_are_detected_by_their_magic() {
    assert_eq!(
        ModuleFormat::detect(b"\x7fELF\x02\x01"),
        Some(ModuleFormat::Elf)
    );
    assert_eq!(
        ModuleFormat::detect(b"HXNM"),
        Some(ModuleFormat::HelixNative)
    );
    assert_eq!(
        ModuleFormat::detect(b"\0asm\x01\0\0\0"),
        Some(ModuleFormat::Wasm)
    );
    for junk in [
        &b""[..],
        b"\x7fEL",
        b"\x7felf",
        b"HXMD",
        b"asm\0",
        b"\0\0\0\0",
    ] {
        assert_eq!(ModuleFormat::detect(junk), None, "{junk:?}");
    }
    // The magics are distinct and each one detects its format.
    for f in ModuleFormat::ALL {
        assert_eq!(ModuleFormat::detect(&f.magic()), Some(f));
    }
    assert_eq!(alloc::format!("{}", ModuleFormat::Wasm), "WebAssembly");
}
