//! Messages and the syscalls that are not object methods: IPC on raw
//! slots, notifications' `signal`/`wait`/`poll`, `yield`, `DebugWrite`.
//! The typed handles in [`crate::caps`] call these.

use helix_abi::ipc::MSG_REG_WORDS;
use helix_abi::{MessageInfo, SysError, Syscall};

use crate::arch::{Regs, syscall};

/// A message to send: info word plus the four register words.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Message {
    /// Label, length, number of caps.
    pub info: MessageInfo,
    /// Words 0..4 (`rdx`, `r10`, `r8`, `r9`).
    pub words: [u64; MSG_REG_WORDS],
}

impl Message {
    /// A message with `label` and up to four register words.
    pub fn new(label: u64, words: &[u64]) -> Message {
        let n = words.len().min(MSG_REG_WORDS);
        let mut w = [0; MSG_REG_WORDS];
        w[..n].copy_from_slice(&words[..n]);
        Message {
            info: MessageInfo::new(label & ((1 << 48) - 1), n, 0).unwrap_or_default(),
            words: w,
        }
    }

    /// The same message with an explicit info word (longer messages keep
    /// words 4.. in the IPC buffer; `caps` caps named in the buffer).
    pub fn with_info(info: MessageInfo, words: [u64; MSG_REG_WORDS]) -> Message {
        Message { info, words }
    }
}

/// What a receive returned.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Received {
    /// Badge of the sender's cap (0 for replies).
    pub badge: u64,
    /// Label, length and the number of caps that arrived.
    pub info: MessageInfo,
    /// Words 0..4.
    pub words: [u64; MSG_REG_WORDS],
}

pub(crate) fn result(rax: u64) -> Result<(), SysError> {
    SysError::from_raw(rax).unwrap_or(Err(SysError::InvalidSyscall))
}

pub(crate) fn sys(nr: Syscall, a: Regs) -> Result<Regs, SysError> {
    let (rax, out) = syscall(nr.raw(), a);
    result(rax).map(|()| out)
}

fn msg_regs(first: u64, m: &Message) -> Regs {
    [
        first,
        m.info.raw(),
        m.words[0],
        m.words[1],
        m.words[2],
        m.words[3],
    ]
}

pub(crate) fn received(out: Regs) -> Received {
    Received {
        badge: out[0],
        info: MessageInfo::from_raw(out[1]).unwrap_or_default(),
        words: [out[2], out[3], out[4], out[5]],
    }
}

/// `Send` (1) or `NbSend` (2) on the endpoint in `slot`.
pub(crate) fn send(slot: u32, m: &Message, blocking: bool) -> Result<(), SysError> {
    let nr = if blocking {
        Syscall::Send
    } else {
        Syscall::NbSend
    };
    sys(nr, msg_regs(u64::from(slot), m)).map(|_| ())
}

/// `Call` (3) on the endpoint in `slot`.
pub(crate) fn call(slot: u32, m: &Message) -> Result<Received, SysError> {
    sys(Syscall::Call, msg_regs(u64::from(slot), m)).map(received)
}

/// `Recv` (4) or `NbRecv` (5) on an endpoint or notification slot.
pub(crate) fn recv(slot: u32, blocking: bool) -> Result<Received, SysError> {
    let nr = if blocking {
        Syscall::Recv
    } else {
        Syscall::NbRecv
    };
    sys(nr, [u64::from(slot), 0, 0, 0, 0, 0]).map(received)
}

/// `ReplyRecv` (7): answer the pending call, then receive on `slot`.
pub(crate) fn reply_recv(slot: u32, m: &Message) -> Result<Received, SysError> {
    sys(Syscall::ReplyRecv, msg_regs(u64::from(slot), m)).map(received)
}

/// `Reply` (6): answer the call this thread received last (seL4's implicit
/// reply object; Helix never puts Reply caps in a CSpace).
pub fn reply(m: &Message) -> Result<(), SysError> {
    sys(Syscall::Reply, msg_regs(0, m)).map(|_| ())
}

/// `Yield` (11): let another ready thread of the same priority run.
pub fn yield_now() {
    let _ = sys(Syscall::Yield, [0; 6]);
}

/// `DebugWrite` (0): print up to 256 bytes on the kernel's debug console.
pub fn debug_write(bytes: &[u8]) -> Result<(), SysError> {
    sys(
        Syscall::DebugWrite,
        [bytes.as_ptr() as u64, bytes.len() as u64, 0, 0, 0, 0],
    )
    .map(|_| ())
}

/// Any syscall with raw registers, for tests that feed the kernel garbage
/// on purpose. Returns `rax` unchanged (0 or an error code, or anything
/// the kernel answered).
pub fn raw_syscall(nr: u64, a: [u64; 6]) -> (u64, [u64; 6]) {
    syscall(nr, a)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn message_words_truncate_and_label_fits() {
        let m = Message::new(7, &[1, 2, 3, 4, 5]);
        assert_eq!(m.info.length(), 4);
        assert_eq!(m.words, [1, 2, 3, 4]);
        assert_eq!(m.info.label(), 7);
    }

    #[test]
    fn host_calls_fail_cleanly() {
        assert_eq!(debug_write(b"x"), Err(SysError::InvalidSyscall));
        assert_eq!(result(999), Err(SysError::InvalidSyscall));
    }
}
