//! [`DependencyGraph`]: which module needs which, by name, and the order
//! they can start in.
#![forbid(unsafe_code)]

use alloc::collections::BTreeMap;
use alloc::string::{String, ToString};
use alloc::vec::Vec;
use core::fmt;
use helix_protocol::ModuleDependency;

use super::cycle::CycleError;
use super::dense::{Dense, Edge};
use super::dep::Dep;
use crate::registry::{ModuleId, ModuleRegistry};

#[cfg(test)]
mod tests;

/// Why the graph refused a name.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum GraphError {
    /// Another module already carries the name.
    NameTaken {
        /// The name.
        name: String,
        /// The module that carries it.
        by: ModuleId,
    },
    /// Names must not be empty.
    EmptyName,
}

impl fmt::Display for GraphError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            GraphError::NameTaken { name, by } => write!(f, "{name} is already the name of {by}"),
            GraphError::EmptyName => f.write_str("a module name must not be empty"),
        }
    }
}

impl core::error::Error for GraphError {}

#[derive(Clone, Debug, Default)]
struct Node {
    name: Option<String>,
    deps: Vec<Dep>,
}

/// Modules and their named dependencies.
///
/// A dependency names a module; the edge exists while some module in the
/// graph carries that name (see [`add_named`](Self::add_named) and
/// [`name_module`](Self::name_module)). A name nobody carries is a
/// *missing* dependency: it is kept (it becomes an edge as soon as a module
/// with that name is added), reported by [`missing`](Self::missing) and
/// ignored by the ordering. Optional dependencies order the start like any
/// other when present.
#[derive(Clone, Debug, Default)]
pub struct DependencyGraph {
    nodes: BTreeMap<ModuleId, Node>,
    carriers: BTreeMap<String, ModuleId>,
}

impl DependencyGraph {
    /// An empty graph.
    pub fn new() -> DependencyGraph {
        DependencyGraph::default()
    }

    /// The graph of the registered modules: each under its name, with the
    /// dependencies of its metadata.
    pub fn from_registry(registry: &ModuleRegistry) -> DependencyGraph {
        let mut graph = DependencyGraph::new();
        for (id, module) in registry.iter() {
            let meta = module.metadata();
            // The registry refuses duplicate names, so no carrier is displaced.
            graph.carriers.insert(meta.name.to_string(), id);
            let deps = meta.dependencies.iter().map(Dep::from).collect();
            graph.nodes.insert(
                id,
                Node {
                    name: Some(meta.name.to_string()),
                    deps,
                },
            );
        }
        graph
    }

    /// Add `id` with `deps` (the spec's form), or replace the dependencies
    /// of a module already in the graph (its name stays). Other modules can
    /// depend on it once it has a name ([`name_module`](Self::name_module)).
    pub fn add_module(&mut self, id: ModuleId, deps: &[ModuleDependency]) {
        self.set_deps(id, deps.iter().map(Dep::from).collect());
    }

    /// Add (or update) `id` under `name` with `deps`; accepts anything that
    /// converts into [`Dep`]: `&[ModuleDependency]`, `Vec<Dep>`, `&[Dep]`,
    /// record dependencies, `(name, constraint)` pairs.
    pub fn add_named<I>(&mut self, id: ModuleId, name: &str, deps: I) -> Result<(), GraphError>
    where
        I: IntoIterator,
        I::Item: Into<Dep>,
    {
        self.name_module(id, name)?;
        self.set_deps(id, deps.into_iter().map(Into::into).collect());
        Ok(())
    }

    /// Set the dependencies of `id` (adding it, unnamed, if it is new).
    pub(crate) fn set_deps(&mut self, id: ModuleId, deps: Vec<Dep>) {
        self.nodes.entry(id).or_default().deps = deps;
    }

    /// Give `id` its name (adding it without dependencies if it is new);
    /// dependencies on that name now lead to it. A module has one name:
    /// a new one replaces the old.
    pub fn name_module(&mut self, id: ModuleId, name: &str) -> Result<(), GraphError> {
        if name.is_empty() {
            return Err(GraphError::EmptyName);
        }
        match self.carriers.get(name) {
            Some(&by) if by != id => {
                return Err(GraphError::NameTaken {
                    name: name.to_string(),
                    by,
                });
            }
            Some(_) => return Ok(()),
            None => {}
        }
        let node = self.nodes.entry(id).or_default();
        if let Some(old) = node.name.replace(name.to_string()) {
            self.carriers.remove(&old);
        }
        self.carriers.insert(name.to_string(), id);
        Ok(())
    }

    /// Remove `id` with its edges: its own dependencies go, and
    /// dependencies of others on its name become missing.
    pub fn remove_module(&mut self, id: ModuleId) {
        if let Some(Node {
            name: Some(name), ..
        }) = self.nodes.remove(&id)
        {
            self.carriers.remove(&name);
        }
    }

    /// Whether `id` is in the graph.
    pub fn contains(&self, id: ModuleId) -> bool {
        self.nodes.contains_key(&id)
    }

    /// How many modules the graph holds.
    pub fn len(&self) -> usize {
        self.nodes.len()
    }

    /// Whether the graph holds no module.
    pub fn is_empty(&self) -> bool {
        self.nodes.is_empty()
    }

    /// The modules, in id order.
    pub fn ids(&self) -> Vec<ModuleId> {
        self.nodes.keys().copied().collect()
    }

    /// The name of `id`, if it has one.
    pub fn name(&self, id: ModuleId) -> Option<&str> {
        self.nodes.get(&id).and_then(|n| n.name.as_deref())
    }

    /// The module carrying `name`.
    pub fn carrier(&self, name: &str) -> Option<ModuleId> {
        self.carriers.get(name).copied()
    }

    /// The dependencies `id` declared, as given.
    pub fn deps(&self, id: ModuleId) -> Option<&[Dep]> {
        self.nodes.get(&id).map(|n| n.deps.as_slice())
    }

    /// The modules `id` depends on that are in the graph, in id order.
    pub fn dependencies(&self, id: ModuleId) -> Vec<ModuleId> {
        let mut out: Vec<ModuleId> = self
            .nodes
            .get(&id)
            .into_iter()
            .flat_map(|n| n.deps.iter())
            .filter_map(|d| self.carrier(&d.name))
            .collect();
        out.sort_unstable();
        out.dedup();
        out
    }

    /// The modules that depend on `id`, in id order.
    pub fn dependents(&self, id: ModuleId) -> Vec<ModuleId> {
        let Some(name) = self.name(id) else {
            return Vec::new();
        };
        self.nodes
            .iter()
            .filter(|(_, n)| n.deps.iter().any(|d| d.name == name))
            .map(|(&other, _)| other)
            .collect()
    }

    /// Required dependencies no module carries: (who needs it, its name),
    /// in id order. An optional dependency that is absent is not missing.
    pub fn missing(&self) -> Vec<(ModuleId, String)> {
        self.nodes
            .iter()
            .flat_map(|(&id, n)| n.deps.iter().map(move |d| (id, d)))
            .filter(|(_, d)| !d.optional && !self.carriers.contains_key(&d.name))
            .map(|(id, d)| (id, d.name.clone()))
            .collect()
    }

    /// Every module after all of its dependencies; among modules whose
    /// dependencies are all placed, the smallest id comes first, so the
    /// order is a function of the graph alone. Missing dependencies are
    /// ignored. A cycle is an error naming one offending path.
    pub fn topological_sort(&self) -> Result<Vec<ModuleId>, CycleError> {
        let dense = self.dense();
        let keep = dense.all();
        let order = dense.order(&keep);
        if order.len() == dense.ids.len() {
            return Ok(order
                .into_iter()
                .filter_map(|i| dense.ids.get(i).copied())
                .collect());
        }
        let cycle = dense
            .cycles(&keep, true)
            .into_iter()
            .next()
            .unwrap_or_default();
        Err(self.cycle_error(&dense, &cycle))
    }

    /// Whether some modules depend on each other in a circle.
    pub fn has_cycle(&self) -> bool {
        self.find_cycle().is_some()
    }

    /// One dependency cycle, if there is any (three-colour depth-first
    /// search from the smallest id).
    pub fn find_cycle(&self) -> Option<CycleError> {
        let dense = self.dense();
        let cycle = dense.cycles(&dense.all(), true).into_iter().next()?;
        Some(self.cycle_error(&dense, &cycle))
    }

    /// The graph as indices; `out[i]` follows the dependency list of
    /// module `i`, one edge per dependency that some module carries.
    pub(crate) fn dense(&self) -> Dense {
        let ids: Vec<ModuleId> = self.nodes.keys().copied().collect();
        let out = self
            .nodes
            .values()
            .map(|node| {
                node.deps
                    .iter()
                    .enumerate()
                    .filter_map(|(dep, d)| {
                        let carrier = self.carriers.get(&d.name)?;
                        let to = ids.binary_search(carrier).ok()?;
                        Some(Edge {
                            to,
                            required: !d.optional,
                            dep,
                        })
                    })
                    .collect()
            })
            .collect();
        Dense { ids, out }
    }

    /// A [`CycleError`] for a cycle of dense indices.
    pub(crate) fn cycle_error(&self, dense: &Dense, cycle: &[usize]) -> CycleError {
        CycleError::new(
            cycle
                .iter()
                .filter_map(|&i| dense.ids.get(i).copied())
                .map(|id| (id, self.name(id).map(String::from)))
                .collect(),
        )
    }
}
