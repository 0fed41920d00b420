//! Reply objects: the one-shot right to answer one `call`.
//!
//! When a call meets its receiver, the kernel makes a reply object naming
//! the caller and gives it to the receiver (one per thread, held in the
//! thread's reply slot, never in a CSpace). `reply` consumes it. The object
//! dies with the caller (a timeout or a destroy of the caller makes the
//! server's reply fail with `Revoked`), a server that receives again
//! without replying abandons it (the caller gets `Revoked`), and a server
//! that is destroyed holding it drops it (the caller gets `PartnerGone`).

use helix_abi::{MessageInfo, SysError};

use super::Ipc;
use super::state::{IpcState, PendingSend, Transfer};
use crate::table::{ObjRef, ThreadId};

/// One pending reply.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ReplyObject {
    caller: ThreadId,
    grant: bool,
}

impl Ipc {
    /// `reply` by `replier`: hand `info` to the thread whose call it
    /// received. `InvalidState` when it owes no reply; `Revoked` when the
    /// caller is gone (timed out, suspended or destroyed).
    pub fn reply(&mut self, replier: ThreadId, info: MessageInfo) -> Result<Transfer, SysError> {
        self.idle(replier)?;
        let r = self.threads[replier.index()]
            .reply
            .take()
            .ok_or(SysError::InvalidState)?;
        let obj = self.replies.remove(r).ok_or(SysError::Revoked)?;
        match self.thread(obj.caller)?.state {
            IpcState::WaitingReply { reply } if reply == r => {}
            _ => return Err(SysError::Revoked),
        }
        self.set_state(obj.caller, IpcState::Idle);
        Ok(Transfer {
            from: replier,
            to: obj.caller,
            badge: 0,
            info,
            grant: obj.grant,
            call: false,
        })
    }

    /// Who `replier` would answer and whether the reply may carry caps:
    /// `InvalidState` when it owes no reply, `Revoked` when the caller is gone.
    pub fn reply_target(&self, replier: ThreadId) -> Result<(ThreadId, bool), SysError> {
        let r = self.thread(replier)?.reply.ok_or(SysError::InvalidState)?;
        let obj = self.replies.get(r).ok_or(SysError::Revoked)?;
        match self.thread(obj.caller)?.state {
            IpcState::WaitingReply { reply } if reply == r => Ok((obj.caller, obj.grant)),
            _ => Err(SysError::Revoked),
        }
    }

    /// A reply object for `msg` from `caller` if it is a call.
    pub(crate) fn new_reply(
        &mut self,
        caller: ThreadId,
        msg: PendingSend,
    ) -> Result<Option<ObjRef>, SysError> {
        if !msg.call {
            return Ok(None);
        }
        self.replies
            .insert(ReplyObject {
                caller,
                grant: msg.grant,
            })
            .map(Some)
    }

    /// Hand the reply object to `server`; the caller waits for it.
    pub(crate) fn start_call(&mut self, caller: ThreadId, server: ThreadId, reply: Option<ObjRef>) {
        if let Some(r) = reply {
            self.threads[server.index()].reply = Some(r);
            self.set_state(caller, IpcState::WaitingReply { reply: r });
        }
    }

    /// Drop the reply `t` owes; the caller (returned) must be woken, with
    /// `Revoked` when `t` received again, `PartnerGone` when `t` is gone.
    pub(crate) fn abandon_reply(&mut self, t: ThreadId) -> Result<Option<ThreadId>, SysError> {
        self.thread(t)?;
        let Some(r) = self.threads[t.index()].reply.take() else {
            return Ok(None);
        };
        let Some(obj) = self.replies.remove(r) else {
            return Ok(None);
        };
        match self.thread(obj.caller).map(|x| x.state) {
            Ok(IpcState::WaitingReply { reply }) if reply == r => {
                self.set_state(obj.caller, IpcState::Idle);
                Ok(Some(obj.caller))
            }
            _ => Ok(None),
        }
    }
}
