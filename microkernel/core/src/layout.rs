//! The kernel image's layout: its segments with their page permissions, and
//! address translation between the link address and physical memory.

use core::fmt;

use crate::PAGE_SIZE;

/// Page permissions of a kernel segment.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Perms {
    /// Read + execute (text).
    ReadExec,
    /// Read only, no execute (rodata).
    Read,
    /// Read + write, no execute (data, bss, stacks).
    ReadWrite,
}

impl Perms {
    /// Writable?
    pub const fn writable(self) -> bool {
        matches!(self, Self::ReadWrite)
    }

    /// Executable?
    pub const fn executable(self) -> bool {
        matches!(self, Self::ReadExec)
    }
}

/// One virtually contiguous piece of the image `[start, end)`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Segment {
    /// Name for logs.
    pub name: &'static str,
    /// First virtual byte.
    pub start: u64,
    /// One past the last virtual byte.
    pub end: u64,
    /// Permissions.
    pub perms: Perms,
}

/// Why a layout is unusable.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LayoutError {
    /// A segment boundary is not page-aligned.
    Unaligned(&'static str),
    /// A segment ends before it starts.
    Inverted(&'static str),
    /// Two segments overlap or are out of order.
    Overlap(&'static str),
    /// The segment lies below the image's virtual base.
    BelowBase(&'static str),
}

impl fmt::Display for LayoutError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Unaligned(n) => write!(f, "segment {n} is not page-aligned"),
            Self::Inverted(n) => write!(f, "segment {n} ends before it starts"),
            Self::Overlap(n) => write!(f, "segment {n} overlaps the one before"),
            Self::BelowBase(n) => write!(f, "segment {n} is below the image base"),
        }
    }
}

/// Check that segments are page-aligned, ordered, disjoint and above `base`.
pub fn check(segments: &[Segment], base: u64) -> Result<(), LayoutError> {
    let mut prev_end = base;
    for s in segments {
        if s.start % PAGE_SIZE != 0 || s.end % PAGE_SIZE != 0 {
            return Err(LayoutError::Unaligned(s.name));
        }
        if s.end < s.start {
            return Err(LayoutError::Inverted(s.name));
        }
        if s.start < base {
            return Err(LayoutError::BelowBase(s.name));
        }
        if s.start < prev_end {
            return Err(LayoutError::Overlap(s.name));
        }
        prev_end = s.end;
    }
    Ok(())
}

/// Where the image is: virtual base (link address) and physical base.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ImageBase {
    /// Virtual base.
    pub virt: u64,
    /// Physical base.
    pub phys: u64,
}

impl ImageBase {
    /// Physical address of an image virtual address (`None` below the base).
    pub fn to_phys(&self, virt: u64) -> Option<u64> {
        virt.checked_sub(self.virt).map(|off| self.phys + off)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const BASE: u64 = 0xffff_ffff_8000_0000;

    fn seg(name: &'static str, start: u64, end: u64, perms: Perms) -> Segment {
        Segment {
            name,
            start: BASE + start,
            end: BASE + end,
            perms,
        }
    }

    #[test]
    fn good_layout() {
        let s = [
            seg("text", 0, 0x5000, Perms::ReadExec),
            seg("rodata", 0x5000, 0x7000, Perms::Read),
            seg("data", 0x8000, 0x9000, Perms::ReadWrite),
        ];
        assert_eq!(check(&s, BASE), Ok(()));
        assert!(!Perms::ReadExec.writable() && Perms::ReadExec.executable());
        assert!(Perms::ReadWrite.writable() && !Perms::ReadWrite.executable());
        assert!(!Perms::Read.writable() && !Perms::Read.executable());
    }

    #[test]
    fn bad_layouts() {
        let s = [seg("text", 0, 0x5001, Perms::ReadExec)];
        assert_eq!(check(&s, BASE), Err(LayoutError::Unaligned("text")));
        let s = [
            seg("text", 0, 0x5000, Perms::ReadExec),
            seg("data", 0x4000, 0x6000, Perms::ReadWrite),
        ];
        assert_eq!(check(&s, BASE), Err(LayoutError::Overlap("data")));
        let s = [seg("x", 0x2000, 0x1000, Perms::Read)];
        assert_eq!(check(&s, BASE), Err(LayoutError::Inverted("x")));
        let s = [Segment {
            name: "low",
            start: 0x1000,
            end: 0x2000,
            perms: Perms::Read,
        }];
        assert_eq!(check(&s, BASE), Err(LayoutError::BelowBase("low")));
    }

    #[test]
    fn translation() {
        let b = ImageBase {
            virt: BASE,
            phys: 0x20_0000,
        };
        assert_eq!(b.to_phys(BASE + 0x1234), Some(0x20_1234));
        assert_eq!(b.to_phys(0x1000), None);
    }
}
