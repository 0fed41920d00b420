//! The v1 [`Module`] trait, exactly as the spec gives it.
#![forbid(unsafe_code)]

use super::{ModuleContext, ModuleMetadata, ModuleState};
use crate::error::ModuleError;
use crate::message::ModuleMessage;

/// A loadable module (v1 API). In Helix every module runs as a user-mode
/// server: the runtime calls `init` and `start`, then feeds every request
/// that arrives on the module's endpoint to `handle_message`, and the module
/// manager's control messages to `get_state`, `restore_state`, `stop`.
pub trait Module: Send + Sync {
    /// Static metadata about this module.
    fn metadata(&self) -> &ModuleMetadata;

    /// Initialize the module. Called once after loading.
    fn init(&mut self, ctx: &ModuleContext) -> Result<(), ModuleError>;

    /// Start the module. Called after all dependencies are initialized.
    fn start(&mut self) -> Result<(), ModuleError>;

    /// Stop the module. Called before unloading (and to quiesce it for a reload).
    fn stop(&mut self) -> Result<(), ModuleError>;

    /// Clean up all resources.
    fn cleanup(&mut self) -> Result<(), ModuleError>;

    /// Return true if the module is functioning correctly.
    fn is_healthy(&self) -> bool;

    /// Serialize current state for hot-reload.
    fn get_state(&self) -> Option<ModuleState> {
        None
    }

    /// Restore state from a previous instance.
    fn restore_state(&mut self, _state: ModuleState) -> Result<(), ModuleError> {
        Err(ModuleError::NotSupported)
    }

    /// Handle an incoming message from another module.
    fn handle_message(&mut self, _msg: ModuleMessage) -> Result<ModuleMessage, ModuleError> {
        Err(ModuleError::NotSupported)
    }
}
