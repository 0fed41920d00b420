//! The segment rules every loader applies, whatever the file format says:
//! sizes that fit, the user half of the address space, W^X, no two
//! segments on one page, and an entry point in code. Each loader maps its
//! own headers onto these checks, in its own order, so a rule is written
//! once.
#![forbid(unsafe_code)]

use alloc::vec::Vec;

use crate::error::{LoadError, Result};
use crate::layout::{USER_MIN, USER_TOP};
use crate::module::{Segment, SegmentRights};

/// A checked segment and its index in the file's own table (ELF: program
/// header index; HelixNative: segment table index).
pub(crate) struct Indexed {
    /// Index in the file's table, for error messages.
    pub index: usize,
    /// The segment.
    pub segment: Segment,
}

/// `file_size <= mem_size`.
pub(crate) fn check_sizes(index: usize, file_size: u64, mem_size: u64) -> Result<()> {
    if file_size > mem_size {
        return Err(LoadError::FileSizeExceedsMemSize {
            segment: index,
            file_size,
            mem_size,
        });
    }
    Ok(())
}

/// `[vaddr, vaddr + mem_size)` does not wrap and lies in
/// `[USER_MIN, USER_TOP)`.
pub(crate) fn check_range(index: usize, vaddr: u64, mem_size: u64) -> Result<()> {
    let end = vaddr
        .checked_add(mem_size)
        .ok_or(LoadError::AddressOverflow {
            segment: index,
            vaddr,
            mem_size,
        })?;
    if vaddr < USER_MIN || end > USER_TOP {
        return Err(LoadError::OutsideUserHalf {
            segment: index,
            start: vaddr,
            end,
        });
    }
    Ok(())
}

/// Not both writable and executable.
pub(crate) fn check_rights(index: usize, vaddr: u64, rights: SegmentRights) -> Result<()> {
    if rights.write && rights.execute {
        return Err(LoadError::WriteExecute {
            segment: index,
            vaddr,
        });
    }
    Ok(())
}

/// At least one segment, and no two sharing a page (rights are per page);
/// the segments sorted by address.
pub(crate) fn check_layout(mut found: Vec<Indexed>) -> Result<Vec<Segment>> {
    if found.is_empty() {
        return Err(LoadError::NoLoadSegment);
    }
    found.sort_by_key(|s| s.segment.vaddr);
    // Sorted by start, if any two segments share a page then two
    // neighbours do: checking neighbours finds every overlap.
    for pair in found.windows(2) {
        let [low, high] = pair else { continue };
        // Checked segments lie in the user half: their pages never wrap.
        let (Some(low_pages), Some(high_pages)) = (low.segment.pages(), high.segment.pages())
        else {
            continue;
        };
        if high_pages.start < low_pages.end {
            return Err(LoadError::Overlap {
                segment: high.index,
                start: high_pages.start,
                end: high_pages.end,
                other: low.index,
            });
        }
    }
    Ok(found.into_iter().map(|s| s.segment).collect())
}

/// `entry` lies inside an executable segment.
pub(crate) fn check_entry(entry: u64, segments: &[Segment]) -> Result<()> {
    if segments
        .iter()
        .any(|s| s.rights.execute && s.contains(entry))
    {
        Ok(())
    } else {
        Err(LoadError::EntryNotExecutable { entry })
    }
}
