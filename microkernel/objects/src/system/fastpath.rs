//! The IPC fast path: `call` to a waiting server and `reply_recv` back to
//! a waiting client, when nothing but registers moves and the partner can
//! run at once on the same CPU (seL4's fastpath conditions). Each returns
//! `None` when a condition fails, and then has changed nothing: the
//! caller takes the general path. When it succeeds the object state is
//! exactly what the general path leaves, except that the partner is not
//! put on a run queue: the kernel switches to it directly.

use helix_abi::{CapRights, CapType, MessageInfo};

use super::state::{RunState, System};
use crate::ipc::{IpcState, PendingSend, RecvOutcome, SendOutcome, Waiters};
use crate::table::ThreadId;

/// A message handed over on the fast path.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FastIpc {
    /// The thread that runs next (receiver of the message).
    pub to: ThreadId,
    /// Badge it receives (0 for a reply).
    pub badge: u64,
}

impl System {
    /// Whether `t` may run right now on `cpu` in place of a blocking
    /// thread: active, not faulted, on that CPU, with no ready thread of
    /// higher priority there, and no IPC timeout to arm.
    fn fast_target(&self, t: ThreadId, cpu: usize) -> bool {
        self.thread(t)
            .is_ok_and(|th| th.state == RunState::Active && !th.faulted)
            && self.sched.cpu_of(t) == Ok(cpu)
            && self
                .sched
                .priority(t)
                .is_ok_and(|p| !self.sched.should_preempt(cpu, p))
    }

    fn fast_caller(&self, t: ThreadId, info: MessageInfo) -> Option<usize> {
        let th = self.thread(t).ok()?;
        if info.caps() != 0 || info.length() > 4 || th.timeout != 0 {
            return None;
        }
        self.sched.cpu_of(t).ok()
    }

    /// `call` on `slot` by the running `caller` with a register-only
    /// message, delivered to a receiver already waiting.
    pub fn fast_call(&mut self, caller: ThreadId, slot: u32, info: MessageInfo) -> Option<FastIpc> {
        let cpu = self.fast_caller(caller, info)?;
        let space = self.cspace_of(caller).ok()?;
        let cap = self
            .caps
            .space(space)
            .ok()?
            .lookup(slot, CapType::Endpoint, CapRights::WRITE)
            .ok()?;
        let e = self.ipc.endpoint(cap.object).ok()?;
        if e.waiters() != Waiters::Receivers {
            return None;
        }
        let receiver = e.queue.front()?;
        if !self.fast_target(receiver, cpu) {
            return None;
        }
        let msg = PendingSend {
            badge: cap.badge,
            info,
            grant: cap.rights.contains(CapRights::GRANT),
            call: true,
        };
        match self.ipc.send(cap.object, caller, msg, true).ok()? {
            SendOutcome::Delivered(t) => {
                self.thread_mut(t.to).ok()?.deadline = None;
                Some(FastIpc {
                    to: t.to,
                    badge: t.badge,
                })
            }
            // Cannot happen: a receiver was waiting. Undo is not needed
            // because the sender is queued exactly as the slow path would.
            SendOutcome::Blocked => None,
        }
    }

    /// `reply_recv` on `slot` by the running `server`: answer the waiting
    /// caller with a register-only message and wait on an endpoint with no
    /// queued senders.
    pub fn fast_reply_recv(
        &mut self,
        server: ThreadId,
        slot: u32,
        info: MessageInfo,
    ) -> Option<FastIpc> {
        let cpu = self.fast_caller(server, info)?;
        let space = self.cspace_of(server).ok()?;
        let cap = self
            .caps
            .space(space)
            .ok()?
            .lookup(slot, CapType::Endpoint, CapRights::READ)
            .ok()?;
        if self.ipc.endpoint(cap.object).ok()?.waiters() == Waiters::Senders {
            return None;
        }
        let (target, _) = self.ipc.reply_target(server).ok()?;
        if !self.fast_target(target, cpu) {
            return None;
        }
        let t = self.ipc.reply(server, info).ok()?;
        self.thread_mut(t.to).ok()?.deadline = None;
        let r = self.ipc.recv(cap.object, server, true).ok()?;
        debug_assert!(r.abandoned.is_none() && r.outcome == RecvOutcome::Blocked);
        debug_assert_eq!(
            self.ipc.state(server),
            Ok(IpcState::Receiving { ep: cap.object })
        );
        Some(FastIpc { to: t.to, badge: 0 })
    }
}
