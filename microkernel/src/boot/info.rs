//! Turning the bootloader's answers into one checked [`BootInfo`].

use core::fmt;

use helix_kernel_core::layout::ImageBase;
use helix_kernel_core::memmap::{Region, RegionKind};
use limine::file::File;
use limine::firmware_type::FirmwareType;
use spin::Once;

use super::requests as req;

/// Most memory-map entries the kernel keeps.
pub const MAX_REGIONS: usize = 256;
/// Most boot modules the kernel keeps.
pub const MAX_MODULES: usize = 64;

/// Why the kernel cannot continue with what the bootloader gave it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BootError {
    /// The bootloader did not answer a required request (its name).
    Missing(&'static str),
    /// The memory map has more entries than [`MAX_REGIONS`].
    TooManyRegions(usize),
    /// More boot modules than [`MAX_MODULES`].
    TooManyModules(usize),
    /// The kernel command line is not UTF-8.
    CmdlineNotUtf8,
    /// A module path or cmdline is not UTF-8 (module index).
    ModuleNotUtf8(usize),
}

impl fmt::Display for BootError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Missing(r) => write!(f, "bootloader did not answer the {r} request"),
            Self::TooManyRegions(n) => {
                write!(
                    f,
                    "memory map has {n} entries, at most {MAX_REGIONS} supported"
                )
            }
            Self::TooManyModules(n) => {
                write!(f, "{n} boot modules, at most {MAX_MODULES} supported")
            }
            Self::CmdlineNotUtf8 => write!(f, "kernel command line is not UTF-8"),
            Self::ModuleNotUtf8(i) => write!(f, "module {i} path or cmdline is not UTF-8"),
        }
    }
}

/// One boot module.
#[derive(Clone, Copy, Debug)]
pub struct Module {
    /// Path as the bootloader reports it.
    pub path: &'static str,
    /// Module command line.
    pub cmdline: &'static str,
    /// Contents (in HHDM-mapped memory).
    pub data: &'static [u8],
}

impl Module {
    const EMPTY: Self = Self {
        path: "",
        cmdline: "",
        data: &[],
    };
}

/// Everything the kernel learned from the bootloader.
pub struct BootInfo {
    /// Bootloader `(name, version)`.
    #[cfg_attr(
        not(feature = "ktest"),
        expect(dead_code, reason = "checked by the boot tests of the test kernel")
    )]
    pub bootloader: Option<(&'static str, &'static str)>,
    /// Firmware type.
    pub firmware: Option<FirmwareType>,
    /// HHDM offset.
    pub hhdm: u64,
    regions: [Region; MAX_REGIONS],
    region_count: usize,
    /// Kernel image location.
    pub image: ImageBase,
    /// Kernel path, if the executable-file request was answered.
    pub kernel_path: Option<&'static str>,
    /// Kernel file size, if known.
    #[cfg_attr(
        not(feature = "ktest"),
        expect(dead_code, reason = "checked by the boot tests of the test kernel")
    )]
    pub kernel_file: Option<&'static [u8]>,
    /// Kernel command line ("" if none).
    pub cmdline: &'static str,
    modules: [Module; MAX_MODULES],
    module_count: usize,
    /// RSDP address as reported (physical or HHDM-virtual, see
    /// [`BootInfo::rsdp_phys`]).
    pub rsdp: Option<u64>,
    /// The stack-size request was answered.
    #[cfg_attr(
        not(feature = "ktest"),
        expect(dead_code, reason = "checked by the boot tests of the test kernel")
    )]
    pub stack_size_answered: bool,
    /// `(cpu count, BSP local APIC id)` from the MP response.
    pub cpus: Option<(usize, u32)>,
    /// RSP at kernel entry.
    #[cfg_attr(
        not(feature = "ktest"),
        expect(dead_code, reason = "checked by the boot tests of the test kernel")
    )]
    pub entry_rsp: u64,
}

impl BootInfo {
    /// The memory map.
    pub fn regions(&self) -> &[Region] {
        &self.regions[..self.region_count]
    }

    /// Number of boot modules.
    pub fn module_count(&self) -> usize {
        self.module_count
    }

    /// The boot modules, in bootloader order.
    pub fn modules(&self) -> impl Iterator<Item = Module> + '_ {
        self.modules[..self.module_count].iter().copied()
    }

    /// Physical address of the RSDP. Base revision 3 reports it physical;
    /// earlier revisions gave an HHDM address, which is converted back.
    pub fn rsdp_phys(&self) -> Option<u64> {
        self.rsdp
            .map(|a| if a >= self.hhdm { a - self.hhdm } else { a })
    }
}

/// The kernel path for error lines: the executable file's path, or "kernel".
pub fn kernel_path() -> &'static str {
    req::EXECUTABLE_FILE
        .get_response()
        .and_then(|r| r.file().path().to_str().ok())
        .unwrap_or("kernel")
}

fn module(f: &'static File) -> Result<Module, ()> {
    let path = f.path().to_str().map_err(|_| ())?;
    let cmdline = f.string().to_str().map_err(|_| ())?;
    // SAFETY: the bootloader loaded the module at `addr` with `size` bytes in
    // memory of type executable-and-modules, which nothing ever writes or
    // frees, and which stays mapped in the HHDM.
    let data = unsafe { core::slice::from_raw_parts(f.addr(), f.size() as usize) };
    Ok(Module {
        path,
        cmdline,
        data,
    })
}

static INFO: Once<BootInfo> = Once::new();

/// The boot information (after [`collect`]).
pub fn boot_info() -> &'static BootInfo {
    INFO.get().expect("boot info collected at entry")
}

/// Read every response once and keep the result.
pub fn collect(entry_rsp: u64) -> Result<&'static BootInfo, BootError> {
    let hhdm = req::HHDM
        .get_response()
        .ok_or(BootError::Missing("HHDM"))?
        .offset();
    let memmap = req::MEMORY_MAP
        .get_response()
        .ok_or(BootError::Missing("memory map"))?
        .entries();
    if memmap.len() > MAX_REGIONS {
        return Err(BootError::TooManyRegions(memmap.len()));
    }
    let mut regions = [Region {
        base: 0,
        len: 0,
        kind: RegionKind::Reserved,
    }; MAX_REGIONS];
    for (slot, e) in regions.iter_mut().zip(memmap) {
        *slot = Region {
            base: e.base,
            len: e.length,
            kind: RegionKind::from_limine(raw_kind(e.entry_type)),
        };
    }
    let addr = req::EXECUTABLE_ADDRESS
        .get_response()
        .ok_or(BootError::Missing("executable address"))?;
    let modules = req::MODULES
        .get_response()
        .ok_or(BootError::Missing("modules"))?
        .modules();
    if modules.len() > MAX_MODULES {
        return Err(BootError::TooManyModules(modules.len()));
    }
    let mut module_list = [Module::EMPTY; MAX_MODULES];
    for (i, (slot, f)) in module_list.iter_mut().zip(modules).enumerate() {
        *slot = module(f).map_err(|()| BootError::ModuleNotUtf8(i))?;
    }
    let file = req::EXECUTABLE_FILE.get_response().map(|r| r.file());
    let cmdline = match req::EXECUTABLE_CMDLINE.get_response() {
        Some(r) => r
            .cmdline()
            .to_str()
            .map_err(|_| BootError::CmdlineNotUtf8)?,
        None => match file {
            Some(f) => f.string().to_str().map_err(|_| BootError::CmdlineNotUtf8)?,
            None => "",
        },
    };
    let kernel_file = file.map(|f| {
        // SAFETY: the bootloader keeps the kernel file's bytes at `addr` for
        // `size` bytes in reclaimable memory that the kernel never reuses.
        unsafe { core::slice::from_raw_parts(f.addr().cast_const(), f.size() as usize) }
    });
    let info = BootInfo {
        bootloader: req::BOOTLOADER_INFO
            .get_response()
            .map(|r| (r.name(), r.version())),
        firmware: req::FIRMWARE_TYPE.get_response().map(|r| r.firmware_type()),
        hhdm,
        regions,
        region_count: memmap.len(),
        image: ImageBase {
            virt: addr.virtual_base(),
            phys: addr.physical_base(),
        },
        kernel_path: file.and_then(|f| f.path().to_str().ok()),
        kernel_file,
        cmdline,
        modules: module_list,
        module_count: modules.len(),
        rsdp: req::RSDP.get_response().map(|r| r.address() as u64),
        stack_size_answered: req::STACK_SIZE_REQUEST.get_response().is_some(),
        cpus: req::MP
            .get_response()
            .map(|r| (r.cpus().len(), r.bsp_lapic_id())),
        entry_rsp,
    };
    Ok(INFO.call_once(|| info))
}

fn raw_kind(t: limine::memory_map::EntryType) -> u64 {
    use limine::memory_map::EntryType as T;
    [
        T::USABLE,
        T::RESERVED,
        T::ACPI_RECLAIMABLE,
        T::ACPI_NVS,
        T::BAD_MEMORY,
        T::BOOTLOADER_RECLAIMABLE,
        T::EXECUTABLE_AND_MODULES,
        T::FRAMEBUFFER,
    ]
    .iter()
    .position(|k| *k == t)
    .map_or(u64::MAX, |i| i as u64)
}
