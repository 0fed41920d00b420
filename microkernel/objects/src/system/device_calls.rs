//! Frame, IrqControl, IrqHandler and IoPorts methods, and the port checks
//! the kernel's ring-3 port path asks for.

use helix_abi::{CapRights, CapType, SysError};

use super::effects::{Completion, Effects, Hardware};
use super::invoke::{DONE, need};
use super::state::{Device, System};
use crate::cap::{Cap, SlotAddr};
use crate::syscall::{FrameCall, IoPortsCall, IrqControlCall, IrqHandlerCall};
use crate::table::{ObjRef, ThreadId};

impl System {
    /// Frame methods.
    pub(super) fn invoke_frame(&mut self, c: Cap, call: FrameCall) -> Result<Completion, SysError> {
        match call {
            FrameCall::PhysAddr => {
                need(&c, CapRights::READ)?;
                let f = self.frames.get(c.object).ok_or(SysError::Revoked)?;
                Ok(Completion::Return([f.phys, 0, 0]))
            }
        }
    }

    /// IrqControl methods.
    pub(super) fn invoke_irq_control(
        &mut self,
        at: SlotAddr,
        c: Cap,
        call: IrqControlCall,
    ) -> Result<Completion, SysError> {
        match call {
            IrqControlCall::Get { irq, dst } => {
                need(&c, CapRights::WRITE)?;
                self.caps.space(at.space)?.check_empty(dst)?;
                self.irqs.claim(irq)?;
                let made = self
                    .devices
                    .insert(Device::IrqHandler(irq))
                    .and_then(|obj| {
                        let cap = Cap::new(obj, CapType::IrqHandler, CapRights::ALL);
                        self.caps
                            .insert_original(SlotAddr::new(at.space, dst), cap, Some(at))
                            .inspect_err(|_| {
                                self.devices.remove(obj);
                            })
                    });
                made.inspect_err(|_| self.irqs.release(irq)).and(DONE)
            }
        }
    }

    /// IrqHandler methods.
    pub(super) fn invoke_irq_handler(
        &mut self,
        at: SlotAddr,
        c: Cap,
        call: IrqHandlerCall,
        fx: &mut dyn Effects,
    ) -> Result<Completion, SysError> {
        match call {
            IrqHandlerCall::Bind { ntfn, bits } => {
                need(&c, CapRights::WRITE)?;
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
            IrqHandlerCall::Ack => {
                let irq = self.irq_of(c.object)?;
                if self.irqs.ack(irq)? {
                    fx.hardware(Hardware::IrqUnmask(irq));
                }
                DONE
            }
            IrqHandlerCall::Unbind => self.irqs.unbind(self.irq_of(c.object)?).and(DONE),
        }
    }

    /// IoPorts methods.
    pub(super) fn invoke_io_ports(
        &mut self,
        at: SlotAddr,
        c: Cap,
        call: IoPortsCall,
        fx: &mut dyn Effects,
    ) -> Result<Completion, SysError> {
        match call {
            IoPortsCall::In { port, width } => {
                need(&c, CapRights::READ)?;
                self.check_ports(c.object, port, width)?;
                fx.hardware(Hardware::PortIn { port, width });
                DONE
            }
            IoPortsCall::Out { port, width, value } => {
                need(&c, CapRights::WRITE)?;
                self.check_ports(c.object, port, width)?;
                fx.hardware(Hardware::PortOut { port, width, value });
                DONE
            }
            IoPortsCall::Mint { first, last, dst } => {
                match self.devices.get(c.object) {
                    Some(Device::IoPorts { first: f, last: l }) if *f <= first && last <= *l => {}
                    Some(_) => return Err(SysError::NoRights),
                    None => return Err(SysError::Revoked),
                }
                self.caps.space(at.space)?.check_empty(dst)?;
                let obj = self.devices.insert(Device::IoPorts { first, last })?;
                let cap = Cap::new(obj, CapType::IoPorts, c.rights);
                self.caps
                    .insert_original(SlotAddr::new(at.space, dst), cap, Some(at))
                    .inspect_err(|_| {
                        self.devices.remove(obj);
                    })
                    .and(DONE)
            }
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
