//! Starting the application processors (MP request): INIT-SIPI-SIPI into
//! the real-mode trampoline, long mode on the boot page tables, per-CPU
//! setup in [`ap_main`], then park on the kernel's page tables polling
//! `goto_address`.

use alloc::vec::Vec;
use core::sync::atomic::{AtomicU32, Ordering};

use helix_loader_core::firmware::MadtCpu;

use crate::arch::cpu::{self, Features, MSR_APIC_BASE, MtrrSnapshot};
use crate::arch::handoff::{self, Switch};
use crate::arch::trampoline::{self, Params};
use crate::{log_line, phys, time};

unsafe extern "C" {
    static helix_boot_pml4: u8;
    static helix_gdtr32: [u8; 6];
}

/// Everything one AP needs, shared with it through identity-mapped memory.
#[repr(C)]
pub struct ApBoot {
    /// Set by the AP once it is parked-to-be (after its own setup).
    pub started: AtomicU32,
    /// Non-zero: switch this AP to x2APIC mode.
    pub x2apic: u32,
    /// Kernel page tables, GDT, this AP's stack (HHDM).
    pub switch: Switch,
    /// HHDM address of this AP's `limine_mp_info`.
    pub mp_info: u64,
    /// Physical address of the BSP's MTRR snapshot.
    pub mtrr: u64,
    /// CPU features (NX, PAT) to set up.
    pub features: Features,
}

/// The local APIC of the BSP.
pub struct LocalApic {
    base: u64,
    x2apic: bool,
}

impl LocalApic {
    /// The BSP's local APIC; switched to x2APIC mode when `want_x2apic`
    /// and the CPU has x2APIC (CPUID.1:ECX[21], checked here), else xAPIC.
    pub fn bsp(want_x2apic: bool) -> Self {
        let x2apic = want_x2apic && cpu::features().x2apic;
        // SAFETY: IA32_APIC_BASE exists on every x86-64 CPU.
        let msr = unsafe { cpu::read_msr(MSR_APIC_BASE) };
        if x2apic {
            // SAFETY: this CPU has x2APIC (just checked with CPUID);
            // enabling it with the global enable bit is the architectural
            // sequence.
            unsafe { cpu::write_msr(MSR_APIC_BASE, msr | (1 << 11) | (1 << 10)) };
        }
        LocalApic {
            base: msr & 0x000f_ffff_ffff_f000,
            x2apic,
        }
    }

    /// This CPU's APIC id.
    pub fn id(&self) -> u32 {
        if self.x2apic {
            // SAFETY: x2APIC mode is on; 0x802 is the x2APIC id register.
            unsafe { cpu::read_msr(0x802) as u32 }
        } else {
            // SAFETY: xAPIC id register in the identity-mapped APIC page.
            unsafe { ((self.base + 0x20) as *const u32).read_volatile() >> 24 }
        }
    }

    fn send_ipi(&self, apic_id: u32, low: u32) {
        if self.x2apic {
            // SAFETY: x2APIC ICR; destination in the high half.
            unsafe { cpu::write_msr(0x830, (u64::from(apic_id) << 32) | u64::from(low)) };
            return;
        }
        let icr_low = (self.base + 0x300) as *mut u32;
        let icr_high = (self.base + 0x310) as *mut u32;
        // SAFETY: xAPIC ICR high register in the identity-mapped APIC page.
        unsafe { icr_high.write_volatile(apic_id << 24) };
        // SAFETY: xAPIC ICR low register; writing it sends the IPI.
        unsafe { icr_low.write_volatile(low) };
        time::wait_for(10_000, || {
            // SAFETY: as above; bit 12 is "send pending".
            unsafe { icr_low.read_volatile() & (1 << 12) == 0 }
        });
    }
}

/// Per-AP inputs prepared by the caller.
pub struct ApPlan {
    /// MADT entry.
    pub cpu: MadtCpu,
    /// Physical address of its [`ApBoot`] (zeroed, bootloader-reclaimable).
    pub boot: u64,
    /// Physical address of its stack top.
    pub stack_top_phys: u64,
}

/// Starts every AP in `plans`, one at a time. Returns the APIC ids that
/// checked in; stops at the first that does not.
///
/// # Safety
/// The trampoline page (`trampoline::BASE`) must be claimed for this use
/// (nothing else lives there), and each plan's `boot` must be the physical
/// address of a live, initialised [`ApBoot`] that stays allocated while
/// the AP runs: both hold for the plans `mp::prepare` makes.
pub unsafe fn start_aps(apic: &LocalApic, features: &Features, plans: &[ApPlan]) -> Vec<u32> {
    let code = trampoline::code();
    // SAFETY: the trampoline page is claimed for us (this function's
    // contract) and nothing else uses it; the code fits before the
    // parameter block.
    unsafe {
        assert!((code.len() as u64) < trampoline::DATA_OFFSET);
        phys::bytes_mut(trampoline::BASE, code.len() as u64).copy_from_slice(code);
    }
    let mut started = Vec::new();
    for plan in plans {
        let mut params = Params {
            cr3: (&raw const helix_boot_pml4) as u64 as u32,
            nx: u32::from(features.nx),
            entry: ap_main as *const () as u64,
            stack: plan.stack_top_phys,
            arg: plan.boot,
            ..Params::default()
        };
        // SAFETY: the loader's 32-bit GDTR image, fixed at link time.
        params.gdtr[..6].copy_from_slice(unsafe { &helix_gdtr32 });
        // SAFETY: the parameter block inside the claimed trampoline page.
        unsafe { phys::write(trampoline::DATA, params) };
        // SAFETY: `plan.boot` points at a live `ApBoot` (this function's
        // contract).
        let flag = unsafe { &(*(plan.boot as *const ApBoot)).started };
        let id = plan.cpu.apic_id;
        apic.send_ipi(id, 0x0000_4500); // INIT, assert
        if features.family < 6 {
            time::delay_us(10_000);
        }
        let vector = (trampoline::BASE >> 12) as u32;
        apic.send_ipi(id, 0x0000_4600 | vector); // STARTUP
        let mut up = time::wait_for(1_000, || flag.load(Ordering::Acquire) != 0);
        if !up {
            apic.send_ipi(id, 0x0000_4600 | vector);
            up = time::wait_for(500_000, || flag.load(Ordering::Acquire) != 0);
        }
        if !up {
            log_line!("AP with APIC id {id} did not start; not starting the remaining ones");
            break;
        }
        started.push(id);
    }
    started
}

/// First Rust code on an AP (called by the trampoline on its stack).
extern "sysv64" fn ap_main(boot: &ApBoot) -> ! {
    crate::arch::idt::load();
    cpu::set_nx_and_pat(&boot.features);
    if boot.mtrr != 0 {
        // SAFETY: the BSP's snapshot lives in loader-owned memory until handoff.
        unsafe { (*(boot.mtrr as *const MtrrSnapshot)).apply() };
    }
    if boot.x2apic != 0 {
        // SAFETY: IA32_APIC_BASE exists on every x86-64 CPU.
        let msr = unsafe { cpu::read_msr(MSR_APIC_BASE) };
        // SAFETY: the BSP checked x2APIC support (identical CPUs).
        unsafe { cpu::write_msr(MSR_APIC_BASE, msr | (1 << 11) | (1 << 10)) };
    }
    boot.started.store(1, Ordering::Release);
    // SAFETY: the switch describes the kernel's finished page tables (the
    // BSP builds them before starting APs) and this AP's own stack and info.
    unsafe { handoff::park_ap(boot.switch, boot.mp_info) }
}
