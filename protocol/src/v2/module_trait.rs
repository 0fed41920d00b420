//! The v2 [`ModuleTrait`], exactly as the spec gives it.
#![forbid(unsafe_code)]

use alloc::vec::Vec;

use super::{Event, EventResponse, ModuleInfo, Request, Response};
use crate::error::ModuleError;

/// The context a v2 module gets at `init`: the same as v1's (identity,
/// arguments, granted caps).
pub type Context = crate::v1::ModuleContext;

/// A loadable module (v2 API): const metadata and an event-driven model.
pub trait ModuleTrait: Send + Sync {
    /// Const metadata — no runtime allocation.
    fn info(&self) -> ModuleInfo;

    /// Initialize the module. Called once after loading.
    fn init(&mut self, ctx: &Context) -> Result<(), ModuleError>;

    /// Start the module.
    fn start(&mut self) -> Result<(), ModuleError>;

    /// Stop the module (before unloading, or to quiesce it for a reload).
    fn stop(&mut self) -> Result<(), ModuleError>;

    /// Handle kernel events (tick, shutdown, memory pressure, etc.)
    fn handle_event(&mut self, _event: &Event) -> EventResponse {
        EventResponse::Ignored
    }

    /// Handle a typed request from another module.
    fn handle_request(&mut self, _request: &Request) -> Result<Response, ModuleError> {
        Ok(Response::err("Not implemented"))
    }

    /// Return true if the module is functioning correctly.
    fn is_healthy(&self) -> bool {
        true
    }

    /// Serialize state for a hot reload.
    fn save_state(&self) -> Option<Vec<u8>> {
        None
    }

    /// Restore state saved by a previous instance.
    fn restore_state(&mut self, _state: &[u8]) -> Result<(), ModuleError> {
        Ok(())
    }
}
