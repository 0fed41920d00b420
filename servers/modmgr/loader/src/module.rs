//! [`LoadedModule`]: a checked module image, ready for the module manager to
//! copy into fresh frames and spawn. Nothing in it has run.
#![forbid(unsafe_code)]

use alloc::vec::Vec;
use core::ops::Range;

use helix_protocol::SymbolTable;
use helix_protocol::metadata::ModuleRecord;

use crate::format::ModuleFormat;
use crate::layout::{PAGE_SIZE, page_ceil, page_floor};

/// Access rights of a segment's pages.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
pub struct SegmentRights {
    /// Readable.
    pub read: bool,
    /// Writable.
    pub write: bool,
    /// Executable.
    pub execute: bool,
}

impl SegmentRights {
    /// Read-only.
    pub const R: SegmentRights = SegmentRights {
        read: true,
        write: false,
        execute: false,
    };
    /// Read and write.
    pub const RW: SegmentRights = SegmentRights {
        read: true,
        write: true,
        execute: false,
    };
    /// Read and execute.
    pub const RX: SegmentRights = SegmentRights {
        read: true,
        write: false,
        execute: true,
    };
}

/// One piece of the image: `mem_size` bytes at `vaddr`, the first
/// `file_size` of them taken from the input at `file_offset`, the rest zero.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Segment {
    /// Virtual address of the first byte (not necessarily page-aligned).
    pub vaddr: u64,
    /// Bytes in memory (`file_size` of them from the file, the rest zero).
    pub mem_size: u64,
    /// Offset of the segment's bytes in the input.
    pub file_offset: usize,
    /// Bytes taken from the input (`<= mem_size`).
    pub file_size: usize,
    /// Rights of the segment's pages.
    pub rights: SegmentRights,
}

impl Segment {
    /// The segment's file bytes, `data[file_offset..][..file_size]`, where
    /// `data` is the input the module was loaded from. Never panics: for
    /// other input that is too short it returns what exists of the range
    /// (possibly nothing).
    pub fn bytes<'a>(&self, data: &'a [u8]) -> &'a [u8] {
        let tail = data.get(self.file_offset..).unwrap_or(&[]);
        tail.get(..self.file_size).unwrap_or(tail)
    }

    /// End (exclusive) of the segment in memory; `None` when it would wrap
    /// (never for a segment a loader produced).
    pub fn end(&self) -> Option<u64> {
        self.vaddr.checked_add(self.mem_size)
    }

    /// Whether `addr` is one of the segment's bytes in memory.
    pub fn contains(&self, addr: u64) -> bool {
        addr.checked_sub(self.vaddr)
            .is_some_and(|off| off < self.mem_size)
    }

    /// The pages the segment occupies, `[first page, end of last page)`;
    /// `None` when it would wrap (never for a segment a loader produced).
    pub fn pages(&self) -> Option<Range<u64>> {
        Some(page_floor(self.vaddr)..page_ceil(self.end()?)?)
    }
}

/// A module that a loader checked and described, without running any of it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LoadedModule {
    /// The format it was loaded from.
    pub format: ModuleFormat,
    /// Its metadata record: name, version, ABI version, flags,
    /// dependencies with constraints, provided interfaces, symbols.
    pub record: ModuleRecord,
    /// The symbols it exports (the record's table).
    pub symbols: SymbolTable,
    /// Address of the first instruction (inside an executable segment).
    pub entry: u64,
    /// The segments to map, sorted by address; no two share a page.
    pub segments: Vec<Segment>,
}

impl LoadedModule {
    /// Pages the segments occupy (no two segments share one, so this is
    /// the number of fresh frames the image needs).
    pub fn page_count(&self) -> u64 {
        self.segments
            .iter()
            .filter_map(Segment::pages)
            .map(|p| (p.end - p.start) / PAGE_SIZE)
            .sum()
    }

    /// Bytes of memory the image needs: [`page_count`](Self::page_count) pages.
    pub fn image_size(&self) -> u64 {
        self.page_count().saturating_mul(PAGE_SIZE)
    }

    /// From the lowest segment's first page to the end of the highest
    /// segment's last page; `None` without segments.
    pub fn address_range(&self) -> Option<Range<u64>> {
        let mut pages = self.segments.iter().filter_map(Segment::pages);
        let first = pages.next()?;
        Some(pages.fold(first, |span, p| {
            span.start.min(p.start)..span.end.max(p.end)
        }))
    }

    /// The segment holding address `addr`, if any.
    pub fn segment_at(&self, addr: u64) -> Option<&Segment> {
        self.segments.iter().find(|s| s.contains(addr))
    }
}
