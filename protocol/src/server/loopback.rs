//! Host loopbacks: a [`Transport`] that hands each frame straight to a
//! [`ServerCore`] in the same address space, on the module manager's
//! control path or on the client path, as the runtime would after reading
//! the badge of the cap a frame came in on.
//!
//! [`Loopback`] borrows the core (the test keeps it and inspects it between
//! calls); [`SharedLoopback`] shares it behind an `Arc<spin::Mutex<_>>` so
//! the transport is `'static + Send + Sync` and can live inside a boxed
//! module (the module manager's `ServerProxy` tests) while the test still
//! reaches the server.
#![forbid(unsafe_code)]

use alloc::sync::Arc;
use alloc::vec::Vec;
use spin::Mutex;

use super::{Origin, ServerCore};
use crate::client::{Transport, TransportError};
use crate::v1::Module;

/// One frame into `core` from `origin`: the manager path accepts control
/// frames, the client path refuses them (exactly the runtime's routing).
fn deliver<M: Module>(core: &mut ServerCore<M>, origin: Origin, frame: &[u8], reply: &mut Vec<u8>) {
    match origin {
        Origin::Manager => core.handle_frame_into(frame, reply),
        Origin::Client => core.handle_client_frame_into(frame, reply),
    }
}

/// A transport into a borrowed [`ServerCore`].
///
/// ```
/// # use helix_protocol::server::{Loopback, ServerCore};
/// # use helix_protocol::client::ControlClient;
/// # fn demo<M: helix_protocol::Module>(core: &mut ServerCore<M>) {
/// let mut manager = ControlClient::new(Loopback::control(core));
/// manager.quiesce().unwrap();
/// # }
/// ```
pub struct Loopback<'a, M: Module> {
    core: &'a mut ServerCore<M>,
    origin: Origin,
}

impl<'a, M: Module> Loopback<'a, M> {
    /// The module manager's path: control frames are accepted.
    pub fn control(core: &'a mut ServerCore<M>) -> Loopback<'a, M> {
        Loopback {
            core,
            origin: Origin::Manager,
        }
    }

    /// A client's path: control frames are refused with `NotPermitted`.
    pub fn client(core: &'a mut ServerCore<M>) -> Loopback<'a, M> {
        Loopback {
            core,
            origin: Origin::Client,
        }
    }

    /// Which path this loopback takes.
    pub fn origin(&self) -> Origin {
        self.origin
    }
}

impl<M: Module> Transport for Loopback<'_, M> {
    fn call(&mut self, frame: &[u8], reply: &mut Vec<u8>) -> Result<(), TransportError> {
        deliver(self.core, self.origin, frame, reply);
        Ok(())
    }
}

/// A transport into a shared [`ServerCore`]; clones reach the same server.
/// Each call holds the lock for one frame.
pub struct SharedLoopback<M: Module> {
    core: Arc<Mutex<ServerCore<M>>>,
    origin: Origin,
}

impl<M: Module> SharedLoopback<M> {
    /// Share `core` for loopbacks (wrap it once, then make paths into it).
    pub fn share(core: ServerCore<M>) -> Arc<Mutex<ServerCore<M>>> {
        Arc::new(Mutex::new(core))
    }

    /// The module manager's path into `core`.
    pub fn control(core: &Arc<Mutex<ServerCore<M>>>) -> SharedLoopback<M> {
        SharedLoopback {
            core: Arc::clone(core),
            origin: Origin::Manager,
        }
    }

    /// A client's path into `core`.
    pub fn client(core: &Arc<Mutex<ServerCore<M>>>) -> SharedLoopback<M> {
        SharedLoopback {
            core: Arc::clone(core),
            origin: Origin::Client,
        }
    }

    /// Which path this loopback takes.
    pub fn origin(&self) -> Origin {
        self.origin
    }

    /// The server behind this loopback.
    pub fn core(&self) -> &Arc<Mutex<ServerCore<M>>> {
        &self.core
    }
}

impl<M: Module> Clone for SharedLoopback<M> {
    fn clone(&self) -> Self {
        SharedLoopback {
            core: Arc::clone(&self.core),
            origin: self.origin,
        }
    }
}

impl<M: Module> Transport for SharedLoopback<M> {
    fn call(&mut self, frame: &[u8], reply: &mut Vec<u8>) -> Result<(), TransportError> {
        deliver(&mut self.core.lock(), self.origin, frame, reply);
        Ok(())
    }
}
