//! The Limine requests, placed in `.requests` between the start and end
//! markers (the linker script keeps the three sections in that order).

use limine::BaseRevision;
use limine::request::{
    BootloaderInfoRequest, ExecutableAddressRequest, ExecutableCmdlineRequest,
    ExecutableFileRequest, FirmwareTypeRequest, HhdmRequest, MemoryMapRequest, ModuleRequest,
    MpRequest, RequestsEndMarker, RequestsStartMarker, RsdpRequest, StackSizeRequest,
};

/// Protocol base revision the kernel is written against.
pub const BASE_REVISION_WANTED: u64 = 3;

/// Boot stack size the kernel asks for.
pub const STACK_SIZE: u64 = 256 * 1024;

#[used]
#[unsafe(link_section = ".requests_start_marker")]
static START_MARKER: RequestsStartMarker = RequestsStartMarker::new();

/// Base revision tag.
#[used]
#[unsafe(link_section = ".requests")]
pub static BASE_REVISION: BaseRevision = BaseRevision::with_revision(BASE_REVISION_WANTED);

/// Bootloader name and version.
#[used]
#[unsafe(link_section = ".requests")]
pub static BOOTLOADER_INFO: BootloaderInfoRequest = BootloaderInfoRequest::new();

/// BIOS or UEFI.
#[used]
#[unsafe(link_section = ".requests")]
pub static FIRMWARE_TYPE: FirmwareTypeRequest = FirmwareTypeRequest::new();

/// Higher-half direct map offset.
#[used]
#[unsafe(link_section = ".requests")]
pub static HHDM: HhdmRequest = HhdmRequest::new();

/// Physical memory map.
#[used]
#[unsafe(link_section = ".requests")]
pub static MEMORY_MAP: MemoryMapRequest = MemoryMapRequest::new();

/// Where the kernel image is, physically and virtually.
#[used]
#[unsafe(link_section = ".requests")]
pub static EXECUTABLE_ADDRESS: ExecutableAddressRequest = ExecutableAddressRequest::new();

/// The kernel file itself (path, cmdline).
#[used]
#[unsafe(link_section = ".requests")]
pub static EXECUTABLE_FILE: ExecutableFileRequest = ExecutableFileRequest::new();

/// The kernel command line.
#[used]
#[unsafe(link_section = ".requests")]
pub static EXECUTABLE_CMDLINE: ExecutableCmdlineRequest = ExecutableCmdlineRequest::new();

/// Boot modules.
#[used]
#[unsafe(link_section = ".requests")]
pub static MODULES: ModuleRequest = ModuleRequest::new();

/// ACPI RSDP.
#[used]
#[unsafe(link_section = ".requests")]
pub static RSDP: RsdpRequest = RsdpRequest::new();

/// A bigger boot stack.
#[used]
#[unsafe(link_section = ".requests")]
pub static STACK_SIZE_REQUEST: StackSizeRequest = StackSizeRequest::new().with_size(STACK_SIZE);

/// The other CPUs (parked; only counted for now).
#[used]
#[unsafe(link_section = ".requests")]
pub static MP: MpRequest = MpRequest::new();

#[used]
#[unsafe(link_section = ".requests_end_marker")]
static END_MARKER: RequestsEndMarker = RequestsEndMarker::new();
