//! Reading the MADT through the `acpi` crate: where the I/O APIC is and how
//! ISA IRQs map to its inputs. ACPI tables are reached through the HHDM
//! (pages outside RAM are mapped there on demand).

use core::ptr::NonNull;

use acpi::madt::{Madt, MadtEntry};
use acpi::{AcpiHandler, AcpiTables, PhysicalMapping};

use super::paging;

/// Maps ACPI tables at their HHDM address.
#[derive(Clone, Copy, Debug)]
struct Hhdm;

impl AcpiHandler for Hhdm {
    unsafe fn map_physical_region<T>(&self, phys: usize, size: usize) -> PhysicalMapping<Self, T> {
        let mut page = phys as u64 & !0xfff;
        while page < phys as u64 + size as u64 {
            if paging::translate(paging::phys_to_virt(page)).is_none()
                && let Err(e) = crate::mem::kspace::map_mmio(page)
            {
                // The trait cannot return an error and the tables cannot be
                // read unmapped: stop with the reason rather than hand the
                // acpi crate a pointer to nothing.
                super::serial::emergency_write(format_args!(
                    "helix: error: kernel: ACPI table page {page:#x} cannot be mapped: {e}\n"
                ));
                super::port::exit_qemu(super::port::ExitCode::Failure)
            }
            page += 0x1000;
        }
        let virt = paging::phys_to_virt(phys as u64) as *mut T;
        let Some(virt) = NonNull::new(virt) else {
            crate::arch::halt_forever()
        };
        // SAFETY: `virt` is the HHDM address of `phys`, and every page of
        // `[phys, phys + size)` is mapped (checked or mapped just above; a
        // failure stopped the kernel); the acpi crate only reads through it.
        unsafe { PhysicalMapping::new(phys, virt, size, size, *self) }
    }

    fn unmap_physical_region<T>(_region: &PhysicalMapping<Self, T>) {}
}

/// Test kernel only (the `acpi_unmappable` drill): ask the table handler
/// for a page outside the HHDM while mapping it fails; the kernel must
/// stop with the reason instead of handing back a pointer to nothing.
#[cfg(feature = "ktest")]
pub fn drill_unmappable_table() {
    // The first 4 GiB-aligned physical page above RAM that nothing maps.
    let Some(page) = (1..64u64)
        .map(|k| k << 32)
        .find(|&p| paging::translate(paging::phys_to_virt(p)).is_none())
    else {
        return;
    };
    crate::mem::kspace::FAIL_NEXT_MMIO.store(true, core::sync::atomic::Ordering::SeqCst);
    // SAFETY: nothing reads through the mapping: the handler stops the
    // kernel when the page cannot be mapped (what the drill checks), and
    // should it ever return, the mapping is dropped unread.
    let mapping = unsafe { Hhdm.map_physical_region::<u8>(page as usize, 1) };
    drop(mapping);
}

/// What the MADT says about external interrupts.
#[derive(Clone, Copy, Debug, Default)]
pub struct IrqLayout {
    /// Physical address of the first I/O APIC (its GSI base must be 0).
    pub ioapic: u64,
    /// GSI of each ISA IRQ, with (active low, level triggered).
    pub isa: [(u32, bool, bool); 16],
    /// The ISA IRQ's GSI comes from an override entry.
    pub overridden: [bool; 16],
}

/// Parse the MADT reachable from the RSDP at `rsdp` (physical).
pub fn irq_layout(rsdp: u64) -> Option<IrqLayout> {
    // SAFETY: `rsdp` is the RSDP address the bootloader reported; the
    // handler maps the tables read-only where they are.
    let tables = unsafe { AcpiTables::from_rsdp(Hhdm, rsdp as usize) }.ok()?;
    let madt = tables.find_table::<Madt>().ok()?;
    let mut l = IrqLayout::default();
    for (i, e) in l.isa.iter_mut().enumerate() {
        *e = (i as u32, false, false);
    }
    for entry in madt.get().entries() {
        match entry {
            MadtEntry::IoApic(io) if l.ioapic == 0 && io.global_system_interrupt_base == 0 => {
                l.ioapic = u64::from(io.io_apic_address);
            }
            MadtEntry::InterruptSourceOverride(o) if o.bus == 0 && o.irq < 16 => {
                let flags = o.flags;
                let low = flags & 0b11 == 0b11;
                let level = (flags >> 2) & 0b11 == 0b11;
                l.isa[usize::from(o.irq)] = (o.global_system_interrupt, low, level);
                l.overridden[usize::from(o.irq)] = true;
            }
            _ => {}
        }
    }
    (l.ioapic != 0).then_some(l)
}
