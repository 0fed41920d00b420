//! Module API v2: compile-time [`ModuleInfo`], the event-driven
//! [`ModuleTrait`], and [`ModuleAdapter`] which presents a v2 module as a v1
//! [`Module`](crate::v1::Module) so both run under the same server core.

mod adapter;
mod event;
mod info;
mod module_trait;
mod request;

#[cfg(test)]
mod tests;

pub use adapter::ModuleAdapter;
pub use event::{Event, EventResponse, MemoryPressureLevel};
pub use info::{ModuleInfo, ModuleVersion, VersionError};
pub use module_trait::{Context, ModuleTrait};
pub use request::{Request, Response};
