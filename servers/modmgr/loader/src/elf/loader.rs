//! [`ElfLoader`]: checks an ELF64 module and describes it as a
//! [`LoadedModule`].
#![forbid(unsafe_code)]

use super::header::{looks_like_ours, parse_header};
use super::metadata::{read_record, record_section};
use super::segments::{check_entry, load_segments};
use super::tables::{program_headers, section_headers};
use crate::error::{LoadError, Result};
use crate::format::ModuleFormat;
use crate::loader::ModuleLoader;
use crate::module::LoadedModule;

/// The ELF64 loader: x86_64, little-endian, ET_EXEC (servers link with
/// `--no-pie` at a fixed address; position-independent ET_DYN files are
/// refused because nothing here relocates).
///
/// Checks, in order: the header (identity, machine, type), the program
/// header table, each segment (rules in order: dynamic linking refused,
/// file range, sizes, address range, alignment, W^X), overlaps between
/// segments, the entry point, the section header table, and the
/// `.helix_module` record. The first failure is returned.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct ElfLoader;

impl ElfLoader {
    /// The loader.
    pub const fn new() -> ElfLoader {
        ElfLoader
    }

    /// Check `data` and describe it (what [`ModuleLoader::load`] does).
    pub fn parse(data: &[u8]) -> Result<LoadedModule> {
        let header = parse_header(data)?;
        let programs = program_headers(data, &header)?;
        let segments = load_segments(data, &programs)?;
        check_entry(header.e_entry, &segments)?;
        let sections = section_headers(data, &header)?;
        let record = read_record(data, &header, &sections)?;
        Ok(LoadedModule {
            format: ModuleFormat::Elf,
            symbols: record.symbols.clone(),
            record,
            entry: header.e_entry,
            segments,
        })
    }

    /// The raw bytes of the `.helix_module` section of `data` (what
    /// [`parse`](Self::parse) decodes into [`LoadedModule::record`]), after
    /// the same header checks; for tools that copy the record verbatim.
    pub fn record_bytes(data: &[u8]) -> Result<&[u8]> {
        let header = parse_header(data)?;
        let sections = section_headers(data, &header)?;
        record_section(data, &header, &sections)
    }
}

impl ModuleLoader for ElfLoader {
    fn format(&self) -> ModuleFormat {
        ModuleFormat::Elf
    }

    /// ELF magic, ELFCLASS64, little-endian, EM_X86_64.
    fn can_load(&self, data: &[u8]) -> bool {
        looks_like_ours(data)
    }

    fn load(&self, data: &[u8]) -> Result<LoadedModule, LoadError> {
        ElfLoader::parse(data)
    }

    /// Nothing to release (the module manager owns the frames it copied the
    /// segments into); refuses a module of another format.
    fn unload(&self, module: &LoadedModule) -> Result<()> {
        if module.format == ModuleFormat::Elf {
            Ok(())
        } else {
            Err(LoadError::WrongFormat {
                loader: ModuleFormat::Elf,
                module: module.format,
            })
        }
    }
}
