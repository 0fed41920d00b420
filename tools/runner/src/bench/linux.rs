//! The Linux baseline: Debian's `linux-image-amd64` kernel (fetched once
//! with `apt-get download`, its `/boot/vmlinuz-*` cached in
//! `build/bench/linux/`), a static C `/init` (`bench/linux_pingpong.c`,
//! built with the host gcc) in a `newc` initramfs, booted in the same QEMU
//! machine as Helix under `-icount shift=0,align=off`.

use std::fs;
use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use super::cpio::Cpio;
use super::{BenchError, ICOUNT};
use crate::error::Error;
use crate::qemu::{BootOptions, Medium};

/// The Debian meta package that names the current kernel.
pub const META_PACKAGE: &str = "linux-image-amd64";
/// Kernel command line of the baseline boot. `maxcpus=1`: this Linux
/// (6.1) hangs bringing up the second CPU during boot under `-icount` in
/// QEMU 7.2, but brings it up fine later, so `/init` onlines the other
/// CPUs through sysfs before measuring.
pub const APPEND: &str = "console=ttyS0 quiet maxcpus=1";
/// Printed when the cross-CPU Linux figures are missing.
pub const CROSS_CPU_NOTE: &str = "linux_*_cross_cpu: not measured: the baseline's /init could not bring CPU 1 online (see the lines above)";
/// The baseline `/init` starts its own (non-figure) lines with this.
pub const INIT_PREFIX: &str = "linux_pingpong:";
/// The C source of `/init`, relative to the runner crate.
pub const SOURCE: &str = "bench/linux_pingpong.c";

/// The dependency named by the meta package's `Depends` field, e.g.
/// `linux-image-6.1.0-56-amd64` from `linux-image-6.1.0-56-amd64 (= 6.1.192-2)`.
pub fn image_dependency(depends: &str) -> Option<String> {
    depends
        .split([',', '|'])
        .map(|alt| {
            alt.trim()
                .split(|c: char| c.is_whitespace() || c == '(' || c == ':')
                .next()
                .unwrap_or("")
        })
        .find(|name| name.starts_with("linux-image-") && *name != META_PACKAGE)
        .map(String::from)
}

fn run(cmd: &mut Command, what: &str) -> Result<String, Error> {
    let program = cmd.get_program().to_string_lossy().into_owned();
    let out = cmd
        .stdin(Stdio::null())
        .output()
        .map_err(|source| Error::Spawn {
            program: program.clone(),
            source,
        })?;
    if !out.status.success() {
        return Err(Error::Bench(BenchError::Tool {
            what: format!("{program} {what}"),
            status: out.status.to_string(),
            stderr: String::from_utf8_lossy(&out.stderr).trim().to_string(),
        }));
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

fn debs_named(dir: &Path, package: &str) -> Result<Vec<PathBuf>, Error> {
    let prefix = format!("{package}_");
    let mut found = Vec::new();
    for e in fs::read_dir(dir).map_err(|e| Error::io("list", dir, e))? {
        let p = e.map_err(|e| Error::io("list", dir, e))?.path();
        let name = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
        if name.starts_with(&prefix) && name.ends_with(".deb") {
            found.push(p);
        }
    }
    found.sort();
    Ok(found)
}

/// `apt-get download <package>` into `dir` (after one `apt-get update`
/// when the package lists are missing); the downloaded file.
fn download(dir: &Path, package: &str) -> Result<PathBuf, Error> {
    let fetch = || {
        run(
            Command::new("apt-get")
                .args(["download", "-q", package])
                .current_dir(dir),
            &format!("download {package}"),
        )
    };
    if fetch().is_err() {
        println!("[linux] apt-get download {package} failed; running apt-get update once");
        run(Command::new("apt-get").args(["update", "-qq"]), "update")?;
        fetch()?;
    }
    debs_named(dir, package)?.pop().ok_or_else(|| {
        Error::Bench(BenchError::NoDeb {
            dir: dir.to_path_buf(),
            package: package.to_string(),
        })
    })
}

/// Copy `/boot/vmlinuz-*` out of a kernel package into `dest_dir`.
fn extract_vmlinuz(deb: &Path, dest_dir: &Path) -> Result<PathBuf, Error> {
    let mut child = Command::new("dpkg-deb")
        .arg("--fsys-tarfile")
        .arg(deb)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .spawn()
        .map_err(|source| Error::Spawn {
            program: "dpkg-deb".into(),
            source,
        })?;
    let stdout = child.stdout.take();
    let mut found = None;
    if let Some(stdout) = stdout {
        let mut archive = tar::Archive::new(stdout);
        let entries = archive
            .entries()
            .map_err(|e| Error::io("read package", deb, e))?;
        for entry in entries {
            let mut entry = entry.map_err(|e| Error::io("read package", deb, e))?;
            let path = entry
                .path()
                .map_err(|e| Error::io("read package", deb, e))?
                .into_owned();
            let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
            let in_boot = path.parent().is_some_and(|p| p.ends_with("boot"));
            if in_boot && name.starts_with("vmlinuz-") && entry.header().entry_type().is_file() {
                let mut bytes = Vec::new();
                entry
                    .read_to_end(&mut bytes)
                    .map_err(|e| Error::io("read package", deb, e))?;
                let dest = dest_dir.join(name);
                fs::write(&dest, bytes).map_err(|e| Error::io("write", &dest, e))?;
                found = Some(dest);
                break;
            }
        }
    }
    // Stop dpkg-deb if it is still writing the rest of the archive.
    let _ = child.kill();
    let _ = child.wait();
    found.ok_or_else(|| {
        Error::Bench(BenchError::NoVmlinuz {
            deb: deb.to_path_buf(),
        })
    })
}

/// The cached kernel in `cache`, if any.
fn cached_kernel(cache: &Path) -> Option<PathBuf> {
    let mut found: Vec<PathBuf> = fs::read_dir(cache)
        .ok()?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with("vmlinuz-"))
        })
        .collect();
    found.sort();
    found.pop()
}

/// The Debian kernel, from the cache or fetched now (about 70 MB of
/// packages, deleted after the kernel image is copied out).
pub fn kernel(cache: &Path) -> Result<PathBuf, Error> {
    if let Some(k) = cached_kernel(cache) {
        return Ok(k);
    }
    let debs = cache.join("debs");
    fs::create_dir_all(&debs).map_err(|e| Error::io("create", &debs, e))?;
    println!(
        "[linux] fetching Debian's {META_PACKAGE} once (apt-get download, cached in {})",
        cache.display()
    );
    let meta = download(&debs, META_PACKAGE)?;
    let depends = run(
        Command::new("dpkg-deb").arg("-f").arg(&meta).arg("Depends"),
        "-f Depends",
    )?;
    let image = image_dependency(&depends).ok_or_else(|| {
        Error::Bench(BenchError::NoDependency {
            deb: meta.clone(),
            depends: depends.trim().to_string(),
        })
    })?;
    println!("[linux] {META_PACKAGE} depends on {image}");
    let deb = download(&debs, &image)?;
    let kernel = extract_vmlinuz(&deb, cache)?;
    // The packages are only needed for the image; a failed removal only
    // costs disk space.
    let _ = fs::remove_dir_all(&debs);
    Ok(kernel)
}

/// Compile `/init` with the host gcc and pack the initramfs.
pub fn initramfs(runner_dir: &Path, out: &Path) -> Result<PathBuf, Error> {
    let src = runner_dir.join(SOURCE);
    let exe = out.join("linux_pingpong");
    run(
        Command::new("gcc")
            .args(["-static", "-O2", "-Wall", "-o"])
            .arg(&exe)
            .arg(&src),
        "-static -O2 (needs gcc and libc6-dev)",
    )?;
    let init = fs::read(&exe).map_err(|e| Error::io("read", &exe, e))?;
    let mut cpio = Cpio::new();
    let cpio_err = |e| Error::Bench(BenchError::Cpio(e));
    cpio.dir("dev", 0o755).map_err(cpio_err)?;
    cpio.char_dev("dev/console", 0o600, 5, 1)
        .map_err(cpio_err)?;
    cpio.file("init", 0o755, &init).map_err(cpio_err)?;
    let path = out.join("initramfs.cpio");
    fs::write(&path, cpio.finish()).map_err(|e| Error::io("write", &path, e))?;
    Ok(path)
}

/// Medium and options of the baseline boot: the Debian kernel and the
/// initramfs as `-kernel`/`-initrd` (direct boot, like the Helix loader),
/// icount, and the kernel command line.
pub fn boot_setup(
    kernel: PathBuf,
    initramfs: PathBuf,
    base: &BootOptions,
) -> (Medium, BootOptions) {
    let mut opts = base.clone();
    opts.extra = ICOUNT.iter().map(|s| s.to_string()).collect();
    opts.extra.push("-append".into());
    opts.extra.push(APPEND.into());
    opts.extra.extend(base.extra.iter().cloned());
    (
        Medium::Offline {
            loader: kernel,
            bundle: initramfs,
        },
        opts,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_image_package_is_found_in_depends() {
        assert_eq!(
            image_dependency("linux-image-6.1.0-56-amd64 (= 6.1.192-2)\n").as_deref(),
            Some("linux-image-6.1.0-56-amd64")
        );
        assert_eq!(
            image_dependency("linux-image-amd64, linux-image-6.12.9-amd64-unsigned (>= 6.12) | linux-image-6.12.9-amd64").as_deref(),
            Some("linux-image-6.12.9-amd64-unsigned")
        );
        assert_eq!(image_dependency("initramfs-tools, kmod"), None);
        assert_eq!(image_dependency(""), None);
    }

    #[test]
    fn the_boot_uses_icount_and_the_baseline_cmdline() {
        let base = BootOptions {
            verbose: false,
            extra: vec!["-s".into()],
            ..BootOptions::default()
        };
        let (medium, opts) = boot_setup("vmlinuz".into(), "i.cpio".into(), &base);
        assert_eq!(
            opts.extra,
            ["-icount", "shift=0,align=off", "-append", APPEND, "-s"]
        );
        assert_eq!(opts.smp, 2);
        assert!(matches!(medium, Medium::Offline { .. }));
    }
}
