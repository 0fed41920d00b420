//! Deliberately wrong calls: one mutation of a plausible call whose error
//! is certain from the ABI's checking order (decode first, then the cap
//! lookup: `InvalidCap`, `EmptySlot`, `WrongType`, `NoRights`). A wrong
//! call changes nothing, so its effect is dropped.

use helix_abi::{Method, SysError, Syscall};

use crate::calls::{Call, Effect, Expect};
use crate::layout::CSPACE_SLOTS;
use crate::model::{Model, What};
use crate::op::Op;
use crate::rng::Rng;

/// The cap kind and rights a call's `rdi` slot is looked up with, for
/// the calls whose lookup is the first thing after decode.
fn lookup(c: &Call) -> Option<(Option<What>, u8)> {
    let sys = Syscall::from_raw(c.nr)?;
    Some(match sys {
        Syscall::Send | Syscall::NbSend | Syscall::Call => (Some(What::Endpoint), 0b10),
        Syscall::ReplyRecv => (Some(What::Endpoint), 0b01),
        Syscall::Signal => (Some(What::Notification), 0b10),
        Syscall::Wait | Syscall::Poll => (Some(What::Notification), 0b01),
        // A receive takes an endpoint or a notification.
        Syscall::Recv | Syscall::NbRecv => (None, 0),
        Syscall::Invoke => {
            let m = Method::from_raw(c.args[1])?;
            (m.object_type().map(What::of), 0)
        }
        Syscall::DebugWrite | Syscall::Reply | Syscall::Yield => return None,
    })
}

fn wrong_kind(what: What, want: Option<What>, sys: Option<Syscall>) -> bool {
    if !what.is_cap() {
        return false;
    }
    match want {
        Some(w) => what != w,
        None => {
            matches!(sys, Some(Syscall::Recv | Syscall::NbRecv))
                && !matches!(what, What::Endpoint | What::Notification)
        }
    }
}

/// Turn `c` into a deliberately wrong call with a certain error.
pub(crate) fn mutate(c: &mut Call, m: &Model, r: &mut Rng) {
    c.wrong = true;
    c.effect = Effect::None;
    let sys = Syscall::from_raw(c.nr);
    let look = lookup(c);
    let err = match r.below(7) {
        // A slot outside the CSpace, or wider than 32 bits.
        0 if look.is_some() => {
            c.args[0] = if r.chance(500) {
                u64::from(CSPACE_SLOTS) + r.below(4096)
            } else {
                (1 << 32) + r.below(1 << 20)
            };
            Some(SysError::InvalidCap)
        }
        // An empty slot.
        1 if look.is_some() => m.empty(r).map(|s| {
            c.args[0] = u64::from(s);
            SysError::EmptySlot
        }),
        // A cap of another type.
        2 => look.and_then(|(want, _)| {
            let s = m.pick(r, |_, e| e.sure() && wrong_kind(e.what, want, sys))?;
            c.args[0] = u64::from(s);
            Some(SysError::WrongType)
        }),
        // A cap of the right type without the right.
        3 => look.and_then(|(want, need)| {
            let want = want?;
            if need == 0 || sys == Some(Syscall::Invoke) {
                return None;
            }
            let s = m.pick_kind(r, want, |e| e.sure() && !e.has(need))?;
            c.args[0] = u64::from(s);
            Some(SysError::NoRights)
        }),
        // A register the call does not use.
        4 => c.spare.map(|i| {
            c.args[i] = 1 + r.below(1000);
            SysError::InvalidArgument
        }),
        // An unknown method.
        5 if sys == Some(Syscall::Invoke) => {
            c.args[1] = 0x7f + r.below(64);
            Some(SysError::InvalidArgument)
        }
        // A message info with reserved bits, or too long.
        6 if matches!(
            sys,
            Some(Syscall::Send | Syscall::NbSend | Syscall::Call | Syscall::Reply)
        ) =>
        {
            if r.chance(500) {
                c.args[1] |= 1 << (10 + r.below(6));
                Some(SysError::InvalidArgument)
            } else {
                c.args[1] = (c.args[1] & !0x7f) | (121 + r.below(7));
                Some(SysError::MessageTooLong)
            }
        }
        _ => None,
    };
    let err = err.unwrap_or_else(|| garbage(c, r));
    c.expect = Expect::Err(err);
}

/// An undefined syscall number, or `DebugWrite` from a bad pointer.
fn garbage(c: &mut Call, r: &mut Rng) -> SysError {
    c.op = Op::Garbage;
    c.args = [0; 6];
    if r.chance(500) {
        c.nr = Syscall::COUNT as u64 + r.below(1 << 16);
        SysError::InvalidSyscall
    } else {
        c.nr = Syscall::DebugWrite.raw();
        // Null page, kernel half, non-canonical: all refused by decode.
        const BAD: [u64; 4] = [
            0x10,
            0xffff_8000_0000_0000,
            0x0000_8000_0000_0000,
            0xdead_beef_0000_0000,
        ];
        c.args[0] = r.pick(&BAD).unwrap_or(0x10);
        c.args[1] = r.range(1, 256);
        SysError::BadAddress
    }
}
