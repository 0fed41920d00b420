//! Decode raw syscall registers into a fully validated [`Invocation`].
//!
//! Everything that can be checked without kernel state is checked here:
//! the syscall and method numbers, slot numbers (fit in 32 bits), message
//! info, rights masks, object types and sizes, priorities, IRQ and port
//! numbers, and user pointers. Registers a call does not use must be zero
//! (`InvalidArgument`), so they can gain meaning later. Message word
//! registers beyond the message length are ignored and read as zero.

use helix_abi::ipc::MSG_REG_WORDS;
use helix_abi::{MessageInfo, SysError, Syscall};

use super::calls::ObjectCall;
use super::methods::decode_method;
use super::uptr::{UserSlice, user_range};

/// The most bytes one `DebugWrite` may print.
pub const DEBUG_WRITE_MAX: u64 = 256;

/// The registers of a `syscall` as the entry stub saved them.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct SyscallRegs {
    /// Syscall number.
    pub rax: u64,
    /// Argument 0.
    pub rdi: u64,
    /// Argument 1.
    pub rsi: u64,
    /// Argument 2.
    pub rdx: u64,
    /// Argument 3.
    pub r10: u64,
    /// Argument 4.
    pub r8: u64,
    /// Argument 5.
    pub r9: u64,
}

/// A message's info word and its register words (zero past the length).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct MsgRegs {
    /// Label, length, cap count.
    pub info: MessageInfo,
    /// Words 0..4 (`rdx`, `r10`, `r8`, `r9`).
    pub words: [u64; MSG_REG_WORDS],
}

/// A decoded syscall.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Invocation {
    /// Print bytes on the debug console.
    DebugWrite(UserSlice),
    /// `send` (blocking) or `nb_send`.
    Send {
        /// Endpoint slot.
        ep: u32,
        /// The message.
        msg: MsgRegs,
        /// False for `nb_send`.
        blocking: bool,
    },
    /// `call`.
    Call {
        /// Endpoint slot.
        ep: u32,
        /// The message.
        msg: MsgRegs,
    },
    /// `recv` (blocking) or `nb_recv`, on an endpoint or notification.
    Recv {
        /// Endpoint or notification slot.
        src: u32,
        /// False for `nb_recv`.
        blocking: bool,
    },
    /// `reply`.
    Reply {
        /// The reply message.
        msg: MsgRegs,
    },
    /// `reply_recv`.
    ReplyRecv {
        /// Endpoint slot to receive on afterwards.
        src: u32,
        /// The reply message.
        msg: MsgRegs,
    },
    /// `signal`.
    Signal {
        /// Notification slot.
        ntfn: u32,
        /// Bits for an unbadged cap (must be 0 with a badged cap).
        bits: u64,
    },
    /// `wait` (blocking) or `poll`.
    Wait {
        /// Notification slot.
        ntfn: u32,
        /// False for `poll`.
        blocking: bool,
    },
    /// `yield`.
    Yield,
    /// An object method.
    Invoke {
        /// The invoked cap's slot.
        cap: u32,
        /// Method and arguments.
        call: ObjectCall,
    },
}

/// A slot number: it must fit in 32 bits (`InvalidCap`).
pub(super) fn slot(raw: u64) -> Result<u32, SysError> {
    u32::try_from(raw).map_err(|_| SysError::InvalidCap)
}

/// `InvalidArgument` unless every register in `regs` is zero.
pub(super) fn zero(regs: &[u64]) -> Result<(), SysError> {
    if regs.iter().all(|r| *r == 0) {
        Ok(())
    } else {
        Err(SysError::InvalidArgument)
    }
}

fn message(r: &SyscallRegs) -> Result<MsgRegs, SysError> {
    let info = MessageInfo::from_raw(r.rsi)?;
    let mut words = [r.rdx, r.r10, r.r8, r.r9];
    for w in words.iter_mut().skip(info.reg_words()) {
        *w = 0;
    }
    Ok(MsgRegs { info, words })
}

/// Decode one syscall. Every error is what the syscall returns.
pub fn decode(r: &SyscallRegs) -> Result<Invocation, SysError> {
    let sys = Syscall::from_raw(r.rax).ok_or(SysError::InvalidSyscall)?;
    Ok(match sys {
        Syscall::DebugWrite => {
            zero(&[r.rdx, r.r10, r.r8, r.r9])?;
            Invocation::DebugWrite(user_range(r.rdi, r.rsi, 1, DEBUG_WRITE_MAX)?)
        }
        Syscall::Send | Syscall::NbSend => Invocation::Send {
            ep: slot(r.rdi)?,
            msg: message(r)?,
            blocking: sys == Syscall::Send,
        },
        Syscall::Call => Invocation::Call {
            ep: slot(r.rdi)?,
            msg: message(r)?,
        },
        Syscall::Recv | Syscall::NbRecv => {
            zero(&[r.rsi, r.rdx, r.r10, r.r8, r.r9])?;
            Invocation::Recv {
                src: slot(r.rdi)?,
                blocking: sys == Syscall::Recv,
            }
        }
        Syscall::Reply => {
            zero(&[r.rdi])?;
            Invocation::Reply { msg: message(r)? }
        }
        Syscall::ReplyRecv => Invocation::ReplyRecv {
            src: slot(r.rdi)?,
            msg: message(r)?,
        },
        Syscall::Signal => {
            zero(&[r.rdx, r.r10, r.r8, r.r9])?;
            Invocation::Signal {
                ntfn: slot(r.rdi)?,
                bits: r.rsi,
            }
        }
        Syscall::Wait | Syscall::Poll => {
            zero(&[r.rsi, r.rdx, r.r10, r.r8, r.r9])?;
            Invocation::Wait {
                ntfn: slot(r.rdi)?,
                blocking: sys == Syscall::Wait,
            }
        }
        Syscall::Yield => {
            zero(&[r.rdi, r.rsi, r.rdx, r.r10, r.r8, r.r9])?;
            Invocation::Yield
        }
        Syscall::Invoke => Invocation::Invoke {
            cap: slot(r.rdi)?,
            call: decode_method(r)?,
        },
    })
}
