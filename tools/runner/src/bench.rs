//! `helix-runner bench`: figures measured inside the guest, not a test.
//!
//! Boots Helix offline with the cmdline word `kbench` under `-icount
//! shift=0,align=off` (the guest TSC advances by one per executed
//! instruction), collects its `HELIX-KTEST BENCH` lines, boots Debian's
//! Linux in the same machine with a static ping-pong `/init` as the
//! baseline, runs the protocol crate's encode benchmark on the host, and
//! prints the figures with Helix/Linux ratios ([`table`]).
//!
//! Design rules: figures come only from guest (or example) output, never
//! estimated; a figure that was not reported is printed as "not measured";
//! a missing Helix side still prints the Linux baseline.

mod cpio;
mod linux;
mod table;

use std::fmt;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use crate::bundle;
use crate::cli::Options;
use crate::commands::{Tree, boot_options, build_and_stage};
use crate::error::Error;
use crate::qemu::{self, BootOptions, Medium};
use crate::serial::{BenchFigure, BootAccount};

pub use cpio::CpioError;

/// QEMU arguments of every benchmark boot.
pub const ICOUNT: [&str; 2] = ["-icount", "shift=0,align=off"];
/// Kernel cmdline word that makes Helix run its benchmarks.
pub const CMDLINE_BENCH: &str = "kbench";
/// Printed when the Helix boot reported no figure.
pub const NO_HELIX: &str = "no Helix figures: kernel does not implement kbench yet";
/// Minimum total time of a benchmark boot (TCG with icount is slow).
const MIN_TIMEOUT: Duration = Duration::from_secs(180);
/// Minimum silence limit of the Linux boot (a benchmark prints nothing
/// while it runs).
const LINUX_SILENCE: Duration = Duration::from_secs(120);

/// Why a benchmark step failed.
#[derive(Debug)]
pub enum BenchError {
    /// An external tool (apt-get, dpkg-deb, gcc, cargo) failed.
    Tool {
        /// Program and what it was asked to do.
        what: String,
        /// Its exit status.
        status: String,
        /// Its stderr.
        stderr: String,
    },
    /// `apt-get download` succeeded but left no `.deb`.
    NoDeb {
        /// Download directory.
        dir: PathBuf,
        /// The package.
        package: String,
    },
    /// The meta package does not depend on a `linux-image-*` package.
    NoDependency {
        /// The meta package file.
        deb: PathBuf,
        /// Its `Depends` field.
        depends: String,
    },
    /// The kernel package holds no `/boot/vmlinuz-*`.
    NoVmlinuz {
        /// The package file.
        deb: PathBuf,
    },
    /// The initramfs could not be written.
    Cpio(CpioError),
    /// The Linux boot printed no figure.
    NoLinuxFigures {
        /// How the boot ended.
        end: String,
        /// Its last serial lines.
        tail: Vec<String>,
    },
}

impl fmt::Display for BenchError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BenchError::Tool {
                what,
                status,
                stderr,
            } => write!(f, "{what} failed ({status}): {stderr}"),
            BenchError::NoDeb { dir, package } => {
                write!(
                    f,
                    "apt-get download {package} left no .deb in {}",
                    dir.display()
                )
            }
            BenchError::NoDependency { deb, depends } => write!(
                f,
                "{}: Depends {depends:?} names no linux-image package",
                deb.display()
            ),
            BenchError::NoVmlinuz { deb } => {
                write!(f, "{}: no /boot/vmlinuz-* in the package", deb.display())
            }
            BenchError::Cpio(e) => write!(f, "initramfs: {e}"),
            BenchError::NoLinuxFigures { end, tail } => write!(
                f,
                "the Linux baseline boot printed no figure ({end}); last lines:\n  {}",
                tail.join("\n  ")
            ),
        }
    }
}

/// Boot `medium` and return the `BENCH` figures it printed.
fn collect(
    label: &str,
    medium: &Medium,
    opts: &BootOptions,
) -> Result<(Vec<BenchFigure>, qemu::BootRun), Error> {
    let mut account = BootAccount::default();
    let run = qemu::boot(medium, opts, &mut |line| {
        account.feed(&line.text);
        let bench = line.text.starts_with(helix_ktest::PREFIX) && line.text.contains(" BENCH ");
        if bench || line.text.starts_with(linux::INIT_PREFIX) {
            println!("[{label}] {}", line.text);
        }
    })?;
    println!(
        "[{label}] boot ended: {}; {:.1} s",
        run.end,
        run.wall.as_secs_f64()
    );
    Ok((account.finish(run.end).benches, run))
}

/// Build and stage `entry` (kernel `kind`, cmdline `extra`), bundle it as
/// `out/<tar>`; the offline medium that boots it.
fn staged_medium(
    tree: &Tree,
    o: &Options,
    out: &Path,
    (kind, entry, extra): (crate::build::KernelKind, &str, &[String]),
    tar: &str,
) -> Result<Medium, Error> {
    let (art, _, staged) = build_and_stage(tree, o, kind, entry, extra)?;
    let tar = out.join(tar);
    bundle::write(&staged, &tar)?;
    Ok(Medium::Offline {
        loader: art.loader,
        bundle: tar,
    })
}

/// Boot options for a benchmark: the long timeout, and (`icount`) QEMU's
/// instruction counting before any extra arguments.
fn bench_options(o: &Options, icount: bool) -> BootOptions {
    let mut opts = boot_options(o);
    opts.timeout = opts.timeout.max(MIN_TIMEOUT);
    if icount {
        opts.extra = ICOUNT
            .iter()
            .map(|s| s.to_string())
            .chain(opts.extra)
            .collect();
    }
    opts
}

/// The Helix side: stage with `kbench`, boot under icount.
fn helix(tree: &Tree, o: &Options, out: &Path) -> Result<Vec<BenchFigure>, Error> {
    let medium = staged_medium(
        tree,
        o,
        out,
        (
            crate::build::KernelKind::Test,
            crate::stage::KERNEL_TESTS_ENTRY,
            &[CMDLINE_BENCH.to_string()],
        ),
        "helix-bench.tar",
    )?;
    let opts = bench_options(o, true);
    println!(
        "[helix] booting offline, cmdline + {CMDLINE_BENCH:?}, -smp {} {} (timeout {} s, silence {} s)",
        opts.smp,
        ICOUNT.join(" "),
        opts.timeout.as_secs(),
        opts.silence.as_secs()
    );
    guest_figures("helix", &medium, &opts)
}

/// [`collect`] a guest's figures, then say how the boot went; with no
/// `BENCH` line, its last serial lines.
fn guest_figures(
    label: &str,
    medium: &Medium,
    opts: &BootOptions,
) -> Result<Vec<BenchFigure>, Error> {
    let (figures, run) = collect(label, medium, opts)?;
    println!("[{label}] {}", run.timing());
    if figures.is_empty() {
        println!("[{label}] no BENCH line; last serial lines:");
        run.tail(8).iter().for_each(|l| println!("[{label}]   {l}"));
    }
    Ok(figures)
}

/// The module system: the system-test manifest booted under icount (the
/// manager's spawn and boot-to-ready figures), and once more without it
/// for the wall time from QEMU's start to the manager's "boot:" line.
fn module_system(
    tree: &Tree,
    o: &Options,
    out: &Path,
) -> Result<(Vec<BenchFigure>, Option<f64>), Error> {
    let medium = staged_medium(
        tree,
        o,
        out,
        (
            crate::build::KernelKind::Production,
            crate::stage::SYSTEM_TESTS_ENTRY,
            &[],
        ),
        "helix-system-bench.tar",
    )?;
    let opts = bench_options(o, true);
    let plain = bench_options(o, false);
    println!(
        "[system] the system-test manifest under {}",
        ICOUNT.join(" ")
    );
    let (figures, _) = collect("system", &medium, &opts)?;
    let mut ready = None;
    let run = qemu::boot(&medium, &plain, &mut |line| {
        if ready.is_none() && line.text.contains("[INFO modmgr] boot:") {
            ready = Some(line.at.as_secs_f64());
        }
    })?;
    println!("[system] without icount: {}", run.timing());
    Ok((figures, ready))
}

/// Hot reload: the reload-benchmark entry under icount (downtime by
/// state size, from the module manager's figures).
fn reload_bench(tree: &Tree, o: &Options, out: &Path) -> Result<Vec<BenchFigure>, Error> {
    let medium = staged_medium(
        tree,
        o,
        out,
        (
            crate::build::KernelKind::Production,
            crate::stage::RELOAD_BENCH_ENTRY,
            &[],
        ),
        "helix-reload-bench.tar",
    )?;
    let opts = bench_options(o, true);
    println!("[reload] the reload benchmark under {}", ICOUNT.join(" "));
    guest_figures("reload", &medium, &opts)
}

/// The module manager's resolver against petgraph on the host (its
/// example prints `BENCH name value unit` lines).
fn resolver_example(root: &Path) -> Result<Vec<String>, Error> {
    println!("[modmgr] cargo run --release -q -p helix-modmgr --example resolve_bench");
    let out = Command::new("cargo")
        .args([
            "run",
            "--release",
            "-q",
            "-p",
            "helix-modmgr",
            "--example",
            "resolve_bench",
        ])
        .current_dir(root)
        .stdin(Stdio::null())
        .output()
        .map_err(|source| Error::Spawn {
            program: "cargo".into(),
            source,
        })?;
    Ok(String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| l.strip_prefix("BENCH "))
        .map(String::from)
        .collect())
}

/// The Linux side: kernel, initramfs, boot.
fn linux_baseline(tree: &Tree, o: &Options, out: &Path) -> Result<Vec<BenchFigure>, Error> {
    let kernel = linux::kernel(&out.join("linux"))?;
    let initramfs = linux::initramfs(&tree.root.join("tools/runner"), out)?;
    let mut base = boot_options(o);
    base.timeout = base.timeout.max(MIN_TIMEOUT);
    base.silence = base.silence.max(LINUX_SILENCE).min(base.timeout);
    let (medium, opts) = linux::boot_setup(kernel.clone(), initramfs, &base);
    println!(
        "[linux] booting {} with {} as /init, -smp {} {} -append {:?}",
        tree.rel(&kernel).display(),
        linux::SOURCE,
        opts.smp,
        ICOUNT.join(" "),
        linux::APPEND
    );
    let (figures, run) = collect("linux", &medium, &opts)?;
    if figures.is_empty() {
        return Err(Error::Bench(BenchError::NoLinuxFigures {
            end: run.end.to_string(),
            tail: run.tail(15),
        }));
    }
    Ok(figures)
}

/// The protocol crate's benchmark example, if it exists (name contains
/// `bench`); its output lines.
fn protocol_example(root: &Path) -> Result<Option<(String, Vec<String>)>, Error> {
    let dir = root.join("protocol/examples");
    let Ok(entries) = fs::read_dir(&dir) else {
        return Ok(None);
    };
    let mut names: Vec<String> = entries
        .filter_map(|e| e.ok())
        .filter_map(|e| e.file_name().to_str().map(String::from))
        .filter_map(|n| n.strip_suffix(".rs").map(String::from))
        .filter(|n| n.contains("bench"))
        .collect();
    names.sort();
    let Some(name) = names.into_iter().next() else {
        return Ok(None);
    };
    println!("[protocol] cargo run --release -q -p helix-protocol --example {name}");
    let out = Command::new("cargo")
        .args([
            "run",
            "--release",
            "-q",
            "-p",
            "helix-protocol",
            "--example",
            &name,
        ])
        .current_dir(root)
        .stdin(Stdio::null())
        .output()
        .map_err(|source| Error::Spawn {
            program: "cargo".into(),
            source,
        })?;
    if !out.status.success() {
        return Err(Error::Bench(BenchError::Tool {
            what: format!("cargo run --example {name}"),
            status: out.status.to_string(),
            stderr: String::from_utf8_lossy(&out.stderr).trim().to_string(),
        }));
    }
    let lines = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(String::from)
        .collect();
    Ok(Some((name, lines)))
}

fn section(title: &str) {
    println!();
    println!("== {title}");
}

/// `helix-runner bench`; `Ok(false)` when the Linux baseline failed.
pub fn run(tree: &Tree, o: &Options) -> Result<bool, Error> {
    let out = tree.out.join("bench");
    fs::create_dir_all(&out).map_err(|e| Error::io("create", &out, e))?;
    // `--only kernel`: the kernel figures alone (one boot, for quick
    // before/after comparisons of the kernel paths).
    if o.only.as_deref() == Some("kernel") {
        section("Helix (in guest, -icount shift=0: 1 cycle = 1 guest instruction)");
        let f = helix(tree, o, &out)?;
        table::listing(&f).iter().for_each(|l| println!("{l}"));
        return Ok(!f.is_empty());
    }
    let helix = helix(tree, o, &out);
    let linux = linux_baseline(tree, o, &out);
    let protocol = protocol_example(&tree.root);
    let system = module_system(tree, o, &out);
    let reloads = reload_bench(tree, o, &out);
    let resolver = resolver_example(&tree.root);

    section("Helix (in guest, -icount shift=0: 1 cycle = 1 guest instruction)");
    let helix = match helix {
        Ok(f) if f.is_empty() => {
            println!("{NO_HELIX}");
            f
        }
        Ok(f) => {
            table::listing(&f).iter().for_each(|l| println!("{l}"));
            f
        }
        Err(e) => {
            println!("no Helix figures: {e}");
            Vec::new()
        }
    };
    section("Linux baseline (Debian linux-image-amd64, same QEMU machine and icount)");
    let (linux, linux_ok) = match linux {
        Ok(f) => {
            table::listing(&f).iter().for_each(|l| println!("{l}"));
            (f, true)
        }
        Err(e) => {
            println!("no Linux figures: {e}");
            (Vec::new(), false)
        }
    };
    section("Helix vs Linux (median / min in guest cycles; ratio of medians, < 1 = Helix cheaper)");
    table::comparison(&helix, &linux)
        .iter()
        .for_each(|l| println!("{l}"));
    println!("{}", table::target_line(&helix));
    if !linux.iter().any(|f| f.name.ends_with("_cross_cpu")) {
        println!("{}", linux::CROSS_CPU_NOTE);
    }
    println!("references (published, not measured here):");
    table::REFERENCES.iter().for_each(|r| println!("  {r}"));
    section("Module system (in guest, -icount shift=0: cycles = guest instructions)");
    match system {
        Ok((figures, ready)) => {
            table::listing(&figures)
                .iter()
                .for_each(|l| println!("{l}"));
            match ready {
                Some(s) => println!(
                    "  boot to all servers ready, wall clock without icount: {s:.2} s from QEMU start"
                ),
                None => println!(
                    "  boot to all servers ready, wall clock: not measured (no `boot:` line)"
                ),
            }
        }
        Err(e) => println!("no module-system figures: {e}"),
    }
    section("Hot reload (in guest, -icount shift=0): downtime by state size");
    match reloads {
        Ok(f) if f.is_empty() => println!("  no reload figures"),
        Ok(f) => table::listing(&f).iter().for_each(|l| println!("{l}")),
        Err(e) => println!("no reload figures: {e}"),
    }
    section("Module manager's resolver (host, wall clock; 10,000 modules, random DAG)");
    match resolver {
        Ok(lines) if !lines.is_empty() => lines.iter().for_each(|l| println!("  {l}")),
        Ok(_) => println!("  resolve_bench printed no figure"),
        Err(e) => println!("  resolve_bench failed: {e}"),
    }
    section("Protocol crate (host, wall clock)");
    match protocol {
        Ok(Some((name, lines))) => {
            println!("example {name}:");
            lines.iter().for_each(|l| println!("  {l}"));
        }
        Ok(None) => println!("no benchmark example in protocol/examples"),
        Err(e) => println!("protocol example failed: {e}"),
    }
    Ok(linux_ok)
}
