//! The content of a framed HelixNative file: the metadata record, the
//! segment table and the segment data, described as a [`LoadedModule`].
//!
//! Checks, in order: at least one segment; record and table end before the
//! checksum; the table's file sizes add up to exactly the bytes between the
//! table and the checksum; the record decodes; each entry (reserved bytes,
//! rights bits, file size within memory size, a nonzero memory size, the
//! user half, W^X); no two segments share a page; the entry point lies in
//! an executable segment. The shared rules are `crate::rules`, the same
//! the ELF loader applies.
#![forbid(unsafe_code)]

use alloc::vec::Vec;

use helix_protocol::metadata::ModuleRecord;

use super::error::NativeError;
use super::frame::NativeFile;
use super::layout::{
    CHECKSUM_LEN, HEADER_LEN, RIGHT_EXECUTE, RIGHT_READ, RIGHT_WRITE, SEGMENT_ENTRY_LEN, TableEntry,
};
use crate::error::{LoadError, Result};
use crate::format::ModuleFormat;
use crate::module::{LoadedModule, Segment, SegmentRights};
use crate::rules::{Indexed, check_entry, check_layout, check_range, check_rights, check_sizes};

/// Where the pieces of the image lie, once their lengths are checked.
struct Spans {
    record: core::ops::Range<usize>,
    table_at: usize,
    data_at: usize,
}

impl NativeFile<'_> {
    /// Check the content and describe the module. Call after the trust
    /// policy accepted the file: nothing here looks at the signature.
    pub fn module(&self) -> Result<LoadedModule> {
        let spans = self.spans()?;
        let record_bytes = self.data.get(spans.record).unwrap_or_default();
        let record = ModuleRecord::decode(record_bytes)?;
        let mut found = Vec::new();
        let mut file_offset = spans.data_at;
        for index in 0..usize::from(self.header.segment_count) {
            let at = spans.table_at + index * SEGMENT_ENTRY_LEN;
            // In range: `spans` checked that the table lies in the image.
            let entry = TableEntry::read(self.data, at).ok_or(NativeError::TablesPastImage {
                end: at as u64,
                checksum_at: self.checksum_at(),
            })?;
            let segment = check_entry_fields(index, at, &entry, file_offset)?;
            file_offset += segment.file_size;
            found.push(Indexed { index, segment });
        }
        let segments = check_layout(found)?;
        check_entry(self.header.entry, &segments)?;
        Ok(LoadedModule {
            format: ModuleFormat::HelixNative,
            symbols: record.symbols.clone(),
            record,
            entry: self.header.entry,
            segments,
        })
    }

    /// The metadata record's bytes (the same bytes as an ELF module's
    /// `.helix_module` section), once the layout is checked.
    pub fn record_bytes(&self) -> Result<&[u8]> {
        let spans = self.spans()?;
        Ok(self.data.get(spans.record).unwrap_or_default())
    }

    /// Offset of the checksum.
    fn checksum_at(&self) -> usize {
        self.image().len().saturating_sub(CHECKSUM_LEN)
    }

    fn spans(&self) -> Result<Spans> {
        let count = usize::from(self.header.segment_count);
        if count == 0 {
            return Err(LoadError::NoLoadSegment);
        }
        let checksum_at = self.checksum_at();
        let record_end = HEADER_LEN as u64 + u64::from(self.header.record_len);
        let table_end = record_end + (count * SEGMENT_ENTRY_LEN) as u64;
        let past = NativeError::TablesPastImage {
            end: table_end,
            checksum_at,
        };
        let table_end = usize::try_from(table_end)
            .ok()
            .filter(|&end| end <= checksum_at)
            .ok_or(past)?;
        // Both below `table_end`, which fits.
        let record_end = record_end as usize;
        let declared: u64 = (0..count)
            .filter_map(|i| TableEntry::read(self.data, record_end + i * SEGMENT_ENTRY_LEN))
            .map(|e| u64::from(e.file_size))
            .sum();
        let present = (checksum_at - table_end) as u64;
        if declared != present {
            return Err(NativeError::DataLengthMismatch { declared, present }.into());
        }
        Ok(Spans {
            record: HEADER_LEN..record_end,
            table_at: record_end,
            data_at: table_end,
        })
    }
}

/// Check table entry `index` (at file offset `at`), whose bytes start at
/// `file_offset`.
fn check_entry_fields(
    index: usize,
    at: usize,
    entry: &TableEntry,
    file_offset: usize,
) -> Result<Segment> {
    if let Some(i) = entry.reserved.iter().position(|&b| b != 0) {
        return Err(NativeError::ReservedNotZero {
            offset: at + 21 + i,
        }
        .into());
    }
    if entry.rights & !(RIGHT_READ | RIGHT_WRITE | RIGHT_EXECUTE) != 0 {
        return Err(NativeError::BadRights {
            segment: index,
            rights: entry.rights,
        }
        .into());
    }
    check_sizes(index, u64::from(entry.file_size), entry.mem_size)?;
    if entry.mem_size == 0 {
        return Err(NativeError::EmptySegment { segment: index }.into());
    }
    check_range(index, entry.vaddr, entry.mem_size)?;
    let rights = SegmentRights {
        read: entry.rights & RIGHT_READ != 0,
        write: entry.rights & RIGHT_WRITE != 0,
        execute: entry.rights & RIGHT_EXECUTE != 0,
    };
    check_rights(index, entry.vaddr, rights)?;
    Ok(Segment {
        vaddr: entry.vaddr,
        mem_size: entry.mem_size,
        file_offset,
        file_size: usize::try_from(entry.file_size).unwrap_or(usize::MAX),
        rights,
    })
}
