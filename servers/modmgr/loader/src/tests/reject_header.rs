//! Refusals of the ELF header and the header tables, each with its variant.

use super::support::{E_PHNUM, E_PHOFF, E_SHNUM, E_SHOFF, load, patch, refused};
use super::synth::*;
use crate::{HeaderTable, LoadError};

#[test]
fn not_elf() {
    refused(b"", LoadError::NotElf);
    refused(b"\x7fEL", LoadError::NotElf);
    refused(b"MZ\x90\0 a PE file, say", LoadError::NotElf);
    refused(b"\0asm\x01\0\0\0", LoadError::NotElf);
}

#[test]
fn truncated_header() {
    let data = Image::valid().bytes();
    refused(&data[..4], LoadError::TruncatedHeader { len: 4 });
    refused(&data[..63], LoadError::TruncatedHeader { len: 63 });
}

#[test]
fn wrong_class() {
    refused(
        &Image::valid_with(|i| i.class = 1),
        LoadError::NotElf64 { class: 1 },
    );
    refused(
        &Image::valid_with(|i| i.class = 0),
        LoadError::NotElf64 { class: 0 },
    );
    assert_eq!(
        alloc::format!("{}", LoadError::NotElf64 { class: 1 }),
        "not ELF64 (class 1)"
    );
}

#[test]
fn wrong_endianness() {
    refused(
        &Image::valid_with(|i| i.data = 2),
        LoadError::NotLittleEndian { data: 2 },
    );
    refused(
        &Image::valid_with(|i| i.data = 0),
        LoadError::NotLittleEndian { data: 0 },
    );
}

#[test]
fn wrong_machine() {
    for machine in [0, 3, 40, 183, 243] {
        refused(
            &Image::valid_with(|i| i.machine = machine),
            LoadError::NotX86_64 { machine },
        );
    }
}

#[test]
fn wrong_type() {
    // ET_NONE, ET_REL, ET_DYN (position-independent: refused), ET_CORE.
    for elf_type in [0, 1, 3, 4, 0xfe00] {
        refused(
            &Image::valid_with(|i| i.elf_type = elf_type),
            LoadError::NotExecutable { elf_type },
        );
    }
}

#[test]
fn wrong_entry_sizes() {
    refused(
        &Image::valid_with(|i| i.phentsize = 32),
        LoadError::BadEntrySize {
            table: HeaderTable::Program,
            size: 32,
        },
    );
    refused(
        &Image::valid_with(|i| i.shentsize = 40),
        LoadError::BadEntrySize {
            table: HeaderTable::Section,
            size: 40,
        },
    );
}

#[test]
fn program_header_table_outside_the_file() {
    let valid = Image::valid().bytes();
    for phoff in [
        IMAGE_LEN as u64,
        IMAGE_LEN as u64 - 56,
        u64::MAX - 8,
        1 << 63,
    ] {
        let mut data = valid.clone();
        patch(&mut data, E_PHOFF, &phoff.to_le_bytes());
        refused(
            &data,
            LoadError::TableOutsideFile {
                table: HeaderTable::Program,
                offset: phoff,
                count: 5,
                file_len: IMAGE_LEN,
            },
        );
    }
    // More entries than the file holds.
    let mut data = valid.clone();
    patch(&mut data, E_PHNUM, &0xffffu16.to_le_bytes());
    refused(
        &data,
        LoadError::TableOutsideFile {
            table: HeaderTable::Program,
            offset: PHOFF,
            count: 0xffff,
            file_len: IMAGE_LEN,
        },
    );
}

#[test]
fn section_header_table_outside_the_file() {
    let valid = Image::valid().bytes();
    for shoff in [IMAGE_LEN as u64 - 1, u64::MAX] {
        let mut data = valid.clone();
        patch(&mut data, E_SHOFF, &shoff.to_le_bytes());
        refused(
            &data,
            LoadError::TableOutsideFile {
                table: HeaderTable::Section,
                offset: shoff,
                count: 4,
                file_len: IMAGE_LEN,
            },
        );
    }
    let mut data = valid.clone();
    patch(&mut data, E_SHNUM, &5u16.to_le_bytes());
    refused(
        &data,
        LoadError::TableOutsideFile {
            table: HeaderTable::Section,
            offset: SHOFF,
            count: 5,
            file_len: IMAGE_LEN,
        },
    );
}

#[test]
fn extended_section_count_past_the_file_is_refused() {
    // e_shnum = 0: the count is section 0's sh_size, here far too many.
    let mut data = Image::valid().bytes();
    patch(&mut data, E_SHNUM, &0u16.to_le_bytes());
    patch(&mut data, SHOFF as usize + 32, &1000u64.to_le_bytes());
    refused(
        &data,
        LoadError::MalformedTable {
            table: HeaderTable::Section,
        },
    );
    // With the right count there, the file loads.
    patch(&mut data, SHOFF as usize + 32, &4u64.to_le_bytes());
    assert_eq!(load(&data).unwrap().record.name, "synthetic");
}
