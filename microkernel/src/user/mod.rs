//! The user world: ring-3 processes on top of `helix-kernel-objects`.
//! `entry` handles every entry from ring 3, `world` holds the objects and
//! decides what runs, `effects` carries out what the objects ask for,
//! `process` makes processes from ELF images, `smp` brings up the APs,
//! `root` starts the root server.
//!
//! No `unsafe` here: hardware access goes through `arch/` and `mem/`,
//! whose safe functions check their own preconditions.
#![forbid(unsafe_code)]

pub mod effects;
pub mod entry;
pub mod ioports;
pub mod machine;
pub mod process;
pub mod root;
pub mod smp;
pub mod world;

use core::sync::atomic::{AtomicU64, Ordering};

use helix_kernel_objects::table::ObjRef;
use spin::Mutex;

#[cfg(feature = "ktest")]
pub use process::{Proc, SpawnError};
pub use world::{LeaveRule, World};

use crate::arch::{cpu, irq, lapic, percpu, stacks, syscall, usercopy};
use crate::time;

/// The one world (one lock around all kernel objects).
pub static WORLD: Mutex<Option<World>> = Mutex::new(None);

/// Timer period.
pub const TICK_MS: u64 = 1;

static TSC_PER_MS: AtomicU64 = AtomicU64::new(1);

/// What [`init`] found.
#[derive(Clone, Copy, Debug)]
pub struct InitReport {
    /// SMEP on.
    pub smep: bool,
    /// SMAP on.
    pub smap: bool,
    /// CPUs online.
    pub cpus: usize,
    /// LAPIC timer counts per ms.
    pub lapic_per_ms: u64,
    /// What delivers IRQ lines.
    pub irq: &'static str,
}

/// Set up the BSP for ring 3 (per-CPU block, `syscall`, SMEP/SMAP,
/// LAPIC timer, PIC) and start the APs.
pub fn init() -> InitReport {
    percpu::init(0, stacks::BSP_KERNEL.top());
    syscall::init_cpu();
    let (smep, smap) = usercopy::enable_smep_smap();
    let hz = time::clock().map_or(1_000_000_000, |c| c.hz);
    TSC_PER_MS.store((hz / 1000).max(1), Ordering::SeqCst);
    match crate::mem::kspace::map_mmio(lapic::phys_base()) {
        Ok(v) => lapic::set_base(v),
        Err(e) => log::warn!("LAPIC registers not mapped: {e}"),
    }
    lapic::enable(true);
    smp::set_bsp_apic_id(lapic::id());
    lapic::calibrate(hz);
    irq::init(crate::boot::boot_info().rsdp_phys());
    lapic::start_timer(TICK_MS);
    let cpus = smp::start_aps(TICK_MS);
    reset();
    InitReport {
        smep,
        smap,
        cpus,
        lapic_per_ms: lapic::per_ms(),
        irq: irq::controller(),
    }
}

/// Replace the world by an empty one (freeing every process's memory).
pub fn reset() {
    let mut g = entry::lock();
    if let Some(w) = g.as_mut() {
        w.m.drop_all();
    }
    let pml4 = crate::mem::kspace::pml4().unwrap_or(0);
    let mut w = World::new(smp::online(), pml4);
    w.leave.now = true;
    *g = Some(w);
}

/// Work on the world under its lock.
pub fn with<R>(f: impl FnOnce(&mut World) -> R) -> Option<R> {
    entry::lock().as_mut().map(f)
}

/// How a run ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RunOutcome {
    /// The deadline passed before the reports arrived.
    pub timed_out: bool,
    /// Milliseconds it ran.
    pub ms: u64,
}

/// Run the world's threads on every CPU until `reports` threads block
/// sending on `report_ep` (if given) or `timeout_ms` passes; every CPU has
/// stopped running user code when this returns.
pub fn run(report_ep: Option<ObjRef>, reports: usize, timeout_ms: u64) -> RunOutcome {
    let per_ms = TSC_PER_MS.load(Ordering::SeqCst);
    let start = cpu::rdtsc();
    with(|w| {
        w.leave = LeaveRule {
            deadline: start.saturating_add(timeout_ms.saturating_mul(per_ms)),
            reports: report_ep.map(|e| (e, reports)),
            now: false,
            timed_out: false,
        };
    });
    smp::set_in_world(true);
    syscall::enter_user_world(smp::start_frame);
    smp::set_in_world(false);
    // Wait for the APs to put their threads down.
    let limit = cpu::rdtsc() + 100 * per_ms;
    loop {
        let busy = with(|w| {
            w.leave.now = true;
            smp::kick(w, 0);
            w.m.cpus.iter().skip(1).any(|c| c.current.is_some())
        })
        .unwrap_or(false);
        if !busy || cpu::rdtsc() > limit {
            break;
        }
        for c in 1..smp::online() {
            smp::reschedule(c);
        }
        core::hint::spin_loop();
    }
    let timed_out = with(|w| w.leave.timed_out).unwrap_or(true);
    RunOutcome {
        timed_out,
        ms: (cpu::rdtsc() - start) / per_ms,
    }
}
