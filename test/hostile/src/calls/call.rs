//! One generated call: registers, IPC-buffer words to write first, what
//! the model learns from the result, and what the result must be when the
//! model is sure.

use helix_abi::{Method, SysError, Syscall};

use crate::model::{Entry, Obj};
use crate::op::Op;

/// What the result must be.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Expect {
    /// Anything (another process may have changed what the call uses).
    Any,
    /// Success.
    Ok,
    /// This error.
    Err(SysError),
}

/// What the model learns from a successful call (failures teach what
/// [`crate::outcome`] says).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Effect {
    /// Nothing.
    None,
    /// A new object's first cap in `slot` (retype, split, IRQ get).
    Fill {
        /// The slot.
        slot: u32,
        /// Its entry (the object index is filled in on success).
        entry: Entry,
        /// The new object.
        obj: Obj,
    },
    /// `dst` derived from `src` (copy, mint).
    Derive {
        /// Source slot.
        src: u32,
        /// Destination slot.
        dst: u32,
        /// Rights mask.
        rights: u8,
        /// A badge was set.
        badged: bool,
    },
    /// `src` moved to `dst`.
    Move {
        /// Source slot.
        src: u32,
        /// Destination slot.
        dst: u32,
    },
    /// `slot` deleted.
    Delete(u32),
    /// Everything derived from `slot` deleted.
    Revoke(u32),
    /// `slot` identified: the result says what it holds.
    Identify(u32),
    /// Budget check: the result says how much is left.
    Available,
    /// Thread (object) `obj` configured for address space `space`.
    Configure {
        /// The thread.
        obj: u8,
        /// The address space.
        space: u8,
        /// With a fault endpoint its threads can use.
        fault_ok: bool,
    },
    /// Thread `obj` now has this life.
    Life {
        /// The thread.
        obj: u8,
        /// Its new life.
        life: crate::model::Life,
    },
    /// Frame `frame` mapped at `page` of address space `space`.
    Map {
        /// The address space.
        space: u8,
        /// Page index.
        page: u8,
        /// The frame.
        frame: u8,
        /// Mapped executable and holding code.
        exec: bool,
        /// Write the child code at this address after success.
        poke: Option<u64>,
    },
    /// `page` of `space` unmapped.
    Unmap {
        /// The address space.
        space: u8,
        /// Page index.
        page: u8,
    },
    /// A cap put into slot `slot` of child address space `space`.
    ChildFill {
        /// The address space.
        space: u8,
        /// Its slot.
        slot: u32,
        /// A usable fault endpoint now sits there.
        fault: bool,
        /// A notification the child can wait on now sits there.
        ntfn: bool,
    },
    /// Our `src` moved into slot `slot` of child address space `space`.
    ChildMove {
        /// Our slot (emptied).
        src: u32,
        /// The address space.
        space: u8,
        /// Its slot.
        slot: u32,
    },
    /// Slot `slot` of child address space `space` emptied.
    ChildDelete {
        /// The address space.
        space: u8,
        /// Its slot.
        slot: u32,
    },
    /// IRQ handler `obj` bound or unbound.
    Bound {
        /// The handler.
        obj: u8,
        /// Bound now.
        bound: bool,
    },
    /// A receive (maybe after a reply) with caps accepted at `first..`.
    Recv {
        /// First slot of the window.
        first: u32,
        /// A reply was sent first.
        replied: bool,
    },
    /// A call answered.
    Replied,
}

/// A call and what to do with its result.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Call {
    /// Its kind.
    pub op: Op,
    /// `rax`.
    pub nr: u64,
    /// `rdi`, `rsi`, `rdx`, `r10`, `r8`, `r9`.
    pub args: [u64; 6],
    buf: [(usize, u64); 6],
    nbuf: usize,
    /// What a success teaches.
    pub effect: Effect,
    /// What the result must be.
    pub expect: Expect,
    /// Deliberately wrong.
    pub wrong: bool,
    /// Index of an argument register the call leaves unused (a wrong call
    /// may set it).
    pub spare: Option<usize>,
}

impl Call {
    /// A syscall.
    pub fn sys(op: Op, nr: Syscall, args: [u64; 6]) -> Call {
        Call {
            op,
            nr: nr.raw(),
            args,
            buf: [(0, 0); 6],
            nbuf: 0,
            effect: Effect::None,
            expect: Expect::Any,
            wrong: false,
            spare: None,
        }
    }

    /// An `Invoke` of `m` on the cap in `slot`, using the first `used`
    /// of the argument registers `a`.
    pub fn invoke(op: Op, slot: u32, m: Method, a: [u64; 4], used: usize) -> Call {
        let mut c = Call::sys(
            op,
            Syscall::Invoke,
            [u64::from(slot), m.raw(), a[0], a[1], a[2], a[3]],
        );
        c.spare = (used < 4).then_some(5);
        c
    }

    /// With this effect.
    pub fn with(mut self, effect: Effect) -> Call {
        self.effect = effect;
        self
    }

    /// With this expectation.
    pub fn expect(mut self, expect: Expect) -> Call {
        self.expect = expect;
        self
    }

    /// Write word `index` of the IPC buffer before the call.
    pub fn buffer_word(mut self, index: usize, value: u64) -> Call {
        if let Some(w) = self.buf.get_mut(self.nbuf) {
            *w = (index, value);
            self.nbuf += 1;
        }
        self
    }

    /// The IPC-buffer words to write before the call.
    pub fn buffer(&self) -> &[(usize, u64)] {
        self.buf.get(..self.nbuf).unwrap_or_default()
    }

    /// After a success, write [`crate::layout::CODE_WORDS`] here (a frame
    /// just mapped writable in the scratch range).
    pub fn poke(&self) -> Option<u64> {
        match self.effect {
            Effect::Map { poke, .. } => poke,
            _ => None,
        }
    }

    /// The cap slot the call names in `rdi`, for calls that have one.
    pub fn cap_slot(&self) -> Option<u32> {
        match Syscall::from_raw(self.nr)? {
            Syscall::DebugWrite | Syscall::Reply | Syscall::Yield => None,
            _ => u32::try_from(self.args[0]).ok(),
        }
    }
}
