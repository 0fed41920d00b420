//! Decode raw syscall registers into a fully validated [`Invocation`].
//!
//! Everything that can be checked without kernel state is checked here:
//! the syscall and method numbers, slot numbers (fit in 32 bits), message
//! info, rights masks, object types and sizes, priorities, IRQ and port
//! numbers, and user pointers. Registers a call does not use must be zero
//! (`InvalidArgument`), so they can gain meaning later. Message word
//! registers beyond the message length are ignored and read as zero.

use helix_abi::invoke::NO_SLOT;
use helix_abi::ipc::MSG_REG_WORDS;
use helix_abi::{CapRights, CapType, MessageInfo, Method, SysError, Syscall};

use super::uptr::{UserSlice, user_page, user_range, user_stack};
use crate::notification::IRQ_LINES;
use crate::quota::object_cost;

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

/// A decoded object method with its arguments.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ObjectCall {
    /// Copy the cap to `dst`.
    CapCopy {
        /// Destination slot.
        dst: u32,
    },
    /// Copy with `rights` (intersected) and `badge` (0 = keep).
    CapMint {
        /// Destination slot.
        dst: u32,
        /// Rights mask.
        rights: CapRights,
        /// Badge.
        badge: u64,
    },
    /// Move the cap to `dst`.
    CapMove {
        /// Destination slot.
        dst: u32,
    },
    /// Delete the cap.
    CapDelete,
    /// Revoke everything derived from the cap.
    CapRevoke,
    /// Describe the cap.
    CapIdentify,
    /// Make an object of `kind` into `dst`.
    UntypedRetype {
        /// Object type.
        kind: CapType,
        /// Destination slot.
        dst: u32,
        /// Size argument (checked against the type).
        arg: u64,
    },
    /// Split a child budget of `bytes` into `dst`.
    UntypedSplit {
        /// Destination slot.
        dst: u32,
        /// Bytes (nonzero).
        bytes: u64,
    },
    /// Bytes left.
    UntypedAvailable,
    /// Bind a thread to a process.
    ThreadConfigure {
        /// AddressSpace slot.
        aspace: u32,
        /// Fault endpoint slot, if any.
        fault_ep: Option<u32>,
        /// IPC buffer page.
        ipc_buffer: u64,
    },
    /// Start at `rip` with `rsp`.
    ThreadStart {
        /// Entry point (user address).
        rip: u64,
        /// Stack pointer (16-byte aligned user address).
        rsp: u64,
    },
    /// Suspend.
    ThreadSuspend,
    /// Resume.
    ThreadResume,
    /// Set priority.
    ThreadSetPriority(u8),
    /// Set affinity mask (nonzero).
    ThreadSetAffinity(u64),
    /// Set the IPC timeout in ticks (0 = none).
    ThreadSetTimeout(u64),
    /// Set the maximum controlled priority.
    ThreadSetMcp(u8),
    /// Map a frame.
    Map {
        /// Frame slot.
        frame: u32,
        /// Page-aligned user address.
        vaddr: u64,
        /// READ / WRITE / EXECUTE (nonzero, no GRANT).
        rights: CapRights,
    },
    /// Unmap the page at `vaddr`.
    Unmap {
        /// Page-aligned user address.
        vaddr: u64,
    },
    /// Physical address of a DMA frame.
    FramePhysAddr,
    /// Make an IrqHandler.
    IrqControlGet {
        /// IRQ line (below `IRQ_LINES`).
        irq: u64,
        /// Destination slot.
        dst: u32,
    },
    /// Bind an IRQ to a notification.
    IrqHandlerBind {
        /// Notification slot.
        ntfn: u32,
        /// Bits (nonzero).
        bits: u64,
    },
    /// Acknowledge an IRQ.
    IrqHandlerAck,
    /// Unbind an IRQ.
    IrqHandlerUnbind,
    /// Read a port.
    IoPortIn {
        /// Port.
        port: u16,
        /// 1, 2 or 4 bytes.
        width: u8,
    },
    /// Write a port.
    IoPortOut {
        /// Port.
        port: u16,
        /// 1, 2 or 4 bytes.
        width: u8,
        /// Value (fits the width).
        value: u32,
    },
    /// Mint a narrower IoPorts cap.
    IoPortsMint {
        /// First port.
        first: u16,
        /// Last port (inclusive, >= first).
        last: u16,
        /// Destination slot.
        dst: u32,
    },
}

fn slot(raw: u64) -> Result<u32, SysError> {
    u32::try_from(raw).map_err(|_| SysError::InvalidCap)
}

fn zero(regs: &[u64]) -> Result<(), SysError> {
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

fn rights(raw: u64) -> Result<CapRights, SysError> {
    u8::try_from(raw)
        .ok()
        .and_then(CapRights::from_bits)
        .ok_or(SysError::InvalidArgument)
}

fn decode_method(r: &SyscallRegs) -> Result<ObjectCall, SysError> {
    let method = Method::from_raw(r.rsi).ok_or(SysError::InvalidArgument)?;
    let (a, b, c, d) = (r.rdx, r.r10, r.r8, r.r9);
    let args = |used: usize| zero(&[a, b, c, d][used..]);
    Ok(match method {
        Method::CapCopy => {
            args(1)?;
            ObjectCall::CapCopy { dst: slot(a)? }
        }
        Method::CapMint => {
            args(3)?;
            ObjectCall::CapMint {
                dst: slot(a)?,
                rights: rights(b)?,
                badge: c,
            }
        }
        Method::CapMove => {
            args(1)?;
            ObjectCall::CapMove { dst: slot(a)? }
        }
        Method::CapDelete => {
            args(0)?;
            ObjectCall::CapDelete
        }
        Method::CapRevoke => {
            args(0)?;
            ObjectCall::CapRevoke
        }
        Method::CapIdentify => {
            args(0)?;
            ObjectCall::CapIdentify
        }
        Method::UntypedRetype => {
            args(3)?;
            let kind = u8::try_from(a)
                .ok()
                .and_then(CapType::from_raw)
                .ok_or(SysError::InvalidArgument)?;
            object_cost(kind, c)?;
            ObjectCall::UntypedRetype {
                kind,
                dst: slot(b)?,
                arg: c,
            }
        }
        Method::UntypedSplit => {
            zero(&[a, d])?;
            if c == 0 {
                return Err(SysError::InvalidArgument);
            }
            ObjectCall::UntypedSplit {
                dst: slot(b)?,
                bytes: c,
            }
        }
        Method::UntypedAvailable => {
            args(0)?;
            ObjectCall::UntypedAvailable
        }
        Method::ThreadConfigure => {
            args(3)?;
            ObjectCall::ThreadConfigure {
                aspace: slot(a)?,
                fault_ep: if b == NO_SLOT { None } else { Some(slot(b)?) },
                ipc_buffer: user_page(c)?,
            }
        }
        Method::ThreadStart => {
            args(2)?;
            user_range(a, 1, 1, 1)?;
            ObjectCall::ThreadStart {
                rip: a,
                rsp: user_stack(b)?,
            }
        }
        Method::ThreadSuspend => {
            args(0)?;
            ObjectCall::ThreadSuspend
        }
        Method::ThreadResume => {
            args(0)?;
            ObjectCall::ThreadResume
        }
        Method::ThreadSetPriority => {
            args(1)?;
            ObjectCall::ThreadSetPriority(u8::try_from(a).map_err(|_| SysError::InvalidArgument)?)
        }
        Method::ThreadSetAffinity => {
            args(1)?;
            if a == 0 {
                return Err(SysError::InvalidArgument);
            }
            ObjectCall::ThreadSetAffinity(a)
        }
        Method::ThreadSetTimeout => {
            args(1)?;
            ObjectCall::ThreadSetTimeout(a)
        }
        Method::ThreadSetMcp => {
            args(1)?;
            ObjectCall::ThreadSetMcp(u8::try_from(a).map_err(|_| SysError::InvalidArgument)?)
        }
        Method::AddressSpaceMap => {
            args(3)?;
            let rights = rights(c)?;
            if rights == CapRights::NONE || rights.contains(CapRights::GRANT) {
                return Err(SysError::InvalidArgument);
            }
            ObjectCall::Map {
                frame: slot(a)?,
                vaddr: user_page(b)?,
                rights,
            }
        }
        Method::AddressSpaceUnmap => {
            args(1)?;
            ObjectCall::Unmap {
                vaddr: user_page(a)?,
            }
        }
        Method::FramePhysAddr => {
            args(0)?;
            ObjectCall::FramePhysAddr
        }
        Method::IrqControlGet => {
            args(2)?;
            if a >= IRQ_LINES as u64 {
                return Err(SysError::InvalidArgument);
            }
            ObjectCall::IrqControlGet {
                irq: a,
                dst: slot(b)?,
            }
        }
        Method::IrqHandlerBind => {
            args(2)?;
            if b == 0 {
                return Err(SysError::InvalidArgument);
            }
            ObjectCall::IrqHandlerBind {
                ntfn: slot(a)?,
                bits: b,
            }
        }
        Method::IrqHandlerAck => {
            args(0)?;
            ObjectCall::IrqHandlerAck
        }
        Method::IrqHandlerUnbind => {
            args(0)?;
            ObjectCall::IrqHandlerUnbind
        }
        Method::IoPortIn => {
            args(2)?;
            let (port, width) = port_width(a, b)?;
            ObjectCall::IoPortIn { port, width }
        }
        Method::IoPortOut => {
            args(3)?;
            let (port, width) = port_width(a, b)?;
            if width < 4 && c >> (u32::from(width) * 8) != 0 || c > u64::from(u32::MAX) {
                return Err(SysError::InvalidArgument);
            }
            ObjectCall::IoPortOut {
                port,
                width,
                value: c as u32,
            }
        }
        Method::IoPortsMint => {
            args(3)?;
            let (first, last) = match (u16::try_from(a), u16::try_from(b)) {
                (Ok(f), Ok(l)) if f <= l => (f, l),
                _ => return Err(SysError::InvalidArgument),
            };
            ObjectCall::IoPortsMint {
                first,
                last,
                dst: slot(c)?,
            }
        }
    })
}

/// A port and access width (1, 2, 4) whose bytes all lie below 0x10000.
fn port_width(port: u64, width: u64) -> Result<(u16, u8), SysError> {
    if !matches!(width, 1 | 2 | 4) || port.checked_add(width).is_none_or(|end| end > 0x1_0000) {
        return Err(SysError::InvalidArgument);
    }
    Ok((port as u16, width as u8))
}
