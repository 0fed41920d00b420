//! Valid HelixNative files: the layout the encoder writes, byte for byte
//! where the format fixes it, and the module the loader describes.

use super::support::{image_len, lenient, load_checked};
use crate::fixtures::elf::{Image, RECORD};
use crate::fixtures::native;
use crate::native::{
    HEADER_LEN, NativeFile, NativeSegment, SEGMENT_ENTRY_LEN, SIGNATURE_BLOCK_LEN, checksum, encode,
};
use crate::{ElfLoader, LoadError, ModuleFormat, ModuleLoader, SegmentRights};

#[test]
fn the_packed_fixture_has_the_documented_layout() {
    let elf = Image::valid().bytes();
    let from_elf = ElfLoader::parse(&elf).unwrap();
    let file = native::valid();
    let data_len: usize = from_elf.segments.iter().map(|s| s.file_size).sum();
    let expected_len = HEADER_LEN + RECORD.len() + 3 * SEGMENT_ENTRY_LEN + data_len + 4;
    assert_eq!(file.len(), expected_len);
    assert_eq!(&file[0..4], b"HXNM");
    assert_eq!(u16::from_le_bytes([file[4], file[5]]), 1);
    assert_eq!(u16::from_le_bytes([file[6], file[7]]), 32);
    assert_eq!(
        u32::from_le_bytes(file[8..12].try_into().unwrap()) as usize,
        file.len()
    );
    assert_eq!(
        u32::from_le_bytes(file[12..16].try_into().unwrap()) as usize,
        RECORD.len()
    );
    assert_eq!(u16::from_le_bytes([file[16], file[17]]), 3);
    assert_eq!(&file[18..24], &[0; 6]);
    assert_eq!(
        u64::from_le_bytes(file[24..32].try_into().unwrap()),
        from_elf.entry
    );
    // The record is the ELF section's bytes, verbatim.
    assert_eq!(&file[32..32 + RECORD.len()], &RECORD[..]);
    assert_eq!(ElfLoader::record_bytes(&elf).unwrap(), &RECORD[..]);
    // The table: one entry per segment, in the ELF loader's order.
    let table = 32 + RECORD.len();
    for (i, s) in from_elf.segments.iter().enumerate() {
        let e = &file[table + i * 24..table + (i + 1) * 24];
        assert_eq!(u64::from_le_bytes(e[0..8].try_into().unwrap()), s.vaddr);
        assert_eq!(u64::from_le_bytes(e[8..16].try_into().unwrap()), s.mem_size);
        assert_eq!(
            u32::from_le_bytes(e[16..20].try_into().unwrap()) as usize,
            s.file_size
        );
        let rights = u8::from(s.rights.read)
            | u8::from(s.rights.write) << 1
            | u8::from(s.rights.execute) << 2;
        assert_eq!(e[20], rights);
        assert_eq!(&e[21..24], &[0; 3]);
    }
    // The checksum: CRC-32 of everything before it (zlib's check value of
    // "123456789" is 0xcbf43926).
    assert_eq!(checksum(b"123456789"), 0xcbf4_3926);
    let sum = u32::from_le_bytes(file[file.len() - 4..].try_into().unwrap());
    assert_eq!(sum, crc32fast::hash(&file[..file.len() - 4]));
}

#[test]
fn the_loaded_module_is_the_elf_module_with_native_offsets() {
    let elf = Image::valid().bytes();
    let from_elf = ElfLoader::parse(&elf).unwrap();
    let file = native::valid();
    let m = load_checked(&lenient(), &file).unwrap();
    assert_eq!(m.format, ModuleFormat::HelixNative);
    assert_eq!(m.record, from_elf.record);
    assert_eq!(m.symbols, from_elf.symbols);
    assert_eq!(m.entry, from_elf.entry);
    assert_eq!(m.segments.len(), from_elf.segments.len());
    let mut offset = 32 + RECORD.len() + 3 * 24;
    for (n, e) in m.segments.iter().zip(&from_elf.segments) {
        assert_eq!(
            (n.vaddr, n.mem_size, n.file_size, n.rights),
            (e.vaddr, e.mem_size, e.file_size, e.rights)
        );
        assert_eq!(
            n.file_offset, offset,
            "segment data follows the table in order"
        );
        assert_eq!(n.bytes(&file), e.bytes(&elf));
        offset += n.file_size;
    }
    assert_eq!(offset, file.len() - 4);
    assert_eq!(m.page_count(), from_elf.page_count());
    let parsed = NativeFile::parse(&file).unwrap();
    assert_eq!(parsed.record_bytes().unwrap(), &RECORD[..]);
    assert!(parsed.signature().is_none());
    assert_eq!(parsed.image(), &file[..]);
}

#[test]
fn a_signed_file_is_the_image_plus_one_block() {
    let unsigned = native::valid();
    let signed = native::signed(1);
    assert_eq!(signed.len(), unsigned.len() + SIGNATURE_BLOCK_LEN);
    assert_eq!(&signed[..unsigned.len()], &unsigned[..]);
    let block = &signed[image_len()..];
    assert_eq!(&block[0..4], b"HXSG");
    assert_eq!(&block[4..8], &[1, 0, 0, 0]);
    assert_eq!(&block[8..40], &native::public_key(1));
    // Re-signing replaces the block instead of stacking another.
    let resigned = crate::native::sign(&signed, &native::key(2)).unwrap();
    assert_eq!(resigned.len(), signed.len());
    assert_eq!(
        &resigned[8 + image_len()..40 + image_len()],
        &native::public_key(2)
    );
}

#[test]
fn encode_writes_segments_in_the_given_order_and_the_loader_sorts_them() {
    let record = RECORD;
    let code = [0xc3u8; 16];
    let data = [7u8; 8];
    let segments = [
        NativeSegment {
            vaddr: 0x50_0000,
            mem_size: 0x1000,
            rights: SegmentRights::RW,
            bytes: &data,
        },
        NativeSegment {
            vaddr: 0x40_0000,
            mem_size: 16,
            rights: SegmentRights::RX,
            bytes: &code,
        },
    ];
    let file = encode(&record, 0x40_0004, &segments).unwrap();
    let m = load_checked(&lenient(), &file).unwrap();
    assert_eq!(m.segments[0].vaddr, 0x40_0000);
    assert_eq!(m.segments[0].bytes(&file), &code);
    assert_eq!(m.segments[1].bytes(&file), &data);
    assert!(m.segments[1].file_offset < m.segments[0].file_offset);
}

#[test]
fn can_load_and_unload() {
    let loader = lenient();
    assert_eq!(loader.format(), ModuleFormat::HelixNative);
    assert!(loader.can_load(&native::valid()));
    assert!(loader.can_load(b"HXNM"));
    assert!(!loader.can_load(b"HXNM\x02\x00"));
    assert!(!loader.can_load(&Image::valid().bytes()));
    let m = loader.parse(&native::valid()).unwrap();
    loader.unload(&m).unwrap();
    let elf = ElfLoader::parse(&Image::valid().bytes()).unwrap();
    assert_eq!(
        loader.unload(&elf),
        Err(LoadError::WrongFormat {
            loader: ModuleFormat::HelixNative,
            module: ModuleFormat::Elf
        })
    );
}
