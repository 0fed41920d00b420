//! Refusals of program headers and segments, each with its variant.

use goblin::elf::program_header::{PF_R, PF_W, PF_X, PT_DYNAMIC, PT_INTERP, PT_NOTE};

use super::support;
use super::synth::*;
use crate::{LoadError, USER_MIN, USER_TOP};

#[track_caller]
fn refused(change: impl FnOnce(&mut Image), expected: LoadError) {
    support::refused(&Image::valid_with(change), expected);
}

#[test]
fn no_load_segment() {
    refused(|i| i.phdrs.clear(), LoadError::NoLoadSegment);
    refused(
        |i| {
            for p in &mut i.phdrs {
                p.p_type = PT_NOTE;
            }
        },
        LoadError::NoLoadSegment,
    );
    // PT_LOADs with no memory map nothing.
    refused(
        |i| {
            for p in &mut i.phdrs {
                p.filesz = 0;
                p.memsz = 0;
            }
        },
        LoadError::NoLoadSegment,
    );
}

#[test]
fn dynamic_linking_is_refused() {
    for p_type in [PT_INTERP, PT_DYNAMIC] {
        refused(
            |i| i.phdrs[4].p_type = p_type,
            LoadError::NeedsDynamicLinking { segment: 4, p_type },
        );
    }
}

#[test]
fn file_range_past_the_end() {
    let len = IMAGE_LEN;
    refused(
        |i| i.phdrs[3].filesz = len as u64,
        LoadError::SegmentOutsideFile {
            segment: 3,
            offset: DATA_AT,
            size: len as u64,
            file_len: len,
        },
    );
    // One byte too many.
    let size = len as u64 - DATA_AT + 1;
    refused(
        |i| {
            i.phdrs[3].filesz = size;
            i.phdrs[3].memsz = DATA_MEM;
        },
        LoadError::SegmentOutsideFile {
            segment: 3,
            offset: DATA_AT,
            size,
            file_len: len,
        },
    );
    // Offset past the end, and offset + size wrapping.
    for (offset, size) in [(len as u64, 1), (u64::MAX, 2), (0x500, u64::MAX)] {
        refused(
            |i| {
                i.phdrs[2].offset = offset;
                i.phdrs[2].filesz = size;
            },
            LoadError::SegmentOutsideFile {
                segment: 2,
                offset,
                size,
                file_len: len,
            },
        );
    }
}

#[test]
fn file_size_larger_than_memory_size() {
    refused(
        |i| i.phdrs[2].memsz = TEXT_LEN - 1,
        LoadError::FileSizeExceedsMemSize {
            segment: 2,
            file_size: TEXT_LEN,
            mem_size: TEXT_LEN - 1,
        },
    );
}

#[test]
fn address_overflow() {
    let vaddr = u64::MAX - 0xaff;
    refused(
        |i| i.phdrs[3].vaddr = vaddr,
        LoadError::AddressOverflow {
            segment: 3,
            vaddr,
            mem_size: DATA_MEM,
        },
    );
}

#[test]
fn outside_the_user_half() {
    let cases = [
        // Page 0.
        (0x500, 0x500 + DATA_MEM),
        (USER_MIN - 1, USER_MIN - 1 + DATA_MEM),
        // Crossing the top by one byte, and starting above it.
        (USER_TOP - DATA_MEM + 1, USER_TOP + 1),
        (USER_TOP + 0x500, USER_TOP + 0x500 + DATA_MEM),
        // The kernel half.
        (0xffff_8000_0000_0500, 0xffff_8000_0000_0500 + DATA_MEM),
    ];
    for (start, end) in cases {
        refused(
            |i| i.phdrs[3].vaddr = start,
            LoadError::OutsideUserHalf {
                segment: 3,
                start,
                end,
            },
        );
    }
}

#[test]
fn alignment() {
    refused(
        |i| i.phdrs[3].align = 0x1800,
        LoadError::BadAlignment {
            segment: 3,
            align: 0x1800,
        },
    );
    // Page alignment asked for, address and offset not congruent.
    for align in [0x1000, 0x20_0000] {
        refused(
            |i| {
                i.phdrs[3].align = align;
                i.phdrs[3].vaddr = DATA_VADDR + 8;
            },
            LoadError::Misaligned {
                segment: 3,
                vaddr: DATA_VADDR + 8,
                offset: DATA_AT,
            },
        );
    }
}

#[test]
fn overlapping_segments() {
    // The data segment's first page is the text's page.
    refused(
        |i| i.phdrs[3].vaddr = 0x40_1500,
        LoadError::Overlap {
            segment: 3,
            start: 0x40_1000,
            end: 0x40_4000,
            other: 2,
        },
    );
    let e = LoadError::Overlap {
        segment: 3,
        start: 0x40_1000,
        end: 0x40_4000,
        other: 2,
    };
    assert_eq!(
        alloc::format!("{e}"),
        "segment 3 [0x401000..0x404000) overlaps segment 2"
    );
    // Same page, disjoint bytes: still refused (rights are per page).
    refused(
        |i| {
            i.phdrs[3].vaddr = 0x40_1500;
            i.phdrs[3].memsz = 0x100;
            i.phdrs[3].filesz = 0x20;
        },
        LoadError::Overlap {
            segment: 3,
            start: 0x40_1000,
            end: 0x40_2000,
            other: 2,
        },
    );
    // A big segment that swallows a later one, listed out of order.
    refused(
        |i| {
            i.phdrs[1].memsz = 0x10_0000;
            i.phdrs.swap(1, 3);
        },
        LoadError::Overlap {
            segment: 2,
            start: 0x40_1000,
            end: 0x40_2000,
            other: 3,
        },
    );
}

#[test]
fn write_and_execute() {
    refused(
        |i| i.phdrs[2].flags = PF_R | PF_W | PF_X,
        LoadError::WriteExecute {
            segment: 2,
            vaddr: TEXT_VADDR,
        },
    );
    refused(
        |i| i.phdrs[3].flags = PF_W | PF_X,
        LoadError::WriteExecute {
            segment: 3,
            vaddr: DATA_VADDR,
        },
    );
}

#[test]
fn entry_outside_code() {
    for entry in [
        0,
        0x40_0000,             // read-only segment
        DATA_VADDR,            // data
        TEXT_VADDR - 1,        // just before the text
        TEXT_VADDR + TEXT_LEN, // just after it
        0x40_1000,             // the text's page, but not the segment
        u64::MAX,
    ] {
        refused(|i| i.entry = entry, LoadError::EntryNotExecutable { entry });
    }
    // No executable segment at all.
    refused(
        |i| i.phdrs[2].flags = PF_R,
        LoadError::EntryNotExecutable { entry: ENTRY },
    );
}
