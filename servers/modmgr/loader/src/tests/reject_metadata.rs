//! Refusals of the section headers and the `.helix_module` record.

use goblin::elf::section_header::SHT_NOBITS;
use helix_protocol::metadata::RecordError;

use super::support::{E_SHOFF, load, patch, refused};
use super::synth::*;
use crate::LoadError;

#[test]
fn no_section_headers() {
    let mut data = Image::valid().bytes();
    patch(&mut data, E_SHOFF, &0u64.to_le_bytes());
    refused(&data, LoadError::NoSectionHeaders);
    // No scanning: the record is still in the file, but not found.
    assert!(data.windows(4).any(|w| w == b"HXMD"));
    refused(
        &Image::valid_with(|i| {
            i.shdrs.clear();
            i.shoff = 0;
        }),
        LoadError::NoSectionHeaders,
    );
    // e_shnum 0 with a table offset: extended numbering, whose first entry
    // must then be in the file.
    let e = load(&Image::valid_with(|i| i.shdrs.clear())).unwrap_err();
    assert_eq!(
        e,
        LoadError::TableOutsideFile {
            table: crate::HeaderTable::Section,
            offset: SHOFF,
            count: 1,
            file_len: NAMES_AT as usize + NAMES.len(), // the file now ends there
        }
    );
}

#[test]
fn section_names_missing_or_outside_the_file() {
    for index in [0, 4, 0xfeff] {
        refused(
            &Image::valid_with(|i| i.shstrndx = index),
            LoadError::BadSectionNames {
                index: u32::from(index),
            },
        );
    }
    refused(
        &Image::valid_with(|i| i.shdrs[3].offset = IMAGE_LEN as u64),
        LoadError::BadSectionNames { index: 3 },
    );
    refused(
        &Image::valid_with(|i| i.shdrs[3].sh_type = SHT_NOBITS),
        LoadError::BadSectionNames { index: 3 },
    );
}

#[test]
fn no_metadata_section() {
    // Renamed to ".text".
    refused(
        &Image::valid_with(|i| i.shdrs[META_SECTION].name = TEXT_NAME),
        LoadError::NoMetadata,
    );
    // A name offset outside the string table, and a prefix of the name.
    refused(
        &Image::valid_with(|i| i.shdrs[META_SECTION].name = 10_000),
        LoadError::NoMetadata,
    );
    refused(
        &Image::valid_with(|i| i.shdrs[META_SECTION].name = 2),
        LoadError::NoMetadata,
    );
    // The name is not NUL-terminated inside the table.
    refused(
        &Image::valid_with(|i| i.shdrs[3].size = 10),
        LoadError::NoMetadata,
    );
    assert_eq!(
        alloc::format!("{}", LoadError::NoMetadata),
        "no .helix_module section (module metadata)"
    );
}

#[test]
fn duplicate_metadata_section() {
    refused(
        &Image::valid_with(|i| {
            let again = i.shdrs[META_SECTION];
            i.shdrs.push(again);
        }),
        LoadError::DuplicateMetadata,
    );
}

#[test]
fn metadata_section_without_file_bytes() {
    refused(
        &Image::valid_with(|i| i.shdrs[META_SECTION].sh_type = SHT_NOBITS),
        LoadError::MetadataNoBits,
    );
}

#[test]
fn metadata_section_outside_the_file() {
    for (offset, size) in [
        (IMAGE_LEN as u64, 1),
        (RECORD_AT, IMAGE_LEN as u64),
        (u64::MAX, 2),
    ] {
        refused(
            &Image::valid_with(|i| {
                i.shdrs[META_SECTION].offset = offset;
                i.shdrs[META_SECTION].size = size;
            }),
            LoadError::MetadataOutsideFile {
                offset,
                size,
                file_len: IMAGE_LEN,
            },
        );
    }
}

#[test]
fn corrupt_metadata() {
    let at = RECORD_AT as usize;
    let mut data = Image::valid().bytes();
    data[at] = b'X';
    refused(&data, LoadError::Metadata(RecordError::BadMagic));

    // Unknown flag bits.
    let mut data = Image::valid().bytes();
    patch(&mut data, at + 20, &(1u32 << 31).to_le_bytes());
    refused(
        &data,
        LoadError::Metadata(RecordError::UnknownFlags(1 << 31)),
    );

    // The section one byte short of the record.
    let len = RECORD.len();
    refused(
        &Image::valid_with(|i| i.shdrs[META_SECTION].size = len as u64 - 1),
        LoadError::Metadata(RecordError::Truncated {
            needed: len,
            available: len - 1,
        }),
    );
    // One byte too long.
    refused(
        &Image::valid_with(|i| i.shdrs[META_SECTION].size = len as u64 + 1),
        LoadError::Metadata(RecordError::TrailingBytes(1)),
    );
    // An empty section.
    refused(
        &Image::valid_with(|i| i.shdrs[META_SECTION].size = 0),
        LoadError::Metadata(RecordError::Truncated {
            needed: 4,
            available: 0,
        }),
    );
    let e = LoadError::Metadata(RecordError::BadMagic);
    assert_eq!(
        alloc::format!("{e}"),
        "bad .helix_module record: not a module record (bad magic)"
    );
    assert!(core::error::Error::source(&e).is_some());
}
