//! Making a process from an ELF image: a new address space and CSpace, the
//! image loaded page by page with its segment permissions (W^X as the
//! program headers say), a stack, an IPC buffer page and one thread.

use core::fmt;

use goblin::elf::Elf;
use goblin::elf::program_header::{PF_W, PF_X, PT_LOAD};
use helix_abi::SysError;
use helix_kernel_objects::syscall::USER_TOP;
use helix_kernel_objects::table::{ObjRef, ThreadId};

use super::machine::{KernelFrames, Space, user_frame};
use super::world::World;
use crate::mem::frames::OwnedFrame;

/// Top of a kernel-made thread's stack.
pub const STACK_TOP: u64 = 0x0000_7fff_ffff_0000;
/// Pages of that stack.
pub const STACK_PAGES: u64 = 16;
/// The IPC buffer page of a kernel-made thread.
pub const IPC_BUFFER: u64 = helix_abi::bootinfo::IPC_BUFFER_ADDR;

/// Why a process could not be made.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SpawnError {
    /// An object could not be made.
    Sys(SysError),
    /// The ELF does not parse.
    Elf,
    /// A segment lies outside user space or outside the file.
    BadSegment(u64),
    /// Out of frames.
    OutOfMemory,
}

impl fmt::Display for SpawnError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Sys(e) => write!(f, "kernel object: {e}"),
            Self::Elf => write!(f, "not a valid ELF executable"),
            Self::BadSegment(v) => write!(f, "segment at {v:#x} outside user space or the file"),
            Self::OutOfMemory => write!(f, "out of memory"),
        }
    }
}

impl From<SysError> for SpawnError {
    fn from(e: SysError) -> Self {
        Self::Sys(e)
    }
}

/// A process made by the kernel.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Proc {
    /// Its AddressSpace (cap in its slot 0).
    pub aspace: ObjRef,
    /// Its CSpace.
    pub cspace: ObjRef,
    /// Its first thread (cap in its slot 1).
    pub thread: ThreadId,
}

/// Map a fresh zeroed page owned by the process.
fn fresh_page(s: &mut Space, vaddr: u64, w: bool, x: bool) -> Result<u64, SpawnError> {
    let f = OwnedFrame::zeroed().ok_or(SpawnError::OutOfMemory)?;
    let phys = f.phys();
    s.owned.push(f);
    s.tables
        .map(vaddr, phys, w, x, &mut KernelFrames)
        .map_err(|_| SpawnError::OutOfMemory)?;
    Ok(phys)
}

/// Load the PT_LOAD segments of `elf` into `s`; returns the entry point.
fn load_elf(s: &mut Space, data: &[u8]) -> Result<u64, SpawnError> {
    let elf = Elf::parse(data).map_err(|_| SpawnError::Elf)?;
    if !elf.is_64 || elf.entry == 0 || elf.entry >= USER_TOP {
        return Err(SpawnError::Elf);
    }
    for ph in elf.program_headers.iter().filter(|p| p.p_type == PT_LOAD) {
        let (va, memsz, filesz, off) = (ph.p_vaddr, ph.p_memsz, ph.p_filesz, ph.p_offset);
        let bad = SpawnError::BadSegment(va);
        let end = va.checked_add(memsz).ok_or(bad)?;
        if va < 0x1000 || end > USER_TOP || filesz > memsz {
            return Err(bad);
        }
        let file_end = off.checked_add(filesz).ok_or(bad)?;
        if file_end > data.len() as u64 {
            return Err(bad);
        }
        let (w, x) = (ph.p_flags & PF_W != 0, ph.p_flags & PF_X != 0);
        let mut page = va & !0xfff;
        while page < end {
            let frame = match s.tables.translate(page) {
                Some(p) => p.phys,
                None => fresh_page(s, page, w, x)?,
            };
            // File bytes that fall into this page.
            let lo = page.max(va);
            let hi = (page + 4096).min(va + filesz);
            if lo < hi {
                let src = (off + (lo - va)) as usize;
                // Only frames this process owns are written (a page mapped
                // from elsewhere would be refused).
                if !s.fill_owned(
                    frame,
                    (lo - page) as usize,
                    &data[src..src + (hi - lo) as usize],
                ) {
                    return Err(SpawnError::BadSegment(va));
                }
            }
            page += 4096;
        }
    }
    Ok(elf.entry)
}

impl World {
    /// Make a process from `elf` with a CSpace of `slots` slots (its
    /// AddressSpace cap in slot 0, Thread cap in slot 1), a stack whose top
    /// holds `args`, an IPC buffer, and `fault_ep` as the fault endpoint
    /// slot; the thread is ready to run.
    pub fn spawn(
        &mut self,
        elf: &[u8],
        slots: usize,
        args: [u64; 2],
        fault_ep: Option<u32>,
    ) -> Result<Proc, SpawnError> {
        let aspace = self.sys.boot_address_space(slots)?;
        let cspace = self.sys.cspace_of_aspace(aspace)?;
        let thread = self.sys.boot_thread(aspace, 1)?;
        self.sys.boot_configure(thread, IPC_BUFFER, fault_ep)?;
        let s = self.m.space_mut(aspace)?;
        let entry = load_elf(s, elf)?;
        let mut top_frame = 0;
        for i in 0..STACK_PAGES {
            let f = fresh_page(s, STACK_TOP - (i + 1) * 4096, true, false)?;
            if i == 0 {
                top_frame = f;
            }
        }
        let mut a = [0u8; 16];
        a[..8].copy_from_slice(&args[0].to_le_bytes());
        a[8..].copy_from_slice(&args[1].to_le_bytes());
        if !s.fill_owned(top_frame, 4096 - 16, &a) {
            return Err(SpawnError::OutOfMemory);
        }
        fresh_page(s, IPC_BUFFER, true, false)?;
        self.m.set_tcb(thread, user_frame(entry, STACK_TOP - 16));
        self.sys.boot_start(thread)?;
        Ok(Proc {
            aspace,
            cspace,
            thread,
        })
    }

    /// Map a fresh page holding `data` read-only at `vaddr` in `p`.
    pub fn map_data(&mut self, p: &Proc, vaddr: u64, data: &[u8]) -> Result<(), SpawnError> {
        let s = self.m.space_mut(p.aspace)?;
        let f = fresh_page(s, vaddr, false, false)?;
        if s.fill_owned(f, 0, data) {
            Ok(())
        } else {
            Err(SpawnError::OutOfMemory)
        }
    }

    /// Map physical pages `[phys, phys + len)` read-only at `vaddr` in `p`
    /// (boot modules: the root server reads them in place).
    pub fn map_phys_ro(
        &mut self,
        p: &Proc,
        vaddr: u64,
        phys: u64,
        len: u64,
    ) -> Result<(), SpawnError> {
        let s = self.m.space_mut(p.aspace)?;
        let mut off = 0;
        while off < len {
            s.tables
                .map(
                    vaddr + off,
                    (phys & !0xfff) + off,
                    false,
                    false,
                    &mut KernelFrames,
                )
                .map_err(|_| SpawnError::OutOfMemory)?;
            off += 4096;
        }
        Ok(())
    }
}
