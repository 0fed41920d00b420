//! Server side: the pure [`ServerCore`] (frame in, reply frame out, with the
//! module manager's hot-reload control messages), the server loop over the
//! [`ServerChannel`] seam, helpers that route a module's requests to an
//! interface handler, and host loopbacks ([`Loopback`], [`SharedLoopback`])
//! that reach a core on the control or the client path.

mod control;
mod core;
mod loopback;
mod run;
mod serve;

#[cfg(test)]
mod tests;

pub use self::core::ServerCore;
pub use control::{ControlRequest, ControlResponse, ServerError, ServerMode};
pub use loopback::{Loopback, SharedLoopback};
pub use run::{LoopExit, Origin, ServerChannel, run_module, serve_loop};
pub use serve::{InterfaceServer, serve_message, serve_request};
