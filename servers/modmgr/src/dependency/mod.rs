//! Dependencies between modules: the [`DependencyGraph`] (edges by name,
//! boot order, cycles) and the [`DependencyResolver`] (version constraints
//! checked before anything loads, and before a replacement goes in).

mod cycle;
mod dense;
mod dep;
mod graph;
mod refusal;
mod resolver;

pub use cycle::CycleError;
pub use dep::Dep;
pub use graph::{DependencyGraph, GraphError};
pub use refusal::{ModuleRef, Refusal};
pub use resolver::{Candidate, DependencyResolver, Resolution};
