//! Thread calls: configure, start, suspend, resume and the settings.
//! The main thread only ever gets the settings it already has.

use helix_abi::Method;
use helix_abi::invoke::NO_SLOT;

use super::call::{Call, Effect, Expect};
use super::hostile::threads_call;
use crate::layout::{self, code};
use crate::model::{Life, Model, NONE, What};

use crate::op::Op;
use crate::rng::Rng;

const WRITE: u8 = 0b10;

pub(super) fn configure(m: &Model, r: &mut Rng) -> Option<Call> {
    let t = m.pick_kind(r, What::Thread, |e| {
        m.is_other_thread(e)
            && e.has(WRITE)
            && matches!(
                m.object(e.obj).life,
                Life::Inactive | Life::Configured | Life::Unknown
            )
    })?;
    let child = if r.chance(600) {
        m.pick_kind(r, What::Space, |e| !m.object(e.obj).own && e.has(WRITE))
    } else {
        None
    };
    let (space, fault, buffer) = match child {
        Some(s) => {
            let f = m.object(m.at(s).obj).fault_slot;
            let fault = if f == NONE { NO_SLOT } else { u64::from(f) };
            (s, fault, layout::CHILD_VA + 7 * 4096)
        }
        None => {
            // The shared endpoint A: it never leaves its slot, so a fault
            // of the thread always has somewhere to go.
            let ep = u64::from(layout::EP_A);
            (
                layout::ASPACE,
                ep,
                layout::SCRATCH_VA + (u64::from(layout::SCRATCH_PAGES) - 1) * 4096,
            )
        }
    };
    Some(
        Call::invoke(
            Op::Configure,
            t,
            Method::ThreadConfigure,
            [u64::from(space), fault, buffer, 0],
            3,
        )
        .with(Effect::Configure {
            obj: m.at(t).obj,
            space: m.at(space).obj,
            fault_ok: fault != NO_SLOT,
        }),
    )
}

pub(super) fn start(m: &Model, r: &mut Rng) -> Option<Call> {
    let t = m.pick_kind(r, What::Thread, |e| {
        let o = m.object(e.obj);
        m.is_other_thread(e)
            && e.has(WRITE)
            && o.life == Life::Configured
            && o.fault_ok
            && m.object(o.space).exec != 0
    })?;
    let th = m.object(m.at(t).obj);
    let sp = m.object(th.space);
    let page = u64::from(sp.exec.trailing_zeros());
    let base = if sp.own {
        layout::SCRATCH_VA
    } else {
        layout::CHILD_VA
    };
    let variant = match (sp.own, r.below(3)) {
        (_, 0) => code::YIELD,
        (true, _) => code::WAIT_OWN,
        (false, _) if sp.ntfn => code::WAIT_CHILD,
        (false, _) => code::YIELD,
    };
    // Now and then a start past the code (zero bytes: `add [rax], al`
    // with rax 0): the thread faults, and its fault goes to the endpoint
    // it was configured with.
    let rip = if r.chance(30) {
        base + 0x800 + page * 4096
    } else {
        base + page * 4096 + variant
    };
    Some(
        Call::invoke(
            Op::Start,
            t,
            Method::ThreadStart,
            [rip, layout::CHILD_RSP, 0, 0],
            2,
        )
        .with(Effect::Life {
            obj: th_obj(m, t),
            life: Life::Running,
        }),
    )
}

fn th_obj(m: &Model, t: u32) -> u8 {
    m.at(t).obj
}

pub(super) fn suspend_resume(m: &Model, r: &mut Rng, op: Op) -> Option<Call> {
    let (from, to, method) = if op == Op::Suspend {
        (Life::Running, Life::Suspended, Method::ThreadSuspend)
    } else {
        (Life::Suspended, Life::Running, Method::ThreadResume)
    };
    let t = m.pick_kind(r, What::Thread, |e| {
        let life = m.object(e.obj).life;
        m.is_other_thread(e) && e.has(WRITE) && (life == from || life == Life::Unknown)
    })?;
    Some(Call::invoke(op, t, method, [0; 4], 0).with(Effect::Life {
        obj: th_obj(m, t),
        life: to,
    }))
}

pub(super) fn setting(m: &Model, r: &mut Rng, op: Op) -> Option<Call> {
    let t = m.pick_kind(r, What::Thread, |e| e.has(WRITE))?;
    let own = m.object(m.at(t).obj).own;
    let value = match (op, own) {
        (Op::Priority, true) => u64::from(layout::MAIN_PRIORITY),
        (Op::Priority, false) => r.range(0, u64::from(layout::CHILD_MAX_PRIORITY)),
        (Op::Affinity, true) => m.own_mask,
        (Op::Affinity, false) => (r.bits() & m.all_cpus).max(1),
        (Op::Timeout, true) => r.range(1, 3),
        (Op::Timeout, false) => r.range(0, 5),
        (_, true) => 255,
        (_, false) => r.range(0, 200),
    };
    let sure = own && m.at(t).sure();
    Some(threads_call(op, t, value).expect(if sure { Expect::Ok } else { Expect::Any }))
}
