//! The server loop over the [`ServerChannel`] seam.
#![forbid(unsafe_code)]

use alloc::vec::Vec;

use super::{ServerCore, ServerMode};
use crate::client::TransportError;
use crate::error::ModuleError;
use crate::v1::{Module, ModuleContext};

/// Who sent a frame. The runtime tells from the endpoint or badge it came
/// in on; only the module manager may send control frames.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Origin {
    /// A client of the module's interface.
    Client,
    /// The module manager (control endpoint).
    Manager,
}

/// Server side of IPC. The runtime implements it over `recv` /
/// `reply_recv` / `reply` syscalls once the kernel has them; tests
/// implement it with scripted frames.
pub trait ServerChannel {
    /// Wait for the next frame and put it in `frame`.
    fn recv(&mut self, frame: &mut Vec<u8>) -> Result<Origin, TransportError>;
    /// Answer the last frame, then wait for the next one (one kernel entry).
    fn reply_recv(&mut self, reply: &[u8], frame: &mut Vec<u8>) -> Result<Origin, TransportError>;
    /// Answer the last frame without waiting for another.
    fn reply(&mut self, reply: &[u8]) -> Result<(), TransportError>;
    /// Start or stop receiving from clients (false while quiesced: callers
    /// then block in the kernel until the new server takes over).
    fn set_accepting_clients(&mut self, _accepting: bool) {}
}

/// Why the server loop ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LoopExit {
    /// The module manager sent `Shutdown` and was answered.
    Shutdown,
    /// `init` failed.
    InitFailed(ModuleError),
    /// `start` failed.
    StartFailed(ModuleError),
    /// IPC failed.
    Transport(TransportError),
}

/// `recv` -> handle -> `reply_recv` until shutdown.
pub fn serve_loop<M: Module, C: ServerChannel>(
    core: &mut ServerCore<M>,
    channel: &mut C,
) -> LoopExit {
    let mut frame = Vec::new();
    let mut reply = Vec::new();
    let mut origin = match channel.recv(&mut frame) {
        Ok(origin) => origin,
        Err(e) => return LoopExit::Transport(e),
    };
    loop {
        match origin {
            Origin::Manager => core.handle_frame_into(&frame, &mut reply),
            Origin::Client => core.handle_client_frame_into(&frame, &mut reply),
        }
        channel.set_accepting_clients(core.accepts_clients());
        if core.mode() == ServerMode::Stopped {
            return match channel.reply(&reply) {
                Ok(()) => LoopExit::Shutdown,
                Err(e) => LoopExit::Transport(e),
            };
        }
        let next = if reply.is_empty() {
            channel.recv(&mut frame)
        } else {
            channel.reply_recv(&reply, &mut frame)
        };
        origin = match next {
            Ok(origin) => origin,
            Err(e) => return LoopExit::Transport(e),
        };
    }
}

/// The whole life of a server process: `init`, `start`, then the loop.
/// With `ctx.quiesced` the module is not started: it waits, quiesced, for
/// the module manager's `RestoreState` and `Resume` (hot reload, restart).
pub fn run_module<M: Module, C: ServerChannel>(
    mut module: M,
    ctx: &ModuleContext,
    mut channel: C,
) -> LoopExit {
    if let Err(e) = module.init(ctx) {
        return LoopExit::InitFailed(e);
    }
    let mut core = if ctx.quiesced {
        ServerCore::quiesced(module)
    } else {
        if let Err(e) = module.start() {
            return LoopExit::StartFailed(e);
        }
        ServerCore::new(module)
    };
    channel.set_accepting_clients(core.accepts_clients());
    serve_loop(&mut core, &mut channel)
}
