//! The program and section header tables: entry size and file range checked
//! first, then read with goblin.
#![forbid(unsafe_code)]

use alloc::vec::Vec;

use goblin::container::{Container, Ctx, Endian};
use goblin::elf::{Header, ProgramHeader, SectionHeader};

use super::file::file_range;
use crate::error::{HeaderTable, LoadError, Result};

const CTX: Ctx = Ctx {
    container: Container::Big,
    le: Endian::Little,
};

/// Check that `count` entries of `table` at `offset` lie inside `data` and
/// that the declared entry size is ELF64's; return the offset as `usize`.
fn check_table(
    data: &[u8],
    table: HeaderTable,
    offset: u64,
    count: u64,
    entry_size: u16,
) -> Result<usize> {
    if entry_size != table.entry_size() {
        return Err(LoadError::BadEntrySize {
            table,
            size: entry_size,
        });
    }
    let outside = LoadError::TableOutsideFile {
        table,
        offset,
        count,
        file_len: data.len(),
    };
    let size = count.checked_mul(u64::from(entry_size)).ok_or(outside)?;
    file_range(data, offset, size).ok_or(outside)?;
    usize::try_from(offset).map_err(|_| outside)
}

/// The program headers (empty when `e_phnum` is 0).
pub(super) fn program_headers(data: &[u8], header: &Header) -> Result<Vec<ProgramHeader>> {
    if header.e_phnum == 0 {
        return Ok(Vec::new());
    }
    let table = HeaderTable::Program;
    let count = u64::from(header.e_phnum);
    let offset = check_table(data, table, header.e_phoff, count, header.e_phentsize)?;
    ProgramHeader::parse(data, offset, usize::from(header.e_phnum), CTX)
        .map_err(|_| LoadError::MalformedTable { table })
}

/// The section headers; [`LoadError::NoSectionHeaders`] without any.
/// An `e_shnum` of 0 with a table present means the count is in the first
/// entry's `sh_size` (extended numbering), which goblin reads.
pub(super) fn section_headers(data: &[u8], header: &Header) -> Result<Vec<SectionHeader>> {
    if header.e_shoff == 0 {
        return Err(LoadError::NoSectionHeaders);
    }
    let table = HeaderTable::Section;
    let count = u64::from(header.e_shnum.max(1));
    let offset = check_table(data, table, header.e_shoff, count, header.e_shentsize)?;
    let headers = SectionHeader::parse(data, offset, usize::from(header.e_shnum), CTX)
        .map_err(|_| LoadError::MalformedTable { table })?;
    if headers.is_empty() {
        return Err(LoadError::NoSectionHeaders);
    }
    Ok(headers)
}
