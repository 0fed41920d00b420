//! Answering the kernel's Limine requests. Every response lives in the
//! bootloader-reclaimable arena and is reached through the HHDM; requests
//! this loader cannot satisfy keep a null response, as with real Limine.

use alloc::string::String;
use alloc::vec::Vec;

use helix_loader_core::addr::PAGE_SIZE;
use helix_loader_core::config::resolve_internal;
use helix_loader_core::firmware;
use helix_loader_core::frames::{MemError, Purpose};
use helix_loader_core::memmap::{self, MemoryKind};
use helix_loader_core::requests::RequestKind;
use helix_loader_core::{BootError, Unsupported};

use crate::arch::cpu;
use crate::arch::handoff::Switch;
use crate::boot::Boot;
use crate::responses::{
    BootloaderInfo, CountedArray, File, MemmapEntry, OneWord, Performance, RevisionOnly, TwoWords,
};
use crate::{log_line, mp, phys, time};

/// Name reported by the bootloader info response.
pub const NAME: &str = "Helix PVH loader";
/// Version reported (the crate version).
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

type Result<T> = core::result::Result<T, BootError<'static>>;

/// Answers every request; returns the entry point to jump to.
pub fn answer_all(boot: &mut Boot, switch: Switch) -> Result<u64> {
    let mut answered: Vec<&'static str> = Vec::new();
    let mut unanswered: Vec<&'static str> = Vec::new();
    let mut done = |kind: RequestKind, ok: bool| {
        if ok {
            answered.push(kind.name())
        } else {
            unanswered.push(kind.name())
        }
    };
    let has = |boot: &Boot, kind| boot.scan.find(kind).is_some();

    if has(boot, RequestKind::BootloaderInfo) {
        let name = boot.arena.put_str(&mut boot.frames, NAME)?;
        let version = boot.arena.put_str(&mut boot.frames, VERSION)?;
        let r = boot.arena.put(
            &mut boot.frames,
            BootloaderInfo {
                revision: 0,
                name,
                version,
            },
        )?;
        boot.respond(RequestKind::BootloaderInfo, r);
        done(RequestKind::BootloaderInfo, true);
    }
    if has(boot, RequestKind::FirmwareType) {
        let r = boot.arena.put(
            &mut boot.frames,
            OneWord {
                revision: 0,
                value: 0,
            },
        )?; // x86 BIOS
        boot.respond(RequestKind::FirmwareType, r);
        done(RequestKind::FirmwareType, true);
    }
    if has(boot, RequestKind::StackSize) {
        let r = boot
            .arena
            .put(&mut boot.frames, RevisionOnly { revision: 0 })?;
        boot.respond(RequestKind::StackSize, r);
        done(RequestKind::StackSize, true);
    }
    if has(boot, RequestKind::Hhdm) {
        let r = boot.arena.put(
            &mut boot.frames,
            OneWord {
                revision: 0,
                value: switch.hhdm,
            },
        )?;
        boot.respond(RequestKind::Hhdm, r);
        done(RequestKind::Hhdm, true);
    }
    if has(boot, RequestKind::PagingMode) {
        let r = boot.arena.put(
            &mut boot.frames,
            OneWord {
                revision: 0,
                value: 0,
            },
        )?; // 4-level
        boot.respond(RequestKind::PagingMode, r);
        done(RequestKind::PagingMode, true);
    }
    if has(boot, RequestKind::ExecutableAddress) {
        let (phys, virt) = (boot.kernel_phys, boot.kernel.vbase);
        let r = boot.arena.put(
            &mut boot.frames,
            TwoWords {
                revision: 0,
                first: phys,
                second: virt,
            },
        )?;
        boot.respond(RequestKind::ExecutableAddress, r);
        done(RequestKind::ExecutableAddress, true);
    }
    let cmdline = boot
        .arena
        .put_str(&mut boot.frames, boot.plan.kernel.cmdline)?;
    if has(boot, RequestKind::ExecutableCmdline) {
        let r = boot.arena.put(
            &mut boot.frames,
            OneWord {
                revision: 0,
                value: cmdline,
            },
        )?;
        boot.respond(RequestKind::ExecutableCmdline, r);
        done(RequestKind::ExecutableCmdline, true);
    }
    if has(boot, RequestKind::ExecutableFile) {
        let file = boot.kernel_file;
        let path = boot.plan.kernel.path;
        let f = put_file(boot, file, path, cmdline, Purpose::KernelFile)?;
        let r = boot.arena.put(
            &mut boot.frames,
            OneWord {
                revision: 0,
                value: f,
            },
        )?;
        boot.respond(RequestKind::ExecutableFile, r);
        done(RequestKind::ExecutableFile, true);
    }
    if has(boot, RequestKind::Module) {
        done(RequestKind::Module, modules(boot)?);
    }
    if has(boot, RequestKind::Rsdp) {
        let rsdp = boot.acpi.as_ref().map(|a| a.rsdp);
        if let Some(rsdp) = rsdp {
            let addr = if boot.policy().rsdp_physical {
                rsdp
            } else {
                boot.arena.virt(rsdp)
            };
            let r = boot.arena.put(
                &mut boot.frames,
                OneWord {
                    revision: 0,
                    value: addr,
                },
            )?;
            boot.respond(RequestKind::Rsdp, r);
        }
        done(RequestKind::Rsdp, rsdp.is_some());
    }
    if has(boot, RequestKind::Smbios) {
        // SAFETY: the BIOS segment, identity-mapped and read-only here.
        let area = unsafe { phys::bytes(0xf_0000, 0x1_0000) };
        let found = firmware::find_smbios(area, 0xf_0000);
        let any = found.entry32.is_some() || found.entry64.is_some();
        if any {
            let physical = boot.policy().smbios_physical;
            let addr =
                |a: Option<u64>| a.map_or(0, |a| if physical { a } else { boot.arena.virt(a) });
            let value = TwoWords {
                revision: 0,
                first: addr(found.entry32),
                second: addr(found.entry64),
            };
            let r = boot.arena.put(&mut boot.frames, value)?;
            boot.respond(RequestKind::Smbios, r);
        }
        done(RequestKind::Smbios, any);
    }
    if has(boot, RequestKind::DateAtBoot) {
        let century = boot.acpi.as_ref().map_or(0, |a| a.century);
        let now = time::unix_time(century);
        if let Some(t) = now {
            let r = boot.arena.put(
                &mut boot.frames,
                OneWord {
                    revision: 0,
                    value: t as u64,
                },
            )?;
            boot.respond(RequestKind::DateAtBoot, r);
        }
        done(RequestKind::DateAtBoot, now.is_some());
    }
    let mut entry = boot.kernel.entry;
    if let Some(requested) = boot.request_word(RequestKind::EntryPoint, 48) {
        entry = requested;
        let r = boot
            .arena
            .put(&mut boot.frames, RevisionOnly { revision: 0 })?;
        boot.respond(RequestKind::EntryPoint, r);
        done(RequestKind::EntryPoint, true);
    }
    let mp = if has(boot, RequestKind::Mp) {
        done(RequestKind::Mp, true);
        Some(mp::prepare(boot, switch)?)
    } else {
        None
    };
    for kind in [
        RequestKind::Framebuffer,
        RequestKind::EfiSystemTable,
        RequestKind::EfiMemoryMap,
        RequestKind::DeviceTreeBlob,
        RequestKind::RiscvBspHartid,
    ] {
        if has(boot, kind) {
            done(kind, false);
        }
    }
    for r in boot.scan.requests.iter().filter(|r| r.kind.is_none()) {
        log_line!(
            "unknown request id {:#018x} {:#018x}: left unanswered",
            r.id[0],
            r.id[1]
        );
    }
    if has(boot, RequestKind::BootloaderPerformance) {
        let value = Performance {
            revision: 0,
            reset_usec: 0,
            init_usec: time::ticks_to_us(time::entry_tsc()),
            exec_usec: time::ticks_to_us(cpu::rdtsc()),
        };
        let r = boot.arena.put(&mut boot.frames, value)?;
        boot.respond(RequestKind::BootloaderPerformance, r);
        done(RequestKind::BootloaderPerformance, true);
    }
    if has(boot, RequestKind::MemoryMap) {
        memory_map(boot)?;
        done(RequestKind::MemoryMap, true);
    }
    if unanswered.is_empty() {
        log_line!("requests: {} answered", answered.len());
    } else {
        log_line!(
            "requests: {} answered, unavailable here: {}",
            answered.len(),
            join(&unanswered)
        );
    }
    // Last, so parked APs (which spin) compete with the BSP as briefly as
    // possible; everything they need was allocated before the memory map.
    if let Some(mp) = mp {
        mp::start(boot, mp);
    }
    Ok(entry)
}

fn join(names: &[&str]) -> String {
    let mut s = String::new();
    for (i, n) in names.iter().enumerate() {
        if i > 0 {
            s.push_str(", ");
        }
        s.push_str(n);
    }
    if s.is_empty() {
        s.push_str("none");
    }
    s
}

/// Describes `data` (a bundle member) as a `limine_file`; HHDM address of
/// the structure. A member whose bytes start on a page boundary inside the
/// bundle is handed over in place (the bundle builder can arrange that and
/// save the copy); otherwise it is copied to fresh pages, zero-padded to the
/// page end. Like Limine, modules are executable-and-modules memory and the
/// kernel file is bootloader-reclaimable.
fn put_file(
    boot: &mut Boot,
    data: &'static [u8],
    path: &str,
    string: u64,
    purpose: Purpose,
) -> Result<u64> {
    let len = data.len() as u64;
    let size = len.max(1).div_ceil(PAGE_SIZE) * PAGE_SIZE;
    let kind = match purpose {
        Purpose::Module => MemoryKind::ExecutableAndModules,
        _ => MemoryKind::BootloaderReclaimable,
    };
    let src = data.as_ptr() as u64;
    let phys = if src.is_multiple_of(PAGE_SIZE) && len > 0 && !boot.in_place.contains(&src) {
        boot.in_place.push(src);
        boot.frames.claim(src, size, kind);
        src
    } else {
        let phys = boot.frames.alloc(size, PAGE_SIZE, kind, purpose)?;
        // SAFETY: fresh pages of `size` bytes owned by the loader.
        let dst = unsafe { phys::bytes_mut(phys, size) };
        dst[..data.len()].copy_from_slice(data);
        dst[data.len()..].fill(0);
        phys
    };
    let path = boot.arena.put_str(&mut boot.frames, path)?;
    let file = File {
        revision: 0,
        address: boot.arena.virt(phys),
        size: len,
        path,
        string,
        media_type: 0,
        unused: 0,
        tftp_ip: 0,
        tftp_port: 0,
        partition_index: 0,
        mbr_disk_id: 0,
        gpt_disk_uuid: [0; 16],
        gpt_part_uuid: [0; 16],
        part_uuid: [0; 16],
    };
    Ok(boot.arena.put(&mut boot.frames, file)?)
}

/// Reads a NUL-terminated string the kernel points at (inside its image).
fn kernel_str(boot: &Boot, vaddr: u64) -> Option<&'static str> {
    let off = boot.kernel.offset_of(vaddr)? as usize;
    // SAFETY: the image lives until hand-off and is not written meanwhile
    // except for response pointers, which are not strings.
    let image: &'static [u8] = unsafe { phys::bytes(boot.kernel_phys, boot.kernel.size) };
    let rest = &image[off..];
    let len = rest.iter().position(|&b| b == 0)?;
    core::str::from_utf8(&rest[..len]).ok()
}

fn kernel_word(boot: &Boot, vaddr: u64) -> Option<u64> {
    let off = boot.kernel.offset_of(vaddr)? as usize;
    Some(u64::from_le_bytes(
        boot.image.get(off..off + 8)?.try_into().ok()?,
    ))
}

/// Internal modules (request revision 1) first, then `limine.cfg` modules.
fn modules(boot: &mut Boot) -> Result<bool> {
    let path = boot.kernel_path();
    let bad = |addr| BootError::Unsupported {
        path,
        what: Unsupported::BadPointer { addr },
    };
    let mut files: Vec<u64> = Vec::new();
    let revision = boot
        .scan
        .find(RequestKind::Module)
        .map_or(0, |r| r.revision);
    if revision >= 1 {
        let count = boot.request_word(RequestKind::Module, 48).unwrap_or(0);
        let array = boot.request_word(RequestKind::Module, 56).unwrap_or(0);
        for i in 0..count {
            let ptr = kernel_word(boot, array + 8 * i).ok_or(bad(array))?;
            let mpath = kernel_word(boot, ptr).ok_or(bad(ptr))?;
            let mstring = kernel_word(boot, ptr + 8).ok_or(bad(ptr))?;
            let flags = kernel_word(boot, ptr + 16).ok_or(bad(ptr))?;
            let mpath = kernel_str(boot, mpath).ok_or(bad(mpath))?;
            let mstring = kernel_str(boot, mstring).ok_or(bad(mstring))?;
            if flags & 2 != 0 {
                return Err(BootError::Unsupported {
                    path,
                    what: Unsupported::CompressedModule,
                });
            }
            let unsupported = BootError::Unsupported {
                path,
                what: Unsupported::InternalModulePath,
            };
            let resolved = resolve_internal(path, mpath).ok_or(unsupported)?;
            let resolved: &'static str = String::leak(resolved);
            let Some(bundle) = boot.bundle.get(resolved) else {
                if flags & 1 != 0 {
                    return Err(BootError::NotFound { path: resolved });
                }
                log_line!("internal module {resolved} not in bundle (optional): skipped");
                continue;
            };
            let string = boot.arena.put_str(&mut boot.frames, mstring)?;
            files.push(put_file(boot, bundle, resolved, string, Purpose::Module)?);
        }
    }
    for i in 0..boot.plan.modules.len() {
        let m = boot.plan.modules[i];
        let data = boot.module_files[i];
        let string = boot.arena.put_str(&mut boot.frames, m.cmdline)?;
        files.push(put_file(boot, data, m.path, string, Purpose::Module)?);
    }
    if files.is_empty() {
        return Ok(false);
    }
    let array = boot.arena.put_words(&mut boot.frames, &files)?;
    let bytes: usize = boot.module_files.iter().map(|m| m.len()).sum();
    log_line!(
        "modules: {} ({} KiB, {} file(s) used in place)",
        files.len(),
        bytes / 1024,
        boot.in_place.len()
    );
    let value = CountedArray {
        revision: 1,
        count: files.len() as u64,
        array,
    };
    let r = boot.arena.put(&mut boot.frames, value)?;
    boot.respond(RequestKind::Module, r);
    Ok(true)
}

/// The memory map, built after every other allocation.
fn memory_map(boot: &mut Boot) -> Result<()> {
    let page0 = boot.policy().page0_usable;
    let estimate = memmap::build(&boot.info.memmap, boot.frames.claims(), page0).len() as u64 + 8;
    let entries = boot.arena.alloc(&mut boot.frames, estimate * 24, 8)?;
    let pointers = boot.arena.alloc(&mut boot.frames, estimate * 8, 8)?;
    let response = boot.arena.alloc(&mut boot.frames, 24, 8)?;
    let map = memmap::build(&boot.info.memmap, boot.frames.claims(), page0);
    if map.len() as u64 > estimate {
        return Err(BootError::Memory(MemError::OutOfMemory {
            size: map.len() as u64 * 32,
            purpose: Purpose::Responses,
        }));
    }
    let mut usable = 0;
    for (i, r) in map.iter().enumerate() {
        let i = i as u64;
        let entry = MemmapEntry {
            base: r.base,
            length: r.len,
            kind: r.kind as u64,
        };
        // SAFETY: inside the `estimate`-entry array allocated above.
        unsafe { phys::write(entries + 24 * i, entry) };
        // SAFETY: inside the `estimate`-pointer array allocated above.
        unsafe { phys::write(pointers + 8 * i, boot.arena.virt(entries + 24 * i)) };
        if r.kind == MemoryKind::Usable {
            usable += r.len;
        }
    }
    let value = CountedArray {
        revision: 0,
        count: map.len() as u64,
        array: boot.arena.virt(pointers),
    };
    // SAFETY: 24 bytes allocated above.
    unsafe { phys::write(response, value) };
    boot.respond(RequestKind::MemoryMap, boot.arena.virt(response));
    log_line!(
        "memory map: {} entries, {} MiB usable",
        map.len(),
        usable >> 20
    );
    Ok(())
}
