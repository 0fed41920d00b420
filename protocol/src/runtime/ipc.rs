//! The protocol's IPC seams over kernel IPC: [`IpcTransport`] (a client's
//! [`Transport`] over `Call`) and [`IpcChannel`] (a server's
//! [`ServerChannel`] over `Recv` / `ReplyRecv` / `Reply`). Frames travel
//! as described in [`super::wire`]; frames longer than one message travel
//! in pieces as described in [`super::chunk`].
#![forbid(unsafe_code)]

use alloc::vec::Vec;
use helix_abi::ipc::MSG_REG_WORDS;
use helix_abi::{MessageInfo, SysError};
use helix_sys::{Cap, Endpoint, Message, Received, ipcbuf};

use super::chunk::{
    ChunkError, Kind, MAX_LONG_FRAME, MAX_TRUSTED_FRAME, Pending, Step, pieces, reserve_declared,
};
use super::wire::{MAX_FRAME, Packed, pack_kind, unpack_append};
use crate::client::{Transport, TransportError};
use crate::server::{Origin, ServerChannel};

/// Frames that arrive with this badge take the control path
/// ([`Origin::Manager`]); every other badge (including none) is a client.
pub use helix_abi::process::MANAGER_BADGE;

/// Put a packed frame into a message: words 0..4 in registers, the rest
/// written to the IPC buffer now.
fn to_message(p: &Packed) -> Message {
    for i in MSG_REG_WORDS..p.info.length() {
        ipcbuf::set(i, p.words[i]);
    }
    let mut regs = [0u64; MSG_REG_WORDS];
    regs.copy_from_slice(&p.words[..MSG_REG_WORDS]);
    Message::with_info(p.info, regs)
}

/// One message of `kind` carrying `bytes` (at most one message long; words
/// 4.. are written to the IPC buffer now).
pub fn message(kind: Kind, bytes: &[u8]) -> Message {
    match pack_kind(kind, bytes) {
        Ok(p) => to_message(&p),
        // Cannot happen for pieces; the peer hears an empty answer.
        Err(_) => Message::with_info(MessageInfo::default(), [0; MSG_REG_WORDS]),
    }
}

/// Append the bytes of a received message (words 4.. from the IPC buffer)
/// to `out`; its kind, or `None` for a message that is not a frame.
pub fn append_received(r: &Received, out: &mut Vec<u8>) -> Option<Kind> {
    unpack_append(
        r.info,
        |i| {
            if i < MSG_REG_WORDS {
                r.words[i]
            } else {
                ipcbuf::get(i)
            }
        },
        out,
    )
}

fn transport_error(e: SysError) -> TransportError {
    match e {
        SysError::MessageTooLong => TransportError::MessageTooLong,
        SysError::Revoked | SysError::EmptySlot => TransportError::Disconnected,
        SysError::PartnerGone => TransportError::ServerGone,
        other => TransportError::Sys(other),
    }
}

fn chunk_error(e: ChunkError) -> TransportError {
    match e {
        ChunkError::TooLong(_) => TransportError::MessageTooLong,
        ChunkError::OutOfTurn => TransportError::NoReply,
    }
}

/// A client's way to a server: `Call` on an endpoint cap (send right
/// suffices).
#[derive(Clone, Copy, Debug)]
pub struct IpcTransport {
    endpoint: Cap<Endpoint>,
    caps_received: usize,
}

impl IpcTransport {
    /// Call the server behind `endpoint`.
    pub const fn new(endpoint: Cap<Endpoint>) -> IpcTransport {
        IpcTransport {
            endpoint,
            caps_received: 0,
        }
    }

    /// Caps that arrived with the last reply (into the receive window the
    /// caller set in its IPC buffer before the call).
    pub fn caps_received(&self) -> usize {
        self.caps_received
    }
}

/// How many times a client sends a long request again when the server
/// asks (`Resend`: it lost the start, e.g. a hot reload came between).
const MAX_RESENDS: u32 = 4;

/// The frame kind of a received message, if it is one.
fn kind_of(r: &Received) -> Option<Kind> {
    Kind::from_tag(r.info.label() >> 16)
}

impl IpcTransport {
    /// Send `frame` in pieces; the server's answer to the last one. A
    /// `Resend` answer starts the frame over (at most [`MAX_RESENDS`]
    /// times).
    fn send_pieces(&mut self, frame: &[u8]) -> Result<Received, TransportError> {
        let mut resends = 0;
        'frame: loop {
            for (kind, piece) in pieces(frame).map_err(chunk_error)? {
                let r = self
                    .endpoint
                    .call(&message(kind, piece))
                    .map_err(transport_error)?;
                match (kind, kind_of(&r)) {
                    (_, Some(Kind::Resend)) if resends < MAX_RESENDS => {
                        resends += 1;
                        continue 'frame;
                    }
                    (Kind::First | Kind::Part, Some(Kind::Ack)) => {}
                    (Kind::First | Kind::Part, _) => {
                        return Err(chunk_error(ChunkError::OutOfTurn));
                    }
                    _ => return Ok(r),
                }
            }
            return Err(TransportError::NoReply);
        }
    }
}

impl Transport for IpcTransport {
    fn call(&mut self, frame: &[u8], reply: &mut Vec<u8>) -> Result<(), TransportError> {
        self.caps_received = 0;
        reply.clear();
        let mut r = self.send_pieces(frame)?;
        self.caps_received = r.info.caps();
        loop {
            let first = reply.is_empty();
            match append_received(&r, reply) {
                Some(Kind::Whole) => return Ok(()),
                Some(Kind::Part) => {
                    if first {
                        reserve_declared(reply, MAX_TRUSTED_FRAME);
                    }
                    r = self
                        .endpoint
                        .call(&message(Kind::Next, &[]))
                        .map_err(transport_error)?;
                }
                // A reply that is not a frame leaves `reply` empty: `NoReply`.
                _ => {
                    reply.clear();
                    return Ok(());
                }
            }
        }
    }
}

/// A server's endpoint: receives frames from clients and, with
/// [`MANAGER_BADGE`], from the module manager; carries long frames in
/// pieces, keyed by the caller's badge.
///
/// One endpoint carries both paths, so while the server is quiesced
/// clients are not held back in the kernel: their frames still arrive and
/// the server core answers them `WrongMode`.
#[derive(Debug)]
pub struct IpcChannel {
    endpoint: Cap<Endpoint>,
    /// The control endpoint (module manager only), when there is one: the
    /// server receives on it alone while quiesced.
    control: Option<Cap<Endpoint>>,
    accepting: bool,
    pending: Pending,
    /// Badge of the caller whose request is being served.
    caller: u64,
}

impl IpcChannel {
    /// Serve on `endpoint` (receive right needed).
    pub fn new(endpoint: Cap<Endpoint>) -> IpcChannel {
        IpcChannel {
            endpoint,
            control: None,
            accepting: true,
            pending: Pending::new(),
            caller: 0,
        }
    }

    /// The same channel with a control endpoint: while the server is
    /// quiesced it receives there only, so its clients wait in the kernel
    /// on the service endpoint (nothing is lost, nobody is answered with
    /// an error) until it, or the version that replaces it, serves again.
    pub fn with_control(mut self, control: Cap<Endpoint>) -> IpcChannel {
        self.control = Some(control);
        self
    }

    /// The endpoint the next receive waits on.
    fn source(&self) -> (Cap<Endpoint>, bool) {
        match self.control {
            Some(c) if !self.accepting => (c, true),
            _ => (self.endpoint, false),
        }
    }

    /// Answer the protocol's own messages (pieces, `Next`) until a whole
    /// request is in `frame`, starting with `r`.
    fn take(
        &mut self,
        mut r: Result<Received, SysError>,
        frame: &mut Vec<u8>,
    ) -> Result<Origin, TransportError> {
        let mut retried = false;
        loop {
            let (source, on_control) = self.source();
            // A quiesced server the manager suspended (a hot reload keeps
            // the old version for rollback) comes back from its receive
            // with `Revoked` when it is resumed: receive once more.
            if r == Err(SysError::Revoked) && on_control && !retried {
                retried = true;
                r = source.recv();
                continue;
            }
            let got = r.map_err(transport_error)?;
            retried = false;
            // The message is unpacked into the caller's frame buffer (kept
            // across requests), so a whole request costs no allocation.
            let mut bytes = core::mem::take(frame);
            bytes.clear();
            let limit = if on_control || got.badge == MANAGER_BADGE {
                MAX_TRUSTED_FRAME
            } else {
                MAX_LONG_FRAME
            };
            let step = match append_received(&got, &mut bytes) {
                Some(kind) => self.pending.receive_up_to(got.badge, kind, bytes, limit),
                // Not a frame: serve it as an empty request (the core
                // answers with a decode error).
                None => {
                    bytes.clear();
                    Step::Request(bytes)
                }
            };
            let answer = match step {
                Step::Request(req) => {
                    *frame = req;
                    self.caller = got.badge;
                    return Ok(if on_control || got.badge == MANAGER_BADGE {
                        Origin::Manager
                    } else {
                        Origin::Client
                    });
                }
                Step::Ack => message(Kind::Ack, &[]),
                Step::Resend => message(Kind::Resend, &[]),
                Step::Reply(kind, piece) => message(kind, &piece),
                Step::Reject => Message::with_info(MessageInfo::default(), [0; MSG_REG_WORDS]),
            };
            r = source.reply_recv(&answer);
        }
    }

    /// The first message of the reply to the current caller.
    fn first_piece(&mut self, reply: &[u8]) -> Message {
        if reply.len() <= MAX_FRAME {
            return message(Kind::Whole, reply);
        }
        match self.pending.reply(self.caller, reply.to_vec()) {
            Step::Reply(kind, piece) => message(kind, &piece),
            // The caller hears an empty answer (`NoReply`) rather than waiting forever.
            _ => Message::with_info(MessageInfo::default(), [0; MSG_REG_WORDS]),
        }
    }
}

impl ServerChannel for IpcChannel {
    fn recv(&mut self, frame: &mut Vec<u8>) -> Result<Origin, TransportError> {
        let r = self.source().0.recv();
        self.take(r, frame)
    }

    fn reply_recv(&mut self, reply: &[u8], frame: &mut Vec<u8>) -> Result<Origin, TransportError> {
        let m = self.first_piece(reply);
        let r = self.source().0.reply_recv(&m);
        self.take(r, frame)
    }

    fn set_accepting_clients(&mut self, accepting: bool) {
        self.accepting = accepting;
    }

    fn reply(&mut self, reply: &[u8]) -> Result<(), TransportError> {
        let m = self.first_piece(reply);
        helix_sys::reply(&m).map_err(transport_error)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn without_a_kernel_calls_fail_with_the_kernel_error() {
        let mut t = IpcTransport::new(Cap::from_slot(4));
        let mut reply = Vec::new();
        assert_eq!(
            t.call(b"frame", &mut reply),
            Err(TransportError::Sys(SysError::InvalidSyscall))
        );
        let big = alloc::vec![0u8; super::super::chunk::MAX_TRUSTED_FRAME + 1];
        assert_eq!(
            t.call(&big, &mut reply),
            Err(TransportError::MessageTooLong)
        );
        let mut c = IpcChannel::new(Cap::from_slot(4));
        assert_eq!(
            c.recv(&mut reply),
            Err(TransportError::Sys(SysError::InvalidSyscall))
        );
    }

    #[test]
    fn kernel_errors_map_to_transport_errors() {
        assert_eq!(
            transport_error(SysError::Revoked),
            TransportError::Disconnected
        );
        assert_eq!(
            transport_error(SysError::PartnerGone),
            TransportError::ServerGone
        );
        assert_eq!(
            transport_error(SysError::MessageTooLong),
            TransportError::MessageTooLong
        );
        assert_eq!(
            transport_error(SysError::NoRights),
            TransportError::Sys(SysError::NoRights)
        );
    }
}
