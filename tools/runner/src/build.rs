//! Cargo invocations: build the kernel and the loader for bare metal, and
//! find the workspace and its artifacts.

use std::ffi::OsString;
use std::path::{Path, PathBuf};
use std::process::Command;

use sha2::{Digest, Sha256};

use crate::error::Error;

/// The bare-metal target triple.
pub const TARGET: &str = "x86_64-unknown-none";
/// Kernel package and binary name.
pub const KERNEL: &str = "helix-kernel";
/// Offline loader package and binary name.
pub const LOADER: &str = "helix-loader";

/// User programs built with the kernel: (boot module file name, package
/// and binary name). After a build each is copied to
/// [`MODULES_DIR`]`/<file name>`, where staging finds it.
pub const USER_MODULES: &[(&str, &str)] = &[
    ("init.elf", "helix-init"),
    ("usertest.elf", "helix-usertest"),
    ("kvstore.elf", "helix-kvstore"),
    ("kvclient.elf", "helix-kvclient"),
];
/// Where built user programs are staged from (relative to the workspace).
pub const MODULES_DIR: &str = "build/modules";

/// The workspace root (this crate lives in `tools/runner`).
pub fn workspace_root() -> PathBuf {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    root.canonicalize().unwrap_or(root)
}

/// The cargo that runs us (`$CARGO` under `cargo run`), else `cargo`.
pub fn cargo() -> OsString {
    std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into())
}

/// Built bare-metal binaries.
#[derive(Clone, Debug)]
pub struct Artifacts {
    /// The production kernel ELF (no test harness): `run`, `iso`.
    pub kernel: PathBuf,
    /// The test kernel ELF (feature `ktest`): `test`, `bench`, `test-limine`.
    pub kernel_test: PathBuf,
    /// The PVH loader ELF.
    pub loader: PathBuf,
}

/// Which kernel a command boots.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum KernelKind {
    /// Without the test harness.
    Production,
    /// With the in-kernel cases, probes, catch points and benchmarks.
    Test,
}

impl Artifacts {
    /// The kernel ELF of `kind`.
    pub fn kernel(&self, kind: KernelKind) -> &Path {
        match kind {
            KernelKind::Production => &self.kernel,
            KernelKind::Test => &self.kernel_test,
        }
    }
}

/// Where the two kernels are kept (cargo builds both to the same path).
pub const KERNELS_DIR: &str = "build/kernels";

/// Directory name cargo uses for a profile (`dev` builds into `debug`).
pub fn profile_dir(profile: &str) -> &str {
    match profile {
        "dev" => "debug",
        other => other,
    }
}

/// Where the artifacts of `profile` are.
pub fn artifacts(workspace: &Path, profile: &str) -> Artifacts {
    let dir = workspace
        .join("target")
        .join(TARGET)
        .join(profile_dir(profile));
    let kernels = workspace.join(KERNELS_DIR).join(profile_dir(profile));
    Artifacts {
        kernel: kernels.join(KERNEL),
        kernel_test: kernels.join(format!("{KERNEL}-ktest")),
        loader: dir.join(LOADER),
    }
}

fn cargo_build(workspace: &Path, profile: &str, args: &[&str]) -> Result<(), Error> {
    let status = Command::new(cargo())
        .current_dir(workspace)
        .args(["build", "--profile", profile, "--target", TARGET])
        .args(args)
        .status()
        .map_err(|source| Error::Spawn {
            program: "cargo".into(),
            source,
        })?;
    if status.success() {
        Ok(())
    } else {
        Err(Error::CargoBuild {
            status: status.to_string(),
        })
    }
}

fn copy(from: &Path, to: &Path) -> Result<(), Error> {
    if let Some(dir) = to.parent() {
        std::fs::create_dir_all(dir).map_err(|e| Error::io("create", dir, e))?;
    }
    std::fs::copy(from, to).map_err(|e| Error::io("copy", from, e))?;
    Ok(())
}

/// `cargo build --profile P --target x86_64-unknown-none -p helix-kernel
/// -p helix-loader -p <user programs>` (the production kernel), then the
/// kernel again with `--features ktest` (the test kernel); each kernel is
/// copied to [`KERNELS_DIR`] and the user programs to [`MODULES_DIR`].
pub fn build(workspace: &Path, profile: &str) -> Result<Artifacts, Error> {
    let mut args = vec!["-p", KERNEL, "-p", LOADER];
    args.extend(USER_MODULES.iter().flat_map(|(_, pkg)| ["-p", *pkg]));
    cargo_build(workspace, profile, &args)?;
    let bins = workspace
        .join("target")
        .join(TARGET)
        .join(profile_dir(profile));
    let art = artifacts(workspace, profile);
    copy(&bins.join(KERNEL), &art.kernel)?;
    let out = workspace.join(MODULES_DIR);
    for (file, bin) in USER_MODULES {
        copy(&bins.join(bin), &out.join(file))?;
    }
    cargo_build(
        workspace,
        profile,
        &["-p", KERNEL, "--features", "helix-kernel/ktest"],
    )?;
    copy(&bins.join(KERNEL), &art.kernel_test)?;
    Ok(art)
}

/// Lower-case hex SHA-256.
pub fn sha256_hex(data: &[u8]) -> String {
    Sha256::digest(data)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sha256_of_abc() {
        assert_eq!(
            sha256_hex(b"abc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
    }

    #[test]
    fn profiles_map_to_directories() {
        let a = artifacts(Path::new("/w"), "dev");
        assert_eq!(a.kernel, Path::new("/w/build/kernels/debug/helix-kernel"));
        assert_eq!(
            a.kernel(KernelKind::Test),
            Path::new("/w/build/kernels/debug/helix-kernel-ktest")
        );
        let r = artifacts(Path::new("/w"), "release");
        assert_eq!(
            r.loader,
            Path::new("/w/target/x86_64-unknown-none/release/helix-loader")
        );
    }
}
