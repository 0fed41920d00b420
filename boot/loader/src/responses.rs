//! Limine response structures (layouts as in the protocol spec and the
//! `limine` 0.5 crate) and the bootloader-reclaimable arena they live in.
//! Every pointer the kernel sees is an HHDM address.

use helix_loader_core::frames::{FrameAllocator, MemError, Purpose};
use helix_loader_core::memmap::MemoryKind;

use crate::phys;

/// `limine_bootloader_info_response`.
#[repr(C)]
pub struct BootloaderInfo {
    pub revision: u64,
    pub name: u64,
    pub version: u64,
}

/// Responses that are a revision and one word (firmware type, HHDM offset,
/// paging mode, RSDP address, executable file pointer, cmdline pointer,
/// date at boot).
#[repr(C)]
pub struct OneWord {
    pub revision: u64,
    pub value: u64,
}

/// Responses that are only a revision (stack size, entry point).
#[repr(C)]
pub struct RevisionOnly {
    pub revision: u64,
}

/// Responses that are a revision, a count and an array pointer (memory
/// map, modules).
#[repr(C)]
pub struct CountedArray {
    pub revision: u64,
    pub count: u64,
    pub array: u64,
}

/// `limine_memmap_entry`.
#[repr(C)]
pub struct MemmapEntry {
    pub base: u64,
    pub length: u64,
    pub kind: u64,
}

/// `limine_mp_response` (x86-64).
#[repr(C)]
pub struct MpResponse {
    pub revision: u64,
    pub flags: u32,
    pub bsp_lapic_id: u32,
    pub cpu_count: u64,
    pub cpus: u64,
}

/// `limine_mp_info` (x86-64).
#[repr(C)]
pub struct MpInfo {
    pub processor_id: u32,
    pub lapic_id: u32,
    pub reserved: u64,
    pub goto_address: u64,
    pub extra_argument: u64,
}

/// Byte offset of `goto_address` (the AP park loop polls it).
pub const MP_INFO_GOTO_OFFSET: usize = 16;

/// `limine_smbios_response`, `limine_executable_address_response`.
#[repr(C)]
pub struct TwoWords {
    pub revision: u64,
    pub first: u64,
    pub second: u64,
}

/// `limine_bootloader_performance_response`.
#[repr(C)]
pub struct Performance {
    pub revision: u64,
    pub reset_usec: u64,
    pub init_usec: u64,
    pub exec_usec: u64,
}

/// `limine_file`.
#[repr(C)]
pub struct File {
    pub revision: u64,
    pub address: u64,
    pub size: u64,
    pub path: u64,
    pub string: u64,
    pub media_type: u32,
    pub unused: u32,
    pub tftp_ip: u32,
    pub tftp_port: u32,
    pub partition_index: u32,
    pub mbr_disk_id: u32,
    pub gpt_disk_uuid: [u8; 16],
    pub gpt_part_uuid: [u8; 16],
    pub part_uuid: [u8; 16],
}

const _: () = {
    assert!(size_of::<File>() == 112);
    assert!(size_of::<MpInfo>() == 32);
    assert!(core::mem::offset_of!(MpInfo, goto_address) == MP_INFO_GOTO_OFFSET);
    assert!(size_of::<MpResponse>() == 32);
    assert!(size_of::<MemmapEntry>() == 24);
};

/// Bump allocator over bootloader-reclaimable chunks.
pub struct Arena {
    chunk: u64,
    used: u64,
    cap: u64,
    hhdm: u64,
}

const CHUNK: u64 = 64 * 1024;

impl Arena {
    /// An empty arena; HHDM addresses use `hhdm`.
    pub fn new(hhdm: u64) -> Self {
        Arena {
            chunk: 0,
            used: 0,
            cap: 0,
            hhdm,
        }
    }

    /// HHDM address of `phys`.
    pub fn virt(&self, phys: u64) -> u64 {
        phys + self.hhdm
    }

    /// `size` zeroed bytes aligned to `align` (<= 4096); physical address.
    pub fn alloc(
        &mut self,
        frames: &mut FrameAllocator,
        size: u64,
        align: u64,
    ) -> Result<u64, MemError> {
        let start = self.used.div_ceil(align) * align;
        if self.chunk == 0 || start + size > self.cap {
            let cap = size.max(CHUNK).div_ceil(4096) * 4096;
            let chunk = frames.alloc(
                cap,
                4096,
                MemoryKind::BootloaderReclaimable,
                Purpose::Responses,
            )?;
            // SAFETY: fresh loader-owned pages below 4 GiB.
            unsafe { phys::bytes_mut(chunk, cap) }.fill(0);
            self.chunk = chunk;
            self.cap = cap;
            self.used = 0;
            return self.alloc(frames, size, align);
        }
        self.used = start + size;
        Ok(self.chunk + start)
    }

    /// Stores `value`; returns its HHDM address.
    pub fn put<T>(&mut self, frames: &mut FrameAllocator, value: T) -> Result<u64, MemError> {
        let phys = self.alloc(frames, size_of::<T>() as u64, 8)?;
        // SAFETY: `phys` is fresh arena space of the right size.
        unsafe { phys::write(phys, value) };
        Ok(self.virt(phys))
    }

    /// Stores `s` NUL-terminated; returns its HHDM address.
    pub fn put_str(&mut self, frames: &mut FrameAllocator, s: &str) -> Result<u64, MemError> {
        let phys = self.alloc(frames, s.len() as u64 + 1, 1)?;
        // SAFETY: fresh, zeroed arena space of len + 1 bytes.
        unsafe { phys::bytes_mut(phys, s.len() as u64) }.copy_from_slice(s.as_bytes());
        Ok(self.virt(phys))
    }

    /// Stores `words` as an array of u64; returns its HHDM address.
    pub fn put_words(
        &mut self,
        frames: &mut FrameAllocator,
        words: &[u64],
    ) -> Result<u64, MemError> {
        let phys = self.alloc(frames, 8 * words.len() as u64, 8)?;
        for (i, w) in words.iter().enumerate() {
            // SAFETY: inside the fresh allocation above.
            unsafe { phys::write(phys + 8 * i as u64, *w) };
        }
        Ok(self.virt(phys))
    }
}
