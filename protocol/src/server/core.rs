//! [`ServerCore`]: one frame in, one reply frame out. No syscalls, no
//! blocking: the loop around it (and the kernel) is somebody else's job.
#![forbid(unsafe_code)]

use alloc::string::String;
use alloc::vec::Vec;

use super::{ControlRequest, ControlResponse, ServerError, ServerMode};
use crate::client::{Transport, TransportError};
use crate::message::{
    DecodeError, Frame, MessagePayload, MessageType, ModuleMessage, encode_frame,
};
use crate::v1::Module;

/// The pure heart of a server: routes request, event and notification
/// frames to the module's `handle_message`, and the module manager's
/// [`ControlRequest`]s to its lifecycle and state methods. v2 modules run
/// here wrapped in [`ModuleAdapter`](crate::v2::ModuleAdapter).
///
/// Replies: a `Response` frame, or an `Error` frame whose body is a
/// [`ServerError`]; a `Notification` gets no reply (empty buffer).
pub struct ServerCore<M: Module> {
    module: M,
    mode: ServerMode,
    served: u64,
}

impl<M: Module> ServerCore<M> {
    /// Serve `module`, which has been initialized and started.
    pub fn new(module: M) -> ServerCore<M> {
        ServerCore {
            module,
            mode: ServerMode::Serving,
            served: 0,
        }
    }

    /// Hold `module`, initialized but not started, quiesced: it takes no
    /// client requests until the module manager restores its state and
    /// sends `Resume` (which starts it). A new version during a hot reload
    /// and a restarted server begin this way.
    pub fn quiesced(module: M) -> ServerCore<M> {
        ServerCore {
            module,
            mode: ServerMode::Quiesced,
            served: 0,
        }
    }

    /// The module.
    pub fn module(&self) -> &M {
        &self.module
    }

    /// The module, mutably.
    pub fn module_mut(&mut self) -> &mut M {
        &mut self.module
    }

    /// Give back the module.
    pub fn into_module(self) -> M {
        self.module
    }

    /// Current mode.
    pub fn mode(&self) -> ServerMode {
        self.mode
    }

    /// Requests served so far.
    pub fn served(&self) -> u64 {
        self.served
    }

    /// True while the runtime should receive on the service endpoint.
    pub fn accepts_clients(&self) -> bool {
        self.mode == ServerMode::Serving
    }

    /// Answer one frame from the trusted (module-manager) path; control
    /// frames are accepted. Returns the reply frame (empty: no reply).
    pub fn handle_frame(&mut self, frame: &[u8]) -> Vec<u8> {
        let mut reply = Vec::new();
        self.handle_frame_into(frame, &mut reply);
        reply
    }

    /// [`handle_frame`](Self::handle_frame) into a reused buffer.
    pub fn handle_frame_into(&mut self, frame: &[u8], reply: &mut Vec<u8>) {
        self.handle(frame, reply, true);
    }

    /// Answer one frame from a client: control frames are refused with
    /// [`ServerError::NotPermitted`].
    pub fn handle_client_frame_into(&mut self, frame: &[u8], reply: &mut Vec<u8>) {
        self.handle(frame, reply, false);
    }

    fn handle(&mut self, bytes: &[u8], reply: &mut Vec<u8>, trusted: bool) {
        reply.clear();
        let result = match Frame::parse(bytes) {
            Err(e) => Err(ServerError::Decode(e)),
            Ok(frame) => match frame.kind {
                MessageType::Control if !trusted => Err(ServerError::NotPermitted),
                MessageType::Control => self.control(frame).and_then(|resp| {
                    encode_frame(MessageType::Response, &resp, reply).map_err(ServerError::Encode)
                }),
                MessageType::Request | MessageType::Event | MessageType::Notification => {
                    self.request(frame, reply)
                }
                found @ (MessageType::Response | MessageType::Error) => {
                    Err(ServerError::Decode(DecodeError::UnexpectedKind {
                        expected: MessageType::Request,
                        found,
                    }))
                }
            },
        };
        if let Err(e) = result
            && encode_frame(MessageType::Error, &e, reply).is_err()
        {
            // Only a gigantic refusal text can fail; this small frame cannot.
            let _ = encode_frame(
                MessageType::Error,
                &ServerError::Refused(String::new()),
                reply,
            );
        }
    }

    fn request(&mut self, frame: Frame<'_>, reply: &mut Vec<u8>) -> Result<(), ServerError> {
        if self.mode != ServerMode::Serving {
            return Err(ServerError::WrongMode(self.mode));
        }
        let payload =
            MessagePayload::from_wire(frame.tag, frame.payload).map_err(ServerError::Decode)?;
        self.served += 1;
        let answer = self
            .module
            .handle_message(ModuleMessage::new(frame.kind, payload));
        if frame.kind == MessageType::Notification {
            reply.clear(); // one-way: nobody waits for an answer
            return Ok(());
        }
        let answer = answer.map_err(ServerError::Module)?;
        if answer.msg_type == MessageType::Error {
            return Err(match answer.payload {
                MessagePayload::Text(reason) => ServerError::Refused(reason),
                other => other
                    .get::<ServerError>()
                    .unwrap_or(ServerError::Refused(String::new())),
            });
        }
        answer.to_frame(reply).map_err(ServerError::Encode)
    }

    fn control(&mut self, frame: Frame<'_>) -> Result<ControlResponse, ServerError> {
        let request: ControlRequest = frame.decode().map_err(ServerError::Decode)?;
        let wrong_mode = Err(ServerError::WrongMode(self.mode));
        if self.mode == ServerMode::Stopped {
            return wrong_mode;
        }
        let quiesced = self.mode == ServerMode::Quiesced;
        Ok(match request {
            ControlRequest::Ping => ControlResponse::Pong {
                served: self.served,
            },
            ControlRequest::Health => ControlResponse::Health(self.module.is_healthy()),
            ControlRequest::GetState => ControlResponse::State(self.module.get_state()),
            ControlRequest::Quiesce => {
                if !quiesced {
                    self.module.stop().map_err(ServerError::Module)?;
                    self.mode = ServerMode::Quiesced;
                }
                ControlResponse::Quiesced
            }
            ControlRequest::SaveState if quiesced => {
                ControlResponse::State(self.module.get_state())
            }
            ControlRequest::RestoreState(state) if quiesced || self.served == 0 => {
                self.module
                    .restore_state(state)
                    .map_err(ServerError::Module)?;
                ControlResponse::Restored
            }
            ControlRequest::Resume if quiesced => {
                self.module.start().map_err(ServerError::Module)?;
                self.mode = ServerMode::Serving;
                ControlResponse::Resumed
            }
            ControlRequest::Shutdown => {
                let stopped = if quiesced { Ok(()) } else { self.module.stop() };
                let cleaned = self.module.cleanup();
                self.mode = ServerMode::Stopped;
                stopped.and(cleaned).map_err(ServerError::Module)?;
                ControlResponse::ShutDown
            }
            ControlRequest::SaveState
            | ControlRequest::RestoreState(_)
            | ControlRequest::Resume => return wrong_mode,
        })
    }
}

/// A core is a loopback transport: a client calls straight into it (on the
/// client path, so control frames are refused).
impl<M: Module> Transport for ServerCore<M> {
    fn call(&mut self, frame: &[u8], reply: &mut Vec<u8>) -> Result<(), TransportError> {
        self.handle_client_frame_into(frame, reply);
        Ok(())
    }
}
