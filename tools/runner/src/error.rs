//! The runner's one error type: every way a command can fail before a test
//! verdict exists (a test that fails is a result, not an error).

use std::fmt;
use std::io;
use std::path::PathBuf;

/// Why a runner command could not do its job.
#[derive(Debug)]
pub enum Error {
    /// Reading or writing a file failed.
    Io {
        /// What was being done, e.g. "read limine.cfg".
        action: &'static str,
        /// The file or directory involved.
        path: PathBuf,
        /// The underlying error.
        source: io::Error,
    },
    /// A program could not be started.
    Spawn {
        /// The program, e.g. `qemu-system-x86_64`.
        program: String,
        /// The underlying error.
        source: io::Error,
    },
    /// `cargo metadata` failed or said something unexpected.
    Metadata {
        /// What went wrong.
        message: String,
    },
    /// `cargo build` failed.
    CargoBuild {
        /// Its exit status as text (`exit status: 101`).
        status: String,
    },
    /// `limine.cfg` does not parse.
    Config {
        /// The file.
        path: PathBuf,
        /// Parser message (line number and problem).
        message: String,
    },
    /// `limine.cfg` has no bootable entry, or the entry has no kernel path.
    NoBootEntry {
        /// The file.
        path: PathBuf,
    },
    /// A module named in `limine.cfg` has no source file.
    MissingModuleSource {
        /// The module path as written after `boot():`.
        module: String,
        /// Every place that was tried.
        looked_in: Vec<PathBuf>,
    },
    /// A `boot():` path cannot become a bundle member (`..`, empty, ...).
    BadMemberPath {
        /// The path as written.
        path: String,
    },
    /// The kernel ELF does not hold exactly one Limine base-revision tag.
    BaseRevisionTag {
        /// How many tags were found.
        found: usize,
    },
    /// A command line that does not parse.
    Usage(crate::cli::UsageError),
    /// No OVMF firmware file was found.
    NoOvmf {
        /// Every place that was tried.
        looked_in: Vec<PathBuf>,
    },
    /// Building a Limine ISO failed.
    Iso(crate::iso::IsoError),
    /// A benchmark step failed.
    Bench(crate::bench::BenchError),
}

impl Error {
    /// Shorthand for [`Error::Io`].
    pub fn io(action: &'static str, path: impl Into<PathBuf>, source: io::Error) -> Self {
        Error::Io {
            action,
            path: path.into(),
            source,
        }
    }
}

fn list(paths: &[PathBuf]) -> String {
    paths
        .iter()
        .map(|p| p.display().to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::Io {
                action,
                path,
                source,
            } => write!(f, "cannot {action} {}: {source}", path.display()),
            Error::Spawn { program, source } => write!(f, "cannot start {program}: {source}"),
            Error::Metadata { message } => write!(f, "cargo metadata: {message}"),
            Error::CargoBuild { status } => write!(f, "cargo build failed ({status})"),
            Error::Config { path, message } => write!(f, "{}: {message}", path.display()),
            Error::NoBootEntry { path } => {
                write!(
                    f,
                    "{}: no bootable entry with a kernel path",
                    path.display()
                )
            }
            Error::MissingModuleSource { module, looked_in } => write!(
                f,
                "module {module}: no source file (looked for {})",
                list(looked_in)
            ),
            Error::BadMemberPath { path } => {
                write!(f, "boot path {path:?} cannot be a bundle member")
            }
            Error::BaseRevisionTag { found } => write!(
                f,
                "kernel ELF holds {found} Limine base-revision tags, expected exactly 1"
            ),
            Error::Usage(e) => write!(f, "{e} (see `helix-runner help`)"),
            Error::NoOvmf { looked_in } => {
                write!(f, "no OVMF firmware found (looked for {})", list(looked_in))
            }
            Error::Iso(e) => write!(f, "ISO: {e}"),
            Error::Bench(e) => write!(f, "bench: {e}"),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Io { source, .. } | Error::Spawn { source, .. } => Some(source),
            _ => None,
        }
    }
}
