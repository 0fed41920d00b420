//! The IPC state of every thread and the tables of IPC objects.

use alloc::vec;
use alloc::vec::Vec;
use helix_abi::{MessageInfo, SysError};

use super::endpoint::Endpoint;
use super::queue::QueueLinks;
use super::reply::ReplyObject;
use crate::notification::Notification;
use crate::table::{ObjRef, Table, ThreadId};

/// A message waiting in a blocked sender.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct PendingSend {
    /// Badge of the sender's endpoint cap.
    pub badge: u64,
    /// Label, length and cap count.
    pub info: MessageInfo,
    /// The sender's cap had GRANT (caps may travel; for a call, the reply
    /// may carry caps back).
    pub grant: bool,
    /// This is a `call`: the sender waits for a reply afterwards.
    pub call: bool,
}

/// What a thread is doing, as far as IPC is concerned.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum IpcState {
    /// Not blocked in IPC (running, runnable or suspended).
    #[default]
    Idle,
    /// Queued on an endpoint with a message.
    Sending {
        /// The endpoint.
        ep: ObjRef,
        /// The message.
        msg: PendingSend,
    },
    /// Queued on an endpoint for a message.
    Receiving {
        /// The endpoint.
        ep: ObjRef,
    },
    /// Waiting for the reply to a `call`.
    WaitingReply {
        /// The reply object the server holds.
        reply: ObjRef,
    },
    /// Queued on a notification.
    Waiting {
        /// The notification.
        ntfn: ObjRef,
    },
}

/// A message handed over from one thread to another. The kernel copies
/// `info.length()` words (registers, then IPC buffer) and, if `grant`, up to
/// `info.caps()` caps; then `to` becomes runnable with the message. `from`
/// stays blocked waiting for a reply when `call` is true; otherwise it
/// continues (or, if it had been queued, becomes runnable with success).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Transfer {
    /// The thread the message comes from.
    pub from: ThreadId,
    /// The thread that receives it.
    pub to: ThreadId,
    /// Badge delivered to the receiver (0 for replies).
    pub badge: u64,
    /// Label, length and cap count as sent.
    pub info: MessageInfo,
    /// Caps may be transferred.
    pub grant: bool,
    /// The sender now waits for a reply.
    pub call: bool,
}

#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct ThreadIpc {
    pub(crate) owner: Option<ThreadId>,
    pub(crate) state: IpcState,
    /// The reply object this thread must answer (it received a call).
    pub(crate) reply: Option<ObjRef>,
}

/// Endpoints, notifications, reply objects and per-thread IPC state.
#[derive(Debug)]
pub struct Ipc {
    pub(crate) endpoints: Table<Endpoint>,
    pub(crate) notifications: Table<Notification>,
    pub(crate) replies: Table<ReplyObject>,
    pub(crate) links: QueueLinks,
    pub(crate) threads: Vec<ThreadIpc>,
}

/// Table sizes for [`Ipc::new`].
#[derive(Clone, Copy, Debug)]
pub struct IpcLimits {
    /// Threads (indices below this).
    pub threads: usize,
    /// Endpoints.
    pub endpoints: usize,
    /// Notifications.
    pub notifications: usize,
}

impl Ipc {
    /// Tables of the given sizes (one reply object per thread at most).
    pub fn new(limits: IpcLimits) -> Ipc {
        Ipc {
            endpoints: Table::with_capacity(limits.endpoints),
            notifications: Table::with_capacity(limits.notifications),
            replies: Table::with_capacity(limits.threads),
            links: QueueLinks::new(limits.threads),
            threads: vec![ThreadIpc::default(); limits.threads],
        }
    }

    /// Start tracking thread `t` (its table index must be below the limit).
    pub fn add_thread(&mut self, t: ThreadId) -> Result<(), SysError> {
        let slot = self
            .threads
            .get_mut(t.index())
            .ok_or(SysError::OutOfMemory)?;
        if slot.owner.is_some() {
            return Err(SysError::InvalidState);
        }
        *slot = ThreadIpc {
            owner: Some(t),
            ..ThreadIpc::default()
        };
        Ok(())
    }

    /// Forget thread `t`: cancel what it is blocked in and abandon the reply
    /// it owes. Returns the caller that was waiting for that reply; it must
    /// be woken with `PartnerGone` (the server holding its call is gone).
    pub fn remove_thread(&mut self, t: ThreadId) -> Result<Option<ThreadId>, SysError> {
        self.cancel(t)?;
        let abandoned = self.abandon_reply(t)?;
        self.threads[t.index()] = ThreadIpc::default();
        Ok(abandoned)
    }

    /// The IPC state of `t`; `InvalidState` for an unknown or stale id.
    pub fn state(&self, t: ThreadId) -> Result<IpcState, SysError> {
        Ok(self.thread(t)?.state)
    }

    /// True when `t` owes a reply.
    pub fn has_reply(&self, t: ThreadId) -> bool {
        self.thread(t).is_ok_and(|x| x.reply.is_some())
    }

    /// Make an endpoint.
    pub fn create_endpoint(&mut self) -> Result<ObjRef, SysError> {
        self.endpoints.insert(Endpoint::default())
    }

    /// Make a notification.
    pub fn create_notification(&mut self) -> Result<ObjRef, SysError> {
        self.notifications.insert(Notification::default())
    }

    /// The endpoint `ep` (`Revoked` when destroyed).
    pub fn endpoint(&self, ep: ObjRef) -> Result<&Endpoint, SysError> {
        self.endpoints.get(ep).ok_or(SysError::Revoked)
    }

    /// The notification `n` (`Revoked` when destroyed).
    pub fn notification(&self, n: ObjRef) -> Result<&Notification, SysError> {
        self.notifications.get(n).ok_or(SysError::Revoked)
    }

    /// Take `t` out of whatever it is blocked in (timeout, suspend,
    /// destroy). Returns true when it was blocked: the kernel then makes it
    /// runnable with the error it chose (`TimedOut`, `Revoked`, ...). A
    /// thread waiting for a reply loses it: the server's later reply gets
    /// `Revoked`.
    pub fn cancel(&mut self, t: ThreadId) -> Result<bool, SysError> {
        let state = self.thread(t)?.state;
        match state {
            IpcState::Idle => return Ok(false),
            IpcState::Sending { ep, .. } | IpcState::Receiving { ep } => {
                if let Some(e) = self.endpoints.get_mut(ep) {
                    self.links.remove(&mut e.queue, t);
                }
            }
            IpcState::Waiting { ntfn } => {
                if let Some(n) = self.notifications.get_mut(ntfn) {
                    self.links.remove(&mut n.queue, t);
                }
            }
            IpcState::WaitingReply { reply } => {
                self.replies.remove(reply);
            }
        }
        self.threads[t.index()].state = IpcState::Idle;
        Ok(true)
    }

    pub(crate) fn thread(&self, t: ThreadId) -> Result<&ThreadIpc, SysError> {
        match self.threads.get(t.index()) {
            Some(x) if x.owner == Some(t) => Ok(x),
            _ => Err(SysError::InvalidState),
        }
    }

    /// `t` must be tracked and not blocked.
    pub(crate) fn idle(&self, t: ThreadId) -> Result<(), SysError> {
        match self.thread(t)?.state {
            IpcState::Idle => Ok(()),
            _ => Err(SysError::InvalidState),
        }
    }

    pub(crate) fn set_state(&mut self, t: ThreadId, state: IpcState) {
        self.threads[t.index()].state = state;
    }
}
