//! The checks of Preparing: may this new binary replace the running
//! module? Pure: metadata records in, a [`ReloadPlan`] or every
//! [`ReloadRefusal`] out.
#![forbid(unsafe_code)]

use alloc::string::{String, ToString};
use alloc::vec::Vec;
use core::fmt;
use helix_protocol::metadata::ModuleRecord;
use helix_protocol::{AbiChecker, AbiVersion, AbiViolation, ModuleFlags};
use semver::{Version, VersionReq};

use crate::version::parse_version;

/// Which of the two modules a version belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum VersionRole {
    /// The running module.
    Running,
    /// The new binary.
    Replacement,
}

impl fmt::Display for VersionRole {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            VersionRole::Running => "the running module",
            VersionRole::Replacement => "the new binary",
        })
    }
}

/// Why a version text is not an [`AbiVersion`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum VersionError {
    /// Not a semantic version (`semver`'s explanation).
    Semver(String),
    /// A component does not fit `AbiVersion`'s `u16`.
    TooLarge {
        /// `"major"`, `"minor"` or `"patch"`.
        component: &'static str,
        /// Its value.
        value: u64,
    },
}

impl fmt::Display for VersionError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            VersionError::Semver(e) => f.write_str(e),
            VersionError::TooLarge { component, value } => {
                write!(f, "{component} {value} is over {}", u16::MAX)
            }
        }
    }
}

impl core::error::Error for VersionError {}

/// A module's version text (`"1.2.3"`; `"1.2"` reads as `1.2.0`) as the
/// [`AbiVersion`] the compatibility rule compares. A pre-release or build
/// suffix is read by `semver` and left out: the rule has no place for it
/// (dependents' constraints still see it).
pub fn abi_version(text: &str) -> Result<AbiVersion, VersionError> {
    let v = parse_version(text).map_err(|e| VersionError::Semver(e.to_string()))?;
    Ok(AbiVersion::new(
        component("major", v.major)?,
        component("minor", v.minor)?,
        component("patch", v.patch)?,
    ))
}

fn component(component: &'static str, value: u64) -> Result<u16, VersionError> {
    u16::try_from(value).map_err(|_| VersionError::TooLarge { component, value })
}

/// One reason the new binary may not replace the running module.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ReloadRefusal {
    /// The running module does not declare `ModuleFlags::HOT_RELOADABLE`.
    NotHotReloadable {
        /// The module.
        name: String,
    },
    /// The new binary lacks `ModuleFlags::USERSPACE` (the manager spawns
    /// only user-mode modules).
    NotUserspace {
        /// The new binary's module name.
        name: String,
    },
    /// The new binary is another module.
    NameChanged {
        /// The running module's name.
        running: String,
        /// The new binary's name.
        offered: String,
    },
    /// A version text is not `major.minor.patch` within `u16`.
    BadVersion {
        /// Whose version.
        role: VersionRole,
        /// The text.
        version: String,
        /// What is wrong with it.
        error: VersionError,
    },
    /// The `AbiChecker` found the new ABI incompatible (one refusal per
    /// violation).
    Abi(AbiViolation),
    /// A dependent's constraint rejects the new version.
    DependentUnsatisfied {
        /// The dependent module.
        dependent: String,
        /// Its constraint, as written.
        constraint: String,
        /// The new version.
        found: Version,
    },
    /// A dependent's constraint is not a version requirement, so the new
    /// version cannot be shown to satisfy it.
    DependentBadConstraint {
        /// The dependent module.
        dependent: String,
        /// Its constraint, as written.
        constraint: String,
        /// `semver`'s explanation.
        reason: String,
    },
}

impl fmt::Display for ReloadRefusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ReloadRefusal::NotHotReloadable { name } => {
                write!(f, "{name} is not HOT_RELOADABLE")
            }
            ReloadRefusal::NotUserspace { name } => {
                write!(f, "the new {name} is not flagged USERSPACE")
            }
            ReloadRefusal::NameChanged { running, offered } => {
                write!(f, "the new binary is {offered}, not {running}")
            }
            ReloadRefusal::BadVersion {
                role,
                version,
                error,
            } => write!(f, "{role} has version `{version}`: {error}"),
            ReloadRefusal::Abi(violation) => write!(f, "ABI: {violation}"),
            ReloadRefusal::DependentUnsatisfied {
                dependent,
                constraint,
                found,
            } => write!(
                f,
                "{dependent} requires {constraint}, the new version is {found}"
            ),
            ReloadRefusal::DependentBadConstraint {
                dependent,
                constraint,
                reason,
            } => write!(
                f,
                "{dependent} requires `{constraint}`, which is not a version constraint: {reason}"
            ),
        }
    }
}

impl core::error::Error for ReloadRefusal {}

/// What the checks of Preparing settled.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ReloadPlan {
    /// The module's name (the same in both records).
    pub name: String,
    /// The running module's version.
    pub old_version: AbiVersion,
    /// The new binary's version.
    pub new_version: AbiVersion,
}

/// May `new` replace `current`, whose dependents are `dependents`
/// (name, constraint on this module)? The running module must be
/// `HOT_RELOADABLE`; the names must match; both versions must read as
/// [`AbiVersion`]s that `AbiChecker::check` accepts together with the two
/// symbol tables; and every dependent's constraint must accept the new
/// version (`semver`, as the resolver checks it). Every refusal found is
/// listed, in that order.
pub fn check_reload(
    current: &ModuleRecord,
    new: &ModuleRecord,
    dependents: &[(String, String)],
) -> Result<ReloadPlan, Vec<ReloadRefusal>> {
    let mut refusals = Vec::new();
    if !current.flags.contains(ModuleFlags::HOT_RELOADABLE) {
        refusals.push(ReloadRefusal::NotHotReloadable {
            name: current.name.clone(),
        });
    }
    if !new.flags.contains(ModuleFlags::USERSPACE) {
        refusals.push(ReloadRefusal::NotUserspace {
            name: new.name.clone(),
        });
    }
    if new.name != current.name {
        refusals.push(ReloadRefusal::NameChanged {
            running: current.name.clone(),
            offered: new.name.clone(),
        });
    }
    let old_version = read_version(VersionRole::Running, &current.version, &mut refusals);
    let new_version = read_version(VersionRole::Replacement, &new.version, &mut refusals);
    let violations = match (old_version, new_version) {
        (Some(old_v), Some(new_v)) => {
            AbiChecker::check(old_v, &current.symbols, new_v, &new.symbols).err()
        }
        // Without both versions only the symbol rules can be checked.
        _ => Some(AbiChecker::check_symbols(&current.symbols, &new.symbols)),
    };
    refusals.extend(violations.into_iter().flatten().map(ReloadRefusal::Abi));
    if let Ok(found) = parse_version(&new.version) {
        refusals.extend(
            dependents.iter().filter_map(|(dependent, constraint)| {
                check_dependent(dependent, constraint, &found)
            }),
        );
    }
    match (old_version, new_version) {
        (Some(old_version), Some(new_version)) if refusals.is_empty() => Ok(ReloadPlan {
            name: current.name.clone(),
            old_version,
            new_version,
        }),
        _ => Err(refusals),
    }
}

fn read_version(
    role: VersionRole,
    text: &str,
    refusals: &mut Vec<ReloadRefusal>,
) -> Option<AbiVersion> {
    abi_version(text)
        .map_err(|error| {
            refusals.push(ReloadRefusal::BadVersion {
                role,
                version: String::from(text),
                error,
            });
        })
        .ok()
}

fn check_dependent(dependent: &str, constraint: &str, found: &Version) -> Option<ReloadRefusal> {
    match VersionReq::parse(constraint.trim()) {
        Err(e) => Some(ReloadRefusal::DependentBadConstraint {
            dependent: String::from(dependent),
            constraint: String::from(constraint),
            reason: e.to_string(),
        }),
        Ok(req) if req.matches(found) => None,
        Ok(_) => Some(ReloadRefusal::DependentUnsatisfied {
            dependent: String::from(dependent),
            constraint: String::from(constraint),
            found: found.clone(),
        }),
    }
}
