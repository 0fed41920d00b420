//! Fault messages: how a user fault reaches the thread's fault endpoint and
//! what the handler can answer.
//!
//! A fault stops only the faulting thread. The kernel sends
//! [`FaultMessage::encode`] as a `call` on the thread's behalf (label
//! `FAULT_LABEL`, four words, all in registers); the thread waits for the
//! reply, which [`FaultAnswer::decode`] turns into resume, restart at a new
//! RIP, or destroy. Layout constants live in `helix_abi::fault`.

use helix_abi::fault::{
    FAULT_LABEL, FAULT_MSG_WORDS, FAULT_REPLY_DESTROY, FAULT_REPLY_RESTART, FAULT_REPLY_RESUME,
    FAULT_WORD_ADDRESS, FAULT_WORD_RIP, FAULT_WORD_THREAD, FAULT_WORD_VECTOR,
};
use helix_abi::{MessageInfo, SysError};

use crate::syscall::{UptrError, user_range};
use crate::table::{ObjRef, ThreadId};

/// Vectors a user thread can cause and that are delivered to its fault
/// endpoint: #DE, #DB, #BP, #OF, #BR, #UD, #NM, #GP, #PF, #MF, #AC, #XM, #SS.
/// Anything else in user mode (NMI, #DF, #MC, ...) is a kernel matter.
pub const fn is_user_fault(vector: u8) -> bool {
    matches!(
        vector,
        0 | 1 | 3 | 4 | 5 | 6 | 7 | 12 | 13 | 14 | 16 | 17 | 19
    )
}

/// One fault, as delivered.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FaultMessage {
    /// The faulting thread.
    pub thread: ThreadId,
    /// Exception vector.
    pub vector: u8,
    /// Error code (0 when the vector pushes none).
    pub error_code: u32,
    /// Faulting address (CR2 for #PF, else 0).
    pub address: u64,
    /// RIP of the faulting instruction.
    pub rip: u64,
}

impl FaultMessage {
    /// The message info and the four register words.
    pub fn encode(&self) -> (MessageInfo, [u64; FAULT_MSG_WORDS]) {
        let mut w = [0; FAULT_MSG_WORDS];
        w[FAULT_WORD_THREAD] = self.thread.0.raw();
        w[FAULT_WORD_VECTOR] = u64::from(self.vector) | (u64::from(self.error_code) << 32);
        w[FAULT_WORD_ADDRESS] = self.address;
        w[FAULT_WORD_RIP] = self.rip;
        let info = MessageInfo::new(FAULT_LABEL, FAULT_MSG_WORDS, 0).unwrap_or_default();
        (info, w)
    }

    /// Parse a received fault message (for handlers): `InvalidArgument`
    /// when the label, length or reserved bits are wrong.
    pub fn decode(info: MessageInfo, w: &[u64; FAULT_MSG_WORDS]) -> Result<FaultMessage, SysError> {
        let v = w[FAULT_WORD_VECTOR];
        if info.label() != FAULT_LABEL || info.length() != FAULT_MSG_WORDS || v & 0xffff_ff00 != 0 {
            return Err(SysError::InvalidArgument);
        }
        Ok(FaultMessage {
            thread: ThreadId(ObjRef::from_raw(w[FAULT_WORD_THREAD])),
            vector: v as u8,
            error_code: (v >> 32) as u32,
            address: w[FAULT_WORD_ADDRESS],
            rip: w[FAULT_WORD_RIP],
        })
    }
}

/// The fault handler's decision.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FaultAnswer {
    /// Run the faulting instruction again (after fixing the cause).
    Resume,
    /// Continue at `rip`.
    Restart {
        /// New instruction pointer (user address).
        rip: u64,
    },
    /// Never run the thread again.
    Destroy,
}

impl FaultAnswer {
    /// Read the handler's reply: `InvalidArgument` for an unknown label,
    /// `BadAddress` for a restart address outside user space.
    pub fn decode(info: MessageInfo, words: &[u64; 4]) -> Result<FaultAnswer, SysError> {
        match info.label() {
            FAULT_REPLY_RESUME => Ok(FaultAnswer::Resume),
            FAULT_REPLY_RESTART => {
                user_range(words[0], 1, 1, 1).map_err(|e: UptrError| SysError::from(e))?;
                Ok(FaultAnswer::Restart { rip: words[0] })
            }
            FAULT_REPLY_DESTROY => Ok(FaultAnswer::Destroy),
            _ => Err(SysError::InvalidArgument),
        }
    }

    /// The reply message a handler sends for this answer.
    pub fn encode(&self) -> (MessageInfo, [u64; 4]) {
        let (label, len, rip) = match *self {
            FaultAnswer::Resume => (FAULT_REPLY_RESUME, 0, 0),
            FaultAnswer::Restart { rip } => (FAULT_REPLY_RESTART, 1, rip),
            FaultAnswer::Destroy => (FAULT_REPLY_DESTROY, 0, 0),
        };
        (
            MessageInfo::new(label, len, 0).unwrap_or_default(),
            [rip, 0, 0, 0],
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn fault_messages_round_trip(idx in any::<u32>(), generation in any::<u32>(), vector in any::<u8>(),
                                     error_code in any::<u32>(), address in any::<u64>(), rip in any::<u64>()) {
            let m = FaultMessage { thread: ThreadId(ObjRef::new(idx, generation)), vector, error_code, address, rip };
            let (info, w) = m.encode();
            prop_assert_eq!(info.length(), 4);
            prop_assert_eq!(FaultMessage::decode(info, &w), Ok(m));
        }

        #[test]
        fn answers_decode_or_error(label in 0..8u64, rip in any::<u64>()) {
            let info = MessageInfo::new(label, 1, 0).unwrap();
            match FaultAnswer::decode(info, &[rip, 0, 0, 0]) {
                Ok(a) => {
                    let (i2, w2) = a.encode();
                    prop_assert_eq!(FaultAnswer::decode(i2, &w2), Ok(a));
                }
                Err(e) => prop_assert!(matches!(e, SysError::InvalidArgument | SysError::BadAddress)),
            }
        }
    }

    #[test]
    fn bad_messages_and_vectors() {
        let info = MessageInfo::new(1, 4, 0).unwrap();
        assert_eq!(
            FaultMessage::decode(info, &[0; 4]),
            Err(SysError::InvalidArgument)
        );
        assert_eq!(
            FaultAnswer::decode(
                MessageInfo::new(1, 1, 0).unwrap(),
                &[0xffff_8000_0000_0000, 0, 0, 0]
            ),
            Err(SysError::BadAddress)
        );
        assert!(is_user_fault(14) && is_user_fault(13) && is_user_fault(6) && is_user_fault(0));
        assert!(!is_user_fault(8) && !is_user_fault(2) && !is_user_fault(18));
    }
}
