//! The kernel's own page tables: HHDM, image placement and permissions,
//! guard pages, control registers.

use helix_kernel_core::PAGE_SIZE;
use helix_kernel_core::memmap::RegionKind;

use crate::arch::{cpu, paging, probe, stacks};
use crate::boot::boot_info;
use crate::ktest::Failure;
use crate::mem::kspace;
use crate::{ensure, ensure_eq, ktest};

static DATA_MARKER: core::sync::atomic::AtomicU64 =
    core::sync::atomic::AtomicU64::new(0x0048_454c_4958);
static RODATA_MARKER: [u8; 8] = *b"helix-ro";

fn translate(virt: u64, what: &'static str) -> Result<paging::Translation, Failure> {
    paging::translate(virt).ok_or(Failure::Check {
        what,
        line: line!(),
    })
}

fn own_page_tables_active() -> Result<(), Failure> {
    let pml4 = kspace::pml4().ok_or(Failure::Missing("kernel address space"))?;
    ensure_eq!(cpu::cr3(), pml4, "CR3 vs kernel PML4");
    ensure!(cpu::nx_and_wp_enabled(), "EFER.NXE or CR0.WP is off");
    Ok(())
}

fn hhdm_matches_image_mapping() -> Result<(), Failure> {
    let info = boot_info();
    let virt = &raw const RODATA_MARKER as u64;
    let t = translate(virt, "rodata marker unmapped")?;
    // Executable-address response and page tables agree on the physical page.
    ensure_eq!(
        t.phys,
        info.image.to_phys(virt).unwrap_or(0),
        "page-table phys vs executable address"
    );
    // The same physical bytes read through the HHDM.
    let via_hhdm = paging::phys_to_virt(t.phys);
    // SAFETY: the kernel image lies in executable-and-modules memory, which
    // the HHDM maps; 8 bytes from a marker's start stay inside it.
    let bytes = unsafe { core::slice::from_raw_parts(via_hhdm as *const u8, 8) };
    ensure!(bytes == RODATA_MARKER, "HHDM bytes differ from the image");
    Ok(())
}

fn executable_address_matches_text() -> Result<(), Failure> {
    let info = boot_info();
    let text = probe::read_insn();
    let t = translate(text, "text unmapped")?;
    ensure_eq!(t.phys, info.image.to_phys(text).unwrap_or(0), "text phys");
    ensure!(info.image.virt == 0xffff_ffff_8000_0000, "link address");
    ensure_eq!(info.image.phys % PAGE_SIZE, 0, "image physical alignment");
    Ok(())
}

fn text_is_read_exec() -> Result<(), Failure> {
    let t = translate(probe::read_insn(), "text unmapped")?;
    ensure!(!t.writable, "text is writable");
    ensure!(t.executable, "text is not executable");
    Ok(())
}

fn rodata_is_read_only_nx() -> Result<(), Failure> {
    let t = translate(&raw const RODATA_MARKER as u64, "rodata unmapped")?;
    ensure!(!t.writable, "rodata is writable");
    ensure!(!t.executable, "rodata is executable");
    Ok(())
}

fn data_is_read_write_nx() -> Result<(), Failure> {
    let t = translate(DATA_MARKER.as_ptr() as u64, "data unmapped")?;
    ensure!(t.writable, "data is read-only");
    ensure!(!t.executable, "data is executable");
    DATA_MARKER.store(1, core::sync::atomic::Ordering::SeqCst);
    ensure_eq!(
        DATA_MARKER.load(core::sync::atomic::Ordering::SeqCst),
        1,
        "data write"
    );
    Ok(())
}

fn guard_pages_unmapped() -> Result<(), Failure> {
    for g in stacks::guard_pages() {
        ensure!(paging::translate(g).is_none(), "guard page mapped");
        ensure!(
            paging::translate(g + PAGE_SIZE).is_some(),
            "stack above guard unmapped"
        );
    }
    Ok(())
}

fn hhdm_covers_ram() -> Result<(), Failure> {
    let info = boot_info();
    for r in info.regions() {
        if !matches!(
            r.kind,
            RegionKind::Usable
                | RegionKind::BootloaderReclaimable
                | RegionKind::ExecutableAndModules
        ) {
            continue;
        }
        for phys in [r.base, r.base + r.len - 1] {
            let t = translate(paging::phys_to_virt(phys), "RAM missing from the HHDM")?;
            ensure_eq!(t.phys, phys, "HHDM translation");
            ensure!(!t.executable, "HHDM is executable");
        }
    }
    Ok(())
}

ktest!(
    own_page_tables_active,
    hhdm_matches_image_mapping,
    executable_address_matches_text,
    text_is_read_exec,
    rodata_is_read_only_nx,
    data_is_read_write_nx,
    guard_pages_unmapped,
    hhdm_covers_ram,
);
