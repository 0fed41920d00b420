//! The model: what the process holds, slot by slot (its entries), and the
//! objects behind them. Entries point to objects, so copies of a cap share
//! what is known about the object (an address space's mappings, a thread's
//! state); the parent link of an entry mirrors the kernel's derivation
//! tree inside this CSpace, so a revoke clears exactly what it removes.

use helix_abi::{CapRights, CapType};

use crate::config::Config;
use crate::layout::{self, CSPACE_SLOTS, FIRST_FREE};
use crate::rng::Rng;

/// No slot / no object.
pub const NONE: u8 = u8::MAX;
/// A page mapped by a frame the model lost track of.
pub const LOST: u8 = u8::MAX - 1;
/// Objects the model tracks at once.
pub const MAX_OBJS: usize = 240;
/// Pages tracked per address space (the scratch range is the largest).
pub const PAGES: usize = layout::SCRATCH_PAGES as usize;
const SLOTS: usize = CSPACE_SLOTS as usize;

/// What a slot holds, as far as the model knows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum What {
    /// Nothing.
    Empty,
    /// Not the generator's (report cap, reserved slots).
    Hidden,
    /// A cap that arrived by IPC and was not identified yet.
    Unknown,
    /// An Untyped.
    Untyped,
    /// An endpoint.
    Endpoint,
    /// A notification.
    Notification,
    /// A frame.
    Frame,
    /// An address space.
    Space,
    /// A thread.
    Thread,
    /// IRQ control.
    IrqControl,
    /// An IRQ handler.
    IrqHandler,
    /// Any other type (never invoked).
    Other,
}

impl What {
    /// Number of variants (for per-kind counts).
    pub const COUNT: usize = 12;

    /// The model's name for a kernel object type.
    pub fn of(kind: CapType) -> What {
        match kind {
            CapType::Untyped => What::Untyped,
            CapType::Endpoint => What::Endpoint,
            CapType::Notification => What::Notification,
            CapType::Frame => What::Frame,
            CapType::AddressSpace => What::Space,
            CapType::Thread => What::Thread,
            CapType::IrqControl => What::IrqControl,
            CapType::IrqHandler => What::IrqHandler,
            CapType::Reply | CapType::IoPorts => What::Other,
        }
    }

    /// The kernel object type, for the kinds that have one.
    pub fn kind(self) -> Option<CapType> {
        Some(match self {
            What::Untyped => CapType::Untyped,
            What::Endpoint => CapType::Endpoint,
            What::Notification => CapType::Notification,
            What::Frame => CapType::Frame,
            What::Space => CapType::AddressSpace,
            What::Thread => CapType::Thread,
            What::IrqControl => CapType::IrqControl,
            What::IrqHandler => CapType::IrqHandler,
            What::Empty | What::Hidden | What::Unknown | What::Other => return None,
        })
    }

    /// A cap of a known object type.
    pub fn is_cap(self) -> bool {
        self.kind().is_some()
    }
}

/// One slot.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Entry {
    /// What is in it.
    pub what: What,
    /// Rights bits of the cap.
    pub rights: u8,
    /// The cap carries a badge.
    pub badged: bool,
    /// Placed by the kernel test: never deleted or moved.
    pub fixed: bool,
    /// Derived from a cap another process holds: it may vanish at any
    /// time (that process revokes), so results about it are only news.
    pub foreign: bool,
    /// Slot of its parent in the derivation tree, if in this CSpace.
    pub parent: u8,
    /// The object (index into [`Model::obj`]) or [`NONE`].
    pub obj: u8,
}

impl Entry {
    /// An empty slot.
    pub const EMPTY: Entry = Entry {
        what: What::Empty,
        rights: 0,
        badged: false,
        fixed: false,
        foreign: false,
        parent: NONE,
        obj: NONE,
    };
    /// A slot the generator leaves alone.
    pub const HIDDEN: Entry = Entry {
        what: What::Hidden,
        fixed: true,
        ..Entry::EMPTY
    };

    /// Has every right in `bits`.
    pub fn has(&self, bits: u8) -> bool {
        self.rights & bits == bits
    }

    /// The model is sure of this slot: known type, rooted in this process.
    pub fn sure(&self) -> bool {
        self.what.is_cap() && !self.foreign
    }
}

/// A thread's life as the model knows it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Life {
    /// Made, not configured.
    Inactive,
    /// Configured, not started.
    Configured,
    /// Started (running, ready or blocked).
    Running,
    /// Suspended.
    Suspended,
    /// Its address space is gone: it never runs again.
    Dead,
    /// Not known (a thread cap from another process).
    Unknown,
}

/// An object behind one or more entries.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Obj {
    /// Entries naming it (0: free).
    pub refs: u16,
    /// The process's own address space or thread.
    pub own: bool,
    /// Frame: pages.
    pub pages: u8,
    /// Frame: holds the child code ([`layout::CODE_WORDS`]).
    pub code: bool,
    /// Address space: CSpace slots (0 = not known).
    pub slots: u16,
    /// Address space: child slot with a fault endpoint (with WRITE).
    pub fault_slot: u8,
    /// Address space: frame mapped at each page ([`NONE`], [`LOST`]).
    pub map: [u8; PAGES],
    /// Address space: pages mapped executable with the child code.
    pub exec: u32,
    /// Address space: its CSpace has a notification at
    /// [`layout::CHILD_NTFN`].
    pub ntfn: bool,
    /// Address space: slots of its CSpace (the first 64) the process
    /// filled and did not empty since.
    pub filled: u64,
    /// Thread: its life.
    pub life: Life,
    /// Thread: the address space it was configured for.
    pub space: u8,
    /// Thread: started with a usable fault endpoint.
    pub fault_ok: bool,
    /// IRQ handler: bound to a notification.
    pub bound: bool,
}

impl Obj {
    /// A free object record.
    pub const FREE: Obj = Obj {
        refs: 0,
        own: false,
        pages: 1,
        code: false,
        slots: 0,
        fault_slot: NONE,
        map: [NONE; PAGES],
        exec: 0,
        ntfn: false,
        filled: 0,
        life: Life::Unknown,
        space: NONE,
        fault_ok: false,
        bound: false,
    };
}

/// A call this process received and may answer.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Holding {
    /// Nothing to answer.
    Nothing,
    /// A `call` from another thread.
    Call,
    /// A fault message (label `0xfa17`).
    Fault,
}

/// The process as the generator sees it.
#[derive(Clone, Debug)]
pub struct Model {
    /// Slots.
    pub slot: [Entry; SLOTS],
    /// Objects.
    pub obj: [Obj; MAX_OBJS],
    /// What a reply would answer.
    pub holding: Holding,
    /// The last retype or split ran out of budget.
    pub budget_low: bool,
    counts: [u16; What::COUNT],
    /// Mask of the CPUs online.
    pub all_cpus: u64,
    /// The main thread's CPU mask.
    pub own_mask: u64,
}

impl Model {
    /// The process as the kernel test sets it up for `cfg`.
    pub fn new(cfg: &Config) -> Model {
        let mut m = Model {
            slot: [Entry::EMPTY; SLOTS],
            obj: [Obj::FREE; MAX_OBJS],
            holding: Holding::Nothing,
            budget_low: false,
            counts: [0; What::COUNT],
            all_cpus: cfg.all_cpus(),
            own_mask: cfg.own_mask,
        };
        m.counts[What::Empty as usize] = SLOTS as u16;
        // Slot 255 too: its index is the model's NONE.
        for s in (0..FIRST_FREE).chain([CSPACE_SLOTS - 1]) {
            m.set(s, Entry::HIDDEN);
        }
        let own = Obj {
            own: true,
            slots: CSPACE_SLOTS as u16,
            life: Life::Running,
            ..Obj::FREE
        };
        m.place(layout::ASPACE, What::Space, 0b1111, false, own);
        m.place(layout::THREAD, What::Thread, 0b1111, false, own);
        m.place(layout::UNTYPED, What::Untyped, 0b1111, false, Obj::FREE);
        for p in layout::shared_caps(cfg.index) {
            m.place(p.slot, What::of(p.kind), p.rights, p.badge != 0, Obj::FREE);
        }
        m
    }

    fn place(&mut self, slot: u32, what: What, rights: u8, badged: bool, o: Obj) {
        let obj = self.new_obj(o);
        self.set(
            slot,
            Entry {
                what,
                rights: rights & CapRights::ALL.bits(),
                badged,
                fixed: true,
                obj,
                ..Entry::EMPTY
            },
        );
    }

    /// The entry of `slot` ([`Entry::HIDDEN`] outside the CSpace).
    pub fn at(&self, slot: u32) -> Entry {
        self.slot
            .get(slot as usize)
            .copied()
            .unwrap_or(Entry::HIDDEN)
    }

    /// The object `o` ([`Obj::FREE`] for [`NONE`]).
    pub fn object(&self, o: u8) -> Obj {
        self.obj.get(o as usize).copied().unwrap_or(Obj::FREE)
    }

    /// Change the object `o` (nothing for [`NONE`]).
    pub fn object_mut(&mut self, o: u8) -> Option<&mut Obj> {
        self.obj.get_mut(o as usize)
    }

    /// Entries holding `what`.
    pub fn count(&self, what: What) -> u16 {
        self.counts[what as usize]
    }

    /// A new object record (its refs come from the entries set to it).
    pub fn new_obj(&mut self, o: Obj) -> u8 {
        match self.obj.iter().position(|x| x.refs == 0) {
            Some(i) => {
                self.obj[i] = Obj { refs: 0, ..o };
                i as u8
            }
            None => NONE,
        }
    }

    /// Write `slot`, keeping counts and object references.
    pub fn set(&mut self, slot: u32, e: Entry) {
        let Some(old) = self.slot.get(slot as usize).copied() else {
            return;
        };
        if let Some(o) = self.obj.get_mut(e.obj as usize) {
            o.refs += 1;
        }
        self.slot[slot as usize] = e;
        self.counts[old.what as usize] -= 1;
        self.counts[e.what as usize] += 1;
        if let Some(o) = self.obj.get_mut(old.obj as usize) {
            o.refs = o.refs.saturating_sub(1);
            if o.refs == 0 {
                self.gone(old.obj);
            }
        }
    }

    /// Empty `slot` (a cap removed by the kernel or lost).
    pub fn clear(&mut self, slot: u32) {
        if !self.at(slot).fixed {
            self.set(slot, Entry::EMPTY);
        }
    }

    /// The object `o` lost its last entry here: as far as this process
    /// can tell it is destroyed (a frame is unmapped everywhere, threads
    /// of an address space never run again).
    fn gone(&mut self, o: u8) {
        if o as usize >= MAX_OBJS {
            return;
        }
        for x in self.obj.iter_mut().filter(|x| x.refs > 0) {
            for (i, page) in x.map.iter_mut().enumerate() {
                if *page == o {
                    *page = NONE;
                    x.exec &= !(1 << i);
                }
            }
            if x.space == o {
                x.space = NONE;
                x.life = Life::Dead;
            }
        }
        self.obj[o as usize] = Obj::FREE;
    }

    /// Derive `dst` from `src` (copy, mint, or a receive into our own
    /// CSpace): a child of `src` with `rights` and maybe a badge.
    pub fn derive(&mut self, src: u32, dst: u32, rights: u8, badged: bool) {
        let s = self.at(src);
        self.set(
            dst,
            Entry {
                rights: s.rights & rights,
                badged: s.badged || badged,
                fixed: false,
                parent: src as u8,
                ..s
            },
        );
    }

    /// Move `src` to `dst` (children follow it).
    pub fn move_to(&mut self, src: u32, dst: u32) {
        let s = self.at(src);
        self.set(dst, Entry { fixed: false, ..s });
        self.reparent(src as u8, dst as u8);
        self.set(src, Entry::EMPTY);
    }

    fn reparent(&mut self, from: u8, to: u8) {
        for e in self.slot.iter_mut() {
            if e.parent == from && e.what != What::Empty {
                e.parent = to;
            }
        }
    }

    /// Delete `slot`: its children take its place in the tree.
    pub fn delete(&mut self, slot: u32) {
        let parent = self.at(slot).parent;
        self.reparent(slot as u8, parent);
        self.clear(slot);
    }

    /// Revoke `slot`: every descendant here goes; the cap itself stays.
    pub fn revoke(&mut self, slot: u32) {
        let mut doomed = [false; SLOTS];
        let mut changed = true;
        while changed {
            changed = false;
            for i in 0..SLOTS {
                let p = self.slot[i].parent;
                if !doomed[i]
                    && self.slot[i].what != What::Empty
                    && (p as u32 == slot || doomed.get(p as usize) == Some(&true))
                {
                    doomed[i] = true;
                    changed = true;
                }
            }
        }
        for (i, d) in doomed.iter().enumerate() {
            if *d {
                self.set(i as u32, Entry::EMPTY);
            }
        }
    }

    /// A random slot whose entry satisfies `want` (random start, cyclic).
    pub fn pick(&self, rng: &mut Rng, want: impl Fn(u32, &Entry) -> bool) -> Option<u32> {
        let start = rng.below(SLOTS as u64) as usize;
        (0..SLOTS)
            .map(|k| ((start + k) % SLOTS) as u32)
            .find(|&s| want(s, &self.slot[s as usize]))
    }

    /// A random entry of kind `what` satisfying `want`.
    pub fn pick_kind(
        &self,
        rng: &mut Rng,
        what: What,
        want: impl Fn(&Entry) -> bool,
    ) -> Option<u32> {
        if self.count(what) == 0 {
            return None;
        }
        self.pick(rng, |_, e| e.what == what && want(e))
    }

    /// A random empty slot.
    pub fn empty(&self, rng: &mut Rng) -> Option<u32> {
        self.pick_kind(rng, What::Empty, |_| true)
    }

    /// `n` consecutive empty slots (1..=4) for a receive window.
    pub fn empty_run(&self, rng: &mut Rng, n: u32) -> Option<u32> {
        let first = self.pick(rng, |s, _| {
            s + n <= CSPACE_SLOTS && (s..s + n).all(|x| self.at(x).what == What::Empty)
        })?;
        Some(first)
    }

    /// A thread entry of this process that is not its own main thread.
    pub fn is_other_thread(&self, e: &Entry) -> bool {
        e.what == What::Thread && !self.object(e.obj).own
    }

    /// A cap the process may hand to another process.
    pub fn sendable(&self, e: &Entry) -> bool {
        e.what != What::Empty && e.what != What::Hidden && !self.object(e.obj).own
    }
}
