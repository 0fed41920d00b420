//! Typed capability handles (rust-sel4 style): [`Cap<T>`] is a slot of the
//! caller's CSpace holding a cap of type `T`. Each object type has only its
//! own methods; the generic `Cap*` methods (copy, mint, move, delete,
//! revoke, identify) exist on every handle. Every method makes exactly one
//! syscall, named in its doc.

use core::marker::PhantomData;

use helix_abi::invoke::NO_SLOT;
use helix_abi::{CapRights, CapType, Method, SysError, Syscall};

use crate::ipc::{self, Message, Received, sys};

/// Marker for a kind of kernel object.
pub trait CapKind {
    /// The ABI type tag.
    const TYPE: CapType;
}

macro_rules! kinds {
    ($($(#[$m:meta])* $name:ident = $t:ident;)*) => {$(
        $(#[$m])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        pub enum $name {}
        impl CapKind for $name {
            const TYPE: CapType = CapType::$t;
        }
    )*};
}

kinds! {
    /// Synchronous IPC endpoint.
    Endpoint = Endpoint;
    /// Asynchronous signal word.
    Notification = Notification;
    /// A thread control block.
    Thread = Thread;
    /// Page tables (and CSpace) of one process.
    AddressSpace = AddressSpace;
    /// Physical memory that can be mapped.
    Frame = Frame;
    /// A memory budget new objects are made from.
    Untyped = Untyped;
    /// The right to claim IRQ lines.
    IrqControl = IrqControl;
    /// One claimed IRQ line.
    IrqHandler = IrqHandler;
    /// A range of I/O ports.
    IoPorts = IoPorts;
}

/// A capability of type `T` in slot `slot` of the caller's CSpace.
#[derive(Debug, PartialEq, Eq)]
pub struct Cap<T: CapKind> {
    slot: u32,
    kind: PhantomData<T>,
}

impl<T: CapKind> Clone for Cap<T> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<T: CapKind> Copy for Cap<T> {}

/// What `CapIdentify` reports.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Identity {
    /// Object type (raw; `CapType::from_raw`).
    pub kind: u64,
    /// Rights bits.
    pub rights: u8,
    /// Badge (0 = none).
    pub badge: u64,
}

impl Identity {
    /// From the result registers of `CapIdentify`.
    fn from_regs(r: [u64; 6]) -> Identity {
        Identity {
            kind: r[0],
            rights: r[1] as u8,
            badge: r[2],
        }
    }
}

fn invoke(slot: u32, m: Method, a: [u64; 4]) -> Result<[u64; 6], SysError> {
    sys(
        Syscall::Invoke,
        [u64::from(slot), m.raw(), a[0], a[1], a[2], a[3]],
    )
}

impl<T: CapKind> Cap<T> {
    /// Name the cap in `slot` (the caller vouches for its type; a wrong
    /// guess is `WrongType` from the kernel, never undefined behaviour).
    pub const fn from_slot(slot: u32) -> Self {
        Cap {
            slot,
            kind: PhantomData,
        }
    }

    /// The slot index.
    pub const fn slot(self) -> u32 {
        self.slot
    }

    /// `Invoke` / `CapCopy`: copy into the empty slot `dst`.
    pub fn copy_to(self, dst: u32) -> Result<Cap<T>, SysError> {
        invoke(self.slot, Method::CapCopy, [u64::from(dst), 0, 0, 0]).map(|_| Cap::from_slot(dst))
    }

    /// `Invoke` / `CapMint`: copy into `dst` with rights narrowed to
    /// `rights` and `badge` (0 = none).
    pub fn mint(self, dst: u32, rights: CapRights, badge: u64) -> Result<Cap<T>, SysError> {
        invoke(
            self.slot,
            Method::CapMint,
            [u64::from(dst), u64::from(rights.bits()), badge, 0],
        )
        .map(|_| Cap::from_slot(dst))
    }

    /// `Invoke` / `CapMove`: move into the empty slot `dst`.
    pub fn move_to(self, dst: u32) -> Result<Cap<T>, SysError> {
        invoke(self.slot, Method::CapMove, [u64::from(dst), 0, 0, 0]).map(|_| Cap::from_slot(dst))
    }

    /// `Invoke` / `CapDelete`: empty the slot (the last cap destroys the
    /// object).
    pub fn delete(self) -> Result<(), SysError> {
        invoke(self.slot, Method::CapDelete, [0; 4]).map(|_| ())
    }

    /// `Invoke` / `CapRevoke`: delete every cap derived from this one.
    pub fn revoke(self) -> Result<(), SysError> {
        invoke(self.slot, Method::CapRevoke, [0; 4]).map(|_| ())
    }

    /// `Invoke` / `CapIdentify`: type, rights and badge of the cap.
    pub fn identify(self) -> Result<Identity, SysError> {
        invoke(self.slot, Method::CapIdentify, [0; 4]).map(Identity::from_regs)
    }
}

impl Cap<Endpoint> {
    /// `Send` (1): block until a receiver takes `m`.
    pub fn send(self, m: &Message) -> Result<(), SysError> {
        ipc::send(self.slot, m, true)
    }

    /// `NbSend` (2): deliver `m` only if a receiver waits (`WouldBlock`).
    pub fn nb_send(self, m: &Message) -> Result<(), SysError> {
        ipc::send(self.slot, m, false)
    }

    /// `Call` (3): send `m` and wait for the reply.
    pub fn call(self, m: &Message) -> Result<Received, SysError> {
        ipc::call(self.slot, m)
    }

    /// `Recv` (4): wait for a message.
    pub fn recv(self) -> Result<Received, SysError> {
        ipc::recv(self.slot, true)
    }

    /// `NbRecv` (5): take a waiting message or fail with `WouldBlock`.
    pub fn nb_recv(self) -> Result<Received, SysError> {
        ipc::recv(self.slot, false)
    }

    /// `ReplyRecv` (7): answer the pending call with `m`, then receive.
    pub fn reply_recv(self, m: &Message) -> Result<Received, SysError> {
        ipc::reply_recv(self.slot, m)
    }
}

impl Cap<Notification> {
    /// `Signal` (8): OR `bits` into the word (0 with a badged cap: the
    /// badge is signalled).
    pub fn signal(self, bits: u64) -> Result<(), SysError> {
        sys(Syscall::Signal, [u64::from(self.slot), bits, 0, 0, 0, 0]).map(|_| ())
    }

    /// `Wait` (9): block until bits are set; returns and clears them.
    pub fn wait(self) -> Result<u64, SysError> {
        sys(Syscall::Wait, [u64::from(self.slot), 0, 0, 0, 0, 0]).map(|r| r[0])
    }

    /// `Poll` (10): the pending bits (0 if none), cleared.
    pub fn poll(self) -> Result<u64, SysError> {
        sys(Syscall::Poll, [u64::from(self.slot), 0, 0, 0, 0, 0]).map(|r| r[0])
    }
}

impl Cap<Untyped> {
    /// `Invoke` / `UntypedRetype`: make an object of type `K` in `dst`
    /// (`size`: CSpace slots for an AddressSpace, pages for a Frame, else 0).
    pub fn retype<K: CapKind>(self, dst: u32, size: u64) -> Result<Cap<K>, SysError> {
        invoke(
            self.slot,
            Method::UntypedRetype,
            [K::TYPE as u64, u64::from(dst), size, 0],
        )
        .map(|_| Cap::from_slot(dst))
    }

    /// `Invoke` / `UntypedSplit`: move `bytes` of budget into a new Untyped
    /// in `dst`.
    pub fn split(self, dst: u32, bytes: u64) -> Result<Cap<Untyped>, SysError> {
        invoke(
            self.slot,
            Method::UntypedSplit,
            [0, u64::from(dst), bytes, 0],
        )
        .map(|_| Cap::from_slot(dst))
    }

    /// `Invoke` / `UntypedAvailable`: bytes of budget left.
    pub fn available(self) -> Result<u64, SysError> {
        invoke(self.slot, Method::UntypedAvailable, [0; 4]).map(|r| r[0])
    }
}

impl Cap<Thread> {
    /// `Invoke` / `ThreadConfigure`: bind to `aspace`, set the fault
    /// endpoint slot (in that process's CSpace) and the IPC buffer page.
    pub fn configure(
        self,
        aspace: Cap<AddressSpace>,
        fault_ep: Option<u32>,
        ipc_buffer: u64,
    ) -> Result<(), SysError> {
        let fault = fault_ep.map_or(NO_SLOT, u64::from);
        invoke(
            self.slot,
            Method::ThreadConfigure,
            [u64::from(aspace.slot), fault, ipc_buffer, 0],
        )
        .map(|_| ())
    }

    /// `Invoke` / `ThreadStart`: run from `rip` with stack `rsp` (16-byte
    /// aligned). Entry arguments travel on the stack (see [`crate::rt`]).
    pub fn start(self, rip: u64, rsp: u64) -> Result<(), SysError> {
        invoke(self.slot, Method::ThreadStart, [rip, rsp, 0, 0]).map(|_| ())
    }

    /// `Invoke` / `ThreadSuspend`.
    pub fn suspend(self) -> Result<(), SysError> {
        invoke(self.slot, Method::ThreadSuspend, [0; 4]).map(|_| ())
    }

    /// `Invoke` / `ThreadResume`.
    pub fn resume(self) -> Result<(), SysError> {
        invoke(self.slot, Method::ThreadResume, [0; 4]).map(|_| ())
    }

    /// `Invoke` / `ThreadSetPriority` (0..=255, 255 highest).
    pub fn set_priority(self, p: u8) -> Result<(), SysError> {
        invoke(
            self.slot,
            Method::ThreadSetPriority,
            [u64::from(p), 0, 0, 0],
        )
        .map(|_| ())
    }

    /// `Invoke` / `ThreadSetMcp`: the highest priority (and MCP) this
    /// thread may give any thread; not above the caller's own.
    pub fn set_mcp(self, mcp: u8) -> Result<(), SysError> {
        invoke(self.slot, Method::ThreadSetMcp, [u64::from(mcp), 0, 0, 0]).map(|_| ())
    }

    /// `Invoke` / `ThreadSetAffinity` (bit n = CPU n).
    pub fn set_affinity(self, mask: u64) -> Result<(), SysError> {
        invoke(self.slot, Method::ThreadSetAffinity, [mask, 0, 0, 0]).map(|_| ())
    }

    /// `Invoke` / `ThreadSetTimeout` (timer ticks; 0 = none).
    pub fn set_timeout(self, ticks: u64) -> Result<(), SysError> {
        invoke(self.slot, Method::ThreadSetTimeout, [ticks, 0, 0, 0]).map(|_| ())
    }
}

impl Cap<AddressSpace> {
    /// `Invoke` / `AddressSpaceMap`: map `frame` at `vaddr` with `rights`
    /// (READ/WRITE/EXECUTE).
    pub fn map(self, frame: Cap<Frame>, vaddr: u64, rights: CapRights) -> Result<(), SysError> {
        invoke(
            self.slot,
            Method::AddressSpaceMap,
            [u64::from(frame.slot), vaddr, u64::from(rights.bits()), 0],
        )
        .map(|_| ())
    }

    /// `Invoke` / `AddressSpaceUnmap`: unmap the page at `vaddr`.
    pub fn unmap(self, vaddr: u64) -> Result<(), SysError> {
        invoke(self.slot, Method::AddressSpaceUnmap, [vaddr, 0, 0, 0]).map(|_| ())
    }

    /// `Invoke` / `AddressSpaceCapMint`: put into slot `dst` of this
    /// address space's CSpace a copy of `src` (a cap of the caller's
    /// CSpace) with rights narrowed to `rights` and `badge` (0 = none),
    /// derived from `src` (revoking `src` removes it). Needs WRITE.
    pub fn mint_into<K: CapKind>(
        self,
        src: Cap<K>,
        dst: u32,
        rights: CapRights,
        badge: u64,
    ) -> Result<(), SysError> {
        invoke(
            self.slot,
            Method::AddressSpaceCapMint,
            [
                u64::from(src.slot),
                u64::from(dst),
                u64::from(rights.bits()),
                badge,
            ],
        )
        .map(|_| ())
    }

    /// `Invoke` / `AddressSpaceCapMint` with every right and no badge: a
    /// plain copy of `src` into slot `dst` of this address space's CSpace.
    pub fn copy_into<K: CapKind>(self, src: Cap<K>, dst: u32) -> Result<(), SysError> {
        self.mint_into(src, dst, CapRights::ALL, 0)
    }

    /// `Invoke` / `AddressSpaceCapMove`: move `src` (a cap of the caller's
    /// CSpace) into slot `dst` of this address space's CSpace. Needs WRITE.
    pub fn move_into<K: CapKind>(self, src: Cap<K>, dst: u32) -> Result<(), SysError> {
        invoke(
            self.slot,
            Method::AddressSpaceCapMove,
            [u64::from(src.slot), u64::from(dst), 0, 0],
        )
        .map(|_| ())
    }

    /// `Invoke` / `AddressSpaceCapDelete`: delete the cap in `slot` of this
    /// address space's CSpace (the last cap destroys the object). Needs
    /// WRITE.
    pub fn delete_in(self, slot: u32) -> Result<(), SysError> {
        invoke(
            self.slot,
            Method::AddressSpaceCapDelete,
            [u64::from(slot), 0, 0, 0],
        )
        .map(|_| ())
    }

    /// `Invoke` / `AddressSpaceCapIdentify`: type, rights and badge of the
    /// cap in `slot` of this address space's CSpace. Needs READ.
    pub fn identify_in(self, slot: u32) -> Result<Identity, SysError> {
        invoke(
            self.slot,
            Method::AddressSpaceCapIdentify,
            [u64::from(slot), 0, 0, 0],
        )
        .map(Identity::from_regs)
    }
}

impl Cap<Frame> {
    /// `Invoke` / `FramePhysAddr`: the physical address (for DMA).
    pub fn phys_addr(self) -> Result<u64, SysError> {
        invoke(self.slot, Method::FramePhysAddr, [0; 4]).map(|r| r[0])
    }
}

impl Cap<IrqControl> {
    /// `Invoke` / `IrqControlGet`: claim IRQ `line` into `dst`.
    pub fn get(self, line: u64, dst: u32) -> Result<Cap<IrqHandler>, SysError> {
        invoke(
            self.slot,
            Method::IrqControlGet,
            [line, u64::from(dst), 0, 0],
        )
        .map(|_| Cap::from_slot(dst))
    }
}

impl Cap<IrqHandler> {
    /// `Invoke` / `IrqHandlerBind`: deliver the line as `bits` on `ntfn`.
    pub fn bind(self, ntfn: Cap<Notification>, bits: u64) -> Result<(), SysError> {
        invoke(
            self.slot,
            Method::IrqHandlerBind,
            [u64::from(ntfn.slot), bits, 0, 0],
        )
        .map(|_| ())
    }

    /// `Invoke` / `IrqHandlerAck`: the line may fire again.
    pub fn ack(self) -> Result<(), SysError> {
        invoke(self.slot, Method::IrqHandlerAck, [0; 4]).map(|_| ())
    }

    /// `Invoke` / `IrqHandlerUnbind`.
    pub fn unbind(self) -> Result<(), SysError> {
        invoke(self.slot, Method::IrqHandlerUnbind, [0; 4]).map(|_| ())
    }
}

impl Cap<IoPorts> {
    /// `Invoke` / `IoPortIn`: read `width` (1, 2, 4) bytes from `port`.
    pub fn port_in(self, port: u16, width: u8) -> Result<u32, SysError> {
        invoke(
            self.slot,
            Method::IoPortIn,
            [u64::from(port), u64::from(width), 0, 0],
        )
        .map(|r| r[0] as u32)
    }

    /// `Invoke` / `IoPortOut`: write `value` to `port`.
    pub fn port_out(self, port: u16, width: u8, value: u32) -> Result<(), SysError> {
        invoke(
            self.slot,
            Method::IoPortOut,
            [u64::from(port), u64::from(width), u64::from(value), 0],
        )
        .map(|_| ())
    }

    /// `Invoke` / `IoPortsMint`: a cap in `dst` for ports `first..=last`
    /// only (inside this cap's range), derived from this one.
    pub fn mint_range(self, first: u16, last: u16, dst: u32) -> Result<Cap<IoPorts>, SysError> {
        invoke(
            self.slot,
            Method::IoPortsMint,
            [u64::from(first), u64::from(last), u64::from(dst), 0],
        )
        .map(|_| Cap::from_slot(dst))
    }
}

/// Root server slot of its Untyped (all free memory).
pub const ROOT_UNTYPED: u32 = helix_abi::bootinfo::SLOT_UNTYPED;
/// First root server slot free for its own use.
pub const FIRST_FREE_SLOT: u32 = helix_abi::bootinfo::SLOT_FIRST_FREE;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn handles_keep_their_slot_and_fail_on_host() {
        let ep: Cap<Endpoint> = Cap::from_slot(7);
        assert_eq!(ep.slot(), 7);
        assert_eq!(ep.recv(), Err(SysError::InvalidSyscall));
        let u: Cap<Untyped> = Cap::from_slot(2);
        assert_eq!(
            u.retype::<Endpoint>(9, 0).map(|c| c.slot()),
            Err(SysError::InvalidSyscall)
        );
    }
}
