//! One broken field at a time, with a correct checksum (the checksum is
//! tested in `corpus`): each refusal is the documented one.

use helix_protocol::metadata::RecordError;

use super::support::refused;
use crate::fixtures::elf::{DATA_VADDR, ENTRY, TEXT_VADDR};
use crate::fixtures::native::{self, Raw};
use crate::native::NativeError;
use crate::{LoadError, USER_TOP};

#[test]
fn header_fields() {
    let mut v2 = native::valid();
    v2[4] = 2;
    refused(&v2, NativeError::UnsupportedVersion(2));
    let mut long_header = native::valid();
    long_header[6] = 40;
    refused(&long_header, NativeError::BadHeaderLength(40));
    refused(
        &Raw::valid_with(|r| {
            r.header.image_len = 35;
            r.keep_image_len = true;
        }),
        NativeError::BadImageLength(35),
    );
    let valid_len = native::valid().len();
    let long = Raw::valid_with(|r| {
        r.header.image_len = valid_len as u32 + 1;
        r.keep_image_len = true;
    });
    refused(
        &long,
        NativeError::Truncated {
            needed: valid_len + 1,
            len: valid_len,
        },
    );
    refused(
        &Raw::valid_with(|r| r.header.flags = 1),
        NativeError::ReservedNotZero { offset: 18 },
    );
    refused(
        &Raw::valid_with(|r| r.header.reserved = 1 << 24),
        NativeError::ReservedNotZero { offset: 20 },
    );
}

#[test]
fn trailer() {
    for extra in [1usize, 8, 103, 105, 300] {
        let mut data = native::valid();
        data.resize(data.len() + extra, 0);
        refused(&data, NativeError::BadTrailer { len: extra });
    }
    let mut bad_magic = native::signed(1);
    let at = native::valid().len();
    bad_magic[at] = b'X';
    refused(&bad_magic, NativeError::BadSignatureMagic);
    let mut bad_algorithm = native::signed(1);
    bad_algorithm[at + 4] = 2;
    refused(&bad_algorithm, NativeError::UnknownSignatureAlgorithm(2));
    let mut reserved = native::signed(1);
    reserved[at + 7] = 1;
    refused(&reserved, NativeError::ReservedNotZero { offset: at + 7 });
}

#[test]
fn layout_lengths() {
    refused(
        &Raw::valid_with(|r| r.header.segment_count = 0),
        LoadError::NoLoadSegment,
    );
    let data_len = Raw::valid().data.len();
    // The table declares more entries than there are.
    let more = Raw::valid_with(|r| r.header.segment_count = 4);
    assert!(matches!(
        crate::native::NativeFile::parse(&more).map(|f| f.module()),
        Ok(Err(LoadError::Native(
            NativeError::DataLengthMismatch { .. }
        )))
    ));
    // A record length reaching past the checksum.
    let raw = Raw::valid();
    let huge = Raw::valid_with(|r| r.header.record_len = u32::MAX);
    refused(
        &huge,
        NativeError::TablesPastImage {
            end: 32 + u64::from(u32::MAX) + 3 * 24,
            checksum_at: raw.bytes().len() - 4,
        },
    );
    // Data bytes missing or left over.
    refused(
        &Raw::valid_with(|r| {
            r.data.pop();
        }),
        NativeError::DataLengthMismatch {
            declared: data_len as u64,
            present: data_len as u64 - 1,
        },
    );
    refused(
        &Raw::valid_with(|r| r.data.push(0)),
        NativeError::DataLengthMismatch {
            declared: data_len as u64,
            present: data_len as u64 + 1,
        },
    );
    // A record cut by a byte (the header agreeing): it no longer holds
    // what its own length field says.
    let short_record = Raw::valid_with(|r| {
        r.record.pop();
        r.header.record_len -= 1;
    });
    assert!(matches!(
        crate::native::NativeFile::parse(&short_record).map(|f| f.module()),
        Ok(Err(LoadError::Metadata(RecordError::Truncated { .. })))
    ));
    let mut bad_magic = Raw::valid();
    bad_magic.record[0] = b'X';
    refused(
        &bad_magic.bytes(),
        LoadError::Metadata(RecordError::BadMagic),
    );
}

#[test]
fn table_entries() {
    let table_at = 32 + Raw::valid().record.len();
    refused(
        &Raw::valid_with(|r| r.table[1].reserved[2] = 9),
        NativeError::ReservedNotZero {
            offset: table_at + 24 + 23,
        },
    );
    refused(
        &Raw::valid_with(|r| r.table[2].rights = 8 | 1),
        NativeError::BadRights {
            segment: 2,
            rights: 9,
        },
    );
    refused(
        &Raw::valid_with(|r| r.table[2].rights = 1 | 2 | 4),
        LoadError::WriteExecute {
            segment: 2,
            vaddr: DATA_VADDR,
        },
    );
    let raw = Raw::valid();
    let fs = raw.table[2].file_size;
    refused(
        &Raw::valid_with(|r| r.table[2].mem_size = u64::from(fs) - 1),
        LoadError::FileSizeExceedsMemSize {
            segment: 2,
            file_size: u64::from(fs),
            mem_size: u64::from(fs) - 1,
        },
    );
    refused(
        &Raw::valid_with(|r| {
            let e = &mut r.table[2];
            r.data.truncate(r.data.len() - e.file_size as usize);
            e.file_size = 0;
            e.mem_size = 0;
        }),
        NativeError::EmptySegment { segment: 2 },
    );
    refused(
        &Raw::valid_with(|r| r.table[0].vaddr = 0),
        LoadError::OutsideUserHalf {
            segment: 0,
            start: 0,
            end: raw.table[0].mem_size,
        },
    );
    refused(
        &Raw::valid_with(|r| r.table[2].vaddr = USER_TOP - 0x100),
        LoadError::OutsideUserHalf {
            segment: 2,
            start: USER_TOP - 0x100,
            end: USER_TOP - 0x100 + raw.table[2].mem_size,
        },
    );
    refused(
        &Raw::valid_with(|r| r.table[2].vaddr = u64::MAX - 0x10),
        LoadError::AddressOverflow {
            segment: 2,
            vaddr: u64::MAX - 0x10,
            mem_size: raw.table[2].mem_size,
        },
    );
    // The data segment moved onto the code segment's page.
    refused(
        &Raw::valid_with(|r| r.table[2].vaddr = TEXT_VADDR + 0x100),
        LoadError::Overlap {
            segment: 2,
            start: 0x40_1000,
            end: 0x40_4000,
            other: 1,
        },
    );
}

#[test]
fn entry_point() {
    refused(
        &Raw::valid_with(|r| r.header.entry = DATA_VADDR),
        LoadError::EntryNotExecutable { entry: DATA_VADDR },
    );
    refused(
        &Raw::valid_with(|r| r.header.entry = 0),
        LoadError::EntryNotExecutable { entry: 0 },
    );
    assert!(
        super::support::lenient()
            .parse(&Raw::valid_with(|r| r.header.entry = ENTRY + 1))
            .is_ok()
    );
}
