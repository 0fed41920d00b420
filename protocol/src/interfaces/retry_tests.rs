//! Idempotent methods are repeated when their server died holding the
//! call; others report the death.

use alloc::vec::Vec;
use serde::{Deserialize, Serialize};

use crate::client::{CallError, Transport, TransportError};
use crate::interfaces::Interface;
use crate::message::{MessageType, encode_frame};

/// The test interface's error.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum NoError {}

crate::define_interface! {
    /// A test interface with one idempotent method.
    interface Probe {
        name: "probe",
        version: (1, 0),
        error: NoError,
        request: ProbeRequest,
        response: ProbeResponse,
        handler: ProbeHandler,
        client: ProbeClient,
        idempotent: [read],
        methods {
            /// Safe to repeat.
            fn read() -> u64 => Read;
            /// Not safe to repeat.
            fn bump() -> u64 => Bump;
        }
    }
}

/// Fails the first `deaths` calls with `ServerGone`, then answers 7.
struct Dying {
    deaths: u32,
    calls: u32,
}

impl Transport for Dying {
    fn call(&mut self, frame: &[u8], reply: &mut Vec<u8>) -> Result<(), TransportError> {
        self.calls += 1;
        if self.deaths > 0 {
            self.deaths -= 1;
            return Err(TransportError::ServerGone);
        }
        let req: ProbeRequest = crate::message::decode_frame(MessageType::Request, frame)
            .map_err(|_| TransportError::NoReply)?;
        let resp = match req {
            ProbeRequest::Read {} => ProbeResponse::Read(Ok(7)),
            ProbeRequest::Bump {} => ProbeResponse::Bump(Ok(7)),
        };
        encode_frame(MessageType::Response, &resp, reply).map_err(|_| TransportError::NoReply)
    }
}

#[test]
fn idempotent_calls_are_repeated_after_the_server_died() {
    assert_eq!(Probe::IDEMPOTENT, ["read"]);
    let mut c = ProbeClient::new(Dying {
        deaths: 2,
        calls: 0,
    });
    assert_eq!(c.read(), Ok(7));
    assert_eq!(c.raw().transport_mut().calls, 3, "two repeats");
    let mut c = ProbeClient::new(Dying {
        deaths: 9,
        calls: 0,
    });
    assert_eq!(
        c.read(),
        Err(CallError::Transport(TransportError::ServerGone))
    );
    assert_eq!(c.raw().transport_mut().calls, 4, "bounded: three repeats");
}

#[test]
fn other_calls_report_the_death() {
    let mut c = ProbeClient::new(Dying {
        deaths: 1,
        calls: 0,
    });
    assert_eq!(
        c.bump(),
        Err(CallError::Transport(TransportError::ServerGone))
    );
    assert_eq!(c.into_transport().calls, 1, "not repeated");
}
