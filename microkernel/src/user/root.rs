//! Starting the root server: the first boot module, with caps to all free
//! memory (one Untyped), IRQ control, every I/O port and every other boot
//! module as a read-only Frame (also mapped read-only), plus the boot-info
//! page describing them (layout in `helix_abi::bootinfo`).

use helix_abi::CapRights;
use helix_abi::CapType;
use helix_abi::bootinfo::{
    BOOT_INFO_ADDR, BOOT_INFO_MAGIC, MAX_MODULES, MODULE_WORDS, MODULES_AT, NAME_WORDS, ROOT_SLOTS,
    SLOT_FIRST_MODULE, SLOT_IO_PORTS, SLOT_IRQ_CONTROL, SLOT_UNTYPED, module_addr,
};
use helix_kernel_objects::cap::SlotAddr;

use super::process::{Proc, SpawnError};
use super::world::World;
use crate::arch::paging;
use crate::boot::BootInfo;
use crate::mem::frames;

/// Bytes of free memory given to the root server: all free frames but a
/// reserve for kernel page tables and heap.
pub fn quota_bytes() -> u64 {
    let free = frames::stats().map_or(0, |(_, f)| f);
    free.saturating_sub(1024) * 4096
}

/// Make the root server from the first module in `w` (not started yet:
/// the caller runs the world). Returns it and the module count described.
pub fn boot_root(w: &mut World, info: &BootInfo) -> Result<(Proc, usize), SpawnError> {
    let mut modules = info.modules();
    let first = modules.next().ok_or(SpawnError::Elf)?;
    let p = w.spawn(first.data, ROOT_SLOTS, [0, 0], None)?;
    w.m.root = Some(p.aspace);
    let at = |slot| SlotAddr::new(p.cspace, slot);
    w.sys
        .boot_cap(at(SLOT_UNTYPED), CapType::Untyped, quota_bytes())?;
    w.sys
        .boot_cap(at(SLOT_IRQ_CONTROL), CapType::IrqControl, 0)?;
    w.sys.boot_cap(at(SLOT_IO_PORTS), CapType::IoPorts, 0)?;
    let mut page = [0u64; 512];
    page[0] = BOOT_INFO_MAGIC;
    page[2] = quota_bytes();
    page[3] = super::smp::online() as u64;
    page[4] = crate::time::clock().map_or(0, |c| c.hz);
    let mut n = 0;
    for (i, m) in modules.take(MAX_MODULES).enumerate() {
        let virt = m.data.as_ptr() as u64;
        let phys = virt - paging::hhdm();
        let pages = (m.data.len() as u64 + (phys & 0xfff)).div_ceil(4096).max(1);
        let slot = SLOT_FIRST_MODULE + i as u32;
        w.sys
            .boot_frame(at(slot), phys & !0xfff, pages, CapRights::READ)?;
        w.map_phys_ro(&p, module_addr(i), phys, pages * 4096)?;
        let rec = &mut page[MODULES_AT + i * MODULE_WORDS..][..MODULE_WORDS];
        rec[0] = u64::from(slot);
        rec[1] = m.data.len() as u64;
        rec[2] = module_addr(i) + (phys & 0xfff);
        let name = m.path.as_bytes();
        for k in 0..NAME_WORDS {
            let mut b = [0u8; 8];
            for (j, x) in b.iter_mut().enumerate() {
                *x = name.get(k * 8 + j).copied().unwrap_or(0);
            }
            rec[3 + k] = u64::from_le_bytes(b);
        }
        n += 1;
    }
    page[1] = n as u64;
    let mut bytes = [0u8; 4096];
    for (i, word) in page.iter().enumerate() {
        bytes[i * 8..i * 8 + 8].copy_from_slice(&word.to_le_bytes());
    }
    w.map_data(&p, BOOT_INFO_ADDR, &bytes)?;
    Ok((p, n))
}
