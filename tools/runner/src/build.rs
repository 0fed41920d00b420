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

/// A user program the workspace builds for bare metal: every package whose
/// `Cargo.toml` says `[package.metadata.helix] module = "<file>"` (the
/// boot module file name), with its bin target. Adding a server is adding
/// its crate: the runner finds it here.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UserModule {
    /// Boot module file name (`kvstore.elf`).
    pub file: String,
    /// Cargo package.
    pub package: String,
    /// Its bin target.
    pub bin: String,
}

/// The user modules described by `cargo metadata` output (JSON).
pub fn user_modules_from(metadata: &str) -> Result<Vec<UserModule>, Error> {
    let bad = |message: String| Error::Metadata { message };
    let v: serde_json::Value =
        serde_json::from_str(metadata).map_err(|e| bad(format!("not JSON: {e}")))?;
    let packages = v["packages"]
        .as_array()
        .ok_or_else(|| bad("no `packages` array".into()))?;
    let mut out = Vec::new();
    for p in packages {
        let package = p["name"].as_str().unwrap_or_default().to_string();
        let helix = &p["metadata"]["helix"];
        let bins: Vec<&str> = p["targets"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|t| {
                t["kind"]
                    .as_array()
                    .is_some_and(|k| k.iter().any(|x| x == "bin"))
            })
            .filter_map(|t| t["name"].as_str())
            .collect();
        // `module = "x.elf"`: the package's bin; `modules = { "x.elf" =
        // "bin-name", ... }`: several bins of one package.
        let mut wanted: Vec<(String, Option<String>)> = Vec::new();
        if let Some(file) = helix["module"].as_str() {
            wanted.push((file.to_string(), None));
        }
        if let Some(table) = helix["modules"].as_object() {
            for (file, bin) in table {
                let bin = bin
                    .as_str()
                    .ok_or_else(|| bad(format!("{package}: modules.{file} is not a bin name")))?;
                wanted.push((file.clone(), Some(bin.to_string())));
            }
        }
        for (file, bin) in wanted {
            let bin = match bin {
                Some(b) if bins.contains(&b.as_str()) => b,
                Some(b) => return Err(bad(format!("{package}: no bin target `{b}` for {file}"))),
                None => bins
                    .first()
                    .ok_or_else(|| {
                        bad(format!(
                            "{package}: `metadata.helix.module` but no bin target"
                        ))
                    })?
                    .to_string(),
            };
            out.push(UserModule {
                file,
                package: package.clone(),
                bin,
            });
        }
    }
    out.sort_by(|a, b| a.file.cmp(&b.file));
    Ok(out)
}

/// Ask cargo for the workspace's user modules.
pub fn user_modules(workspace: &Path) -> Result<Vec<UserModule>, Error> {
    let out = Command::new(cargo())
        .current_dir(workspace)
        .args(["metadata", "--format-version", "1", "--no-deps"])
        .output()
        .map_err(|source| Error::Spawn {
            program: "cargo metadata".into(),
            source,
        })?;
    if !out.status.success() {
        return Err(Error::Metadata {
            message: String::from_utf8_lossy(&out.stderr).into_owned(),
        });
    }
    user_modules_from(&String::from_utf8_lossy(&out.stdout))
}

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
    let modules = user_modules(workspace)?;
    let mut args = vec!["-p", KERNEL, "-p", LOADER];
    let mut packages: Vec<&str> = modules.iter().map(|m| m.package.as_str()).collect();
    packages.sort_unstable();
    packages.dedup();
    args.extend(packages.iter().flat_map(|p| ["-p", *p]));
    cargo_build(workspace, profile, &args)?;
    let bins = workspace
        .join("target")
        .join(TARGET)
        .join(profile_dir(profile));
    let art = artifacts(workspace, profile);
    copy(&bins.join(KERNEL), &art.kernel)?;
    // Only what this build made is staged: no stale binary stands in for
    // one that is no longer built.
    let out = workspace.join(MODULES_DIR);
    if out.exists() {
        std::fs::remove_dir_all(&out).map_err(|e| Error::io("remove", &out, e))?;
    }
    for m in &modules {
        copy(&bins.join(&m.bin), &out.join(&m.file))?;
    }
    cargo_build(
        workspace,
        profile,
        &["-p", KERNEL, "--features", "helix-kernel/ktest"],
    )?;
    copy(&bins.join(KERNEL), &art.kernel_test)?;
    Ok(art)
}

fn cargo_run(workspace: &Path, args: &[&str]) -> Result<(), Error> {
    println!("+ cargo {}", args.join(" "));
    let status = Command::new(cargo())
        .current_dir(workspace)
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

/// `cargo clippy -D warnings` on the host crates (all targets), then for
/// the bare-metal target on the kernel (with and without its test
/// harness), the loader, the user-side crates and every user module the
/// workspace metadata names, so a new server is linted without a list to
/// edit.
pub fn clippy(workspace: &Path) -> Result<(), Error> {
    cargo_run(
        workspace,
        &["clippy", "--all-targets", "--", "-D", "warnings"],
    )?;
    let modules = user_modules(workspace)?;
    let mut packages: Vec<&str> = vec![KERNEL, LOADER, "helix-sys", "helix-protocol"];
    packages.extend(modules.iter().map(|m| m.package.as_str()));
    packages.sort_unstable();
    packages.dedup();
    let mut args = vec!["clippy", "--target", TARGET];
    args.extend(packages.iter().flat_map(|p| ["-p", *p]));
    args.extend(["--", "-D", "warnings"]);
    cargo_run(workspace, &args)?;
    cargo_run(
        workspace,
        &[
            "clippy",
            "--target",
            TARGET,
            "-p",
            KERNEL,
            "--features",
            "ktest",
            "--",
            "-D",
            "warnings",
        ],
    )
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
    fn user_modules_come_from_package_metadata() {
        let json = r#"{"packages": [
            {"name": "helix-kvstore", "metadata": {"helix": {"module": "kvstore.elf"}},
             "targets": [{"kind": ["lib"], "name": "helix_kvstore"},
                         {"kind": ["bin"], "name": "helix-kvstore"}]},
            {"name": "helix-runner", "metadata": null,
             "targets": [{"kind": ["bin"], "name": "helix-runner"}]},
            {"name": "helix-broken", "metadata": {"helix": {"module": "broken.elf"}},
             "targets": [{"kind": ["lib"], "name": "helix_broken"}]}
        ]}"#;
        assert!(matches!(
            user_modules_from(json),
            Err(Error::Metadata { .. })
        ));
        let ok = json.replace(
            "\"lib\"], \"name\": \"helix_broken\"",
            "\"bin\"], \"name\": \"helix-broken\"",
        );
        let m = user_modules_from(&ok).unwrap();
        assert_eq!(
            m,
            vec![
                UserModule {
                    file: "broken.elf".into(),
                    package: "helix-broken".into(),
                    bin: "helix-broken".into()
                },
                UserModule {
                    file: "kvstore.elf".into(),
                    package: "helix-kvstore".into(),
                    bin: "helix-kvstore".into()
                },
            ]
        );
        assert!(user_modules_from("nope").is_err());
        let many = r#"{"packages": [
            {"name": "helix-sysmods", "metadata": {"helix": {"modules": {"a.elf": "a", "b.elf": "b"}}},
             "targets": [{"kind": ["bin"], "name": "a"}, {"kind": ["bin"], "name": "b"}]}
        ]}"#;
        let m = user_modules_from(many).unwrap();
        assert_eq!(m.len(), 2);
        assert_eq!((m[1].file.as_str(), m[1].bin.as_str()), ("b.elf", "b"));
        let wrong = many.replace("\"b.elf\": \"b\"", "\"b.elf\": \"c\"");
        assert!(user_modules_from(&wrong).is_err());
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
