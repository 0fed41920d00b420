//! [`DependencyResolver`]: every version constraint checked, with
//! `semver`, before anything loads; the result is a boot plan that starts
//! what can start and says why the rest cannot.
#![forbid(unsafe_code)]

use alloc::collections::{BTreeMap, VecDeque};
use alloc::string::{String, ToString};
use alloc::vec;
use alloc::vec::Vec;
use helix_protocol::ModuleMetadata;
use helix_protocol::metadata::ModuleRecord;
use semver::{Version, VersionReq};

use super::cycle::CycleError;
use super::dense::{Dense, Edge};
use super::dep::Dep;
use super::graph::DependencyGraph;
use super::refusal::{ModuleRef, Refusal};
use crate::registry::ModuleId;
use crate::version::parse_version;

#[cfg(test)]
mod tests;

/// A module that wants to start: who it is, its version text and what it
/// needs.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Candidate {
    /// The id it will run under.
    pub id: ModuleId,
    /// Its name (others depend on it by this name).
    pub name: String,
    /// Its version (`"1.2.0"`; `"1.2"` reads as `1.2.0`).
    pub version: String,
    /// What it needs.
    pub deps: Vec<Dep>,
}

impl Candidate {
    /// A candidate without dependencies.
    pub fn new(id: ModuleId, name: &str, version: &str) -> Candidate {
        Candidate {
            id,
            name: name.to_string(),
            version: version.to_string(),
            deps: Vec::new(),
        }
    }

    /// The same candidate, also requiring `name` at `constraint`.
    pub fn requires(mut self, name: &str, constraint: &str) -> Candidate {
        self.deps.push(Dep::required(name, constraint));
        self
    }

    /// The same candidate, also using `name` at `constraint` if present.
    pub fn optionally(mut self, name: &str, constraint: &str) -> Candidate {
        self.deps.push(Dep::optional(name, constraint));
        self
    }

    /// A candidate from a module's metadata (all dependencies required).
    pub fn from_metadata(id: ModuleId, meta: &ModuleMetadata) -> Candidate {
        Candidate {
            deps: meta.dependencies.iter().map(Dep::from).collect(),
            ..Candidate::new(id, meta.name, meta.version)
        }
    }

    /// A candidate from a loaded binary's metadata record.
    pub fn from_record(id: ModuleId, record: &ModuleRecord) -> Candidate {
        Candidate {
            deps: record.dependencies.iter().map(Dep::from).collect(),
            ..Candidate::new(id, &record.name, &record.version)
        }
    }

    fn as_ref(&self) -> ModuleRef {
        ModuleRef {
            id: self.id,
            name: self.name.clone(),
        }
    }
}

/// A boot plan.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Resolution {
    /// The modules that can start, each after its dependencies (smallest id
    /// first among the ready ones).
    pub order: Vec<ModuleId>,
    /// Why each of the others cannot: its own refusals, in id order, then
    /// the cycles, then the modules refused because a dependency is.
    pub refused: Vec<Refusal>,
}

impl Resolution {
    /// Whether `id` is refused.
    pub fn is_refused(&self, id: ModuleId) -> bool {
        self.refused.iter().any(|r| r.refuses(id))
    }

    /// The refusals that stop `id`.
    pub fn refusals_of(&self, id: ModuleId) -> impl Iterator<Item = &Refusal> {
        self.refused.iter().filter(move |r| r.refuses(id))
    }
}

/// Checks version constraints before anything loads.
///
/// Rules: a required dependency must be present and its version must
/// satisfy the constraint (`semver::VersionReq`: `>=0.4.0`, `^1.0`,
/// `=2.0.0`, `~1.2`, `*`, `>=1.0, <2.0`); an optional one may be absent, but
/// if present its version must satisfy the constraint too. Malformed
/// versions and constraints are refusals, not panics. Modules on a cycle
/// are refused (a cycle through an optional dependency too), and so is
/// every module that requires a refused one, transitively; a refused
/// *optional* dependency is treated as absent. Everything else starts.
#[derive(Clone, Debug, Default)]
pub struct DependencyResolver {
    candidates: BTreeMap<ModuleId, Candidate>,
}

impl DependencyResolver {
    /// A resolver with no candidates.
    pub fn new() -> DependencyResolver {
        DependencyResolver::default()
    }

    /// Add a candidate; one already there with the same id is replaced and
    /// given back.
    pub fn add(&mut self, candidate: Candidate) -> Option<Candidate> {
        self.candidates.insert(candidate.id, candidate)
    }

    /// How many candidates there are.
    pub fn len(&self) -> usize {
        self.candidates.len()
    }

    /// Whether there are no candidates.
    pub fn is_empty(&self) -> bool {
        self.candidates.is_empty()
    }

    /// The boot plan for the candidates.
    pub fn resolve(&self) -> Resolution {
        let cands: Vec<&Candidate> = self.candidates.values().collect();
        let versions: Vec<Result<Version, semver::Error>> =
            cands.iter().map(|c| parse_version(&c.version)).collect();
        let mut refused = vec![false; cands.len()];
        let mut refusals = Vec::new();

        // Names: the smallest id keeps a name; nobody binds to the others.
        let mut carriers: BTreeMap<&str, usize> = BTreeMap::new();
        let mut own: Vec<Option<Refusal>> = Vec::with_capacity(cands.len());
        for (i, c) in cands.iter().enumerate() {
            own.push(if c.name.is_empty() {
                Some(Refusal::Unnamed(c.id))
            } else if let Some(&first) = carriers.get(c.name.as_str()) {
                Some(Refusal::DuplicateName {
                    module: c.as_ref(),
                    existing: cands.get(first).map_or(c.id, |f| f.id),
                })
            } else {
                carriers.insert(&c.name, i);
                None
            });
        }

        // Each candidate's own refusals, and the edges of the graph.
        let mut start = Vec::with_capacity(cands.len() + 1);
        let mut edges = Vec::new();
        start.push(0);
        for (i, c) in cands.iter().enumerate() {
            let before = refusals.len();
            refusals.extend(own.get_mut(i).and_then(Option::take));
            if let Some(Err(e)) = versions.get(i) {
                refusals.push(Refusal::BadVersion {
                    module: c.as_ref(),
                    version: c.version.clone(),
                    reason: e.to_string(),
                });
            }
            for d in &c.deps {
                let to = carriers.get(d.name.as_str()).copied();
                if let Some(to) = to {
                    edges.push(Edge {
                        to,
                        required: !d.optional,
                    });
                }
                let found = to.map(|at| versions.get(at).and_then(|v| v.as_ref().ok()));
                refusals.extend(check_dep(|| c.as_ref(), d, found));
            }
            start.push(edges.len());
            refused[i] = refusals.len() > before;
        }
        let dense = Dense::new(cands.iter().map(|c| c.id).collect(), start, edges);

        for cycle in dense.cycles(&dense.all(), false) {
            let path = cycle
                .iter()
                .filter_map(|&i| cands.get(i))
                .map(|c| (c.id, Some(c.name.clone())));
            refusals.push(Refusal::Cycle(CycleError::new(path.collect())));
            for i in cycle {
                refused[i] = true;
            }
        }

        // Refusal travels from a module to everything that requires it.
        let users = dense.users(|_, e| e.required);
        let mut queue: VecDeque<usize> = (0..refused.len()).filter(|&i| refused[i]).collect();
        while let Some(r) = queue.pop_front() {
            for &user in users.of(r) {
                if !refused[user] {
                    refused[user] = true;
                    refusals.push(Refusal::DependsOnRefused {
                        module: cands[user].as_ref(),
                        dependency: cands[r].name.clone(),
                    });
                    queue.push_back(user);
                }
            }
        }

        let keep: Vec<bool> = refused.iter().map(|r| !r).collect();
        Resolution {
            order: dense
                .order(&keep)
                .into_iter()
                .filter_map(|i| dense.ids.get(i).copied())
                .collect(),
            refused: refusals,
        }
    }

    /// Can `module` be replaced by a version `new_version` while the
    /// modules of `graph` run? Every dependent's constraint on it must hold
    /// for the new version (optional dependents included). Empty: yes.
    pub fn check_replacement(
        graph: &DependencyGraph,
        module: ModuleId,
        new_version: &str,
    ) -> Vec<Refusal> {
        let module_ref = |id: ModuleId| ModuleRef {
            id,
            name: graph.name(id).map_or_else(|| id.to_string(), String::from),
        };
        let version = match parse_version(new_version) {
            Ok(v) => v,
            Err(e) => {
                return vec![Refusal::BadVersion {
                    module: module_ref(module),
                    version: new_version.to_string(),
                    reason: e.to_string(),
                }];
            }
        };
        let Some(name) = graph.name(module) else {
            return Vec::new(); // nobody can depend on a module without a name
        };
        let mut refusals = Vec::new();
        for user in graph.dependents(module) {
            for d in graph.deps(user).unwrap_or_default() {
                if d.name == name {
                    refusals.extend(check_dep(|| module_ref(user), d, Some(Some(&version))));
                }
            }
        }
        refusals
    }
}

/// The refusal, if any, of the dependency `d` of `module()` (called only
/// to name a refusal), given what carries
/// its name: `None` nobody, `Some(None)` a module whose own version is bad
/// (refused on its own; the refusal reaches `module` through the graph),
/// `Some(Some(v))` a module at version `v`.
fn check_dep(
    module: impl FnOnce() -> ModuleRef,
    d: &Dep,
    found: Option<Option<&Version>>,
) -> Option<Refusal> {
    let req = match VersionReq::parse(d.constraint.trim()) {
        Ok(req) => req,
        Err(e) => {
            return Some(Refusal::BadConstraint {
                module: module(),
                dependency: d.name.clone(),
                constraint: d.constraint.clone(),
                reason: e.to_string(),
            });
        }
    };
    match found {
        None if d.optional => None,
        None => Some(Refusal::Missing {
            module: module(),
            dependency: d.name.clone(),
            constraint: d.constraint.clone(),
        }),
        Some(None) => None,
        Some(Some(v)) if req.matches(v) => None,
        Some(Some(v)) => Some(Refusal::Unsatisfied {
            module: module(),
            dependency: d.name.clone(),
            constraint: d.constraint.clone(),
            found: v.clone(),
        }),
    }
}
