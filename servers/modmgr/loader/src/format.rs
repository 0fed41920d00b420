//! [`ModuleFormat`]: the binary formats a module can come in, and telling
//! them apart by their first bytes.
#![forbid(unsafe_code)]

use core::fmt;

/// First four bytes of an ELF file.
pub const ELF_MAGIC: [u8; 4] = *b"\x7fELF";
/// First four bytes of a HelixNative module (`docs/formats.md`).
pub const HELIX_NATIVE_MAGIC: [u8; 4] = *b"HXNM";
/// First four bytes of a WebAssembly binary module.
pub const WASM_MAGIC: [u8; 4] = *b"\0asm";

/// A module binary format.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ModuleFormat {
    /// ELF64 executable (today's servers: x86_64, statically linked at a
    /// fixed address).
    Elf,
    /// Helix's own compact format (header, metadata, symbols, segments,
    /// checksum, optional signature): [`HelixNativeLoader`](crate::HelixNativeLoader).
    HelixNative,
    /// WebAssembly module, run by a Wasm runtime server; loader not written yet.
    Wasm,
}

impl ModuleFormat {
    /// Every format, in detection order.
    pub const ALL: [ModuleFormat; 3] = [
        ModuleFormat::Elf,
        ModuleFormat::HelixNative,
        ModuleFormat::Wasm,
    ];

    /// The magic bytes a file of this format starts with.
    pub const fn magic(self) -> [u8; 4] {
        match self {
            ModuleFormat::Elf => ELF_MAGIC,
            ModuleFormat::HelixNative => HELIX_NATIVE_MAGIC,
            ModuleFormat::Wasm => WASM_MAGIC,
        }
    }

    /// The format whose magic `data` starts with, if any. Only the magic is
    /// looked at: whether the rest is well-formed is the loader's business.
    pub fn detect(data: &[u8]) -> Option<ModuleFormat> {
        ModuleFormat::ALL
            .into_iter()
            .find(|format| data.starts_with(&format.magic()))
    }
}

impl fmt::Display for ModuleFormat {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ModuleFormat::Elf => "ELF",
            ModuleFormat::HelixNative => "HelixNative",
            ModuleFormat::Wasm => "WebAssembly",
        })
    }
}
