//! The module metadata record: a fixed binary layout placed in the
//! `.helix_module` section of a server binary, so a loader reads a module's
//! name, versions, flags, dependencies, provided interfaces and exported
//! symbols without running it. Layout: `docs/formats.md`.
//!
//! [`RecordSpec::encode`] is a `const fn`: [`helix_module!`](crate::helix_module)
//! builds the record at compile time. [`ModuleRecord::decode`] is what a
//! loader calls on the section's bytes.

mod decode;
mod encode;

pub use decode::{ModuleRecord, RecordDependency, RecordError};
pub use encode::{RecordSpec, SymbolSpec};

/// Name of the ELF section that holds the record.
pub const SECTION_NAME: &str = ".helix_module";
/// First four bytes of a record.
pub const RECORD_MAGIC: [u8; 4] = *b"HXMD";
/// The record format version this crate writes and reads.
pub const RECORD_VERSION: u16 = 1;
/// Length of the fixed record header.
pub const RECORD_HEADER_LEN: usize = 24;
