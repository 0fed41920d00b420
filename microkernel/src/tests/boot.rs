//! What the bootloader handed over: info, modules, RSDP, cmdline, stack, CPUs.

use helix_abi::boot::MANIFEST_CMDLINE;
use helix_kernel_core::cmdline::Cmdline;
use helix_kernel_core::memmap::{self, RegionKind};
use helix_kernel_core::{PAGE_SIZE, align_down, rsdp};
use limine::firmware_type::FirmwareType;

use crate::arch::{cpu, paging};
use crate::boot::requests::{BASE_REVISION, STACK_SIZE};
use crate::boot::{boot_info, modules};
use crate::ktest::Failure;
use crate::{ensure, ensure_eq, ktest};

fn bootloader_info_present() -> Result<(), Failure> {
    let (name, version) = boot_info()
        .bootloader
        .ok_or(Failure::Missing("bootloader info"))?;
    ensure!(!name.trim().is_empty(), "bootloader name is empty");
    ensure!(!version.trim().is_empty(), "bootloader version is empty");
    Ok(())
}

fn base_revision_3_supported() -> Result<(), Failure> {
    ensure!(
        BASE_REVISION.is_supported(),
        "base revision 3 not supported"
    );
    ensure!(BASE_REVISION.is_valid(), "bootloader did not mark the tag");
    ensure_eq!(
        BASE_REVISION.loaded_revision().unwrap_or(u64::MAX),
        3,
        "loaded base revision"
    );
    Ok(())
}

fn firmware_type_is_x86() -> Result<(), Failure> {
    let fw = boot_info()
        .firmware
        .ok_or(Failure::Missing("firmware type"))?;
    ensure!(
        fw == FirmwareType::X86_BIOS || fw == FirmwareType::UEFI_64,
        "firmware type is neither x86 BIOS nor 64-bit UEFI"
    );
    Ok(())
}

fn modules_match_manifest() -> Result<(), Failure> {
    let info = boot_info();
    let manifest = modules::manifest(info).map_err(|_| Failure::Missing("manifest module"))?;
    ensure!(!manifest.is_empty(), "manifest lists no module");
    let mut checked = 0;
    for (index, m) in info.modules().enumerate() {
        if m.cmdline == MANIFEST_CMDLINE {
            continue;
        }
        let entry = manifest
            .find(m.path)
            .ok_or(Failure::NotInManifest { index })?;
        entry
            .check(m.data.len() as u64, crc32fast::hash(m.data))
            .map_err(|mismatch| Failure::Module { index, mismatch })?;
        checked += 1;
    }
    ensure_eq!(checked, manifest.len(), "modules checked vs manifest lines");
    ensure_eq!(info.module_count(), manifest.len() + 1, "module count");
    ensure!(
        modules::verify(info).is_ok(),
        "boot-time verification disagrees"
    );
    Ok(())
}

fn module_data_is_mapped() -> Result<(), Failure> {
    for m in boot_info().modules() {
        let start = m.data.as_ptr() as u64;
        let end = start + m.data.len() as u64;
        let mut page = align_down(start, PAGE_SIZE);
        while page < end {
            ensure!(paging::translate(page).is_some(), "module page unmapped");
            page += PAGE_SIZE;
        }
    }
    Ok(())
}

fn rsdp_is_valid() -> Result<(), Failure> {
    let phys = boot_info().rsdp_phys().ok_or(Failure::Missing("RSDP"))?;
    let virt = paging::phys_to_virt(phys);
    ensure!(paging::translate(virt).is_some(), "RSDP page unmapped");
    ensure!(
        paging::translate(virt + rsdp::V2_LEN as u64 - 1).is_some(),
        "RSDP tail unmapped"
    );
    // SAFETY: both ends of the 36 bytes are mapped (checked above) and the
    // firmware table is never written while the kernel runs.
    let bytes = unsafe { core::slice::from_raw_parts(virt as *const u8, rsdp::V2_LEN) };
    ensure!(
        &bytes[..8] == rsdp::SIGNATURE,
        "signature is not \"RSD PTR \""
    );
    let r = rsdp::parse(bytes)?;
    ensure!(r.rsdt != 0 || r.xsdt.is_some(), "RSDP points at no table");
    Ok(())
}

fn cmdline_is_parsed() -> Result<(), Failure> {
    let c = Cmdline::parse(boot_info().cmdline).map_err(|_| Failure::Check {
        what: "kernel cmdline does not parse",
        line: line!(),
    })?;
    // This case runs only in test mode, which the cmdline turned on.
    ensure!(c.ktest, "ktest word not seen");
    if let Some(level) = c.log {
        ensure!(log::max_level() == level, "log level not applied");
    }
    Ok(())
}

fn stack_size_honoured() -> Result<(), Failure> {
    let info = boot_info();
    ensure!(info.stack_size_answered, "stack-size request unanswered");
    let top = info.entry_rsp;
    let bottom = top - STACK_SIZE;
    let hhdm = info.hhdm;
    ensure!(bottom >= hhdm, "boot stack is not in the HHDM");
    // The whole requested stack is one non-usable region (so the frame
    // allocator never hands it out) and is mapped.
    let region = memmap::find(info.regions(), bottom - hhdm).ok_or(Failure::Check {
        what: "stack bottom is outside the memory map",
        line: line!(),
    })?;
    ensure!(
        region.kind != RegionKind::Usable,
        "boot stack is in usable memory"
    );
    ensure!(
        region.contains(top - 1 - hhdm),
        "requested stack crosses a memory-map region"
    );
    let mut page = align_down(bottom, PAGE_SIZE);
    while page < top {
        ensure!(
            paging::translate(page).is_some(),
            "boot stack page unmapped"
        );
        page += PAGE_SIZE;
    }
    let rsp = cpu::rsp();
    ensure!(rsp > bottom && rsp < top, "running outside the boot stack");
    Ok(())
}

fn smp_reports_cpus() -> Result<(), Failure> {
    let (count, bsp) = boot_info().cpus.ok_or(Failure::Missing("MP"))?;
    ensure!(count >= 1, "no CPU reported");
    ensure_eq!(bsp, cpu::apic_id(), "BSP local APIC id vs CPUID");
    Ok(())
}

fn kernel_file_is_this_elf() -> Result<(), Failure> {
    let file = boot_info()
        .kernel_file
        .ok_or(Failure::Missing("executable file"))?;
    ensure!(file.len() > 64, "kernel file too short");
    ensure!(&file[..4] == b"\x7fELF", "kernel file is not ELF");
    let mut e = [0u8; 8];
    e.copy_from_slice(&file[24..32]);
    unsafe extern "C" {
        fn kernel_entry() -> !;
    }
    ensure_eq!(
        u64::from_le_bytes(e),
        kernel_entry as *const () as u64,
        "ELF entry vs kernel_entry"
    );
    Ok(())
}

ktest!(
    bootloader_info_present,
    base_revision_3_supported,
    firmware_type_is_x86,
    modules_match_manifest,
    module_data_is_mapped,
    rsdp_is_valid,
    cmdline_is_parsed,
    stack_size_honoured,
    smp_reports_cpus,
    kernel_file_is_this_elf,
);
