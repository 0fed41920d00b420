//! The protocol's IPC seams over kernel IPC: [`IpcTransport`] (a client's
//! [`Transport`] over `Call`) and [`IpcChannel`] (a server's
//! [`ServerChannel`] over `Recv` / `ReplyRecv` / `Reply`). Frames travel
//! as described in [`super::wire`].
#![forbid(unsafe_code)]

use alloc::vec::Vec;
use helix_abi::ipc::MSG_REG_WORDS;
use helix_abi::{MessageInfo, SysError};
use helix_sys::{Cap, Endpoint, Message, Received, ipcbuf};

use super::wire::{Packed, pack, unpack};
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

/// Rebuild the frame of a received message (words 4.. from the IPC buffer).
fn from_received(r: &Received, out: &mut Vec<u8>) -> bool {
    unpack(
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

impl Transport for IpcTransport {
    fn call(&mut self, frame: &[u8], reply: &mut Vec<u8>) -> Result<(), TransportError> {
        let m = to_message(&pack(frame)?);
        self.caps_received = 0;
        let r = self.endpoint.call(&m).map_err(transport_error)?;
        self.caps_received = r.info.caps();
        // A reply that is not a frame leaves `reply` empty: `NoReply`.
        from_received(&r, reply);
        Ok(())
    }
}

/// A server's endpoint: receives frames from clients and, with
/// [`MANAGER_BADGE`], from the module manager.
///
/// One endpoint carries both paths, so while the server is quiesced
/// clients are not held back in the kernel: their frames still arrive and
/// the server core answers them `WrongMode`.
#[derive(Clone, Copy, Debug)]
pub struct IpcChannel {
    endpoint: Cap<Endpoint>,
}

impl IpcChannel {
    /// Serve on `endpoint` (receive right needed).
    pub const fn new(endpoint: Cap<Endpoint>) -> IpcChannel {
        IpcChannel { endpoint }
    }

    fn take(r: Result<Received, SysError>, frame: &mut Vec<u8>) -> Result<Origin, TransportError> {
        let r = r.map_err(transport_error)?;
        from_received(&r, frame);
        Ok(if r.badge == MANAGER_BADGE {
            Origin::Manager
        } else {
            Origin::Client
        })
    }
}

impl ServerChannel for IpcChannel {
    fn recv(&mut self, frame: &mut Vec<u8>) -> Result<Origin, TransportError> {
        IpcChannel::take(self.endpoint.recv(), frame)
    }

    fn reply_recv(&mut self, reply: &[u8], frame: &mut Vec<u8>) -> Result<Origin, TransportError> {
        let m = match pack(reply) {
            Ok(p) => to_message(&p),
            // The caller hears an empty answer (`NoReply`) rather than waiting forever.
            Err(_) => Message::with_info(MessageInfo::default(), [0; MSG_REG_WORDS]),
        };
        IpcChannel::take(self.endpoint.reply_recv(&m), frame)
    }

    fn reply(&mut self, reply: &[u8]) -> Result<(), TransportError> {
        helix_sys::reply(&to_message(&pack(reply)?)).map_err(transport_error)
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
        let big = alloc::vec![0u8; super::super::wire::MAX_FRAME + 1];
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
