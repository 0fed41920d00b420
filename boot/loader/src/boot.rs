//! The boot sequence: start info -> bundle -> `limine.cfg` -> kernel and
//! modules -> requests -> page tables -> answers -> hand-off.

use alloc::vec::Vec;

use helix_loader_core::addr::{FOUR_GIB, HHDM_OFFSET, PAGE_SIZE};
use helix_loader_core::bundle::Bundle;
use helix_loader_core::config::{self, BootPlan};
use helix_loader_core::elf::KernelImage;
use helix_loader_core::frames::{FrameAllocator, MemError, Purpose};
use helix_loader_core::memmap::{self, MemoryKind};
use helix_loader_core::paging::{Access, Mapper};
use helix_loader_core::requests::{self, RequestKind, Scan};
use helix_loader_core::revision::{self, Negotiation, Policy};
use helix_loader_core::{BootError, Unsupported};

use crate::acpi::{self, AcpiInfo};
use crate::answer;
use crate::arch::cpu::{self, Features};
use crate::arch::handoff::{self, Switch};
use crate::hvm::{self, StartInfo};
use crate::responses::Arena;
use crate::{log_line, phys, time};

/// Loads below this are never handed out (real-mode area, ISA hole).
const ALLOC_FLOOR: u64 = 0x10_0000;
/// Default and minimum kernel stack.
pub const MIN_STACK: u64 = 64 * 1024;

unsafe extern "C" {
    static __loader_start: u8;
    static __loader_end: u8;
    static helix_gdt: [u64; 7];
}

/// Everything known about the boot once the kernel is loaded.
pub struct Boot {
    /// Firmware start info.
    pub info: StartInfo,
    /// CPU features.
    pub features: Features,
    /// Physical memory.
    pub frames: FrameAllocator,
    /// Response storage.
    pub arena: Arena,
    /// The boot bundle.
    pub bundle: Bundle<'static>,
    /// What `limine.cfg` boots.
    pub plan: BootPlan<'static>,
    /// Module contents in the bundle, in plan order.
    pub module_files: Vec<&'static [u8]>,
    /// The kernel ELF file in the bundle.
    pub kernel_file: &'static [u8],
    /// Its load plan.
    pub kernel: KernelImage,
    /// Physical address of the loaded image.
    pub kernel_phys: u64,
    /// The loaded image.
    pub image: &'static mut [u8],
    /// Requests found in it.
    pub scan: Scan,
    /// Base revision outcome.
    pub revision: Negotiation,
    /// ACPI facts, when there are tables.
    pub acpi: Option<AcpiInfo>,
    /// Kernel stack size.
    pub stack_size: u64,
    /// Bundle members already handed over in place (physical addresses).
    pub in_place: Vec<u64>,
}

impl Boot {
    /// The revision-dependent policy.
    pub fn policy(&self) -> Policy {
        self.revision.policy()
    }

    /// Reads word `offset` (bytes) of request `kind`, if made and in bounds.
    pub fn request_word(&self, kind: RequestKind, offset: u64) -> Option<u64> {
        let req = self.scan.find(kind)?;
        let at = (req.offset + offset) as usize;
        let bytes = self.image.get(at..at + 8)?;
        Some(u64::from_le_bytes(bytes.try_into().ok()?))
    }

    /// Points request `kind`'s response field at `virt`.
    pub fn respond(&mut self, kind: RequestKind, virt: u64) {
        if let Some(req) = self.scan.find(kind) {
            let at = (req.offset + requests::RESPONSE_OFFSET) as usize;
            self.image[at..at + 8].copy_from_slice(&virt.to_le_bytes());
        }
    }

    /// Kernel path for error messages.
    pub fn kernel_path(&self) -> &'static str {
        self.plan.kernel.path
    }
}

fn loader_range() -> (u64, u64) {
    let start = (&raw const __loader_start) as u64;
    let end = (&raw const __loader_end) as u64;
    (start, end - start)
}

/// Runs the whole boot; returns only on error.
pub fn run(start_info: u64) -> Result<core::convert::Infallible, BootError<'static>> {
    let features = cpu::features();
    cpu::set_nx_and_pat(&features);
    // SAFETY: `start_info` is the PVH `ebx` the entry code passed through.
    let info = unsafe { hvm::read(start_info) }?;
    log_line!(
        "{} {}, TSC {} MHz",
        answer::NAME,
        answer::VERSION,
        time::tsc_hz() / 1_000_000
    );
    let mut boot = load(info, features)?;
    let t_loaded = time::since_entry_us();
    log_line!(
        "kernel at {:#x} (phys {:#x}, {} KiB), entry {:#x}, base revision {}{}, {} requests",
        boot.kernel.vbase,
        boot.kernel_phys,
        boot.kernel.size / 1024,
        boot.kernel.entry,
        boot.revision.loaded,
        match boot.revision.requested {
            None => " (no tag)",
            Some(_) if boot.revision.supported => "",
            Some(_) => " (requested one unsupported: tag left unchanged)",
        },
        boot.scan.requests.len()
    );
    if let Some(min) = boot.request_word(RequestKind::PagingMode, 64)
        && boot
            .scan
            .find(RequestKind::PagingMode)
            .is_some_and(|r| r.revision >= 1)
        && min > 0
    {
        let path = boot.kernel_path();
        return Err(BootError::Unsupported {
            path,
            what: Unsupported::FiveLevelPaging,
        });
    }

    boot.acpi = acpi::discover(boot.info.rsdp);
    let masked = mask_interrupts(&boot);
    let cr3 = build_address_space(&mut boot, masked)?;
    let t_tables = time::since_entry_us();
    let stack_top = alloc_stack(&mut boot.frames, boot.stack_size)?;
    let gdtr = kernel_gdtr(&mut boot)?;
    let switch = Switch {
        cr3,
        gdtr,
        stack_top: stack_top + HHDM_OFFSET,
        hhdm: HHDM_OFFSET,
    };
    let entry = answer::answer_all(&mut boot, switch)?;
    let t_end = time::since_entry_us();
    log_line!(
        "entering kernel at {entry:#x}: loader took {} (load {}, page tables {}, answers+MP {})",
        Ms(t_end),
        Ms(t_loaded),
        Ms(t_tables - t_loaded),
        Ms(t_end - t_tables)
    );
    // SAFETY: `switch` names complete page tables mapping the kernel, the
    // HHDM (loader, GDT, stack included) and `entry` is the kernel's entry.
    unsafe { handoff::enter_kernel(switch, entry) }
}

/// Microseconds shown as milliseconds.
struct Ms(u64);

impl core::fmt::Display for Ms {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "{}.{} ms", self.0 / 1000, (self.0 % 1000) / 100)
    }
}

/// Bundle, config, kernel and modules; the request scan.
fn load(info: StartInfo, features: Features) -> Result<Boot, BootError<'static>> {
    let (initrd, initrd_len) = info.initrd.ok_or(BootError::NoInitrd)?;
    if initrd == 0 {
        return Err(BootError::NoInitrd);
    }
    let mut frames = FrameAllocator::new(&info.memmap, ALLOC_FLOOR, FOUR_GIB)?;
    let (loader, loader_len) = loader_range();
    frames.claim(loader, loader_len, MemoryKind::BootloaderReclaimable);
    frames.claim(initrd, initrd_len, MemoryKind::BootloaderReclaimable);

    // SAFETY: QEMU placed the initrd there; it is claimed above, so nothing
    // the loader allocates overlaps it, and nothing writes to it.
    let bundle_bytes = unsafe { phys::bytes(initrd, initrd_len) };
    let bundle = Bundle::new(bundle_bytes).map_err(BootError::Bundle)?;
    let cfg_bytes = bundle.get("limine.cfg").ok_or(BootError::MissingConfig)?;
    let text = core::str::from_utf8(cfg_bytes).map_err(|_| BootError::ConfigNotText)?;
    let cfg = helix_bootcfg::parse(text).map_err(BootError::ConfigParse)?;
    let plan = config::plan(&cfg).map_err(BootError::Config)?;
    log_line!(
        "limine.cfg `{}`: {} + {} modules",
        plan.entry,
        plan.kernel.path,
        plan.modules.len()
    );

    let kernel_file = bundle.get(plan.kernel.member).ok_or(BootError::NotFound {
        path: plan.kernel.path,
    })?;
    let mut module_files = Vec::with_capacity(plan.modules.len());
    for m in &plan.modules {
        module_files.push(
            bundle
                .get(m.member)
                .ok_or(BootError::NotFound { path: m.path })?,
        );
    }
    for f in core::iter::once(&plan.kernel).chain(plan.modules.iter()) {
        if f.hash.is_some() {
            log_line!(
                "warning: {}: BLAKE2B hash not verified by the offline loader",
                f.path
            );
        }
    }

    let path = plan.kernel.path;
    let kernel = KernelImage::parse(kernel_file).map_err(|error| BootError::Elf { path, error })?;
    let kernel_phys = frames.alloc(
        kernel.size,
        PAGE_SIZE,
        MemoryKind::ExecutableAndModules,
        Purpose::KernelImage,
    )?;
    // SAFETY: a fresh allocation of exactly `kernel.size` bytes, owned here.
    let image = unsafe { phys::bytes_mut(kernel_phys, kernel.size) };
    kernel.load(kernel_file, image);
    let scan = requests::scan(image).map_err(|error| BootError::Requests { path, error })?;
    let revision = revision::negotiate(scan.base_revision.map(|t| t.requested));
    if let Some(tag) = scan.base_revision {
        let (loaded, third) = revision.tag_words();
        let at = tag.offset as usize;
        image[at + 8..at + 16].copy_from_slice(&loaded.to_le_bytes());
        if let Some(v) = third {
            image[at + 16..at + 24].copy_from_slice(&v.to_le_bytes());
        }
    }

    let mut boot = Boot {
        info,
        features,
        frames,
        arena: Arena::new(HHDM_OFFSET),
        bundle,
        plan,
        module_files,
        kernel_file,
        kernel,
        kernel_phys,
        image,
        scan,
        revision,
        acpi: None,
        stack_size: MIN_STACK,
        in_place: Vec::new(),
    };
    if let Some(size) = boot.request_word(RequestKind::StackSize, 48) {
        boot.stack_size = size.max(MIN_STACK).div_ceil(PAGE_SIZE) * PAGE_SIZE;
    }
    Ok(boot)
}

/// Legacy PIC and I/O APIC lines masked, as the spec promises. Returns
/// (I/O APICs, redirection entries newly masked).
fn mask_interrupts(boot: &Boot) -> (usize, u32) {
    cpu::mask_pic();
    let mut masked = 0;
    let ioapics = boot.acpi.as_ref().map_or(&[][..], |a| &a.ioapics[..]);
    for &base in ioapics {
        // SAFETY: I/O APIC base from the MADT, identity-mapped below 4 GiB.
        masked += unsafe { cpu::mask_ioapic(base) };
    }
    (ioapics.len(), masked)
}

/// The kernel's page tables: HHDM, identity map (revision 0), kernel.
fn build_address_space(boot: &mut Boot, masked: (usize, u32)) -> Result<u64, BootError<'static>> {
    let policy = boot.policy();
    let firmware = memmap::build(&boot.info.memmap, &[], policy.page0_usable);
    let hhdm = memmap::covering_ranges(
        &firmware,
        |k| policy.in_hhdm(k),
        policy.unconditional_span(),
    );
    let identity = if policy.identity_map {
        memmap::covering_ranges(&firmware, |_| true, Some((0, FOUR_GIB)))
    } else {
        Vec::new()
    };
    let runs = boot.kernel.page_runs();
    let kernel_phys = boot.kernel_phys;
    let vbase = boot.kernel.vbase;
    let features = boot.features;
    let mut tables = phys::Tables {
        frames: &mut boot.frames,
    };
    let mut mapper =
        Mapper::new(&mut tables, features.nx, features.gib_pages).map_err(map_error)?;
    let mut hhdm_bytes = 0;
    for &(start, end) in &hhdm {
        mapper
            .map(HHDM_OFFSET + start, start, end - start, Access::RWX)
            .map_err(map_error)?;
        hhdm_bytes += end - start;
    }
    for &(start, end) in &identity {
        let start = start.max(PAGE_SIZE);
        mapper
            .map(start, start, end - start, Access::RWX)
            .map_err(map_error)?;
    }
    for run in &runs {
        mapper
            .map(
                run.vaddr,
                kernel_phys + (run.vaddr - vbase),
                run.len,
                run.access,
            )
            .map_err(map_error)?;
    }
    let root = mapper.root();
    log_line!(
        "page tables {root:#x}: HHDM {} MiB{}, kernel {} runs; {} I/O APIC(s), {} entries masked",
        hhdm_bytes >> 20,
        if identity.is_empty() {
            ""
        } else {
            " + identity map"
        },
        runs.len(),
        masked.0,
        masked.1
    );
    Ok(root)
}

fn map_error(e: helix_loader_core::paging::MapError) -> BootError<'static> {
    match e {
        helix_loader_core::paging::MapError::OutOfMemory => {
            BootError::Memory(MemError::OutOfMemory {
                size: PAGE_SIZE,
                purpose: Purpose::PageTables,
            })
        }
        other => BootError::Paging(other),
    }
}

/// A zeroed stack of `size` bytes; physical address of its top.
pub fn alloc_stack(frames: &mut FrameAllocator, size: u64) -> Result<u64, MemError> {
    let base = frames.alloc(
        size,
        PAGE_SIZE,
        MemoryKind::BootloaderReclaimable,
        Purpose::Stack,
    )?;
    // SAFETY: fresh loader-owned pages.
    unsafe { phys::bytes_mut(base, size) }.fill(0);
    Ok(base + size)
}

/// A GDTR (in the arena) that names the loader's GDT by its HHDM address.
fn kernel_gdtr(boot: &mut Boot) -> Result<u64, BootError<'static>> {
    let gdt = (&raw const helix_gdt) as u64;
    let phys = boot.arena.alloc(&mut boot.frames, 10, 16)?;
    let limit = (size_of::<[u64; 7]>() - 1) as u16;
    // SAFETY: the first 2 of 10 fresh arena bytes.
    unsafe { phys::write(phys, limit) };
    // SAFETY: the last 8 of those 10 bytes.
    unsafe { phys::write(phys + 2, gdt + HHDM_OFFSET) };
    Ok(boot.arena.virt(phys))
}
