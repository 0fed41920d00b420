//! The name service from a process's side: ask the module manager (on the
//! report endpoint every process holds) for the provider of an interface
//! and receive a send-only cap to it into a slot of one's own.
#![forbid(unsafe_code)]

use alloc::string::String;
use core::fmt;

use helix_abi::ipc::buffer::{RECV_COUNT, RECV_SLOT};
use helix_sys::{Cap, Endpoint, ipcbuf};

use super::ipc::IpcTransport;
use super::process::slots;
use crate::client::CallError;
use crate::interfaces::modmgr::{LookupAnswer, ManagerClient, ManagerError};

/// Why a lookup gave no cap.
#[derive(Clone, Debug, PartialEq)]
pub enum LookupError {
    /// The manager answered with an error (not provided, bad constraint).
    Refused(ManagerError),
    /// The call itself failed.
    Call(CallError<ManagerError>),
    /// The manager answered but no cap arrived (the slot was occupied?).
    NoCap,
}

impl fmt::Display for LookupError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LookupError::Refused(e) => write!(f, "lookup refused: {e}"),
            LookupError::Call(e) => write!(f, "lookup call failed: {e:?}"),
            LookupError::NoCap => f.write_str("lookup answered without a cap"),
        }
    }
}

impl core::error::Error for LookupError {}

/// A cap to the provider of `interface` (a semver `constraint` such as
/// `"^1.0"`), placed in `slot` (empty) of the caller's CSpace.
pub fn lookup(
    interface: &str,
    constraint: &str,
    slot: u32,
) -> Result<(Cap<Endpoint>, LookupAnswer), LookupError> {
    ipcbuf::set(RECV_SLOT, u64::from(slot));
    ipcbuf::set(RECV_COUNT, 1);
    let mut mgr = ManagerClient::new(IpcTransport::new(Cap::from_slot(slots::REPORT)));
    let answer = mgr.lookup(String::from(interface), String::from(constraint));
    let caps = mgr.raw().transport_mut().caps_received();
    ipcbuf::set(RECV_COUNT, 0);
    match answer {
        Ok(a) if caps == 1 => Ok((Cap::from_slot(slot), a)),
        Ok(_) => Err(LookupError::NoCap),
        Err(CallError::Remote(e)) => Err(LookupError::Refused(e)),
        Err(e) => Err(LookupError::Call(e)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn without_a_kernel_the_call_fails() {
        assert!(matches!(
            lookup("kv", "^1.0", 70),
            Err(LookupError::Call(_))
        ));
    }
}
