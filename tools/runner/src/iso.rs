//! The real-Limine path: a hybrid BIOS+UEFI ISO built from a [`Staged`] boot
//! and a Limine binary release (`LIMINE_DIR`), the way upstream's USAGE
//! describes (xorriso, then `limine bios-install`).
//!
//! The pinned Limine version decides the config file name inside the ISO:
//! Limine 8 and later read only `limine.conf`, so the top-level `limine.cfg`
//! is installed under that name.

use std::fmt;
use std::fs;
use std::io;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::stage::Staged;

/// The Limine major version Helix is tested with.
pub const PINNED_MAJOR: u32 = 11;

/// Files a binary release must hold (the EFI IA32 loader is optional).
const REQUIRED: &[&str] = &[
    "limine-bios.sys",
    "limine-bios-cd.bin",
    "limine-uefi-cd.bin",
    "BOOTX64.EFI",
    "limine.c",
];

/// Why an ISO could not be built.
#[derive(Debug)]
pub enum IsoError {
    /// `LIMINE_DIR` lacks a file of the binary release.
    MissingFile {
        /// The file that should be there.
        path: PathBuf,
    },
    /// `limine.c` does not say which version it is.
    UnknownVersion {
        /// The file that was read.
        path: PathBuf,
    },
    /// The release is older than Limine 8 (different config syntax).
    TooOld {
        /// The version found.
        version: String,
    },
    /// A file operation failed.
    Io {
        /// What was being done.
        action: &'static str,
        /// The path involved.
        path: PathBuf,
        /// The underlying error.
        source: io::Error,
    },
    /// An external tool (cc, xorriso, limine) could not run or failed.
    Tool {
        /// The program.
        program: String,
        /// What went wrong (exit status and stderr tail).
        detail: String,
    },
}

impl fmt::Display for IsoError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            IsoError::MissingFile { path } => write!(
                f,
                "{}: missing; LIMINE_DIR must hold a Limine {PINNED_MAJOR}.x binary release",
                path.display()
            ),
            IsoError::UnknownVersion { path } => {
                write!(f, "{}: no LIMINE_VERSION definition found", path.display())
            }
            IsoError::TooOld { version } => {
                write!(
                    f,
                    "Limine {version} is too old: limine.cfg uses the Limine 8+ syntax"
                )
            }
            IsoError::Io {
                action,
                path,
                source,
            } => write!(f, "cannot {action} {}: {source}", path.display()),
            IsoError::Tool { program, detail } => write!(f, "{program} failed: {detail}"),
        }
    }
}

impl std::error::Error for IsoError {}

fn io_err<'p>(action: &'static str, path: &'p Path) -> impl FnOnce(io::Error) -> IsoError + 'p {
    move |source| IsoError::Io {
        action,
        path: path.to_path_buf(),
        source,
    }
}

/// A checked Limine binary release directory.
#[derive(Clone, Debug)]
pub struct LimineRelease {
    /// The directory.
    pub dir: PathBuf,
    /// `major.minor.patch` as written in `limine.c`.
    pub version: String,
    /// Major version number.
    pub major: u32,
}

impl LimineRelease {
    /// Check that `dir` holds a usable release and read its version.
    pub fn open(dir: &Path) -> Result<LimineRelease, IsoError> {
        for f in REQUIRED {
            let path = dir.join(f);
            if !path.is_file() {
                return Err(IsoError::MissingFile { path });
            }
        }
        let source_path = dir.join("limine.c");
        let source = fs::read_to_string(&source_path).map_err(io_err("read", &source_path))?;
        let version = parse_version(&source).ok_or(IsoError::UnknownVersion {
            path: source_path.clone(),
        })?;
        let major = version
            .split('.')
            .next()
            .and_then(|m| m.parse::<u32>().ok())
            .ok_or(IsoError::UnknownVersion { path: source_path })?;
        if major < 8 {
            return Err(IsoError::TooOld { version });
        }
        Ok(LimineRelease {
            dir: dir.to_path_buf(),
            version,
            major,
        })
    }

    /// Name of the config file this release reads.
    pub fn config_name(&self) -> &'static str {
        config_name(self.major)
    }

    /// Compile the host tool from `limine.c` into `work_dir` (once).
    pub fn host_tool(&self, work_dir: &Path) -> Result<PathBuf, IsoError> {
        let tool = work_dir.join(format!("limine-{}", self.version));
        if tool.is_file() {
            return Ok(tool);
        }
        fs::create_dir_all(work_dir).map_err(io_err("create", work_dir))?;
        run(Command::new("cc")
            .args(["-O2", "-pipe", "-std=c99", "-o"])
            .arg(&tool)
            .arg(self.dir.join("limine.c"))
            .arg("-I")
            .arg(&self.dir))?;
        Ok(tool)
    }
}

/// The version in `#define LIMINE_VERSION "x.y.z"`.
pub fn parse_version(limine_c: &str) -> Option<String> {
    limine_c.lines().find_map(|l| {
        let rest = l.trim().strip_prefix("#define")?.trim_start();
        let rest = rest.strip_prefix("LIMINE_VERSION")?.trim();
        let v = rest.strip_prefix('"')?.strip_suffix('"')?;
        (!v.is_empty()).then(|| v.to_string())
    })
}

/// Limine 8 renamed its config file from `limine.cfg` to `limine.conf`.
pub fn config_name(major: u32) -> &'static str {
    if major >= 8 {
        "limine.conf"
    } else {
        "limine.cfg"
    }
}

/// Every file of the ISO tree: (path inside the ISO, where its bytes come from).
pub fn layout(staged: &Staged, release: &LimineRelease) -> Vec<(String, IsoSource)> {
    let mut out: Vec<(String, IsoSource)> = staged
        .files
        .iter()
        .enumerate()
        .map(|(i, (name, _))| (name.clone(), IsoSource::Staged(i)))
        .collect();
    out.push((
        format!("boot/limine/{}", release.config_name()),
        IsoSource::Config,
    ));
    for f in [
        "limine-bios.sys",
        "limine-bios-cd.bin",
        "limine-uefi-cd.bin",
    ] {
        out.push((format!("boot/limine/{f}"), IsoSource::Release(f)));
    }
    out.push((
        "EFI/BOOT/BOOTX64.EFI".into(),
        IsoSource::Release("BOOTX64.EFI"),
    ));
    if release.dir.join("BOOTIA32.EFI").is_file() {
        out.push((
            "EFI/BOOT/BOOTIA32.EFI".into(),
            IsoSource::Release("BOOTIA32.EFI"),
        ));
    }
    out
}

/// Where one ISO file's bytes come from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IsoSource {
    /// The staged file with this index.
    Staged(usize),
    /// The staged config text.
    Config,
    /// A file of the Limine release.
    Release(&'static str),
}

/// Build `out` from `staged` with `release`; `work_dir` holds the ISO tree
/// and the compiled host tool.
pub fn build_iso(
    staged: &Staged,
    release: &LimineRelease,
    work_dir: &Path,
    out: &Path,
) -> Result<(), IsoError> {
    let root = work_dir.join("iso_root");
    if root.exists() {
        fs::remove_dir_all(&root).map_err(io_err("clear", &root))?;
    }
    for (name, source) in layout(staged, release) {
        let dest = root.join(&name);
        if let Some(parent) = dest.parent() {
            fs::create_dir_all(parent).map_err(io_err("create", parent))?;
        }
        match source {
            IsoSource::Staged(i) => fs::write(&dest, &staged.files[i].1),
            IsoSource::Config => fs::write(&dest, &staged.config),
            IsoSource::Release(f) => fs::copy(release.dir.join(f), &dest).map(|_| ()),
        }
        .map_err(io_err("write", &dest))?;
    }
    if let Some(parent) = out.parent() {
        fs::create_dir_all(parent).map_err(io_err("create", parent))?;
    }
    run(Command::new("xorriso")
        .args(["-as", "mkisofs", "-R", "-r", "-J"])
        .args(["-b", "boot/limine/limine-bios-cd.bin"])
        .args(["-no-emul-boot", "-boot-load-size", "4", "-boot-info-table"])
        .args(["-hfsplus", "-apm-block-size", "2048"])
        .args(["--efi-boot", "boot/limine/limine-uefi-cd.bin"])
        .args([
            "-efi-boot-part",
            "--efi-boot-image",
            "--protective-msdos-label",
        ])
        .arg(&root)
        .arg("-o")
        .arg(out))?;
    let tool = release.host_tool(work_dir)?;
    run(Command::new(&tool).arg("bios-install").arg(out))
}

/// Run a tool to completion; a non-zero exit is an error with its stderr tail.
fn run(cmd: &mut Command) -> Result<(), IsoError> {
    let program = cmd.get_program().to_string_lossy().into_owned();
    let output = cmd.output().map_err(|e| IsoError::Tool {
        program: program.clone(),
        detail: e.to_string(),
    })?;
    if output.status.success() {
        return Ok(());
    }
    let stderr = String::from_utf8_lossy(&output.stderr);
    let tail: Vec<&str> = stderr.lines().rev().take(5).collect();
    let tail: Vec<&str> = tail.into_iter().rev().collect();
    Err(IsoError::Tool {
        program,
        detail: format!("{}: {}", output.status, tail.join(" | ")),
    })
}

#[cfg(test)]
mod tests;
