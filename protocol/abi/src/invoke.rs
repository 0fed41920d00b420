//! Object invocations: the method numbers of [`crate::Syscall::Invoke`].
//!
//! `Invoke` takes the invoked cap's slot in `rdi`, the [`Method`] in `rsi`
//! and up to four arguments in `rdx`, `r10`, `r8`, `r9`. Results come back in
//! `rdi` (and `rsi`). The `Cap*` methods apply to a cap of any type; the
//! others only to the type [`Method::object_type`] names (else `WrongType`).

use crate::CapType;

/// Every object method. The discriminant is the number passed in `rsi`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[repr(u64)]
pub enum Method {
    /// Copy the cap into an empty slot (`rdx` = destination).
    CapCopy = 0x01,
    /// Copy with fewer rights and/or a badge (`rdx` = destination,
    /// `r10` = rights mask, `r8` = badge or 0).
    CapMint = 0x02,
    /// Move the cap to an empty slot (`rdx` = destination).
    CapMove = 0x03,
    /// Delete the cap (destroys the object when it was the last cap).
    CapDelete = 0x04,
    /// Delete every cap derived from this one, in every CSpace.
    CapRevoke = 0x05,
    /// Describe the cap: `rdi` = type, `rsi` = rights | badge-present << 8,
    /// `rdx` = badge.
    CapIdentify = 0x06,
    /// Make a new object from the budget (`rdx` = [`CapType`], `r10` =
    /// destination slot, `r8` = size argument: CSpace slots for an
    /// AddressSpace, pages for a Frame, otherwise 0).
    UntypedRetype = 0x10,
    /// Split off a child budget of `r8` bytes into slot `r10`.
    UntypedSplit = 0x11,
    /// Bytes left in the budget (`rdi`).
    UntypedAvailable = 0x12,
    /// Bind a thread to a process: `rdx` = AddressSpace slot, `r10` = fault
    /// endpoint slot or [`NO_SLOT`], `r8` = IPC buffer address (page aligned).
    ThreadConfigure = 0x20,
    /// Start a configured thread at `rdx` = rip with `r10` = rsp.
    ThreadStart = 0x21,
    /// Stop a thread (cancels any IPC it is blocked in).
    ThreadSuspend = 0x22,
    /// Make a suspended thread runnable again.
    ThreadResume = 0x23,
    /// Set the priority (`rdx` = 0..=255, 255 highest).
    ThreadSetPriority = 0x24,
    /// Set the CPU affinity mask (`rdx`, bit n = CPU n, nonzero).
    ThreadSetAffinity = 0x25,
    /// Set the IPC timeout in timer ticks for blocking IPC (`rdx`, 0 = none).
    ThreadSetTimeout = 0x26,
    /// Set the maximum controlled priority `rdx` (0..=255; not above the
    /// caller's own).
    ThreadSetMcp = 0x27,
    /// Map a frame: `rdx` = Frame slot, `r10` = virtual address,
    /// `r8` = rights (READ / WRITE / EXECUTE).
    AddressSpaceMap = 0x30,
    /// Unmap the page at `rdx` (virtual address).
    AddressSpaceUnmap = 0x31,
    /// The physical address of a frame (`rdi`) — DMA frames only.
    FramePhysAddr = 0x40,
    /// Make an IrqHandler for line `rdx` into slot `r10`.
    IrqControlGet = 0x50,
    /// Deliver the IRQ as bits `r10` to the notification in slot `rdx`.
    IrqHandlerBind = 0x58,
    /// Acknowledge (unmask) the IRQ after handling it.
    IrqHandlerAck = 0x59,
    /// Stop delivering the IRQ.
    IrqHandlerUnbind = 0x5a,
    /// Read port `rdx` with width `r10` (1, 2 or 4 bytes) into `rdi`.
    IoPortIn = 0x60,
    /// Write `r8` to port `rdx` with width `r10` (1, 2 or 4 bytes).
    IoPortOut = 0x61,
    /// Make in slot `r8` an IoPorts cap for ports `rdx..=r10` (inside this
    /// cap's range), with this cap's rights, derived from it.
    IoPortsMint = 0x62,
}

/// The "no slot" value for optional slot arguments.
pub const NO_SLOT: u64 = u64::MAX;

impl Method {
    /// All methods in number order.
    pub const ALL: [Method; 27] = [
        Method::CapCopy,
        Method::CapMint,
        Method::CapMove,
        Method::CapDelete,
        Method::CapRevoke,
        Method::CapIdentify,
        Method::UntypedRetype,
        Method::UntypedSplit,
        Method::UntypedAvailable,
        Method::ThreadConfigure,
        Method::ThreadStart,
        Method::ThreadSuspend,
        Method::ThreadResume,
        Method::ThreadSetPriority,
        Method::ThreadSetAffinity,
        Method::ThreadSetTimeout,
        Method::ThreadSetMcp,
        Method::AddressSpaceMap,
        Method::AddressSpaceUnmap,
        Method::FramePhysAddr,
        Method::IrqControlGet,
        Method::IrqHandlerBind,
        Method::IrqHandlerAck,
        Method::IrqHandlerUnbind,
        Method::IoPortIn,
        Method::IoPortOut,
        Method::IoPortsMint,
    ];

    /// Decode `rsi`; `None` for an unknown method.
    pub const fn from_raw(raw: u64) -> Option<Method> {
        let mut i = 0;
        while i < Self::ALL.len() {
            if Self::ALL[i] as u64 == raw {
                return Some(Self::ALL[i]);
            }
            i += 1;
        }
        None
    }

    /// The raw number.
    pub const fn raw(self) -> u64 {
        self as u64
    }

    /// The object type the method applies to; `None` for the `Cap*`
    /// methods, which apply to any cap.
    pub const fn object_type(self) -> Option<CapType> {
        match self as u64 {
            0x01..=0x0f => None,
            0x10..=0x1f => Some(CapType::Untyped),
            0x20..=0x2f => Some(CapType::Thread),
            0x30..=0x3f => Some(CapType::AddressSpace),
            0x40..=0x4f => Some(CapType::Frame),
            0x50..=0x57 => Some(CapType::IrqControl),
            0x58..=0x5f => Some(CapType::IrqHandler),
            _ => Some(CapType::IoPorts),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn methods_round_trip() {
        for m in Method::ALL {
            assert_eq!(Method::from_raw(m.raw()), Some(m));
        }
        assert_eq!(Method::from_raw(0), None);
        assert_eq!(Method::from_raw(u64::MAX), None);
        assert_eq!(Method::ThreadStart.object_type(), Some(CapType::Thread));
        assert_eq!(Method::IoPortOut.object_type(), Some(CapType::IoPorts));
        assert_eq!(Method::CapRevoke.object_type(), None);
        assert!(Method::ALL.windows(2).all(|w| w[0].raw() < w[1].raw()));
    }
}
