//! [`ToolError`]: why a command could not do its work (a file that cannot
//! be read, is no module, or is malformed; a bad argument). Every one is
//! exit status 2; a negative verdict is not an error (status 1).

use std::fmt;
use std::io;
use std::path::PathBuf;

use helix_manifest::ManifestError;
use helix_module_loader::LoadError;
use helix_module_loader::native::{EncodeError, NativeError};

use crate::keys::KeyError;
use crate::wasm::WasmError;

/// A command's failure, naming the file it concerns.
#[derive(Debug)]
pub enum ToolError {
    /// A file could not be read.
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        source: io::Error,
    },
    /// A file or directory could not be written.
    Write {
        /// The file.
        path: PathBuf,
        /// Why.
        source: io::Error,
    },
    /// The output exists and is not replaced.
    Exists(PathBuf),
    /// The file starts with no ELF, HelixNative or Wasm magic.
    UnknownFormat(PathBuf),
    /// The module is malformed (or, for `verify`, nothing else).
    Load {
        /// The file.
        path: PathBuf,
        /// The loader's refusal.
        error: LoadError,
    },
    /// The Wasm module is malformed, or its metadata is.
    Wasm {
        /// The file.
        path: PathBuf,
        /// Why.
        error: WasmError,
    },
    /// The command needs a HelixNative file.
    NotHelixNative {
        /// The file.
        path: PathBuf,
        /// Its format.
        format: &'static str,
    },
    /// `pack` needs an ELF file.
    NotElf {
        /// The file.
        path: PathBuf,
        /// Its format.
        format: &'static str,
    },
    /// A HelixNative file's framing is malformed.
    Native {
        /// The file.
        path: PathBuf,
        /// Why.
        error: NativeError,
    },
    /// The module does not fit the HelixNative layout.
    Encode {
        /// The input file.
        path: PathBuf,
        /// Why.
        error: EncodeError,
    },
    /// A key file is malformed.
    Key {
        /// The file.
        path: PathBuf,
        /// Why.
        error: KeyError,
    },
    /// The boot manifest does not parse (every error, in line order).
    Manifest {
        /// The file.
        path: PathBuf,
        /// The errors.
        errors: Vec<ManifestError>,
    },
    /// A module of the manifest could not be read.
    InModule {
        /// The manifest's name of the module.
        module: String,
        /// Why.
        source: Box<ToolError>,
    },
    /// `new`: the name is not a module name.
    BadName(String),
    /// JSON output could not be written.
    Json(String),
}

impl fmt::Display for ToolError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ToolError::Read { path, source } => {
                write!(f, "{}: cannot read: {source}", path.display())
            }
            ToolError::Write { path, source } => {
                write!(f, "{}: cannot write: {source}", path.display())
            }
            ToolError::Exists(path) => {
                write!(
                    f,
                    "{}: already exists (not replaced; pass --force to replace a key)",
                    path.display()
                )
            }
            ToolError::UnknownFormat(path) => write!(
                f,
                "{}: not a module (no ELF, HelixNative or WebAssembly magic)",
                path.display()
            ),
            ToolError::Load { path, error } => write!(f, "{}: {error}", path.display()),
            ToolError::Wasm { path, error } => write!(f, "{}: {error}", path.display()),
            ToolError::NotHelixNative { path, format } => write!(
                f,
                "{}: a {format} file; only HelixNative files carry signatures (make one with `helix-mod pack`)",
                path.display()
            ),
            ToolError::NotElf { path, format } => {
                write!(
                    f,
                    "{}: a {format} file; `pack` takes an ELF server",
                    path.display()
                )
            }
            ToolError::Native { path, error } => write!(f, "{}: {error}", path.display()),
            ToolError::Encode { path, error } => {
                write!(f, "{}: cannot pack: {error}", path.display())
            }
            ToolError::Key { path, error } => write!(f, "{}: {error}", path.display()),
            ToolError::Manifest { path, errors } => {
                write!(f, "{}: {} error(s)", path.display(), errors.len())?;
                errors.iter().try_for_each(|e| write!(f, "\n  {e}"))
            }
            ToolError::InModule { module, source } => write!(f, "module {module}: {source}"),
            ToolError::BadName(name) => write!(
                f,
                "`{name}` is not a module name: 1 to 32 characters of a-z 0-9 _ -, starting with a letter"
            ),
            ToolError::Json(e) => write!(f, "cannot write JSON: {e}"),
        }
    }
}

impl std::error::Error for ToolError {}
