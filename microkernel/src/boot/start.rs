//! The boot sequence, from entry to the idle loop (or the test run).

use core::fmt::Display;

use helix_kernel_core::cmdline::{Cmdline, TestFilter};
use helix_kernel_core::memmap;
use log::{LevelFilter, debug, info, warn};

use super::requests::{BASE_REVISION, BASE_REVISION_WANTED, BOOTLOADER_INFO};
use super::{kernel_path, modules};
use crate::arch::port::{ExitCode, exit_qemu};
use crate::arch::{self, cpu, paging, serial};
use crate::mem::{frames, heap, kspace};
use crate::{kprintln, logger, time, user};

/// Print the one fatal line and leave QEMU with failure.
fn fatal(problem: impl Display) -> ! {
    kprintln!("helix: error: {}: {}", kernel_path(), problem);
    exit_qemu(ExitCode::Failure)
}

/// Rust entry, called by `kernel_entry` with the RSP the bootloader gave.
pub extern "C" fn start(entry_rsp: u64) -> ! {
    let entry_tsc = cpu::rdtsc();
    // Without a console there is nobody to tell; carry on regardless.
    let _ = serial::init();
    match BOOTLOADER_INFO.get_response() {
        Some(r) => kprintln!(
            "helix: kernel entered (bootloader: {} {})",
            r.name(),
            r.version()
        ),
        None => kprintln!("helix: kernel entered (bootloader did not identify itself)"),
    }
    if !BASE_REVISION.is_supported() {
        fatal(format_args!(
            "bootloader does not support base revision {BASE_REVISION_WANTED}"
        ));
    }
    let info = super::collect(entry_rsp).unwrap_or_else(|e| fatal(e));
    paging::set_hhdm(info.hhdm);
    let cmdline = Cmdline::parse(info.cmdline);
    let level = cmdline
        .ok()
        .and_then(|c| c.log)
        .unwrap_or(LevelFilter::Info);
    logger::init(level);
    if let Err(e) = cmdline {
        warn!("ignoring bad command line `{}`: {e}", info.cmdline);
    }
    let cmdline = cmdline.unwrap_or(Cmdline {
        log: None,
        ktest: false,
        bench: false,
        fatal: None,
        filter: TestFilter::default(),
    });

    #[cfg(feature = "ktest")]
    arch::exceptions::set_fatal_hook(crate::ktest::on_fatal);
    arch::init_cpu_tables();
    debug!("GDT, TSS (IST stacks for #DF, NMI, #MC) and IDT loaded");

    let (clock, source) = time::init(entry_tsc);
    info!(
        "TSC {}.{:03} MHz (from {:?})",
        clock.hz / 1_000_000,
        clock.hz / 1000 % 1000,
        source
    );
    if let Some(fw) = info.firmware {
        debug!("firmware type {}", firmware_name(fw));
    }
    info!(
        "kernel {} cmdline `{}`",
        info.kernel_path.unwrap_or("(path not reported)"),
        info.cmdline
    );

    let regions = info.regions();
    if let Err(e) = memmap::check(regions) {
        fatal(format_args!("memory map: {e}"));
    }
    for r in regions {
        debug!(
            "  {:#014x}..{:#014x} {:>10} KiB {}",
            r.base,
            r.base + r.len,
            r.len / 1024,
            r.kind.name()
        );
    }
    let t = memmap::totals(regions);
    info!(
        "memory: {} MiB usable, {} MiB reclaimable, {} KiB kernel+modules, {} entries",
        t.usable >> 20,
        t.reclaimable >> 20,
        t.kernel_and_modules >> 10,
        regions.len()
    );
    let fstats = frames::init(regions).unwrap_or_else(|e| fatal(format_args!("frames: {e}")));
    info!(
        "frames: {} total, {} free (bitmap at {:#x}..{:#x})",
        fstats.total, fstats.free, fstats.bitmap.0, fstats.bitmap.1
    );
    let kstats = kspace::init(info).unwrap_or_else(|e| fatal(format_args!("page tables: {e}")));
    info!(
        "page tables: HHDM {} MiB at {:#x} ({} large pages), image {} pages at {:#x} (phys {:#x}), CR3 {:#x}",
        kstats.hhdm_bytes >> 20,
        info.hhdm,
        kstats.large_pages,
        kstats.image_pages,
        info.image.virt,
        info.image.phys,
        cpu::cr3()
    );
    let probe = alloc::vec![0u8; 64];
    drop(probe);
    info!("heap: {} KiB mapped", heap::mapped_bytes() >> 10);

    for (i, m) in info.modules().enumerate() {
        info!(
            "module {i}: {} ({} bytes) cmdline `{}`",
            m.path,
            m.data.len(),
            m.cmdline
        );
    }
    match modules::verify(info) {
        Ok(n) => info!("modules: {n} checked against the manifest (size + CRC-32)"),
        Err(e) => warn!("modules: {e}"),
    }
    match info.cpus {
        Some((n, bsp)) => info!("cpus: {n} reported (BSP local APIC id {bsp})"),
        None => info!("cpus: no MP response; running on the BSP only"),
    }
    let u = user::init();
    info!(
        "user mode: syscall/sysret, SMEP {}, SMAP {}, LAPIC timer {} counts/ms, {} CPUs online, IRQs via {}",
        u.smep, u.smap, u.lapic_per_ms, u.cpus, u.irq
    );
    info!("boot took {} us", time::us_since_entry());

    run_tests(&cmdline);
    kprintln!(
        "helix: boot complete in {} ms; press Ctrl-A X to quit QEMU",
        time::ms_since_entry()
    );
    let root = user::with(|w| user::root::boot_root(w, info));
    match root {
        Some(Ok((_, n))) => {
            info!("root server started with {n} boot modules");
            loop {
                user::run(None, 0, u64::MAX / 2);
            }
        }
        Some(Err(e)) => warn!("root server: {e}"),
        None => warn!("root server: no world"),
    }
    arch::halt_forever()
}

/// The test kernel runs the benchmarks (`kbench`) and the cases (`ktest`)
/// its command line asks for; neither returns.
#[cfg(feature = "ktest")]
fn run_tests(cmdline: &Cmdline<'_>) {
    if let Some(name) = cmdline.fatal {
        crate::ktest::drills::run(name);
    }
    if cmdline.bench {
        crate::ktest::bench::run_all();
    }
    if cmdline.ktest {
        crate::ktest::run(cmdline.filter);
    }
}

/// The production kernel has no tests: say so when asked for them.
#[cfg(not(feature = "ktest"))]
fn run_tests(cmdline: &Cmdline<'_>) {
    if cmdline.bench || cmdline.ktest || cmdline.fatal.is_some() {
        warn!(
            "this kernel is built without the test harness (feature `ktest`): ignoring `ktest`/`kbench`/`kfatal=`"
        );
    }
}

fn firmware_name(fw: limine::firmware_type::FirmwareType) -> &'static str {
    use limine::firmware_type::FirmwareType as F;
    match fw {
        F::X86_BIOS => "x86 BIOS",
        F::UEFI_32 => "UEFI (32-bit)",
        F::UEFI_64 => "UEFI (64-bit)",
        _ => "other",
    }
}
