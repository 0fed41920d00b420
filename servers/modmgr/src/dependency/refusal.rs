//! [`Refusal`]: why a module cannot start (or a replacement cannot go in),
//! one line each.
#![forbid(unsafe_code)]

use alloc::string::String;
use core::fmt;
use semver::Version;

use super::cycle::CycleError;
use crate::registry::ModuleId;

/// A module as a refusal names it: its id, and its name for people.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct ModuleRef {
    /// The module's id.
    pub id: ModuleId,
    /// Its name.
    pub name: String,
}

impl fmt::Display for ModuleRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.name)
    }
}

/// Why a module is refused. `module` is always the module that requires;
/// `dependency` the name it requires, as written.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Refusal {
    /// The dependency is present with a version the constraint rejects (for
    /// an optional dependency too: present but wrong is a conflict).
    Unsatisfied {
        /// The module that requires.
        module: ModuleRef,
        /// The name required.
        dependency: String,
        /// The constraint, as written.
        constraint: String,
        /// The version present.
        found: Version,
    },
    /// No module carries the name of a required dependency.
    Missing {
        /// The module that requires.
        module: ModuleRef,
        /// The name required.
        dependency: String,
        /// The constraint, as written.
        constraint: String,
    },
    /// A constraint is not a version requirement `semver` can read.
    BadConstraint {
        /// The module that requires.
        module: ModuleRef,
        /// The name required.
        dependency: String,
        /// The constraint, as written.
        constraint: String,
        /// `semver`'s explanation.
        reason: String,
    },
    /// A module's own version is not a semantic version.
    BadVersion {
        /// The module.
        module: ModuleRef,
        /// Its version, as written.
        version: String,
        /// `semver`'s explanation.
        reason: String,
    },
    /// The modules of this path depend on each other in a circle.
    Cycle(CycleError),
    /// A required dependency is itself refused, so this module cannot start
    /// either.
    DependsOnRefused {
        /// The module that requires.
        module: ModuleRef,
        /// The refused module it requires.
        dependency: String,
    },
    /// The module's name is empty, so nothing can depend on it.
    Unnamed(ModuleId),
    /// Another candidate with a smaller id already has this name; names are
    /// unique, so this one is refused.
    DuplicateName {
        /// The refused module.
        module: ModuleRef,
        /// The module that keeps the name.
        existing: ModuleId,
    },
}

impl Refusal {
    /// Whether this refusal stops `id` from starting.
    pub fn refuses(&self, id: ModuleId) -> bool {
        match self {
            Refusal::Cycle(cycle) => cycle.contains(id),
            Refusal::Unnamed(module) => *module == id,
            Refusal::Unsatisfied { module, .. }
            | Refusal::Missing { module, .. }
            | Refusal::BadConstraint { module, .. }
            | Refusal::BadVersion { module, .. }
            | Refusal::DependsOnRefused { module, .. }
            | Refusal::DuplicateName { module, .. } => module.id == id,
        }
    }
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Refusal::Unsatisfied {
                module,
                dependency,
                constraint,
                found,
            } => write!(
                f,
                "{module} requires {dependency} {constraint}, found {found}"
            ),
            Refusal::Missing {
                module,
                dependency,
                constraint,
            } => write!(
                f,
                "{module} requires {dependency} {constraint}, found no module named {dependency}"
            ),
            Refusal::BadConstraint {
                module,
                dependency,
                constraint,
                reason,
            } => write!(
                f,
                "{module} requires {dependency} `{constraint}`, which is not a version constraint: {reason}"
            ),
            Refusal::BadVersion {
                module,
                version,
                reason,
            } => write!(
                f,
                "{module} has version `{version}`, which is not a semantic version: {reason}"
            ),
            Refusal::Cycle(cycle) => write!(f, "dependency cycle: {cycle}"),
            Refusal::DependsOnRefused { module, dependency } => {
                write!(f, "{module} requires {dependency}, which cannot start")
            }
            Refusal::Unnamed(id) => write!(f, "{id} has an empty name"),
            Refusal::DuplicateName { module, existing } => write!(
                f,
                "{module} ({}) is refused: {existing} already has the name {module}",
                module.id
            ),
        }
    }
}

impl core::error::Error for Refusal {}
