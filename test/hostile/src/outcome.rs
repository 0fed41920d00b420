//! Feeding a result back: count it, check it where the model was sure,
//! and learn from it (a success applies the call's effect; an error says
//! what the model had wrong).

use helix_abi::{CapType, MessageInfo, SysError};

use crate::calls::{Call, Effect, Expect, Hostile};
use crate::layout::{CHILD_FAULT, CHILD_NTFN};
use crate::model::{Entry, Holding, LOST, Life, NONE, Obj, What};
use crate::op::Op;
use crate::stats::Mismatch;

/// What a mismatch says was wanted when the kernel returned an error
/// code the ABI does not define.
pub const UNKNOWN_CODE: u64 = 0xff;

impl Hostile {
    /// The call `c` returned `rax` (0 or an error code) and `out` (`rdi`,
    /// `rsi`, `rdx`, `r10`, `r8`, `r9`).
    pub fn complete(&mut self, c: &Call, rax: u64, out: [u64; 6]) {
        self.stats.count(c.op, rax == 0);
        if c.wrong {
            self.stats.wrong += 1;
        }
        let want = match c.expect {
            Expect::Any => None,
            Expect::Ok => Some(0),
            Expect::Err(e) => Some(e.raw()),
        };
        // A code outside the ABI's list is wrong whatever was expected.
        let unknown = rax != 0 && SysError::from_code(rax).is_none();
        let want = if unknown { Some(UNKNOWN_CODE) } else { want };
        if let Some(want) = want
            && want != rax
        {
            self.stats.mismatch(Mismatch {
                op: c.op,
                got: rax,
                want,
                call: self.n,
            });
        }
        if rax == 0 {
            self.learn(c, out);
        } else {
            let e = SysError::from_code(rax);
            self.unlearn(c, e);
        }
    }

    fn learn(&mut self, c: &Call, out: [u64; 6]) {
        let m = &mut self.model;
        match c.effect {
            Effect::None => {}
            Effect::Fill { slot, entry, obj } => {
                let o = m.new_obj(obj);
                m.set(slot, Entry { obj: o, ..entry });
            }
            Effect::Derive {
                src,
                dst,
                rights,
                badged,
            } => m.derive(src, dst, rights, badged),
            Effect::Move { src, dst } => m.move_to(src, dst),
            Effect::Delete(slot) => {
                m.delete(slot);
                m.budget_low = false;
            }
            Effect::Revoke(slot) => {
                m.revoke(slot);
                m.budget_low = false;
            }
            Effect::Identify(slot) => self.identified(c, slot, out),
            Effect::Available => m.budget_low = out[0] < 16 * 1024,
            Effect::Configure {
                obj,
                space,
                fault_ok,
            } => {
                if let Some(o) = m.object_mut(obj) {
                    o.life = Life::Configured;
                    o.space = space;
                    o.fault_ok = fault_ok;
                }
            }
            Effect::Life { obj, life } => {
                if let Some(o) = m.object_mut(obj) {
                    o.life = life;
                }
            }
            Effect::Map {
                space,
                page,
                frame,
                exec,
                poke,
            } => {
                let pages = m.object(frame).pages.max(1);
                if let Some(f) = m.object_mut(frame)
                    && poke.is_some()
                {
                    f.code = true;
                }
                if let Some(s) = m.object_mut(space) {
                    for p in page..page.saturating_add(pages) {
                        if let Some(x) = s.map.get_mut(p as usize) {
                            *x = frame;
                        }
                    }
                    if exec {
                        s.exec |= 1 << (page % 32);
                    }
                }
            }
            Effect::Unmap { space, page } => {
                if let Some(s) = m.object_mut(space)
                    && let Some(x) = s.map.get_mut(page as usize)
                {
                    *x = NONE;
                    s.exec &= !(1 << (page % 32));
                }
            }
            Effect::ChildFill {
                space,
                slot,
                fault,
                ntfn,
            } => child_slot(m.object_mut(space), slot, Some((fault, ntfn))),
            Effect::ChildMove { src, space, slot } => {
                let e = m.at(src);
                let fault = e.what == What::Endpoint && e.has(0b10);
                let ntfn = e.what == What::Notification && e.has(0b01);
                // The cap keeps its place in the tree: for what is left
                // here it is as if it was deleted.
                m.delete(src);
                child_slot(m.object_mut(space), slot, Some((fault, ntfn)));
            }
            Effect::ChildDelete { space, slot } => child_slot(m.object_mut(space), slot, None),
            Effect::Bound { obj, bound } => {
                if let Some(o) = m.object_mut(obj) {
                    o.bound = bound;
                }
            }
            Effect::Recv { first, .. } => self.received(c, first, out),
            Effect::Replied => m.holding = Holding::Nothing,
        }
    }

    /// What `CapIdentify` said about `slot`.
    fn identified(&mut self, c: &Call, slot: u32, out: [u64; 6]) {
        let m = &mut self.model;
        let Some(kind) = u8::try_from(out[0]).ok().and_then(CapType::from_raw) else {
            return;
        };
        let (what, rights, badged) = (What::of(kind), (out[1] & 0xf) as u8, out[1] >> 8 & 1 == 1);
        let e = m.at(slot);
        if e.sure() && (e.what != what || e.rights != rights || e.badged != badged) {
            // Type and rights as one byte each: kind << 4 | rights.
            let byte = |w: What, r: u8| w.kind().map_or(0, |k| k as u64) << 4 | u64::from(r);
            self.stats.mismatch(Mismatch {
                op: c.op,
                got: byte(what, rights),
                want: byte(e.what, e.rights),
                call: self.n,
            });
        }
        let obj = if e.what == what && e.obj != NONE {
            e.obj
        } else {
            m.new_obj(Obj {
                slots: if what == What::Space { 2 } else { 0 },
                ..Obj::FREE
            })
        };
        m.set(
            slot,
            Entry {
                what,
                rights,
                badged,
                obj,
                ..e
            },
        );
    }

    /// A receive (or a call's reply) delivered a message.
    fn received(&mut self, c: &Call, first: u32, out: [u64; 6]) {
        let m = &mut self.model;
        let src = u32::try_from(c.args[0]).unwrap_or(u32::MAX);
        if m.at(src).what == What::Notification {
            return;
        }
        let info = MessageInfo::from_raw(out[1]).unwrap_or_default();
        for k in 0..info.caps() as u32 {
            m.set(
                first + k,
                Entry {
                    what: What::Unknown,
                    foreign: true,
                    ..Entry::EMPTY
                },
            );
        }
        self.stats.caps_received += info.caps() as u64;
        if c.op != Op::Call {
            m.holding = crate::calls::holding_for(info.label());
        }
    }

    fn unlearn(&mut self, c: &Call, e: Option<SysError>) {
        let m = &mut self.model;
        if c.wrong {
            return;
        }
        let slot = c.cap_slot().unwrap_or(u32::MAX);
        match (c.effect, e) {
            (Effect::Identify(s), Some(SysError::EmptySlot)) => m.clear(s),
            (_, Some(SysError::EmptySlot | SysError::WrongType)) => {
                // Something another process held is gone: find out what
                // is there now.
                let x = m.at(slot);
                if !x.fixed && x.what.is_cap() {
                    m.set(
                        slot,
                        Entry {
                            what: What::Unknown,
                            foreign: true,
                            ..x
                        },
                    );
                }
            }
            (Effect::Fill { .. } | Effect::Map { .. }, Some(SysError::OutOfMemory)) => {
                m.budget_low = true;
            }
            (
                Effect::Map {
                    space, page, frame, ..
                },
                Some(SysError::BadAddress),
            ) => {
                // Mapped already, by something the model lost track of.
                let pages = m.object(frame).pages.max(1);
                if let Some(s) = m.object_mut(space) {
                    for p in page..page.saturating_add(pages) {
                        if let Some(x) = s.map.get_mut(p as usize)
                            && *x == NONE
                        {
                            *x = LOST;
                        }
                    }
                }
            }
            (
                Effect::Configure { obj, .. } | Effect::Life { obj, .. },
                Some(SysError::InvalidState),
            ) => {
                if let Some(o) = m.object_mut(obj) {
                    o.life = Life::Unknown;
                }
            }
            (Effect::Recv { replied, .. }, Some(err)) => {
                let blocked = matches!(err, SysError::TimedOut | SysError::Revoked);
                if c.op != Op::Call && (blocked || replied) {
                    m.holding = Holding::Nothing;
                }
            }
            (Effect::Replied, _) => m.holding = Holding::Nothing,
            _ => {}
        }
    }
}

/// Record what now sits in a child CSpace slot (`None`: nothing).
fn child_slot(space: Option<&mut Obj>, slot: u32, filled: Option<(bool, bool)>) {
    let Some(s) = space else {
        return;
    };
    let (fault, ntfn) = filled.unwrap_or((false, false));
    if slot < 64 {
        if filled.is_some() {
            s.filled |= 1 << slot;
        } else {
            s.filled &= !(1 << slot);
        }
    }
    if slot == CHILD_FAULT {
        s.fault_slot = if fault { CHILD_FAULT as u8 } else { NONE };
    }
    if slot == CHILD_NTFN {
        s.ntfn = ntfn;
    }
}
