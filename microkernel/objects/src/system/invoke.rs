//! `System::execute`: one decoded syscall against the object state.

use helix_abi::{CapRights, CapType, Method, SysError};

use super::effects::{Completion, Effects, Hardware, MapRequest};
use super::ipc_calls::SendKind;
use super::state::{Device, Frame, RunState, System};
use crate::cap::{Cap, SlotAddr};
use crate::quota::{FRAME_PAGE as TABLE_PAGE, IO_BITMAP_COST, object_cost};
use crate::syscall::{Invocation, ObjectCall};
use crate::table::{ObjRef, ThreadId};

const DONE: Result<Completion, SysError> = Ok(Completion::Return([0; 3]));

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
                if let Some(kind) = method_of(&call).object_type()
                    && kind != c.kind
                {
                    return Err(SysError::WrongType);
                }
                self.invoke(caller, at, c, call, fx)
            }
        }
    }

    fn invoke(
        &mut self,
        caller: ThreadId,
        at: SlotAddr,
        c: Cap,
        call: ObjectCall,
        fx: &mut dyn Effects,
    ) -> Result<Completion, SysError> {
        let here = |slot| SlotAddr::new(at.space, slot);
        let need = |rights: CapRights| {
            if c.rights.contains(rights) {
                Ok(())
            } else {
                Err(SysError::NoRights)
            }
        };
        match call {
            ObjectCall::CapCopy { dst } => self.caps.copy(at, here(dst)).and(DONE),
            ObjectCall::CapMint { dst, rights, badge } => {
                self.caps.mint(at, here(dst), rights, badge).and(DONE)
            }
            ObjectCall::CapMove { dst } => self.caps.move_cap(at, here(dst)).and(DONE),
            ObjectCall::CapDelete => {
                let r = self.caps.delete(at)?;
                self.removed(r, fx);
                DONE
            }
            ObjectCall::CapRevoke => {
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
                DONE
            }
            ObjectCall::CapIdentify => Ok(Completion::Return([
                c.kind as u64,
                u64::from(c.rights.bits()) | (u64::from(c.badge != 0) << 8),
                c.badge,
            ])),
            ObjectCall::UntypedRetype { kind, dst, arg } => {
                need(CapRights::WRITE)?;
                self.retype(at, c.object, kind, here(dst), arg, fx)
                    .and(DONE)
            }
            ObjectCall::UntypedSplit { dst, bytes } => {
                need(CapRights::WRITE)?;
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
            ObjectCall::UntypedAvailable => {
                need(CapRights::READ)?;
                let q = *self.untypeds.get(c.object).ok_or(SysError::Revoked)?;
                Ok(Completion::Return([self.quotas.get(q)?.available(), 0, 0]))
            }
            ObjectCall::FramePhysAddr => {
                need(CapRights::READ)?;
                let f = self.frames.get(c.object).ok_or(SysError::Revoked)?;
                Ok(Completion::Return([f.phys, 0, 0]))
            }
            ObjectCall::Map {
                frame,
                vaddr,
                rights,
            } => {
                need(CapRights::WRITE)?;
                let fcap = self
                    .caps
                    .space(at.space)?
                    .lookup(frame, CapType::Frame, rights)?;
                let f = *self.frames.get(fcap.object).ok_or(SysError::Revoked)?;
                if vaddr
                    .checked_add(f.pages * 4096)
                    .is_none_or(|end| end > crate::syscall::USER_TOP)
                {
                    return Err(SysError::BadAddress);
                }
                let req = MapRequest {
                    aspace: c.object,
                    vaddr,
                    phys: f.phys,
                    pages: f.pages,
                    rights,
                };
                self.map_charged(req, fx).and(DONE)
            }
            ObjectCall::Unmap { vaddr } => {
                need(CapRights::WRITE)?;
                fx.hardware(Hardware::Unmap {
                    aspace: c.object,
                    vaddr,
                });
                DONE
            }
            ObjectCall::IrqControlGet { irq, dst } => {
                need(CapRights::WRITE)?;
                self.caps.space(at.space)?.check_empty(dst)?;
                self.irqs.claim(irq)?;
                let made = self
                    .devices
                    .insert(Device::IrqHandler(irq))
                    .and_then(|obj| {
                        let cap = Cap::new(obj, CapType::IrqHandler, CapRights::ALL);
                        self.caps
                            .insert_original(here(dst), cap, Some(at))
                            .inspect_err(|_| {
                                self.devices.remove(obj);
                            })
                    });
                made.inspect_err(|_| self.irqs.release(irq)).and(DONE)
            }
            ObjectCall::IrqHandlerBind { ntfn, bits } => {
                need(CapRights::WRITE)?;
                let n = self.caps.space(at.space)?.lookup(
                    ntfn,
                    CapType::Notification,
                    CapRights::WRITE,
                )?;
                let irq = self.irq_of(c.object)?;
                self.irqs.bind(irq, n.object, bits)?;
                // A bound line may fire (it is masked until then).
                fx.hardware(Hardware::IrqUnmask(irq));
                DONE
            }
            ObjectCall::IrqHandlerAck => {
                let irq = self.irq_of(c.object)?;
                if self.irqs.ack(irq)? {
                    fx.hardware(Hardware::IrqUnmask(irq));
                }
                DONE
            }
            ObjectCall::IrqHandlerUnbind => self.irqs.unbind(self.irq_of(c.object)?).and(DONE),
            ObjectCall::IoPortIn { port, width } => {
                need(CapRights::READ)?;
                self.check_ports(c.object, port, width)?;
                fx.hardware(Hardware::PortIn { port, width });
                DONE
            }
            ObjectCall::IoPortOut { port, width, value } => {
                need(CapRights::WRITE)?;
                self.check_ports(c.object, port, width)?;
                fx.hardware(Hardware::PortOut { port, width, value });
                DONE
            }
            ObjectCall::IoPortsMint { first, last, dst } => {
                match self.devices.get(c.object) {
                    Some(Device::IoPorts { first: f, last: l }) if *f <= first && last <= *l => {}
                    Some(_) => return Err(SysError::NoRights),
                    None => return Err(SysError::Revoked),
                }
                self.caps.space(at.space)?.check_empty(dst)?;
                let obj = self.devices.insert(Device::IoPorts { first, last })?;
                let cap = Cap::new(obj, CapType::IoPorts, c.rights);
                self.caps
                    .insert_original(here(dst), cap, Some(at))
                    .inspect_err(|_| {
                        self.devices.remove(obj);
                    })
                    .and(DONE)
            }
            thread_call => {
                need(CapRights::WRITE)?;
                self.invoke_thread(caller, at.space, ThreadId(c.object), thread_call, fx)
            }
        }
    }

    fn invoke_thread(
        &mut self,
        caller: ThreadId,
        space: ObjRef,
        t: ThreadId,
        call: ObjectCall,
        fx: &mut dyn Effects,
    ) -> Result<Completion, SysError> {
        let th = *self.thread(t).map_err(|_| SysError::Revoked)?;
        match call {
            ObjectCall::ThreadConfigure {
                aspace,
                fault_ep,
                ipc_buffer,
            } => {
                let cs = self.caps.space(space)?;
                let a = cs.lookup(aspace, CapType::AddressSpace, CapRights::WRITE)?;
                if th.state != RunState::Inactive {
                    return Err(SysError::InvalidState);
                }
                let th = self.thread_mut(t)?;
                th.aspace = Some(a.object);
                th.fault_ep = fault_ep;
                th.ipc_buffer = ipc_buffer;
            }
            ObjectCall::ThreadStart { rip, rsp } => {
                if th.state != RunState::Inactive || th.aspace.is_none() {
                    return Err(SysError::InvalidState);
                }
                self.thread_mut(t)?.state = RunState::Active;
                fx.hardware(Hardware::Start {
                    thread: t,
                    rip,
                    rsp,
                });
                self.sched.enqueue(t)?;
            }
            ObjectCall::ThreadSuspend => {
                if th.state != RunState::Active {
                    return Err(SysError::InvalidState);
                }
                self.suspend(t, fx);
                if t == caller {
                    return Ok(Completion::Blocked);
                }
            }
            ObjectCall::ThreadResume => {
                if th.state != RunState::Suspended || th.aspace.is_none() {
                    return Err(SysError::InvalidState);
                }
                let x = self.thread_mut(t)?;
                x.state = RunState::Active;
                let interrupted = core::mem::take(&mut x.interrupted);
                let result = if interrupted {
                    Err(SysError::Revoked)
                } else {
                    Ok(())
                };
                self.wake(t, result, fx);
            }
            ObjectCall::ThreadSetPriority(p) => {
                if p > self.thread(caller)?.mcp {
                    return Err(SysError::NoRights);
                }
                self.sched.set_priority(t, p)?;
            }
            ObjectCall::ThreadSetMcp(m) => {
                if m > self.thread(caller)?.mcp {
                    return Err(SysError::NoRights);
                }
                self.thread_mut(t)?.mcp = m;
            }
            ObjectCall::ThreadSetAffinity(mask) => {
                self.sched.set_affinity(t, mask)?;
            }
            ObjectCall::ThreadSetTimeout(ticks) => self.thread_mut(t)?.timeout = ticks,
            _ => return Err(SysError::InvalidArgument),
        }
        DONE
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

    /// Map `req`, charging the page-table pages it needs (4096 bytes each)
    /// to the quota that paid for the address space; they are released
    /// when the address space is destroyed. Address spaces the kernel made
    /// at boot were charged to no quota and their tables are not either.
    fn map_charged(&mut self, req: MapRequest, fx: &mut dyn Effects) -> Result<(), SysError> {
        let Some((q, bytes)) = self.charge_of(CapType::AddressSpace, req.aspace) else {
            return fx.map(req, u64::MAX).result;
        };
        // Reserve what the budget can pay before mapping (at most three
        // tables per page), so nothing after the map can fail: every table
        // made is paid for by construction, the unused part is released.
        let affordable = self.quotas.get(q).map_or(0, |x| x.available()) / TABLE_PAGE;
        let reserved = affordable.min(req.pages.saturating_mul(3));
        if reserved > 0 {
            self.quotas.charge(q, reserved * TABLE_PAGE)?;
        }
        let done = fx.map(req, reserved);
        let used = done.tables.min(reserved);
        self.quotas.release(q, (reserved - used) * TABLE_PAGE);
        if used > 0 {
            self.set_charge(
                CapType::AddressSpace,
                req.aspace,
                Some((q, bytes + used * TABLE_PAGE)),
            );
        }
        done.result
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
                    .insert(Frame { phys, pages: arg })
                    .inspect_err(|_| fx.free_frames(phys, arg))
            }
            _ => Err(SysError::InvalidArgument),
        }
    }

    fn irq_of(&self, handler: ObjRef) -> Result<u64, SysError> {
        match self.devices.get(handler) {
            Some(Device::IrqHandler(irq)) => Ok(*irq),
            _ => Err(SysError::Revoked),
        }
    }

    /// Whether the CSpace of `t`'s process holds an IoPorts cap with READ
    /// and WRITE whose range covers `width` bytes at `port` (what lets
    /// ring-3 `in`/`out` reach them through the TSS I/O bitmap).
    pub fn io_ports_granted(&self, t: ThreadId, port: u16, width: u8) -> bool {
        let Ok(cs) = self.cspace_of(t).and_then(|c| self.caps.space(c)) else {
            return false;
        };
        cs.occupied().any(|i| {
            cs.lookup(i, CapType::IoPorts, CapRights::READ.union(CapRights::WRITE))
                .is_ok_and(|c| self.check_ports(c.object, port, width).is_ok())
        })
    }

    /// Pay for the I/O permission bitmap of `aspace` (the kernel makes one
    /// on the first port instruction it lets through): [`IO_BITMAP_COST`]
    /// bytes charged once, like its page tables, to the quota that paid
    /// for the address space, and released when it is destroyed (a bitmap
    /// closed by a revoke and made again is not charged twice). Address
    /// spaces the kernel made at boot were charged to no quota and their
    /// bitmap is not either. `OutOfMemory` when the quota cannot pay,
    /// `Revoked` when `aspace` is gone.
    pub fn charge_io_bitmap(&mut self, aspace: ObjRef) -> Result<(), SysError> {
        let space = self.aspaces.get(aspace).ok_or(SysError::Revoked)?;
        if space.io_bitmap_paid {
            return Ok(());
        }
        if let Some((q, bytes)) = self.charge_of(CapType::AddressSpace, aspace) {
            self.quotas
                .charge(q, IO_BITMAP_COST)
                .map_err(|_| SysError::OutOfMemory)?;
            self.set_charge(
                CapType::AddressSpace,
                aspace,
                Some((q, bytes + IO_BITMAP_COST)),
            );
        }
        if let Some(space) = self.aspaces.get_mut(aspace) {
            space.io_bitmap_paid = true;
        }
        Ok(())
    }

    fn check_ports(&self, ports: ObjRef, port: u16, width: u8) -> Result<(), SysError> {
        match self.devices.get(ports) {
            Some(Device::IoPorts { first, last })
                if port >= *first && u32::from(port) + u32::from(width) - 1 <= u32::from(*last) =>
            {
                Ok(())
            }
            Some(_) => Err(SysError::NoRights),
            None => Err(SysError::Revoked),
        }
    }
}

/// The ABI method an object call came from.
fn method_of(call: &ObjectCall) -> Method {
    match call {
        ObjectCall::CapCopy { .. } => Method::CapCopy,
        ObjectCall::CapMint { .. } => Method::CapMint,
        ObjectCall::CapMove { .. } => Method::CapMove,
        ObjectCall::CapDelete => Method::CapDelete,
        ObjectCall::CapRevoke => Method::CapRevoke,
        ObjectCall::CapIdentify => Method::CapIdentify,
        ObjectCall::UntypedRetype { .. } => Method::UntypedRetype,
        ObjectCall::UntypedSplit { .. } => Method::UntypedSplit,
        ObjectCall::UntypedAvailable => Method::UntypedAvailable,
        ObjectCall::ThreadConfigure { .. } => Method::ThreadConfigure,
        ObjectCall::ThreadStart { .. } => Method::ThreadStart,
        ObjectCall::ThreadSuspend => Method::ThreadSuspend,
        ObjectCall::ThreadResume => Method::ThreadResume,
        ObjectCall::ThreadSetPriority(_) => Method::ThreadSetPriority,
        ObjectCall::ThreadSetAffinity(_) => Method::ThreadSetAffinity,
        ObjectCall::ThreadSetTimeout(_) => Method::ThreadSetTimeout,
        ObjectCall::ThreadSetMcp(_) => Method::ThreadSetMcp,
        ObjectCall::Map { .. } => Method::AddressSpaceMap,
        ObjectCall::Unmap { .. } => Method::AddressSpaceUnmap,
        ObjectCall::FramePhysAddr => Method::FramePhysAddr,
        ObjectCall::IrqControlGet { .. } => Method::IrqControlGet,
        ObjectCall::IrqHandlerBind { .. } => Method::IrqHandlerBind,
        ObjectCall::IrqHandlerAck => Method::IrqHandlerAck,
        ObjectCall::IrqHandlerUnbind => Method::IrqHandlerUnbind,
        ObjectCall::IoPortIn { .. } => Method::IoPortIn,
        ObjectCall::IoPortOut { .. } => Method::IoPortOut,
        ObjectCall::IoPortsMint { .. } => Method::IoPortsMint,
    }
}
