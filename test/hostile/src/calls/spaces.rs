//! Address-space calls (map and unmap in the scratch range or a child
//! space; the cap calls into a child's CSpace), frames and IRQ handlers.

use helix_abi::{Method, SysError};

use super::call::{Call, Effect, Expect};
use crate::layout::{self, CHILD_FAULT, CHILD_NTFN};
use crate::model::{Entry, Model, NONE, Obj, What};
use crate::op::Op;
use crate::rng::Rng;

const READ: u8 = 0b0001;
const WRITE: u8 = 0b0010;
const EXEC: u8 = 0b1000;

/// Base address and tracked pages of the space `obj`.
fn window(o: &Obj) -> (u64, u8) {
    if o.own {
        (layout::SCRATCH_VA, layout::SCRATCH_PAGES)
    } else {
        (layout::CHILD_VA, layout::CHILD_PAGES)
    }
}

/// An address space to work on: the own one (scratch range only) or a
/// child one.
fn space(m: &Model, r: &mut Rng, rights: u8) -> Option<u32> {
    if r.chance(450) {
        Some(layout::ASPACE)
    } else {
        m.pick_kind(r, What::Space, |e| !m.object(e.obj).own && e.has(rights))
    }
}

pub(super) fn map(m: &Model, r: &mut Rng) -> Option<Call> {
    let s = space(m, r, WRITE)?;
    let se = m.at(s);
    let sp = m.object(se.obj);
    let f = m.pick_kind(r, What::Frame, |e| e.has(READ))?;
    let fe = m.at(f);
    let fo = m.object(fe.obj);
    let (base, pages) = window(&sp);
    let need = fo.pages.max(1);
    let free = |p: u8| (p..p + need).all(|q| sp.map.get(q as usize) == Some(&NONE));
    let start = r.below(u64::from(pages)) as u8;
    let page = (0..pages)
        .map(|k| (start + k) % pages)
        .find(|&p| p + need <= pages && free(p))?;
    let va = base + u64::from(page) * 4096;
    let (rights, poke) = if sp.own && fe.sure() && fe.has(READ | WRITE) && r.chance(600) {
        (READ | WRITE, Some(va))
    } else if fo.code && fe.has(READ | EXEC) && r.chance(800) {
        (READ | EXEC, None)
    } else if fe.has(READ | WRITE) && r.chance(500) {
        (READ | WRITE, None)
    } else {
        (READ, None)
    };
    Some(
        Call::invoke(
            Op::Map,
            s,
            Method::AddressSpaceMap,
            [u64::from(f), va, u64::from(rights), 0],
            3,
        )
        .with(Effect::Map {
            space: se.obj,
            page,
            frame: fe.obj,
            exec: rights & EXEC != 0 && fo.code,
            poke,
        }),
    )
}

pub(super) fn unmap(m: &Model, r: &mut Rng) -> Option<Call> {
    let s = space(m, r, WRITE)?;
    let se = m.at(s);
    let sp = m.object(se.obj);
    let (base, pages) = window(&sp);
    let mapped = (0..pages).filter(|&p| sp.map[p as usize] != NONE).count() as u64;
    let page = if mapped > 0 && r.chance(800) {
        let k = r.below(mapped) as usize;
        (0..pages).filter(|&p| sp.map[p as usize] != NONE).nth(k)?
    } else {
        r.below(u64::from(pages)) as u8
    };
    Some(
        Call::invoke(
            Op::Unmap,
            s,
            Method::AddressSpaceUnmap,
            [base + u64::from(page) * 4096, 0, 0, 0],
            1,
        )
        .with(Effect::Unmap {
            space: se.obj,
            page,
        })
        .expect(if se.sure() { Expect::Ok } else { Expect::Any }),
    )
}

pub(super) fn child_cap(m: &Model, r: &mut Rng, op: Op) -> Option<Call> {
    let need = if op == Op::AsIdentify { READ } else { WRITE };
    let s = m.pick_kind(r, What::Space, |e| !m.object(e.obj).own && e.has(need))?;
    let se = m.at(s);
    let sp = m.object(se.obj);
    let slots = u64::from(sp.slots.max(2));
    let any_slot = |r: &mut Rng| r.below(slots) as u32;
    // A slot the model thinks empty (to fill) or filled (to empty). The
    // fault endpoint slot is left alone in nine picks of ten: threads
    // configured for the space fault there.
    let slot_where = |r: &mut Rng, filled: bool| {
        let start = r.below(slots);
        let fault_too = r.chance(100);
        (0..slots.min(64))
            .map(|k| (start + k) % slots.min(64))
            .find(|&x| {
                (sp.filled >> x & 1 == 1) == filled && (fault_too || x != u64::from(CHILD_FAULT))
            })
            .map_or_else(|| any_slot(r), |x| x as u32)
    };
    let c = match op {
        Op::AsMint => {
            let src = m.pick(r, |_, e| m.sendable(e))?;
            let e = m.at(src);
            let free = |x: u32| sp.filled >> x & 1 == 0;
            let dst = match e.what {
                What::Endpoint if free(CHILD_FAULT) && r.chance(700) => CHILD_FAULT,
                What::Notification if free(CHILD_NTFN) && r.chance(700) => CHILD_NTFN,
                _ => slot_where(r, false),
            };
            let rights = if r.chance(700) {
                0b1111
            } else {
                r.below(16) as u8
            };
            let badgeable = matches!(e.what, What::Endpoint | What::Notification);
            let badge = if badgeable && !e.badged && r.chance(300) {
                r.range(1, 0xffff)
            } else {
                0
            };
            let got = e.rights & rights;
            Call::invoke(
                op,
                s,
                Method::AddressSpaceCapMint,
                [u64::from(src), u64::from(dst), u64::from(rights), badge],
                4,
            )
            .with(Effect::ChildFill {
                space: se.obj,
                slot: dst,
                fault: e.what == What::Endpoint && got & WRITE != 0,
                ntfn: e.what == What::Notification && got & READ != 0,
            })
        }
        Op::AsMove => {
            let src = m.pick(r, |_, e| m.sendable(e) && !e.fixed)?;
            let dst = slot_where(r, false);
            Call::invoke(
                op,
                s,
                Method::AddressSpaceCapMove,
                [u64::from(src), u64::from(dst), 0, 0],
                2,
            )
            .with(Effect::ChildMove {
                src,
                space: se.obj,
                slot: dst,
            })
        }
        Op::AsDelete => {
            let slot = slot_where(r, true);
            Call::invoke(
                op,
                s,
                Method::AddressSpaceCapDelete,
                [u64::from(slot), 0, 0, 0],
                1,
            )
            .with(Effect::ChildDelete {
                space: se.obj,
                slot,
            })
        }
        _ => Call::invoke(
            op,
            s,
            Method::AddressSpaceCapIdentify,
            [u64::from(any_slot(r)), 0, 0, 0],
            1,
        ),
    };
    Some(c)
}

pub(super) fn phys_addr(m: &Model, r: &mut Rng) -> Option<Call> {
    let f = m.pick_kind(r, What::Frame, |e| e.has(READ))?;
    Some(
        Call::invoke(Op::PhysAddr, f, Method::FramePhysAddr, [0; 4], 0).expect(if m.at(f).sure() {
            Expect::Ok
        } else {
            Expect::Any
        }),
    )
}

pub(super) fn irq(m: &Model, r: &mut Rng, op: Op) -> Option<Call> {
    if op == Op::IrqGet {
        let ctl = m.pick_kind(r, What::IrqControl, |e| e.has(WRITE))?;
        let dst = m.empty(r)?;
        let line =
            layout::IRQ_LINES.start + r.below(layout::IRQ_LINES.end - layout::IRQ_LINES.start);
        let entry = Entry {
            what: What::IrqHandler,
            rights: 0b1111,
            foreign: m.at(ctl).foreign,
            parent: ctl as u8,
            ..Entry::EMPTY
        };
        return Some(
            Call::invoke(
                op,
                ctl,
                Method::IrqControlGet,
                [line, u64::from(dst), 0, 0],
                2,
            )
            .with(Effect::Fill {
                slot: dst,
                entry,
                obj: Obj::FREE,
            }),
        );
    }
    let h = m.pick_kind(r, What::IrqHandler, |_| true)?;
    let he = m.at(h);
    let sure = |ok: bool| match (he.sure(), ok) {
        (false, _) => Expect::Any,
        (true, true) => Expect::Ok,
        // No line in IRQ_LINES ever fires: nothing is in service.
        (true, false) => Expect::Err(SysError::InvalidState),
    };
    Some(match op {
        Op::IrqBind => {
            let n = m.pick_kind(r, What::Notification, |e| e.has(WRITE))?;
            let bits = r.bits() | 1;
            Call::invoke(op, h, Method::IrqHandlerBind, [u64::from(n), bits, 0, 0], 2).with(
                Effect::Bound {
                    obj: he.obj,
                    bound: true,
                },
            )
        }
        Op::IrqAck => Call::invoke(op, h, Method::IrqHandlerAck, [0; 4], 0).expect(sure(false)),
        _ => Call::invoke(op, h, Method::IrqHandlerUnbind, [0; 4], 0)
            .with(Effect::Bound {
                obj: he.obj,
                bound: false,
            })
            .expect(sure(true)),
    })
}
