//! Checking a kernel ELF and planning its load: where each PT_LOAD segment
//! goes, which pages get which rights, which relocations to apply.
//!
//! The image is one physically contiguous block from the page below the
//! lowest segment to the page above the highest (the spec promises a
//! contiguous image). Position-independent kernels (ET_DYN) are loaded at
//! their link address when it is in the top 2 GiB, else slid up by
//! `0xffffffff80000000`; only `R_X86_64_RELATIVE` relocations are supported.

use alloc::vec::Vec;
use core::fmt;

use goblin::container::{Container, Ctx, Endian};
use goblin::elf::header::{EM_X86_64, ET_DYN, ET_EXEC};
use goblin::elf::program_header::{PF_W, PF_X, PT_LOAD};
use goblin::elf::reloc::{R_X86_64_NONE, R_X86_64_RELATIVE};
use goblin::elf::{Dynamic, Elf, ProgramHeader, RelocSection};

use crate::addr::{KERNEL_MIN_VADDR, PAGE_SIZE, align_down, align_up};
use crate::paging::Access;

/// Largest image span accepted (the whole image must fit in RAM anyway).
pub const MAX_IMAGE_SIZE: u64 = 1 << 30;

/// `DT_RELR`: packed relative relocations (not supported).
const DT_RELR: u64 = 36;

/// Why a kernel ELF cannot be loaded.
#[derive(Debug)]
pub enum ElfError {
    /// No ELF magic.
    NotElf,
    /// Shorter than an ELF header.
    Truncated,
    /// ELFCLASS32.
    WrongClass,
    /// Big-endian.
    WrongEndian,
    /// Not x86-64.
    WrongMachine(u16),
    /// Not ET_EXEC or ET_DYN.
    WrongType(u16),
    /// goblin could not parse the headers.
    Malformed(goblin::error::Error),
    /// No PT_LOAD segment with memory.
    NoLoadableSegments,
    /// A segment's file bytes run past the end of the file.
    SegmentFileRange {
        /// Program header index.
        index: usize,
    },
    /// `p_filesz > p_memsz`.
    SegmentSizes {
        /// Program header index.
        index: usize,
    },
    /// A segment below `0xffffffff80000000` (or wrapping past 2^64).
    OutsideHigherHalf {
        /// Program header index.
        index: usize,
        /// Its (slid) virtual address.
        vaddr: u64,
    },
    /// Two segments share bytes.
    Overlap {
        /// Program header index of the lower one.
        first: usize,
        /// Program header index of the higher one.
        second: usize,
    },
    /// The entry point is not in an executable segment.
    EntryNotExecutable {
        /// The (slid) entry point.
        entry: u64,
    },
    /// A dynamic relocation other than `R_X86_64_RELATIVE`.
    UnsupportedRelocation {
        /// Its type.
        kind: u32,
    },
    /// A relocation outside the loaded image.
    RelocationOutside {
        /// Its (unslid) target address.
        offset: u64,
    },
    /// The image spans more than [`MAX_IMAGE_SIZE`].
    TooLarge {
        /// Bytes spanned.
        size: u64,
    },
}

impl fmt::Display for ElfError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ElfError::NotElf => f.write_str("not an ELF file"),
            ElfError::Truncated => f.write_str("truncated ELF header"),
            ElfError::WrongClass => {
                f.write_str("32-bit ELF; the Limine protocol loads ELF64 kernels only")
            }
            ElfError::WrongEndian => {
                f.write_str("big-endian ELF; x86-64 kernels are little-endian")
            }
            ElfError::WrongMachine(m) => write!(f, "ELF machine {m} is not x86-64 ({EM_X86_64})"),
            ElfError::WrongType(t) => {
                write!(f, "ELF type {t} is not an executable (ET_EXEC or ET_DYN)")
            }
            ElfError::Malformed(e) => write!(f, "corrupt ELF: {e}"),
            ElfError::NoLoadableSegments => f.write_str("no loadable (PT_LOAD) segment"),
            ElfError::SegmentFileRange { index } => {
                write!(
                    f,
                    "segment {index}: file bytes run past the end of the file"
                )
            }
            ElfError::SegmentSizes { index } => {
                write!(f, "segment {index}: file size larger than memory size")
            }
            ElfError::OutsideHigherHalf { index, vaddr } => write!(
                f,
                "segment {index} at {vaddr:#x} is outside the higher half (must lie at or above {KERNEL_MIN_VADDR:#x})"
            ),
            ElfError::Overlap { first, second } => {
                write!(f, "segments {first} and {second} overlap")
            }
            ElfError::EntryNotExecutable { entry } => {
                write!(f, "entry point {entry:#x} is not in an executable segment")
            }
            ElfError::UnsupportedRelocation { kind } => {
                write!(
                    f,
                    "dynamic relocation type {kind} is not supported (only R_X86_64_RELATIVE)"
                )
            }
            ElfError::RelocationOutside { offset } => {
                write!(f, "relocation at {offset:#x} is outside the loaded image")
            }
            ElfError::TooLarge { size } => {
                write!(
                    f,
                    "image spans {} MiB (limit {} MiB)",
                    size >> 20,
                    MAX_IMAGE_SIZE >> 20
                )
            }
        }
    }
}

/// One PT_LOAD segment (addresses slid).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Segment {
    /// Program header index.
    pub index: usize,
    /// Virtual address.
    pub vaddr: u64,
    /// Bytes in memory.
    pub memsz: u64,
    /// File offset of its bytes.
    pub offset: u64,
    /// Bytes taken from the file (the rest is zero).
    pub filesz: u64,
    /// Rights from `p_flags`.
    pub access: Access,
}

/// Pages with one set of rights.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PageRun {
    /// First page's virtual address.
    pub vaddr: u64,
    /// Bytes (whole pages).
    pub len: u64,
    /// Rights (union where segments share a page).
    pub access: Access,
}

/// A checked kernel and its load plan.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct KernelImage {
    /// Loadable segments, sorted by address.
    pub segments: Vec<Segment>,
    /// Virtual address of the image's first page.
    pub vbase: u64,
    /// Bytes from `vbase` to the end of the last segment's page.
    pub size: u64,
    /// Entry point (slid).
    pub entry: u64,
    /// Amount added to every link-time address (0 for ET_EXEC).
    pub slide: u64,
    /// `(image offset, value)` 8-byte stores from relocations.
    pub relocations: Vec<(u64, u64)>,
}

fn rights(flags: u32) -> Access {
    Access {
        writable: flags & PF_W != 0,
        executable: flags & PF_X != 0,
    }
}

impl KernelImage {
    /// Checks `file` and plans its load.
    pub fn parse(file: &[u8]) -> Result<Self, ElfError> {
        if file.len() < 4 || &file[..4] != b"\x7fELF" {
            return Err(ElfError::NotElf);
        }
        if file.len() < 64 {
            return Err(ElfError::Truncated);
        }
        if file[4] != 2 {
            return Err(ElfError::WrongClass);
        }
        if file[5] != 1 {
            return Err(ElfError::WrongEndian);
        }
        // Only the headers a loader needs: program headers, and for ET_DYN
        // the dynamic section and its relocations. Section headers and
        // symbol tables (large in a debug build) are never parsed.
        let header = Elf::parse_header(file).map_err(ElfError::Malformed)?;
        let ctx = Ctx::new(Container::Big, Endian::Little);
        let program_headers = ProgramHeader::parse(
            file,
            header.e_phoff as usize,
            usize::from(header.e_phnum),
            ctx,
        )
        .map_err(ElfError::Malformed)?;
        if header.e_machine != EM_X86_64 {
            return Err(ElfError::WrongMachine(header.e_machine));
        }
        let dynamic = match header.e_type {
            ET_EXEC => false,
            ET_DYN => true,
            other => return Err(ElfError::WrongType(other)),
        };

        let loads = || {
            program_headers
                .iter()
                .enumerate()
                .filter(|(_, p)| p.p_type == PT_LOAD && p.p_memsz > 0)
        };
        let link_base = loads()
            .map(|(_, p)| p.p_vaddr)
            .min()
            .ok_or(ElfError::NoLoadableSegments)?;
        let slide = if dynamic && link_base < KERNEL_MIN_VADDR {
            KERNEL_MIN_VADDR
        } else {
            0
        };

        let mut segments = Vec::new();
        for (index, p) in loads() {
            if p.p_filesz > p.p_memsz {
                return Err(ElfError::SegmentSizes { index });
            }
            let in_file = p
                .p_offset
                .checked_add(p.p_filesz)
                .is_some_and(|end| end <= file.len() as u64);
            if !in_file {
                return Err(ElfError::SegmentFileRange { index });
            }
            let vaddr = p.p_vaddr.wrapping_add(slide);
            let fits = vaddr >= KERNEL_MIN_VADDR
                && (p.p_vaddr >= link_base)
                && u128::from(vaddr) + u128::from(p.p_memsz) <= 1u128 << 64;
            if !fits {
                return Err(ElfError::OutsideHigherHalf { index, vaddr });
            }
            segments.push(Segment {
                index,
                vaddr,
                memsz: p.p_memsz,
                offset: p.p_offset,
                filesz: p.p_filesz,
                access: rights(p.p_flags),
            });
        }
        segments.sort_by_key(|s| s.vaddr);
        for w in segments.windows(2) {
            if u128::from(w[0].vaddr) + u128::from(w[0].memsz) > u128::from(w[1].vaddr) {
                return Err(ElfError::Overlap {
                    first: w[0].index,
                    second: w[1].index,
                });
            }
        }

        let vbase = align_down(segments[0].vaddr, PAGE_SIZE);
        let last = segments[segments.len() - 1];
        let span = u128::from(last.vaddr) + u128::from(last.memsz) - u128::from(vbase);
        let size = u64::try_from(span)
            .ok()
            .and_then(|s| align_up(s, PAGE_SIZE))
            .filter(|&s| s <= MAX_IMAGE_SIZE)
            .ok_or(ElfError::TooLarge {
                size: u64::try_from(span).unwrap_or(u64::MAX),
            })?;

        let entry = header.e_entry.wrapping_add(slide);
        let entry_ok = segments
            .iter()
            .any(|s| s.access.executable && entry >= s.vaddr && entry - s.vaddr < s.memsz);
        if !entry_ok {
            return Err(ElfError::EntryNotExecutable { entry });
        }

        let mut relocations = Vec::new();
        if dynamic
            && let Some(d) =
                Dynamic::parse(file, &program_headers, ctx).map_err(ElfError::Malformed)?
        {
            if d.dyns.iter().any(|e| e.d_tag == DT_RELR) {
                return Err(ElfError::UnsupportedRelocation {
                    kind: DT_RELR as u32,
                });
            }
            if d.info.relsz > 0 {
                let rels = RelocSection::parse(file, d.info.rel, d.info.relsz, false, ctx)
                    .map_err(ElfError::Malformed)?;
                let kind = rels.iter().next().map_or(0, |r| r.r_type);
                return Err(ElfError::UnsupportedRelocation { kind });
            }
            let relas = if d.info.relasz > 0 {
                RelocSection::parse(file, d.info.rela, d.info.relasz, true, ctx)
                    .map_err(ElfError::Malformed)?
            } else {
                RelocSection::default()
            };
            for r in relas.iter() {
                match r.r_type {
                    R_X86_64_NONE => continue,
                    R_X86_64_RELATIVE => {}
                    kind => return Err(ElfError::UnsupportedRelocation { kind }),
                }
                let target = r.r_offset.wrapping_add(slide);
                let off = target.wrapping_sub(vbase);
                if target < vbase || off.checked_add(8).is_none_or(|end| end > size) {
                    return Err(ElfError::RelocationOutside { offset: r.r_offset });
                }
                let value = (r.r_addend.unwrap_or(0) as u64).wrapping_add(slide);
                relocations.push((off, value));
            }
        }

        Ok(KernelImage {
            segments,
            vbase,
            size,
            entry,
            slide,
            relocations,
        })
    }

    /// Fills `image` (exactly [`size`](Self::size) bytes, the memory at
    /// `vbase`): zeroes, copies segment bytes from `file`, applies relocations.
    pub fn load(&self, file: &[u8], image: &mut [u8]) {
        image.fill(0);
        for s in &self.segments {
            let dst = (s.vaddr - self.vbase) as usize;
            let src = s.offset as usize;
            let len = s.filesz as usize;
            image[dst..dst + len].copy_from_slice(&file[src..src + len]);
        }
        for &(off, value) in &self.relocations {
            let off = off as usize;
            image[off..off + 8].copy_from_slice(&value.to_le_bytes());
        }
    }

    /// The pages to map and their rights (a page shared by two segments gets
    /// the union), sorted and merged.
    pub fn page_runs(&self) -> Vec<PageRun> {
        let mut runs: Vec<PageRun> = Vec::new();
        for s in &self.segments {
            let first = align_down(s.vaddr, PAGE_SIZE);
            let last = align_down(s.vaddr + (s.memsz - 1), PAGE_SIZE);
            let mut from = first;
            if let Some(prev) = runs.last_mut()
                && prev.vaddr + (prev.len - PAGE_SIZE) == first
            {
                let union = Access {
                    writable: prev.access.writable || s.access.writable,
                    executable: prev.access.executable || s.access.executable,
                };
                if union != prev.access {
                    if prev.len > PAGE_SIZE {
                        prev.len -= PAGE_SIZE;
                        runs.push(PageRun {
                            vaddr: first,
                            len: PAGE_SIZE,
                            access: union,
                        });
                    } else {
                        prev.access = union;
                    }
                }
                if first == last {
                    continue;
                }
                from = first + PAGE_SIZE;
            }
            push_run(
                &mut runs,
                PageRun {
                    vaddr: from,
                    len: last - from + PAGE_SIZE,
                    access: s.access,
                },
            );
        }
        runs
    }

    /// Offset in the image of kernel virtual address `vaddr`, if inside.
    pub fn offset_of(&self, vaddr: u64) -> Option<u64> {
        let off = vaddr.checked_sub(self.vbase)?;
        (off < self.size).then_some(off)
    }
}

fn push_run(runs: &mut Vec<PageRun>, run: PageRun) {
    if let Some(last) = runs.last_mut()
        && last.access == run.access
        && last.vaddr.wrapping_add(last.len) == run.vaddr
    {
        last.len += run.len;
        return;
    }
    runs.push(run);
}

#[cfg(test)]
mod tests;
