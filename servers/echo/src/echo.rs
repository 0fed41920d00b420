//! The `echo` interface v1.0 and a server for it that counts its calls.

use alloc::string::String;
use serde::{Deserialize, Serialize};

/// Why an `echo` call failed (it does not).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum EchoError {
    /// Never returned; the interface needs an error type.
    Never,
}

impl core::fmt::Display for EchoError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("echo failed")
    }
}

helix_protocol::define_interface! {
    /// An echo service (`"echo"` v1.0).
    interface Echo {
        name: "echo",
        version: (1, 0),
        error: EchoError,
        request: EchoRequest,
        response: EchoResponse,
        handler: EchoHandler,
        client: EchoClient,
        methods {
            /// `text`, back.
            fn echo(text: String) -> String => Echo;
            /// Calls answered so far.
            fn count() -> u64 => Count;
        }
    }
}

/// The state of an echo server.
#[derive(Debug, Default)]
pub struct EchoServer {
    /// Calls answered.
    pub calls: u64,
}

impl EchoHandler for EchoServer {
    fn echo(&mut self, text: String) -> Result<String, EchoError> {
        self.calls += 1;
        Ok(text)
    }
    fn count(&mut self) -> Result<u64, EchoError> {
        self.calls += 1;
        Ok(self.calls)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use helix_protocol::interfaces::Dispatch;

    #[test]
    fn echoes_and_counts_its_calls() {
        let mut s = EchoServer::default();
        let r = Dispatch::<Echo>::dispatch(&mut s, EchoRequest::Echo { text: "hi".into() });
        assert_eq!(r, EchoResponse::Echo(Ok("hi".into())));
        assert_eq!(s.echo(String::new()), Ok(String::new()));
        assert_eq!(s.count(), Ok(3));
    }
}
