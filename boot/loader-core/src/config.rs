//! From a parsed `limine.cfg` to what the loader boots: the default entry's
//! kernel and modules as bundle paths.

use alloc::string::String;
use alloc::vec::Vec;
use core::fmt;

use helix_bootcfg::{BootPath, Config};

/// One file the entry names.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct BootFile<'a> {
    /// Path on the boot volume with its leading slash (`/boot/helix/x`):
    /// what Limine reports as `limine_file.path`.
    pub path: &'a str,
    /// The bundle member holding it (`boot/helix/x`).
    pub member: &'a str,
    /// Command line / string (`cmdline` or `module_cmdline`).
    pub cmdline: &'a str,
    /// Line of `limine.cfg` that names it.
    pub line: usize,
    /// BLAKE2B hash given after `#`, if any (not verified offline).
    pub hash: Option<&'a str>,
}

/// What the default entry boots.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BootPlan<'a> {
    /// Entry name.
    pub entry: &'a str,
    /// The kernel.
    pub kernel: BootFile<'a>,
    /// Modules in file order.
    pub modules: Vec<BootFile<'a>>,
}

/// A configuration the offline loader cannot boot.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ConfigError<'a> {
    /// No entry with a `protocol`.
    NoBootableEntry,
    /// The default entry uses another protocol.
    UnsupportedProtocol {
        /// Entry header line.
        line: usize,
        /// The protocol named.
        protocol: &'a str,
    },
    /// The default entry has no `path`.
    MissingKernelPath {
        /// Entry header line.
        line: usize,
    },
    /// A path on something other than `boot()`.
    UnsupportedResource {
        /// Line of the option.
        line: usize,
        /// `resource(argument)` as written.
        resource: &'a str,
        /// Its argument.
        argument: &'a str,
    },
    /// `boot():/` with no file name.
    EmptyPath {
        /// Line of the option.
        line: usize,
    },
}

impl fmt::Display for ConfigError<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match *self {
            ConfigError::NoBootableEntry => {
                f.write_str("no bootable entry (an entry needs `protocol:`)")
            }
            ConfigError::UnsupportedProtocol { line, protocol } => write!(
                f,
                "line {line}: protocol `{protocol}` is not supported by the offline loader (only `limine`)"
            ),
            ConfigError::MissingKernelPath { line } => {
                write!(f, "line {line}: entry has no `path:` for its kernel")
            }
            ConfigError::UnsupportedResource {
                line,
                resource,
                argument,
            } => write!(
                f,
                "line {line}: resource `{resource}({argument})` is not supported by the offline loader (only `boot()`)"
            ),
            ConfigError::EmptyPath { line } => write!(f, "line {line}: path names no file"),
        }
    }
}

fn boot_file<'a>(
    path: &BootPath<'a>,
    cmdline: &'a str,
    line: usize,
) -> Result<BootFile<'a>, ConfigError<'a>> {
    if path.resource != "boot" || !path.argument.is_empty() {
        return Err(ConfigError::UnsupportedResource {
            line,
            resource: path.resource,
            argument: path.argument,
        });
    }
    let member = path.path.trim_start_matches('/');
    if member.is_empty() || member.ends_with('/') {
        return Err(ConfigError::EmptyPath { line });
    }
    Ok(BootFile {
        path: path.path,
        member,
        cmdline,
        line,
        hash: path.hash,
    })
}

/// The default entry of `config` as files to load.
pub fn plan<'a>(config: &Config<'a>) -> Result<BootPlan<'a>, ConfigError<'a>> {
    let entry = config.default_entry().ok_or(ConfigError::NoBootableEntry)?;
    if !entry.protocol.eq_ignore_ascii_case("limine") {
        return Err(ConfigError::UnsupportedProtocol {
            line: entry.line,
            protocol: entry.protocol,
        });
    }
    let path = entry
        .path
        .as_ref()
        .ok_or(ConfigError::MissingKernelPath { line: entry.line })?;
    let kernel = boot_file(path, entry.cmdline, entry.line)?;
    let modules = entry
        .modules
        .iter()
        .map(|m| boot_file(&m.path, m.cmdline, m.line))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(BootPlan {
        entry: entry.name,
        kernel,
        modules,
    })
}

/// Resolves an internal module path (module request revision 1) to a path
/// on the boot volume: `boot():/x` is absolute, anything else is relative
/// to the kernel's directory. `.` and `..` are folded; `None` when the path
/// escapes the volume root or uses another resource.
pub fn resolve_internal(kernel_path: &str, module_path: &str) -> Option<String> {
    let (base, rest) = if let Some(abs) = module_path.strip_prefix("boot():") {
        ("", abs)
    } else if module_path.contains("):") {
        return None;
    } else {
        (
            kernel_path.rsplit_once('/').map_or("", |(dir, _)| dir),
            module_path,
        )
    };
    let mut parts: Vec<&str> = Vec::new();
    for part in base.split('/').chain(rest.split('/')) {
        match part {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            p => parts.push(p),
        }
    }
    if parts.is_empty() {
        return None;
    }
    let mut out = String::new();
    for p in parts {
        out.push('/');
        out.push_str(p);
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use helix_bootcfg::parse;

    const REPO_CFG: &str = include_str!("../../../limine.cfg");

    #[test]
    fn repository_config_plans() {
        let cfg = parse(REPO_CFG).unwrap();
        let plan = plan(&cfg).unwrap();
        assert_eq!(plan.entry, "Helix");
        assert_eq!(plan.kernel.path, "/boot/helix/kernel.elf");
        assert_eq!(plan.kernel.member, "boot/helix/kernel.elf");
        // The module manager (the root server) first, then the generated
        // checksum manifest and the boot manifest; every member is its
        // path without the leading slash. (No module count: adding a
        // server does not touch this file or this test.)
        assert_eq!(plan.modules[0].path, "/boot/helix/modmgr.elf");
        assert_eq!(plan.modules[1].path, "/boot/helix/manifest.txt");
        assert_eq!(plan.modules[1].cmdline, "helix-manifest");
        assert!(plan.modules.iter().any(|m| m.path.ends_with(".manifest")));
        for m in &plan.modules {
            assert_eq!(Some(m.member), m.path.strip_prefix('/'));
        }
    }

    #[test]
    fn bad_configs() {
        let cfg = parse("timeout: 0\n").unwrap();
        assert_eq!(plan(&cfg).unwrap_err(), ConfigError::NoBootableEntry);

        let cfg = parse("/Linux\n    protocol: linux\n    path: boot():/vmlinuz\n").unwrap();
        let err = plan(&cfg).unwrap_err();
        assert_eq!(
            err,
            ConfigError::UnsupportedProtocol {
                line: 1,
                protocol: "linux"
            }
        );
        assert!(
            err.to_string().starts_with("line 1: protocol `linux`"),
            "{err}"
        );

        let cfg = parse("/K\n    protocol: limine\n").unwrap();
        assert_eq!(
            plan(&cfg).unwrap_err(),
            ConfigError::MissingKernelPath { line: 1 }
        );

        let cfg = parse("/K\n    protocol: limine\n    path: hdd(1:2):/k.elf\n").unwrap();
        assert!(matches!(
            plan(&cfg).unwrap_err(),
            ConfigError::UnsupportedResource {
                resource: "hdd",
                argument: "1:2",
                ..
            }
        ));

        let cfg = parse(
            "/K\n    protocol: limine\n    path: boot():/k.elf\n    module_path: boot(2):/m\n",
        )
        .unwrap();
        assert!(matches!(
            plan(&cfg).unwrap_err(),
            ConfigError::UnsupportedResource {
                line: 4,
                resource: "boot",
                argument: "2"
            }
        ));
    }

    #[test]
    fn internal_module_paths() {
        let k = "/boot/helix/kernel.elf";
        assert_eq!(
            resolve_internal(k, "init.bin").as_deref(),
            Some("/boot/helix/init.bin")
        );
        assert_eq!(
            resolve_internal(k, "./a/../b").as_deref(),
            Some("/boot/helix/b")
        );
        assert_eq!(resolve_internal(k, "../x").as_deref(), Some("/boot/x"));
        assert_eq!(
            resolve_internal(k, "boot():/etc/y").as_deref(),
            Some("/etc/y")
        );
        assert_eq!(resolve_internal(k, "../../../x"), None);
        assert_eq!(resolve_internal(k, "hdd(1):/x"), None);
        assert_eq!(resolve_internal("/kernel", "m").as_deref(), Some("/m"));
    }
}
