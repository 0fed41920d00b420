//! Untyped and generic cap calls: retype, split, available, copy, mint,
//! move, delete, revoke, identify.

use helix_abi::{CapType, Method, SysError};

use super::call::{Call, Effect, Expect};
use crate::model::{Entry, Life, Model, NONE, Obj, What};
use crate::op::Op;
use crate::rng::Rng;

/// Expect success where the model is sure of the source.
fn sure(e: &Entry) -> Expect {
    if e.sure() { Expect::Ok } else { Expect::Any }
}

/// A held cap of a known kind or not yet identified.
fn held(e: &Entry) -> bool {
    e.what.is_cap() || e.what == What::Unknown
}

pub(super) fn retype(m: &Model, r: &mut Rng) -> Option<Call> {
    let u = m.pick_kind(r, What::Untyped, |e| e.has(0b10))?;
    let dst = m.empty(r)?;
    let (kind, size, obj) = match r.below(14) {
        0..=2 => (CapType::Endpoint, 0, Obj::FREE),
        3..=5 => (CapType::Notification, 0, Obj::FREE),
        6..=9 => {
            let pages = if r.chance(800) { 1 } else { 2 };
            (
                CapType::Frame,
                pages,
                Obj {
                    pages: pages as u8,
                    ..Obj::FREE
                },
            )
        }
        10..=12 => (
            CapType::Thread,
            0,
            Obj {
                life: Life::Inactive,
                ..Obj::FREE
            },
        ),
        _ => {
            let slots = r.range(8, 32);
            (
                CapType::AddressSpace,
                slots,
                Obj {
                    slots: slots as u16,
                    ..Obj::FREE
                },
            )
        }
    };
    let ue = m.at(u);
    let entry = Entry {
        what: What::of(kind),
        rights: 0b1111,
        foreign: ue.foreign,
        parent: u as u8,
        obj: NONE,
        ..Entry::EMPTY
    };
    Some(
        Call::invoke(
            Op::Retype,
            u,
            Method::UntypedRetype,
            [kind as u64, u64::from(dst), size, 0],
            3,
        )
        .with(Effect::Fill {
            slot: dst,
            entry,
            obj,
        }),
    )
}

pub(super) fn split(m: &Model, r: &mut Rng) -> Option<Call> {
    let u = m.pick_kind(r, What::Untyped, |e| e.has(0b10))?;
    let dst = m.empty(r)?;
    let bytes = 4096 * r.range(1, 6);
    let entry = Entry {
        what: What::Untyped,
        rights: 0b1111,
        foreign: m.at(u).foreign,
        parent: u as u8,
        ..Entry::EMPTY
    };
    Some(
        Call::invoke(
            Op::Split,
            u,
            Method::UntypedSplit,
            [0, u64::from(dst), bytes, 0],
            3,
        )
        .with(Effect::Fill {
            slot: dst,
            entry,
            obj: Obj::FREE,
        }),
    )
}

pub(super) fn available(m: &Model, r: &mut Rng) -> Option<Call> {
    let u = m.pick_kind(r, What::Untyped, |e| e.has(0b01))?;
    Some(
        Call::invoke(Op::Available, u, Method::UntypedAvailable, [0; 4], 0)
            .with(Effect::Available)
            .expect(sure(&m.at(u))),
    )
}

pub(super) fn derive(m: &Model, r: &mut Rng, op: Op) -> Option<Call> {
    let src = m.pick(r, |_, e| held(e))?;
    let dst = m.empty(r)?;
    let e = m.at(src);
    if op == Op::Copy {
        return Some(
            Call::invoke(Op::Copy, src, Method::CapCopy, [u64::from(dst), 0, 0, 0], 1)
                .with(Effect::Derive {
                    src,
                    dst,
                    rights: 0b1111,
                    badged: false,
                })
                .expect(sure(&e)),
        );
    }
    let rights = r.below(16) as u8;
    let badgeable = matches!(e.what, What::Endpoint | What::Notification);
    let badge = if badgeable && r.chance(500) {
        r.range(1, 0xffff)
    } else {
        0
    };
    let expect = match (e.sure(), badge != 0 && e.badged) {
        (false, _) => Expect::Any,
        (true, true) => Expect::Err(SysError::InvalidState),
        (true, false) => Expect::Ok,
    };
    Some(
        Call::invoke(
            Op::Mint,
            src,
            Method::CapMint,
            [u64::from(dst), u64::from(rights), badge, 0],
            3,
        )
        .with(Effect::Derive {
            src,
            dst,
            rights,
            badged: badge != 0,
        })
        .expect(expect),
    )
}

pub(super) fn move_cap(m: &Model, r: &mut Rng) -> Option<Call> {
    let src = m.pick(r, |_, e| held(e) && !e.fixed)?;
    let dst = m.empty(r)?;
    Some(
        Call::invoke(Op::Move, src, Method::CapMove, [u64::from(dst), 0, 0, 0], 1)
            .with(Effect::Move { src, dst })
            .expect(sure(&m.at(src))),
    )
}

pub(super) fn delete(m: &Model, r: &mut Rng) -> Option<Call> {
    let slot = m.pick(r, |_, e| held(e) && !e.fixed)?;
    Some(
        Call::invoke(Op::Delete, slot, Method::CapDelete, [0; 4], 0)
            .with(Effect::Delete(slot))
            .expect(sure(&m.at(slot))),
    )
}

pub(super) fn revoke(m: &Model, r: &mut Rng) -> Option<Call> {
    // Revoking the process's own Untyped destroys everything it made:
    // rare, and only when the budget is gone.
    let untyped_too = m.budget_low && r.chance(60);
    let slot = m.pick(r, |s, e| {
        held(e) && (s != crate::layout::UNTYPED || untyped_too)
    })?;
    Some(
        Call::invoke(Op::Revoke, slot, Method::CapRevoke, [0; 4], 0)
            .with(Effect::Revoke(slot))
            .expect(sure(&m.at(slot))),
    )
}

pub(super) fn identify(m: &Model, r: &mut Rng) -> Option<Call> {
    let slot = if m.count(What::Unknown) > 0 && r.chance(800) {
        m.pick_kind(r, What::Unknown, |_| true)?
    } else if r.chance(800) {
        m.pick(r, |_, e| held(e))?
    } else {
        m.pick(r, |_, e| e.what != What::Hidden)?
    };
    let e = m.at(slot);
    let expect = match e.what {
        What::Empty => Expect::Err(SysError::EmptySlot),
        _ => sure(&e),
    };
    Some(
        Call::invoke(Op::Identify, slot, Method::CapIdentify, [0; 4], 0)
            .with(Effect::Identify(slot))
            .expect(expect),
    )
}
