//! ACPI discovery with the `acpi` crate: the RSDP, the MADT's processors
//! and I/O APICs, the FADT's century register. Tables are read through the
//! identity map; nothing is written.

use alloc::vec::Vec;
use core::ptr::NonNull;

use acpi::fadt::Fadt;
use acpi::madt::{Madt, MadtEntry};
use acpi::rsdp::Rsdp;
use acpi::{AcpiHandler, AcpiTables, PhysicalMapping};
use helix_loader_core::firmware::MadtCpu;

/// Mappings are the identity (the loader's boot page tables map 4 GiB).
#[derive(Clone, Copy, Debug)]
struct Identity;

impl AcpiHandler for Identity {
    unsafe fn map_physical_region<T>(
        &self,
        physical_address: usize,
        size: usize,
    ) -> PhysicalMapping<Self, T> {
        let ptr = NonNull::new(physical_address as *mut T).unwrap_or(NonNull::dangling());
        // SAFETY: identity-mapped physical memory below 4 GiB; the crate only
        // reads firmware tables through it.
        unsafe { PhysicalMapping::new(physical_address, ptr, size, size, *self) }
    }

    fn unmap_physical_region<T>(_region: &PhysicalMapping<Self, T>) {}
}

/// What the loader learned from ACPI.
#[derive(Debug, Default)]
pub struct AcpiInfo {
    /// Physical address of the validated RSDP.
    pub rsdp: u64,
    /// Processors from the MADT (local APIC and x2APIC entries).
    pub cpus: Vec<MadtCpu>,
    /// Physical bases of the I/O APICs.
    pub ioapics: Vec<u64>,
    /// CMOS index of the century register (0 = none).
    pub century: u8,
}

/// Finds the RSDP (the PVH hint if it validates, else the BIOS areas) and reads the
/// MADT and FADT. `None` when there is no valid RSDP.
pub fn discover(hint: u64) -> Option<AcpiInfo> {
    let hinted = (hint != 0)
        .then(|| {
            // SAFETY: the address comes from the firmware's start info; the
            // crate validates signature and checksum before using it.
            unsafe { AcpiTables::from_rsdp(Identity, hint as usize) }.ok()
        })
        .flatten();
    let (rsdp, tables) = match hinted {
        Some(tables) => (hint, tables),
        None => {
            // SAFETY: PVH on QEMU is a BIOS platform: the EBDA and
            // 0xE0000-0xFFFFF are readable.
            let mapping = unsafe { Rsdp::search_for_on_bios(Identity) }.ok()?;
            let rsdp = mapping.physical_start() as u64;
            // SAFETY: validated by the search above.
            let tables = unsafe { AcpiTables::from_validated_rsdp(Identity, mapping) }.ok()?;
            (rsdp, tables)
        }
    };
    let mut info = AcpiInfo {
        rsdp,
        ..AcpiInfo::default()
    };
    if let Ok(madt) = tables.find_table::<Madt>() {
        for entry in madt.get().entries() {
            match entry {
                MadtEntry::LocalApic(e) => info.cpus.push(MadtCpu {
                    processor_uid: u32::from(e.processor_id),
                    apic_id: u32::from(e.apic_id),
                    flags: { e.flags },
                }),
                MadtEntry::LocalX2Apic(e) => info.cpus.push(MadtCpu {
                    processor_uid: { e.processor_uid },
                    apic_id: { e.x2apic_id },
                    flags: { e.flags },
                }),
                MadtEntry::IoApic(e) => info.ioapics.push(u64::from(e.io_apic_address)),
                _ => {}
            }
        }
    }
    if let Ok(fadt) = tables.find_table::<Fadt>() {
        info.century = fadt.century;
    }
    Some(info)
}
