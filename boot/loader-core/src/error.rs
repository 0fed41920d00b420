//! The loader's fatal errors, each naming the file at fault.

use core::fmt;

use helix_bootcfg::ParseError;

use crate::bundle::BundleError;
use crate::config::ConfigError;
use crate::elf::ElfError;
use crate::frames::MemError;
use crate::paging::MapError;
use crate::requests::RequestError;

/// Everything that stops a boot. `Display` gives `<file>: <problem>`, the
/// loader prints it after `helix-loader: error: `.
#[derive(Debug)]
pub enum BootError<'a> {
    /// QEMU was started without `-initrd`.
    NoInitrd,
    /// The start-of-day information is unusable.
    BadStartInfo {
        /// The magic found.
        magic: u32,
    },
    /// The initrd is not a bundle.
    Bundle(BundleError),
    /// The bundle has no `limine.cfg` at its root.
    MissingConfig,
    /// `limine.cfg` is not UTF-8.
    ConfigNotText,
    /// `limine.cfg` does not parse.
    ConfigParse(ParseError),
    /// `limine.cfg` parses but cannot be booted offline.
    Config(ConfigError<'a>),
    /// A file named by `limine.cfg` (or an internal module) is missing.
    NotFound {
        /// Its path on the boot volume.
        path: &'a str,
    },
    /// The kernel ELF is unusable.
    Elf {
        /// Kernel path.
        path: &'a str,
        /// What is wrong.
        error: ElfError,
    },
    /// The kernel's request table is unusable.
    Requests {
        /// Kernel path.
        path: &'a str,
        /// What is wrong.
        error: RequestError,
    },
    /// The kernel asks for something this loader cannot provide.
    Unsupported {
        /// Kernel path.
        path: &'a str,
        /// What.
        what: Unsupported,
    },
    /// Physical memory ran out or was never there.
    Memory(MemError),
    /// Page tables could not be built.
    Paging(MapError),
}

/// Kernel demands the offline loader refuses.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Unsupported {
    /// Paging mode request with a minimum above 4-level paging.
    FiveLevelPaging,
    /// An internal module flagged compressed.
    CompressedModule,
    /// An internal module path outside the boot volume.
    InternalModulePath,
    /// A request pointer (internal module list) outside the kernel image.
    BadPointer {
        /// The pointer.
        addr: u64,
    },
}

impl fmt::Display for Unsupported {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Unsupported::FiveLevelPaging => f.write_str(
                "kernel requires 5-level paging; this loader provides 4-level paging only",
            ),
            Unsupported::CompressedModule => {
                f.write_str("compressed internal modules are not supported")
            }
            Unsupported::InternalModulePath => {
                f.write_str("internal module path does not name a file on the boot volume")
            }
            Unsupported::BadPointer { addr } => {
                write!(
                    f,
                    "module request points at {addr:#x}, outside the kernel image"
                )
            }
        }
    }
}

impl fmt::Display for BootError<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BootError::NoInitrd => {
                f.write_str("initrd: no boot bundle given (start QEMU with -initrd bundle.tar)")
            }
            BootError::BadStartInfo { magic } => {
                write!(
                    f,
                    "hvm_start_info: bad magic {magic:#x} (not started through PVH?)"
                )
            }
            BootError::Bundle(e) => write!(f, "initrd: {e}"),
            BootError::MissingConfig => f.write_str("limine.cfg: not found in boot bundle"),
            BootError::ConfigNotText => f.write_str("limine.cfg: not UTF-8 text"),
            BootError::ConfigParse(e) => write!(f, "limine.cfg: {e}"),
            BootError::Config(e) => write!(f, "limine.cfg: {e}"),
            BootError::NotFound { path } => write!(f, "{path}: not found in boot bundle"),
            BootError::Elf { path, error } => write!(f, "{path}: {error}"),
            BootError::Requests { path, error } => write!(f, "{path}: {error}"),
            BootError::Unsupported { path, what } => write!(f, "{path}: {what}"),
            BootError::Memory(e) => write!(f, "memory map: {e}"),
            BootError::Paging(e) => write!(f, "page tables: {e}"),
        }
    }
}

impl From<MemError> for BootError<'_> {
    fn from(e: MemError) -> Self {
        BootError::Memory(e)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::string::ToString;

    #[test]
    fn messages_name_the_file() {
        let parse = helix_bootcfg::parse("/E\n    protocol: limine\n  nonsense\n").unwrap_err();
        assert_eq!(
            BootError::ConfigParse(parse).to_string(),
            "limine.cfg: line 3: expected `key: value`, `/Entry`, `# comment` or blank"
        );
        assert_eq!(
            BootError::NotFound {
                path: "/boot/helix/x.bin"
            }
            .to_string(),
            "/boot/helix/x.bin: not found in boot bundle"
        );
        assert_eq!(
            BootError::MissingConfig.to_string(),
            "limine.cfg: not found in boot bundle"
        );
        assert_eq!(
            BootError::Memory(MemError::NoUsableMemory).to_string(),
            "memory map: no usable RAM between 1 MiB and 4 GiB"
        );
        let elf = BootError::Elf {
            path: "/boot/k",
            error: ElfError::NotElf,
        };
        assert_eq!(elf.to_string(), "/boot/k: not an ELF file");
    }
}
