//! Thread methods (the invoked cap has WRITE; checked by the dispatch).

use helix_abi::{CapRights, CapType, SysError};

use super::effects::{Completion, Effects, Hardware};
use super::invoke::DONE;
use super::state::{RunState, System};
use crate::syscall::ThreadCall;
use crate::table::{ObjRef, ThreadId};

impl System {
    /// Run `call` on thread `t` for `caller`, whose CSpace is `space`.
    pub(super) fn invoke_thread(
        &mut self,
        caller: ThreadId,
        space: ObjRef,
        t: ThreadId,
        call: ThreadCall,
        fx: &mut dyn Effects,
    ) -> Result<Completion, SysError> {
        let th = *self.thread(t).map_err(|_| SysError::Revoked)?;
        match call {
            ThreadCall::Configure {
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
            ThreadCall::Start { rip, rsp } => {
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
            ThreadCall::Suspend => {
                if th.state != RunState::Active {
                    return Err(SysError::InvalidState);
                }
                self.suspend(t, fx);
                if t == caller {
                    return Ok(Completion::Blocked);
                }
            }
            ThreadCall::Resume => {
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
            ThreadCall::SetPriority(p) => {
                if p > self.thread(caller)?.mcp {
                    return Err(SysError::NoRights);
                }
                self.sched.set_priority(t, p)?;
            }
            ThreadCall::SetMcp(m) => {
                if m > self.thread(caller)?.mcp {
                    return Err(SysError::NoRights);
                }
                self.thread_mut(t)?.mcp = m;
            }
            ThreadCall::SetAffinity(mask) => {
                self.sched.set_affinity(t, mask)?;
            }
            ThreadCall::SetTimeout(ticks) => self.thread_mut(t)?.timeout = ticks,
        }
        DONE
    }
}
