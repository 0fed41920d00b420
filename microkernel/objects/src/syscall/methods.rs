//! Decode the method and arguments of an `Invoke` into an [`ObjectCall`].
//!
//! One exhaustive match on [`Method`] (a new method does not build until
//! it is decoded here); each arm checks the unused argument registers are
//! zero first, then the arguments in register order, so the first bad
//! register decides the error.

use helix_abi::invoke::NO_SLOT;
use helix_abi::{CapRights, CapType, Method, SysError};

use super::calls::{
    AddressSpaceCall, CapCall, FrameCall, IoPortsCall, IrqControlCall, IrqHandlerCall, ObjectCall,
    ThreadCall, UntypedCall,
};
use super::decode::{SyscallRegs, slot, zero};
use super::uptr::{user_page, user_range, user_stack};
use crate::notification::IRQ_LINES;
use crate::quota::object_cost;

/// The four argument registers of an `Invoke`: `rdx`, `r10`, `r8`, `r9`.
#[derive(Clone, Copy)]
struct Args([u64; 4]);

impl Args {
    /// The registers, once those past the first `used` are checked zero.
    fn used(self, used: usize) -> Result<[u64; 4], SysError> {
        zero(self.0.get(used..).unwrap_or_default())?;
        Ok(self.0)
    }

    /// `call`, for a method without arguments.
    fn none(self, call: ObjectCall) -> Result<ObjectCall, SysError> {
        self.used(0).map(|_| call)
    }

    /// The only argument.
    fn one(self) -> Result<u64, SysError> {
        self.used(1).map(|[a, ..]| a)
    }

    /// The only argument, a byte (`InvalidArgument` above 255).
    fn byte(self) -> Result<u8, SysError> {
        u8::try_from(self.one()?).map_err(|_| SysError::InvalidArgument)
    }
}

fn rights(raw: u64) -> Result<CapRights, SysError> {
    u8::try_from(raw)
        .ok()
        .and_then(CapRights::from_bits)
        .ok_or(SysError::InvalidArgument)
}

fn nonzero(v: u64) -> Result<u64, SysError> {
    if v == 0 {
        Err(SysError::InvalidArgument)
    } else {
        Ok(v)
    }
}

/// Decode `rsi` (the method) and `rdx`..`r9` of an `Invoke`.
pub(super) fn decode_method(r: &SyscallRegs) -> Result<ObjectCall, SysError> {
    use ObjectCall as O;
    let method = Method::from_raw(r.rsi).ok_or(SysError::InvalidArgument)?;
    let a = Args([r.rdx, r.r10, r.r8, r.r9]);
    Ok(match method {
        Method::CapCopy => O::Cap(CapCall::Copy {
            dst: slot(a.one()?)?,
        }),
        Method::CapMint => cap_mint(a)?,
        Method::CapMove => O::Cap(CapCall::Move {
            dst: slot(a.one()?)?,
        }),
        Method::CapDelete => a.none(O::Cap(CapCall::Delete))?,
        Method::CapRevoke => a.none(O::Cap(CapCall::Revoke))?,
        Method::CapIdentify => a.none(O::Cap(CapCall::Identify))?,
        Method::UntypedRetype => untyped_retype(a)?,
        Method::UntypedSplit => untyped_split(a)?,
        Method::UntypedAvailable => a.none(O::Untyped(UntypedCall::Available))?,
        Method::ThreadConfigure => thread_configure(a)?,
        Method::ThreadStart => thread_start(a)?,
        Method::ThreadSuspend => a.none(O::Thread(ThreadCall::Suspend))?,
        Method::ThreadResume => a.none(O::Thread(ThreadCall::Resume))?,
        Method::ThreadSetPriority => O::Thread(ThreadCall::SetPriority(a.byte()?)),
        Method::ThreadSetAffinity => O::Thread(ThreadCall::SetAffinity(nonzero(a.one()?)?)),
        Method::ThreadSetTimeout => O::Thread(ThreadCall::SetTimeout(a.one()?)),
        Method::ThreadSetMcp => O::Thread(ThreadCall::SetMcp(a.byte()?)),
        Method::AddressSpaceMap => address_space_map(a)?,
        Method::AddressSpaceUnmap => O::AddressSpace(AddressSpaceCall::Unmap {
            vaddr: user_page(a.one()?)?,
        }),
        Method::AddressSpaceCapMint => address_space_cap_mint(a)?,
        Method::AddressSpaceCapMove => address_space_cap_move(a)?,
        Method::AddressSpaceCapDelete => O::AddressSpace(AddressSpaceCall::CapDelete {
            slot: slot(a.one()?)?,
        }),
        Method::AddressSpaceCapIdentify => O::AddressSpace(AddressSpaceCall::CapIdentify {
            slot: slot(a.one()?)?,
        }),
        Method::FramePhysAddr => a.none(O::Frame(FrameCall::PhysAddr))?,
        Method::IrqControlGet => irq_control_get(a)?,
        Method::IrqHandlerBind => irq_handler_bind(a)?,
        Method::IrqHandlerAck => a.none(O::IrqHandler(IrqHandlerCall::Ack))?,
        Method::IrqHandlerUnbind => a.none(O::IrqHandler(IrqHandlerCall::Unbind))?,
        Method::IoPortIn => io_port_in(a)?,
        Method::IoPortOut => io_port_out(a)?,
        Method::IoPortsMint => io_ports_mint(a)?,
    })
}

fn cap_mint(a: Args) -> Result<ObjectCall, SysError> {
    let [dst, mask, badge, _] = a.used(3)?;
    Ok(ObjectCall::Cap(CapCall::Mint {
        dst: slot(dst)?,
        rights: rights(mask)?,
        badge,
    }))
}

fn untyped_retype(a: Args) -> Result<ObjectCall, SysError> {
    let [kind, dst, arg, _] = a.used(3)?;
    let kind = u8::try_from(kind)
        .ok()
        .and_then(CapType::from_raw)
        .ok_or(SysError::InvalidArgument)?;
    object_cost(kind, arg)?;
    Ok(ObjectCall::Untyped(UntypedCall::Retype {
        kind,
        dst: slot(dst)?,
        arg,
    }))
}

/// `rdx` is reserved (zero) so the layout matches `UntypedRetype`.
fn untyped_split(a: Args) -> Result<ObjectCall, SysError> {
    let [reserved, dst, bytes, unused] = a.0;
    zero(&[reserved, unused])?;
    let bytes = nonzero(bytes)?;
    Ok(ObjectCall::Untyped(UntypedCall::Split {
        dst: slot(dst)?,
        bytes,
    }))
}

fn thread_configure(a: Args) -> Result<ObjectCall, SysError> {
    let [aspace, fault, buffer, _] = a.used(3)?;
    Ok(ObjectCall::Thread(ThreadCall::Configure {
        aspace: slot(aspace)?,
        fault_ep: if fault == NO_SLOT {
            None
        } else {
            Some(slot(fault)?)
        },
        ipc_buffer: user_page(buffer)?,
    }))
}

fn thread_start(a: Args) -> Result<ObjectCall, SysError> {
    let [rip, rsp, ..] = a.used(2)?;
    user_range(rip, 1, 1, 1)?;
    Ok(ObjectCall::Thread(ThreadCall::Start {
        rip,
        rsp: user_stack(rsp)?,
    }))
}

fn address_space_map(a: Args) -> Result<ObjectCall, SysError> {
    let [frame, vaddr, mask, _] = a.used(3)?;
    let rights = rights(mask)?;
    if rights == CapRights::NONE || rights.contains(CapRights::GRANT) {
        return Err(SysError::InvalidArgument);
    }
    Ok(ObjectCall::AddressSpace(AddressSpaceCall::Map {
        frame: slot(frame)?,
        vaddr: user_page(vaddr)?,
        rights,
    }))
}

fn address_space_cap_mint(a: Args) -> Result<ObjectCall, SysError> {
    let [src, dst, mask, badge] = a.0;
    Ok(ObjectCall::AddressSpace(AddressSpaceCall::CapMint {
        src: slot(src)?,
        dst: slot(dst)?,
        rights: rights(mask)?,
        badge,
    }))
}

fn address_space_cap_move(a: Args) -> Result<ObjectCall, SysError> {
    let [src, dst, ..] = a.used(2)?;
    Ok(ObjectCall::AddressSpace(AddressSpaceCall::CapMove {
        src: slot(src)?,
        dst: slot(dst)?,
    }))
}

fn irq_control_get(a: Args) -> Result<ObjectCall, SysError> {
    let [irq, dst, ..] = a.used(2)?;
    if irq >= IRQ_LINES as u64 {
        return Err(SysError::InvalidArgument);
    }
    Ok(ObjectCall::IrqControl(IrqControlCall::Get {
        irq,
        dst: slot(dst)?,
    }))
}

fn irq_handler_bind(a: Args) -> Result<ObjectCall, SysError> {
    let [ntfn, bits, ..] = a.used(2)?;
    let bits = nonzero(bits)?;
    Ok(ObjectCall::IrqHandler(IrqHandlerCall::Bind {
        ntfn: slot(ntfn)?,
        bits,
    }))
}

fn io_port_in(a: Args) -> Result<ObjectCall, SysError> {
    let [port, width, ..] = a.used(2)?;
    let (port, width) = port_width(port, width)?;
    Ok(ObjectCall::IoPorts(IoPortsCall::In { port, width }))
}

fn io_port_out(a: Args) -> Result<ObjectCall, SysError> {
    let [port, width, value, _] = a.used(3)?;
    let (port, width) = port_width(port, width)?;
    let value = u32::try_from(value).map_err(|_| SysError::InvalidArgument)?;
    if width < 4 && value >> (u32::from(width) * 8) != 0 {
        return Err(SysError::InvalidArgument);
    }
    Ok(ObjectCall::IoPorts(IoPortsCall::Out { port, width, value }))
}

fn io_ports_mint(a: Args) -> Result<ObjectCall, SysError> {
    let [first, last, dst, _] = a.used(3)?;
    let (first, last) = match (u16::try_from(first), u16::try_from(last)) {
        (Ok(f), Ok(l)) if f <= l => (f, l),
        _ => return Err(SysError::InvalidArgument),
    };
    Ok(ObjectCall::IoPorts(IoPortsCall::Mint {
        first,
        last,
        dst: slot(dst)?,
    }))
}

/// A port and access width (1, 2, 4) whose bytes all lie below 0x10000.
fn port_width(port: u64, width: u64) -> Result<(u16, u8), SysError> {
    if !matches!(width, 1 | 2 | 4) || port.checked_add(width).is_none_or(|end| end > 0x1_0000) {
        return Err(SysError::InvalidArgument);
    }
    Ok((port as u16, width as u8))
}
