//! [`ModuleInfo`] and [`ModuleVersion`], built in `const` context.
#![forbid(unsafe_code)]

use core::fmt;
use serde::{Deserialize, Serialize};

use crate::flags::ModuleFlags;

/// A module's semantic version.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct ModuleVersion {
    /// Incompatible changes.
    pub major: u16,
    /// Additions.
    pub minor: u16,
    /// Fixes.
    pub patch: u16,
}

/// Why a version text is not `major.minor.patch`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum VersionError {
    /// A component is empty or not a decimal number.
    NotANumber,
    /// A component exceeds 65535.
    TooLarge,
    /// Not exactly three dot-separated components.
    WrongComponentCount,
}

impl fmt::Display for VersionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            VersionError::NotANumber => "version component is not a number",
            VersionError::TooLarge => "version component exceeds 65535",
            VersionError::WrongComponentCount => "version is not major.minor.patch",
        })
    }
}

impl core::error::Error for VersionError {}

impl ModuleVersion {
    /// `major.minor.patch`.
    pub const fn new(major: u16, minor: u16, patch: u16) -> ModuleVersion {
        ModuleVersion {
            major,
            minor,
            patch,
        }
    }

    /// Parse `"1.2.3"` (usable in `const` context).
    pub const fn parse(text: &str) -> Result<ModuleVersion, VersionError> {
        let bytes = text.as_bytes();
        let mut parts = [0u32; 3];
        let mut part = 0;
        let mut digits = 0;
        let mut i = 0;
        while i < bytes.len() {
            let b = bytes[i];
            if b == b'.' {
                if digits == 0 {
                    return Err(VersionError::NotANumber);
                }
                part += 1;
                if part == 3 {
                    return Err(VersionError::WrongComponentCount);
                }
                digits = 0;
            } else if b.is_ascii_digit() {
                parts[part] = parts[part] * 10 + (b - b'0') as u32;
                if parts[part] > u16::MAX as u32 {
                    return Err(VersionError::TooLarge);
                }
                digits += 1;
            } else {
                return Err(VersionError::NotANumber);
            }
            i += 1;
        }
        if digits == 0 {
            return Err(VersionError::NotANumber);
        }
        if part != 2 {
            return Err(VersionError::WrongComponentCount);
        }
        Ok(ModuleVersion::new(
            parts[0] as u16,
            parts[1] as u16,
            parts[2] as u16,
        ))
    }
}

impl fmt::Display for ModuleVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}.{}.{}", self.major, self.minor, self.patch)
    }
}

/// Const metadata of a v2 module: no runtime allocation.
///
/// ```
/// use helix_protocol::{ModuleFlags, ModuleInfo};
/// const INFO: ModuleInfo = ModuleInfo::new("round_robin_scheduler")
///     .description("Round-robin scheduling module")
///     .flags(ModuleFlags::SCHEDULER.union(ModuleFlags::HOT_RELOADABLE));
/// assert_eq!(INFO.version.major, 0);
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ModuleInfo {
    /// Unique module name.
    pub name: &'static str,
    /// Semantic version.
    pub version: ModuleVersion,
    /// The version as written (kept so v1 metadata can borrow it).
    pub version_text: &'static str,
    /// One-line description.
    pub description: &'static str,
    /// Author.
    pub author: &'static str,
    /// License expression.
    pub license: &'static str,
    /// Capability flags.
    pub flags: ModuleFlags,
    /// Dependencies: `"name"` or `"name<constraint>"` such as `"helix-hal>=0.4.0"`.
    pub dependencies: &'static [&'static str],
    /// Interfaces the module serves (`"scheduler"`).
    pub provides: &'static [&'static str],
}

impl ModuleInfo {
    /// Info with defaults: version 0.1.0, empty texts, no flags, no
    /// dependencies, provides nothing.
    pub const fn new(name: &'static str) -> ModuleInfo {
        ModuleInfo {
            name,
            version: ModuleVersion::new(0, 1, 0),
            version_text: "0.1.0",
            description: "",
            author: "",
            license: "",
            flags: ModuleFlags::empty(),
            dependencies: &[],
            provides: &[],
        }
    }

    /// Set the version from `"major.minor.patch"`; in a `const` a malformed
    /// version fails compilation.
    pub const fn version(mut self, text: &'static str) -> ModuleInfo {
        self.version = match ModuleVersion::parse(text) {
            Ok(v) => v,
            Err(_) => panic!("module version must be major.minor.patch"),
        };
        self.version_text = text;
        self
    }

    /// Set the description.
    pub const fn description(mut self, text: &'static str) -> ModuleInfo {
        self.description = text;
        self
    }

    /// Set the author.
    pub const fn author(mut self, text: &'static str) -> ModuleInfo {
        self.author = text;
        self
    }

    /// Set the license.
    pub const fn license(mut self, text: &'static str) -> ModuleInfo {
        self.license = text;
        self
    }

    /// Set the flags.
    pub const fn flags(mut self, flags: ModuleFlags) -> ModuleInfo {
        self.flags = flags;
        self
    }

    /// Set the dependencies.
    pub const fn dependencies(mut self, deps: &'static [&'static str]) -> ModuleInfo {
        self.dependencies = deps;
        self
    }

    /// Set the provided interfaces.
    pub const fn provides(mut self, names: &'static [&'static str]) -> ModuleInfo {
        self.provides = names;
        self
    }
}
