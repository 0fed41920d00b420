//! [`Dep`]: one named dependency with owned strings, the form the graph and
//! the resolver keep (modules loaded at run time have no `'static` text).
#![forbid(unsafe_code)]

use alloc::string::{String, ToString};
use helix_protocol::ModuleDependency;
use helix_protocol::metadata::RecordDependency;

/// A module this one needs, the versions it accepts, and whether it can
/// start without it.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Dep {
    /// Name of the module depended on.
    pub name: String,
    /// Accepted versions, a `semver::VersionReq` text (`">=0.4.0"`, `"^1.0"`).
    pub constraint: String,
    /// An optional dependency may be absent; if present, its version must
    /// still satisfy the constraint.
    pub optional: bool,
}

impl Dep {
    /// A required dependency on `name` with `constraint`.
    pub fn required(name: &str, constraint: &str) -> Dep {
        Dep {
            name: name.to_string(),
            constraint: constraint.to_string(),
            optional: false,
        }
    }

    /// An optional dependency on `name` with `constraint`.
    pub fn optional(name: &str, constraint: &str) -> Dep {
        Dep {
            optional: true,
            ..Dep::required(name, constraint)
        }
    }
}

impl From<&ModuleDependency> for Dep {
    fn from(d: &ModuleDependency) -> Dep {
        Dep::required(d.name, d.version_constraint)
    }
}

impl From<ModuleDependency> for Dep {
    fn from(d: ModuleDependency) -> Dep {
        Dep::from(&d)
    }
}

impl From<&RecordDependency> for Dep {
    fn from(d: &RecordDependency) -> Dep {
        Dep::required(&d.name, &d.version_constraint)
    }
}

impl From<&Dep> for Dep {
    fn from(d: &Dep) -> Dep {
        d.clone()
    }
}

impl From<(&str, &str)> for Dep {
    fn from((name, constraint): (&str, &str)) -> Dep {
        Dep::required(name, constraint)
    }
}

impl From<&(String, String)> for Dep {
    fn from((name, constraint): &(String, String)) -> Dep {
        Dep::required(name, constraint)
    }
}
