//! The physical frame allocator's algorithm: a bitmap over the usable
//! ranges of the memory map, one bit per 4 KiB frame (1 = in use).
//!
//! Frames are numbered across the usable ranges one after another, so holes
//! in physical memory cost no bits. The bitmap storage is handed in by the
//! caller (the kernel carves it out of usable memory and then reserves those
//! frames), which keeps this code free of allocation and `unsafe`.

use core::fmt;

use crate::memmap::{Region, RegionKind};
use crate::{PAGE_SIZE, align_down, align_up};

/// Most usable ranges the allocator tracks; more are ignored (and counted).
pub const MAX_RANGES: usize = 64;

/// A page-aligned physical range `[start, end)`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct FrameRange {
    /// First byte (page-aligned).
    pub start: u64,
    /// One past the last byte (page-aligned).
    pub end: u64,
}

impl FrameRange {
    /// Number of frames in the range.
    pub const fn frames(&self) -> u64 {
        (self.end - self.start) / PAGE_SIZE
    }
}

/// Why the allocator refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FrameError {
    /// The bitmap slice is smaller than [`FrameBitmap::words_needed`].
    BitmapTooSmall {
        /// Words needed.
        needed: usize,
        /// Words given.
        given: usize,
    },
    /// The usable ranges are unsorted or overlap.
    RangesOverlap,
    /// An address is not 4 KiB aligned.
    Unaligned(u64),
    /// The frame is not in any usable range.
    NotManaged(u64),
    /// The frame is free already (double free).
    NotAllocated(u64),
}

impl fmt::Display for FrameError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::BitmapTooSmall { needed, given } => {
                write!(f, "bitmap needs {needed} words, got {given}")
            }
            Self::RangesOverlap => write!(f, "usable ranges overlap or are unsorted"),
            Self::Unaligned(a) => write!(f, "address {a:#x} is not page-aligned"),
            Self::NotManaged(a) => write!(f, "frame {a:#x} is not usable memory"),
            Self::NotAllocated(a) => write!(f, "frame {a:#x} is not allocated"),
        }
    }
}

/// The usable ranges of a memory map, shrunk inward to page boundaries.
#[derive(Clone, Copy, Debug)]
pub struct UsableRanges {
    ranges: [FrameRange; MAX_RANGES],
    len: usize,
    /// Usable entries that did not fit in [`MAX_RANGES`].
    pub dropped: usize,
}

impl UsableRanges {
    /// Collect the `Usable` entries of `regions` (empty ones after rounding
    /// are skipped).
    pub fn from_regions(regions: &[Region]) -> Self {
        let mut s = Self {
            ranges: [FrameRange::default(); MAX_RANGES],
            len: 0,
            dropped: 0,
        };
        for r in regions.iter().filter(|r| r.kind == RegionKind::Usable) {
            let Some(end) = r.end() else { continue };
            let Some(start) = align_up(r.base, PAGE_SIZE) else {
                continue;
            };
            let end = align_down(end, PAGE_SIZE);
            if end <= start {
                continue;
            }
            if s.len == MAX_RANGES {
                s.dropped += 1;
                continue;
            }
            s.ranges[s.len] = FrameRange { start, end };
            s.len += 1;
        }
        s
    }

    /// The ranges.
    pub fn as_slice(&self) -> &[FrameRange] {
        &self.ranges[..self.len]
    }

    /// Total frames over all ranges.
    pub fn frames(&self) -> u64 {
        self.as_slice().iter().map(FrameRange::frames).sum()
    }
}

/// The bitmap frame allocator.
#[derive(Debug)]
pub struct FrameBitmap<'a> {
    ranges: UsableRanges,
    bits: &'a mut [u64],
    total: u64,
    free: u64,
    /// Index where the next search starts (next-fit).
    hint: u64,
}

impl<'a> FrameBitmap<'a> {
    /// Bitmap words needed for `ranges`.
    pub fn words_needed(ranges: &UsableRanges) -> usize {
        ranges.frames().div_ceil(64) as usize
    }

    /// A bitmap with every frame of `ranges` free. `bits` must hold at least
    /// [`Self::words_needed`] words; its old contents are overwritten.
    pub fn new(ranges: UsableRanges, bits: &'a mut [u64]) -> Result<Self, FrameError> {
        let needed = Self::words_needed(&ranges);
        if bits.len() < needed {
            return Err(FrameError::BitmapTooSmall {
                needed,
                given: bits.len(),
            });
        }
        if ranges.as_slice().windows(2).any(|w| w[1].start < w[0].end) {
            return Err(FrameError::RangesOverlap);
        }
        let total = ranges.frames();
        let bits = &mut bits[..needed];
        bits.fill(0);
        // Bits past the last frame stay "in use" so they are never found.
        let tail = total % 64;
        if tail != 0 {
            bits[needed - 1] = !0u64 << tail;
        }
        Ok(Self {
            ranges,
            bits,
            total,
            free: total,
            hint: 0,
        })
    }

    /// Frames managed.
    pub fn total(&self) -> u64 {
        self.total
    }

    /// Frames currently free.
    pub fn free(&self) -> u64 {
        self.free
    }

    /// The usable ranges this allocator manages.
    pub fn ranges(&self) -> &[FrameRange] {
        self.ranges.as_slice()
    }

    /// Whether `addr` lies in managed (usable) memory.
    pub fn manages(&self, addr: u64) -> bool {
        self.index_of(addr).is_some()
    }

    fn index_of(&self, addr: u64) -> Option<u64> {
        let mut base = 0;
        for r in self.ranges.as_slice() {
            if addr >= r.start && addr < r.end {
                return Some(base + (addr - r.start) / PAGE_SIZE);
            }
            base += r.frames();
        }
        None
    }

    fn addr_of(&self, mut index: u64) -> u64 {
        for r in self.ranges.as_slice() {
            if index < r.frames() {
                return r.start + index * PAGE_SIZE;
            }
            index -= r.frames();
        }
        unreachable!("frame index within total")
    }

    fn is_used(&self, index: u64) -> bool {
        self.bits[(index / 64) as usize] & (1 << (index % 64)) != 0
    }

    fn set(&mut self, index: u64, used: bool) {
        let word = &mut self.bits[(index / 64) as usize];
        if used {
            *word |= 1 << (index % 64);
        } else {
            *word &= !(1 << (index % 64));
        }
    }

    /// Hand out one free frame (its physical address), or `None` when
    /// memory is exhausted.
    pub fn allocate(&mut self) -> Option<u64> {
        if self.free == 0 {
            return None;
        }
        let words = self.bits.len();
        let start_word = (self.hint / 64) as usize;
        for step in 0..=words {
            let w = (start_word + step) % words;
            let word = self.bits[w];
            if word != u64::MAX {
                let bit = (!word).trailing_zeros() as u64;
                let index = w as u64 * 64 + bit;
                self.set(index, true);
                self.free -= 1;
                self.hint = index + 1;
                return Some(self.addr_of(index));
            }
        }
        None
    }

    /// Hand out `n` (nonzero) physically consecutive free frames (the
    /// address of the first), or `None` when no run that long is free.
    pub fn allocate_contiguous(&mut self, n: u64) -> Option<u64> {
        if n == 0 || n > self.free {
            return None;
        }
        let mut base = 0;
        for r in self.ranges.as_slice() {
            let mut run = 0;
            for i in base..base + r.frames() {
                if self.is_used(i) {
                    run = 0;
                    continue;
                }
                run += 1;
                if run == n {
                    let first = i + 1 - n;
                    for j in first..=i {
                        self.set(j, true);
                    }
                    self.free -= n;
                    return Some(self.addr_of(first));
                }
            }
            base += r.frames();
        }
        None
    }

    /// Give a frame back.
    pub fn deallocate(&mut self, addr: u64) -> Result<(), FrameError> {
        if !addr.is_multiple_of(PAGE_SIZE) {
            return Err(FrameError::Unaligned(addr));
        }
        let index = self.index_of(addr).ok_or(FrameError::NotManaged(addr))?;
        if !self.is_used(index) {
            return Err(FrameError::NotAllocated(addr));
        }
        self.set(index, false);
        self.free += 1;
        Ok(())
    }

    /// Mark every managed frame overlapping `[start, end)` as in use (for
    /// memory the kernel took before the allocator existed). Frames outside
    /// usable memory are ignored. Returns how many frames changed state.
    pub fn reserve(&mut self, start: u64, end: u64) -> u64 {
        let mut changed = 0;
        let mut addr = align_down(start, PAGE_SIZE);
        while addr < end {
            if let Some(index) = self.index_of(addr)
                && !self.is_used(index)
            {
                self.set(index, true);
                self.free -= 1;
                changed += 1;
            }
            addr += PAGE_SIZE;
        }
        changed
    }

    /// Whether the frame at `addr` is currently allocated.
    pub fn is_allocated(&self, addr: u64) -> Result<bool, FrameError> {
        if !addr.is_multiple_of(PAGE_SIZE) {
            return Err(FrameError::Unaligned(addr));
        }
        let index = self.index_of(addr).ok_or(FrameError::NotManaged(addr))?;
        Ok(self.is_used(index))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    fn map() -> Vec<Region> {
        vec![
            Region {
                base: 0x0,
                len: 0x1000,
                kind: RegionKind::Reserved,
            },
            Region {
                base: 0x1000,
                len: 0x9e000,
                kind: RegionKind::Usable,
            },
            Region {
                base: 0x9f000,
                len: 0x61000,
                kind: RegionKind::Reserved,
            },
            Region {
                base: 0x100000,
                len: 0x10_0000,
                kind: RegionKind::Usable,
            },
            Region {
                base: 0x200000,
                len: 0x1000,
                kind: RegionKind::BootloaderReclaimable,
            },
            Region {
                base: 0x201000,
                len: 0x3000,
                kind: RegionKind::Usable,
            },
        ]
    }

    #[test]
    fn usable_ranges_skip_other_kinds() {
        let u = UsableRanges::from_regions(&map());
        assert_eq!(u.as_slice().len(), 3);
        assert_eq!(u.frames(), 0x9e + 0x100 + 3);
    }

    #[test]
    fn unaligned_usable_is_shrunk_inward() {
        let m = [Region {
            base: 0x1800,
            len: 0x2000,
            kind: RegionKind::Usable,
        }];
        let u = UsableRanges::from_regions(&m);
        assert_eq!(
            u.as_slice(),
            &[FrameRange {
                start: 0x2000,
                end: 0x3000
            }]
        );
    }

    #[test]
    fn every_frame_once_and_only_usable() {
        let m = map();
        let u = UsableRanges::from_regions(&m);
        let mut bits = vec![0u64; FrameBitmap::words_needed(&u)];
        let mut fa = FrameBitmap::new(u, &mut bits).unwrap();
        let total = fa.total();
        let mut seen = HashSet::new();
        while let Some(f) = fa.allocate() {
            assert_eq!(f % PAGE_SIZE, 0);
            let region = crate::memmap::find(&m, f).unwrap();
            assert_eq!(region.kind, RegionKind::Usable, "{f:#x}");
            assert!(seen.insert(f), "frame {f:#x} twice");
        }
        assert_eq!(seen.len() as u64, total);
        assert_eq!(fa.free(), 0);
    }

    #[test]
    fn free_and_reallocate() {
        let u = UsableRanges::from_regions(&map());
        let mut bits = vec![0u64; FrameBitmap::words_needed(&u)];
        let mut fa = FrameBitmap::new(u, &mut bits).unwrap();
        let a = fa.allocate().unwrap();
        let b = fa.allocate().unwrap();
        assert_ne!(a, b);
        assert_eq!(fa.deallocate(a), Ok(()));
        assert_eq!(fa.deallocate(a), Err(FrameError::NotAllocated(a)));
        assert_eq!(fa.deallocate(0x9f000), Err(FrameError::NotManaged(0x9f000)));
        assert_eq!(fa.deallocate(0x1001), Err(FrameError::Unaligned(0x1001)));
        // Drain: `a` must come back exactly once.
        let mut again = 0;
        while let Some(f) = fa.allocate() {
            assert_ne!(f, b);
            if f == a {
                again += 1;
            }
        }
        assert_eq!(again, 1);
    }

    #[test]
    fn reserve_removes_frames() {
        let u = UsableRanges::from_regions(&map());
        let mut bits = vec![0u64; FrameBitmap::words_needed(&u)];
        let mut fa = FrameBitmap::new(u, &mut bits).unwrap();
        let before = fa.free();
        assert_eq!(fa.reserve(0x100000, 0x104000), 4);
        assert_eq!(fa.reserve(0x100000, 0x104000), 0);
        assert_eq!(fa.reserve(0x9f000, 0xa0000), 0);
        assert_eq!(fa.free(), before - 4);
        assert_eq!(fa.is_allocated(0x100000), Ok(true));
        while let Some(f) = fa.allocate() {
            assert!(!(0x100000..0x104000).contains(&f));
        }
    }

    #[test]
    fn bitmap_too_small_is_an_error() {
        let u = UsableRanges::from_regions(&map());
        let mut bits = [0u64; 1];
        assert!(matches!(
            FrameBitmap::new(u, &mut bits),
            Err(FrameError::BitmapTooSmall { .. })
        ));
    }

    #[test]
    fn contiguous_runs_skip_holes_and_stay_in_one_range() {
        let usable = UsableRanges::from_regions(&map());
        let mut bits = vec![0u64; FrameBitmap::words_needed(&usable)];
        let mut fa = FrameBitmap::new(usable, &mut bits).unwrap();
        let a = fa.allocate().unwrap();
        let b = fa.allocate().unwrap();
        let c = fa.allocate().unwrap();
        fa.deallocate(b).unwrap();
        let free = fa.free();
        let run = fa.allocate_contiguous(3).unwrap();
        assert!(run > c, "the one-frame hole at {b:#x} is too short");
        assert_eq!(fa.free(), free - 3);
        for i in 0..3 {
            assert_eq!(fa.is_allocated(run + i * PAGE_SIZE), Ok(true));
        }
        assert_eq!(fa.allocate_contiguous(0), None);
        assert_eq!(fa.allocate_contiguous(fa.total() + 1), None);
        let _ = a;
    }
}
