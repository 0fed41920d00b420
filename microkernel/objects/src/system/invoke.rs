//! `System::execute`: one decoded syscall against the object state, and
//! the dispatch of object methods by type (one exhaustive match, nothing
//! falls through). The `Cap*` and Untyped methods are here; threads,
//! address spaces and devices have their own files.

use helix_abi::{CapRights, CapType, SysError};

use super::effects::{Completion, Effects, Hardware};
use super::ipc_calls::SendKind;
use super::state::System;
use crate::cap::{Cap, SlotAddr};
use crate::quota::object_cost;
use crate::syscall::{CapCall, Invocation, ObjectCall, UntypedCall};
use crate::table::{ObjRef, ThreadId};

pub(super) const DONE: Result<Completion, SysError> = Ok(Completion::Return([0; 3]));

/// `NoRights` unless `c` has every right in `rights`.
pub(super) fn need(c: &Cap, rights: CapRights) -> Result<(), SysError> {
    if c.rights.contains(rights) {
        Ok(())
    } else {
        Err(SysError::NoRights)
    }
}

/// What `CapIdentify` returns for `c`: type, rights | badged << 8, badge.
pub(super) fn identity(c: &Cap) -> Completion {
    Completion::Return([
        c.kind as u64,
        u64::from(c.rights.bits()) | (u64::from(c.badge != 0) << 8),
        c.badge,
    ])
}

impl System {
    /// Execute `inv` for the running thread `caller`. Errors are what the
    /// syscall returns; on error nothing changed.
    pub fn execute(
        &mut self,
        caller: ThreadId,
        inv: Invocation,
        fx: &mut dyn Effects,
    ) -> Result<Completion, SysError> {
        let space = self.cspace_of(caller)?;
        match inv {
            Invocation::DebugWrite(slice) => {
                fx.hardware(Hardware::DebugWrite(slice));
                DONE
            }
            Invocation::Send { ep, msg, blocking } => {
                let kind = if blocking {
                    SendKind::Send
                } else {
                    SendKind::NbSend
                };
                self.do_send(caller, (space, ep), msg, kind, fx)
            }
            Invocation::Call { ep, msg } => {
                self.do_send(caller, (space, ep), msg, SendKind::Call, fx)
            }
            Invocation::Recv { src, blocking } => self.do_recv(caller, space, src, blocking, fx),
            Invocation::Reply { msg } => self.do_reply(caller, msg, fx).and(DONE),
            Invocation::ReplyRecv { src, msg } => self.do_reply_recv(caller, space, src, msg, fx),
            Invocation::Signal { ntfn, bits } => self.do_signal(space, ntfn, bits, fx),
            Invocation::Wait { ntfn, blocking } => self.do_wait(caller, space, ntfn, blocking),
            Invocation::Yield => {
                fx.hardware(Hardware::Reschedule);
                DONE
            }
            Invocation::Invoke { cap, call } => {
                let at = SlotAddr::new(space, cap);
                let c = self.caps.cap(at)?;
                if let Some(kind) = call.method().object_type()
                    && kind != c.kind
                {
                    return Err(SysError::WrongType);
                }
                self.invoke(caller, at, c, call, fx)
            }
        }
    }

    /// Run method `call` of the cap `c` (at `at`, type checked already).
    fn invoke(
        &mut self,
        caller: ThreadId,
        at: SlotAddr,
        c: Cap,
        call: ObjectCall,
        fx: &mut dyn Effects,
    ) -> Result<Completion, SysError> {
        match call {
            ObjectCall::Cap(call) => self.invoke_cap(at, c, call, fx),
            ObjectCall::Untyped(call) => self.invoke_untyped(at, c, call, fx),
            ObjectCall::Thread(call) => {
                need(&c, CapRights::WRITE)?;
                self.invoke_thread(caller, at.space, ThreadId(c.object), call, fx)
            }
            ObjectCall::AddressSpace(call) => self.invoke_address_space(at, c, call, fx),
            ObjectCall::Frame(call) => self.invoke_frame(c, call),
            ObjectCall::IrqControl(call) => self.invoke_irq_control(at, c, call),
            ObjectCall::IrqHandler(call) => self.invoke_irq_handler(at, c, call, fx),
            ObjectCall::IoPorts(call) => self.invoke_io_ports(at, c, call, fx),
        }
    }

    /// The `Cap*` methods, inside the caller's CSpace.
    fn invoke_cap(
        &mut self,
        at: SlotAddr,
        c: Cap,
        call: CapCall,
        fx: &mut dyn Effects,
    ) -> Result<Completion, SysError> {
        let here = |slot| SlotAddr::new(at.space, slot);
        match call {
            CapCall::Copy { dst } => self.caps.copy(at, here(dst)).and(DONE),
            CapCall::Mint { dst, rights, badge } => {
                self.caps.mint(at, here(dst), rights, badge).and(DONE)
            }
            CapCall::Move { dst } => self.caps.move_cap(at, here(dst)).and(DONE),
            CapCall::Delete => self.delete_cap(at, fx).and(DONE),
            CapCall::Revoke => self.revoke_cap(at, fx).and(DONE),
            CapCall::Identify => Ok(identity(&c)),
        }
    }

    /// Delete every cap derived from the one at `at`, in every CSpace
    /// (`CapRevoke`; also what a supervisor does to take back what it
    /// handed out): objects whose last cap goes are destroyed, senders
    /// queued with a revoked badge wake with `Revoked`.
    pub fn revoke_cap(&mut self, at: SlotAddr, fx: &mut dyn Effects) -> Result<(), SysError> {
        let mut gone = alloc::vec::Vec::new();
        self.caps.revoke(at, &mut |r| gone.push(r))?;
        for r in gone {
            if r.cap.kind == CapType::Endpoint && r.cap.badge != 0 {
                let mut woken = alloc::vec::Vec::new();
                self.ipc
                    .cancel_badged_sends(r.cap.object, r.cap.badge, &mut |t| woken.push(t));
                for t in woken {
                    self.wake(t, Err(SysError::Revoked), fx);
                }
            }
            self.removed(r, fx);
        }
        Ok(())
    }

    /// Delete the cap at `at` (`CapDelete`): the last cap destroys its
    /// object.
    pub fn delete_cap(&mut self, at: SlotAddr, fx: &mut dyn Effects) -> Result<(), SysError> {
        let r = self.caps.delete(at)?;
        self.removed(r, fx);
        Ok(())
    }

    /// Untyped methods.
    fn invoke_untyped(
        &mut self,
        at: SlotAddr,
        c: Cap,
        call: UntypedCall,
        fx: &mut dyn Effects,
    ) -> Result<Completion, SysError> {
        let here = |slot| SlotAddr::new(at.space, slot);
        match call {
            UntypedCall::Retype { kind, dst, arg } => {
                need(&c, CapRights::WRITE)?;
                self.retype(at, c.object, kind, here(dst), arg, fx)
                    .and(DONE)
            }
            UntypedCall::Split { dst, bytes } => {
                need(&c, CapRights::WRITE)?;
                let q = *self.untypeds.get(c.object).ok_or(SysError::Revoked)?;
                self.caps.space(at.space)?.check_empty(dst)?;
                let child = self.quotas.split(q, bytes)?;
                let made = self.untypeds.insert(child).and_then(|obj| {
                    let cap = Cap::new(obj, CapType::Untyped, CapRights::ALL);
                    self.caps
                        .insert_original(here(dst), cap, Some(at))
                        .inspect_err(|_| {
                            self.untypeds.remove(obj);
                        })
                });
                if let Err(e) = made {
                    self.quotas.destroy(child);
                    return Err(e);
                }
                DONE
            }
            UntypedCall::Available => {
                need(&c, CapRights::READ)?;
                let q = *self.untypeds.get(c.object).ok_or(SysError::Revoked)?;
                Ok(Completion::Return([self.quotas.get(q)?.available(), 0, 0]))
            }
        }
    }

    fn retype(
        &mut self,
        at: SlotAddr,
        untyped: ObjRef,
        kind: CapType,
        dst: SlotAddr,
        arg: u64,
        fx: &mut dyn Effects,
    ) -> Result<(), SysError> {
        let q = *self.untypeds.get(untyped).ok_or(SysError::Revoked)?;
        let cost = object_cost(kind, arg)?;
        self.caps.space(dst.space)?.check_empty(dst.slot)?;
        self.quotas.charge(q, cost)?;
        let object = match self.make(kind, arg, fx) {
            Ok(o) => o,
            Err(e) => {
                self.quotas.release(q, cost);
                return Err(e);
            }
        };
        self.set_charge(kind, object, Some((q, cost)));
        let cap = Cap::new(object, kind, CapRights::ALL);
        self.caps
            .insert_original(dst, cap, Some(at))
            .inspect_err(|_| self.destroy(kind, object, fx))
    }

    /// Make an object with no caps yet.
    fn make(&mut self, kind: CapType, arg: u64, fx: &mut dyn Effects) -> Result<ObjRef, SysError> {
        match kind {
            CapType::Endpoint => self.ipc.create_endpoint(),
            CapType::Notification => self.ipc.create_notification(),
            CapType::Thread => self.new_thread().map(|t| t.0),
            CapType::AddressSpace => self.new_address_space(arg as usize).map(|(a, _)| a),
            CapType::Frame => {
                let phys = fx.alloc_frames(arg)?;
                self.frames
                    .insert(super::state::Frame { phys, pages: arg })
                    .inspect_err(|_| fx.free_frames(phys, arg))
            }
            CapType::Reply
            | CapType::IrqHandler
            | CapType::IoPorts
            | CapType::Untyped
            | CapType::IrqControl => Err(SysError::InvalidArgument),
        }
    }
}
