//! The MP response in two steps: [`prepare`] allocates everything (CPU
//! descriptions, AP stacks, per-AP parameters, the response itself) before
//! the memory map is built; [`start`] then starts the APs (they park on the
//! kernel's page tables) and fills the response without allocating.

use alloc::vec::Vec;
use core::sync::atomic::AtomicU32;

use helix_loader_core::BootError;
use helix_loader_core::addr::PAGE_SIZE;
use helix_loader_core::firmware::{self, MadtCpu};
use helix_loader_core::memmap::MemoryKind;
use helix_loader_core::requests::RequestKind;

use crate::arch::cpu::MtrrSnapshot;
use crate::arch::handoff::Switch;
use crate::arch::trampoline;
use crate::boot::{self, Boot};
use crate::responses::{MpInfo, MpResponse};
use crate::smp::{self, ApBoot, ApPlan, LocalApic};
use crate::{log_line, phys, time};

/// Everything allocated for the MP response.
pub struct Prepared {
    apic: LocalApic,
    bsp: u32,
    x2apic: bool,
    /// Each CPU (BSP first) and the HHDM address of its `limine_mp_info`.
    infos: Vec<(MadtCpu, u64)>,
    plans: Vec<ApPlan>,
    /// Physical addresses of the pointer array and the response.
    array: u64,
    response: u64,
}

/// Picks the CPUs and allocates their descriptions, stacks and parameters.
pub fn prepare(boot: &mut Boot, switch: Switch) -> Result<Prepared, BootError<'static>> {
    let flags = boot.request_word(RequestKind::Mp, 48).unwrap_or(0);
    let x2apic = flags & 1 != 0 && boot.features.x2apic;
    let apic = LocalApic::bsp(x2apic);
    let bsp = apic.id();
    let madt = boot
        .acpi
        .as_ref()
        .map(|a| a.cpus.clone())
        .unwrap_or_default();
    let mut cpus = firmware::select_cpus(&madt, bsp, x2apic);
    if cpus.first().is_none_or(|c| c.apic_id != bsp) {
        cpus.insert(
            0,
            MadtCpu {
                processor_uid: 0,
                apic_id: bsp,
                flags: 1,
            },
        );
    }
    let trampoline_free = boot.info.memmap.iter().any(|r| {
        r.kind == MemoryKind::Usable
            && r.base <= trampoline::BASE
            && r.end() >= trampoline::BASE + PAGE_SIZE
    });
    if cpus.len() > 1 && !trampoline_free {
        log_line!(
            "trampoline page {:#x} is not usable RAM: APs not started",
            trampoline::BASE
        );
        cpus.truncate(1);
    }

    let mut infos = Vec::with_capacity(cpus.len());
    for c in &cpus {
        let info = MpInfo {
            processor_id: c.processor_uid,
            lapic_id: c.apic_id,
            reserved: 0,
            goto_address: 0,
            extra_argument: 0,
        };
        infos.push((*c, boot.arena.put(&mut boot.frames, info)?));
    }
    let mut plans = Vec::with_capacity(cpus.len().saturating_sub(1));
    if cpus.len() > 1 {
        boot.frames.claim(
            trampoline::BASE,
            PAGE_SIZE,
            MemoryKind::BootloaderReclaimable,
        );
        let snapshot = MtrrSnapshot::take(&boot.features);
        let mtrr = boot.arena.put(&mut boot.frames, snapshot)? - switch.hhdm;
        for &(cpu, info_virt) in &infos[1..] {
            let stack_top = boot::alloc_stack(&mut boot.frames, boot.stack_size)?;
            let ap = ApBoot {
                started: AtomicU32::new(0),
                x2apic: u32::from(x2apic),
                switch: Switch {
                    stack_top: stack_top + switch.hhdm,
                    ..switch
                },
                mp_info: info_virt,
                mtrr,
                features: boot.features,
            };
            let ap_virt = boot.arena.put(&mut boot.frames, ap)?;
            plans.push(ApPlan {
                cpu,
                boot: ap_virt - switch.hhdm,
                stack_top_phys: stack_top,
            });
        }
    }
    let array = boot
        .arena
        .alloc(&mut boot.frames, 8 * infos.len() as u64, 8)?;
    let response = boot
        .arena
        .alloc(&mut boot.frames, size_of::<MpResponse>() as u64, 8)?;
    Ok(Prepared {
        apic,
        bsp,
        x2apic,
        infos,
        plans,
        array,
        response,
    })
}

/// Starts the APs and writes the response (the BSP and the APs that started).
pub fn start(boot: &mut Boot, p: Prepared) {
    let started = if p.plans.is_empty() {
        log_line!("MP: single processor (BSP APIC id {})", p.bsp);
        Vec::new()
    } else {
        let t0 = time::since_entry_us();
        // SAFETY: `p` was made by `prepare` (its fields are private to this
        // module): it claimed the trampoline page and put every plan's
        // `ApBoot` in the arena, which lives until the kernel reclaims it.
        let started = unsafe { smp::start_aps(&p.apic, &boot.features, &p.plans) };
        log_line!(
            "MP: {}/{} APs parked in {} us (BSP APIC id {}{})",
            started.len(),
            p.plans.len(),
            time::since_entry_us() - t0,
            p.bsp,
            if p.x2apic { ", x2APIC" } else { "" }
        );
        started
    };
    let mut count = 0u64;
    for (i, (cpu, info)) in p.infos.iter().enumerate() {
        if i == 0 || started.contains(&cpu.apic_id) {
            // SAFETY: inside the pointer array sized for every CPU in `prepare`.
            unsafe { phys::write(p.array + 8 * count, *info) };
            count += 1;
        }
    }
    let value = MpResponse {
        revision: 0,
        flags: u32::from(p.x2apic),
        bsp_lapic_id: p.bsp,
        cpu_count: count,
        cpus: boot.arena.virt(p.array),
    };
    // SAFETY: the response slot allocated in `prepare`.
    unsafe { phys::write(p.response, value) };
    boot.respond(RequestKind::Mp, boot.arena.virt(p.response));
}
