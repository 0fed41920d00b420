//! Server side: the pure [`ServerCore`] (frame in, reply frame out, with the
//! module manager's hot-reload control messages), the server loop over the
//! [`ServerChannel`] seam, and helpers that route a module's requests to an
//! interface handler.

mod control;
mod core;
mod run;
mod serve;

#[cfg(test)]
mod tests;

pub use self::core::ServerCore;
pub use control::{ControlRequest, ControlResponse, ServerError, ServerMode};
pub use run::{LoopExit, Origin, ServerChannel, run_module, serve_loop};
pub use serve::{InterfaceServer, serve_message, serve_request};
