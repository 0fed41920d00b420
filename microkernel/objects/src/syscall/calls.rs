//! Decoded object methods, one enum per object type, nested in
//! [`ObjectCall`]. Every match on them is exhaustive, so a new
//! [`Method`] must be handled by the decoder, by [`ObjectCall::method`]
//! and by the kernel's execution before anything builds.

use helix_abi::{CapRights, CapType, Method};

/// A decoded object method with its arguments, by object type.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ObjectCall {
    /// A `Cap*` method: any cap, acting in the caller's CSpace.
    Cap(CapCall),
    /// A method of an Untyped cap.
    Untyped(UntypedCall),
    /// A method of a Thread cap.
    Thread(ThreadCall),
    /// A method of an AddressSpace cap.
    AddressSpace(AddressSpaceCall),
    /// A method of a Frame cap.
    Frame(FrameCall),
    /// A method of the IrqControl cap.
    IrqControl(IrqControlCall),
    /// A method of an IrqHandler cap.
    IrqHandler(IrqHandlerCall),
    /// A method of an IoPorts cap.
    IoPorts(IoPortsCall),
}

/// The `Cap*` methods.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CapCall {
    /// `CapCopy`: copy the cap to `dst`.
    Copy {
        /// Destination slot.
        dst: u32,
    },
    /// `CapMint`: copy with `rights` (intersected) and `badge` (0 = keep).
    Mint {
        /// Destination slot.
        dst: u32,
        /// Rights mask.
        rights: CapRights,
        /// Badge.
        badge: u64,
    },
    /// `CapMove`: move the cap to `dst`.
    Move {
        /// Destination slot.
        dst: u32,
    },
    /// `CapDelete`.
    Delete,
    /// `CapRevoke`: delete everything derived from the cap.
    Revoke,
    /// `CapIdentify`: describe the cap.
    Identify,
}

/// Untyped methods.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum UntypedCall {
    /// `UntypedRetype`: make an object of `kind` into `dst`.
    Retype {
        /// Object type.
        kind: CapType,
        /// Destination slot.
        dst: u32,
        /// Size argument (checked against the type).
        arg: u64,
    },
    /// `UntypedSplit`: a child budget of `bytes` into `dst`.
    Split {
        /// Destination slot.
        dst: u32,
        /// Bytes (nonzero).
        bytes: u64,
    },
    /// `UntypedAvailable`: bytes left.
    Available,
}

/// Thread methods.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ThreadCall {
    /// `ThreadConfigure`: bind the thread to a process.
    Configure {
        /// AddressSpace slot.
        aspace: u32,
        /// Fault endpoint slot, if any.
        fault_ep: Option<u32>,
        /// IPC buffer page.
        ipc_buffer: u64,
    },
    /// `ThreadStart`: start at `rip` with `rsp`.
    Start {
        /// Entry point (user address).
        rip: u64,
        /// Stack pointer (16-byte aligned user address).
        rsp: u64,
    },
    /// `ThreadSuspend`.
    Suspend,
    /// `ThreadResume`.
    Resume,
    /// `ThreadSetPriority`.
    SetPriority(u8),
    /// `ThreadSetAffinity`: CPU mask (nonzero).
    SetAffinity(u64),
    /// `ThreadSetTimeout`: IPC timeout in ticks (0 = none).
    SetTimeout(u64),
    /// `ThreadSetMcp`: the maximum controlled priority.
    SetMcp(u8),
}

/// AddressSpace methods.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AddressSpaceCall {
    /// `AddressSpaceMap`: map a frame.
    Map {
        /// Frame slot.
        frame: u32,
        /// Page-aligned user address.
        vaddr: u64,
        /// READ / WRITE / EXECUTE (nonzero, no GRANT).
        rights: CapRights,
    },
    /// `AddressSpaceUnmap`: unmap the page at `vaddr`.
    Unmap {
        /// Page-aligned user address.
        vaddr: u64,
    },
    /// `AddressSpaceCapMint`: mint a cap of the caller's CSpace into this
    /// address space's CSpace (as `CapMint`; the new cap is a child of
    /// the source).
    CapMint {
        /// Source slot in the caller's CSpace.
        src: u32,
        /// Destination slot in the target's CSpace.
        dst: u32,
        /// Rights mask.
        rights: CapRights,
        /// Badge (0 = keep).
        badge: u64,
    },
    /// `AddressSpaceCapMove`: move a cap of the caller's CSpace into this
    /// address space's CSpace.
    CapMove {
        /// Source slot in the caller's CSpace.
        src: u32,
        /// Destination slot in the target's CSpace.
        dst: u32,
    },
    /// `AddressSpaceCapDelete`: delete a cap of this address space's CSpace.
    CapDelete {
        /// Slot in the target's CSpace.
        slot: u32,
    },
    /// `AddressSpaceCapIdentify`: describe a cap of this address space's
    /// CSpace.
    CapIdentify {
        /// Slot in the target's CSpace.
        slot: u32,
    },
}

/// Frame methods.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FrameCall {
    /// `FramePhysAddr`: the physical address.
    PhysAddr,
}

/// IrqControl methods.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IrqControlCall {
    /// `IrqControlGet`: make an IrqHandler.
    Get {
        /// IRQ line (below `IRQ_LINES`).
        irq: u64,
        /// Destination slot.
        dst: u32,
    },
}

/// IrqHandler methods.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IrqHandlerCall {
    /// `IrqHandlerBind`: deliver the IRQ to a notification.
    Bind {
        /// Notification slot.
        ntfn: u32,
        /// Bits (nonzero).
        bits: u64,
    },
    /// `IrqHandlerAck`.
    Ack,
    /// `IrqHandlerUnbind`.
    Unbind,
}

/// IoPorts methods.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum IoPortsCall {
    /// `IoPortIn`: read a port.
    In {
        /// Port.
        port: u16,
        /// 1, 2 or 4 bytes.
        width: u8,
    },
    /// `IoPortOut`: write a port.
    Out {
        /// Port.
        port: u16,
        /// 1, 2 or 4 bytes.
        width: u8,
        /// Value (fits the width).
        value: u32,
    },
    /// `IoPortsMint`: a narrower IoPorts cap.
    Mint {
        /// First port.
        first: u16,
        /// Last port (inclusive, >= first).
        last: u16,
        /// Destination slot.
        dst: u32,
    },
}

impl ObjectCall {
    /// The ABI method this call decodes.
    pub const fn method(&self) -> Method {
        match self {
            ObjectCall::Cap(c) => c.method(),
            ObjectCall::Untyped(c) => c.method(),
            ObjectCall::Thread(c) => c.method(),
            ObjectCall::AddressSpace(c) => c.method(),
            ObjectCall::Frame(c) => c.method(),
            ObjectCall::IrqControl(c) => c.method(),
            ObjectCall::IrqHandler(c) => c.method(),
            ObjectCall::IoPorts(c) => c.method(),
        }
    }
}

impl CapCall {
    /// The ABI method.
    pub const fn method(&self) -> Method {
        match self {
            CapCall::Copy { .. } => Method::CapCopy,
            CapCall::Mint { .. } => Method::CapMint,
            CapCall::Move { .. } => Method::CapMove,
            CapCall::Delete => Method::CapDelete,
            CapCall::Revoke => Method::CapRevoke,
            CapCall::Identify => Method::CapIdentify,
        }
    }
}

impl UntypedCall {
    /// The ABI method.
    pub const fn method(&self) -> Method {
        match self {
            UntypedCall::Retype { .. } => Method::UntypedRetype,
            UntypedCall::Split { .. } => Method::UntypedSplit,
            UntypedCall::Available => Method::UntypedAvailable,
        }
    }
}

impl ThreadCall {
    /// The ABI method.
    pub const fn method(&self) -> Method {
        match self {
            ThreadCall::Configure { .. } => Method::ThreadConfigure,
            ThreadCall::Start { .. } => Method::ThreadStart,
            ThreadCall::Suspend => Method::ThreadSuspend,
            ThreadCall::Resume => Method::ThreadResume,
            ThreadCall::SetPriority(_) => Method::ThreadSetPriority,
            ThreadCall::SetAffinity(_) => Method::ThreadSetAffinity,
            ThreadCall::SetTimeout(_) => Method::ThreadSetTimeout,
            ThreadCall::SetMcp(_) => Method::ThreadSetMcp,
        }
    }
}

impl AddressSpaceCall {
    /// The ABI method.
    pub const fn method(&self) -> Method {
        match self {
            AddressSpaceCall::Map { .. } => Method::AddressSpaceMap,
            AddressSpaceCall::Unmap { .. } => Method::AddressSpaceUnmap,
            AddressSpaceCall::CapMint { .. } => Method::AddressSpaceCapMint,
            AddressSpaceCall::CapMove { .. } => Method::AddressSpaceCapMove,
            AddressSpaceCall::CapDelete { .. } => Method::AddressSpaceCapDelete,
            AddressSpaceCall::CapIdentify { .. } => Method::AddressSpaceCapIdentify,
        }
    }
}

impl FrameCall {
    /// The ABI method.
    pub const fn method(&self) -> Method {
        match self {
            FrameCall::PhysAddr => Method::FramePhysAddr,
        }
    }
}

impl IrqControlCall {
    /// The ABI method.
    pub const fn method(&self) -> Method {
        match self {
            IrqControlCall::Get { .. } => Method::IrqControlGet,
        }
    }
}

impl IrqHandlerCall {
    /// The ABI method.
    pub const fn method(&self) -> Method {
        match self {
            IrqHandlerCall::Bind { .. } => Method::IrqHandlerBind,
            IrqHandlerCall::Ack => Method::IrqHandlerAck,
            IrqHandlerCall::Unbind => Method::IrqHandlerUnbind,
        }
    }
}

impl IoPortsCall {
    /// The ABI method.
    pub const fn method(&self) -> Method {
        match self {
            IoPortsCall::In { .. } => Method::IoPortIn,
            IoPortsCall::Out { .. } => Method::IoPortOut,
            IoPortsCall::Mint { .. } => Method::IoPortsMint,
        }
    }
}
