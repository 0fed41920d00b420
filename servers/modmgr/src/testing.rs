//! Test doubles shared by the crate's tests.

use alloc::boxed::Box;
use helix_protocol::{Module, ModuleContext, ModuleError, ModuleMetadata};

/// A module that is nothing but its metadata.
pub(crate) struct Fake(pub ModuleMetadata);

impl Module for Fake {
    fn metadata(&self) -> &ModuleMetadata {
        &self.0
    }
    fn init(&mut self, _: &ModuleContext) -> Result<(), ModuleError> {
        Ok(())
    }
    fn start(&mut self) -> Result<(), ModuleError> {
        Ok(())
    }
    fn stop(&mut self) -> Result<(), ModuleError> {
        Ok(())
    }
    fn cleanup(&mut self) -> Result<(), ModuleError> {
        Ok(())
    }
    fn is_healthy(&self) -> bool {
        true
    }
}

/// `meta` as a boxed module.
pub(crate) fn boxed(meta: ModuleMetadata) -> Box<dyn Module> {
    Box::new(Fake(meta))
}
