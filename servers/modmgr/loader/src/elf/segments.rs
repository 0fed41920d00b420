//! From program headers to [`Segment`]s: every PT_LOAD checked against the
//! file, the user half of the address space, its neighbours and W^X.
//!
//! Rules, in the order they are checked for each program header:
//! 1. PT_INTERP and PT_DYNAMIC are refused (nothing here links or relocates).
//! 2. Headers other than PT_LOAD are ignored.
//! 3. The file bytes `[p_offset, p_offset + p_filesz)` lie inside the file.
//! 4. `p_filesz <= p_memsz`. A PT_LOAD with `p_memsz == 0` maps nothing and
//!    is dropped after these checks.
//! 5. `p_vaddr + p_memsz` does not wrap, and the segment lies in
//!    `[USER_MIN, USER_TOP)`.
//! 6. `p_align` is 0 or a power of two; when it is at least a page,
//!    `p_vaddr % 4096 == p_offset % 4096` (the ELF spec asks congruence
//!    modulo `p_align`; pages are what get mapped, so pages are checked).
//!    Smaller alignments are accepted without that rule: the manager copies
//!    segment bytes into fresh frames, it never maps file pages.
//! 7. Not both writable and executable.
//!
//! Then, across segments: no two share a page (rights are per page), and
//! the entry point lies inside an executable segment. Rules 4, 5 and 7 and
//! the cross-segment ones are the shared `crate::rules`.
#![forbid(unsafe_code)]

use alloc::vec::Vec;

use goblin::elf::ProgramHeader;
use goblin::elf::program_header::{PF_R, PF_W, PF_X, PT_DYNAMIC, PT_INTERP, PT_LOAD};

use super::file::file_range;
use crate::error::{LoadError, Result};
use crate::layout::PAGE_SIZE;
use crate::module::{Segment, SegmentRights};
use crate::rules::{Indexed, check_layout, check_range, check_rights, check_sizes};

pub(super) use crate::rules::check_entry;

fn rights(flags: u32) -> SegmentRights {
    SegmentRights {
        read: flags & PF_R != 0,
        write: flags & PF_W != 0,
        execute: flags & PF_X != 0,
    }
}

/// Check program header `index`; `None` for one that maps nothing.
fn check_one(data: &[u8], index: usize, ph: &ProgramHeader) -> Result<Option<Segment>> {
    if ph.p_type == PT_INTERP || ph.p_type == PT_DYNAMIC {
        return Err(LoadError::NeedsDynamicLinking {
            segment: index,
            p_type: ph.p_type,
        });
    }
    if ph.p_type != PT_LOAD {
        return Ok(None);
    }
    let outside_file = LoadError::SegmentOutsideFile {
        segment: index,
        offset: ph.p_offset,
        size: ph.p_filesz,
        file_len: data.len(),
    };
    file_range(data, ph.p_offset, ph.p_filesz).ok_or(outside_file)?;
    let file_offset = usize::try_from(ph.p_offset).map_err(|_| outside_file)?;
    let file_size = usize::try_from(ph.p_filesz).map_err(|_| outside_file)?;
    check_sizes(index, ph.p_filesz, ph.p_memsz)?;
    if ph.p_memsz == 0 {
        return Ok(None);
    }
    check_range(index, ph.p_vaddr, ph.p_memsz)?;
    if ph.p_align != 0 && !ph.p_align.is_power_of_two() {
        return Err(LoadError::BadAlignment {
            segment: index,
            align: ph.p_align,
        });
    }
    if ph.p_align >= PAGE_SIZE && ph.p_vaddr % PAGE_SIZE != ph.p_offset % PAGE_SIZE {
        return Err(LoadError::Misaligned {
            segment: index,
            vaddr: ph.p_vaddr,
            offset: ph.p_offset,
        });
    }
    let rights = rights(ph.p_flags);
    check_rights(index, ph.p_vaddr, rights)?;
    Ok(Some(Segment {
        vaddr: ph.p_vaddr,
        mem_size: ph.p_memsz,
        file_offset,
        file_size,
        rights,
    }))
}

/// The checked loadable segments of `data`, sorted by address.
pub(super) fn load_segments(data: &[u8], headers: &[ProgramHeader]) -> Result<Vec<Segment>> {
    let mut found = Vec::new();
    for (index, ph) in headers.iter().enumerate() {
        if let Some(segment) = check_one(data, index, ph)? {
            found.push(Indexed { index, segment });
        }
    }
    check_layout(found)
}
