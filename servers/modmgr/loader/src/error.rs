//! [`LoadError`]: why bytes are not a loadable module. Each refusal has its
//! own variant, and its `Display` reads as one console line.
#![forbid(unsafe_code)]

use core::fmt;

use goblin::elf::program_header::PT_INTERP;
use helix_protocol::metadata::{RecordError, SECTION_NAME};

use crate::format::ModuleFormat;
use crate::layout::{PAGE_SIZE, USER_MIN, USER_TOP};
use crate::native::{NativeError, TrustError};

/// The crate's result type (`Result<T>` means `Result<T, LoadError>`).
pub type Result<T, E = LoadError> = core::result::Result<T, E>;

/// One of the two ELF header tables.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum HeaderTable {
    /// The program header table (segments).
    Program,
    /// The section header table.
    Section,
}

impl HeaderTable {
    /// Size of one entry in an ELF64 file.
    pub const fn entry_size(self) -> u16 {
        match self {
            HeaderTable::Program => 56,
            HeaderTable::Section => 64,
        }
    }
}

impl fmt::Display for HeaderTable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            HeaderTable::Program => "program header table",
            HeaderTable::Section => "section header table",
        })
    }
}

/// Why a module could not be loaded (or unloaded). "Segment N" is the index
/// of its program header, as `readelf -l` numbers them (ELF), or of its
/// entry in the segment table (HelixNative).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LoadError {
    /// The bytes start with no known module magic.
    UnknownFormat,
    /// The format is known but no registered loader handles it.
    NoLoader(ModuleFormat),
    /// A loader was asked to unload a module of another format.
    WrongFormat {
        /// The format the loader handles.
        loader: ModuleFormat,
        /// The module's format.
        module: ModuleFormat,
    },

    /// No ELF magic.
    NotElf,
    /// Shorter than an ELF64 header.
    TruncatedHeader {
        /// Bytes present.
        len: usize,
    },
    /// `EI_CLASS` is not ELFCLASS64.
    NotElf64 {
        /// The class byte.
        class: u8,
    },
    /// `EI_DATA` is not ELFDATA2LSB.
    NotLittleEndian {
        /// The data-encoding byte.
        data: u8,
    },
    /// `e_machine` is not EM_X86_64.
    NotX86_64 {
        /// The machine field.
        machine: u16,
    },
    /// `e_type` is not ET_EXEC (position-independent ET_DYN included:
    /// servers link with `--no-pie`, and nothing here relocates).
    NotExecutable {
        /// The type field.
        elf_type: u16,
    },
    /// A header table's entry size is not the ELF64 one.
    BadEntrySize {
        /// Which table.
        table: HeaderTable,
        /// The declared entry size.
        size: u16,
    },
    /// A header table runs past the end of the file (or wraps).
    TableOutsideFile {
        /// Which table.
        table: HeaderTable,
        /// Its declared file offset.
        offset: u64,
        /// Its declared number of entries.
        count: u64,
        /// The file's length.
        file_len: usize,
    },
    /// goblin refused a header table that passed the range checks.
    MalformedTable {
        /// Which table.
        table: HeaderTable,
    },

    /// No PT_LOAD segment with memory.
    NoLoadSegment,
    /// A PT_INTERP or PT_DYNAMIC segment: the program wants a dynamic linker
    /// or relocations, and modules are loaded as they are linked.
    NeedsDynamicLinking {
        /// Program header index.
        segment: usize,
        /// Its `p_type`.
        p_type: u32,
    },
    /// A segment's file bytes lie (partly) outside the file.
    SegmentOutsideFile {
        /// Program header index.
        segment: usize,
        /// `p_offset`.
        offset: u64,
        /// `p_filesz`.
        size: u64,
        /// The file's length.
        file_len: usize,
    },
    /// `p_filesz > p_memsz`.
    FileSizeExceedsMemSize {
        /// Program header index.
        segment: usize,
        /// `p_filesz`.
        file_size: u64,
        /// `p_memsz`.
        mem_size: u64,
    },
    /// `p_vaddr + p_memsz` (or its page rounding) wraps past 2^64.
    AddressOverflow {
        /// Program header index.
        segment: usize,
        /// `p_vaddr`.
        vaddr: u64,
        /// `p_memsz`.
        mem_size: u64,
    },
    /// A segment reaches outside `[USER_MIN, USER_TOP)`.
    OutsideUserHalf {
        /// Program header index.
        segment: usize,
        /// First byte.
        start: u64,
        /// End (exclusive).
        end: u64,
    },
    /// `p_align` is neither 0 nor a power of two.
    BadAlignment {
        /// Program header index.
        segment: usize,
        /// `p_align`.
        align: u64,
    },
    /// `p_align` asks for page alignment (>= 4096) but `p_vaddr` and
    /// `p_offset` differ modulo the page size.
    Misaligned {
        /// Program header index.
        segment: usize,
        /// `p_vaddr`.
        vaddr: u64,
        /// `p_offset`.
        offset: u64,
    },
    /// Two segments share a page.
    Overlap {
        /// Program header index of the higher segment.
        segment: usize,
        /// Its first page.
        start: u64,
        /// End of its last page.
        end: u64,
        /// Program header index of the segment it overlaps.
        other: usize,
    },
    /// A segment both writable and executable.
    WriteExecute {
        /// Program header index.
        segment: usize,
        /// `p_vaddr`.
        vaddr: u64,
    },
    /// The entry point is not inside an executable segment.
    EntryNotExecutable {
        /// `e_entry`.
        entry: u64,
    },

    /// No section header table: the metadata section cannot be found (the
    /// loader never scans the file for a record).
    NoSectionHeaders,
    /// The section-name string table (`e_shstrndx`) is missing or lies
    /// outside the file.
    BadSectionNames {
        /// Its section index.
        index: u32,
    },
    /// No `.helix_module` section.
    NoMetadata,
    /// More than one `.helix_module` section.
    DuplicateMetadata,
    /// The `.helix_module` section is SHT_NOBITS: it has no bytes in the file.
    MetadataNoBits,
    /// The `.helix_module` section lies (partly) outside the file.
    MetadataOutsideFile {
        /// `sh_offset`.
        offset: u64,
        /// `sh_size`.
        size: u64,
        /// The file's length.
        file_len: usize,
    },
    /// The `.helix_module` section (ELF) or the record (HelixNative) does
    /// not hold a valid record.
    Metadata(RecordError),

    /// The HelixNative framing or layout is malformed.
    Native(NativeError),
    /// The HelixNative module's signature is refused by the trust policy.
    Trust(TrustError),
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            LoadError::UnknownFormat => {
                f.write_str("unknown module format (no ELF, HelixNative or Wasm magic)")
            }
            LoadError::NoLoader(format) => write!(f, "no loader registered for {format} modules"),
            LoadError::WrongFormat { loader, module } => {
                write!(f, "the {loader} loader cannot unload a {module} module")
            }
            LoadError::NotElf => f.write_str("not an ELF file"),
            LoadError::TruncatedHeader { len } => {
                write!(
                    f,
                    "truncated ELF header: {len} bytes, an ELF64 header has 64"
                )
            }
            LoadError::NotElf64 { class } => write!(f, "not ELF64 (class {class})"),
            LoadError::NotLittleEndian { data } => {
                write!(f, "not little-endian (data encoding {data})")
            }
            LoadError::NotX86_64 { machine } => {
                write!(f, "ELF machine {machine} is not x86_64 (62)")
            }
            LoadError::NotExecutable { elf_type } => write!(
                f,
                "ELF type {elf_type} is not ET_EXEC (2): servers are fixed-address executables (--no-pie)"
            ),
            LoadError::BadEntrySize { table, size } => write!(
                f,
                "{table} entry size {size}, ELF64 uses {}",
                table.entry_size()
            ),
            LoadError::TableOutsideFile {
                table,
                offset,
                count,
                file_len,
            } => write!(
                f,
                "{table} ({count} entries at {offset:#x}) runs past the end of the file ({file_len:#x} bytes)"
            ),
            LoadError::MalformedTable { table } => write!(f, "corrupt {table}"),
            LoadError::NoLoadSegment => f.write_str("no PT_LOAD segment"),
            LoadError::NeedsDynamicLinking { segment, p_type } => write!(
                f,
                "segment {segment} ({}) needs dynamic linking; modules are static executables",
                if p_type == PT_INTERP {
                    "PT_INTERP"
                } else {
                    "PT_DYNAMIC"
                }
            ),
            LoadError::SegmentOutsideFile {
                segment,
                offset,
                size,
                file_len,
            } => write!(
                f,
                "segment {segment} file bytes [{offset:#x}..+{size:#x}) lie outside the file ({file_len:#x} bytes)"
            ),
            LoadError::FileSizeExceedsMemSize {
                segment,
                file_size,
                mem_size,
            } => write!(
                f,
                "segment {segment} file size {file_size:#x} exceeds its memory size {mem_size:#x}"
            ),
            LoadError::AddressOverflow {
                segment,
                vaddr,
                mem_size,
            } => write!(
                f,
                "segment {segment} at {vaddr:#x} with size {mem_size:#x} wraps the address space"
            ),
            LoadError::OutsideUserHalf {
                segment,
                start,
                end,
            } => write!(
                f,
                "segment {segment} [{start:#x}..{end:#x}) lies outside user space [{USER_MIN:#x}..{USER_TOP:#x})"
            ),
            LoadError::BadAlignment { segment, align } => {
                write!(
                    f,
                    "segment {segment} alignment {align:#x} is not a power of two"
                )
            }
            LoadError::Misaligned {
                segment,
                vaddr,
                offset,
            } => write!(
                f,
                "segment {segment} address {vaddr:#x} and file offset {offset:#x} differ modulo the page size ({PAGE_SIZE:#x})"
            ),
            LoadError::Overlap {
                segment,
                start,
                end,
                other,
            } => write!(
                f,
                "segment {segment} [{start:#x}..{end:#x}) overlaps segment {other}"
            ),
            LoadError::WriteExecute { segment, vaddr } => {
                write!(
                    f,
                    "segment {segment} at {vaddr:#x} is both writable and executable"
                )
            }
            LoadError::EntryNotExecutable { entry } => {
                write!(
                    f,
                    "entry point {entry:#x} is not inside an executable segment"
                )
            }
            LoadError::NoSectionHeaders => write!(
                f,
                "no section headers: cannot find the {SECTION_NAME} section"
            ),
            LoadError::BadSectionNames { index } => write!(
                f,
                "section name table (section {index}) is missing or outside the file"
            ),
            LoadError::NoMetadata => write!(f, "no {SECTION_NAME} section (module metadata)"),
            LoadError::DuplicateMetadata => write!(f, "more than one {SECTION_NAME} section"),
            LoadError::MetadataNoBits => {
                write!(
                    f,
                    "the {SECTION_NAME} section has no bytes in the file (SHT_NOBITS)"
                )
            }
            LoadError::MetadataOutsideFile {
                offset,
                size,
                file_len,
            } => write!(
                f,
                "the {SECTION_NAME} section [{offset:#x}..+{size:#x}) lies outside the file ({file_len:#x} bytes)"
            ),
            LoadError::Metadata(e) => write!(f, "bad {SECTION_NAME} record: {e}"),
            LoadError::Native(e) => write!(f, "{e}"),
            LoadError::Trust(e) => write!(f, "{e}"),
        }
    }
}

impl core::error::Error for LoadError {
    fn source(&self) -> Option<&(dyn core::error::Error + 'static)> {
        match self {
            LoadError::Metadata(e) => Some(e),
            LoadError::Native(e) => Some(e),
            LoadError::Trust(e) => Some(e),
            _ => None,
        }
    }
}

impl From<RecordError> for LoadError {
    fn from(e: RecordError) -> Self {
        LoadError::Metadata(e)
    }
}

impl From<NativeError> for LoadError {
    fn from(e: NativeError) -> Self {
        LoadError::Native(e)
    }
}

impl From<TrustError> for LoadError {
    fn from(e: TrustError) -> Self {
        LoadError::Trust(e)
    }
}
