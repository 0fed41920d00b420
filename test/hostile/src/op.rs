//! The kinds of call the generator makes, declared once: the enum, its
//! names (for the report) and `ALL` come from one list.

macro_rules! ops {
    ($($(#[$m:meta])* $v:ident = $name:literal,)+) => {
        /// A kind of call (what the per-kind counts are kept by).
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        pub enum Op {
            $($(#[$m])* $v,)+
        }

        impl Op {
            /// Every kind, in declaration order (`ALL[k.index()] == k`).
            pub const ALL: &'static [Op] = &[$(Op::$v,)+];
            /// How many kinds there are.
            pub const COUNT: usize = Op::ALL.len();

            /// Short name for the report.
            pub const fn name(self) -> &'static str {
                match self {
                    $(Op::$v => $name,)+
                }
            }

            /// Position in [`Op::ALL`].
            pub const fn index(self) -> usize {
                self as usize
            }

            /// The kind at `i` of [`Op::ALL`].
            pub fn from_index(i: usize) -> Option<Op> {
                Op::ALL.get(i).copied()
            }
        }
    };
}

ops! {
    /// `UntypedRetype`.
    Retype = "retype",
    /// `UntypedSplit`.
    Split = "split",
    /// `UntypedAvailable`.
    Available = "available",
    /// `CapCopy`.
    Copy = "copy",
    /// `CapMint`.
    Mint = "mint",
    /// `CapMove`.
    Move = "move",
    /// `CapDelete`.
    Delete = "delete",
    /// `CapRevoke`.
    Revoke = "revoke",
    /// `CapIdentify`.
    Identify = "identify",
    /// `ThreadConfigure`.
    Configure = "configure",
    /// `ThreadStart`.
    Start = "start",
    /// `ThreadSuspend`.
    Suspend = "suspend",
    /// `ThreadResume`.
    Resume = "resume",
    /// `ThreadSetPriority`.
    Priority = "priority",
    /// `ThreadSetAffinity`.
    Affinity = "affinity",
    /// `ThreadSetTimeout`.
    Timeout = "timeout",
    /// `ThreadSetMcp`.
    Mcp = "mcp",
    /// `AddressSpaceMap`.
    Map = "map",
    /// `AddressSpaceUnmap`.
    Unmap = "unmap",
    /// `AddressSpaceCapMint`.
    AsMint = "as_mint",
    /// `AddressSpaceCapMove`.
    AsMove = "as_move",
    /// `AddressSpaceCapDelete`.
    AsDelete = "as_delete",
    /// `AddressSpaceCapIdentify`.
    AsIdentify = "as_identify",
    /// `FramePhysAddr`.
    PhysAddr = "phys_addr",
    /// `IrqControlGet`.
    IrqGet = "irq_get",
    /// `IrqHandlerBind`.
    IrqBind = "irq_bind",
    /// `IrqHandlerAck`.
    IrqAck = "irq_ack",
    /// `IrqHandlerUnbind`.
    IrqUnbind = "irq_unbind",
    /// `NbSend`.
    NbSend = "nb_send",
    /// `Send` (with the caller's IPC timeout).
    Send = "send",
    /// `Call` (with the caller's IPC timeout).
    Call = "call",
    /// `NbRecv`.
    NbRecv = "nb_recv",
    /// `Recv` (with the caller's IPC timeout).
    Recv = "recv",
    /// `Reply`.
    Reply = "reply",
    /// `ReplyRecv`.
    ReplyRecv = "reply_recv",
    /// `Signal`.
    Signal = "signal",
    /// `Poll`.
    Poll = "poll",
    /// `Wait` (with the caller's IPC timeout).
    Wait = "wait",
    /// `Yield`.
    Yield = "yield",
    /// Undefined syscall numbers and `DebugWrite` with bad pointers.
    Garbage = "garbage",
}
