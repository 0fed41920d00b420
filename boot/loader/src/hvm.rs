//! Reading Xen's `hvm_start_info`, which QEMU's PVH boot leaves in low
//! memory: the firmware memory map and the initrd (module 0).

use alloc::vec::Vec;

use helix_loader_core::BootError;
use helix_loader_core::memmap::{MemoryKind, Region};

use crate::phys;

/// `hvm_start_info.magic`.
pub const MAGIC: u32 = 0x336e_c578;

/// What the loader needs from the start info, copied out.
#[derive(Debug)]
pub struct StartInfo {
    /// Firmware memory map (E820 types converted).
    pub memmap: Vec<Region>,
    /// Module 0 (the bundle): physical address and size.
    pub initrd: Option<(u64, u64)>,
    /// RSDP physical address (0 if the firmware gave none).
    pub rsdp: u64,
}

/// Copies what matters out of the structure at `addr`.
///
/// # Safety
/// `addr` must be the `ebx` value QEMU's PVH entry passed.
pub unsafe fn read(addr: u64) -> Result<StartInfo, BootError<'static>> {
    if addr == 0 {
        return Err(BootError::BadStartInfo { magic: 0 });
    }
    let rd32 = |a: u64| -> u32 {
        // SAFETY: the caller vouches for `addr`; the firmware placed the start
        // info, memory map and module list in memory the loader has not
        // touched yet.
        unsafe { phys::read(a) }
    };
    let rd64 = |a: u64| -> u64 {
        // SAFETY: as for `rd32`.
        unsafe { phys::read(a) }
    };
    let magic = rd32(addr);
    if magic != MAGIC {
        return Err(BootError::BadStartInfo { magic });
    }
    let version = rd32(addr + 4);
    let nr_modules = rd32(addr + 12);
    let modlist = rd64(addr + 16);
    let rsdp = rd64(addr + 32);
    let mut memmap = Vec::new();
    if version >= 1 {
        let table = rd64(addr + 40);
        let entries = rd32(addr + 48);
        if table != 0 {
            for i in 0..u64::from(entries) {
                let e = table + 24 * i;
                memmap.push(Region::new(
                    rd64(e),
                    rd64(e + 8),
                    MemoryKind::from_e820(rd32(e + 16)),
                ));
            }
        }
    }
    let initrd = (nr_modules > 0 && modlist != 0).then(|| (rd64(modlist), rd64(modlist + 8)));
    Ok(StartInfo {
        memmap,
        initrd,
        rsdp,
    })
}
