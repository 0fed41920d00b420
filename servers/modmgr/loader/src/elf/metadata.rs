//! The module's metadata record, read from the `.helix_module` section found
//! by its section header. No section headers means no metadata: the file is
//! never scanned for a record.
#![forbid(unsafe_code)]

use goblin::elf::section_header::{SHN_XINDEX, SHT_NOBITS};
use goblin::elf::{Header, SectionHeader};
use helix_protocol::metadata::{ModuleRecord, SECTION_NAME};

use super::file::{c_string_at, file_range};
use crate::error::{LoadError, Result};

/// The section-name string table's bytes.
fn section_names<'a>(
    data: &'a [u8],
    header: &Header,
    sections: &[SectionHeader],
) -> Result<&'a [u8]> {
    // With extended numbering the index lives in the first entry's sh_link.
    let index = match u32::from(header.e_shstrndx) {
        SHN_XINDEX => sections.first().map_or(0, |s| s.sh_link),
        index => index,
    };
    let bad = LoadError::BadSectionNames { index };
    let names = usize::try_from(index)
        .ok()
        .filter(|&i| i != 0)
        .and_then(|i| sections.get(i))
        .ok_or(bad)?;
    if names.sh_type == SHT_NOBITS {
        return Err(bad);
    }
    file_range(data, names.sh_offset, names.sh_size).ok_or(bad)
}

/// Decode the record in the one `.helix_module` section of `data`.
pub(super) fn read_record(
    data: &[u8],
    header: &Header,
    sections: &[SectionHeader],
) -> Result<ModuleRecord> {
    Ok(ModuleRecord::decode(record_section(
        data, header, sections,
    )?)?)
}

/// The bytes of the one `.helix_module` section of `data` (not decoded).
pub(super) fn record_section<'a>(
    data: &'a [u8],
    header: &Header,
    sections: &[SectionHeader],
) -> Result<&'a [u8]> {
    let names = section_names(data, header, sections)?;
    let mut found = sections
        .iter()
        .filter(|s| c_string_at(names, s.sh_name) == Some(SECTION_NAME.as_bytes()));
    let section = found.next().ok_or(LoadError::NoMetadata)?;
    if found.next().is_some() {
        return Err(LoadError::DuplicateMetadata);
    }
    if section.sh_type == SHT_NOBITS {
        return Err(LoadError::MetadataNoBits);
    }
    file_range(data, section.sh_offset, section.sh_size).ok_or(LoadError::MetadataOutsideFile {
        offset: section.sh_offset,
        size: section.sh_size,
        file_len: data.len(),
    })
}
