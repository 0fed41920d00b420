//! Object invocations: the method numbers of [`crate::Syscall::Invoke`].
//!
//! `Invoke` takes the invoked cap's slot in `rdi`, the [`Method`] in `rsi`
//! and up to four arguments in `rdx`, `r10`, `r8`, `r9`. Results come back in
//! `rdi` (and `rsi`). The `Cap*` methods apply to a cap of any type; the
//! others only to the type [`Method::object_type`] names (else `WrongType`).

use crate::CapType;

abi_list! {
    /// Every object method. The discriminant is the number passed in `rsi`;
    /// the value after `=>` is the object type it applies to (`None`: any
    /// cap). A type's methods share a number block (see the tests).
    pub enum Method: decode from_raw {
        /// Copy the cap into an empty slot (`rdx` = destination).
        CapCopy = 0x01 => None,
        /// Copy with fewer rights and/or a badge (`rdx` = destination,
        /// `r10` = rights mask, `r8` = badge or 0).
        CapMint = 0x02 => None,
        /// Move the cap to an empty slot (`rdx` = destination).
        CapMove = 0x03 => None,
        /// Delete the cap (destroys the object when it was the last cap).
        CapDelete = 0x04 => None,
        /// Delete every cap derived from this one, in every CSpace.
        CapRevoke = 0x05 => None,
        /// Describe the cap: `rdi` = type, `rsi` = rights | badge-present << 8,
        /// `rdx` = badge.
        CapIdentify = 0x06 => None,
        /// Make a new object from the budget (`rdx` = [`CapType`], `r10` =
        /// destination slot, `r8` = size argument: CSpace slots for an
        /// AddressSpace, pages for a Frame, otherwise 0).
        UntypedRetype = 0x10 => Some(CapType::Untyped),
        /// Split off a child budget of `r8` bytes into slot `r10`.
        UntypedSplit = 0x11 => Some(CapType::Untyped),
        /// Bytes left in the budget (`rdi`).
        UntypedAvailable = 0x12 => Some(CapType::Untyped),
        /// Bind a thread to a process: `rdx` = AddressSpace slot, `r10` = fault
        /// endpoint slot or [`NO_SLOT`], `r8` = IPC buffer address (page
        /// aligned; the kernel makes it the thread's FS base, see
        /// [`crate::ipc`]).
        ThreadConfigure = 0x20 => Some(CapType::Thread),
        /// Start a configured thread at `rdx` = rip with `r10` = rsp.
        ThreadStart = 0x21 => Some(CapType::Thread),
        /// Stop a thread (cancels any IPC it is blocked in).
        ThreadSuspend = 0x22 => Some(CapType::Thread),
        /// Make a suspended thread runnable again.
        ThreadResume = 0x23 => Some(CapType::Thread),
        /// Set the priority (`rdx` = 0..=255, 255 highest).
        ThreadSetPriority = 0x24 => Some(CapType::Thread),
        /// Set the CPU affinity mask (`rdx`, bit n = CPU n, nonzero).
        ThreadSetAffinity = 0x25 => Some(CapType::Thread),
        /// Set the IPC timeout in timer ticks for blocking IPC (`rdx`, 0 = none).
        ThreadSetTimeout = 0x26 => Some(CapType::Thread),
        /// Set the maximum controlled priority `rdx` (0..=255; not above the
        /// caller's own).
        ThreadSetMcp = 0x27 => Some(CapType::Thread),
        /// Map a frame: `rdx` = Frame slot, `r10` = virtual address,
        /// `r8` = rights (READ / WRITE / EXECUTE).
        AddressSpaceMap = 0x30 => Some(CapType::AddressSpace),
        /// Unmap the page at `rdx` (virtual address).
        AddressSpaceUnmap = 0x31 => Some(CapType::AddressSpace),
        /// Mint into this address space's CSpace: `rdx` = source slot in the
        /// caller's CSpace, `r10` = destination slot in the target's, `r8` =
        /// rights mask, `r9` = badge or 0 (rules of [`Method::CapMint`]; the
        /// new cap is a child of the source).
        AddressSpaceCapMint = 0x32 => Some(CapType::AddressSpace),
        /// Move a cap from the caller's CSpace (`rdx`) into this address
        /// space's CSpace (`r10`).
        AddressSpaceCapMove = 0x33 => Some(CapType::AddressSpace),
        /// Delete the cap in slot `rdx` of this address space's CSpace.
        AddressSpaceCapDelete = 0x34 => Some(CapType::AddressSpace),
        /// Describe the cap in slot `rdx` of this address space's CSpace (as
        /// [`Method::CapIdentify`]).
        AddressSpaceCapIdentify = 0x35 => Some(CapType::AddressSpace),
        /// The physical address of a frame (`rdi`) — DMA frames only.
        FramePhysAddr = 0x40 => Some(CapType::Frame),
        /// Make an IrqHandler for line `rdx` into slot `r10`.
        IrqControlGet = 0x50 => Some(CapType::IrqControl),
        /// Deliver the IRQ as bits `r10` to the notification in slot `rdx`.
        IrqHandlerBind = 0x58 => Some(CapType::IrqHandler),
        /// Acknowledge (unmask) the IRQ after handling it.
        IrqHandlerAck = 0x59 => Some(CapType::IrqHandler),
        /// Stop delivering the IRQ.
        IrqHandlerUnbind = 0x5a => Some(CapType::IrqHandler),
        /// Read port `rdx` with width `r10` (1, 2 or 4 bytes) into `rdi`.
        IoPortIn = 0x60 => Some(CapType::IoPorts),
        /// Write `r8` to port `rdx` with width `r10` (1, 2 or 4 bytes).
        IoPortOut = 0x61 => Some(CapType::IoPorts),
        /// Make in slot `r8` an IoPorts cap for ports `rdx..=r10` (inside this
        /// cap's range), with this cap's rights, derived from it.
        IoPortsMint = 0x62 => Some(CapType::IoPorts),
    }
    /// The object type the method applies to; `None` for the `Cap*`
    /// methods, which apply to any cap.
    pub const fn object_type(self) -> Option<CapType>;
}

/// The "no slot" value for optional slot arguments.
pub const NO_SLOT: u64 = u64::MAX;

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
        assert!(Method::ALL.windows(2).all(|w| w[0].raw() < w[1].raw()));
    }

    /// A type's methods share a number block: 0x01.. any cap, 0x10..
    /// Untyped, 0x20.. Thread, 0x30.. AddressSpace, 0x40.. Frame, 0x50..
    /// IrqControl, 0x58.. IrqHandler, 0x60.. IoPorts.
    #[test]
    fn a_method_number_names_its_object_type() {
        let block = |raw: u64| match raw {
            0x01..=0x0f => Some(None),
            0x10..=0x1f => Some(Some(CapType::Untyped)),
            0x20..=0x2f => Some(Some(CapType::Thread)),
            0x30..=0x3f => Some(Some(CapType::AddressSpace)),
            0x40..=0x4f => Some(Some(CapType::Frame)),
            0x50..=0x57 => Some(Some(CapType::IrqControl)),
            0x58..=0x5f => Some(Some(CapType::IrqHandler)),
            0x60..=0x6f => Some(Some(CapType::IoPorts)),
            _ => None,
        };
        for m in Method::ALL {
            assert_eq!(block(m.raw()), Some(m.object_type()), "{m:?}");
        }
    }
}
