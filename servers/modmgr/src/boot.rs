//! Planning a boot (or an `insmod`): from the manifest's entries and what
//! loading each one's binary gave, which modules start in which order,
//! and why each refused one does not. A broken module stops only the
//! modules that need it; the rest start.
//!
//! Dependencies come from two places: the module's metadata record (by
//! module name, with a version constraint) and the manifest's `client`
//! caps (by interface name and constraint; the module providing that
//! interface must start first).

use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;
use core::fmt;

use helix_manifest::{CapKind, ModuleEntry, StartMode};
use helix_protocol::ModuleFlags;
use helix_protocol::metadata::ModuleRecord;
use semver::VersionReq;

use crate::dependency::{Candidate, DependencyResolver, Refusal};
use crate::interface::InterfaceSpec;
use crate::registry::ModuleId;

/// What loading an entry's binary gave.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Loaded {
    /// The binary is valid; its metadata.
    Record(ModuleRecord),
    /// No boot module has that file name.
    Missing(String),
    /// The loader refused the binary; its reason.
    Invalid(String),
}

/// Why a module does not start.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum BootRefusal {
    /// No boot module carries the binary the manifest names.
    NoBinary(String),
    /// The binary is malformed.
    BadBinary {
        /// The file.
        binary: String,
        /// The loader's reason.
        reason: String,
    },
    /// The manifest entry's name is not the module's own name.
    NameMismatch {
        /// The manifest section name.
        manifest: String,
        /// The name in the binary's metadata.
        module: String,
    },
    /// No starting module provides an interface a `client` cap asks for.
    NoProvider {
        /// The requiring module.
        module: String,
        /// The interface.
        interface: String,
        /// The constraint.
        constraint: String,
        /// Interface versions that exist but do not match.
        found: Vec<String>,
    },
    /// A `client` cap's constraint does not parse.
    BadConstraint {
        /// The requiring module.
        module: String,
        /// The constraint.
        constraint: String,
        /// Why.
        reason: String,
    },
    /// A dependency of this module is refused.
    NeedsRefused {
        /// The module.
        module: String,
        /// The refused module it needs.
        dependency: String,
    },
    /// The record lacks `ModuleFlags::USERSPACE`: the manager spawns only
    /// user-mode modules.
    NotUserspace(String),
    /// The resolver's verdict (versions, cycles, missing modules).
    Resolver(String),
}

impl fmt::Display for BootRefusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BootRefusal::NoBinary(b) => write!(f, "no boot module `{b}`"),
            BootRefusal::BadBinary { binary, reason } => write!(f, "{binary}: {reason}"),
            BootRefusal::NameMismatch { manifest, module } => write!(
                f,
                "manifest entry `{manifest}` names a binary of module `{module}`"
            ),
            BootRefusal::NoProvider {
                module,
                interface,
                constraint,
                found,
            } => {
                write!(f, "{module} requires interface {interface} {constraint}, ")?;
                if found.is_empty() {
                    f.write_str("which no module provides")
                } else {
                    write!(f, "found {}", found.join(", "))
                }
            }
            BootRefusal::BadConstraint {
                module,
                constraint,
                reason,
            } => write!(f, "{module}: bad constraint `{constraint}`: {reason}"),
            BootRefusal::NeedsRefused { module, dependency } => {
                write!(f, "{module} needs {dependency}, which is refused")
            }
            BootRefusal::NotUserspace(module) => write!(
                f,
                "{module} is not flagged USERSPACE: only user-mode modules are spawned"
            ),
            BootRefusal::Resolver(text) => f.write_str(text),
        }
    }
}

/// The plan: manifest indices in start order, refusals by index, and the
/// `start = manual` entries left for later.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct BootPlan {
    /// Indices into the entries, dependencies first.
    pub order: Vec<usize>,
    /// Entries that do not start, with why.
    pub refused: Vec<(usize, BootRefusal)>,
    /// Entries with `start = manual`.
    pub manual: Vec<usize>,
}

impl BootPlan {
    /// Why entry `i` was refused, if it was.
    pub fn refusal(&self, i: usize) -> Option<&BootRefusal> {
        self.refused.iter().find(|(j, _)| *j == i).map(|(_, r)| r)
    }
}

/// The provider of `interface` among `records` (by index) whose interface
/// version matches `req`; `Err` with the versions found otherwise.
fn provider(
    records: &[Option<&ModuleRecord>],
    interface: &str,
    req: &VersionReq,
) -> Result<usize, Vec<String>> {
    let mut found = Vec::new();
    for (i, rec) in records.iter().enumerate() {
        let Some(rec) = rec else { continue };
        for p in &rec.provides {
            let Ok(spec) = InterfaceSpec::parse(p) else {
                continue;
            };
            if spec.name == interface {
                if req.matches(&spec.version) {
                    return Ok(i);
                }
                found.push(format!("{}@{} ({})", spec.name, spec.version, rec.name));
            }
        }
    }
    Err(found)
}

/// Plan the start of `entries` given what loading each gave (`loaded[i]`
/// for `entries[i]`). Already running modules (`running`: name and
/// metadata) count as present for dependencies and interfaces.
pub fn plan(entries: &[ModuleEntry], loaded: &[Loaded], running: &[ModuleRecord]) -> BootPlan {
    let mut out = BootPlan::default();
    let n = entries.len().min(loaded.len());
    // 1. Binaries and names.
    let mut records: Vec<Option<&ModuleRecord>> = Vec::with_capacity(n);
    for i in 0..n {
        let (e, l) = (&entries[i], &loaded[i]);
        let rec = match l {
            Loaded::Record(r) if !r.flags.contains(ModuleFlags::USERSPACE) => {
                out.refused
                    .push((i, BootRefusal::NotUserspace(r.name.clone())));
                None
            }
            // A program (no interfaces) runs under its entry's name, so
            // one binary may run as several programs.
            Loaded::Record(r) if r.name == e.name || r.provides.is_empty() => Some(r),
            Loaded::Record(r) => {
                out.refused.push((
                    i,
                    BootRefusal::NameMismatch {
                        manifest: e.name.clone(),
                        module: r.name.clone(),
                    },
                ));
                None
            }
            Loaded::Missing(b) => {
                out.refused.push((i, BootRefusal::NoBinary(b.clone())));
                None
            }
            Loaded::Invalid(reason) => {
                out.refused.push((
                    i,
                    BootRefusal::BadBinary {
                        binary: e.binary.clone(),
                        reason: reason.clone(),
                    },
                ));
                None
            }
        };
        let starting = rec.is_some() && e.start == StartMode::Boot;
        if rec.is_some() && e.start == StartMode::Manual {
            out.manual.push(i);
        }
        records.push(rec.filter(|_| starting));
    }
    // Running modules are providers too (after the new ones: index >= n).
    let all: Vec<Option<&ModuleRecord>> = records
        .iter()
        .copied()
        .chain(running.iter().map(Some))
        .collect();
    // 2. Interfaces of `client` caps become module dependencies.
    let mut extra: Vec<Vec<String>> = alloc::vec![Vec::new(); n];
    for i in 0..n {
        if records[i].is_none() {
            continue;
        }
        for cap in &entries[i].caps {
            let CapKind::Client {
                interface,
                constraint,
            } = &cap.kind
            else {
                continue;
            };
            let req = match VersionReq::parse(constraint) {
                Ok(r) => r,
                Err(e) => {
                    out.refused.push((
                        i,
                        BootRefusal::BadConstraint {
                            module: entries[i].name.clone(),
                            constraint: constraint.clone(),
                            reason: e.to_string(),
                        },
                    ));
                    records[i] = None;
                    break;
                }
            };
            match provider(&all, interface, &req) {
                Ok(p) if p < n => extra[i].push(entries[p].name.clone()),
                Ok(_) => {} // a running module provides it
                Err(found) => {
                    out.refused.push((
                        i,
                        BootRefusal::NoProvider {
                            module: entries[i].name.clone(),
                            interface: interface.clone(),
                            constraint: constraint.clone(),
                            found,
                        },
                    ));
                    records[i] = None;
                    break;
                }
            }
        }
    }
    // 3. The resolver: versions, cycles, missing and transitive refusals.
    let refused_names: Vec<&str> = out
        .refused
        .iter()
        .map(|(i, _)| entries[*i].name.as_str())
        .collect();
    let mut resolver = DependencyResolver::new();
    // Running modules take the smallest ids, so a name clash refuses the
    // newcomer (the resolver keeps a name for its smallest id).
    let r = running.len();
    let id_of = |i: usize| ModuleId((r + i) as u64 + 1);
    for (i, rec) in records.iter().enumerate() {
        let Some(rec) = rec else { continue };
        let mut c = Candidate::from_record(id_of(i), rec);
        c.name.clone_from(&entries[i].name);
        for name in &extra[i] {
            c = c.requires(name, "*");
        }
        resolver.add(c);
    }
    for (k, rec) in running.iter().enumerate() {
        resolver.add(Candidate::from_record(ModuleId(k as u64 + 1), rec));
    }
    let res = resolver.resolve();
    for id in res.order {
        if let Some(i) = (id.0 as usize).checked_sub(r + 1)
            && i < n
        {
            out.order.push(i);
        }
    }
    for (i, rec) in records.iter().enumerate() {
        if rec.is_none() || out.refusal(i).is_some() {
            continue;
        }
        let Some(refusal) = res.refused.iter().find(|r| r.refuses(id_of(i))) else {
            continue;
        };
        let why = match refusal {
            Refusal::Missing { dependency, .. } if refused_names.contains(&dependency.as_str()) => {
                BootRefusal::NeedsRefused {
                    module: entries[i].name.clone(),
                    dependency: dependency.clone(),
                }
            }
            other => BootRefusal::Resolver(other.to_string()),
        };
        out.refused.push((i, why));
    }
    out.refused.sort_by_key(|(i, _)| *i);
    out
}

#[cfg(test)]
mod tests;
