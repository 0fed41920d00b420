//! Control messages of the module manager, and the error frame body.
#![forbid(unsafe_code)]

use alloc::string::String;
use core::fmt;
use serde::{Deserialize, Serialize};

use crate::error::ModuleError;
use crate::message::{DecodeError, EncodeError};
use crate::v1::ModuleState;

/// Lifecycle mode of a server.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ServerMode {
    /// Serving client requests.
    Serving,
    /// Stopped for a hot reload: clients wait in the kernel, control
    /// messages are still answered.
    Quiesced,
    /// Shut down; the process is about to exit.
    Stopped,
}

/// A message from the module manager (accepted only on the control path).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ControlRequest {
    /// Liveness probe.
    Ping,
    /// Ask `is_healthy`.
    Health,
    /// Snapshot the state without stopping (checkpoint for self-healing).
    GetState,
    /// Finish the current request, `stop` the module, stop taking client requests.
    Quiesce,
    /// The final state for a reload; only when quiesced.
    SaveState,
    /// Hand state to a fresh (nothing served yet) or quiesced instance.
    RestoreState(ModuleState),
    /// `start` again and resume serving (rollback of a failed reload).
    Resume,
    /// `stop` and `cleanup`; the loop ends.
    Shutdown,
}

crate::wire_message!(ControlRequest, "helix/ControlRequest", 1, 0);

/// The answer to a [`ControlRequest`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ControlResponse {
    /// Answer to `Ping`: requests served so far.
    Pong {
        /// Requests served since start.
        served: u64,
    },
    /// Answer to `Health`.
    Health(bool),
    /// Answer to `GetState` and `SaveState`.
    State(Option<ModuleState>),
    /// The server is quiesced.
    Quiesced,
    /// The state was restored.
    Restored,
    /// The server serves again.
    Resumed,
    /// The server shut down.
    ShutDown,
}

crate::wire_message!(ControlResponse, "helix/ControlResponse", 1, 0);

/// Why a server answered a frame with an error frame.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ServerError {
    /// The request frame could not be decoded.
    Decode(DecodeError),
    /// The reply could not be encoded.
    Encode(EncodeError),
    /// The module returned an error.
    Module(ModuleError),
    /// The module refused the request with a reason (v2 `Response::err`).
    Refused(String),
    /// The frame is not valid in the server's mode.
    WrongMode(ServerMode),
    /// A control frame arrived on the client path.
    NotPermitted,
}

crate::wire_message!(ServerError, "helix/ServerError", 1, 0);

impl fmt::Display for ServerError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ServerError::Decode(e) => write!(f, "bad request: {e}"),
            ServerError::Encode(e) => write!(f, "reply not encodable: {e}"),
            ServerError::Module(e) => write!(f, "module: {e}"),
            ServerError::Refused(reason) => write!(f, "refused: {reason}"),
            ServerError::WrongMode(mode) => write!(f, "not valid while {mode:?}"),
            ServerError::NotPermitted => {
                f.write_str("control messages are for the module manager only")
            }
        }
    }
}

impl core::error::Error for ServerError {}
