//! The ELF header: identity (magic, class, byte order) checked by hand before
//! goblin reads the rest, then machine and type.
#![forbid(unsafe_code)]

use goblin::elf::Elf;
use goblin::elf::header::header64::SIZEOF_EHDR;
use goblin::elf::header::{EI_CLASS, EI_DATA, ELFCLASS64, ELFDATA2LSB, EM_X86_64, ET_EXEC, Header};

use crate::error::{LoadError, Result};
use crate::format::ELF_MAGIC;

/// Offset of `e_machine` in the header.
const E_MACHINE: usize = 18;

/// Whether `data` starts like an ELF64 little-endian x86_64 file (the
/// identification bytes and `e_machine`; nothing else is looked at).
pub(super) fn looks_like_ours(data: &[u8]) -> bool {
    let machine = data
        .get(E_MACHINE..E_MACHINE + 2)
        .and_then(|b| <[u8; 2]>::try_from(b).ok())
        .map(u16::from_le_bytes);
    data.starts_with(&ELF_MAGIC)
        && data.get(EI_CLASS) == Some(&ELFCLASS64)
        && data.get(EI_DATA) == Some(&ELFDATA2LSB)
        && machine == Some(EM_X86_64)
}

/// The header of `data`, once it is an ELF64 little-endian x86_64 ET_EXEC.
pub(super) fn parse_header(data: &[u8]) -> Result<Header> {
    if !data.starts_with(&ELF_MAGIC) {
        return Err(LoadError::NotElf);
    }
    if data.len() < SIZEOF_EHDR {
        return Err(LoadError::TruncatedHeader { len: data.len() });
    }
    let ident = |at: usize| data.get(at).copied().unwrap_or(0);
    if ident(EI_CLASS) != ELFCLASS64 {
        return Err(LoadError::NotElf64 {
            class: ident(EI_CLASS),
        });
    }
    if ident(EI_DATA) != ELFDATA2LSB {
        return Err(LoadError::NotLittleEndian {
            data: ident(EI_DATA),
        });
    }
    // With the identity checked and 64 bytes present goblin cannot fail;
    // should it anyway, the header is reported as truncated, not unwrapped.
    let header =
        Elf::parse_header(data).map_err(|_| LoadError::TruncatedHeader { len: data.len() })?;
    if header.e_machine != EM_X86_64 {
        return Err(LoadError::NotX86_64 {
            machine: header.e_machine,
        });
    }
    if header.e_type != ET_EXEC {
        return Err(LoadError::NotExecutable {
            elf_type: header.e_type,
        });
    }
    Ok(header)
}
