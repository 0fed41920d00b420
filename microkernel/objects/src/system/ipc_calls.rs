//! The IPC syscalls and fault delivery.

use helix_abi::{CapRights, CapType, SysError};

use super::effects::{Completion, Effects, Hardware};
use super::state::{RunState, System};
use crate::fault::{FaultAnswer, FaultMessage};
use crate::ipc::{IpcState, PendingSend, RecvOutcome, SendOutcome, check_send};
use crate::notification::WaitOutcome;
use crate::syscall::MsgRegs;
use crate::table::{ObjRef, ThreadId};

/// Which of the three sends.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum SendKind {
    /// Blocking send.
    Send,
    /// Non-blocking send.
    NbSend,
    /// Send and wait for the reply.
    Call,
}

impl System {
    /// `send`, `nb_send` and `call`.
    pub(crate) fn do_send(
        &mut self,
        caller: ThreadId,
        (space, ep): (ObjRef, u32),
        msg: MsgRegs,
        kind: SendKind,
        fx: &mut dyn Effects,
    ) -> Result<Completion, SysError> {
        let (blocking, call) = match kind {
            SendKind::Send => (true, false),
            SendKind::NbSend => (false, false),
            SendKind::Call => (true, true),
        };
        let cap = self
            .caps
            .space(space)?
            .lookup(ep, CapType::Endpoint, CapRights::WRITE)?;
        check_send(msg.info, cap.rights)?;
        let pending = PendingSend {
            badge: cap.badge,
            info: msg.info,
            grant: cap.rights.contains(CapRights::GRANT),
            call,
        };
        match self.ipc.send(cap.object, caller, pending, blocking)? {
            SendOutcome::Delivered(t) => {
                fx.transfer(t);
                self.wake(t.to, Ok(()), fx);
                if call {
                    Ok(self.block(caller))
                } else {
                    Ok(Completion::Return([0; 3]))
                }
            }
            SendOutcome::Blocked => Ok(self.block(caller)),
        }
    }

    /// `recv` / `nb_recv` on an endpoint (READ) or notification (READ).
    pub(crate) fn do_recv(
        &mut self,
        caller: ThreadId,
        space: ObjRef,
        src: u32,
        blocking: bool,
        fx: &mut dyn Effects,
    ) -> Result<Completion, SysError> {
        let cap = *self.caps.space(space)?.cap(src)?;
        match cap.kind {
            CapType::Endpoint => {
                cap.require(CapType::Endpoint, CapRights::READ)?;
                let r = self.ipc.recv(cap.object, caller, blocking)?;
                if let Some(abandoned) = r.abandoned {
                    self.wake(abandoned, Err(SysError::Revoked), fx);
                }
                match r.outcome {
                    RecvOutcome::Received(t) => {
                        fx.transfer(t);
                        if !t.call {
                            self.wake(t.from, Ok(()), fx);
                        }
                        Ok(Completion::Received)
                    }
                    RecvOutcome::Blocked => Ok(self.block(caller)),
                }
            }
            CapType::Notification => self.do_wait(caller, space, src, blocking),
            _ => Err(SysError::WrongType),
        }
    }

    /// `reply`: answer the call `caller` received (or its fault).
    pub(crate) fn do_reply(
        &mut self,
        caller: ThreadId,
        msg: MsgRegs,
        fx: &mut dyn Effects,
    ) -> Result<(), SysError> {
        let (target, grant) = self.ipc.reply_target(caller)?;
        if msg.info.caps() > 0 && !grant {
            return Err(SysError::NoRights);
        }
        let faulted = self.thread(target)?.faulted;
        let answer = if faulted {
            Some(FaultAnswer::decode(msg.info, &msg.words)?)
        } else {
            None
        };
        let t = self.ipc.reply(caller, msg.info)?;
        match answer {
            None => {
                fx.transfer(t);
                self.wake(target, Ok(()), fx);
            }
            Some(answer) => {
                self.thread_mut(target)?.faulted = false;
                fx.hardware(Hardware::FaultAnswer {
                    thread: target,
                    answer,
                });
                if answer == FaultAnswer::Destroy {
                    self.suspend(target, fx);
                    self.drop_held_call(target, fx);
                } else {
                    self.wake(target, Ok(()), fx);
                }
            }
        }
        Ok(())
    }

    /// `reply_recv`: the receive cap is checked first; a missing or stale
    /// reply is skipped; other reply errors end the call.
    pub(crate) fn do_reply_recv(
        &mut self,
        caller: ThreadId,
        space: ObjRef,
        src: u32,
        msg: MsgRegs,
        fx: &mut dyn Effects,
    ) -> Result<Completion, SysError> {
        self.caps
            .space(space)?
            .lookup(src, CapType::Endpoint, CapRights::READ)?;
        match self.do_reply(caller, msg, fx) {
            Ok(()) | Err(SysError::InvalidState) | Err(SysError::Revoked) => {}
            Err(e) => return Err(e),
        }
        self.do_recv(caller, space, src, true, fx)
    }

    /// `signal`: a badged cap signals its badge (`bits` must be 0), an
    /// unbadged one signals `bits` (nonzero).
    pub(crate) fn do_signal(
        &mut self,
        space: ObjRef,
        ntfn: u32,
        bits: u64,
        fx: &mut dyn Effects,
    ) -> Result<Completion, SysError> {
        let cap = self
            .caps
            .space(space)?
            .lookup(ntfn, CapType::Notification, CapRights::WRITE)?;
        let bits = match (cap.badge, bits) {
            (0, 0) => return Err(SysError::InvalidArgument),
            (0, b) => b,
            (badge, 0) => badge,
            _ => return Err(SysError::InvalidArgument),
        };
        if let Some(w) = self.ipc.signal(cap.object, bits)? {
            fx.signal_bits(w.thread, w.bits);
            self.wake(w.thread, Ok(()), fx);
        }
        Ok(Completion::Return([0; 3]))
    }

    /// `wait` / `poll`: bits come back in `rdi`.
    pub(crate) fn do_wait(
        &mut self,
        caller: ThreadId,
        space: ObjRef,
        ntfn: u32,
        blocking: bool,
    ) -> Result<Completion, SysError> {
        let cap = self
            .caps
            .space(space)?
            .lookup(ntfn, CapType::Notification, CapRights::READ)?;
        match self.ipc.wait(cap.object, caller, blocking)? {
            WaitOutcome::Bits(b) => Ok(Completion::Return([b, 0, 0])),
            WaitOutcome::Blocked => Ok(self.block(caller)),
        }
    }

    /// Thread `t` faulted: send `msg` to its fault endpoint as a call on its
    /// behalf. Without a usable fault endpoint the thread is suspended and
    /// the lookup error returned (for the kernel log).
    pub fn fault(
        &mut self,
        t: ThreadId,
        msg: FaultMessage,
        fx: &mut dyn Effects,
    ) -> Result<Completion, SysError> {
        // Only a running thread can fault.
        if self.ipc.state(t)? != IpcState::Idle || self.thread(t)?.faulted {
            return Err(SysError::InvalidState);
        }
        let ep = self.fault_endpoint(t);
        let cap = match ep {
            Ok(cap) => cap,
            Err(e) => {
                self.suspend(t, fx);
                return Err(e);
            }
        };
        let (info, _) = msg.encode();
        let pending = PendingSend {
            badge: cap.badge,
            info,
            grant: false,
            call: true,
        };
        self.thread_mut(t)?.faulted = true;
        match self.ipc.send(cap.object, t, pending, true) {
            Ok(SendOutcome::Delivered(tr)) => {
                fx.transfer(tr);
                self.wake(tr.to, Ok(()), fx);
            }
            Ok(SendOutcome::Blocked) => {}
            Err(e) => {
                self.thread_mut(t)?.faulted = false;
                self.suspend(t, fx);
                return Err(e);
            }
        }
        let _ = self.sched.dequeue(t);
        Ok(Completion::Blocked)
    }

    fn fault_endpoint(&self, t: ThreadId) -> Result<crate::cap::Cap, SysError> {
        let th = self.thread(t)?;
        if th.state != RunState::Active {
            return Err(SysError::InvalidState);
        }
        let slot = th.fault_ep.ok_or(SysError::InvalidState)?;
        let space = self.cspace_of(t)?;
        self.caps
            .space(space)?
            .lookup(slot, CapType::Endpoint, CapRights::WRITE)
    }

    /// The caller blocks: start its IPC timeout and take it off the CPU.
    fn block(&mut self, caller: ThreadId) -> Completion {
        let now = self.now;
        if let Ok(th) = self.thread_mut(caller)
            && th.timeout != 0
        {
            th.deadline = Some(now.saturating_add(th.timeout));
        }
        let _ = self.sched.dequeue(caller);
        Completion::Blocked
    }
}
