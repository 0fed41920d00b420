//! The metadata of a WebAssembly module: the `.helix_module` record, kept
//! in a custom section named `helix_module` (the record's bytes, as in an
//! ELF section). Only read here; running Wasm modules is a later loader's
//! job.

use std::fmt;

use helix_protocol::metadata::{ModuleRecord, RecordError};
use wasmparser::{Parser, Payload};

/// Name of the custom section that holds the record.
pub const WASM_SECTION: &str = "helix_module";

/// Why a Wasm module's metadata could not be read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum WasmError {
    /// wasmparser refused the module's structure.
    Malformed(String),
    /// More than one `helix_module` custom section.
    DuplicateSection,
    /// The section does not hold a valid record.
    Record(RecordError),
}

impl fmt::Display for WasmError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            WasmError::Malformed(e) => write!(f, "malformed WebAssembly module: {e}"),
            WasmError::DuplicateSection => {
                write!(f, "more than one `{WASM_SECTION}` custom section")
            }
            WasmError::Record(e) => write!(f, "bad `{WASM_SECTION}` record: {e}"),
        }
    }
}

impl std::error::Error for WasmError {}

/// The record in `bytes`' `helix_module` custom section; `None` when the
/// module has no such section. The whole module's section structure is
/// read (not validated: function bodies are not decoded).
pub fn read_wasm_metadata(bytes: &[u8]) -> Result<Option<ModuleRecord>, WasmError> {
    let mut found = None;
    for payload in Parser::new(0).parse_all(bytes) {
        let payload = payload.map_err(|e| WasmError::Malformed(e.message().to_string()))?;
        if let Payload::CustomSection(section) = payload {
            if section.name() != WASM_SECTION {
                continue;
            }
            if found.is_some() {
                return Err(WasmError::DuplicateSection);
            }
            found = Some(ModuleRecord::decode(section.data()).map_err(WasmError::Record)?);
        }
    }
    Ok(found)
}
