//! Bad-input boots of the offline loader: each feeds one broken input and
//! expects QEMU to end with failure and exactly one fatal error line that
//! names the broken file. Building the inputs and judging the output are
//! pure functions; only [`run_all`] boots.

use std::fmt;
use std::path::Path;

use helix_bootcfg::{BootPath, ModuleSpec};

use crate::error::Error;
use crate::qemu::{self, BootEnd, BootOptions, Medium, PANIC_MARK};
use crate::report::Tally;
use crate::serial::TAIL_LINES;
use crate::stage::Staged;
use crate::{bundle, report};

/// The Limine base-revision tag's two magic words (the revision follows).
pub const BASE_REVISION_MAGIC: [u64; 2] = [0xf956_2b2d_5c95_a6c8, 0x6a7b_3849_4453_6bdc];
/// The revision the patched kernel asks for.
pub const BOGUS_REVISION: u64 = 99;
const LOADER_ERROR: &str = "helix-loader: error: ";
const KERNEL_ERROR: &str = "helix: error: ";
const MISSING_MODULE: &str = "/boot/helix/missing.bin";

/// What the serial output must show.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Expect {
    /// One `helix-loader: error: <file>: ...` line whose file ends with this.
    LoaderError(String),
    /// One fatal error line (kernel or loader) that mentions the base revision.
    BaseRevision,
    /// One `helix: error: kernel: ...` line containing this text.
    KernelError(String),
}

/// Why a scenario's boot did not meet its expectation.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Mismatch {
    /// QEMU had to be killed.
    Hang(BootEnd),
    /// QEMU ended, but not with debug-exit failure.
    WrongEnd(BootEnd),
    /// Not exactly one fatal error line.
    ErrorLines(usize),
    /// The error line names another file (or is from the wrong component).
    WrongFile(String),
    /// The error line does not mention the base revision.
    NotBaseRevision(String),
    /// The kernel panicked instead of reporting an error.
    Panic(String),
    /// The kernel's error line does not say what it must.
    WrongKernelError(String),
}

impl fmt::Display for Mismatch {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Mismatch::Hang(end) => write!(f, "did not end: {end}"),
            Mismatch::WrongEnd(end) => write!(f, "expected debug-exit failure (35), got {end}"),
            Mismatch::ErrorLines(n) => write!(f, "expected exactly one fatal error line, got {n}"),
            Mismatch::WrongFile(l) => write!(f, "error line names the wrong file: {l}"),
            Mismatch::NotBaseRevision(l) => {
                write!(f, "error line does not mention the base revision: {l}")
            }
            Mismatch::Panic(l) => write!(f, "panicked instead of a clean error: {l}"),
            Mismatch::WrongKernelError(l) => {
                write!(f, "kernel error line says something else: {l}")
            }
        }
    }
}

/// Judge one scenario boot.
pub fn check(expect: &Expect, end: BootEnd, lines: &[&str]) -> Result<(), Mismatch> {
    if end.is_hang() {
        return Err(Mismatch::Hang(end));
    }
    if let Some(p) = lines.iter().find(|l| l.contains(PANIC_MARK)) {
        return Err(Mismatch::Panic(p.trim().to_string()));
    }
    if end != BootEnd::Failure {
        return Err(Mismatch::WrongEnd(end));
    }
    let errors: Vec<&str> = lines
        .iter()
        .map(|l| l.trim())
        .filter(|l| l.starts_with(LOADER_ERROR) || l.starts_with(KERNEL_ERROR))
        .collect();
    let [line] = errors[..] else {
        return Err(Mismatch::ErrorLines(errors.len()));
    };
    match expect {
        Expect::LoaderError(file) => {
            let named = line
                .strip_prefix(LOADER_ERROR)
                .and_then(|rest| rest.split_once(": "))
                .map(|(f, _)| f);
            match named {
                Some(f) if f.ends_with(file.as_str()) => Ok(()),
                _ => Err(Mismatch::WrongFile(line.to_string())),
            }
        }
        Expect::BaseRevision => {
            if line.to_ascii_lowercase().contains("base revision") {
                Ok(())
            } else {
                Err(Mismatch::NotBaseRevision(line.to_string()))
            }
        }
        Expect::KernelError(text) => match line.strip_prefix(KERNEL_ERROR) {
            Some(rest) if rest.starts_with("kernel: ") && rest.contains(text.as_str()) => Ok(()),
            _ => Err(Mismatch::WrongKernelError(line.to_string())),
        },
    }
}

/// Set the revision word after the (single) base-revision tag.
pub fn patch_base_revision(elf: &mut [u8], revision: u64) -> Result<(), Error> {
    let mut magic = [0u8; 16];
    magic[..8].copy_from_slice(&BASE_REVISION_MAGIC[0].to_le_bytes());
    magic[8..].copy_from_slice(&BASE_REVISION_MAGIC[1].to_le_bytes());
    let hits: Vec<usize> = elf
        .windows(24)
        .enumerate()
        .filter(|(_, w)| w[..16] == magic)
        .map(|(i, _)| i)
        .collect();
    let [at] = hits[..] else {
        return Err(Error::BaseRevisionTag { found: hits.len() });
    };
    elf[at + 16..at + 24].copy_from_slice(&revision.to_le_bytes());
    Ok(())
}

/// Deterministic bytes that are not an ELF file.
pub fn noise(len: usize) -> Vec<u8> {
    let mut x: u64 = 0x9e37_79b9_7f4a_7c15;
    (0..len)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x >> 24) as u8
        })
        .collect()
}

/// One bad-input boot.
#[derive(Debug)]
pub struct Scenario {
    /// Short name.
    pub name: &'static str,
    /// The broken boot.
    pub staged: Staged,
    /// What must happen.
    pub expect: Expect,
}

fn basename(member: &str) -> String {
    member.rsplit('/').next().unwrap_or(member).to_string()
}

/// Add a module the bundle does not hold to the default entry's config.
fn with_missing_module(config: &str) -> Result<String, Error> {
    let bad = |message: String| Error::Config {
        path: "staged limine.cfg".into(),
        message,
    };
    let mut cfg = helix_bootcfg::parse(config).map_err(|e| bad(e.to_string()))?;
    let entry = cfg
        .default_entry()
        .ok_or_else(|| bad("no default entry".into()))?;
    let index = cfg
        .entries
        .iter()
        .position(|e| std::ptr::eq(e, entry))
        .unwrap_or_default();
    cfg.entries[index].modules.push(ModuleSpec {
        path: BootPath {
            resource: "boot",
            argument: "",
            path: MISSING_MODULE,
            hash: None,
        },
        cmdline: "missing",
        line: 0,
    });
    Ok(helix_bootcfg::render(&cfg))
}

/// Append `words` to the default entry's kernel command line.
fn with_cmdline(config: &str, words: &str) -> Result<String, Error> {
    let bad = |message: String| Error::Config {
        path: "staged limine.cfg".into(),
        message,
    };
    let mut cfg = helix_bootcfg::parse(config).map_err(|e| bad(e.to_string()))?;
    let entry = cfg
        .default_entry()
        .ok_or_else(|| bad("no default entry".into()))?;
    let index = cfg
        .entries
        .iter()
        .position(|e| std::ptr::eq(e, entry))
        .unwrap_or_default();
    let cmdline = format!("{} {words}", cfg.entries[index].cmdline);
    cfg.entries[index].cmdline = &cmdline;
    Ok(helix_bootcfg::render(&cfg))
}

/// Derive every scenario from a good staged boot (kernel first in `files`).
pub fn all(good: &Staged) -> Result<Vec<Scenario>, Error> {
    let kernel_member = good.files.first().map(|f| f.0.clone()).unwrap_or_default();
    let kernel_file = basename(&kernel_member);
    let with_kernel = |bytes: Vec<u8>| {
        let mut s = good.clone();
        if let Some(f) = s.files.first_mut() {
            f.1 = bytes;
        }
        s
    };
    let kernel = good.files.first().map(|f| f.1.clone()).unwrap_or_default();
    let mut patched = kernel.clone();
    patch_base_revision(&mut patched, BOGUS_REVISION)?;
    let mut missing = good.clone();
    missing.config = with_missing_module(&good.config)?;
    let mut unanswered = good.clone();
    unanswered.config = with_cmdline(&good.config, "kfatal=tlb_shootdown_unanswered")?;
    let mut unmappable = good.clone();
    unmappable.config = with_cmdline(&good.config, "kfatal=acpi_unmappable")?;
    let mut malformed = good.clone();
    malformed.config = good
        .config
        .replacen("protocol: limine", "protocol limine", 1);
    Ok(vec![
        Scenario {
            name: "missing_module",
            staged: missing,
            expect: Expect::LoaderError(basename(MISSING_MODULE)),
        },
        Scenario {
            name: "truncated_kernel",
            staged: with_kernel(kernel[..kernel.len().min(100)].to_vec()),
            expect: Expect::LoaderError(kernel_file.clone()),
        },
        Scenario {
            name: "non_elf_kernel",
            staged: with_kernel(noise(64 * 1024)),
            expect: Expect::LoaderError(kernel_file),
        },
        Scenario {
            name: "unsupported_base_revision",
            staged: with_kernel(patched),
            expect: Expect::BaseRevision,
        },
        Scenario {
            name: "unanswered_tlb_shootdown_is_fatal",
            staged: unanswered,
            expect: Expect::KernelError("cpu 1 (LAPIC id".into()),
        },
        Scenario {
            name: "unmappable_acpi_table_is_fatal",
            staged: unmappable,
            expect: Expect::KernelError("ACPI table page".into()),
        },
        Scenario {
            name: "malformed_cfg_line",
            staged: malformed,
            expect: Expect::LoaderError("limine.cfg".into()),
        },
    ])
}

/// Boot every scenario with the offline loader and count the verdicts.
pub fn run_all(
    good: &Staged,
    loader: &Path,
    dir: &Path,
    opts: &BootOptions,
    tally: &mut Tally,
) -> Result<(), Error> {
    for scenario in all(good)? {
        let bundle_path = dir.join(format!("{}.tar", scenario.name));
        bundle::write(&scenario.staged, &bundle_path)?;
        let medium = Medium::Offline {
            loader: loader.to_path_buf(),
            bundle: bundle_path,
        };
        let run = qemu::boot(&medium, opts, &mut |_| {})?;
        let name = format!("[scenario] {}", scenario.name);
        match check(&scenario.expect, run.end, &run.texts()) {
            Ok(()) => tally.pass(&name),
            Err(m) => {
                let mut context = run.tail(TAIL_LINES);
                if matches!(run.end, BootEnd::Exit(_)) {
                    context.extend(run.stderr.lines().map(|l| format!("qemu: {l}")));
                }
                tally.fail(report::Failure {
                    name,
                    reason: m.to_string(),
                    context,
                })
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests;
