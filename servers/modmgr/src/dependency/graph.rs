//! [`DependencyGraph`]: which module needs which, by name, and the order
//! they can start in.
#![forbid(unsafe_code)]

use alloc::collections::{BTreeMap, BTreeSet};
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
    /// `targets[k]`: the module carrying `deps[k].name`, kept current as
    /// names come and go.
    targets: Vec<Option<ModuleId>>,
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
///
/// Edges are resolved when names or dependencies change, not when the
/// graph is walked: a walk costs no name lookups.
#[derive(Clone, Debug, Default)]
pub struct DependencyGraph {
    nodes: BTreeMap<ModuleId, Node>,
    /// name -> the module that carries it
    carriers: BTreeMap<String, ModuleId>,
    /// name -> the modules that list a dependency on it
    users: BTreeMap<String, BTreeSet<ModuleId>>,
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
            // The registry refuses duplicate names, so no name is taken.
            graph.attach_name(id, meta.name);
            graph.set_deps(id, meta.dependencies.iter().map(Dep::from).collect());
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
    fn set_deps(&mut self, id: ModuleId, deps: Vec<Dep>) {
        let node = self.nodes.entry(id).or_default();
        for d in &node.deps {
            unlist(&mut self.users, &d.name, id);
        }
        node.targets = deps
            .iter()
            .map(|d| self.carriers.get(&d.name).copied())
            .collect();
        for d in &deps {
            match self.users.get_mut(&d.name) {
                Some(users) => {
                    users.insert(id);
                }
                None => {
                    self.users.insert(d.name.clone(), BTreeSet::from([id]));
                }
            }
        }
        node.deps = deps;
    }

    /// Give `id` its name (adding it without dependencies if it is new);
    /// dependencies on that name now lead to it. A module has one name:
    /// a new one replaces the old.
    pub fn name_module(&mut self, id: ModuleId, name: &str) -> Result<(), GraphError> {
        if name.is_empty() {
            return Err(GraphError::EmptyName);
        }
        match self.carriers.get(name) {
            Some(&by) if by != id => Err(GraphError::NameTaken {
                name: name.to_string(),
                by,
            }),
            Some(_) => Ok(()),
            None => {
                self.attach_name(id, name);
                Ok(())
            }
        }
    }

    /// Remove `id` with its edges: its own dependencies go, and
    /// dependencies of others on its name become missing.
    pub fn remove_module(&mut self, id: ModuleId) {
        let Some(node) = self.nodes.remove(&id) else {
            return;
        };
        for d in &node.deps {
            unlist(&mut self.users, &d.name, id);
        }
        if let Some(name) = node.name {
            self.carriers.remove(&name);
            self.retarget(&name, None);
        }
    }

    /// Name `id` `name`, which nobody carries (dropping its old name).
    fn attach_name(&mut self, id: ModuleId, name: &str) {
        let old = self
            .nodes
            .entry(id)
            .or_default()
            .name
            .replace(name.to_string());
        if let Some(old) = old {
            self.carriers.remove(&old);
            self.retarget(&old, None);
        }
        self.carriers.insert(name.to_string(), id);
        self.retarget(name, Some(id));
    }

    /// Point every dependency on `name` at `to`.
    fn retarget(&mut self, name: &str, to: Option<ModuleId>) {
        let Some(users) = self.users.get(name) else {
            return;
        };
        for user in users {
            if let Some(node) = self.nodes.get_mut(user) {
                for (d, target) in node.deps.iter().zip(node.targets.iter_mut()) {
                    if d.name == name {
                        *target = to;
                    }
                }
            }
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
            .flat_map(|n| n.targets.iter().flatten().copied())
            .collect();
        out.sort_unstable();
        out.dedup();
        out
    }

    /// The modules that depend on `id`, in id order.
    pub fn dependents(&self, id: ModuleId) -> Vec<ModuleId> {
        self.name(id)
            .and_then(|name| self.users.get(name))
            .map_or_else(Vec::new, |users| users.iter().copied().collect())
    }

    /// Required dependencies no module carries: (who needs it, its name),
    /// in id order. An optional dependency that is absent is not missing.
    pub fn missing(&self) -> Vec<(ModuleId, String)> {
        self.nodes
            .iter()
            .flat_map(|(&id, n)| n.deps.iter().zip(&n.targets).map(move |dt| (id, dt)))
            .filter(|(_, (d, target))| !d.optional && target.is_none())
            .map(|(id, (d, _))| (id, d.name.clone()))
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

    /// The graph as indices; the edges of module `i` follow its dependency
    /// list, one per dependency that some module carries.
    pub(crate) fn dense(&self) -> Dense {
        let ids: Vec<ModuleId> = self.nodes.keys().copied().collect();
        let mut start = Vec::with_capacity(ids.len() + 1);
        let mut edges = Vec::with_capacity(self.nodes.values().map(|n| n.targets.len()).sum());
        start.push(0);
        for node in self.nodes.values() {
            for (d, target) in node.deps.iter().zip(&node.targets) {
                if let Some(to) = target.and_then(|t| ids.binary_search(&t).ok()) {
                    edges.push(Edge {
                        to,
                        required: !d.optional,
                    });
                }
            }
            start.push(edges.len());
        }
        Dense::new(ids, start, edges)
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

/// Take `id` off the users of `name`.
fn unlist(users: &mut BTreeMap<String, BTreeSet<ModuleId>>, name: &str, id: ModuleId) {
    if let Some(set) = users.get_mut(name) {
        set.remove(&id);
        if set.is_empty() {
            users.remove(name);
        }
    }
}
