//! Checking the boot modules against the generated manifest.

use core::fmt;

use helix_abi::boot::MANIFEST_CMDLINE;
use helix_kernel_core::manifest::{self, Manifest, ManifestError};

use super::BootInfo;

/// Why the modules do not match the manifest.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ModuleCheckError {
    /// No module has the manifest cmdline.
    NoManifest,
    /// More than one module has it.
    TwoManifests,
    /// The manifest does not parse.
    Manifest(ManifestError),
    /// Module `index` has no manifest line.
    NotListed(usize),
    /// Module `index` differs from its line.
    Mismatch(usize, manifest::Mismatch),
    /// Module count is not manifest entries + 1.
    Count {
        /// Modules loaded.
        modules: usize,
        /// Manifest entries.
        listed: usize,
    },
}

impl fmt::Display for ModuleCheckError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NoManifest => write!(f, "no module with cmdline `{MANIFEST_CMDLINE}`"),
            Self::TwoManifests => write!(f, "two modules with cmdline `{MANIFEST_CMDLINE}`"),
            Self::Manifest(e) => write!(f, "manifest: {e}"),
            Self::NotListed(i) => write!(f, "module {i} is not in the manifest"),
            Self::Mismatch(i, m) => write!(f, "module {i}: {m}"),
            Self::Count { modules, listed } => write!(
                f,
                "{modules} modules loaded, manifest lists {listed} (+1 for itself)"
            ),
        }
    }
}

/// The manifest module's parsed text.
pub fn manifest(info: &BootInfo) -> Result<Manifest<'static>, ModuleCheckError> {
    let mut found = info.modules().filter(|m| m.cmdline == MANIFEST_CMDLINE);
    let m = found.next().ok_or(ModuleCheckError::NoManifest)?;
    if found.next().is_some() {
        return Err(ModuleCheckError::TwoManifests);
    }
    Manifest::parse(m.data).map_err(ModuleCheckError::Manifest)
}

/// Check every module's size and CRC-32 against the manifest; returns the
/// number of modules checked.
pub fn verify(info: &BootInfo) -> Result<usize, ModuleCheckError> {
    let manifest = manifest(info)?;
    let mut checked = 0;
    for (i, m) in info.modules().enumerate() {
        if m.cmdline == MANIFEST_CMDLINE {
            continue;
        }
        let entry = manifest
            .find(m.path)
            .ok_or(ModuleCheckError::NotListed(i))?;
        entry
            .check(m.data.len() as u64, crc32fast::hash(m.data))
            .map_err(|e| ModuleCheckError::Mismatch(i, e))?;
        checked += 1;
    }
    let listed = manifest.len();
    if info.module_count() != listed + 1 || checked != listed {
        return Err(ModuleCheckError::Count {
            modules: info.module_count(),
            listed,
        });
    }
    Ok(checked)
}
