//! Reading a module file of any format into a [`Described`] module: what
//! `inspect`, `abi-diff` and `deps` look at. Nothing here applies a trust
//! policy (that is `verify`'s job); a HelixNative signature is reported,
//! and checked only against the key in the file itself.

use std::fs;
use std::path::Path;

use helix_module_loader::native::{NativeFile, signature_verifies};
use helix_module_loader::{ElfLoader, KeyFingerprint, ModuleFormat, Segment};
use helix_protocol::metadata::ModuleRecord;

use crate::error::ToolError;
use crate::wasm::read_wasm_metadata;

/// Whether and how a module is signed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SignatureStatus {
    /// The format has no signatures (ELF, Wasm).
    NotApplicable,
    /// A HelixNative file without a signature block.
    Unsigned,
    /// A HelixNative file signed by `public_key`.
    Signed {
        /// The signer's public key.
        public_key: [u8; 32],
        /// Whether the signature verifies under that key (not whether the
        /// key is trusted).
        verifies: bool,
    },
}

impl SignatureStatus {
    /// The signer's fingerprint, if signed.
    pub fn fingerprint(&self) -> Option<KeyFingerprint> {
        match self {
            SignatureStatus::Signed { public_key, .. } => Some(KeyFingerprint::of(public_key)),
            SignatureStatus::NotApplicable | SignatureStatus::Unsigned => None,
        }
    }
}

/// A module file, read and checked by its format's rules (signatures
/// aside).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Described {
    /// Its format.
    pub format: ModuleFormat,
    /// Its metadata; `None` only for a Wasm module without a
    /// `helix_module` section.
    pub record: Option<ModuleRecord>,
    /// Entry point (ELF, HelixNative).
    pub entry: Option<u64>,
    /// Segments, sorted by address (ELF, HelixNative).
    pub segments: Vec<Segment>,
    /// Signature status.
    pub signature: SignatureStatus,
}

/// The bytes of `path`.
pub fn read_file(path: &Path) -> Result<Vec<u8>, ToolError> {
    fs::read(path).map_err(|source| ToolError::Read {
        path: path.to_path_buf(),
        source,
    })
}

/// `data`, the contents of `path`, described.
pub fn describe(path: &Path, data: &[u8]) -> Result<Described, ToolError> {
    let load = |error| ToolError::Load {
        path: path.to_path_buf(),
        error,
    };
    match ModuleFormat::detect(data) {
        None => Err(ToolError::UnknownFormat(path.to_path_buf())),
        Some(ModuleFormat::Elf) => {
            let m = ElfLoader::parse(data).map_err(load)?;
            Ok(Described {
                format: m.format,
                record: Some(m.record),
                entry: Some(m.entry),
                segments: m.segments,
                signature: SignatureStatus::NotApplicable,
            })
        }
        Some(ModuleFormat::HelixNative) => {
            let file = NativeFile::parse(data).map_err(|e| load(e.into()))?;
            let m = file.module().map_err(load)?;
            let signature = match (file.signature(), signature_verifies(&file)) {
                (Some(block), Some(verifies)) => SignatureStatus::Signed {
                    public_key: block.public_key,
                    verifies,
                },
                _ => SignatureStatus::Unsigned,
            };
            Ok(Described {
                format: m.format,
                record: Some(m.record),
                entry: Some(m.entry),
                segments: m.segments,
                signature,
            })
        }
        Some(ModuleFormat::Wasm) => {
            let record = read_wasm_metadata(data).map_err(|error| ToolError::Wasm {
                path: path.to_path_buf(),
                error,
            })?;
            Ok(Described {
                format: ModuleFormat::Wasm,
                record,
                entry: None,
                segments: Vec::new(),
                signature: SignatureStatus::NotApplicable,
            })
        }
    }
}

/// Read and describe `path`.
pub fn read_module(path: &Path) -> Result<Described, ToolError> {
    describe(path, &read_file(path)?)
}
