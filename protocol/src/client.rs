//! Client side of an interface: the [`Transport`] seam and the untyped
//! [`Client`] the generated typed clients (`FilesystemClient`, ...) wrap.
//!
//! A transport moves one request frame to a server and brings its reply
//! frame back. On the host it is a loopback into a
//! [`ServerCore`](crate::server::ServerCore); in a Helix process it will be
//! the kernel's `call` on an endpoint cap (arrives with the syscall layer).
#![forbid(unsafe_code)]

use alloc::vec::Vec;
use core::fmt;
use core::marker::PhantomData;
use helix_abi::SysError;

use crate::interfaces::Interface;
use crate::message::{DecodeError, EncodeError, Frame, MessageType, WireMessage, encode_frame};
use crate::server::ServerError;

/// Why a frame could not be delivered or answered.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TransportError {
    /// The peer is gone (its endpoint was revoked or it exited).
    Disconnected,
    /// The server died while holding this call: retry after it is
    /// restarted (the kernel's `PartnerGone`).
    ServerGone,
    /// The frame exceeds what the transport can carry.
    MessageTooLong,
    /// The server sent no reply (e.g. it treated the frame as a notification).
    NoReply,
    /// The kernel refused the IPC.
    Sys(SysError),
}

impl fmt::Display for TransportError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            TransportError::Disconnected => f.write_str("peer disconnected"),
            TransportError::ServerGone => {
                f.write_str("the server died while holding this call (retry after it restarts)")
            }
            TransportError::MessageTooLong => f.write_str("message too long for the transport"),
            TransportError::NoReply => f.write_str("no reply"),
            TransportError::Sys(e) => write!(f, "kernel error {e:?}"),
        }
    }
}

impl core::error::Error for TransportError {}

/// Moves one frame to a server and its reply back: a synchronous `call`.
pub trait Transport {
    /// Send `frame`, wait, and replace `reply`'s contents with the answer.
    fn call(&mut self, frame: &[u8], reply: &mut Vec<u8>) -> Result<(), TransportError>;
}

impl<T: Transport + ?Sized> Transport for &mut T {
    fn call(&mut self, frame: &[u8], reply: &mut Vec<u8>) -> Result<(), TransportError> {
        (**self).call(frame, reply)
    }
}

/// Why a typed call failed; `E` is the interface's own error.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum CallError<E> {
    /// The request could not be encoded.
    Encode(EncodeError),
    /// The transport failed.
    Transport(TransportError),
    /// The reply was not a valid response frame of this interface.
    Decode(DecodeError),
    /// The server refused the frame (quiesced, module error, bad request, ...).
    Server(ServerError),
    /// The call reached the handler, which returned this error.
    Remote(E),
    /// The server answered a different method.
    UnexpectedReply {
        /// The method the reply answers.
        method: &'static str,
    },
}

impl<E: fmt::Display> fmt::Display for CallError<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CallError::Encode(e) => write!(f, "encode: {e}"),
            CallError::Transport(e) => write!(f, "transport: {e}"),
            CallError::Decode(e) => write!(f, "reply: {e}"),
            CallError::Server(e) => write!(f, "server: {e}"),
            CallError::Remote(e) => write!(f, "{e}"),
            CallError::UnexpectedReply { method } => write!(f, "reply answers `{method}`"),
        }
    }
}

impl<E: fmt::Debug + fmt::Display> core::error::Error for CallError<E> {}

impl<E> From<EncodeError> for CallError<E> {
    fn from(e: EncodeError) -> Self {
        CallError::Encode(e)
    }
}

impl<E> From<TransportError> for CallError<E> {
    fn from(e: TransportError) -> Self {
        CallError::Transport(e)
    }
}

impl<E> From<DecodeError> for CallError<E> {
    fn from(e: DecodeError) -> Self {
        CallError::Decode(e)
    }
}

/// How often a typed client repeats an idempotent call whose server died.
pub const IDEMPOTENT_RETRIES: u32 = 3;

/// Untyped client of interface `I`: encodes an `I::Request`, calls, and
/// decodes the `I::Response` (or the server's error frame). Reuses its two
/// buffers across calls.
pub struct Client<I: Interface, T: Transport> {
    transport: T,
    request: Vec<u8>,
    reply: Vec<u8>,
    _interface: PhantomData<fn() -> I>,
}

impl<I: Interface, T: Transport> Client<I, T> {
    /// A client calling through `transport`.
    pub fn new(transport: T) -> Self {
        Client {
            transport,
            request: Vec::new(),
            reply: Vec::new(),
            _interface: PhantomData,
        }
    }

    /// One round trip. A call whose server died holding it is repeated
    /// (at most [`IDEMPOTENT_RETRIES`] times) when the interface marks the
    /// method idempotent; the repeat waits in the kernel until the module
    /// manager has restarted the server.
    pub fn call(&mut self, request: &I::Request) -> Result<I::Response, CallError<I::Error>> {
        encode_frame(MessageType::Request, request, &mut self.request)?;
        let idempotent = I::IDEMPOTENT.contains(&I::request_method(request));
        let mut tries = 0;
        loop {
            self.reply.clear();
            match self.transport.call(&self.request, &mut self.reply) {
                Err(TransportError::ServerGone) if idempotent && tries < IDEMPOTENT_RETRIES => {
                    tries += 1;
                }
                other => break other?,
            }
        }
        if self.reply.is_empty() {
            return Err(CallError::Transport(TransportError::NoReply));
        }
        let frame = Frame::parse(&self.reply)?;
        match frame.kind {
            MessageType::Response => Ok(frame.decode()?),
            MessageType::Error => Err(CallError::Server(frame.decode()?)),
            found => Err(CallError::Decode(DecodeError::UnexpectedKind {
                expected: MessageType::Response,
                found,
            })),
        }
    }

    /// The transport, e.g. to inspect a loopback server.
    pub fn transport_mut(&mut self) -> &mut T {
        &mut self.transport
    }

    /// Give back the transport.
    pub fn into_transport(self) -> T {
        self.transport
    }
}

/// The module manager's side of the control protocol: each method is one
/// [`ControlRequest`](crate::server::ControlRequest) round trip.
pub struct ControlClient<T: Transport> {
    transport: T,
    request: Vec<u8>,
    reply: Vec<u8>,
}

/// Errors of a control call (control calls have no interface error).
pub type ControlError = CallError<core::convert::Infallible>;

impl<T: Transport> ControlClient<T> {
    /// A control client over `transport` (which must reach the server's
    /// control path).
    pub fn new(transport: T) -> Self {
        ControlClient {
            transport,
            request: Vec::new(),
            reply: Vec::new(),
        }
    }

    /// One control round trip.
    pub fn call(
        &mut self,
        request: &crate::server::ControlRequest,
    ) -> Result<crate::server::ControlResponse, ControlError> {
        self.exchange(MessageType::Control, request)?;
        let frame = Frame::parse(&self.reply)?;
        match frame.kind {
            MessageType::Response => Ok(frame.decode()?),
            MessageType::Error => Err(CallError::Server(frame.decode()?)),
            found => Err(CallError::Decode(DecodeError::UnexpectedKind {
                expected: MessageType::Response,
                found,
            })),
        }
    }

    fn expect<R>(
        &mut self,
        request: crate::server::ControlRequest,
        pick: impl FnOnce(crate::server::ControlResponse) -> Option<R>,
    ) -> Result<R, ControlError> {
        let response = self.call(&request)?;
        let method = control_name(&response);
        pick(response).ok_or(CallError::UnexpectedReply { method })
    }

    /// Requests served so far.
    pub fn ping(&mut self) -> Result<u64, ControlError> {
        use crate::server::{ControlRequest as Q, ControlResponse as A};
        self.expect(Q::Ping, |r| {
            if let A::Pong { served } = r {
                Some(served)
            } else {
                None
            }
        })
    }

    /// The module's `is_healthy`.
    pub fn health(&mut self) -> Result<bool, ControlError> {
        use crate::server::{ControlRequest as Q, ControlResponse as A};
        self.expect(
            Q::Health,
            |r| if let A::Health(h) = r { Some(h) } else { None },
        )
    }

    /// A state snapshot, without stopping.
    pub fn get_state(&mut self) -> Result<Option<crate::v1::ModuleState>, ControlError> {
        use crate::server::{ControlRequest as Q, ControlResponse as A};
        self.expect(Q::GetState, |r| {
            if let A::State(s) = r { Some(s) } else { None }
        })
    }

    /// Stop the module and stop serving clients.
    pub fn quiesce(&mut self) -> Result<(), ControlError> {
        use crate::server::{ControlRequest as Q, ControlResponse as A};
        self.expect(Q::Quiesce, |r| matches!(r, A::Quiesced).then_some(()))
    }

    /// The final state of a quiesced server.
    pub fn save_state(&mut self) -> Result<Option<crate::v1::ModuleState>, ControlError> {
        use crate::server::{ControlRequest as Q, ControlResponse as A};
        self.expect(Q::SaveState, |r| {
            if let A::State(s) = r { Some(s) } else { None }
        })
    }

    /// Hand state to a fresh or quiesced server.
    pub fn restore_state(&mut self, state: crate::v1::ModuleState) -> Result<(), ControlError> {
        use crate::server::{ControlRequest as Q, ControlResponse as A};
        self.expect(Q::RestoreState(state), |r| {
            matches!(r, A::Restored).then_some(())
        })
    }

    /// Restart a quiesced server.
    pub fn resume(&mut self) -> Result<(), ControlError> {
        use crate::server::{ControlRequest as Q, ControlResponse as A};
        self.expect(Q::Resume, |r| matches!(r, A::Resumed).then_some(()))
    }

    /// Stop and clean up; the server loop ends.
    pub fn shutdown(&mut self) -> Result<(), ControlError> {
        use crate::server::{ControlRequest as Q, ControlResponse as A};
        self.expect(Q::Shutdown, |r| matches!(r, A::ShutDown).then_some(()))
    }

    /// Deliver `event` to the module (`handle_message` with an `Event`
    /// message; a v2 module's `handle_event`). `Ok(true)` when the module
    /// took it, `Ok(false)` when it answered an error (a module that
    /// handles no events): only the transport can fail the call.
    pub fn event(&mut self, event: &crate::v2::Event) -> Result<bool, ControlError> {
        self.exchange(MessageType::Event, event)?;
        Ok(Frame::parse(&self.reply)?.kind != MessageType::Error)
    }

    /// Send `value` as a frame of `kind`; the answer is in `self.reply`.
    fn exchange<M: WireMessage>(
        &mut self,
        kind: MessageType,
        value: &M,
    ) -> Result<(), ControlError> {
        encode_frame(kind, value, &mut self.request)?;
        self.reply.clear();
        self.transport.call(&self.request, &mut self.reply)?;
        Ok(())
    }

    /// Give back the transport.
    pub fn into_transport(self) -> T {
        self.transport
    }
}

fn control_name(response: &crate::server::ControlResponse) -> &'static str {
    use crate::server::ControlResponse as A;
    match response {
        A::Pong { .. } => "ping",
        A::Health(_) => "health",
        A::State(_) => "state",
        A::Quiesced => "quiesce",
        A::Restored => "restore_state",
        A::Resumed => "resume",
        A::ShutDown => "shutdown",
    }
}
