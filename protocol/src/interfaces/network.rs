//! The `network` interface: send, recv, bind, listen.
#![forbid(unsafe_code)]

use alloc::vec::Vec;
use serde::{Deserialize, Serialize};

use super::define::error_messages;

/// A socket, as numbered by the network server for this client.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(test, derive(proptest_derive::Arbitrary))]
pub struct SocketId(pub u32);

/// An IPv4 address and port.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(test, derive(proptest_derive::Arbitrary))]
pub struct SocketAddr {
    /// IPv4 address, network order.
    pub ip: [u8; 4],
    /// Port.
    pub port: u16,
}

/// Transport protocol of a socket.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(test, derive(proptest_derive::Arbitrary))]
pub enum Protocol {
    /// Stream (TCP).
    Tcp,
    /// Datagram (UDP).
    Udp,
}

/// Why a network call failed.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(test, derive(proptest_derive::Arbitrary))]
pub enum NetError {
    /// The address is taken.
    AddrInUse,
    /// The socket is not open.
    BadSocket,
    /// Nothing to receive / no buffer space now.
    WouldBlock,
    /// The socket has no peer.
    NotConnected,
    /// The peer reset the connection.
    ConnectionReset,
    /// The address cannot be used.
    InvalidAddress,
}

error_messages!(NetError {
    AddrInUse => "address in use",
    BadSocket => "bad socket",
    WouldBlock => "operation would block",
    NotConnected => "not connected",
    ConnectionReset => "connection reset",
    InvalidAddress => "invalid address",
});

crate::define_interface! {
    /// The network-stack interface (`"network"` v1.0).
    interface Network {
        name: "network",
        version: (1, 0),
        error: NetError,
        request: NetworkRequest,
        response: NetworkResponse,
        handler: NetworkHandler,
        client: NetworkClient,
        derive_extra: [#[cfg_attr(test, derive(proptest_derive::Arbitrary))]],
        methods {
            /// Send `data` on a socket; returns the bytes accepted.
            fn send(socket: SocketId, data: Vec<u8>) -> u32 => Send;
            /// Receive up to `max_len` bytes.
            fn recv(socket: SocketId, max_len: u32) -> Vec<u8> => Recv;
            /// Open a socket bound to `addr`.
            fn bind(addr: SocketAddr, protocol: Protocol) -> SocketId => Bind;
            /// Accept connections on a bound TCP socket.
            fn listen(socket: SocketId, backlog: u32) -> () => Listen;
        }
    }
}
