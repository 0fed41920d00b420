//! Messages forwarded to a server over a [`Transport`], and the mapping of
//! transport, server and control errors onto the [`ModuleError`] a
//! `Module` or `ModuleInterface` method has to return.
#![forbid(unsafe_code)]

use alloc::vec::Vec;
use helix_abi::SysError;
use helix_protocol::client::{CallError, ControlError, Transport, TransportError};
use helix_protocol::server::ServerError;
use helix_protocol::{DecodeError, MessagePayload, MessageType, ModuleError, ModuleMessage};

/// Reused frame buffers of one link to a server.
#[derive(Debug, Default)]
pub(crate) struct Buffers {
    frame: Vec<u8>,
    reply: Vec<u8>,
}

/// Send `msg` to the server behind `transport` as a client would and bring
/// its answer back as a message.
///
/// - `Request` and `Event` messages are sent; the server's `Response` comes
///   back as is. A refusal with a reason (`ServerError::Refused`, what a v2
///   module's `Response::err` becomes) comes back as an `Error` message
///   with the reason as `Text`, the inverse of what the server core does;
///   every other error frame is an `Err`.
/// - `Control` messages are refused (`PermissionDenied`) without sending:
///   whoever hands a message to a proxy is a client, not the manager.
/// - `Notification`s are refused (`NotSupported`): a server sends no answer
///   to them, and a `Transport` only knows `call`, which would wait for one.
/// - `Response` and `Error` messages are not requests (`InvalidArgument`).
pub(crate) fn forward<T: Transport + ?Sized>(
    transport: &mut T,
    buffers: &mut Buffers,
    msg: &ModuleMessage,
) -> Result<ModuleMessage, ModuleError> {
    match msg.msg_type {
        MessageType::Request | MessageType::Event => {}
        MessageType::Control => return Err(ModuleError::PermissionDenied),
        MessageType::Notification => return Err(ModuleError::NotSupported),
        MessageType::Response | MessageType::Error => return Err(ModuleError::InvalidArgument),
    }
    msg.to_frame(&mut buffers.frame)?;
    buffers.reply.clear();
    transport
        .call(&buffers.frame, &mut buffers.reply)
        .map_err(transport_error)?;
    if buffers.reply.is_empty() {
        return Err(transport_error(TransportError::NoReply));
    }
    let answer = ModuleMessage::from_frame(&buffers.reply)?;
    match answer.msg_type {
        MessageType::Response => Ok(answer),
        MessageType::Error => match answer.payload.into_value::<ServerError>()? {
            ServerError::Refused(reason) => Ok(ModuleMessage::new(
                MessageType::Error,
                MessagePayload::Text(reason),
            )),
            other => Err(server_error(other)),
        },
        found => Err(ModuleError::Decode(DecodeError::UnexpectedKind {
            expected: MessageType::Response,
            found,
        })),
    }
}

/// A failed IPC as a module error.
pub(crate) fn transport_error(e: TransportError) -> ModuleError {
    match e {
        // The server process is gone (or its endpoint was revoked).
        TransportError::Disconnected | TransportError::ServerGone => ModuleError::NotFound,
        TransportError::MessageTooLong => ModuleError::InvalidArgument,
        // The server answered nothing: it is not following the protocol.
        TransportError::NoReply => ModuleError::InvalidState,
        TransportError::Sys(e) => sys_error(e),
    }
}

fn sys_error(e: SysError) -> ModuleError {
    match e {
        SysError::InvalidSyscall => ModuleError::NotSupported,
        SysError::InvalidCap
        | SysError::EmptySlot
        | SysError::WrongType
        | SysError::Revoked
        | SysError::PartnerGone => ModuleError::NotFound,
        SysError::NoRights => ModuleError::PermissionDenied,
        SysError::BadAddress
        | SysError::InvalidArgument
        | SysError::MessageTooLong
        | SysError::SlotOccupied => ModuleError::InvalidArgument,
        SysError::OutOfMemory => ModuleError::OutOfMemory,
        SysError::WouldBlock | SysError::TimedOut => ModuleError::Busy,
        SysError::InvalidState => ModuleError::InvalidState,
    }
}

/// An error frame's reason as a module error; the module's own error
/// passes through unchanged.
pub(crate) fn server_error(e: ServerError) -> ModuleError {
    match e {
        ServerError::Module(e) => e,
        ServerError::Decode(e) => ModuleError::Decode(e),
        ServerError::Encode(e) => ModuleError::Encode(e),
        // Control calls carry no reasons; a refusal means "not done".
        ServerError::Refused(_) => ModuleError::NotSupported,
        // Quiesced, stopped, or not yet allowed in this mode.
        ServerError::WrongMode(_) => ModuleError::InvalidState,
        ServerError::NotPermitted => ModuleError::PermissionDenied,
    }
}

/// A failed control call as a module error.
pub(crate) fn control_error(e: ControlError) -> ModuleError {
    match e {
        CallError::Encode(e) => ModuleError::Encode(e),
        CallError::Transport(e) => transport_error(e),
        CallError::Decode(e) => ModuleError::Decode(e),
        CallError::Server(e) => server_error(e),
        CallError::Remote(never) => match never {},
        // The server answered another control message: out of protocol.
        CallError::UnexpectedReply { .. } => ModuleError::InvalidState,
    }
}
