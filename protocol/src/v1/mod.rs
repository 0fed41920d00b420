//! Module API v1: the spec's trait-based [`Module`], its metadata, the
//! context handed to `init`, the state passed across a hot reload, and the
//! declaration macro [`helix_module!`](crate::helix_module).

mod context;
mod declare;
mod module;
mod types;

#[cfg(test)]
mod tests;

pub use context::{ModuleContext, NamedCap};
pub use declare::DeclaredModule;
pub use module::Module;
pub use types::{ModuleDependency, ModuleMetadata, ModuleState};
