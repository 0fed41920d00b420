//! IPC calls: sends (non-blocking mostly; blocking ones end by the
//! caller's IPC timeout), receives into a window of empty slots, replies,
//! signals, polls and waits.
//!
//! Labels say what a message is: even for a send, odd for a call, so the
//! receiver knows whether it owes a reply; `0xfa17` is a fault.

use helix_abi::ipc::buffer::{RECV_COUNT, RECV_SLOT, SEND_CAPS};
use helix_abi::{MessageInfo, Syscall};

use super::call::{Call, Effect, Expect};
use crate::model::{Holding, Model, What};
use crate::op::Op;
use crate::rng::Rng;

const READ: u8 = 0b0001;
const WRITE: u8 = 0b0010;
const GRANT: u8 = 0b0100;

/// The label of a fault message.
pub const FAULT_LABEL: u64 = 0xfa17;

/// What a message with `label` asks of its receiver.
pub fn holding_for(label: u64) -> Holding {
    if label == FAULT_LABEL {
        Holding::Fault
    } else if label & 1 == 1 {
        Holding::Call
    } else {
        Holding::Nothing
    }
}

/// An endpoint or notification with `rights`: mostly one other processes
/// can reach too (the shared ones, or one that came from another
/// process), so messages meet.
fn meeting_point(m: &Model, r: &mut Rng, what: What, rights: u8) -> Option<u32> {
    let shared = if r.chance(700) {
        m.pick_kind(r, what, |e| (e.fixed || e.foreign) && e.has(rights))
    } else {
        None
    };
    shared.or_else(|| m.pick_kind(r, what, |e| e.has(rights)))
}

fn length(r: &mut Rng) -> usize {
    if r.chance(100) {
        r.range(5, 8) as usize
    } else {
        r.range(0, 4) as usize
    }
}

/// Accept up to `count` caps at an empty run of slots (count 0: none).
fn window(m: &Model, r: &mut Rng, c: Call) -> (Call, u32) {
    let count = r.range(0, 3) as u32;
    match (count, m.empty_run(r, count.max(1))) {
        (1.., Some(first)) => (
            c.buffer_word(RECV_SLOT, u64::from(first))
                .buffer_word(RECV_COUNT, u64::from(count)),
            first,
        ),
        _ => (c.buffer_word(RECV_COUNT, 0), 0),
    }
}

pub(super) fn send(m: &Model, r: &mut Rng, op: Op) -> Option<Call> {
    let ep = meeting_point(m, r, What::Endpoint, WRITE)?;
    let e = m.at(ep);
    let ncaps = if e.has(GRANT) && r.chance(300) {
        r.range(1, 2) as usize
    } else {
        0
    };
    let mut caps = [0u32; 2];
    for c in caps.iter_mut().take(ncaps) {
        *c = m.pick(r, |_, x| m.sendable(x))?;
    }
    let label = r.below(0x7fff) * 2 + u64::from(op == Op::Call);
    let info = MessageInfo::new(label, length(r), ncaps)?;
    let nr = match op {
        Op::NbSend => Syscall::NbSend,
        Op::Send => Syscall::Send,
        _ => Syscall::Call,
    };
    let mut c = Call::sys(
        op,
        nr,
        [
            u64::from(ep),
            info.raw(),
            r.bits(),
            r.bits(),
            r.bits(),
            r.bits(),
        ],
    );
    for (i, &s) in caps.iter().take(ncaps).enumerate() {
        c = c.buffer_word(SEND_CAPS + i, u64::from(s));
    }
    if op == Op::Call {
        let (c, first) = window(m, r, c);
        return Some(c.with(Effect::Recv {
            first,
            replied: false,
        }));
    }
    Some(c)
}

fn reply_info(m: &Model, r: &mut Rng) -> MessageInfo {
    match m.holding {
        // Destroy the faulting thread mostly; sometimes let it run (it
        // faults again).
        Holding::Fault => MessageInfo::new(if r.chance(700) { 2 } else { 0 }, 0, 0),
        _ => MessageInfo::new(r.below(0x7fff) * 2, r.range(0, 4) as usize, 0),
    }
    .unwrap_or_default()
}

pub(super) fn recv(m: &Model, r: &mut Rng, op: Op) -> Option<Call> {
    let src = if op == Op::NbRecv && r.chance(300) {
        meeting_point(m, r, What::Notification, READ)?
    } else {
        meeting_point(m, r, What::Endpoint, READ)?
    };
    let (nr, info) = match op {
        Op::NbRecv => (Syscall::NbRecv, 0),
        Op::Recv => (Syscall::Recv, 0),
        _ => (Syscall::ReplyRecv, reply_info(m, r).raw()),
    };
    let args = if op == Op::ReplyRecv {
        [u64::from(src), info, 0, 0, 0, 0]
    } else {
        [u64::from(src), 0, 0, 0, 0, 0]
    };
    let mut c = Call::sys(op, nr, args);
    if op != Op::ReplyRecv {
        c.spare = Some(5);
    }
    let (c, first) = window(m, r, c);
    Some(c.with(Effect::Recv {
        first,
        replied: op == Op::ReplyRecv,
    }))
}

pub(super) fn reply(m: &Model, r: &mut Rng) -> Option<Call> {
    let info = reply_info(m, r);
    Some(
        Call::sys(
            Op::Reply,
            Syscall::Reply,
            [0, info.raw(), r.bits(), r.bits(), r.bits(), r.bits()],
        )
        .with(Effect::Replied),
    )
}

pub(super) fn signal(m: &Model, r: &mut Rng) -> Option<Call> {
    let n = meeting_point(m, r, What::Notification, WRITE)?;
    let e = m.at(n);
    let bits = if e.badged { 0 } else { r.bits() | 1 };
    let mut c = Call::sys(
        Op::Signal,
        Syscall::Signal,
        [u64::from(n), bits, 0, 0, 0, 0],
    );
    c.spare = Some(5);
    Some(c.expect(if e.sure() { Expect::Ok } else { Expect::Any }))
}

pub(super) fn poll_wait(m: &Model, r: &mut Rng, op: Op) -> Option<Call> {
    let n = meeting_point(m, r, What::Notification, READ)?;
    let nr = if op == Op::Poll {
        Syscall::Poll
    } else {
        Syscall::Wait
    };
    let mut c = Call::sys(op, nr, [u64::from(n), 0, 0, 0, 0, 0]);
    c.spare = Some(5);
    let sure = op == Op::Poll && m.at(n).sure();
    Some(c.expect(if sure { Expect::Ok } else { Expect::Any }))
}
