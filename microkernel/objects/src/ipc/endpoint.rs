//! Endpoints: synchronous rendezvous of senders and receivers.
//!
//! An endpoint is idle, has queued senders, or has queued receivers (never
//! both). A send meets the first queued receiver, a receive the first queued
//! sender (FIFO); otherwise the caller queues (blocking variants) or gets
//! `WouldBlock`. A `call` turns the sender into a reply waiter: the receiver
//! is given a one-shot reply object.

use helix_abi::SysError;

use super::Ipc;
use super::queue::Queue;
use super::state::{IpcState, PendingSend, Transfer};
use crate::table::{ObjRef, ThreadId};

/// Which kind of thread the queue holds.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Waiters {
    /// Nobody waits.
    #[default]
    None,
    /// Blocked senders.
    Senders,
    /// Blocked receivers.
    Receivers,
}

/// One endpoint.
#[derive(Clone, Copy, Debug, Default)]
pub struct Endpoint {
    pub(crate) queue: Queue,
    pub(crate) waiters: Waiters,
}

impl Endpoint {
    /// Who waits.
    pub fn waiters(&self) -> Waiters {
        if self.queue.is_empty() {
            Waiters::None
        } else {
            self.waiters
        }
    }

    /// How many threads wait.
    pub fn queued(&self) -> usize {
        self.queue.len()
    }
}

/// Result of a send or call.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SendOutcome {
    /// A receiver was waiting: hand the message over.
    Delivered(Transfer),
    /// The sender is queued on the endpoint.
    Blocked,
}

/// Result of a receive.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RecvOutcome {
    /// A sender was waiting: hand its message over (and wake it unless it
    /// called).
    Received(Transfer),
    /// The receiver is queued on the endpoint.
    Blocked,
}

/// A receive's outcome plus the caller abandoned by it, if any.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Recv {
    /// What happened to the receiver.
    pub outcome: RecvOutcome,
    /// The receiver still owed this thread a reply; it must be woken with
    /// `Revoked` (a server that receives again without replying drops the
    /// call).
    pub abandoned: Option<ThreadId>,
}

impl Ipc {
    /// `send` / `nb_send` / `call` by `sender` on `ep`. `msg.call` implies
    /// blocking. `WouldBlock` when non-blocking and no receiver waits;
    /// `Revoked` when the endpoint is gone.
    pub fn send(
        &mut self,
        ep: ObjRef,
        sender: ThreadId,
        msg: PendingSend,
        blocking: bool,
    ) -> Result<SendOutcome, SysError> {
        self.idle(sender)?;
        let e = self.endpoints.get(ep).ok_or(SysError::Revoked)?;
        if e.waiters() == Waiters::Receivers {
            // Allocate the reply object before anything changes.
            let reply = self.new_reply(sender, msg)?;
            let e = self.endpoints.get_mut(ep).ok_or(SysError::Revoked)?;
            let Some(receiver) = self.links.pop_front(&mut e.queue) else {
                return Err(SysError::InvalidState);
            };
            self.set_state(receiver, IpcState::Idle);
            self.start_call(sender, receiver, reply);
            return Ok(SendOutcome::Delivered(Transfer {
                from: sender,
                to: receiver,
                badge: msg.badge,
                info: msg.info,
                grant: msg.grant,
                call: msg.call,
            }));
        }
        if !blocking && !msg.call {
            return Err(SysError::WouldBlock);
        }
        let e = self.endpoints.get_mut(ep).ok_or(SysError::Revoked)?;
        self.links.push_back(&mut e.queue, sender)?;
        e.waiters = Waiters::Senders;
        self.set_state(sender, IpcState::Sending { ep, msg });
        Ok(SendOutcome::Blocked)
    }

    /// `recv` / `nb_recv` by `receiver` on `ep`. `WouldBlock` when
    /// non-blocking and no sender waits; `Revoked` when the endpoint is gone.
    /// Any reply the receiver still owed is abandoned first.
    pub fn recv(
        &mut self,
        ep: ObjRef,
        receiver: ThreadId,
        blocking: bool,
    ) -> Result<Recv, SysError> {
        self.idle(receiver)?;
        let e = self.endpoints.get(ep).ok_or(SysError::Revoked)?;
        match e.waiters() {
            Waiters::Senders => {
                let Some(sender) = e.queue.front() else {
                    return Err(SysError::InvalidState);
                };
                let IpcState::Sending { msg, .. } = self.thread(sender)?.state else {
                    return Err(SysError::InvalidState);
                };
                let reply = self.new_reply(sender, msg)?;
                let e = self.endpoints.get_mut(ep).ok_or(SysError::Revoked)?;
                self.links.remove(&mut e.queue, sender);
                self.set_state(sender, IpcState::Idle);
                let abandoned = self.abandon_reply(receiver)?;
                self.start_call(sender, receiver, reply);
                Ok(Recv {
                    outcome: RecvOutcome::Received(Transfer {
                        from: sender,
                        to: receiver,
                        badge: msg.badge,
                        info: msg.info,
                        grant: msg.grant,
                        call: msg.call,
                    }),
                    abandoned,
                })
            }
            _ if blocking => {
                let abandoned = self.abandon_reply(receiver)?;
                let e = self.endpoints.get_mut(ep).ok_or(SysError::Revoked)?;
                self.links.push_back(&mut e.queue, receiver)?;
                e.waiters = Waiters::Receivers;
                self.set_state(receiver, IpcState::Receiving { ep });
                Ok(Recv {
                    outcome: RecvOutcome::Blocked,
                    abandoned,
                })
            }
            _ => Err(SysError::WouldBlock),
        }
    }

    /// The endpoint is being destroyed: every queued thread is taken off
    /// and reported to `woken`; each must be woken with `Revoked`.
    pub fn destroy_endpoint(&mut self, ep: ObjRef, woken: &mut dyn FnMut(ThreadId)) -> usize {
        let Some(mut e) = self.endpoints.remove(ep) else {
            return 0;
        };
        let mut n = 0;
        while let Some(t) = self.links.pop_front(&mut e.queue) {
            self.set_state(t, IpcState::Idle);
            woken(t);
            n += 1;
        }
        n
    }

    /// Caps with `badge` to `ep` were revoked: queued senders that sent
    /// with that badge are taken off and reported to `woken` (wake them
    /// with `Revoked`).
    pub fn cancel_badged_sends(
        &mut self,
        ep: ObjRef,
        badge: u64,
        woken: &mut dyn FnMut(ThreadId),
    ) -> usize {
        let Some(e) = self.endpoints.get_mut(ep) else {
            return 0;
        };
        if e.waiters != Waiters::Senders {
            return 0;
        }
        let mut n = 0;
        let mut cur = e.queue.front();
        while let Some(t) = cur {
            cur = self.links.next(t);
            if let IpcState::Sending { msg, .. } = self.threads[t.index()].state
                && msg.badge == badge
            {
                self.links.remove(&mut e.queue, t);
                self.threads[t.index()].state = IpcState::Idle;
                woken(t);
                n += 1;
            }
        }
        n
    }
}
