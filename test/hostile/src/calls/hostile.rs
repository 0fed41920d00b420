//! The generator: a model, a random stream and the counts, and the choice
//! of the next call.

use helix_abi::Syscall;

use super::call::{Call, Expect};
use crate::config::Config;
use crate::layout;
use crate::model::{Model, What};
use crate::op::Op;
use crate::rng::Rng;
use crate::stats::Stats;
use crate::wrong;

/// Per mille of calls that are deliberately wrong.
pub const WRONG_PER_MILLE: u32 = 120;

/// One hostile process's generator.
#[derive(Clone, Debug)]
pub struct Hostile {
    /// What it holds.
    pub model: Model,
    /// Its random stream.
    pub rng: Rng,
    /// What happened so far.
    pub stats: Stats,
    /// Calls generated so far.
    pub n: u64,
    prologue: usize,
}

/// How often each kind is tried (per mille-ish; adjusted by the state).
const WEIGHTS: [(Op, u32); 39] = [
    (Op::Retype, 80),
    (Op::Split, 8),
    (Op::Available, 8),
    (Op::Copy, 40),
    (Op::Mint, 40),
    (Op::Move, 25),
    (Op::Delete, 60),
    (Op::Revoke, 12),
    (Op::Identify, 30),
    (Op::Configure, 30),
    (Op::Start, 25),
    (Op::Suspend, 12),
    (Op::Resume, 12),
    (Op::Priority, 12),
    (Op::Affinity, 12),
    (Op::Timeout, 8),
    (Op::Mcp, 6),
    (Op::Map, 60),
    (Op::Unmap, 30),
    (Op::AsMint, 30),
    (Op::AsMove, 12),
    (Op::AsDelete, 15),
    (Op::AsIdentify, 12),
    (Op::PhysAddr, 8),
    (Op::IrqGet, 8),
    (Op::IrqBind, 8),
    (Op::IrqAck, 3),
    (Op::IrqUnbind, 5),
    (Op::NbSend, 45),
    (Op::Send, 6),
    (Op::Call, 6),
    (Op::NbRecv, 45),
    (Op::Recv, 15),
    (Op::Reply, 2),
    (Op::ReplyRecv, 6),
    (Op::Signal, 45),
    (Op::Poll, 35),
    (Op::Wait, 5),
    (Op::Yield, 15),
];

impl Hostile {
    /// The generator of a process set up as `cfg` says.
    pub fn new(cfg: &Config) -> Hostile {
        Hostile {
            model: Model::new(cfg),
            rng: Rng::new(cfg.seed),
            stats: Stats::default(),
            n: 0,
            prologue: 0,
        }
    }

    /// The next call.
    pub fn next_call(&mut self) -> Call {
        self.n += 1;
        if let Some(c) = self.prologue() {
            return c;
        }
        let wrong = self.rng.chance(WRONG_PER_MILLE);
        for _ in 0..8 {
            let op = self.choose();
            if let Some(mut c) = self.build(op) {
                if wrong {
                    wrong::mutate(&mut c, &self.model, &mut self.rng);
                }
                return c;
            }
        }
        Call::sys(Op::Yield, Syscall::Yield, [0; 6]).expect(Expect::Ok)
    }

    /// The first calls: the main thread's priority (above every child's)
    /// and its IPC timeout (so no blocking call waits forever).
    fn prologue(&mut self) -> Option<Call> {
        let me = layout::THREAD;
        let c = match self.prologue {
            0 => threads_call(Op::Priority, me, u64::from(layout::MAIN_PRIORITY)),
            1 => threads_call(Op::Timeout, me, 2),
            _ => return None,
        };
        self.prologue += 1;
        Some(c.expect(Expect::Ok))
    }

    fn choose(&mut self) -> Op {
        let m = &self.model;
        if m.count(What::Unknown) > 0 && self.rng.chance(500) {
            return Op::Identify;
        }
        if m.holding != crate::model::Holding::Nothing && self.rng.chance(600) {
            return Op::Reply;
        }
        // Fill up while there is room and budget, empty out when not.
        let empty = u32::from(m.count(What::Empty));
        let full = 240u32.saturating_sub(empty);
        let scale = |op: Op, w: u32| match op {
            Op::Retype | Op::Split | Op::Copy | Op::Mint | Op::IrqGet => {
                if m.budget_low && matches!(op, Op::Retype | Op::Split) {
                    w / 4
                } else {
                    w * (empty + 10) / 120
                }
            }
            Op::Map if m.budget_low => w / 3,
            Op::Delete | Op::Revoke | Op::AsMove => {
                w * (full + 10) / 120 + if m.budget_low { w } else { 0 }
            }
            _ => w,
        };
        let total: u32 = WEIGHTS.iter().map(|&(op, w)| scale(op, w)).sum();
        let mut x = self.rng.below(u64::from(total.max(1))) as u32;
        for &(op, w) in &WEIGHTS {
            let w = scale(op, w);
            if x < w {
                return op;
            }
            x -= w;
        }
        Op::Yield
    }

    fn build(&mut self, op: Op) -> Option<Call> {
        let (m, r) = (&self.model, &mut self.rng);
        match op {
            Op::Retype => super::caps::retype(m, r),
            Op::Split => super::caps::split(m, r),
            Op::Available => super::caps::available(m, r),
            Op::Copy | Op::Mint => super::caps::derive(m, r, op),
            Op::Move => super::caps::move_cap(m, r),
            Op::Delete => super::caps::delete(m, r),
            Op::Revoke => super::caps::revoke(m, r),
            Op::Identify => super::caps::identify(m, r),
            Op::Configure => super::threads::configure(m, r),
            Op::Start => super::threads::start(m, r),
            Op::Suspend | Op::Resume => super::threads::suspend_resume(m, r, op),
            Op::Priority | Op::Affinity | Op::Timeout | Op::Mcp => {
                super::threads::setting(m, r, op)
            }
            Op::Map => super::spaces::map(m, r),
            Op::Unmap => super::spaces::unmap(m, r),
            Op::AsMint | Op::AsMove | Op::AsDelete | Op::AsIdentify => {
                super::spaces::child_cap(m, r, op)
            }
            Op::PhysAddr => super::spaces::phys_addr(m, r),
            Op::IrqGet | Op::IrqBind | Op::IrqAck | Op::IrqUnbind => super::spaces::irq(m, r, op),
            Op::NbSend | Op::Send | Op::Call => super::ipc::send(m, r, op),
            Op::NbRecv | Op::Recv | Op::ReplyRecv => super::ipc::recv(m, r, op),
            Op::Reply => super::ipc::reply(m, r),
            Op::Signal => super::ipc::signal(m, r),
            Op::Poll | Op::Wait => super::ipc::poll_wait(m, r, op),
            Op::Yield => Some(Call::sys(Op::Yield, Syscall::Yield, [0; 6]).expect(Expect::Ok)),
            Op::Garbage => None,
        }
    }
}

/// A one-argument thread setting on the thread in `slot`.
pub(super) fn threads_call(op: Op, slot: u32, value: u64) -> Call {
    use helix_abi::Method;
    let m = match op {
        Op::Priority => Method::ThreadSetPriority,
        Op::Affinity => Method::ThreadSetAffinity,
        Op::Timeout => Method::ThreadSetTimeout,
        _ => Method::ThreadSetMcp,
    };
    Call::invoke(op, slot, m, [value, 0, 0, 0], 1)
}
